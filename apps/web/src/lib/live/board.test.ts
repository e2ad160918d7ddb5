import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { BoardSnapshot, FacilityStatus, Heartbeat, StatusPatch, TickerLine } from "@carewatch/domain";
import { advanceTrend, Board, mergeTicker } from "./board.svelte";
import { UnauthorizedError, type BoardTransport, type Changes, type LiveHandlers } from "./protocol";

// ---------------------------------------------------------------------------------------------
// An in-memory server and transport (the boundary; the Board is what is under test).

const T0 = Date.UTC(2026, 10, 22, 1, 15); // 08:15 in Hà Nội

function status(id: string, occupied: number, asOfSeq: number, capacity = 100): FacilityStatus {
  return {
    facility_id: id,
    name: `Cơ sở ${id}`,
    name_en: `Facility ${id}`,
    type: "drug_rehab",
    province: "son-la",
    capacity,
    occupied,
    available: Math.max(0, capacity - occupied),
    occupancy_pct: Math.round((occupied * 1000) / capacity) / 10,
    level: "normal",
    stale: false,
    data_quality: "ok",
    last_event_at: null,
    as_of_seq: asOfSeq,
    reporting_interval_minutes: 15,
    time_zone: "Asia/Ho_Chi_Minh",
    today: { admissions: 0, discharges: 0, treatments: {}, referrals_open: 0 },
    units: [],
  };
}

class FakeServer {
  seq = 0;
  buildId = "build-1";
  statuses = new Map<string, FacilityStatus>();
  log: { seq: number; facility: string; line: TickerLine }[] = [];
  /** changesSince answers null when the client is further behind than this. */
  maxBehind = 1_000;
  /** What the hub has sent (its `sentSeq`). */
  sentSeq = 0;

  constructor(ids: string[]) {
    for (const id of ids) this.statuses.set(id, status(id, 10, 0));
  }

  commit(id: string, occupied: number): void {
    this.seq++;
    const prev = this.statuses.get(id) ?? status(id, 0, 0);
    this.statuses.set(id, { ...prev, occupied, available: Math.max(0, prev.capacity - occupied), as_of_seq: this.seq });
    const line: TickerLine = {
      seq: this.seq,
      facility_id: id,
      type: "census",
      detail: { occupied },
      unit: null,
      occurred_at: new Date(T0).toISOString(),
      received_at: T0,
    };
    this.log.push({ seq: this.seq, facility: id, line });
  }

  changes(since: number): Changes {
    const touched = new Set(this.log.filter((e) => e.seq > since).map((e) => e.facility));
    return {
      seq: this.seq,
      facilities: [...this.statuses.values()].filter((f) => touched.has(f.facility_id)),
      ticker: this.tickerSince(since),
    };
  }

  tickerSince(since: number, limit = 30): TickerLine[] {
    return this.log
      .filter((e) => e.seq > since)
      .map((e) => e.line)
      .sort((a, b) => b.seq - a.seq)
      .slice(0, limit);
  }

  /** What the hub would emit now (coalescing everything since its last patch). */
  nextPatch(): StatusPatch {
    const c = this.changes(this.sentSeq);
    const p: StatusPatch = { fromSeq: this.sentSeq, seq: c.seq, facilities: c.facilities, ticker: c.ticker };
    this.sentSeq = c.seq;
    return p;
  }

  heartbeat(now = Date.now()): Heartbeat {
    return { seq: this.sentSeq, serverTime: now, buildId: this.buildId };
  }

  snapshot(): BoardSnapshot {
    return {
      seq: this.seq,
      serverTime: Date.now(),
      buildId: this.buildId,
      provinces: [{ id: "son-la", name: "Sơn La" }],
      facilities: [...this.statuses.values()],
      ticker: this.tickerSince(0),
      trends: Object.fromEntries([...this.statuses.keys()].map((id) => [id, [{ t: Date.now(), occupied: this.statuses.get(id)?.occupied ?? 0 }]])),
    };
  }
}

class FakeTransport implements BoardTransport {
  handlers: LiveHandlers | null = null;
  calls: string[] = [];
  unauthorized = false;
  failing = false;
  unsubscribed = 0;

  constructor(readonly server: FakeServer) {}

  async snapshot(): Promise<BoardSnapshot> {
    this.calls.push("snapshot");
    await Promise.resolve();
    if (this.unauthorized) throw new UnauthorizedError();
    if (this.failing) throw new Error("network down");
    return structuredClone(this.server.snapshot());
  }

