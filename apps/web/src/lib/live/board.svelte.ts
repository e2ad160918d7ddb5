// The live board: state (runes) and the resync protocol. No DOM: the transport and the reload
// are injected, so the protocol is unit-tested with an in-memory fake transport.
//
// Protocol. Every patch carries `fromSeq` (the board seq it continues) and `seq` (after it).
// Socket.IO delivers at most once, so:
//  - a patch with fromSeq <= seq continues what we have: apply it (statuses are whole facility
//    statuses; a facility is only replaced by one with as_of_seq >= its own, so a late or
//    repeated patch never takes a facility back), seq = max(seq, patch.seq);
//  - a patch with fromSeq > seq means we missed one: keep it aside, ask `changesSince(seq)`
//    (a `snapshot` when that answers null), apply, then re-examine what was kept aside;
//  - on every socket (re)connect, on a heartbeat ahead of us (a missed final patch), on two
//    heartbeats behind us (the server's log was replaced) and after a silence: resync too;
//  - no heartbeat or patch for `silenceMs`, or a disconnect: 'offline' until a resync completes.
import type { BoardSnapshot, FacilityStatus, Heartbeat, StatusPatch, TickerLine, TrendPoint } from "@carewatch/domain";
import { DEFAULT_TIME_ZONE, HEARTBEAT_MS, hourStart, judgePatch, statusSupersedes, TICKER_LENGTH } from "@carewatch/domain/client";
import { UnauthorizedError, type BoardTransport, type Changes } from "./protocol";

export type ConnectionState = "connecting" | "live" | "offline" | "resyncing";

