import { levelFor, occupancyPct, round1 } from "./levels.js";
import { EMPTY_LEDGER as EMPTY, ledgerOccupancy, type UnitLedger } from "./occupancy.js";
import type { Facility } from "./registry.js";
import { isStale } from "./staleness.js";
import type { FacilityStatus, TodayCounts, UnitStatus } from "./status-schema.js";
import { toZonedIso } from "./time.js";

export interface StatusInputs {
  facility: Facility;
  /** Ledger per unit id; facilities without units use the key "" (the facility itself). */
  ledgers: ReadonlyMap<string, UnitLedger>;
  today: TodayCounts;
  lastAcceptedAt: number | null;
  asOfSeq: number;
  now: number;
}

function measure(ledger: UnitLedger, configuredCapacity: number) {
  const { occupied, inconsistent } = ledgerOccupancy(ledger);
  const capacity = ledger.capacity?.value ?? configuredCapacity;
  return { occupied, inconsistent, capacity };
}

/** Everything the board and the API say about a facility, from its projection rows. */
export function facilityStatus(i: StatusInputs): FacilityStatus {
  const f = i.facility;
  const units: UnitStatus[] = f.units.map((u) => {
    const m = measure(i.ledgers.get(u.id) ?? EMPTY, u.capacity);
    const pct = occupancyPct(m.occupied, m.capacity);
    return {
      unit_id: u.id,
      name: u.name,
      name_en: u.nameEn,
      capacity: m.capacity,
      occupied: m.occupied,
      available: Math.max(0, m.capacity - m.occupied),
      occupancy_pct: pct === null ? null : round1(pct),
      level: levelFor(m.occupied, m.capacity, f.thresholds),
      data_quality: m.inconsistent ? "inconsistent" : "ok",
    };
  });
  const whole =
    units.length > 0
      ? {
          occupied: units.reduce((s, u) => s + u.occupied, 0),
          capacity: units.reduce((s, u) => s + u.capacity, 0),
          inconsistent: units.some((u) => u.data_quality === "inconsistent"),
        }
      : measure(i.ledgers.get("") ?? EMPTY, f.capacity);
  const pct = occupancyPct(whole.occupied, whole.capacity);
  return {
    facility_id: f.id,
    name: f.name,
    name_en: f.nameEn,
    type: f.type,
    province: f.province,
    capacity: whole.capacity,
    occupied: whole.occupied,
    available: Math.max(0, whole.capacity - whole.occupied),
    occupancy_pct: pct === null ? null : round1(pct),
    level: levelFor(whole.occupied, whole.capacity, f.thresholds),
    stale: isStale(i.lastAcceptedAt, f.reportingIntervalMinutes, i.now),
    data_quality: whole.inconsistent ? "inconsistent" : "ok",
    last_event_at: i.lastAcceptedAt === null ? null : toZonedIso(i.lastAcceptedAt, f.timeZone),
    as_of_seq: i.asOfSeq,
    reporting_interval_minutes: f.reportingIntervalMinutes,
    time_zone: f.timeZone,
    today: i.today,
    units,
  };
}
