import { Hono, type Context } from "hono";
import type { HttpBindings } from "@hono/node-server";
import { toPointer, validateBody, type FieldProblem } from "@carewatch/domain";
import type { GroupCommitter, Store } from "@carewatch/store";
import type { FacilityKeyPrincipal } from "@carewatch/domain";
import { authenticateKey } from "./api-key.js";
import { problem } from "./problem.js";
import type { RateLimiter } from "./rate-limit.js";

export const MAX_BODY_BYTES = 1024 * 1024;
const DRAIN_LIMIT_BYTES = 16 * MAX_BODY_BYTES;
const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json\s*(;.*)?$/i;

interface IngestDeps {
  store: Store;
  committer: GroupCommitter;
  limiter: RateLimiter;
  now: () => number;
}

// The unread rest of an oversized body is still on the connection: close it rather than let the
// client reuse a connection the server is about to drop.
const tooLarge = (c: Context) =>
  problem(c, "body-too-large", { detail: `The body exceeds ${MAX_BODY_BYTES} bytes (1 MiB); send fewer events per batch`, headers: { connection: "close" } });

/**
 * The body as text, or null past 1 MiB (counted as it arrives, chunked or not). Read from Node's
 * request stream directly: going through the web Request (a ReadableStream over the Node
 * stream) was a tenth of the CPU of a single-event post.
 */
async function readBody(c: Context<Env>): Promise<string | null> {
  const declared = Number(c.req.header("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) return null;
  const incoming = c.env?.incoming;
  if (!incoming) {
    // Not on Node (app.request() in a test): the web body, same limit.
    const t = await c.req.text();
    return Buffer.byteLength(t) > MAX_BODY_BYTES ? null : t;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Past the limit keep reading (and dropping) a while, so the client is still listening when
    // the 413 goes out; leaving the loop destroys the socket, which only a runaway sender earns.
    if (size > DRAIN_LIMIT_BYTES) break;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size > MAX_BODY_BYTES ? null : Buffer.concat(chunks, size).toString("utf8");
}

export interface IngestOptions {
  /** Refuse a batch (422): one event per request. */
  single?: boolean;
  /** The 422 detail for n problems (default: English, as the API has always answered). */
  validationDetail?: (n: number) => string;
  /** Called once the events are in the log (accepted or duplicate), with what was stored. */
  onStored?: (
    results: readonly { status: string; event_id: string; seq: number }[],
    events: readonly { event_id: string; type: string }[],
  ) => Promise<void> | void;
}

/**
 * The one way an event body becomes log entries, for every sender (a system's key, a clerk on
 * /entry): validate with the domain, refuse another facility's events, hand to the group
 * committer, answer 202/200/409/422 the same way. `onStored` sees what was stored.
 */
export async function ingest(
  c: Context,
  deps: Pick<IngestDeps, "store" | "committer" | "now">,
  body: unknown,
  facilityId: string,
  foreignMessage: string,
  foreignDetail: string,
  opts: IngestOptions = {},
): Promise<Response> {
  const now = deps.now();
  const checked = validateBody(body, { facility: (id) => deps.store.registry.byId.get(id), now });
  if (!checked.ok) {
    return problem(c, "validation", {
      detail: opts.validationDetail?.(checked.problems.length) ?? `${checked.problems.length} problem(s) in the request; nothing was stored`,
      errors: checked.problems,
    });
  }
  if (opts.single && checked.batch) {
    return problem(c, "validation", {
      detail: opts.validationDetail?.(1) ?? "One event per request",
      errors: [{ path: "/events", message: "send one event, not a batch" }],
    });
  }
  const foreign: FieldProblem[] = checked.events.flatMap((e, i) =>
    e.event.facility_id === facilityId
      ? []
      : [
          {
            path: toPointer(checked.batch ? ["events", i, "facility_id"] : ["facility_id"]),
            message: foreignMessage,
          },
        ],
  );
  if (foreign.length) return problem(c, "forbidden", { detail: foreignDetail, errors: foreign });

  const outcome = await deps.committer.submit({ facilityId: facilityId, events: checked.events, receivedAt: now });
  if (!outcome.ok) {
    return problem(c, "conflict", {
      detail: `${outcome.conflicts.length} conflict(s); nothing in the request was stored`,
      errors: outcome.conflicts.map((x) => ({ path: toPointer(checked.batch ? ["events", x.index, "event_id"] : ["event_id"]), message: x.message })),
    });
  }
  if (checked.batch) {
    return c.json({ accepted: outcome.accepted, duplicates: outcome.duplicates, results: outcome.results }, 202);
  }
  if (opts.onStored)
    await opts.onStored(
      outcome.results,
      checked.events.map((e) => ({ event_id: e.event.event_id, type: e.event.type })),
    );
  const r = outcome.results[0]!;
  return c.json({ status: r.status, event_id: r.event_id, seq: r.seq }, r.status === "accepted" ? 202 : 200);
}

type Env = { Bindings: Partial<HttpBindings>; Variables: { principal: FacilityKeyPrincipal; requestId: string } };

/** `POST /api/v1/events` — authenticate, translate, hand to the store; the rules live in the domain. */
export function ingestRoute(deps: IngestDeps) {
  const app = new Hono<Env>();

  app.post(
    "/",
    async (c, next) => {
      const principal = await authenticateKey(c, deps.store, deps.now());
      if (principal instanceof Response) return principal;
      c.set("principal", principal);
      const rate = await deps.limiter.take(principal.keyId, deps.now());
      if (!rate.allowed) {
        return problem(c, "rate-limited", {
          detail: `Rate limit exceeded; retry after ${rate.retryAfterSeconds} s`,
          headers: { "retry-after": String(rate.retryAfterSeconds) },
        });
      }
      if (!JSON_TYPE.test(c.req.header("content-type") ?? "")) {
        return problem(c, "unsupported-media-type", {
          detail: `Content-Type must be application/json (got ${JSON.stringify(c.req.header("content-type") ?? "none")})`,
        });
      }
      await next();
    },
    async (c) => {
      const principal = c.get("principal");
      const text = await readBody(c);
      if (text === null) return tooLarge(c);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (e) {
        return problem(c, "malformed-json", { detail: `The body is not valid JSON: ${(e as Error).message}` });
      }
      return ingest(c, deps, body, principal.facilityId, `this key may post for ${principal.facilityId} only`, `The key belongs to ${principal.facilityId}`);
    },
  );
  return app;
}
