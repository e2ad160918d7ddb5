import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ev, iso, NO_UNITS, T0, WITH_UNITS } from "../test-helpers.js";
import type { Store } from "../types.js";
import { ENGINES } from "./engines.js";

/**
 * The reads of the past keep in-memory state fed from the log (movement indexes, event times,
 * loaded per facility at first use). A store whose log grows through another store on the same
 * data — another process — must answer exactly as the writer does, whether its state was loaded
 * before those commits or after, late events included; and both as a store opened afterwards.
 */
const MIN = 60_000;
const NOW = T0 + 6 * 60 * MIN;

const spec = fc.record({
  facility: fc.constantFrom(NO_UNITS, WITH_UNITS),
  kind: fc.constantFrom("census", "admission", "discharge", "treatment", "referral"),
  // Minutes before now: often the current hour (as of counts it from the event times), else any of 3 days.
  back: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 3 * 24 * 60 })),
  n: fc.integer({ min: 1, max: 20 }),
  status: fc.constantFrom("requested", "accepted", "transferred"),
});

type Spec = typeof spec extends fc.Arbitrary<infer T> ? T : never;

function eventOf(s: Spec, i: number) {
  const base: Record<string, unknown> = { facility_id: s.facility, event_id: `w-${i}`, occurred_at: iso(NOW - s.back * MIN) };
  if (s.facility === WITH_UNITS && s.kind !== "treatment" && s.kind !== "referral") base.unit = "acute";
  if (s.kind === "census") return ev({ ...base, type: "census", occupied: s.n * 2, ...(s.n % 3 === 0 ? { capacity: 40 + s.n } : {}) });
  if (s.kind === "treatment") return ev({ ...base, type: "treatment", category: "detox", count: s.n });
  if (s.kind === "referral") return ev({ ...base, type: "referral", referral_id: `R-${s.n % 3}`, status: s.status, destination: "Bệnh viện tỉnh" });
  return ev({ ...base, type: s.kind, count: s.n });
}

/** Everything the reads of the past answer for both facilities, at a few instants. */
async function answers(store: Store) {
  const out: unknown[] = [];
  for (const id of [NO_UNITS, WITH_UNITS]) {
    out.push(await store.reads.history(id, "24h", NOW));
    out.push(await store.reads.history(id, "30d", NOW));
    for (const back of [0, 7, 90, 24 * 60]) out.push(await store.reads.asOf(id, NOW - back * MIN));
    out.push(await store.reads.eventsBetween(id, NOW - 2 * 60 * MIN, NOW + 1, 50));
    out.push(await store.reads.days(id, ["2026-11-20", "2026-11-21", "2026-11-22"], NOW));
  }
  out.push(await store.reads.referralSteps({}));
  out.push(await store.reads.referralRecords({ state: "all" }));
  return out;
}

for (const engine of ENGINES) {
  describe(engine.name, () => {
    describe("reads of the past while another store writes", () => {
      it("answer as the writer does, loaded before or after its commits, late events included", async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(spec, { minLength: 1, maxLength: 30 }), fc.nat({ max: 30 }), async (specs, split) => {
            const t = await engine.create();
            try {
              const reader = await t.openAnother();
              const events = specs.map(eventOf);
              const feed = (list: typeof events) =>
                t.store.log.append(list.map((e) => ({ facilityId: e.event.facility_id, events: [e], receivedAt: NOW - MIN })));
              await feed(events.slice(0, split));
              // The reader loads its state from the first part of the log...
              expect(await answers(reader)).toEqual(await answers(t.store));
              // ...and catches up with the rest, committed by the other store: both answer as a
              // store that loads everything from the whole log.
              await feed(events.slice(split));
              const fresh = await answers(await t.openAnother());
              expect(await answers(reader)).toEqual(fresh);
              expect(await answers(t.store)).toEqual(fresh);
            } finally {
              await t.dispose();
            }
          }),
          { numRuns: 12 },
        );
      });
    });
  });
}
