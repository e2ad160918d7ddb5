/**
 * A small Facility API v1 client over global fetch: one event or a batch (≤ 1,000) per request,
 * Bearer key, retries on network errors, 429 (honouring Retry-After) and 503/502/504. 202 and
 * 200 duplicate are success; any other 4xx is logged with its problem detail and not retried.
 */
import { MAX_BATCH, type FacilityEventInput } from "@carewatch/domain";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type Logger = (level: LogLevel, message: string) => void;

export const defaultLogger: Logger = (level, message) => {
  if (level === "debug") return;
  process.stderr.write(`${new Date().toISOString()} ${level.padEnd(5)} ${message}\n`);
};

export interface ClientOptions {
  baseUrl: string;
  log?: Logger;
  /** Retries after the first attempt (default 6). */
  maxRetries?: number;
  /** First back-off delay in ms, doubled per retry (default 500, capped at 30 s). */
  backoffMs?: number;
  /** Aborts waits and in-flight requests (stop()). */
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

export interface PostResult {
  ok: boolean;
  /** Last HTTP status, or 0 when the server could not be reached. */
  status: number;
  accepted: number;
  duplicates: number;
  /** Events not stored (rejected or never delivered). */
  failed: number;
  attempts: number;
  body?: unknown;
}

const RETRY_STATUS = new Set([429, 502, 503, 504]);

export class AbortedError extends Error {
  constructor() {
    super("aborted");
  }
}

/** Sleep that ends early (rejecting) when the signal aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unusable. */
export function parseRetryAfter(value: string | null, nowMs = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

function describeProblem(body: unknown): string {
  if (typeof body !== "object" || body === null) return typeof body === "string" ? body.slice(0, 300) : "";
  const p = body as { title?: string; detail?: string; errors?: { path?: string; message?: string }[] };
  let s = [p.title, p.detail].filter(Boolean).join(": ");
  if (Array.isArray(p.errors) && p.errors.length) {
    const shown = p.errors.slice(0, 5).map((e) => `${e.path ?? "?"} ${e.message ?? ""}`.trim());
    s += ` [${shown.join("; ")}${p.errors.length > 5 ? `; …${p.errors.length - 5} more` : ""}]`;
  }
  return s;
}

export class ApiClient {
  private readonly url: string;
  private readonly log: Logger;
  private readonly maxRetries: number;
  private readonly backoffMs: number;
  private readonly signal: AbortSignal | undefined;
  private readonly fetchFn: typeof fetch;

  constructor(opts: ClientOptions) {
    this.url = new URL("/api/v1/events", opts.baseUrl).toString();
    this.log = opts.log ?? defaultLogger;
    this.maxRetries = opts.maxRetries ?? 6;
    this.backoffMs = opts.backoffMs ?? 500;
    this.signal = opts.signal;
    this.fetchFn = opts.fetch ?? fetch;
  }

  /**
   * Post events with the facility's key: one event as a bare object, several as
   * `{ "events": [...] }`, split into requests of at most 1,000.
   */
  async post(key: string, events: readonly FacilityEventInput[]): Promise<PostResult> {
    const total: PostResult = { ok: true, status: 0, accepted: 0, duplicates: 0, failed: 0, attempts: 0 };
    for (let i = 0; i < events.length; i += MAX_BATCH) {
      const part = events.slice(i, i + MAX_BATCH);
      const body = part.length === 1 ? JSON.stringify(part[0]) : JSON.stringify({ events: part });
      const r = await this.postRaw(key, body, part.length);
      total.ok &&= r.ok;
      total.status = r.status;
      total.accepted += r.accepted;
      total.duplicates += r.duplicates;
      total.failed += r.failed;
      total.attempts += r.attempts;
      total.body = r.body;
    }
    return total;
  }

  /** Post an already-serialised body (used to resend an identical body, as a retry would). */
  async postRaw(key: string, body: string, count: number): Promise<PostResult> {
    let attempt = 0;
    for (;;) {
      attempt++;
      let res: Response;
      try {
        res = await this.fetchFn(this.url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
          body,
          ...(this.signal ? { signal: this.signal } : {}),
        });
      } catch (err) {
        if (this.signal?.aborted) throw new AbortedError();
        if (attempt > this.maxRetries) {
          this.log("error", `POST ${this.url} failed after ${attempt} attempts: ${(err as Error).message}`);
          return { ok: false, status: 0, accepted: 0, duplicates: 0, failed: count, attempts: attempt };
        }
        const wait = this.backoff(attempt);
        this.log("warn", `network error (${(err as Error).message}); retrying in ${wait} ms`);
        await sleep(wait, this.signal);
        continue;
      }
      const parsed = await readBody(res);
      if (res.status === 200 || res.status === 202) {
        return { ok: true, status: res.status, attempts: attempt, body: parsed, failed: 0, ...countResults(parsed, res.status, count) };
      }
      if (RETRY_STATUS.has(res.status) && attempt <= this.maxRetries) {
        const hinted = parseRetryAfter(res.headers.get("retry-after"));
        const wait = hinted ?? this.backoff(attempt);
        this.log(res.status === 429 ? "info" : "warn", `HTTP ${res.status}; retrying in ${wait} ms`);
        await sleep(wait, this.signal);
        continue;
      }
      this.log("warn", `HTTP ${res.status} for ${count} event(s): ${describeProblem(parsed)}`);
      return { ok: false, status: res.status, accepted: 0, duplicates: 0, failed: count, attempts: attempt, body: parsed };
    }
  }

  private backoff(attempt: number): number {
    const base = Math.min(30_000, this.backoffMs * 2 ** (attempt - 1));
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text().catch(() => "");
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function countResults(body: unknown, status: number, count: number): { accepted: number; duplicates: number } {
  if (typeof body === "object" && body !== null) {
    const b = body as { accepted?: unknown; duplicates?: unknown; status?: unknown };
    if (typeof b.accepted === "number" && typeof b.duplicates === "number") return { accepted: b.accepted, duplicates: b.duplicates };
    if (b.status === "duplicate") return { accepted: 0, duplicates: 1 };
    if (b.status === "accepted") return { accepted: 1, duplicates: 0 };
  }
  return status === 200 ? { accepted: 0, duplicates: count } : { accepted: count, duplicates: 0 };
}
