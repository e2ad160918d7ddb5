import { describe, expect, it } from "vitest";
import { append, ev, iso, NO_UNITS, req, T0, WITH_UNITS } from "../test-helpers.js";
import { ENGINES } from "./engines.js";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const at = (min: number) => iso(T0 + min * MIN);

for (const engine of ENGINES) {
  describe(engine.name, () => {
    describe("referral records (/referrals)", () => {
      const move = (facility: string, id: string, status: string, min: number, extra: Record<string, unknown> = {}) =>
        ev({ facility_id: facility, type: "referral", occurred_at: at(min), referral_id: id, status, destination: "Bệnh viện tỉnh", ...extra });

      async function seed() {
        const { store } = await engine.create();
        const moves = [
          // R-open: open, urgent, begun at 0; a repeat adds no step.
          move(NO_UNITS, "R-open", "requested", 0, { urgency: "urgent", event_id: "o1" }),
          move(NO_UNITS, "R-open", "accepted", 30, { event_id: "o2" }),
          move(NO_UNITS, "R-open", "accepted", 40, { event_id: "o3" }),
          // R-done: closed, begun a day later, another destination.
          move(NO_UNITS, "R-done", "requested", DAY / MIN, { destination: "Bệnh viện Bạch Mai", event_id: "d1" }),
          move(NO_UNITS, "R-done", "returned", DAY / MIN + 60, { destination: "Bệnh viện Bạch Mai", event_id: "d2" }),
          // R-old: closed, begun before everything.
          move(NO_UNITS, "R-old", "requested", -60, { event_id: "x1" }),
          move(NO_UNITS, "R-old", "cancelled", -30, { event_id: "x2" }),
        ];
        for (const m of moves) expect((await append(store, req([m]))).ok).toBe(true);
        expect((await append(store, req([move(WITH_UNITS, "R-9", "transferred", 10, { urgency: "emergency", event_id: "w1" })]))).ok).toBe(true);
        return store;
      }
      const ids = (r: { referrals: { facilityId: string; referralId: string; steps: { eventId: string }[] }[] }) =>
        r.referrals.map((x) => [x.referralId, x.steps.map((s) => s.eventId).join(",")]);

      it("open ones with their real moves in commit order; closed ones newest first; filters by facility, destination, urgency", async () => {
        const store = await seed();
        expect(ids(await store.reads.referralRecords({ state: "open" }))).toEqual([
          ["R-9", "w1"],
          ["R-open", "o1,o2"],
        ]);
        expect(ids(await store.reads.referralRecords({ state: "closed" }))).toEqual([
          ["R-done", "d1,d2"],
          ["R-old", "x1,x2"],
        ]);
        const all = await store.reads.referralRecords({ state: "all", facilityIds: [NO_UNITS] });
        expect(ids(all)).toEqual([
          ["R-open", "o1,o2"],
          ["R-done", "d1,d2"],
          ["R-old", "x1,x2"],
        ]);
        expect(all.referrals[0]?.steps[0]).toMatchObject({ status: "requested", urgency: "urgent", at: T0, facilityId: NO_UNITS });
        expect(ids(await store.reads.referralRecords({ state: "all", facilityIds: [] }))).toEqual([]);
        expect(ids(await store.reads.referralRecords({ state: "all", destination: "Bệnh viện Bạch Mai" }))).toEqual([["R-done", "d1,d2"]]);
        expect(ids(await store.reads.referralRecords({ state: "all", urgency: "emergency" }))).toEqual([["R-9", "w1"]]);
      });

      it("period on when a referral began; open ones whenever begun on request; only those begun before an instant; a limit on closed ones", async () => {
        const store = await seed();
        const period = { from: T0 + 5 * MIN, to: T0 + 2 * DAY };
        expect(ids(await store.reads.referralRecords({ state: "all", ...period }))).toEqual([
          ["R-9", "w1"],
          ["R-done", "d1,d2"],
        ]);
        expect(ids(await store.reads.referralRecords({ state: "all", ...period, openWhenever: true })).map((x) => x[0])).toEqual(["R-9", "R-open", "R-done"]);
        expect(ids(await store.reads.referralRecords({ state: "open", openedBefore: T0 + 5 * MIN })).map((x) => x[0])).toEqual(["R-open"]);
        const limited = await store.reads.referralRecords({ state: "closed", closedLimit: 1 });
        expect(ids(limited)).toEqual([["R-done", "d1,d2"]]);
        expect(limited.closedTruncated).toBe(true);
        expect((await store.reads.referralRecords({ state: "closed", closedLimit: 2 })).closedTruncated).toBe(false);
      });

      it("count inputs: every open one with its steps whenever begun, closed ones begun in the period tallied by facility and destination", async () => {
        const store = await seed();
        const all = await store.reads.referralCountInputs({});
        expect(ids({ referrals: all.open })).toEqual([
          ["R-9", "w1"],
          ["R-open", "o1,o2"],
        ]);
        expect(all.closedBegun.sort((a, b) => a.destination.localeCompare(b.destination))).toEqual([
          { facilityId: NO_UNITS, destination: "Bệnh viện Bạch Mai", count: 1 },
          { facilityId: NO_UNITS, destination: "Bệnh viện tỉnh", count: 1 },
        ]);
        const period = await store.reads.referralCountInputs({ from: T0 + 5 * MIN, to: T0 + 2 * DAY, facilityIds: [NO_UNITS] });
        expect(ids({ referrals: period.open })).toEqual([["R-open", "o1,o2"]]);
        expect(period.closedBegun).toEqual([{ facilityId: NO_UNITS, destination: "Bệnh viện Bạch Mai", count: 1 }]);
      });
    });
  });
}