export interface BoardOptions {
  /** Called once when the server runs a different build (new deployment). */
  reload?: () => void;
  /** Silence (no heartbeat, no patch) after which the board is offline. Default 5 s. */
  silenceMs?: number;
  tickerLength?: number;
  trendLength?: number;
  /** A full snapshot now and then re-anchors trends and everything else. Default 1 h; 0 = never. */
  fullResyncMs?: number;
  /** A resync request that takes longer than this has failed (and is retried). Default 15 s. */
  requestTimeoutMs?: number;
  /** Retry delays after a failed resync: doubling from min to max. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

const DEFAULTS = {
  // Two heartbeats and a half (5 s): one lost heartbeat is not yet an outage.
  silenceMs: HEARTBEAT_MS * 2.5,
  tickerLength: TICKER_LENGTH,
  trendLength: 25,
  fullResyncMs: 3_600_000,
  requestTimeoutMs: 15_000,
  retryMinMs: 1_000,
  retryMaxMs: 30_000,
};

type ResolvedOptions = Required<Omit<BoardOptions, "reload">> & { reload: () => void };

/** Patches kept aside while a resync is in flight (beyond this, a fresh resync covers them). */
const MAX_PENDING = 64;

class TimeoutError extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new TimeoutError(`no answer in ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Newest first, one line per seq, at most `limit`. */
export function mergeTicker(incoming: readonly TickerLine[], current: readonly TickerLine[], limit: number): TickerLine[] {
  const bySeq = new Map<number, TickerLine>();
  for (const l of current) bySeq.set(l.seq, l);
  for (const l of incoming) bySeq.set(l.seq, l);
  return [...bySeq.values()].sort((a, b) => b.seq - a.seq).slice(0, limit);
}

/**
 * A trend after the facility's occupied became `occupied` at `now` (hours local to `timeZone`,
 * the facility's). The series is the ends of
 * local clock hours followed by one "now" point: within the hour the now point moves; when a
 * new hour has begun, the hours that ended get their end points (the value before this change)
 * and a new now point follows, dropping the oldest beyond `limit`.
 */
export function advanceTrend(points: readonly TrendPoint[], occupied: number, now: number, limit: number, timeZone: string): TrendPoint[] {
  const last = points[points.length - 1];
  if (!last) return [{ t: now, occupied }];
  if (now < last.t) return points.slice(); // clock went back (server offset moved): keep the series
  const lastHour = hourStart(last.t, timeZone);
  const currentHour = hourStart(now, timeZone);
  if (currentHour <= lastHour) {
    if (last.occupied === occupied && last.t === now) return points.slice();
    return [...points.slice(0, -1), { t: now, occupied }];
  }
  // The old now point goes, unless it sits exactly on an hour end (then it is that hour's end).
  const out = last.t === lastHour ? points.slice() : points.slice(0, -1);
  const ends: TrendPoint[] = [];
  // At most `limit` hour ends matter (a board that slept for days adds a flat series).
  for (let h = currentHour; h > lastHour && ends.length < limit; h = hourStart(h - 1, timeZone)) {
    ends.unshift({ t: h, occupied: last.occupied });
  }
  // An hour end the series already has (the snapshot's last one) is not repeated.
  const prev = out[out.length - 1];
  const fresh = prev ? ends.filter((p) => p.t > prev.t) : ends;
  const next = [...out, ...fresh, { t: now, occupied }];
  return next.length > limit ? next.slice(next.length - limit) : next;
}

function mostCommonZone(facilities: readonly FacilityStatus[]): string {
  const counts = new Map<string, number>();
  for (const f of facilities) counts.set(f.time_zone, (counts.get(f.time_zone) ?? 0) + 1);
  let best = DEFAULT_TIME_ZONE;
  let most = 0;
  for (const [zone, n] of counts) if (n > most) [best, most] = [zone, n];
  return best;
}

export class Board {
  /** Facility statuses by id (replaced immutably: `$state.raw`). */
  facilities = $state.raw<Record<string, FacilityStatus>>({});
  provinces = $state.raw<{ id: string; name: string }[]>([]);
  seq = $state(0);
  ticker = $state.raw<TickerLine[]>([]);
  trends = $state.raw<Record<string, TrendPoint[]>>({});
  connection = $state<ConnectionState>("connecting");
  /** The display's token was refused (401 or `revoked`): nothing more will be shown. */
  refused = $state(false);
  /** A snapshot has been applied at least once. */
  loaded = $state(false);
  buildId = $state<string | null>(null);
  /** Local Date.now() of the last heartbeat / patch / completed resync. */
  lastHeartbeatAt = $state<number | null>(null);
  lastPatchAt = $state<number | null>(null);
  lastSyncAt = $state<number | null>(null);
  /** serverTime − local clock, from the latest snapshot or heartbeat. */
  serverOffsetMs = $state(0);
  /** A reload was requested (new build); the page may show "loading the new version". */
  reloading = $state(false);

  readonly list: FacilityStatus[] = $derived(Object.values(this.facilities));
  /** Numbers may be out of date: dim them. */
  readonly stale: boolean = $derived(this.connection !== "live");
  /** The zone of the board's clock: the one most of its facilities keep. */
  readonly timeZone: string = $derived(mostCommonZone(this.list));
  readonly lastSignalAt: number | null = $derived(
    this.lastHeartbeatAt === null ? this.lastPatchAt : this.lastPatchAt === null ? this.lastHeartbeatAt : Math.max(this.lastHeartbeatAt, this.lastPatchAt),
  );

  readonly #transport: BoardTransport;
  readonly #o: ResolvedOptions;
  #unsubscribe: (() => void) | null = null;
  #destroyed = false;
  #socketUp = false;
  #everConnected = false;
  #silent = false;
  #silenceTimer: ReturnType<typeof setTimeout> | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #fullTimer: ReturnType<typeof setInterval> | null = null;
  #retryDelay: number;
  #inFlight: Promise<void> | null = null;
  #again = false;
  #wantFull = false;
  #pending: StatusPatch[] = [];
  #behindHeartbeats = 0;

  constructor(transport: BoardTransport, options: BoardOptions = {}) {
    this.#transport = transport;
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.#o = { ...DEFAULTS, reload: () => {}, ...given } as ResolvedOptions;
    this.#retryDelay = this.#o.retryMinMs;
  }

  /** Now on the server's clock (what freshness is measured against). */
  serverNow(localNow: number = Date.now()): number {
    return localNow + this.serverOffsetMs;
  }

  start(): void {
    if (this.#unsubscribe || this.#destroyed) return;
    this.connection = "connecting";
    this.#armSilence();
    this.#unsubscribe = this.#transport.subscribe({
      connect: () => this.#onConnect(),
      disconnect: () => this.#onDisconnect(),
      patch: (p) => this.#onPatch(p),
      heartbeat: (h) => this.#onHeartbeat(h),
      revoked: () => this.#refuse(),
    });
    if (this.#o.fullResyncMs > 0) this.#fullTimer = setInterval(() => this.resync(true), this.#o.fullResyncMs);
    // Load at once over HTTP; the socket's connect will ask for what happened meanwhile.
    this.resync(true);
  }

  /** Stop everything: listeners, socket, timers. In-flight answers are ignored. */
  destroy(): void {
    this.#destroyed = true;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#clearTimers();
    this.#pending = [];
  }

  /**
   * Bring the board up to date (single flight: a request while one runs makes it run once
   * more). `full` takes a snapshot instead of asking for changes. Resolves when settled.
   */
  resync(full = false): Promise<void> {
    if (this.#destroyed || this.refused) return Promise.resolve();
    if (full) this.#wantFull = true;
    if (this.#inFlight) {
      this.#again = true;
      return this.#inFlight;
    }
    this.#inFlight = this.#resyncLoop().finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }

  /** Resolves once no resync is in flight (tests). */
  async settled(): Promise<void> {
    while (this.#inFlight) await this.#inFlight;
  }

  // ------------------------------------------------------------------------------------------

  async #resyncLoop(): Promise<void> {
    let rounds = 0;
    do {
      this.#again = false;
      if (this.loaded && this.connection !== "connecting") this.connection = "resyncing";
      try {
        await this.#resyncOnce();
      } catch (e) {
        if (this.#destroyed) return;
        if (e instanceof UnauthorizedError) {
          this.#refuse();
          return;
        }
        this.connection = this.#everConnected || this.loaded ? "offline" : "connecting";
        this.#scheduleRetry();
        return;
      }
      if (this.#destroyed || this.refused) return;
      this.#retryDelay = this.#o.retryMinMs;
      this.lastSyncAt = Date.now();
      // Patches that arrived ahead of us during the request: now they may continue the board.
      const pending = this.#pending.sort((a, b) => a.fromSeq - b.fromSeq);
      this.#pending = [];
      for (const p of pending) {
        if (judgePatch(this.seq, p) !== "gap") this.#apply(p);
        else this.#again = true;
      }
      // A gap that does not close after a few rounds: let the retry timer pace the requests.
      if (this.#again && ++rounds >= 4) {
        this.#scheduleRetry();
        break;
      }
    } while (this.#again);
    this.connection = this.#socketUp && !this.#silent ? "live" : this.#everConnected ? "offline" : "connecting";
  }

  async #resyncOnce(): Promise<void> {
    const t = this.#o.requestTimeoutMs;
    if (!this.loaded || this.#wantFull) {
      this.#wantFull = false;
      this.#applySnapshot(await withTimeout(this.#transport.snapshot(), t));
      return;
    }
    const changes = await withTimeout(this.#transport.changesSince(this.seq), t);
    if (this.#destroyed) return;
    if (changes === null) this.#applySnapshot(await withTimeout(this.#transport.snapshot(), t));
    else this.#apply(changes);
  }

  #applySnapshot(s: BoardSnapshot): void {
    if (this.#destroyed) return;
    this.#checkBuild(s.buildId);
    this.serverOffsetMs = s.serverTime - Date.now();
    // The snapshot is authoritative (the server's log may even have been replaced): no merge.
    const facilities: Record<string, FacilityStatus> = {};
    for (const f of s.facilities) facilities[f.facility_id] = f;
    this.facilities = facilities;
    this.provinces = s.provinces;
    this.seq = s.seq;
    this.ticker = mergeTicker(s.ticker, [], this.#o.tickerLength);
    const trends: Record<string, TrendPoint[]> = {};
    for (const [id, points] of Object.entries(s.trends)) {
      trends[id] = points.length > this.#o.trendLength ? points.slice(points.length - this.#o.trendLength) : points.slice();
    }
    this.trends = trends;
    this.#behindHeartbeats = 0;
    this.loaded = true;
  }

  /** A live patch or a resync's changes: the same merge (statuses never go back, the ticker by seq). */
  #apply(c: Pick<Changes, "seq" | "facilities" | "ticker">): void {
    this.#mergeFacilities(c.facilities);
    if (c.ticker.length) this.ticker = mergeTicker(c.ticker, this.ticker, this.#o.tickerLength);
    this.seq = Math.max(this.seq, c.seq);
  }

  #mergeFacilities(incoming: readonly FacilityStatus[]): void {
    if (incoming.length === 0) return;
    const now = this.serverNow();
    let facilities: Record<string, FacilityStatus> | null = null;
    let trends: Record<string, TrendPoint[]> | null = null;
    for (const f of incoming) {
      // Never take a facility back to an older state (a late or reordered patch).
      if (!statusSupersedes(f, this.facilities[f.facility_id])) continue;
      facilities ??= { ...this.facilities };
      facilities[f.facility_id] = f;
      const points = this.trends[f.facility_id] ?? [];
      const next = advanceTrend(points, f.occupied, now, this.#o.trendLength, f.time_zone);
      trends ??= { ...this.trends };
      trends[f.facility_id] = next;
    }
    if (facilities) this.facilities = facilities;
    if (trends) this.trends = trends;
  }

  #onConnect(): void {
    if (this.#destroyed) return;
    this.#socketUp = true;
    this.#everConnected = true;
    this.#signal();
    void this.resync();
  }

  #onDisconnect(): void {
    if (this.#destroyed) return;
    this.#socketUp = false;
    this.#goOffline();
  }

  #onPatch(p: StatusPatch): void {
    if (this.#destroyed || this.refused) return;
    this.lastPatchAt = Date.now();
    const wasSilent = this.#silent;
    this.#signal();
    if (!this.loaded || judgePatch(this.seq, p) === "gap") {
      // A gap (or the first load has not landed yet): keep it, fetch what we missed.
      this.#pending.push(p);
      if (this.#pending.length > MAX_PENDING) this.#pending.shift();
      void this.resync();
      return;
    }
    this.#apply(p);
    if (wasSilent || this.connection === "offline") void this.resync();
  }

  #onHeartbeat(h: Heartbeat): void {
    if (this.#destroyed || this.refused) return;
    this.lastHeartbeatAt = Date.now();
    this.serverOffsetMs = h.serverTime - Date.now();
    const wasSilent = this.#silent;
    this.#signal();
    if (this.#checkBuild(h.buildId)) return;
    if (h.seq < this.seq) this.#behindHeartbeats++;
    else this.#behindHeartbeats = 0;
    if (this.#behindHeartbeats >= 2) {
      // The server is behind us for good: its log was replaced. Start again from a snapshot.
      this.#behindHeartbeats = 0;
      void this.resync(true);
    } else if (h.seq > this.seq || wasSilent || this.connection === "offline") {
      void this.resync();
    }
  }

  /** True when a reload was requested. */
  #checkBuild(buildId: string): boolean {
    if (this.buildId === null) {
      this.buildId = buildId;
      return false;
    }
    if (buildId === this.buildId) return false;
    if (!this.reloading) {
      this.reloading = true;
      this.#o.reload();
    }
    return true;
  }

  #signal(): void {
    this.#silent = false;
    this.#armSilence();
  }

  #armSilence(): void {
    if (this.#silenceTimer) clearTimeout(this.#silenceTimer);
    this.#silenceTimer = setTimeout(() => {
      this.#silenceTimer = null;
      this.#silent = true;
      this.#goOffline();
    }, this.#o.silenceMs);
  }

  #goOffline(): void {
    if (this.#destroyed || this.refused) return;
    this.connection = "offline";
  }

  #scheduleRetry(): void {
    if (this.#retryTimer || this.#destroyed) return;
    const delay = this.#retryDelay;
    this.#retryDelay = Math.min(this.#o.retryMaxMs, this.#retryDelay * 2);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      void this.resync();
    }, delay);
  }

  #refuse(): void {
    this.refused = true;
    this.connection = "offline";
    this.destroy();
  }

  #clearTimers(): void {
    if (this.#silenceTimer) clearTimeout(this.#silenceTimer);
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    if (this.#fullTimer) clearInterval(this.#fullTimer);
    this.#silenceTimer = this.#retryTimer = this.#fullTimer = null;
  }
}
