import { describe, expect, it, vi } from "vitest";
import { GroupCommitter } from "../group-commit.js";
import { ev, iso, NO_UNITS, req, T0 } from "../test-helpers.js";
import type { AppendOutcome, AppendRequest, EventLog } from "../types.js";
import { ENGINES } from "./engines.js";

const admission = (i: number, count = 1) => ev({ event_id: `g-${i}`, type: "admission", occurred_at: iso(T0 + i), count });
/** One request of `n` events. */
const reqOf = (tag: string, n: number) =>
  req(Array.from({ length: n }, (_, i) => ev({ event_id: `${tag}-${i}`, type: "admission", occurred_at: iso(T0 + i) })));

/** A promise and its resolver, to hold a commit open. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

for (const engine of ENGINES) {
  describe(engine.name, () => {
    describe("GroupCommitter", () => {
      it("commits concurrent submits in one log.append and resolves each with its own seq", async () => {
        const { store } = await engine.create();
        const spy = vi.spyOn(store.log, "append");
        const gc = new GroupCommitter(store.log);
        const promises = Array.from({ length: 50 }, (_, i) => gc.submit(req([admission(i)])));
        const outcomes = await Promise.all(promises);
        expect(spy).toHaveBeenCalledTimes(1);
        expect(spy.mock.calls[0]?.[0]).toHaveLength(50);
        outcomes.forEach((o, i) => {
          expect(o.ok).toBe(true);
          if (o.ok) expect(o.results[0]).toEqual({ event_id: `g-${i}`, status: "accepted", seq: i + 1 });
        });
        expect((await store.reads.facilityStatus(NO_UNITS, T0))?.occupied).toBe(50);
      });

      it("keeps each request's outcome separate (a conflict rejects only its own)", async () => {
        const { store } = await engine.create();
        const gc = new GroupCommitter(store.log);
        const [a, b, c] = await Promise.all([
          gc.submit(req([ev({ event_id: "same", type: "admission", occurred_at: iso(T0) })])),
          gc.submit(req([ev({ event_id: "same", type: "admission", occurred_at: iso(T0 + 1) })])),
          gc.submit(req([ev({ event_id: "same", type: "admission", occurred_at: iso(T0) })])),
        ]);
        expect(a).toMatchObject({ ok: true, accepted: 1 });
        expect(b).toMatchObject({ ok: false });
        expect(c).toMatchObject({ ok: true, duplicates: 1, results: [{ seq: 1 }] });
      });

      it("caps a group at maxRequests and drains everything", async () => {
        const { store } = await engine.create();
        const spy = vi.spyOn(store.log, "append");
        const gc = new GroupCommitter(store.log, { maxRequests: 10 });
        const all = Array.from({ length: 25 }, (_, i) => gc.submit(req([admission(i)])));
        // The first ten went at once (a full group does not wait for the timer); fifteen wait.
        expect(gc.pending).toBe(15);
        await gc.drain();
        expect(gc.pending).toBe(0);
        expect(spy.mock.calls.map((c) => c[0].length)).toEqual([10, 10, 5]);
        expect((await Promise.all(all)).every((o) => o.ok)).toBe(true);
        expect(await store.log.lastSeq()).toBe(25);
        await gc.drain(); // idle: resolves at once
      });

      it("caps a group at maxEvents, never splitting a request", async () => {
        const { store } = await engine.create();
        const spy = vi.spyOn(store.log, "append");
        const gc = new GroupCommitter(store.log, { maxEvents: 10 });
        const all = Array.from({ length: 10 }, (_, i) => gc.submit(reqOf(`r${i}`, 3)));
        await gc.drain();
        const groups = spy.mock.calls.map((c) => c[0].map((r) => r.events.length));
        expect(groups).toEqual([[3, 3, 3], [3, 3, 3], [3, 3, 3], [3]]);
        expect((await Promise.all(all)).every((o) => o.ok)).toBe(true);
        expect(await store.log.lastSeq()).toBe(30);
        // A request larger than maxEvents still goes, alone.
        spy.mockClear();
        expect((await gc.submit(reqOf("big", 25))).ok).toBe(true);
        expect(spy.mock.calls.map((c) => c[0].length)).toEqual([1]);
      });

      it("a group goes when maxEvents is reached, without waiting for the timer", async () => {
        const { store } = await engine.create();
        const spy = vi.spyOn(store.log, "append");
        // A timer far beyond the test's timeout: only the size rule can commit these in time.
        const gc = new GroupCommitter(store.log, { maxDelayMs: 3_600_000, maxEvents: 5 });
        const first = gc.submit(reqOf("a", 2));
        const second = gc.submit(reqOf("b", 3));
        const [x, y] = await Promise.all([first, second]);
        expect(x.ok && y.ok).toBe(true);
        expect(spy.mock.calls.map((c) => c[0].length)).toEqual([2]);
        expect(await store.log.lastSeq()).toBe(5);
        // Likewise one request that alone reaches maxEvents.
        expect((await gc.submit(reqOf("c", 5))).ok).toBe(true);
        expect(gc.pending).toBe(0);
      });

      it("a group goes when maxRequests is reached, without waiting for the timer", async () => {
        const { store } = await engine.create();
        const gc = new GroupCommitter(store.log, { maxDelayMs: 3_600_000, maxRequests: 3 });
        const outcomes = await Promise.all([0, 1, 2].map((i) => gc.submit(req([admission(i)]))));
        expect(outcomes.every((o) => o.ok)).toBe(true);
        expect(await store.log.lastSeq()).toBe(3);
      });

      it("requests arriving while a group commits form the next group (one group in the log at a time)", async () => {
        const { store } = await engine.create();
        const calls: number[] = [];
        let inFlight = 0;
        let maxInFlight = 0;
        const held = gate();
        const log: Pick<EventLog, "append"> = {
          async append(reqs: readonly AppendRequest[]): Promise<AppendOutcome[]> {
            calls.push(reqs.length);
            maxInFlight = Math.max(maxInFlight, ++inFlight);
            try {
              if (calls.length === 1) await held.opened;
              return await store.log.append(reqs);
            } finally {
              inFlight--;
            }
          },
        };
        const gc = new GroupCommitter(log, { maxDelayMs: 1 });
        const a = gc.submit(req([admission(0)]));
        await vi.waitFor(() => expect(calls).toEqual([1]), { timeout: 5_000 });
        // The first group is committing: these wait for it, together.
        const later = [1, 2, 3].map((i) => gc.submit(req([admission(i)])));
        expect(gc.pending).toBe(3);
        await new Promise((r) => setTimeout(r, 20)); // well past maxDelayMs: still held back by the commit
        expect(calls).toEqual([1]);
        held.open();
        const outcomes = await Promise.all([a, ...later]);
        expect(calls).toEqual([1, 3]);
        expect(maxInFlight).toBe(1);
        expect(outcomes.map((o) => o.ok && o.results[0]?.seq)).toEqual([1, 2, 3, 4]);
      });

      it("commits a lone request within maxDelayMs (generous bound)", async () => {
        const { store } = await engine.create();
        const gc = new GroupCommitter(store.log); // maxDelayMs 2
        const started = performance.now();
        const outcome = await Promise.race([gc.submit(req([admission(0)])), new Promise<"late">((r) => setTimeout(() => r("late"), 2_000).unref())]);
        expect(outcome).toMatchObject({ ok: true, accepted: 1, results: [{ seq: 1 }] });
        expect(performance.now() - started).toBeLessThan(2_000);
        expect(await store.log.lastSeq()).toBe(1);
      });

      it("rejects every promise of a group whose append fails (nothing committed), then goes on", async () => {
        const { store } = await engine.create();
        let failures = 2;
        const gc = new GroupCommitter({
          append: (reqs) => {
            // First a synchronous throw, then a rejected promise: both reach every caller.
            if (failures === 2) {
              failures--;
              throw new Error("disk full");
            }
            if (failures === 1) {
              failures--;
              return Promise.reject(new Error("disk full"));
            }
            return store.log.append(reqs);
          },
        });
        for (let round = 0; round < 2; round++) {
          const r = await Promise.allSettled([gc.submit(req([admission(10 + round)])), gc.submit(req([admission(20 + round)]))]);
          expect(r.map((x) => x.status)).toEqual(["rejected", "rejected"]);
          expect(r.map((x) => x.status === "rejected" && String(x.reason))).toEqual(["Error: disk full", "Error: disk full"]);
        }
        await gc.drain();
        expect(await store.log.lastSeq()).toBe(0);
        expect((await gc.submit(req([admission(1)]))).ok).toBe(true);
        expect(await store.log.lastSeq()).toBe(1);
      });

      it("drain waits for a group in the log", async () => {
        const { store } = await engine.create();
        const held = gate();
        let committed = false;
        const gc = new GroupCommitter({
          async append(reqs) {
            await held.opened;
            const out = await store.log.append(reqs);
            committed = true;
            return out;
          },
        });
        const p = gc.submit(req([admission(0)]));
        const drained = gc.drain().then(() => committed);
        setTimeout(() => held.open(), 10);
        expect(await drained).toBe(true);
        expect((await p).ok).toBe(true);
      });
    });
  });
}
