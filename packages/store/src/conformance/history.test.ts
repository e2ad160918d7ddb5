import { foldLedger, HISTORY_RANGES, historyBuckets, ledgerOccupancy, levelFor, type AcceptedEvent, type Facility } from "@carewatch/domain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { append, ev, iso, NO_UNITS, req, T0, WITH_UNITS } from "../test-helpers.js";
import type { Store } from "../types.js";
import { ENGINES } from "./engines.js";

const MIN = 60_000;
const at = (min: number) => iso(T0 + min * MIN);

function permute<T>(items: T[], keys: number[]): T[] {
  return items
    .map((x, i) => [x, keys[i] ?? 0, i] as const)
    .sort((a, b) => a[1] - b[1] || a[2] - b[2])
    .map(([x]) => x);
}

for (const engine of ENGINES) {
  describe(engine.name, () => {
    describe("referral steps", () => {
      const move = (facility: string, id: string, status: string, min: number, extra: Record<string, unknown> = {}) =>
        ev({ facility_id: facility, type: "referral", occurred_at: at(min), referral_id: id, status, destination: "Bệnh viện tỉnh", ...extra });

      it("records every real move, none for a repeat or a refused move, in facility, referral, at order; filters; rebuild agrees", async () => {
        const { store } = await engine.create();
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

/** Random loads of two facilities (one with units) over 40 days, with referrals, arriving in any order. */
const QUARTER = 15 * MIN;
const NOW = T0 + 12 * 3_600_000;
const load = fc
  .array(
    fc.record({
      facility: fc.constantFrom(NO_UNITS, WITH_UNITS),
      unit: fc.constantFrom("acute", "long-term"),
      kind: fc.constantFrom("census", "census", "admission", "admission", "discharge", "discharge", "treatment", "referral"),
      // Quarter hours before now: often the last few (ties, the current hour), else any of 40 days.
      back: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 40 * 96 })),
      n: fc.integer({ min: 1, max: 30 }),
      capacity: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined, freq: 3 }),
      category: fc.constantFrom("detox", "methadone"),
      referral: fc.constantFrom("R-1", "R-2", "R-3"),
      status: fc.constantFrom("requested", "accepted", "transferred", "returned", "cancelled"),
    }),
    { minLength: 1, maxLength: 50 },
  )
  .map((specs) =>
    specs.map((s, i) => {
      const base: Record<string, unknown> = { facility_id: s.facility, event_id: `p-${i}`, occurred_at: iso(NOW - s.back * QUARTER) };
      if (s.facility === WITH_UNITS && s.kind !== "treatment" && s.kind !== "referral") base.unit = s.unit;
      if (s.kind === "census") return ev({ ...base, type: "census", occupied: s.n * 3, capacity: s.capacity });
      if (s.kind === "treatment") return ev({ ...base, type: "treatment", category: s.category, count: s.n });
      if (s.kind === "referral") return ev({ ...base, type: "referral", referral_id: s.referral, status: s.status, destination: "Bệnh viện tỉnh" });
      return ev({ ...base, type: s.kind, count: Math.ceil(s.n / 3) });
    }),
  );

/** One request per event (a refused referral move refuses only itself); the events the log kept, in seq order. */
async function feed(store: Store, events: AcceptedEvent[]): Promise<AcceptedEvent[]> {
  const outcomes = await store.log.append(events.map((e) => ({ facilityId: e.event.facility_id, events: [e], receivedAt: NOW - MIN })));
  return events.filter((_, i) => outcomes[i]?.ok);
}

const keysOf = (f: Facility) => (f.units.length ? f.units.map((u) => u.id) : [""]);
const configuredCapacity = (f: Facility, key: string) => (f.units.length ? (f.units.find((u) => u.id === key)?.capacity ?? 0) : f.capacity);

/** The answer recomputed from the events alone: the domain's census rule per unit, counts by occurred_at. */
function recompute(f: Facility, events: AcceptedEvent[], b: { start: number; end: number; at: number }) {
  const mine = events.filter((e) => e.event.facility_id === f.id);
  let occupied = 0;
  let capacity = 0;
  for (const k of keysOf(f)) {
    const ledger = foldLedger(
      mine.filter((e) => e.occurredAtMs <= b.at && e.event.type !== "treatment" && e.event.type !== "referral" && (e.event.unit ?? "") === k),
    );
    occupied += ledgerOccupancy(ledger).occupied;
    capacity += ledger.capacity?.value ?? configuredCapacity(f, k);
  }
  const inBucket = mine.filter((e) => e.occurredAtMs >= b.start && e.occurredAtMs < b.end);
  const sum = (type: string) => inBucket.reduce((s, e) => s + (e.event.type === type ? (e.event as { count: number }).count : 0), 0);
  const treatments: Record<string, number> = {};
  for (const e of inBucket) if (e.event.type === "treatment") treatments[e.event.category] = (treatments[e.event.category] ?? 0) + e.event.count;
  return { occupied, capacity, admissions: sum("admission"), discharges: sum("discharge"), treatments };
}

for (const engine of ENGINES) {
  describe(engine.name, () => {
    describe("history and as of (properties)", () => {
      it("history's per-bucket occupied, capacity and counts equal a recomputation from the events, for any arrival order", async () => {
        await fc.assert(
          fc.asyncProperty(load, fc.array(fc.nat(), { minLength: 50, maxLength: 50 }), async (events, order) => {
            const t = await engine.create();
            try {
              const kept = await feed(t.store, permute(events, order));
              for (const id of [NO_UNITS, WITH_UNITS]) {
                const f = t.registry.byId.get(id)!;
                for (const range of HISTORY_RANGES) {
                  const h = await t.store.reads.history(id, range, NOW);
                  expect(h?.points).toHaveLength(historyBuckets(range, NOW, f.timeZone).length);
                  for (const p of h!.points) {
                    const want = recompute(f, kept, p);
                    expect({
                      occupied: p.occupied,
                      capacity: p.capacity,
                      admissions: p.admissions,
                      discharges: p.discharges,
                      treatments: p.treatments,
                    }).toEqual(want);
                    expect(p.level).toBe(levelFor(want.occupied, want.capacity, f.thresholds));
                  }
                }
              }
            } finally {
              await t.dispose();
            }
          }),
          { numRuns: 20 },
        );
      }, 120_000);

      it("asOf(at) equals the status of a fresh store fed only the events that had occurred by then", async () => {
        await fc.assert(
          fc.asyncProperty(
            load,
            fc.array(fc.nat(), { minLength: 50, maxLength: 50 }),
            fc.integer({ min: 0, max: 41 * 96 }),
            fc.nat(QUARTER),
            async (events, order, back, jitter) => {
              const t = await engine.create();
              const fresh = await engine.create();
              try {
                const kept = await feed(t.store, permute(events, order));
                // Often exactly on an event's instant (ties: occurred_at ≤ at), else anywhere.
                const at = back % 3 === 0 && kept.length ? kept[back % kept.length]!.occurredAtMs : NOW - back * QUARTER + jitter;
                const before = kept.filter((e) => e.occurredAtMs <= at);
                // In commit order, each of them is again accepted (a subset of a referral's chain is a chain).
                expect(await feed(fresh.store, before)).toEqual(before);
                for (const id of [NO_UNITS, WITH_UNITS]) {
                  const past = await t.store.reads.asOf(id, at);
                  const want = await fresh.store.reads.facilityStatus(id, at);
                  const { as_of_seq: _a, last_event_at: _l, stale: _s, ...rest } = want!;
                  expect(past?.status).toMatchObject(rest);
                  expect(past?.open_referrals).toHaveLength(want!.today.referrals_open);
                }
              } finally {
                await t.dispose();
                await fresh.dispose();
              }
            },
          ),
          { numRuns: 25 },
        );
      }, 120_000);
    });

    describe("as of and the events behind a point (examples)", () => {
      it("counts today up to the instant, with the current hour from the log, and flags inconsistent as it stood", async () => {
        const { store } = await engine.create();
        const day = Date.parse("2026-11-22T00:00:00+07:00");
        const h = (hours: number, min = 0) => iso(day + hours * 3_600_000 + min * MIN);
        await append(
          store,
          req([
            ev({ event_id: "c1", type: "census", occurred_at: h(8), occupied: 2, capacity: 120 }),
            ev({ event_id: "d1", type: "discharge", occurred_at: h(9, 10), count: 3 }), // dips below zero
            ev({ event_id: "a1", type: "admission", occurred_at: h(9, 40), count: 5 }),
            ev({ event_id: "c2", type: "census", occurred_at: h(10), occupied: 50 }),
            ev({ event_id: "t1", type: "treatment", occurred_at: h(9, 20), category: "detox", count: 4 }),
            ev({ event_id: "old", type: "admission", occurred_at: h(-2), count: 7 }), // yesterday
            ev({
              event_id: "r1",
              type: "referral",
              occurred_at: h(9, 30),
              referral_id: "R-1",
              status: "requested",
              destination: "Bệnh viện tỉnh",
              urgency: "urgent",
            }),
            ev({ event_id: "r2", type: "referral", occurred_at: h(11), referral_id: "R-1", status: "returned", destination: "Bệnh viện tỉnh" }),
            // A repeat that says it occurred first: as of 9:30 it is the referral's only event.
            ev({ event_id: "r3", type: "referral", occurred_at: h(11), referral_id: "R-2", status: "requested", destination: "Trung tâm Y tế" }),
            ev({ event_id: "r4", type: "referral", occurred_at: h(9), referral_id: "R-2", status: "requested", destination: "Trung tâm Y tế" }),
          ]),
        );
        const at930 = await store.reads.asOf(NO_UNITS, day + 9.5 * 3_600_000);
        expect(at930?.status).toMatchObject({ occupied: 0, capacity: 120, data_quality: "inconsistent", level: "normal" });
        expect(at930?.status.today).toEqual({ admissions: 0, discharges: 3, treatments: { detox: 4 }, referrals_open: 2 });
        expect(at930?.open_referrals).toEqual([
          { status: "requested", destination: "Trung tâm Y tế", urgency: null, since: day + 9 * 3_600_000 },
          { status: "requested", destination: "Bệnh viện tỉnh", urgency: "urgent", since: day + 9.5 * 3_600_000 },
        ]);
        expect(at930?.status.last_event_at).toBe("2026-11-22T09:30:00+07:00");
        const at950 = await store.reads.asOf(NO_UNITS, day + 9 * 3_600_000 + 50 * MIN);
        expect(at950?.status).toMatchObject({ occupied: 4, data_quality: "inconsistent" });
        expect(at950?.status.today.admissions).toBe(5);
        const at12 = await store.reads.asOf(NO_UNITS, day + 12 * 3_600_000);
        expect(at12?.status).toMatchObject({ occupied: 50, data_quality: "ok", today: { referrals_open: 1 } });
        expect(at12?.open_referrals.map((r) => r.destination)).toEqual(["Trung tâm Y tế"]);
        expect((await store.reads.asOf(NO_UNITS, day + 8 * 3_600_000))?.status.today.referrals_open).toBe(0);
        expect(await store.reads.asOf("no-such-facility", day)).toBeUndefined();
      });

      it("lists the events behind a bucket, oldest first, without ids, with the total when there are more", async () => {
        const { store } = await engine.create();
        await append(
          store,
          req([
            ev({ event_id: "x2", type: "admission", occurred_at: at(20), count: 2 }),
            ev({ event_id: "x1", type: "census", occurred_at: at(10), occupied: 9 }),
            ev({ event_id: "x3", type: "discharge", occurred_at: at(70), count: 1 }),
          ]),
        );
        await append(store, req([ev({ facility_id: WITH_UNITS, event_id: "y1", type: "treatment", occurred_at: at(15), category: "detox", count: 1 })]));
        const page = await store.reads.eventsBetween(NO_UNITS, T0, T0 + 60 * MIN);
        expect(await store.reads.eventsBetween(WITH_UNITS, T0, T0 + 60 * MIN)).toMatchObject({ total: 1, events: [{ type: "treatment" }] });
        expect(page?.total).toBe(2);
        expect(page?.events.map((e) => [e.type, e.detail])).toEqual([
          ["census", { occupied: 9 }],
          ["admission", { count: 2 }],
        ]);
        expect(JSON.stringify(page)).not.toContain("x1");
        const one = await store.reads.eventsBetween(NO_UNITS, T0, T0 + 120 * MIN, 1);
        expect(one).toMatchObject({ total: 3, events: [{ type: "census" }] });
      });
    });
  });
}
