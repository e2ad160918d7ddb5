import { facilityStatus, foldLedger, TICKER_LENGTH, type AcceptedEvent, type FacilityStatus, type UnitLedger } from "@carewatch/domain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { append, ev, iso, NO_UNITS, req, T0, WITH_UNITS } from "../test-helpers.js";
import type { AppendRequest, Store } from "../types.js";
import { ENGINES } from "./engines.js";

const NOW = T0 + 12 * 3_600_000;
const MIN = 60_000;

/** Random census/admission/discharge/treatment events of two facilities (one with units). */
const eventSet = fc
  .array(
    fc.record({
      facility: fc.constantFrom(NO_UNITS, WITH_UNITS),
      unit: fc.constantFrom("acute", "long-term"),
      kind: fc.constantFrom("census", "census", "admission", "admission", "discharge", "treatment"),
      // A small time range so that equal instants (the tie rules) are common.
      minute: fc.integer({ min: 0, max: 40 }),
      n: fc.integer({ min: 1, max: 30 }),
      capacity: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
      idPrefix: fc.constantFrom("a", "b", "z"),
    }),
    { minLength: 1, maxLength: 40 },
  )
  .map((specs) =>
    specs.map((s, i) => {
      const base: Record<string, unknown> = {
        facility_id: s.facility,
        event_id: `${s.idPrefix}-${i}`,
        occurred_at: iso(T0 + s.minute * 15 * MIN),
      };
      if (s.facility === WITH_UNITS && s.kind !== "treatment") base.unit = s.unit;
      if (s.kind === "census") return ev({ ...base, type: "census", occupied: s.n * 3, capacity: s.capacity });
      if (s.kind === "treatment") return ev({ ...base, type: "treatment", category: "detox", count: s.n });
      return ev({ ...base, type: s.kind, count: Math.ceil(s.n / 3) });
    }),
  );

const oneRequestEach = (events: AcceptedEvent[]): AppendRequest[] =>
  events.map((e) => ({ facilityId: e.event.facility_id, events: [e], receivedAt: NOW - MIN }));

function permute<T>(items: T[], keys: number[]): T[] {
  return items
    .map((x, i) => [x, keys[i] ?? 0, i] as const)
    .sort((a, b) => a[1] - b[1] || a[2] - b[2])
    .map(([x]) => x);
}

/** What the board shows, minus as_of_seq (a seq depends on arrival order by definition). */
const comparable = (statuses: FacilityStatus[]) => statuses.map(({ as_of_seq: _, ...rest }) => rest);

const statuses = async (store: Store) => (await store.reads.board(NOW, TICKER_LENGTH)).facilities;