  async changesSince(seq: number): Promise<Changes | null> {
    this.calls.push(`changesSince(${seq})`);
    await Promise.resolve();
    if (this.unauthorized) throw new UnauthorizedError();
    if (this.failing) throw new Error("network down");
    if (seq > this.server.seq || this.server.seq - seq > this.server.maxBehind) return null;
    return structuredClone(this.server.changes(seq));
  }

  subscribe(h: LiveHandlers): () => void {
    this.handlers = h;
    return () => {
      this.unsubscribed++;
      this.handlers = null;
    };
  }

  get h(): LiveHandlers {
    if (!this.handlers) throw new Error("not subscribed");
    return this.handlers;
  }
}

/** The board's facilities (`$state.raw` holds plain objects, so they clone as they are). */
function plain(b: Board): Record<string, FacilityStatus> {
  return structuredClone(b.facilities);
}

function serverState(s: FakeServer): Record<string, FacilityStatus> {
  return Object.fromEntries([...s.statuses.entries()].map(([k, v]) => [k, structuredClone(v)]));
}

async function started(server: FakeServer, opts: ConstructorParameters<typeof Board>[1] = {}) {
  const t = new FakeTransport(server);
  const board = new Board(t, { fullResyncMs: 0, ...opts });
  board.start();
  await board.settled();
  t.h.connect();
  await board.settled();
  return { t, board };
}

const boards: Board[] = [];
afterEach(() => {
  for (const b of boards.splice(0)) b.destroy();
  vi.useRealTimers();
});

// ---------------------------------------------------------------------------------------------

