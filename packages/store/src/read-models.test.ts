import { describe, expect, it } from "vitest";
import { createTestStore, ev, iso, NO_UNITS, req, T0, WITH_UNITS } from "./test-helpers.js";

const H = 3_600_000;

describe("trend", () => {
  it("gives occupied as of the end of each of the last local hours plus now, from the log", () => {
    const { store } = createTestStore();
    const now = T0 + 30 * 60_000; // 08:30 local; the last hour ended at 08:00 local = T0
    const u = (input: Record<string, unknown>) => ev({ facility_id: WITH_UNITS, ...input });
    store.append(req([
      u({ type: "census", unit: "acute", occurred_at: iso(T0 - 5 * H), occupied: 10 }),
      u({ type: "admission", unit: "acute", occurred_at: iso(T0 - 4 * H - 1), count: 2 }), // in the hour ending T0-4h
      u({ type: "admission", unit: "acute", occurred_at: iso(T0 - 3 * H), count: 3 }), // exactly at an hour end: counts for it
      u({ type: "census", unit: "long-term", occurred_at: iso(T0 - 2 * H - 30 * 60_000), occupied: 100 }),
      u({ type: "discharge", unit: "long-term", occurred_at: iso(T0 + 10 * 60_000), count: 1 }),
      // Arrives late, in the past: a census that resets acute to 20 at T0-1h.
      u({ type: "census", unit: "acute", occurred_at: iso(T0 - H), occupied: 20 }),
      // Same instant as that census: already counted in it.
      u({ type: "admission", unit: "acute", occurred_at: iso(T0 - H), count: 7 }),
    ]));
    const points = store.trend(WITH_UNITS, now);
    expect(points).toHaveLength(25);
    expect(points[23]?.t).toBe(T0);
    expect(points[24]).toEqual({ t: now, occupied: 119 });
    const byT = new Map(points.map((p) => [p.t, p.occupied]));
    expect(byT.get(T0 - 6 * H)).toBe(0);
    expect(byT.get(T0 - 5 * H)).toBe(10);
    expect(byT.get(T0 - 4 * H)).toBe(12);
    expect(byT.get(T0 - 3 * H)).toBe(15);
    expect(byT.get(T0 - 2 * H)).toBe(115);
    expect(byT.get(T0 - H)).toBe(120);
    expect(byT.get(T0)).toBe(120);
    expect(points[0]?.t).toBe(T0 - 23 * H);
    // The latest point equals the projection's status: same rule, two code paths.
    expect(points[24]?.occupied).toBe(store.facilityStatus(WITH_UNITS, now)?.occupied);
  });

  it("does not depend on arrival order and clamps below-zero to 0", () => {
    const events = [
      ev({ event_id: "c", type: "census", occurred_at: iso(T0 - 3 * H), occupied: 1 }),
      ev({ event_id: "d", type: "discharge", occurred_at: iso(T0 - 2 * H), count: 4 }),
      ev({ event_id: "a", type: "admission", occurred_at: iso(T0 - H / 2), count: 9 }),
    ];
    const a = createTestStore();
    a.store.append(req(events));
    const b = createTestStore();
    for (const e of [...events].reverse()) b.store.append(req([e]));
    const ta = a.store.trend(NO_UNITS, T0);
    expect(ta).toEqual(b.store.trend(NO_UNITS, T0));
    const byT = new Map(ta.map((p) => [p.t, p.occupied]));
    expect([byT.get(T0 - 4 * H), byT.get(T0 - 3 * H), byT.get(T0 - 2 * H), byT.get(T0 - H), byT.get(T0)]).toEqual([0, 1, 0, 0, 6]);
  });
});

describe("ticker, changesSince, eventsSince", () => {
  it("ticker lines carry only counts and labels, newest first", () => {
    const { store } = createTestStore();
    store.append(req([
      ev({ type: "admission", occurred_at: iso(T0), count: 2, cohort: "voluntary" }),
      ev({ event_id: "ref-1", type: "referral", occurred_at: iso(T0), referral_id: "R-1", status: "requested", destination: "Bệnh viện tỉnh", urgency: "emergency" }),
    ], T0 + 1000));
    store.append(req([ev({ facility_id: WITH_UNITS, type: "census", unit: "acute", occurred_at: iso(T0), occupied: 9, capacity: 60 })]));
    const lines = store.ticker(10);
    expect(lines.map((l) => l.seq)).toEqual([3, 2, 1]);
    expect(lines[2]).toEqual({ seq: 1, facility_id: NO_UNITS, type: "admission", detail: { count: 2, cohort: "voluntary" }, unit: null, occurred_at: iso(T0), received_at: T0 + 1000 });
    expect(lines[1]?.detail).toEqual({ status: "requested", urgency: "emergency", destination: "Bệnh viện tỉnh" });
    expect(lines[0]).toMatchObject({ unit: "acute", detail: { occupied: 9, capacity: 60 } });
    expect(JSON.stringify(lines)).not.toContain("R-1");
    expect(store.ticker(1)).toHaveLength(1);
  });

  it("changesSince returns the touched facilities' statuses and the newer ticker lines, or null when too far behind", () => {
    const { store } = createTestStore();
    store.append(req([ev({ type: "admission", occurred_at: iso(T0) })]));
    const mark = store.lastSeq();
    store.append(req([ev({ facility_id: WITH_UNITS, unit: "acute", type: "admission", occurred_at: iso(T0), count: 4 })]));
    store.append(req([ev({ facility_id: WITH_UNITS, unit: "acute", type: "discharge", occurred_at: iso(T0) })]));
    const c = store.changesSince(mark, T0 + H);
    expect(c?.seq).toBe(3);
    expect(c?.facilities.map((f) => [f.facility_id, f.occupied, f.as_of_seq])).toEqual([[WITH_UNITS, 3, 3]]);
    expect(c?.ticker.map((l) => l.seq)).toEqual([3, 2]);
    expect(store.changesSince(3, T0)).toEqual({ seq: 3, facilities: [], ticker: [] });
    expect(store.changesSince(0, T0, 2)).toBeNull();
    expect(store.changesSince(99, T0)).toBeNull(); // ahead of the store: take a snapshot
  });

  it("eventsSince gives committed events in seq order", () => {
    const { store } = createTestStore();
    store.append(req([ev({ event_id: "a", type: "admission", occurred_at: iso(T0) }), ev({ event_id: "b", type: "census", occurred_at: iso(T0), occupied: 3 })], 42));
    const all = store.eventsSince(0, 10);
    expect(all.map((e) => [e.seq, e.event.event_id, e.facilityId, e.receivedAt, e.occurredAtMs])).toEqual([
      [1, "a", NO_UNITS, 42, T0],
      [2, "b", NO_UNITS, 42, T0],
    ]);
    expect(all[0]?.event).toMatchObject({ type: "admission", count: 1 });
    expect(store.eventsSince(1, 10).map((e) => e.seq)).toEqual([2]);
    expect(store.eventsSince(0, 1)).toHaveLength(1);
  });
});