for (const engine of ENGINES) {
  describe(engine.name, () => {
    describe("projections vs the log (properties)", () => {
      it("equal the domain fold over the same set, for any arrival order", async () => {
        await fc.assert(
          fc.asyncProperty(eventSet, fc.array(fc.nat(), { minLength: 40, maxLength: 40 }), async (events, keys) => {
            const a = await engine.create();
            const b = await engine.create();
            try {
              await a.store.log.append(oneRequestEach(events));
              await b.store.log.append(oneRequestEach(permute(events, keys)));
              expect(comparable(await statuses(b.store))).toEqual(comparable(await statuses(a.store)));
              expect(await b.store.reads.trend(WITH_UNITS, NOW)).toEqual(await a.store.reads.trend(WITH_UNITS, NOW));

              for (const f of [a.registry.byId.get(NO_UNITS), a.registry.byId.get(WITH_UNITS)]) {
                if (!f) throw new Error("registry");
                const mine = events.filter((e) => e.event.facility_id === f.id);
                const keysOf = f.units.length ? f.units.map((u) => u.id) : [""];
                const ledgers = new Map<string, UnitLedger>(
                  keysOf.map((k) => [k, foldLedger(mine.filter((e) => e.event.type !== "treatment" && (e.event.unit ?? "") === k))]),
                );
                const stored = await a.store.reads.facilityStatus(f.id, NOW);
                if (!stored) throw new Error("status");
                const expected = facilityStatus({
                  facility: f,
                  ledgers,
                  today: stored.today,
                  lastAcceptedAt: mine.length ? NOW - MIN : null,
                  asOfSeq: stored.as_of_seq,
                  now: NOW,
                });
                expect(stored).toEqual(expected);
                // The trend's last point (as of now, from the log) agrees with the projection.
                expect((await a.store.reads.trend(f.id, NOW)).at(-1)?.occupied).toBe(stored.occupied);
              }
            } finally {
              await a.dispose();
              await b.dispose();
            }
          }),
          { numRuns: 30 },
        );
        // Thirty fresh stores on real files: seconds on a quiet machine, more on a busy CI one.
      }, 60_000);

      it("rebuild finds no difference after a random load with referrals, duplicates and conflicts", async () => {
        const referral = fc.record({
          id: fc.constantFrom("R-1", "R-2", "R-3"),
          status: fc.constantFrom("requested", "accepted", "transferred", "returned", "cancelled"),
          minute: fc.integer({ min: 0, max: 40 }),
        });
        await fc.assert(
          fc.asyncProperty(eventSet, fc.array(referral, { maxLength: 15 }), fc.integer({ min: 1, max: 5 }), async (events, refs, groups) => {
            const t = await engine.create();
            try {
              const referrals = refs.map((r, i) =>
                ev({
                  event_id: `ref-${i}`,
                  type: "referral",
                  occurred_at: iso(T0 + r.minute * 15 * MIN),
                  referral_id: r.id,
                  status: r.status,
                  destination: "Bệnh viện tỉnh",
                }),
              );
              // Retries (duplicates) and a reused id with a different body (conflict) mixed in.
              const all = [...events, ...referrals];
              const retry = all.slice(0, 3);
              const clash = events[0] ? [ev({ ...events[0].event, occurred_at: iso(T0 - MIN) })] : [];
              const reqs = [...oneRequestEach(all), ...oneRequestEach(retry), ...oneRequestEach(clash)];
              const size = Math.ceil(reqs.length / groups);
              for (let i = 0; i < reqs.length; i += size) await t.store.log.append(reqs.slice(i, i + size));

              const before = await t.store.reads.board(NOW, TICKER_LENGTH);
              const trendBefore = await t.store.reads.trend(WITH_UNITS, NOW);
              const report = await t.store.rebuild();
              expect(report.differences).toEqual([]);
              expect(report.events).toBe(await t.store.reads.countEvents());
              expect(await t.store.reads.board(NOW, TICKER_LENGTH)).toEqual(before);
              expect(await t.store.reads.trend(WITH_UNITS, NOW)).toEqual(trendBefore);
            } finally {
              await t.dispose();
            }
          }),
          { numRuns: 30 },
        );
      }, 60_000);
    });

    describe("rebuild", () => {
      it("on an empty log reports nothing and reports progress once", async () => {
        const t = await engine.create();
        const calls: [number, number][] = [];
        const report = await t.store.rebuild((done, total) => calls.push([done, total]));
        expect(report).toMatchObject({ events: 0, differences: [] });
        expect(report.millis).toBeGreaterThanOrEqual(0);
        expect(calls).toEqual([[0, 0]]);
      });

      it("reports progress every 1,000 events and keeps the projections", async () => {
        const t = await engine.create();
        const events = Array.from({ length: 2500 }, (_, i) => ev({ type: "admission", occurred_at: iso(T0 + i * 1000) }));
        for (let i = 0; i < events.length; i += 1000) await append(t.store, req(events.slice(i, i + 1000)));
        const calls: [number, number][] = [];
        const report = await t.store.rebuild((done, total) => calls.push([done, total]));
        expect(calls).toEqual([
          [1000, 2500],
          [2000, 2500],
          [2500, 2500],
        ]);
        expect(report.events).toBe(2500);
        expect(report.differences).toEqual([]);
        expect((await t.store.reads.facilityStatus(NO_UNITS, NOW))?.occupied).toBe(2500);
        // Appends go on after a rebuild as before.
        expect((await append(t.store, req([ev({ type: "discharge", occurred_at: iso(T0) })]))).ok).toBe(true);
        expect((await t.store.reads.facilityStatus(NO_UNITS, NOW))?.occupied).toBe(2499);
        expect((await t.store.rebuild()).differences).toEqual([]);
      });
    });
  });
}
