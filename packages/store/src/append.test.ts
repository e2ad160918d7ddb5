import Database from "better-sqlite3";
import { describe, expect, it, vi } from "vitest";
import { createTestStore, ev, iso, NO_UNITS, req, T0 } from "./test-helpers.js";
import type { CommittedEvent } from "./types.js";

const at = (min: number) => iso(T0 + min * 60_000);

describe("append: duplicates and conflicts", () => {
  it("accepts, then reports a retry as a duplicate with the original seq and changes nothing", () => {
    const { store } = createTestStore();
    const a = ev({ event_id: "a1", type: "admission", occurred_at: at(1), count: 2 });
    const first = store.append(req([a]));
    expect(first).toEqual({ ok: true, accepted: 1, duplicates: 0, results: [{ event_id: "a1", status: "accepted", seq: 1 }] });
    // `count: 1` default vs explicit is the same canonical body; here the retry is byte-identical.
    const again = store.append(req([ev({ event_id: "a1", type: "admission", occurred_at: at(1), count: 2 })]));
    expect(again).toEqual({ ok: true, accepted: 0, duplicates: 1, results: [{ event_id: "a1", status: "duplicate", seq: 1 }] });
    expect(store.countEvents()).toBe(1);
    expect(store.facilityStatus(NO_UNITS, T0)?.occupied).toBe(2);
  });

  it("treats an omitted count and count 1 as the same body", () => {
    const { store } = createTestStore();
    store.append(req([ev({ event_id: "a1", type: "admission", occurred_at: at(1) })]));
    const r = store.append(req([ev({ event_id: "a1", type: "admission", occurred_at: at(1), count: 1 })]));
    expect(r.ok && r.results[0]?.status).toBe("duplicate");
  });

  it("refuses the same event_id with a different body (409)", () => {
    const { store } = createTestStore();
    store.append(req([ev({ event_id: "a1", type: "admission", occurred_at: at(1), count: 2 })]));
    const r = store.append(req([ev({ event_id: "a1", type: "admission", occurred_at: at(1), count: 3 })]));
    expect(r).toEqual({ ok: false, conflicts: [{ index: 0, event_id: "a1", message: "event_id already used with a different body" }] });
    expect(store.facilityStatus(NO_UNITS, T0)?.occupied).toBe(2);
  });

  it("an event_id repeated within one request: identical → duplicate of the first, different → conflict", () => {
    const { store } = createTestStore();
    const same = store.append(req([
      ev({ event_id: "x", type: "admission", occurred_at: at(1) }),
      ev({ event_id: "x", type: "admission", occurred_at: at(1) }),
    ]));
    expect(same).toEqual({
      ok: true,
      accepted: 1,
      duplicates: 1,
      results: [
        { event_id: "x", status: "accepted", seq: 1 },
        { event_id: "x", status: "duplicate", seq: 1 },
      ],
    });
    const diff = store.append(req([
      ev({ event_id: "y", type: "admission", occurred_at: at(1) }),
      ev({ event_id: "y", type: "admission", occurred_at: at(2) }),
    ]));
    expect(diff).toEqual({ ok: false, conflicts: [{ index: 1, event_id: "y", message: "event_id already used with a different body" }] });
    expect(store.countEvents()).toBe(1);
  });

  it("a batch is all or nothing and lists every conflict", () => {
    const { store } = createTestStore();
    store.append(req([
      ev({ event_id: "a1", type: "admission", occurred_at: at(1) }),
      ev({ event_id: "r1", type: "referral", occurred_at: at(1), referral_id: "R-1", status: "transferred", destination: "Bệnh viện tỉnh" }),
    ]));
    const before = store.lastSeq();
    const r = store.append(req([
      ev({ event_id: "ok-1", type: "admission", occurred_at: at(2), count: 5 }),
      ev({ event_id: "a1", type: "admission", occurred_at: at(1), count: 9 }),
      ev({ event_id: "ok-2", type: "census", occurred_at: at(3), occupied: 40 }),
      ev({ event_id: "r2", type: "referral", occurred_at: at(3), referral_id: "R-1", status: "cancelled", destination: "Bệnh viện tỉnh" }),
    ]));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.conflicts.map((c) => [c.index, c.event_id])).toEqual([[1, "a1"], [3, "r2"]]);
    expect(r.conflicts[1]?.message).toBe("a referral that has been transferred cannot be cancelled");
    expect(store.lastSeq()).toBe(before);
    expect(store.countEvents()).toBe(2);
    const s = store.facilityStatus(NO_UNITS, T0 + 3_600_000);
    expect(s?.occupied).toBe(1);
    expect(s?.today.admissions).toBe(1);
  });

  it("in one group commit, a conflicting request rolls back alone", () => {
    const { store } = createTestStore();
    store.append(req([ev({ event_id: "a1", type: "admission", occurred_at: at(1) })]));
    const [x, y, z] = store.appendMany([
      req([ev({ event_id: "b1", type: "admission", occurred_at: at(2) })]),
      req([ev({ event_id: "b2", type: "admission", occurred_at: at(2) }), ev({ event_id: "a1", type: "discharge", occurred_at: at(2) })]),
      req([ev({ event_id: "b3", type: "admission", occurred_at: at(2) })]),
    ]);
    expect(x?.ok && x.results[0]?.seq).toBe(2);
    expect(y?.ok).toBe(false);
    expect(z?.ok && z.results[0]?.seq).toBeGreaterThan(2);
    expect(store.facilityStatus(NO_UNITS, T0)?.occupied).toBe(3);
  });

  it("refuses events of another facility or an unknown one (defensive)", () => {
    const { store } = createTestStore();
    const e = ev({ type: "admission", occurred_at: at(1), facility_id: "sl-psychiatric", unit: "acute" });
    expect(store.append({ facilityId: NO_UNITS, events: [e], receivedAt: T0 }).ok).toBe(false);
    expect(store.append({ facilityId: "nowhere", events: [e], receivedAt: T0 }).ok).toBe(false);
    expect(store.countEvents()).toBe(0);
  });
});

