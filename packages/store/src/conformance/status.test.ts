import { TICKER_LENGTH } from "@carewatch/domain";
import { describe, expect, it } from "vitest";
import { append, ev, iso, NO_UNITS, req, T0, WITH_UNITS } from "../test-helpers.js";
import { ENGINES } from "./engines.js";

const at = (min: number) => iso(T0 + min * 60_000);
const NOW = T0 + 2 * 3_600_000;

for (const engine of ENGINES) {
  describe(engine.name, () => {
    describe("status: the census rule (contract numbers)", () => {
      it("out-of-order census, admissions and discharges give the same numbers as in order", async () => {
        const { store } = await engine.create();
        // Arrival order: a late discharge, a late admission before the census, then the census.
        await append(store, req([ev({ type: "discharge", occurred_at: at(30), count: 3 })]));
        await append(store, req([ev({ type: "admission", occurred_at: at(5), count: 10 })])); // before the census: inside it
        await append(store, req([ev({ type: "census", occurred_at: at(10), occupied: 110 })]));
        await append(store, req([ev({ type: "admission", occurred_at: at(10), count: 4 })])); // same instant: already counted
        await append(store, req([ev({ type: "admission", occurred_at: at(20), count: 5 })]));
        const s = await store.reads.facilityStatus(NO_UNITS, NOW);
        expect(s).toMatchObject({ capacity: 150, occupied: 112, available: 38, occupancy_pct: 74.7, level: "normal", data_quality: "ok" });
        expect(s?.today).toEqual({ admissions: 19, discharges: 3, treatments: {}, referrals_open: 0 });
      });

      it("over-discharge shows 0 and inconsistent until the next census", async () => {
        const { store } = await engine.create();
        await append(store, req([ev({ type: "census", occurred_at: at(0), occupied: 2 }), ev({ type: "discharge", occurred_at: at(1), count: 5 })]));
        expect(await store.reads.facilityStatus(NO_UNITS, NOW)).toMatchObject({ occupied: 0, available: 150, data_quality: "inconsistent" });
        // Admissions bringing the total back up do not clear the flag: it stays until the next census.
        await append(store, req([ev({ type: "admission", occurred_at: at(1.5), count: 10 })]));
        expect(await store.reads.facilityStatus(NO_UNITS, NOW)).toMatchObject({ occupied: 7, data_quality: "inconsistent" });
        await append(store, req([ev({ type: "census", occurred_at: at(2), occupied: 7 })]));
        expect(await store.reads.facilityStatus(NO_UNITS, NOW)).toMatchObject({ occupied: 7, data_quality: "ok" });
      });

      it("two censuses at the same instant: the greater event_id wins, whatever the arrival order", async () => {
        for (const order of [
          ["c-a", "c-b"],
          ["c-b", "c-a"],
        ]) {
          const { store } = await engine.create();
          const census = { "c-a": 50, "c-b": 60 } as Record<string, number>;
          for (const id of order) await append(store, req([ev({ event_id: id, type: "census", occurred_at: at(0), occupied: census[id] })]));
          expect((await store.reads.facilityStatus(NO_UNITS, NOW))?.occupied).toBe(60);
        }
      });

      it("sums units, and a census capacity overrides the configured one", async () => {
        const { store } = await engine.create();
        const u = (input: Record<string, unknown>) => ev({ facility_id: WITH_UNITS, ...input });
        await append(
          store,
          req([
            u({ type: "census", unit: "acute", occurred_at: at(0), occupied: 50 }),
            u({ type: "census", unit: "long-term", occurred_at: at(0), occupied: 100, capacity: 110 }),
            u({ type: "admission", unit: "acute", occurred_at: at(1), count: 8 }),
            u({ type: "treatment", occurred_at: at(1), category: "psychiatric_care", count: 30 }),
          ]),
        );
        const s = await store.reads.facilityStatus(WITH_UNITS, NOW);
        expect(s).toMatchObject({ capacity: 170, occupied: 158, available: 12, data_quality: "ok" });
        expect(s?.units.map((x) => [x.unit_id, x.capacity, x.occupied, x.level])).toEqual([
          ["acute", 60, 58, "critical"],
          ["long-term", 110, 100, "high"],
        ]);
        expect(s?.today.treatments).toEqual({ psychiatric_care: 30 });
        // An older census with a capacity does not override the newer one.
        await append(store, req([u({ type: "census", unit: "long-term", occurred_at: at(-30), occupied: 1, capacity: 200 })]));
        expect((await store.reads.facilityStatus(WITH_UNITS, NOW))?.units[1]).toMatchObject({ capacity: 110, occupied: 100 });
      });

      it("today follows the facility's calendar day (Asia/Ho_Chi_Minh midnight = 17:00Z)", async () => {
        const { store } = await engine.create();
        await append(
          store,
          req(
            [
              ev({ type: "admission", occurred_at: "2026-11-22T16:59:59Z", count: 1 }), // 23:59:59 on the 22nd local
              ev({ type: "admission", occurred_at: "2026-11-22T17:00:00Z", count: 2 }), // 00:00:00 on the 23rd local
              ev({ type: "treatment", occurred_at: "2026-11-22T17:30:00+07:00", category: "methadone", count: 40 }),
            ],
            Date.parse("2026-11-22T17:01:00Z"),
          ),
        );
        expect((await store.reads.facilityStatus(NO_UNITS, Date.parse("2026-11-22T16:59:59.999Z")))?.today).toMatchObject({
          admissions: 1,
          treatments: { methadone: 40 },
        });
        expect((await store.reads.facilityStatus(NO_UNITS, Date.parse("2026-11-22T17:00:00Z")))?.today).toMatchObject({ admissions: 2, treatments: {} });
      });

      it("carries last_event_at (receive time, local offset), as_of_seq and staleness", async () => {
        const { store } = await engine.create();
        const received = Date.parse("2026-11-22T01:15:00Z");
        await append(store, req([ev({ type: "census", occurred_at: at(0), occupied: 3 })], received));
        const s = await store.reads.facilityStatus(NO_UNITS, received + 10 * 60_000);
        expect(s).toMatchObject({ last_event_at: "2026-11-22T08:15:00+07:00", as_of_seq: 1, stale: false });
        expect((await store.reads.facilityStatus(NO_UNITS, received + 31 * 60_000))?.stale).toBe(true);
        const empty = await store.reads.facilityStatus("sl-merit-nursing", NOW);
        expect(empty).toMatchObject({ occupied: 0, stale: true, last_event_at: null, as_of_seq: 0 });
        expect(await store.reads.facilityStatus("nowhere", NOW)).toBeUndefined();
        expect((await store.reads.board(NOW, TICKER_LENGTH)).facilities.map((b) => b.facility_id)).toEqual(store.registry.facilities.map((f) => f.id));
      });
    });
  });
}
