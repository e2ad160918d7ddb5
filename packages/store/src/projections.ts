import {
  applyToLedger,
  EMPTY_LEDGER,
  hourStart,
  localDay,
  movement,
  referralMove,
  type Movement,
  type ReferralStatus,
  type Registry,
  type UnitLedger,
} from "@carewatch/domain";
import type Database from "better-sqlite3";
import type { CommittedEvent } from "./types.js";

/**
 * The projections (read models kept in step with the log). One code path serves both `append`
 * (live tables) and `rebuild` (fresh temporary tables), so a rebuild checks exactly what
 * append does. Every rule comes from the domain package; this file only moves rows.
 */
export interface ProjectionTables {
  unitState: string;
  facilityState: string;
  referrals: string;
  rollupHourly: string;
  rollupDaily: string;
}

export const LIVE_TABLES: ProjectionTables = {
  unitState: "unit_state",
  facilityState: "facility_state",
  referrals: "referrals",
  rollupHourly: "rollup_hourly",
  rollupDaily: "rollup_daily",
};

/** A row of `unit_state`. */
export interface UnitStateRow {
  facility_id: string;
  unit: string;
  census_at: number | null;
  census_event_id: string | null;
  census_occupied: number | null;
  net_after: number;
  low_water: number;
  low_before_last: number;
  last_move_at: number | null;
  cap_at: number | null;
  cap_event_id: string | null;
  cap_value: number | null;
}

export function rowToLedger(r: UnitStateRow): UnitLedger {
  return {
    census:
      r.census_at === null || r.census_event_id === null || r.census_occupied === null
        ? null
        : { at: r.census_at, eventId: r.census_event_id, occupied: r.census_occupied },
    netAfter: r.net_after,
    lowWater: r.low_water,
    lowBeforeLast: r.low_before_last,
    lastMovementAt: r.last_move_at,
    capacity:
      r.cap_at === null || r.cap_event_id === null || r.cap_value === null
        ? null
        : { at: r.cap_at, eventId: r.cap_event_id, value: r.cap_value },
  };
}

/** Ledger key of an event: its unit, or '' for a facility without units (the events row has NULL). */
export function ledgerKey(unit: string | undefined | null): string {
  return unit ?? "";
}

/** The `events.unit` value for a ledger key ('' ↔ NULL). */
export function unitColumn(key: string): string | null {
  return key === "" ? null : key;
}

/** Does an event touch a unit ledger at all? Censuses and head-count movements do. */
export function touchesLedger(e: CommittedEvent): boolean {
  return e.event.type === "census" || movement(e) !== 0;
}

export type ProjectResult = { ok: true } | { ok: false; reason: string };

export interface Projector {
  /** Current status of a referral in these tables (sees earlier writes of the same transaction). */
  referralStatus(facilityId: string, referralId: string): ReferralStatus | undefined;
  /** Apply one committed event (already in `events`) to every projection. */
  project(e: CommittedEvent): ProjectResult;
  /**
   * Write what was gathered since the last flush: unit ledgers, rollups and facility state are
   * kept in memory during a request, so a batch of 1,000 events writes a few dozen rows, not thousands.
   * Call before the transaction (or savepoint) that holds the events commits.
   */
  flush(): void;
  /** Forget what was gathered (the savepoint holding those events is being rolled back). */
  discard(): void;
}