describe("append: referrals", () => {
  const ref = (status: string, min: number, id = "R-7") =>
    ev({ type: "referral", occurred_at: at(min), referral_id: id, status, destination: "Bệnh viện Tâm thần tỉnh", urgency: "urgent" });

  it("moves forward, counts open referrals, and refuses moves back or after the end", () => {
    const { store } = createTestStore();
    const now = T0 + 3_600_000;
    expect(store.append(req([ref("requested", 1)])).ok).toBe(true);
    expect(store.facilityStatus(NO_UNITS, now)?.today.referrals_open).toBe(1);
    expect(store.append(req([ref("accepted", 2), ref("accepted", 3)])).ok).toBe(true); // same status again: no move, accepted
    const back = store.append(req([ref("requested", 4)]));
    expect(back).toEqual({ ok: false, conflicts: [expect.objectContaining({ message: "referral cannot move back from accepted to requested" })] });
    expect(store.append(req([ref("transferred", 5)])).ok).toBe(true);
    expect(store.facilityStatus(NO_UNITS, now)?.today.referrals_open).toBe(1); // still open at the receiving facility
    expect(store.append(req([ref("returned", 6)])).ok).toBe(true);
    expect(store.facilityStatus(NO_UNITS, now)?.today.referrals_open).toBe(0);
    const late = store.append(req([ref("cancelled", 7)]));
    expect(late.ok).toBe(false);
    if (!late.ok) expect(late.conflicts[0]?.message).toBe("referral is already returned; no further moves");
  });

  it("sees moves made earlier in the same request", () => {
    const { store } = createTestStore();
    const r = store.append(req([ref("requested", 1, "R-9"), ref("accepted", 2, "R-9"), ref("requested", 3, "R-9"), ref("cancelled", 4, "R-9")]));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.conflicts.map((c) => c.index)).toEqual([2]);
    expect(store.append(req([ref("requested", 1, "R-9"), ref("accepted", 2, "R-9"), ref("cancelled", 4, "R-9")])).ok).toBe(true);
    expect(store.facilityStatus(NO_UNITS, T0)?.today.referrals_open).toBe(0);
  });
});

describe("append: commit listeners", () => {
  it("are called after commit with the new events in seq order, and a throwing one does not break append", () => {
    const { store } = createTestStore();
    const seen: CommittedEvent[][] = [];
    store.onCommit(() => {
      throw new Error("listener bug");
    });
    const off = store.onCommit((events) => seen.push(events));
    const r = store.appendMany([
      req([ev({ event_id: "a", type: "admission", occurred_at: at(1) })]),
      req([ev({ event_id: "a", type: "admission", occurred_at: at(1) }), ev({ event_id: "b", type: "discharge", occurred_at: at(2) })]),
    ]);
    expect(r.every((o) => o.ok)).toBe(true);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.map((e) => [e.seq, e.event.event_id])).toEqual([[1, "a"], [2, "b"]]);
    // Only duplicates → nothing committed → no call.
    store.append(req([ev({ event_id: "a", type: "admission", occurred_at: at(1) })]));
    expect(seen).toHaveLength(1);
    off();
    store.append(req([ev({ event_id: "c", type: "admission", occurred_at: at(1) })]));
    expect(seen).toHaveLength(1);
  });

  it("are called after COMMIT: another connection already sees the events", () => {
    const { store, path } = createTestStore();
    const other = new Database(path, { readonly: true });
    const listener = vi.fn(() => expect(other.prepare("SELECT COUNT(*) FROM events").pluck().get()).toBe(1));
    store.onCommit(listener);
    store.append(req([ev({ type: "admission", occurred_at: at(1) })]));
    expect(listener).toHaveBeenCalledOnce();
    other.close();
  });
});
