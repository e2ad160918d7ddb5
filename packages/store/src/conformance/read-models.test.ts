import { TICKER_LENGTH } from "@carewatch/domain";
import { describe, expect, it } from "vitest";
import { append, ev, iso, NO_UNITS, req, T0, WITH_UNITS } from "../test-helpers.js";
import { ENGINES } from "./engines.js";

const H = 3_600_000;

for (const engine of ENGINES) {
  describe(engine.name, () => {
    describe("trend", () => {
      it("gives occupied as of the end of each of the last local hours plus now, from the log", async () => {
        const { store } = await engine.create();
        const now = T0 + 30 * 60_000; // 08:30 local; the last hour ended at 08:00 local = T0
        const u = (input: Record<string, unknown>) => ev({ facility_id: WITH_UNITS, ...input });
        await append(
          store,
          req([
            u({ type: "census", unit: "acute", occurred_at: iso(T0 - 5 * H), occupied: 10 }),
            u({ type: "admission", unit: "acute", occurred_at: iso(T0 - 4 * H - 1), count: 2 }), // in the hour ending T0-4h
            u({ type: "admission", unit: "acute", occurred_at: iso(T0 - 3 * H), count: 3 }), // exactly at an hour end: counts for it
            u({ type: "census", unit: "long-term", occurred_at: iso(T0 - 2 * H - 30 * 60_000), occupied: 100 }),
            u({ type: "discharge", unit: "long-term", occurred_at: iso(T0 + 10 * 60_000), count: 1 }),
            // Arrives late, in the past: a census that resets acute to 20 at T0-1h.
            u({ type: "census", unit: "acute", occurred_at: iso(T0 - H), occupied: 20 }),
            // Same instant as that census: already counted in it.
            u({ type: "admission", unit: "acute", occurred_at: iso(T0 - H), count: 7 }),
          ]),
        );
        const points = await store.reads.trend(WITH_UNITS, now);
        expect(points).toHaveLength(25);
        expect(points[23]?.t).toBe(T0);
        expect(points[24]).toEqual({ t: now, occupied: 119 });
        const byT = new Map(points.map((p) => [p.t, p.occupied]));
        expect(byT.get(T0 - 6 * H)).toBe(0);
        expect(byT.get(T0 - 5 * H)).toBe(10);
        expect(byT.get(T0 - 4 * H)).toBe(12);
        expect(byT.get(T0 - 3 * H)).toBe(15);
        expect(byT.get(T0 - 2 * H)).toBe(115);
        expect(byT.get(T0 - H)).toBe(120);
        expect(byT.get(T0)).toBe(120);
        expect(points[0]?.t).toBe(T0 - 23 * H);
        // The latest point equals the projection's status: same rule, two code paths.
        expect(points[24]?.occupied).toBe((await store.reads.facilityStatus(WITH_UNITS, now))?.occupied);
        // Fewer hours on request; an unknown facility has no trend.
        expect((await store.reads.trend(WITH_UNITS, now, 3)).map((p) => p.t)).toEqual([T0 - 2 * H, T0 - H, T0, now]);
        expect(await store.reads.trend("nowhere", now)).toEqual([]);
      });

      it("does not depend on arrival order and clamps below-zero to 0", async () => {
        const events = [
          ev({ event_id: "c", type: "census", occurred_at: iso(T0 - 3 * H), occupied: 1 }),
          ev({ event_id: "d", type: "discharge", occurred_at: iso(T0 - 2 * H), count: 4 }),
          ev({ event_id: "a", type: "admission", occurred_at: iso(T0 - H / 2), count: 9 }),
        ];
        const a = await engine.create();
        await append(a.store, req(events));
        const b = await engine.create();
        for (const e of [...events].reverse()) await append(b.store, req([e]));
        const ta = await a.store.reads.trend(NO_UNITS, T0);
        expect(ta).toEqual(await b.store.reads.trend(NO_UNITS, T0));
        const byT = new Map(ta.map((p) => [p.t, p.occupied]));
        expect([byT.get(T0 - 4 * H), byT.get(T0 - 3 * H), byT.get(T0 - 2 * H), byT.get(T0 - H), byT.get(T0)]).toEqual([0, 1, 0, 0, 6]);
      });
    });

    describe("board (ticker), changesSince", () => {
      it("ticker lines carry only counts and labels, newest first", async () => {
        const { store } = await engine.create();
        await append(
          store,
          req(
            [
              ev({ type: "admission", occurred_at: iso(T0), count: 2, cohort: "voluntary" }),
              ev({
                event_id: "ref-1",
                type: "referral",
                occurred_at: iso(T0),
                referral_id: "R-1",
                status: "requested",
                destination: "Bệnh viện tỉnh",
                urgency: "emergency",
              }),
            ],
            T0 + 1000,
          ),
        );
        await append(store, req([ev({ facility_id: WITH_UNITS, type: "census", unit: "acute", occurred_at: iso(T0), occupied: 9, capacity: 60 })]));
        const lines = (await store.reads.board(T0, 10)).ticker;
        expect(lines.map((l) => l.seq)).toEqual([3, 2, 1]);
        expect(lines[2]).toEqual({
          seq: 1,
          facility_id: NO_UNITS,
          type: "admission",
          detail: { count: 2, cohort: "voluntary" },
          unit: null,
          occurred_at: iso(T0),
          received_at: T0 + 1000,
        });
        expect(lines[1]?.detail).toEqual({ status: "requested", urgency: "emergency", destination: "Bệnh viện tỉnh" });
        expect(lines[0]).toMatchObject({ unit: "acute", detail: { occupied: 9, capacity: 60 } });
        expect(JSON.stringify(lines)).not.toContain("R-1");
        expect((await store.reads.board(T0, 1)).ticker).toHaveLength(1);
      });

      it("board: seq equals lastSeq, every registry facility in order, statuses as facilityStatus gives them", async () => {
        const { store, registry } = await engine.create();
        const empty = await store.reads.board(T0, TICKER_LENGTH);
        expect(empty.seq).toBe(0);
        expect(empty.ticker).toEqual([]);
        expect(empty.facilities.map((f) => f.facility_id)).toEqual(registry.facilities.map((f) => f.id));

        await append(store, req([ev({ type: "census", occurred_at: iso(T0), occupied: 12 }), ev({ type: "admission", occurred_at: iso(T0 + 1), count: 3 })]));
        await append(store, req([ev({ facility_id: WITH_UNITS, unit: "acute", type: "admission", occurred_at: iso(T0), count: 4 })]));
        const b = await store.reads.board(T0 + H, TICKER_LENGTH);
        expect(b.seq).toBe(await store.log.lastSeq());
        expect(b.seq).toBe(3);
        expect(b.facilities.map((f) => f.facility_id)).toEqual(registry.facilities.map((f) => f.id));
        for (const f of b.facilities) {
          expect(f).toEqual(await store.reads.facilityStatus(f.facility_id, T0 + H));
          // Consistent with the seq: no status reflects an event after it.
          expect(f.as_of_seq).toBeLessThanOrEqual(b.seq);
        }
        const byId = new Map(b.facilities.map((f) => [f.facility_id, f]));
        expect(byId.get(NO_UNITS)).toMatchObject({ occupied: 15, as_of_seq: 2 });
        expect(byId.get(WITH_UNITS)).toMatchObject({ occupied: 4, as_of_seq: 3 });
        expect(b.ticker.map((l) => l.seq)).toEqual([3, 2, 1]);
        expect(b.ticker[0]?.seq).toBe(b.seq);
        // The ticker is as long as asked, at most.
        for (let i = 0; i < 40; i++) await append(store, req([ev({ type: "admission", occurred_at: iso(T0 + 10 + i) })]));
        const full = await store.reads.board(T0 + H, TICKER_LENGTH);
        expect(full.ticker).toHaveLength(TICKER_LENGTH);
        expect(full.ticker[0]?.seq).toBe(full.seq);
        expect(full.seq).toBe(43);
      });

      it("changesSince returns the touched facilities' statuses and the newer ticker lines, or null when too far behind", async () => {
        const { store } = await engine.create();
        await append(store, req([ev({ type: "admission", occurred_at: iso(T0) })]));
        const mark = await store.log.lastSeq();
        await append(store, req([ev({ facility_id: WITH_UNITS, unit: "acute", type: "admission", occurred_at: iso(T0), count: 4 })]));
        await append(store, req([ev({ facility_id: WITH_UNITS, unit: "acute", type: "discharge", occurred_at: iso(T0) })]));
        const c = await store.reads.changesSince(mark, T0 + H);
        expect(c?.seq).toBe(3);
        expect(c?.facilities.map((f) => [f.facility_id, f.occupied, f.as_of_seq])).toEqual([[WITH_UNITS, 3, 3]]);
        expect(c?.ticker.map((l) => l.seq)).toEqual([3, 2]);
        expect(await store.reads.changesSince(3, T0)).toEqual({ seq: 3, facilities: [], ticker: [] });
        expect(await store.reads.changesSince(0, T0, 2)).toBeNull();
        expect(await store.reads.changesSince(99, T0)).toBeNull(); // ahead of the store: take a snapshot
      });
    });

    describe("countEvents", () => {
      it("counts the log's events, duplicates and refused requests not included", async () => {
        const { store } = await engine.create();
        expect(await store.reads.countEvents()).toBe(0);
        await append(
          store,
          req([ev({ event_id: "a", type: "admission", occurred_at: iso(T0) }), ev({ event_id: "b", type: "admission", occurred_at: iso(T0) })]),
        );
        await append(store, req([ev({ event_id: "a", type: "admission", occurred_at: iso(T0) })]));
        await append(
          store,
          req([ev({ event_id: "c", type: "admission", occurred_at: iso(T0) }), ev({ event_id: "b", type: "discharge", occurred_at: iso(T0) })]),
        );
        expect(await store.reads.countEvents()).toBe(2);
      });
    });
  });
}
