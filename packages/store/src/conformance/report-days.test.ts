import { describe, expect, it } from "vitest";
import { append, ev, iso, NO_UNITS, req } from "../test-helpers.js";
import { ENGINES } from "./engines.js";

/** A month's days for the report: occupied and capacity at each day's end, each day's counts, only days begun by now. */
const at = (local: string) => Date.parse(`${local}+07:00`);

for (const engine of ENGINES) {
  describe(engine.name, () => {
    describe("days of a month", () => {
      it("reads each local day's end and counts, late events included, and stops at now", async () => {
        const { store } = await engine.create();
        // Posted out of order: the 3rd's admission first, then the census of the 1st.
        await append(store, req([ev({ type: "admission", count: 4, occurred_at: iso(at("2026-11-03T09:00:00")) })]));
        await append(store, req([ev({ type: "census", occupied: 100, occurred_at: iso(at("2026-11-01T08:00:00")) })]));
        await append(store, req([ev({ type: "discharge", count: 2, occurred_at: iso(at("2026-11-01T23:59:00")) })]));
        await append(store, req([ev({ type: "census", occupied: 120, capacity: 160, occurred_at: iso(at("2026-11-02T00:00:00")) })]));
        const days = ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"];
        const now = at("2026-11-03T12:00:00");
        const out = await store.reads.days(NO_UNITS, days, now);
        expect(out?.map((d) => [d.day, d.occupied, d.capacity, d.admissions, d.discharges])).toEqual([
          ["2026-11-01", 98, 150, 0, 2],
          ["2026-11-02", 120, 160, 0, 0],
          ["2026-11-03", 124, 160, 4, 0],
        ]);
        expect(out?.[2]?.at).toBe(now);
        expect(await store.reads.days("no-such-facility", days, now)).toBeUndefined();
      });
    });
  });
}
