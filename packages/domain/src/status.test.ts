import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { demoRegistryDocument } from "./demo-data.js";
import type { FacilityEvent } from "./events.js";
import { foldLedger, type UnitLedger } from "./occupancy.js";
import { parseRegistry, type Facility } from "./registry.js";
import { isStale } from "./staleness.js";
import { facilityStatus, type StatusInputs } from "./status.js";
import type { AcceptedEvent } from "./validate.js";

const parsed = parseRegistry(demoRegistryDocument);
if (!parsed.ok) throw new Error(parsed.problems.join("; "));
const reg = parsed.registry;
const fac = (id: string): Facility => reg.byId.get(id)!;

const NOW = Date.UTC(2026, 10, 22, 1, 15); // 08:15 +07:00
const MIN = 60_000;
let n = 0;
const ev = (event: Omit<FacilityEvent, "event_id" | "facility_id" | "occurred_at">, at: number): AcceptedEvent => ({
  event: { event_id: `e${n++}`, facility_id: "f", occurred_at: new Date(at).toISOString(), ...event } as FacilityEvent,
  occurredAtMs: at,
});
const censusLedger = (occupied: number, capacity?: number, at = NOW - 10 * MIN): UnitLedger =>
  foldLedger([ev({ type: "census", occupied, ...(capacity === undefined ? {} : { capacity }) } as never, at)]);

const today = { admissions: 3, discharges: 1, treatments: { methadone: 40 }, referrals_open: 2 };
const inputs = (facility: Facility, ledgers: Record<string, UnitLedger>, over: Partial<StatusInputs> = {}): StatusInputs => ({
  facility,
  ledgers: new Map(Object.entries(ledgers)),
  today,
  lastAcceptedAt: NOW - MIN,
  asOfSeq: 1042,
  now: NOW,
  ...over,
});

describe("a facility without units (the contract example)", () => {
  it("112 of 150 → 38 available, 74.7 %, normal", () => {
    const s = facilityStatus(inputs(fac("sl-drug-rehab-song-ma"), { "": censusLedger(112) }, { lastAcceptedAt: Date.UTC(2026, 10, 22, 1, 15) }));
    expect(s).toMatchObject({
      facility_id: "sl-drug-rehab-song-ma",
      type: "drug_rehab",
      province: "son-la",
      capacity: 150,
      occupied: 112,
      available: 38,
      occupancy_pct: 74.7,
      level: "normal",
      stale: false,
      data_quality: "ok",
      last_event_at: "2026-11-22T08:15:00+07:00",
      as_of_seq: 1042,
      reporting_interval_minutes: 15,
      today,
      units: [],
    });
  });

  it("movements after the census count", () => {
    const ledger = foldLedger([
      ev({ type: "census", occupied: 100 } as never, NOW - 60 * MIN),
      ev({ type: "admission", count: 5 } as never, NOW - 30 * MIN),
      ev({ type: "discharge", count: 2 } as never, NOW - 20 * MIN),
    ]);
    expect(facilityStatus(inputs(fac("sl-drug-rehab-song-ma"), { "": ledger })).occupied).toBe(103);
  });

  it("over capacity: available 0, never negative; level over", () => {
    const s = facilityStatus(inputs(fac("lc-drug-rehab-2"), { "": censusLedger(350) }));
    expect(s).toMatchObject({ capacity: 300, occupied: 350, available: 0, occupancy_pct: 116.7, level: "over" });
  });

  it("no ledger yet: 0 occupied, everything available", () => {
    const s = facilityStatus(inputs(fac("lc-social-work"), {}));
    expect(s).toMatchObject({ capacity: 130, occupied: 0, available: 130, occupancy_pct: 0, level: "normal", data_quality: "ok" });
  });

  it("a census capacity overrides the configured one", () => {
    const s = facilityStatus(inputs(fac("sl-drug-rehab-song-ma"), { "": censusLedger(112, 120) }));
    expect(s).toMatchObject({ capacity: 120, available: 8, occupancy_pct: 93.3, level: "high" });
  });

  it("capacity 0: occupancy_pct null, available 0", () => {
    const s = facilityStatus(inputs(fac("sl-drug-rehab-song-ma"), { "": censusLedger(0, 0) }));
    expect(s).toMatchObject({ capacity: 0, occupied: 0, available: 0, occupancy_pct: null, level: "normal" });
    const full = facilityStatus(inputs(fac("sl-drug-rehab-song-ma"), { "": censusLedger(4, 0) }));
    expect(full).toMatchObject({ capacity: 0, occupied: 4, available: 0, occupancy_pct: null });
    const configuredZero: Facility = { ...fac("lc-drug-rehab-2"), capacity: 0 };
    expect(facilityStatus(inputs(configuredZero, {})).occupancy_pct).toBeNull();
  });

  it("discharges below zero: occupied 0 and inconsistent", () => {
    const ledger = foldLedger([ev({ type: "census", occupied: 1 } as never, NOW - 60 * MIN), ev({ type: "discharge", count: 3 } as never, NOW - 5 * MIN)]);
    const s = facilityStatus(inputs(fac("sl-drug-rehab-song-ma"), { "": ledger }));
    expect(s).toMatchObject({ occupied: 0, available: 150, data_quality: "inconsistent" });
  });

  it("rounds occupancy_pct to one decimal", () => {
    const pct = (occ: number) => facilityStatus(inputs(fac("sl-drug-rehab-song-ma"), { "": censusLedger(occ) })).occupancy_pct;
    expect(pct(112)).toBe(74.7); // 74.666…
    expect(pct(1)).toBe(0.7); // 0.666…
    expect(pct(100)).toBe(66.7);
    expect(pct(150)).toBe(100);
    expect(pct(128)).toBe(85.3);
  });
});

