import { describe, expect, it } from "vitest";
import { append, ev, iso, NO_UNITS, req, T0, WITH_UNITS } from "../test-helpers.js";
import { ENGINES } from "./engines.js";

const MIN = 60_000;
const at = (min: number) => iso(T0 + min * MIN);

for (const engine of ENGINES) {
  describe(engine.name, () => {
    describe("referral steps", () => {
      const move = (facility: string, id: string, status: string, min: number, extra: Record<string, unknown> = {}) =>
        ev({ facility_id: facility, type: "referral", occurred_at: at(min), referral_id: id, status, destination: "Bệnh viện tỉnh", ...extra });

      it("records every real move, none for a repeat or a refused move, in facility, referral, at order; filters; rebuild agrees", async () => {
        const { store } = engine.create();
        expect((await append(store, req([move(NO_UNITS, "R-2", "requested", 5, { urgency: "urgent", event_id: "s1" })]))).ok).toBe(true);
        expect((await append(store, req([move(NO_UNITS, "R-1", "requested", 0, { urgency: "emergency", event_id: "s2" })]))).ok).toBe(true);
        // A late move arrives after a later one: ordered by occurred_at, not arrival.
        expect((await append(store, req([move(NO_UNITS, "R-1", "transferred", 30, { event_id: "s3" })]))).ok).toBe(true);
        expect((await append(store, req([move(NO_UNITS, "R-1", "transferred", 31, { event_id: "s4" })]))).ok).toBe(true); // repeat: no step
        expect((await append(store, req([move(NO_UNITS, "R-1", "cancelled", 40, { event_id: "s5" })]))).ok).toBe(false); // refused
        expect((await append(store, req([move(WITH_UNITS, "R-9", "accepted", 10, { event_id: "s6" })]))).ok).toBe(true);

        const all = await store.reads.referralSteps({});
        expect(all.map((s) => [s.facilityId, s.referralId, s.status, s.at - T0, s.eventId])).toEqual([
          [NO_UNITS, "R-1", "requested", 0, "s2"],
          [NO_UNITS, "R-1", "transferred", 30 * MIN, "s3"],
          [NO_UNITS, "R-2", "requested", 5 * MIN, "s1"],
          [WITH_UNITS, "R-9", "accepted", 10 * MIN, "s6"],
        ]);
        expect(all[0]).toMatchObject({ urgency: "emergency", destination: "Bệnh viện tỉnh", seq: expect.any(Number) });
        expect(all[1]?.urgency).toBeNull();

        expect((await store.reads.referralSteps({ facilityIds: [WITH_UNITS] })).map((s) => s.eventId)).toEqual(["s6"]);
        expect(await store.reads.referralSteps({ facilityIds: [] })).toEqual([]);
        expect((await store.reads.referralSteps({ from: T0 + 5 * MIN, to: T0 + 30 * MIN })).map((s) => s.eventId)).toEqual(["s1", "s6"]);
        expect((await store.reads.referralSteps({ referralId: "R-1" })).map((s) => s.eventId)).toEqual(["s2", "s3"]);

        const report = await store.rebuild();
        expect(report.differences).toEqual([]);
        expect(await store.reads.referralSteps({})).toEqual(all);
      });
    });
  });
}
