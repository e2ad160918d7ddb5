import { describe, expect, it, vi } from "vitest";
import { GroupCommitter } from "./group-commit.js";
import { createTestStore, ev, iso, NO_UNITS, req, T0 } from "./test-helpers.js";

describe("GroupCommitter", () => {
  it("flushes concurrent submits in one appendMany and resolves each with its own seq", async () => {
    const { store } = createTestStore();
    const spy = vi.spyOn(store, "appendMany");
    const gc = new GroupCommitter(store);
    const promises = Array.from({ length: 50 }, (_, i) =>
      gc.submit(req([ev({ event_id: `g-${i}`, type: "admission", occurred_at: iso(T0 + i) })])),
    );
    const outcomes = await Promise.all(promises);
    expect(spy).toHaveBeenCalledTimes(1);
    outcomes.forEach((o, i) => {
      expect(o.ok).toBe(true);
      if (o.ok) expect(o.results[0]).toEqual({ event_id: `g-${i}`, status: "accepted", seq: i + 1 });
    });
    expect(store.facilityStatus(NO_UNITS, T0)?.occupied).toBe(50);
  });

  it("keeps each request's outcome separate (a conflict rejects only its own)", async () => {
    const { store } = createTestStore();
    const gc = new GroupCommitter(store);
    const [a, b, c] = await Promise.all([
      gc.submit(req([ev({ event_id: "same", type: "admission", occurred_at: iso(T0) })])),
      gc.submit(req([ev({ event_id: "same", type: "admission", occurred_at: iso(T0 + 1) })])),
      gc.submit(req([ev({ event_id: "same", type: "admission", occurred_at: iso(T0) })])),
    ]);
    expect(a).toMatchObject({ ok: true, accepted: 1 });
    expect(b).toMatchObject({ ok: false });
    expect(c).toMatchObject({ ok: true, duplicates: 1, results: [{ seq: 1 }] });
  });

  it("caps a flush and drains everything", async () => {
    const { store } = createTestStore();
    const spy = vi.spyOn(store, "appendMany");
    const gc = new GroupCommitter(store, { maxRequests: 10 });
    const all = Array.from({ length: 25 }, (_, i) => gc.submit(req([ev({ type: "admission", occurred_at: iso(T0 + i) })])));
    expect(gc.pending).toBe(25);
    await gc.drain();
    expect(gc.pending).toBe(0);
    expect(spy.mock.calls.map((c) => c[0].length)).toEqual([10, 10, 5]);
    expect((await Promise.all(all)).every((o) => o.ok)).toBe(true);
    await gc.drain(); // idle: resolves at once
  });

  it("rejects every promise of a flush that throws (nothing committed)", async () => {
    const gc = new GroupCommitter({
      appendMany: () => {
        throw new Error("disk full");
      },
    });
    const r = await Promise.allSettled([gc.submit(req([])), gc.submit(req([]))]);
    expect(r.map((x) => x.status)).toEqual(["rejected", "rejected"]);
  });
});
