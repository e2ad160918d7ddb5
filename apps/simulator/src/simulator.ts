/**
 * The simulated feed: drives the facility model with the real clock and posts what happens
 * through the public Facility API v1 with each facility's own key. Nothing here touches the
 * server's internals.
 *
 * Live: every tick (1 s) each model advances to "now"; censuses follow each facility's reporting
 * interval (÷ speed), movements and treatments are raised by `liveActivity × speed` so a board
 * shows something new every few seconds. About 2% of accepted events are re-sent later with the
 * identical body (a client retry → 200 duplicate), about 2% are delivered minutes late (out of
 * order), and one facility goes silent so the board shows it stale.
 */
import { randomBytes } from "node:crypto";
import type { FacilityEventInput, Registry } from "@carewatch/domain";
import { AbortedError, ApiClient, defaultLogger, type Logger, type PostResult } from "./client.js";
import { FacilityModel, Rng, eventTime, hashString, planBatches, type AdvanceOptions } from "./model.js";

export const DEFAULT_SILENT = "lc-drug-rehab-2";
/**
 * Live rates relative to the realistic ones (backfill uses the realistic ones). Chosen so the
 * bundled province (8 reporting facilities) posts roughly one event every 3 s at speed 1:
 * treatments are posted as many small tallies (daily volumes stay plausible), admissions and
 * discharges churn faster (still balanced), referrals move along within hours.
 */
export const LIVE_RATES = { movement: 80, treatment: 250, referral: 30 } as const;

export interface SimulatorOptions {
  baseUrl: string;
  /** facility_id → API key. Facilities without a key are skipped (with a warning). */
  keys: Record<string, string>;
  registry: Registry;
  /** Multiplies event rates (and shortens census intervals); timestamps stay real. Default 1. */
  speed?: number;
  /** Only these facility ids (default: every facility that has a key). */
  facilities?: string[];
  /** The facility that goes silent (default lc-drug-rehab-2); null or "none" for none. */
  silent?: string | null;
  seed?: number;
  now?: () => number;
  log?: Logger;
  /** Live tick in ms (default 1000). */
  tickMs?: number;
  /** Multiplies LIVE_RATES (default 1). */
  liveActivity?: number;
  /** Chance that an accepted event is re-sent with the identical body (default 0.02). */
  retryChance?: number;
  /** Chance that a movement/treatment/census is delivered late (default 0.02). */
  lateChance?: number;
  /** In a backfill, how long before now the silent facility stopped reporting (default 3 h). */
  silentForMs?: number;
  /** Extra characters in ids (default: random per run), so runs never reuse an event_id. */
  idSalt?: string;
  maxRetries?: number;
  backoffMs?: number;
  fetch?: typeof fetch;
}

export interface SimulatorStats {
  generated: number;
  posted: number;
  accepted: number;
  duplicates: number;
  failed: number;
  late: number;
  resent: number;
  byType: Record<string, number>;
}

export interface BackfillResult {
  events: number;
  batches: number;
  accepted: number;
  duplicates: number;
  failed: number;
}

export interface Simulator {
  /** Start posting live. The first tick runs at once. */
  start(): void;
  /** Stop ticking, deliver held late events, and resolve when nothing is in flight. */
  stop(): Promise<void>;
  /** Post `days` days of history ending now, in time order, in batches of ≤ 1,000. Call before start(). */
  backfill(days: number, onProgress?: (done: number, total: number) => void): Promise<BackfillResult>;
  /** Counters since creation. */
  stats(): SimulatorStats;
  /** The facility ids being simulated, and the silent one (if any). */
  readonly facilityIds: string[];
  readonly silent: string | null;
}

interface Held {
  facilityId: string;
  event: FacilityEventInput;
  releaseAt: number;
}

interface Resend {
  facilityId: string;
  body: string;
  at: number;
}

