import { facilityStatus, foldLedger, type AcceptedEvent, type FacilityStatus, type UnitLedger } from "@carewatch/domain";
import Database from "better-sqlite3";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createTestStore, ev, iso, NO_UNITS, req, T0, WITH_UNITS } from "./test-helpers.js";
import type { AppendRequest } from "./types.js";

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
  return items.map((x, i) => [x, keys[i] ?? 0, i] as const).sort((a, b) => a[1] - b[1] || a[2] - b[2]).map(([x]) => x);
}

/** What the board shows, minus as_of_seq (a seq depends on arrival order by definition). */
const comparable = (statuses: FacilityStatus[]) => statuses.map(({ as_of_seq: _, ...rest }) => rest);

describe("projections vs the log (properties)", () => {
  it("equal the domain fold over the same set, for any arrival order", () => {
    fc.assert(
      fc.property(eventSet, fc.array(fc.nat(), { minLength: 40, maxLength: 40 }), (events, keys) => {
        const a = createTestStore();
        const b = createTestStore();
        try {
          a.store.appendMany(oneRequestEach(events));
          b.store.appendMany(oneRequestEach(permute(events, keys)));
          expect(comparable(b.store.boardStatuses(NOW))).toEqual(comparable(a.store.boardStatuses(NOW)));
          expect(b.store.trend(WITH_UNITS, NOW)).toEqual(a.store.trend(WITH_UNITS, NOW));

          for (const f of [a.registry.byId.get(NO_UNITS), a.registry.byId.get(WITH_UNITS)]) {
            if (!f) throw new Error("registry");
            const mine = events.filter((e) => e.event.facility_id === f.id);
            const keysOf = f.units.length ? f.units.map((u) => u.id) : [""];
            const ledgers = new Map<string, UnitLedger>(
              keysOf.map((k) => [k, foldLedger(mine.filter((e) => e.event.type !== "treatment" && (e.event.unit ?? "") === k))]),
            );
            const stored = a.store.facilityStatus(f.id, NOW);
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
            expect(a.store.trend(f.id, NOW).at(-1)?.occupied).toBe(stored.occupied);
          }
        } finally {
          a.dispose();
          b.dispose();
        }
      }),
      { numRuns: 30 },
    );
  });

  it("rebuild finds no difference after a random load with referrals, duplicates and conflicts", () => {
    const referral = fc.record({
      id: fc.constantFrom("R-1", "R-2", "R-3"),
      status: fc.constantFrom("requested", "accepted", "transferred", "returned", "cancelled"),
      minute: fc.integer({ min: 0, max: 40 }),
    });
    fc.assert(
      fc.property(eventSet, fc.array(referral, { maxLength: 15 }), fc.integer({ min: 1, max: 5 }), (events, refs, groups) => {
        const t = createTestStore();
        try {
          const referrals = refs.map((r, i) =>
            ev({ event_id: `ref-${i}`, type: "referral", occurred_at: iso(T0 + r.minute * 15 * MIN), referral_id: r.id, status: r.status, destination: "Bệnh viện tỉnh" }),
          );
          // Retries (duplicates) and a reused id with a different body (conflict) mixed in.
          const all = [...events, ...referrals];
          const retry = all.slice(0, 3);
          const clash = events[0] ? [ev({ ...events[0].event, occurred_at: iso(T0 - MIN) })] : [];
          const reqs = [...oneRequestEach(all), ...oneRequestEach(retry), ...oneRequestEach(clash)];
          const size = Math.ceil(reqs.length / groups);
          for (let i = 0; i < reqs.length; i += size) t.store.appendMany(reqs.slice(i, i + size));

          const before = t.store.boardStatuses(NOW);
          const report = t.store.rebuild();
          expect(report.differences).toEqual([]);
          expect(report.events).toBe(t.store.countEvents());
          expect(t.store.boardStatuses(NOW)).toEqual(before);
        } finally {
          t.dispose();
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe("rebuild", () => {
  it("reports corrupted projection rows, repairs them, and then finds nothing", () => {
    const t = createTestStore();
    t.store.append(req([
      ev({ type: "census", occurred_at: iso(T0), occupied: 10 }),
      ev({ type: "admission", occurred_at: iso(T0 + MIN), count: 2 }),
      ev({ type: "treatment", occurred_at: iso(T0 + MIN), category: "methadone", count: 40 }),
      ev({ type: "referral", occurred_at: iso(T0 + MIN), referral_id: "R-1", status: "requested", destination: "Bệnh viện tỉnh" }),
    ], NOW - MIN));
    const good = t.store.facilityStatus(NO_UNITS, NOW);
    expect(good?.occupied).toBe(12);

    const raw = new Database(t.path);
    raw.prepare("UPDATE unit_state SET net_after = net_after + 5").run();
    raw.prepare("DELETE FROM rollup_daily WHERE metric = 'treatment:methadone'").run();
    raw.prepare("INSERT INTO referrals VALUES (?, 'R-x', 'requested', 'Nowhere', NULL, 0, 0, 99)").run(NO_UNITS);
    raw.close();
    expect(t.store.facilityStatus(NO_UNITS, NOW)?.occupied).toBe(17);

    const report = t.store.rebuild();
    expect(report.events).toBe(4);
    expect(report.differences).toEqual([
      `unit_state [${NO_UNITS} / ]: net_after stored 7, log gives 2`,
      `referrals [${NO_UNITS} / R-x]: stored row not produced by the log`,
      `rollup_daily [${NO_UNITS} / 2026-11-22 / treatment:methadone]: missing (the log gives one)`,
    ]);
    expect(t.store.facilityStatus(NO_UNITS, NOW)).toEqual(good);
    expect(t.store.rebuild().differences).toEqual([]);
  });

  it("reports progress every 1,000 events", () => {
    const t = createTestStore();
    const events = Array.from({ length: 2500 }, (_, i) => ev({ type: "admission", occurred_at: iso(T0 + i * 1000) }));
    for (let i = 0; i < events.length; i += 1000) t.store.append(req(events.slice(i, i + 1000)));
    const calls: [number, number][] = [];
    const report = t.store.rebuild((done, total) => calls.push([done, total]));
    expect(calls).toEqual([[1000, 2500], [2000, 2500], [2500, 2500]]);
    expect(report.differences).toEqual([]);
    expect(t.store.facilityStatus(NO_UNITS, NOW)?.occupied).toBe(2500);
  });
});