describe("a facility with units", () => {
  const f = fac("sl-drug-rehab"); // compulsory 260, voluntary 80, female 40, medical 20

  it("sums its units; each unit has its own numbers", () => {
    const s = facilityStatus(inputs(f, { compulsory: censusLedger(250), voluntary: censusLedger(90), female: censusLedger(10) }));
    expect(s).toMatchObject({ capacity: 400, occupied: 350, available: 50, occupancy_pct: 87.5, level: "high", data_quality: "ok" });
    expect(s.units.map((u) => u.unit_id)).toEqual(["compulsory", "voluntary", "female", "medical"]);
    const v = s.units.find((u) => u.unit_id === "voluntary")!;
    expect(v).toMatchObject({ capacity: 80, occupied: 90, available: 0, occupancy_pct: 112.5, level: "over", data_quality: "ok" });
    const m = s.units.find((u) => u.unit_id === "medical")!;
    expect(m).toMatchObject({ capacity: 20, occupied: 0, available: 20, occupancy_pct: 0, level: "normal" });
    expect(s.units.find((u) => u.unit_id === "compulsory")).toMatchObject({ occupancy_pct: 96.2, level: "critical" });
  });

  it("a unit's census capacity changes the facility's capacity", () => {
    const s = facilityStatus(inputs(f, { medical: censusLedger(5, 10) }));
    expect(s.capacity).toBe(390);
    expect(s.units.find((u) => u.unit_id === "medical")).toMatchObject({ capacity: 10, occupied: 5, available: 5, occupancy_pct: 50 });
  });

  it("one inconsistent unit makes the facility inconsistent", () => {
    const bad = foldLedger([ev({ type: "census", occupied: 0 } as never, NOW - 60 * MIN), ev({ type: "discharge", count: 1 } as never, NOW - MIN)]);
    const s = facilityStatus(inputs(f, { compulsory: censusLedger(100), female: bad }));
    expect(s.data_quality).toBe("inconsistent");
    expect(s.units.find((u) => u.unit_id === "female")!.data_quality).toBe("inconsistent");
    expect(s.units.find((u) => u.unit_id === "compulsory")!.data_quality).toBe("ok");
    expect(s.occupied).toBe(100);
  });

  it("property: facility numbers are the sums of unit numbers; available never below 0", () => {
    const unitArb = fc.option(
      fc.record({ occupied: fc.integer({ min: 0, max: 500 }), capacity: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }) }),
      { nil: undefined },
    );
    fc.assert(
      fc.property(fc.tuple(unitArb, unitArb, unitArb, unitArb), (specs) => {
        const ledgers: Record<string, UnitLedger> = {};
        f.units.forEach((u, i) => {
          const spec = specs[i];
          if (spec) ledgers[u.id] = censusLedger(spec.occupied, spec.capacity);
        });
        const s = facilityStatus(inputs(f, ledgers));
        expect(s.occupied).toBe(s.units.reduce((a, u) => a + u.occupied, 0));
        expect(s.capacity).toBe(s.units.reduce((a, u) => a + u.capacity, 0));
        expect(s.available).toBe(Math.max(0, s.capacity - s.occupied));
        expect(s.available).toBeGreaterThanOrEqual(0);
        for (const u of s.units) {
          expect(u.available).toBe(Math.max(0, u.capacity - u.occupied));
          if (u.capacity === 0) expect(u.occupancy_pct).toBeNull();
          // One division of integers (exact at ties such as 323/80 = 403.75 %), then one rounding.
          else expect(u.occupancy_pct).toBe(Math.round((u.occupied * 1000) / u.capacity) / 10);
        }
        if (s.capacity === 0) expect(s.occupancy_pct).toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});

describe("stale and last_event_at", () => {
  const f = fac("sl-drug-rehab-song-ma"); // 15-minute interval
  const at = (lastAcceptedAt: number | null) => facilityStatus(inputs(f, {}, { lastAcceptedAt }));

  it("no event ever: stale, last_event_at null", () => {
    expect(at(null)).toMatchObject({ stale: true, last_event_at: null });
  });

  it("stale only after more than twice the reporting interval", () => {
    expect(at(NOW).stale).toBe(false);
    expect(at(NOW - 30 * MIN).stale).toBe(false); // exactly 2 × 15 min
    expect(at(NOW - 30 * MIN - 1).stale).toBe(true);
    expect(at(NOW - 3 * 60 * MIN).stale).toBe(true);
  });

  it("uses the facility's own interval", () => {
    const slow = fac("sl-merit-nursing"); // 60 minutes
    expect(facilityStatus(inputs(slow, {}, { lastAcceptedAt: NOW - 120 * MIN })).stale).toBe(false);
    expect(facilityStatus(inputs(slow, {}, { lastAcceptedAt: NOW - 120 * MIN - 1 })).stale).toBe(true);
    expect(isStale(NOW - 61 * MIN, 30, NOW)).toBe(true);
    expect(isStale(NOW - 60 * MIN, 30, NOW)).toBe(false);
  });

  it("last_event_at is RFC 3339 in the facility's zone (+07:00)", () => {
    expect(at(Date.UTC(2026, 10, 22, 1, 15)).last_event_at).toBe("2026-11-22T08:15:00+07:00");
    expect(at(Date.UTC(2026, 10, 21, 17, 0, 5)).last_event_at).toBe("2026-11-22T00:00:05+07:00");
    const berlin: Facility = { ...f, timeZone: "Europe/Berlin" };
    expect(facilityStatus(inputs(berlin, {}, { lastAcceptedAt: Date.UTC(2026, 10, 22, 1, 15) })).last_event_at).toBe("2026-11-22T02:15:00+01:00");
  });
});

describe("labels and thresholds", () => {
  it("carries names, type and province from the registry", () => {
    const f = fac("sl-psychiatric");
    const s = facilityStatus(inputs(f, {}));
    expect(s).toMatchObject({ facility_id: f.id, name: f.name, name_en: f.nameEn, type: "psychiatric", province: "son-la" });
    expect(s.units.map((u) => [u.unit_id, u.name, u.name_en])).toEqual(f.units.map((u) => [u.id, u.name, u.nameEn]));
  });

  it("uses the facility's thresholds", () => {
    const f: Facility = { ...fac("sl-drug-rehab-song-ma"), thresholds: { high: 50, critical: 70, over: 90 } };
    const level = (occ: number) => facilityStatus(inputs(f, { "": censusLedger(occ) })).level;
    expect(level(74)).toBe("normal");
    expect(level(75)).toBe("high");
    expect(level(105)).toBe("critical");
    expect(level(135)).toBe("critical");
    expect(level(136)).toBe("over");
  });
});
