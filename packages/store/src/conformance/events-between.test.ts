import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { append, ev, iso, NO_UNITS, req, T0, WITH_UNITS } from "../test-helpers.js";
import { ENGINES } from "./engines.js";

/**
 * The events behind a chart point, for any arrival order: the same as picking them from every
 * event posted — before and after a first read has loaded the facility's times, with late events
 * arriving in between, and whatever page size.
 */
const MIN = 60_000;

for (const engine of ENGINES) {
  describe(engine.name, () => {
    describe("events between two instants", () => {
      it("equal the posted events in [from, to), ordered by occurred_at then event_id, late ones included", async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.record({ min: fc.integer({ min: 0, max: 600 }), facility: fc.constantFrom(NO_UNITS, WITH_UNITS) }), { minLength: 1, maxLength: 60 }),
            fc.integer({ min: 0, max: 59 }),
            fc.integer({ min: 0, max: 600 }),
            fc.integer({ min: 1, max: 300 }),
            fc.integer({ min: 1, max: 20 }),
            async (events, split, fromMin, spanMin, limit) => {
              const t = await engine.create();
              try {
                const posted = events.map((e, i) => ({
                  ...e,
                  id: `e-${String(i).padStart(3, "0")}`,
                  a: ev({
                    facility_id: e.facility,
                    event_id: `e-${String(i).padStart(3, "0")}`,
                    type: "treatment",
                    category: "health_check",
                    count: 1,
                    occurred_at: iso(T0 + e.min * MIN),
                    ...(e.facility === WITH_UNITS ? { unit: "acute" } : {}),
                  }),
                }));
                const cut = Math.min(split, posted.length);
                const seqOf = new Map<string, number>();
                const post = async (p: (typeof posted)[number]) => {
                  const out = await append(t.store, req([p.a]));
                  if (!out.ok) throw new Error("refused");
                  seqOf.set(p.id, out.results[0]!.seq);
                };
                for (const p of posted.slice(0, cut)) await post(p);
                const from = T0 + fromMin * MIN;
                const to = from + spanMin * MIN;
                // A first read loads the facility's times; the rest arrive after it.
                await t.store.reads.eventsBetween(NO_UNITS, from, to, limit);
                for (const p of posted.slice(cut)) await post(p);
                const expected = posted
                  .filter((p) => p.facility === NO_UNITS && T0 + p.min * MIN >= from && T0 + p.min * MIN < to)
                  .sort((a, b) => a.min - b.min || (a.id < b.id ? -1 : 1));
                const page = await t.store.reads.eventsBetween(NO_UNITS, from, to, limit);
                expect(page?.total).toBe(expected.length);
                // Ticker lines carry no event_id (privacy): compared by seq.
                expect(page?.events.map((e) => e.seq)).toEqual(expected.slice(0, limit).map((p) => seqOf.get(p.id)));
              } finally {
                await t.dispose();
              }
            },
          ),
          { numRuns: 40 },
        );
      });
    });
  });
}
