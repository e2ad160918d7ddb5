import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { demoRegistryDocument, parseRegistry, type FacilityEventInput, type Registry } from "@carewatch/domain";
import { ApiClient, parseRetryAfter, type Logger } from "./client.js";
import { createSimulator } from "./simulator.js";
import { parseDuration, progressBar } from "./cli-options.js";

const parsed = parseRegistry(demoRegistryDocument);
if (!parsed.ok) throw new Error("bad registry");
const REG: Registry = parsed.registry;
const KEYS: Record<string, string> = Object.fromEntries(REG.facilities.map((f) => [f.id, `key-${f.id}`]));

interface Recorded {
  auth: string | undefined;
  body: unknown;
  raw: string;
  status: number;
}

/** A tiny stand-in for the events endpoint: records requests; 202 new, 200 duplicate, 429s on demand. */
class FakeApi {
  server: Server;
  requests: Recorded[] = [];
  bodies = new Map<string, string>();
  /** Answer the next N requests with 429 Retry-After: 0. */
  throttle = 0;
  url = "";

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw) as unknown;
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      this.requests.push({ auth: req.headers.authorization, body, raw, status });
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(payload));
    };
    if (req.url !== "/api/v1/events" || req.method !== "POST") return send(404, { title: "not found" });
    if (this.throttle > 0) {
      this.throttle--;
      return send(429, { type: "/problems/rate-limited", title: "Too many requests", status: 429 }, { "retry-after": "0" });
    }
    const events = (
      typeof body === "object" && body !== null && "events" in body ? (body as { events: FacilityEventInput[] }).events : [body]
    ) as FacilityEventInput[];
    let accepted = 0;
    let duplicates = 0;
    for (const e of events) {
      const key = `${e.facility_id}/${e.event_id}`;
      const text = JSON.stringify(e);
      const prior = this.bodies.get(key);
      if (prior === undefined) {
        this.bodies.set(key, text);
        accepted++;
      } else if (prior === text) duplicates++;
      else return send(409, { title: "Conflict", status: 409, detail: `${e.event_id} has a different body` });
    }
    if ("events" in (body as object)) return send(202, { accepted, duplicates, results: [] });
    const e = events[0]!;
    return duplicates ? send(200, { status: "duplicate", event_id: e.event_id, seq: 1 }) : send(202, { status: "accepted", event_id: e.event_id, seq: 1 });
  }

  /** Events of every request that was answered 200/202, with the facility its key belongs to. */
  posted(): { keyFacility: string; events: FacilityEventInput[]; batch: boolean; status: number }[] {
    return this.requests
      .filter((r) => r.status === 200 || r.status === 202)
      .map((r) => {
        const batch = typeof r.body === "object" && r.body !== null && "events" in r.body;
        return {
          keyFacility: (r.auth ?? "").replace(/^Bearer key-/, ""),
          events: batch ? (r.body as { events: FacilityEventInput[] }).events : [r.body as FacilityEventInput],
          batch,
          status: r.status,
        };
      });
  }
}

const messages: string[] = [];
const log: Logger = (level, message) => {
  messages.push(`${level} ${message}`);
};

let api: FakeApi;
beforeEach(async () => {
  messages.length = 0;
  api = new FakeApi();
  await api.listen();
});
afterEach(async () => {
  await api.close();
});

describe("client", () => {
  it("sends the Bearer key and retries a 429 that says Retry-After: 0", async () => {
    api.throttle = 1;
    const client = new ApiClient({ baseUrl: api.url, log });
    const event: FacilityEventInput = {
      event_id: "sim-x-1-a",
      facility_id: "sl-drug-rehab-song-ma",
      type: "census",
      occurred_at: "2026-03-02T08:00:00+07:00",
      occupied: 100,
    };
    const r = await client.post("secret-key", [event]);
    expect(r).toMatchObject({ ok: true, status: 202, accepted: 1, attempts: 2 });
    expect(api.requests.map((q) => q.status)).toEqual([429, 202]);
    expect(api.requests.every((q) => q.auth === "Bearer secret-key")).toBe(true);
    expect(api.requests[1]!.body).toEqual(event);

    // The identical body again is a success (200 duplicate); a different body is a logged 409, not a crash.
    expect(await client.post("secret-key", [event])).toMatchObject({ ok: true, status: 200, duplicates: 1 });
    const conflict = await client.post("secret-key", [{ ...event, occupied: 101 }]);
    expect(conflict).toMatchObject({ ok: false, status: 409, failed: 1 });
    expect(messages.some((m) => m.startsWith("warn HTTP 409") && m.includes("different body"))).toBe(true);
  });

  it("splits more than 1,000 events into batches and retries network errors", async () => {
    const events: FacilityEventInput[] = Array.from({ length: 2500 }, (_, i) => ({
      event_id: `sim-x-${i}-a`,
      facility_id: "sl-drug-rehab-song-ma",
      type: "treatment",
      category: "methadone",
      occurred_at: "2026-03-02T08:00:00+07:00",
      count: 1,
    }));
    const r = await new ApiClient({ baseUrl: api.url, log }).post("k", events);
    expect(r).toMatchObject({ ok: true, accepted: 2500 });
    expect(api.requests.map((q) => (q.body as { events: unknown[] }).events.length)).toEqual([1000, 1000, 500]);

    let calls = 0;
    const flaky: typeof fetch = (input, init) => (++calls === 1 ? Promise.reject(new TypeError("fetch failed")) : fetch(input, init));
    const r2 = await new ApiClient({ baseUrl: api.url, log, backoffMs: 1, fetch: flaky }).post("k", [events[0]!]);
    expect(r2).toMatchObject({ ok: true, status: 200, attempts: 2 });
  });

  it("parses Retry-After", () => {
    expect(parseRetryAfter("0")).toBe(0);
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
  });
});

