import { describe, expect, it } from "vitest";
import { append, ev, iso, NO_UNITS, req, T0 } from "../test-helpers.js";
import { ENGINES } from "./engines.js";

/**
 * Two censuses at the same instant: the one with the greater event_id counts (domain
 * occupancy.ts compares ids as JS strings, i.e. by code unit, like SQLite's binary order). A
 * database comparing by a locale's collation would pick the other one ('a' before 'B' in most
 * locales, after it in byte order), so every read that looks up "the latest census at or before
 * an instant" must agree with the live status, whatever the order of arrival.
 */
const MIN = 60_000;

for (const engine of ENGINES) {
  describe(engine.name, () => {
    describe("censuses at the same instant", () => {
      for (const order of [
        ["c-B", "c-a"],
        ["c-a", "c-B"],
      ]) {
        it(`the greater event_id counts in the live status, history, as of and trend (arriving ${order.join(", ")})`, async () => {
          const { store } = await engine.create();
          const at = T0 + 10 * MIN;
          const occupiedOf: Record<string, number> = { "c-B": 40, "c-a": 70 };
          for (const id of order) {
            const out = await append(store, req([ev({ event_id: id, type: "census", occurred_at: iso(at), occupied: occupiedOf[id] })]));
            expect(out.ok).toBe(true);
          }
          const now = T0 + 30 * MIN;
          // "c-a" > "c-B" by code unit ('a' is 0x61, 'B' 0x42).
          expect((await store.reads.facilityStatus(NO_UNITS, now))?.occupied).toBe(70);
          expect((await store.reads.asOf(NO_UNITS, at))?.status.occupied).toBe(70);
          expect((await store.reads.history(NO_UNITS, "24h", now))?.points.at(-1)?.occupied).toBe(70);
          expect((await store.reads.trend(NO_UNITS, now, 1)).at(-1)?.occupied).toBe(70);
        });
      }
    });
  });
}
