import { describe, expect, it, vi } from "vitest";
import { append, ev, iso, NO_UNITS, req, T0 } from "../test-helpers.js";
import { ENGINES } from "./engines.js";

const at = (min: number) => iso(T0 + min * 60_000);

for (const engine of ENGINES) {
  describe(engine.name, () => {
    describe("append: duplicates and conflicts", () => {
      it("accepts, then reports a retry as a duplicate with the original seq and changes nothing", async () => {
        const { store } = await engine.create();
        const a = ev({ event_id: "a1", type: "admission", occurred_at: at(1), count: 2 });
        const first = await append(store, req([a]));
        expect(first).toEqual({ ok: true, accepted: 1, duplicates: 0, results: [{ event_id: "a1", status: "accepted", seq: 1 }] });
        // `count: 1` default vs explicit is the same canonical body; here the retry is byte-identical.
        const again = await append(store, req([ev({ event_id: "a1", type: "admission", occurred_at: at(1), count: 2 })]));
        expect(again).toEqual({ ok: true, accepted: 0, duplicates: 1, results: [{ event_id: "a1", status: "duplicate", seq: 1 }] });
        expect(await store.reads.countEvents()).toBe(1);
        expect(await store.log.lastSeq()).toBe(1);
        expect((await store.reads.facilityStatus(NO_UNITS, T0))?.occupied).toBe(2);
      });

      it("treats an omitted count and count 1 as the same body", async () => {
        const { store } = await engine.create();
        await append(store, req([ev({ event_id: "a1", type: "admission", occurred_at: at(1) })]));
        const r = await append(store, req([ev({ event_id: "a1", type: "admission", occurred_at: at(1), count: 1 })]));
        expect(r.ok && r.results[0]?.status).toBe("duplicate");
      });

      it("refuses the same event_id with a different body (409)", async () => {
        const { store } = await engine.create();
        await append(store, req([ev({ event_id: "a1", type: "admission", occurred_at: at(1), count: 2 })]));
        const r = await append(store, req([ev({ event_id: "a1", type: "admission", occurred_at: at(1), count: 3 })]));
        expect(r).toEqual({ ok: false, conflicts: [{ index: 0, event_id: "a1", message: "event_id already used with a different body" }] });
        expect((await store.reads.facilityStatus(NO_UNITS, T0))?.occupied).toBe(2);
      });

      it("an event_id repeated within one request: identical → duplicate of the first, different → conflict", async () => {
        const { store } = await engine.create();
        const same = await append(
          store,
          req([ev({ event_id: "x", type: "admission", occurred_at: at(1) }), ev({ event_id: "x", type: "admission", occurred_at: at(1) })]),
        );
        expect(same).toEqual({
          ok: true,
          accepted: 1,
          duplicates: 1,
          results: [
            { event_id: "x", status: "accepted", seq: 1 },
            { event_id: "x", status: "duplicate", seq: 1 },
          ],
        });
        const diff = await append(
          store,
          req([ev({ event_id: "y", type: "admission", occurred_at: at(1) }), ev({ event_id: "y", type: "admission", occurred_at: at(2) })]),
        );
        expect(diff).toEqual({ ok: false, conflicts: [{ index: 1, event_id: "y", message: "event_id already used with a different body" }] });
        expect(await store.reads.countEvents()).toBe(1);
      });

      it("a batch is all or nothing and lists every conflict", async () => {
        const { store } = await engine.create();
        await append(
          store,
          req([
            ev({ event_id: "a1", type: "admission", occurred_at: at(1) }),
            ev({ event_id: "r1", type: "referral", occurred_at: at(1), referral_id: "R-1", status: "transferred", destination: "Bệnh viện tỉnh" }),
          ]),
        );
        const before = await store.log.lastSeq();
        const r = await append(
          store,
          req([
            ev({ event_id: "ok-1", type: "admission", occurred_at: at(2), count: 5 }),
            ev({ event_id: "a1", type: "admission", occurred_at: at(1), count: 9 }),
            ev({ event_id: "ok-2", type: "census", occurred_at: at(3), occupied: 40 }),
            ev({ event_id: "r2", type: "referral", occurred_at: at(3), referral_id: "R-1", status: "cancelled", destination: "Bệnh viện tỉnh" }),
          ]),
        );
        expect(r.ok).toBe(false);
        if (r.ok) return;
        expect(r.conflicts.map((c) => [c.index, c.event_id])).toEqual([
          [1, "a1"],
          [3, "r2"],
        ]);
        expect(r.conflicts[1]?.message).toBe("a referral that has been transferred cannot be cancelled");
        expect(await store.log.lastSeq()).toBe(before);
        expect(await store.reads.countEvents()).toBe(2);
        const s = await store.reads.facilityStatus(NO_UNITS, T0 + 3_600_000);
        expect(s?.occupied).toBe(1);
        expect(s?.today.admissions).toBe(1);
      });

      it("in one group, a conflicting request rolls back alone", async () => {
        const { store } = await engine.create();
        await append(store, req([ev({ event_id: "a1", type: "admission", occurred_at: at(1) })]));
        const outcomes = await store.log.append([
          req([ev({ event_id: "b1", type: "admission", occurred_at: at(2) })]),
          req([ev({ event_id: "b2", type: "admission", occurred_at: at(2) }), ev({ event_id: "a1", type: "discharge", occurred_at: at(2) })]),
          req([ev({ event_id: "b3", type: "admission", occurred_at: at(2) })]),
        ]);
        expect(outcomes).toHaveLength(3);
        const [x, y, z] = outcomes;
        expect(x?.ok && x.results[0]?.seq).toBe(2);
        expect(y?.ok).toBe(false);
        expect(z?.ok && z.results[0]?.seq).toBeGreaterThan(2);
        expect((await store.reads.facilityStatus(NO_UNITS, T0))?.occupied).toBe(3);
        // The rolled-back request left nothing behind: b2 is not in the log.
        expect((await store.log.readFrom(0, 10)).map((e) => e.event.event_id)).toEqual(["a1", "b1", "b3"]);
      });

      it("an empty group commits nothing and answers nothing", async () => {
        const { store } = await engine.create();
        expect(await store.log.append([])).toEqual([]);
        expect(await store.log.lastSeq()).toBe(0);
      });

      it("refuses events of another facility or an unknown one (defensive)", async () => {
        const { store } = await engine.create();
        const e = ev({ type: "admission", occurred_at: at(1), facility_id: "sl-psychiatric", unit: "acute" });
        expect((await append(store, { facilityId: NO_UNITS, events: [e], receivedAt: T0 })).ok).toBe(false);
        expect((await append(store, { facilityId: "nowhere", events: [e], receivedAt: T0 })).ok).toBe(false);
        expect(await store.reads.countEvents()).toBe(0);
      });
    });

    describe("append: referrals", () => {
      const ref = (status: string, min: number, id = "R-7") =>
        ev({ type: "referral", occurred_at: at(min), referral_id: id, status, destination: "Bệnh viện Tâm thần tỉnh", urgency: "urgent" });

      it("moves forward, counts open referrals, and refuses moves back or after the end", async () => {
        const { store } = await engine.create();
        const now = T0 + 3_600_000;
        const open = async () => (await store.reads.facilityStatus(NO_UNITS, now))?.today.referrals_open;
        expect((await append(store, req([ref("requested", 1)]))).ok).toBe(true);
        expect(await open()).toBe(1);
        expect((await append(store, req([ref("accepted", 2), ref("accepted", 3)]))).ok).toBe(true); // same status again: no move, accepted
        const back = await append(store, req([ref("requested", 4)]));
        expect(back).toEqual({ ok: false, conflicts: [expect.objectContaining({ message: "referral cannot move back from accepted to requested" })] });
        expect((await append(store, req([ref("transferred", 5)]))).ok).toBe(true);
        expect(await open()).toBe(1); // still open at the receiving facility
        expect((await append(store, req([ref("returned", 6)]))).ok).toBe(true);
        expect(await open()).toBe(0);
        const late = await append(store, req([ref("cancelled", 7)]));
        expect(late.ok).toBe(false);
        if (!late.ok) expect(late.conflicts[0]?.message).toBe("referral is already returned; no further moves");
      });

      it("sees moves made earlier in the same request", async () => {
        const { store } = await engine.create();
        const r = await append(store, req([ref("requested", 1, "R-9"), ref("accepted", 2, "R-9"), ref("requested", 3, "R-9"), ref("cancelled", 4, "R-9")]));
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.conflicts.map((c) => c.index)).toEqual([2]);
        expect((await append(store, req([ref("requested", 1, "R-9"), ref("accepted", 2, "R-9"), ref("cancelled", 4, "R-9")]))).ok).toBe(true);
        expect((await store.reads.facilityStatus(NO_UNITS, T0))?.today.referrals_open).toBe(0);
      });
    });

    describe("append: watchers of this store's commits", () => {
      it("are called after commit, the new events readable in seq order; a throwing one does not break append", async () => {
        const { store } = await engine.create();
        let calls = 0;
        const offBroken = store.log.watch(() => {
          throw new Error("watcher bug");
        });
        const off = store.log.watch(() => calls++);
        const r = await store.log.append([
          req([ev({ event_id: "a", type: "admission", occurred_at: at(1) })]),
          req([ev({ event_id: "a", type: "admission", occurred_at: at(1) }), ev({ event_id: "b", type: "discharge", occurred_at: at(2) })]),
        ]);
        expect(r.every((o) => o.ok)).toBe(true);
        // Our own commit is announced by the time append resolves (no poll interval to wait for).
        expect(calls).toBe(1);
        expect((await store.log.readFrom(0, 10)).map((e) => [e.seq, e.event.event_id])).toEqual([
          [1, "a"],
          [2, "b"],
        ]);
        // Only duplicates → nothing committed → no call.
        await append(store, req([ev({ event_id: "a", type: "admission", occurred_at: at(1) })]));
        expect(calls).toBe(1);
        off();
        offBroken();
        await append(store, req([ev({ event_id: "c", type: "admission", occurred_at: at(1) })]));
        expect(calls).toBe(1);
      });

      it("are called after COMMIT: another store on the same data already sees the events", async () => {
        const t = await engine.create();
        const other = await t.openAnother();
        const seen: Promise<number>[] = [];
        // The read starts inside the callback: it must already see the commit.
        const watcher = vi.fn(() => void seen.push(other.log.lastSeq()));
        t.store.log.watch(watcher);
        await append(t.store, req([ev({ type: "admission", occurred_at: at(1) })]));
        expect(watcher).toHaveBeenCalledOnce();
        expect(await Promise.all(seen)).toEqual([1]);
      });
    });
  });
}