describe("simulator", () => {
  it("backfills 2 days through the batch API with each facility's key, in time order", async () => {
    api.throttle = 1;
    const now = Date.parse("2026-03-04T10:07:13+07:00");
    const sim = createSimulator({ baseUrl: api.url, keys: KEYS, registry: REG, seed: 5, now: () => now, log });
    const progress: [number, number][] = [];
    const result = await sim.backfill(2, (d, t) => progress.push([d, t]));
    expect(result.failed).toBe(0);
    expect(result.accepted).toBe(result.events);
    expect(progress.at(-1)).toEqual([result.events, result.events]);

    const posted = api.posted();
    expect(posted.reduce((s, p) => s + p.events.length, 0)).toBe(result.events);
    const last = new Map<string, number>();
    for (const p of posted) {
      expect(p.events.length).toBeLessThanOrEqual(1000);
      for (const e of p.events) {
        expect(e.facility_id).toBe(p.keyFacility);
        const t = Date.parse(e.occurred_at);
        expect(t).toBeGreaterThanOrEqual(last.get(e.facility_id) ?? 0);
        expect(t).toBeLessThanOrEqual(now);
        expect(t).toBeGreaterThanOrEqual(now - 2 * 86_400_000 - 1000);
        last.set(e.facility_id, t);
      }
    }
    expect(new Set(posted.map((p) => p.keyFacility)).size).toBe(9);
    // The silent facility stops three hours before now.
    expect(last.get("lc-drug-rehab-2")!).toBeLessThanOrEqual(now - 3 * 3_600_000);
    expect(last.get("sl-drug-rehab")!).toBeGreaterThan(now - 15 * 60_000);
  });

  it("posts live: per-facility keys, retries as duplicates, late deliveries, one silent facility", async () => {
    // A fast clock: every tick is 5 simulated seconds, so minutes pass in well under a second.
    let t = Date.parse("2026-03-02T09:00:00+07:00");
    const sim = createSimulator({
      baseUrl: api.url,
      keys: KEYS,
      registry: REG,
      seed: 11,
      now: () => (t += 5_000),
      tickMs: 2,
      retryChance: 0.2,
      lateChance: 0.1,
      log,
    });
    sim.start();
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      const s = sim.stats();
      if (s.duplicates > 3 && s.late > 3 && s.posted > 300 && api.requests.length > 150) break;
    }
    await sim.stop();
    const count = api.requests.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(api.requests.length).toBe(count);

    const s = sim.stats();
    expect(s.failed).toBe(0);
    expect(s.duplicates).toBeGreaterThan(0);
    expect(s.resent).toBeGreaterThan(0);
    expect(messages.filter((m) => m.startsWith("warn") || m.startsWith("error"))).toEqual([]);

    const posted = api.posted();
    expect(posted.some((p) => p.status === 200)).toBe(true);
    const seen = new Map<string, number>();
    let outOfOrder = 0;
    for (const p of posted) {
      for (const e of p.events) {
        expect(e.facility_id).toBe(p.keyFacility);
        const when = Date.parse(e.occurred_at);
        if (p.status === 202 && when < (seen.get(e.facility_id) ?? 0)) outOfOrder++;
        seen.set(e.facility_id, Math.max(when, seen.get(e.facility_id) ?? 0));
      }
    }
    expect(outOfOrder).toBeGreaterThan(0);
    // Silent: lc-drug-rehab-2 posts its opening census and nothing more.
    const silentEvents = posted.filter((p) => p.keyFacility === "lc-drug-rehab-2").flatMap((p) => p.events);
    expect(silentEvents.map((e) => e.type)).toEqual(["census"]);
    expect(seen.size).toBe(9);
  }, 15_000);

  it("rejects bad options clearly", () => {
    expect(() => createSimulator({ baseUrl: api.url, keys: KEYS, registry: REG, facilities: ["nope"] })).toThrow(/unknown facility "nope"/);
    expect(() => createSimulator({ baseUrl: api.url, keys: {}, registry: REG, log })).toThrow(/no facility to simulate/);
    expect(() => createSimulator({ baseUrl: api.url, keys: KEYS, registry: REG, speed: 0 })).toThrow(/speed/);
    expect(() => createSimulator({ baseUrl: api.url, keys: KEYS, registry: REG, facilities: ["sl-drug-rehab"], silent: "lc-drug-rehab-2" })).toThrow(
      /not one of the simulated facilities/,
    );
    expect(createSimulator({ baseUrl: api.url, keys: KEYS, registry: REG, silent: null }).silent).toBeNull();
  });
});

describe("CLI helpers", () => {
  it("parses durations and draws the progress bar", () => {
    expect(parseDuration("30d")).toBe(30);
    expect(parseDuration("12h")).toBe(0.5);
    expect(() => parseDuration("3w")).toThrow(/30d/);
    expect(() => parseDuration("0d")).toThrow();
    expect(progressBar(10400, 20000, 10)).toBe("backfill [#####.....] 52% 10400/20000 events");
  });
});