describe("Board protocol", () => {
  it("loads a snapshot, goes live on connect, applies patches in order", async () => {
    const server = new FakeServer(["a", "b"]);
    server.commit("a", 11);
    const { t, board } = await started(server);
    boards.push(board);
    expect(board.loaded).toBe(true);
    expect(board.connection).toBe("live");
    expect(board.seq).toBe(1);
    server.sentSeq = 1;

    server.commit("a", 12);
    t.h.patch(server.nextPatch());
    server.commit("b", 20);
    server.commit("a", 13);
    t.h.patch(server.nextPatch());
    await board.settled();

    expect(board.seq).toBe(4);
    expect(plain(board)).toEqual(serverState(server));
    expect(board.ticker.map((l) => l.seq)).toEqual([4, 3, 2, 1]);
    // In order: no resync beyond the initial snapshot and the one on connect.
    expect(t.calls).toEqual(["snapshot", "changesSince(1)"]);
  });

  it("a gap triggers changesSince and converges", async () => {
    const server = new FakeServer(["a", "b"]);
    const { t, board } = await started(server);
    boards.push(board);

    server.commit("a", 30);
    server.nextPatch(); // lost on the way
    server.commit("b", 40);
    const p = server.nextPatch();
    expect(p.fromSeq).toBe(1);
    t.h.patch(p);
    await board.settled();

    expect(t.calls.at(-1)).toBe("changesSince(0)");
    expect(board.seq).toBe(2);
    expect(plain(board)).toEqual(serverState(server));
    expect(board.connection).toBe("live");
  });

  it("takes a snapshot when changesSince answers null (too far behind)", async () => {
    const server = new FakeServer(["a"]);
    server.maxBehind = 2;
    const { t, board } = await started(server);
    boards.push(board);
    for (let i = 0; i < 5; i++) server.commit("a", 50 + i);
    t.h.heartbeat({ seq: server.seq, serverTime: Date.now(), buildId: server.buildId });
    await board.settled();
    expect(t.calls.slice(-2)).toEqual(["changesSince(0)", "snapshot"]);
    expect(board.seq).toBe(5);
    expect(plain(board)).toEqual(serverState(server));
  });

  it("a heartbeat ahead of the board (a missed final patch) resyncs", async () => {
    const server = new FakeServer(["a"]);
    const { t, board } = await started(server);
    boards.push(board);
    server.commit("a", 77);
    server.nextPatch(); // dropped
    t.h.heartbeat(server.heartbeat());
    await board.settled();
    expect(board.seq).toBe(1);
    expect(board.facilities.a?.occupied).toBe(77);
  });

  it("a late or repeated patch never takes a facility back", async () => {
    const server = new FakeServer(["a"]);
    const { t, board } = await started(server);
    boards.push(board);
    server.commit("a", 1);
    const p1 = server.nextPatch();
    server.commit("a", 2);
    const p2 = server.nextPatch();
    t.h.patch(p1);
    t.h.patch(p2);
    t.h.patch(p1); // repeated, older
    await board.settled();
    expect(board.facilities.a?.occupied).toBe(2);
    expect(board.seq).toBe(2);
  });

  it("resyncs on every reconnect", async () => {
    const server = new FakeServer(["a"]);
    const { t, board } = await started(server);
    boards.push(board);
    t.h.disconnect("transport close");
    expect(board.connection).toBe("offline");
    server.commit("a", 5);
    t.h.connect();
    await board.settled();
    expect(t.calls.at(-1)).toBe("changesSince(0)");
    expect(board.connection).toBe("live");
    expect(board.facilities.a?.occupied).toBe(5);
  });

  it("property: whatever is dropped, repeated or reordered, a final resync converges on the server's state", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            facility: fc.constantFrom("a", "b", "c"),
            occupied: fc.integer({ min: 0, max: 500 }),
            // what the network does with the patch that follows this commit
            fate: fc.constantFrom("deliver", "deliver", "drop", "hold", "duplicate"),
            flush: fc.boolean(),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.boolean(),
        async (steps, coalesce) => {
          const server = new FakeServer(["a", "b", "c"]);
          const { t, board } = await started(server);
          server.sentSeq = server.seq;
          const held: StatusPatch[] = [];
          for (const s of steps) {
            server.commit(s.facility, s.occupied);
            if (coalesce && !s.flush) continue; // the hub coalesces several commits into one patch
            const p = server.nextPatch();
            if (s.fate === "deliver") t.h.patch(p);
            else if (s.fate === "duplicate") {
              t.h.patch(p);
              held.push(p);
            } else if (s.fate === "hold") held.push(p);
            if (s.flush) await Promise.resolve();
            // Sometimes a held (late) patch arrives now, out of order.
            if (s.flush && held.length > 1) t.h.patch(held.shift() as StatusPatch);
          }
          for (const p of held.reverse()) t.h.patch(p);
          await board.settled();
          // The hub's final heartbeat: a board that missed the last patch catches up here.
          server.nextPatch();
          t.h.heartbeat(server.heartbeat());
          await board.settled();

          expect(board.seq).toBe(server.seq);
          expect(plain(board)).toEqual(serverState(server));
          expect(board.ticker).toEqual(server.tickerSince(0));
          board.destroy();
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("Board liveness", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });

  it("goes offline after 5 s without a heartbeat or patch, and back live after a resync", async () => {
    const server = new FakeServer(["a"]);
    const { t, board } = await started(server);
    boards.push(board);
    expect(board.connection).toBe("live");

    vi.advanceTimersByTime(2_000);
    t.h.heartbeat(server.heartbeat());
    await board.settled();
    vi.advanceTimersByTime(4_900);
    expect(board.connection).toBe("live");
    expect(board.stale).toBe(false);

    vi.advanceTimersByTime(200); // 5.1 s since the last heartbeat
    expect(board.connection).toBe("offline");
    expect(board.stale).toBe(true);

    const before = t.calls.length;
    t.h.heartbeat(server.heartbeat());
    expect(board.connection).toBe("resyncing");
    await board.settled();
    expect(t.calls.length).toBe(before + 1); // a resync, not just trusting the heartbeat
    expect(board.connection).toBe("live");
  });

  it("a socket disconnect is offline at once", async () => {
    const server = new FakeServer(["a"]);
    const { t, board } = await started(server);
    boards.push(board);
    t.h.disconnect("ping timeout");
    expect(board.connection).toBe("offline");
  });

  it("retries a failed resync with backoff", async () => {
    const server = new FakeServer(["a"]);
    const { t, board } = await started(server, { retryMinMs: 1_000 });
    boards.push(board);
    t.failing = true;
    t.h.disconnect("transport close");
    t.h.connect();
    await board.settled();
    expect(board.connection).toBe("offline");
    t.failing = false;
    server.commit("a", 9);
    await vi.advanceTimersByTimeAsync(1_100);
    await board.settled();
    expect(board.facilities.a?.occupied).toBe(9);
    expect(board.connection).toBe("live");
  });

  it("asks for a reload when the server runs another build, once", async () => {
    const server = new FakeServer(["a"]);
    const reload = vi.fn();
    const { t, board } = await started(server, { reload });
    boards.push(board);
    t.h.heartbeat(server.heartbeat());
    expect(reload).not.toHaveBeenCalled();
    server.buildId = "build-2";
    t.h.heartbeat(server.heartbeat());
    t.h.heartbeat(server.heartbeat());
    expect(reload).toHaveBeenCalledTimes(1);
    expect(board.reloading).toBe(true);
  });

  it("revoked or 401: refused, and everything is released", async () => {
    const server = new FakeServer(["a"]);
    const { t, board } = await started(server);
    t.h.revoked();
    expect(board.refused).toBe(true);
    expect(t.unsubscribed).toBe(1);
    expect(vi.getTimerCount()).toBe(0);

    const t2 = new FakeTransport(server);
    t2.unauthorized = true;
    const b2 = new Board(t2, { fullResyncMs: 0 });
    b2.start();
    await b2.settled();
    expect(b2.refused).toBe(true);
    expect(t2.unsubscribed).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("destroy clears every timer and listener (memory stays flat over weeks)", async () => {
    const server = new FakeServer(["a"]);
    const { t, board } = await started(server, { fullResyncMs: 3_600_000 });
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    board.destroy();
    expect(vi.getTimerCount()).toBe(0);
    expect(t.unsubscribed).toBe(1);
  });

  it("keeps the ticker at 30 lines, newest first, one per seq", async () => {
    const server = new FakeServer(["a"]);
    const { t, board } = await started(server);
    boards.push(board);
    for (let i = 0; i < 100; i++) {
      server.commit("a", i);
      const p = server.nextPatch();
      t.h.patch(p);
      if (i % 10 === 0) t.h.patch(p);
    }
    await board.settled();
    expect(board.ticker).toHaveLength(30);
    expect(board.ticker.map((l) => l.seq)).toEqual(Array.from({ length: 30 }, (_, i) => 100 - i));
  });

  it("keeps 25 trend points: the last tracks occupied, a new local hour starts a new point", async () => {
    const server = new FakeServer(["a"]);
    const { t, board } = await started(server);
    boards.push(board);
    expect(board.trends.a).toHaveLength(1);
    for (let h = 0; h < 40; h++) {
      server.commit("a", h);
      t.h.patch(server.nextPatch());
      vi.advanceTimersByTime(60_000);
      t.h.heartbeat(server.heartbeat());
      server.commit("a", h + 1000);
      t.h.patch(server.nextPatch());
      vi.advanceTimersByTime(3_540_000);
      t.h.heartbeat(server.heartbeat());
    }
    await board.settled();
    const trend = board.trends.a ?? [];
    expect(trend).toHaveLength(25);
    expect(trend.at(-1)?.occupied).toBe(board.facilities.a?.occupied);
    // The hour ends are on local hours, one hour apart.
    const ends = trend.slice(0, -1).map((p) => p.t);
    for (let i = 1; i < ends.length; i++) expect((ends[i] ?? 0) - (ends[i - 1] ?? 0)).toBe(3_600_000);
  });
});

describe("pure helpers", () => {
  it("mergeTicker dedupes by seq and bounds", () => {
    const l = (seq: number): TickerLine => ({ seq, facility_id: "a", type: "admission", detail: { count: 1 }, unit: null, occurred_at: "", received_at: 0 });
    expect(mergeTicker([l(3), l(2)], [l(2), l(1)], 2).map((x) => x.seq)).toEqual([3, 2]);
  });

  it("advanceTrend: within the hour the last point moves; across hours the ends are filled", () => {
    const h = 3_600_000;
    const base = Date.UTC(2026, 10, 22, 3); // 10:00 local
    const pts = [
      { t: base, occupied: 5 },
      { t: base + 10 * 60_000, occupied: 6 },
    ];
    expect(advanceTrend(pts, 7, base + 20 * 60_000, 25, "Asia/Ho_Chi_Minh")).toEqual([
      { t: base, occupied: 5 },
      { t: base + 20 * 60_000, occupied: 7 },
    ]);
    expect(advanceTrend(pts, 9, base + 2 * h + 5 * 60_000, 25, "Asia/Ho_Chi_Minh")).toEqual([
      { t: base, occupied: 5 },
      { t: base + h, occupied: 6 },
      { t: base + 2 * h, occupied: 6 },
      { t: base + 2 * h + 5 * 60_000, occupied: 9 },
    ]);
    const long = Array.from({ length: 25 }, (_, i) => ({ t: base + (i - 24) * h, occupied: i }));
    const next = advanceTrend(long, 99, base + h + 1, 25, "Asia/Ho_Chi_Minh");
    expect(next).toHaveLength(25);
    expect(next.at(-1)).toEqual({ t: base + h + 1, occupied: 99 });
  });
});