export function createSimulator(opts: SimulatorOptions): Simulator {
  const log = opts.log ?? defaultLogger;
  const now = opts.now ?? Date.now;
  const speed = opts.speed ?? 1;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`speed must be a positive number (got ${opts.speed})`);
  const seed = (opts.seed ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
  const tickMs = opts.tickMs ?? 1000;
  const activity = opts.liveActivity ?? 1;
  const retryChance = opts.retryChance ?? 0.02;
  const lateChance = opts.lateChance ?? 0.02;
  const silentForMs = opts.silentForMs ?? 3 * 3_600_000;
  const idSalt = opts.idSalt ?? randomBytes(3).readUIntBE(0, 3).toString(36).padStart(5, "0");

  // Which facilities.
  const registry = opts.registry;
  for (const id of opts.facilities ?? []) {
    if (!registry.byId.has(id)) throw new Error(`unknown facility "${id}" (known: ${[...registry.byId.keys()].join(", ")})`);
    if (!opts.keys[id]) throw new Error(`no API key for facility "${id}"`);
  }
  for (const id of Object.keys(opts.keys)) {
    if (!registry.byId.has(id)) log("warn", `key given for unknown facility "${id}"; ignored`);
  }
  const wanted = opts.facilities ? new Set(opts.facilities) : undefined;
  const candidates = registry.facilities.filter((f) => !wanted || wanted.has(f.id));
  const facilities = candidates.filter((f) => opts.keys[f.id]);
  const keyless = candidates.filter((f) => !opts.keys[f.id]).map((f) => f.id);
  if (keyless.length && facilities.length) log("warn", `no API key for ${keyless.join(", ")}; not simulated`);
  if (facilities.length === 0) throw new Error("no facility to simulate: give an API key for at least one facility in the registry");
  const facilityIds = facilities.map((f) => f.id);

  let silent: string | null = opts.silent === undefined ? DEFAULT_SILENT : opts.silent === "none" ? null : opts.silent;
  if (silent !== null && !facilityIds.includes(silent)) {
    if (opts.silent !== undefined) throw new Error(`--silent ${silent}: not one of the simulated facilities (${facilityIds.join(", ")})`);
    silent = null;
  }

  const abort = new AbortController();
  const client = new ApiClient({
    baseUrl: opts.baseUrl,
    log,
    signal: abort.signal,
    ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
    ...(opts.backoffMs !== undefined ? { backoffMs: opts.backoffMs } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  const rng = new Rng((seed ^ hashString("simulator")) >>> 0);
  const stats: SimulatorStats = { generated: 0, posted: 0, accepted: 0, duplicates: 0, failed: 0, late: 0, resent: 0, byType: {} };

  let models: Map<string, FacilityModel> | null = null;
  /** The silent facility posts nothing that occurred after this instant. */
  let silentSince = Number.POSITIVE_INFINITY;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | null = null;
  let held: Held[] = [];
  let resends: Resend[] = [];

  function initModels(startMs: number): Map<string, FacilityModel> {
    return new Map(facilities.map((f) => [f.id, new FacilityModel(f, { seed, startMs, idSalt })]));
  }

  function keep(facilityId: string, e: FacilityEventInput): boolean {
    return facilityId !== silent || eventTime(e) <= silentSince;
  }

  function record(events: readonly FacilityEventInput[], r: PostResult): void {
    stats.posted += events.length;
    stats.accepted += r.accepted;
    stats.duplicates += r.duplicates;
    stats.failed += r.failed;
    if (r.ok) for (const e of events) stats.byType[e.type] = (stats.byType[e.type] ?? 0) + 1;
  }

  async function send(facilityId: string, events: FacilityEventInput[], t: number): Promise<void> {
    if (events.length === 0) return;
    const r = await client.post(opts.keys[facilityId]!, events);
    record(events, r);
    if (!r.ok || facilityId === silent) return;
    for (const e of events) {
      if (rng.chance(retryChance)) {
        resends.push({ facilityId, body: JSON.stringify(e), at: t + rng.uniform(3_000, 60_000) });
      }
    }
  }

  async function tick(): Promise<void> {
    const t = now();
    const out = new Map<string, FacilityEventInput[]>();
    const k = speed * activity;
    const adv: AdvanceOptions = {
      rate: LIVE_RATES.movement * k,
      treatmentRate: LIVE_RATES.treatment * k,
      referralRate: LIVE_RATES.referral * k,
      timeScale: speed,
    };
    for (const [id, model] of models!) {
      const list: FacilityEventInput[] = [];
      for (const e of model.advance(t, adv)) {
        if (!keep(id, e)) continue;
        stats.generated++;
        // Referrals are never held back: a late "requested" after "accepted" would be a move backwards.
        if (e.type !== "referral" && id !== silent && rng.chance(lateChance)) {
          held.push({ facilityId: id, event: e, releaseAt: t + rng.uniform(2, 12) * 60_000 });
          stats.late++;
          continue;
        }
        list.push(e);
      }
      out.set(id, list);
    }
    const due = held.filter((h) => h.releaseAt <= t);
    held = held.filter((h) => h.releaseAt > t);
    for (const h of due) out.get(h.facilityId)!.push(h.event);

    const dueResends = resends.filter((r) => r.at <= t);
    resends = resends.filter((r) => r.at > t);

    await Promise.all([
      ...[...out].map(([id, events]) => send(id, events, t)),
      ...dueResends.map(async (r) => {
        stats.resent++;
        const res = await client.postRaw(opts.keys[r.facilityId]!, r.body, 1);
        stats.duplicates += res.duplicates;
        stats.accepted += res.accepted;
        stats.failed += res.failed;
        if (res.ok && res.accepted > 0) log("warn", `re-sent event was accepted as new, expected a duplicate`);
      }),
    ]);
  }

  function schedule(delay: number): void {
    if (!running) return;
    timer = setTimeout(() => {
      const started = Date.now();
      inFlight = tick()
        .catch((err: unknown) => {
          if (!(err instanceof AbortedError)) log("error", `tick failed: ${(err as Error).message}`);
        })
        .finally(() => {
          inFlight = null;
          schedule(Math.max(0, tickMs - (Date.now() - started)));
        });
    }, delay);
  }

  return {
    facilityIds,
    get silent() {
      return silent;
    },

    start() {
      if (running) return;
      if (abort.signal.aborted) throw new Error("simulator was stopped; create a new one");
      if (!models) {
        const t = now();
        models = initModels(t);
        if (silent !== null) silentSince = t;
      }
      running = true;
      log("info", `live: ${facilityIds.length} facilities at speed ${speed}${silent ? `, ${silent} silent` : ""} → ${opts.baseUrl}`);
      schedule(0);
    },

    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      abort.abort();
      if (inFlight) await inFlight;
      // Deliver what was held back, once, without retries.
      if (held.length) {
        const flushClient = new ApiClient({ baseUrl: opts.baseUrl, log, maxRetries: 0, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
        const byFacility = new Map<string, FacilityEventInput[]>();
        for (const h of held) byFacility.set(h.facilityId, [...(byFacility.get(h.facilityId) ?? []), h.event]);
        held = [];
        await Promise.all([...byFacility].map(async ([id, events]) => record(events, await flushClient.post(opts.keys[id]!, events))));
      }
      resends = [];
    },

    async backfill(days, onProgress) {
      if (!(days > 0) || !Number.isFinite(days)) throw new Error(`backfill needs a positive number of days (got ${days})`);
      if (running || models) throw new Error("backfill must run once, before start()");
      const end = now();
      const startMs = end - days * 86_400_000;
      models = initModels(startMs);
      if (silent !== null) silentSince = Math.max(startMs, end - silentForMs);
      const perFacility = new Map<string, FacilityEventInput[]>();
      for (const [id, model] of models) {
        const events = model.advance(end).filter((e) => keep(id, e));
        perFacility.set(id, events);
        stats.generated += events.length;
      }
      const batches = planBatches(perFacility, 1000);
      const total = batches.reduce((s, b) => s + b.events.length, 0);
      const result: BackfillResult = { events: total, batches: batches.length, accepted: 0, duplicates: 0, failed: 0 };
      let done = 0;
      onProgress?.(0, total);
      // Sequentially, in plan order: each facility's batches in time order, interleaved by start time.
      for (const b of batches) {
        const r = await client.post(opts.keys[b.facilityId]!, b.events);
        record(b.events, r);
        result.accepted += r.accepted;
        result.duplicates += r.duplicates;
        result.failed += r.failed;
        done += b.events.length;
        onProgress?.(done, total);
      }
      return result;
    },

    stats() {
      return { ...stats, byType: { ...stats.byType } };
    },
  };
}
