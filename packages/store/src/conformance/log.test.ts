import { canonicalEvent, TICKER_LENGTH } from "@carewatch/domain";
import { describe, expect, it, vi } from "vitest";
import { append, ev, iso, NO_UNITS, req, T0, WITH_UNITS } from "../test-helpers.js";
import type { AppendRequest } from "../types.js";
import { ENGINES } from "./engines.js";

const H = 3_600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const engine of ENGINES) {
  describe(engine.name, () => {
    describe("log.bodiesOf", () => {
      it("gives the stored canonical body of each known event_id of a facility, none for others", async () => {
        const { store } = await engine.create();
        const a = ev({ event_id: "a", type: "admission", occurred_at: iso(T0) });
        await append(store, req([a]));
        const ids = ["a", "missing", ...Array.from({ length: 1500 }, (_, i) => `x-${i}`)];
        const found = await store.log.bodiesOf(NO_UNITS, ids);
        expect([...found.keys()]).toEqual(["a"]);
        expect(found.get("a")).toBe(canonicalEvent(a.event));
        expect((await store.log.bodiesOf(WITH_UNITS, ["a"])).size).toBe(0);
      });
    });

    describe("log.readFrom", () => {
      it("gives committed events in ascending seq, as committed", async () => {
        const { store } = await engine.create();
        await append(
          store,
          req([ev({ event_id: "a", type: "admission", occurred_at: iso(T0) }), ev({ event_id: "b", type: "census", occurred_at: iso(T0), occupied: 3 })], 42),
        );
        const all = await store.log.readFrom(0, 10);
        expect(all.map((e) => [e.seq, e.event.event_id, e.facilityId, e.receivedAt, e.occurredAtMs])).toEqual([
          [1, "a", NO_UNITS, 42, T0],
          [2, "b", NO_UNITS, 42, T0],
        ]);
        // The validated event with its defaults, as the transport handed it over.
        expect(all[0]?.event).toEqual({ facility_id: NO_UNITS, event_id: "a", type: "admission", occurred_at: iso(T0), count: 1 });
        expect(await store.log.readFrom(1, 10)).toEqual([all[1]]);
        expect(await store.log.readFrom(0, 1)).toEqual([all[0]]);
        expect(await store.log.readFrom(2, 10)).toEqual([]);
        expect(await store.log.readFrom(99, 10)).toEqual([]);
      });

      it("respects afterSeq and limit over many groups, and pages through the whole log", async () => {
        const { store } = await engine.create();
        for (let g = 0; g < 5; g++) {
          await store.log.append([
            req([ev({ event_id: `n-${g}`, type: "admission", occurred_at: iso(T0 + g) })]),
            req([
              ev({ facility_id: WITH_UNITS, unit: "acute", event_id: `u-${g}-1`, type: "admission", occurred_at: iso(T0 + g) }),
              ev({ facility_id: WITH_UNITS, unit: "acute", event_id: `u-${g}-2`, type: "discharge", occurred_at: iso(T0 + g) }),
            ]),
          ]);
        }
        expect(await store.log.lastSeq()).toBe(15);
        const some = await store.log.readFrom(4, 5);
        expect(some.map((e) => e.seq)).toEqual([5, 6, 7, 8, 9]);
        const paged = [];
        for (let after = 0; ;) {
          const page = await store.log.readFrom(after, 4);
          expect(page.length).toBeLessThanOrEqual(4);
          if (page.length === 0) break;
          paged.push(...page);
          after = page.at(-1)!.seq;
        }
        expect(paged.map((e) => e.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
        expect(paged).toEqual(await store.log.readFrom(0, 1000));
        expect(paged.filter((e) => e.facilityId === WITH_UNITS).every((e) => e.event.facility_id === WITH_UNITS)).toBe(true);
      });

      it("never returns a refused request's events", async () => {
        const { store } = await engine.create();
        await append(store, req([ev({ event_id: "a", type: "admission", occurred_at: iso(T0) })]));
        await append(
          store,
          req([ev({ event_id: "b", type: "admission", occurred_at: iso(T0) }), ev({ event_id: "a", type: "discharge", occurred_at: iso(T0) })]),
        );
        expect((await store.log.readFrom(0, 10)).map((e) => e.event.event_id)).toEqual(["a"]);
      });
    });

    describe("seq", () => {
      it("is gap-free and strictly increasing across many concurrent log.append calls (two stores on the same data)", async () => {
        const t = await engine.create();
        const other = await t.openAnother();
        const stores = [t.store, other];
        let n = 0;
        const calls: Promise<{ outcomes: Awaited<ReturnType<typeof t.store.log.append>>; reqs: AppendRequest[] }>[] = [];
        for (let c = 0; c < 60; c++) {
          const reqs = Array.from({ length: 1 + (c % 3) }, () =>
            req(Array.from({ length: 1 + (n % 4) }, () => ev({ event_id: `s-${++n}`, type: "admission", occurred_at: iso(T0 + n) }))),
          );
          const store = stores[c % 2]!;
          calls.push(store.log.append(reqs).then((outcomes) => ({ outcomes, reqs })));
        }
        const done = await Promise.all(calls);
        const seqs: number[] = [];
        const seqOf = new Map<string, number>();
        for (const { outcomes, reqs } of done) {
          expect(outcomes).toHaveLength(reqs.length);
          for (const o of outcomes) {
            expect(o.ok).toBe(true);
            if (!o.ok) continue;
            const mine = o.results.map((r) => r.seq);
            // Within a request, in the request's order.
            expect(mine).toEqual([...mine].sort((a, b) => a - b));
            for (const r of o.results) {
              expect(r.status).toBe("accepted");
              seqOf.set(r.event_id, r.seq);
            }
            seqs.push(...mine);
          }
        }
        expect(seqs).toHaveLength(n);
        expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
        expect(await t.store.log.lastSeq()).toBe(n);
        expect(await other.log.lastSeq()).toBe(n);
        const log = await other.log.readFrom(0, n + 10);
        expect(log.map((e) => e.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
        for (const e of log) expect(seqOf.get(e.event.event_id)).toBe(e.seq);
        expect((await t.store.reads.facilityStatus(NO_UNITS, T0 + H))?.occupied).toBe(n);
      });
    });

    describe("log.watch", () => {
      it("fires after this store's own commit, by the time append resolves", async () => {
        const { store } = await engine.create();
        const onGrown = vi.fn();
        store.log.watch(onGrown);
        await append(store, req([ev({ type: "admission", occurred_at: iso(T0) })]));
        expect(onGrown).toHaveBeenCalled();
        expect(await store.log.lastSeq()).toBe(1);
      });

      it("fires after a commit made by another store on the same data (within a poll interval), and stops after unsubscribe", async () => {
        const t = await engine.create(); // the default poll interval
        const other = await t.openAnother();
        // Opening the other store may itself write (e.g. the registry): let that settle before watching.
        await other.log.lastSeq();
        const onGrown = vi.fn();
        const off = t.store.log.watch(onGrown);
        await append(other, req([ev({ event_id: "far", type: "admission", occurred_at: iso(T0) })]));
        await vi.waitFor(() => expect(onGrown).toHaveBeenCalled(), { timeout: 5_000, interval: 20 });
        // What the watcher is told about is readable here.
        expect((await t.store.log.readFrom(0, 10)).map((e) => e.event.event_id)).toEqual(["far"]);
        expect((await t.store.reads.board(T0 + H, TICKER_LENGTH)).seq).toBe(1);

        off();
        const calls = onGrown.mock.calls.length;
        await append(other, req([ev({ type: "admission", occurred_at: iso(T0 + 1) })]));
        await append(t.store, req([ev({ type: "admission", occurred_at: iso(T0 + 2) })]));
        await sleep(700); // well past the default poll interval (250 ms)
        expect(onGrown).toHaveBeenCalledTimes(calls);
      });

      it("several watchers each fire; unsubscribing one leaves the others", async () => {
        const t = await engine.create({ pollMs: 20 });
        const other = await t.openAnother();
        await other.log.lastSeq();
        const a = vi.fn();
        const b = vi.fn();
        const offA = t.store.log.watch(a);
        t.store.log.watch(b);
        await append(other, req([ev({ type: "admission", occurred_at: iso(T0) })]));
        await vi.waitFor(
          () => {
            expect(a).toHaveBeenCalled();
            expect(b).toHaveBeenCalled();
          },
          { timeout: 5_000, interval: 10 },
        );
        offA();
        const aCalls = a.mock.calls.length;
        const bCalls = b.mock.calls.length;
        await append(other, req([ev({ type: "admission", occurred_at: iso(T0 + 1) })]));
        await vi.waitFor(() => expect(b.mock.calls.length).toBeGreaterThan(bCalls), { timeout: 5_000, interval: 10 });
        await append(t.store, req([ev({ type: "admission", occurred_at: iso(T0 + 2) })]));
        expect(b.mock.calls.length).toBeGreaterThan(bCalls + 1);
        await sleep(100);
        expect(a).toHaveBeenCalledTimes(aCalls);
      });

      it("a watcher that unsubscribes and watches again keeps hearing other stores' commits", async () => {
        const t = await engine.create({ pollMs: 20 });
        const other = await t.openAnother();
        await other.log.lastSeq();
        t.store.log.watch(() => {})(); // subscribe and leave at once (the last watcher gone)
        const onGrown = vi.fn();
        t.store.log.watch(onGrown);
        await append(other, req([ev({ type: "admission", occurred_at: iso(T0) })]));
        await vi.waitFor(() => expect(onGrown).toHaveBeenCalled(), { timeout: 5_000, interval: 10 });
      });

      it("no longer fires after the store is closed", async () => {
        const t = await engine.create({ pollMs: 20 });
        const other = await t.openAnother();
        await other.log.lastSeq();
        const onGrown = vi.fn();
        t.store.log.watch(onGrown);
        await t.store.close();
        await append(other, req([ev({ type: "admission", occurred_at: iso(T0) })]));
        await sleep(100);
        expect(onGrown).not.toHaveBeenCalled();
      });
    });
  });
}