export function createProjector(db: Database.Database, t: ProjectionTables, registry: Registry): Projector {
  const getLedger = db.prepare(`SELECT * FROM ${t.unitState} WHERE facility_id = ? AND unit = ?`);
  const putLedger = db.prepare(`INSERT INTO ${t.unitState}
      (facility_id, unit, census_at, census_event_id, census_occupied, net_after, low_water, low_before_last, last_move_at, cap_at, cap_event_id, cap_value)
      VALUES (@facility_id, @unit, @census_at, @census_event_id, @census_occupied, @net_after, @low_water, @low_before_last, @last_move_at, @cap_at, @cap_event_id, @cap_value)
      ON CONFLICT (facility_id, unit) DO UPDATE SET
        census_at = excluded.census_at, census_event_id = excluded.census_event_id,
        census_occupied = excluded.census_occupied, net_after = excluded.net_after,
        low_water = excluded.low_water, low_before_last = excluded.low_before_last, last_move_at = excluded.last_move_at,
        cap_at = excluded.cap_at, cap_event_id = excluded.cap_event_id, cap_value = excluded.cap_value`);
  // Movements strictly after a census instant, among events logged up to the one being applied
  // (`seq <= ?`): for append that is the whole log; for rebuild it replays the log as it grew, so
  // later movements are added once, incrementally, exactly as append did.
  const movementsAfter = db.prepare(`SELECT occurred_at_ms AS at, SUM(delta) AS delta FROM events
      WHERE facility_id = ? AND unit IS ? AND occurred_at_ms > ? AND seq <= ? AND delta <> 0
      GROUP BY occurred_at_ms`);
  const touchFacility = db.prepare(`INSERT INTO ${t.facilityState} (facility_id, last_received_at, last_seq)
      VALUES (?, ?, ?)
      ON CONFLICT (facility_id) DO UPDATE SET
        last_received_at = MAX(last_received_at, excluded.last_received_at),
        last_seq = MAX(last_seq, excluded.last_seq)`);
  const getReferral = db.prepare(`SELECT status FROM ${t.referrals} WHERE facility_id = ? AND referral_id = ?`).pluck();
  const putReferral = db.prepare(`INSERT INTO ${t.referrals}
      (facility_id, referral_id, status, destination, urgency, opened_at, updated_at, updated_seq)
      VALUES (@facility_id, @referral_id, @status, @destination, @urgency, @at, @at, @seq)
      ON CONFLICT (facility_id, referral_id) DO UPDATE SET
        status = excluded.status, destination = excluded.destination,
        urgency = COALESCE(excluded.urgency, urgency),
        updated_at = excluded.updated_at, updated_seq = excluded.updated_seq`);
  const addHourly = db.prepare(`INSERT INTO ${t.rollupHourly} (facility_id, hour_start_ms, metric, value) VALUES (?, ?, ?, ?)
      ON CONFLICT (facility_id, hour_start_ms, metric) DO UPDATE SET value = value + excluded.value`);
  const addDaily = db.prepare(`INSERT INTO ${t.rollupDaily} (facility_id, day, metric, value) VALUES (?, ?, ?, ?)
      ON CONFLICT (facility_id, day, metric) DO UPDATE SET value = value + excluded.value`);

  const timeZoneOf = (facilityId: string) => registry.byId.get(facilityId)?.timeZone ?? registry.timeZone;

  const hourly = new Map<string, { facility: string; hour: number; metric: string; n: number }>();
  const daily = new Map<string, { facility: string; day: string; metric: string; n: number }>();
  const touched = new Map<string, { receivedAt: number; seq: number }>();

  // Rollup keys per (zone, minute): events of a batch mostly share a few minutes.
  const bucketCache = new Map<string, { hour: number; day: string }>();
  function buckets(at: number, tz: string) {
    const k = `${tz}\u0000${Math.floor(at / 60_000)}`;
    let b = bucketCache.get(k);
    if (!b) {
      if (bucketCache.size > 10_000) bucketCache.clear();
      bucketCache.set(k, (b = { hour: hourStart(at, tz), day: localDay(at, tz) }));
    }
    return b;
  }

  function rollup(e: CommittedEvent, metric: string, n: number) {
    const { hour, day } = buckets(e.occurredAtMs, timeZoneOf(e.facilityId));
    const hk = `${e.facilityId}\u0000${hour}\u0000${metric}`;
    const dk = `${e.facilityId}\u0000${day}\u0000${metric}`;
    const h = hourly.get(hk);
    if (h) h.n += n;
    else hourly.set(hk, { facility: e.facilityId, hour, metric, n });
    const d = daily.get(dk);
    if (d) d.n += n;
    else daily.set(dk, { facility: e.facilityId, day, metric, n });
  }

  // Ledgers touched by the current request, read once and written once at flush (a batch of a
  // thousand census/movement events of a few units then costs a few row writes, not two thousand).
  const ledgers = new Map<string, { facility: string; unit: string; ledger: UnitLedger; dirty: boolean }>();

  function projectLedger(e: CommittedEvent) {
    const key = ledgerKey(e.event.unit);
    const id = `${e.facilityId}\u0000${key}`;
    let held = ledgers.get(id);
    if (!held) {
      const row = getLedger.get(e.facilityId, key) as UnitStateRow | undefined;
      held = { facility: e.facilityId, unit: key, ledger: row ? rowToLedger(row) : EMPTY_LEDGER, dirty: !row };
      ledgers.set(id, held);
    }
    const after = applyToLedger(held.ledger, e, (at) => movementsAfter.all(e.facilityId, unitColumn(key), at, e.seq) as Movement[]);
    if (after !== held.ledger) {
      held.ledger = after;
      held.dirty = true;
    }
  }

  function writeLedger(facility: string, unit: string, l: UnitLedger) {
    putLedger.run({
      facility_id: facility,
      unit,
      census_at: l.census?.at ?? null,
      census_event_id: l.census?.eventId ?? null,
      census_occupied: l.census?.occupied ?? null,
      net_after: l.netAfter,
      low_water: l.lowWater,
      low_before_last: l.lowBeforeLast,
      last_move_at: l.lastMovementAt,
      cap_at: l.capacity?.at ?? null,
      cap_event_id: l.capacity?.eventId ?? null,
      cap_value: l.capacity?.value ?? null,
    });
  }

  return {
    referralStatus(facilityId, referralId) {
      return getReferral.get(facilityId, referralId) as ReferralStatus | undefined;
    },

    project(e) {
      const ev = e.event;
      if (ev.type === "referral") {
        const move = referralMove(this.referralStatus(e.facilityId, ev.referral_id), ev.status);
        if (!move.ok) return { ok: false, reason: move.reason };
        if (move.changed) {
          putReferral.run({
            facility_id: e.facilityId,
            referral_id: ev.referral_id,
            status: ev.status,
            destination: ev.destination,
            urgency: ev.urgency ?? null,
            at: e.occurredAtMs,
            seq: e.seq,
          });
          // Only real moves are counted; a repeated status "changes nothing" (domain).
          rollup(e, `referral:${ev.status}`, 1);
        }
      }
      if (touchesLedger(e)) projectLedger(e);
      if (ev.type === "admission") rollup(e, "admissions", ev.count);
      else if (ev.type === "discharge") rollup(e, "discharges", ev.count);
      else if (ev.type === "treatment") rollup(e, `treatment:${ev.category}`, ev.count);
      const t = touched.get(e.facilityId);
      if (!t) touched.set(e.facilityId, { receivedAt: e.receivedAt, seq: e.seq });
      else {
        t.receivedAt = Math.max(t.receivedAt, e.receivedAt);
        t.seq = Math.max(t.seq, e.seq);
      }
      return { ok: true };
    },

    flush() {
      for (const h of ledgers.values()) if (h.dirty) writeLedger(h.facility, h.unit, h.ledger);
      for (const r of hourly.values()) addHourly.run(r.facility, r.hour, r.metric, r.n);
      for (const r of daily.values()) addDaily.run(r.facility, r.day, r.metric, r.n);
      for (const [facility, t] of touched) touchFacility.run(facility, t.receivedAt, t.seq);
      this.discard();
    },

    discard() {
      ledgers.clear();
      hourly.clear();
      daily.clear();
      touched.clear();
    },
  };
}
