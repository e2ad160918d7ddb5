import { referralMove, type ReferralStatus, type Registry, type UnitLedger } from "@carewatch/domain";
import type Database from "better-sqlite3";
import type { MovementIndexes } from "./movement-indexes.js";
import { ledgerColumns, ProjectionGather, type ProjectionTables } from "./projection-gather.js";
import type { CommittedEvent } from "./types.js";

/**
 * The projections (read models kept in step with the log). One code path serves both `append`
 * (live tables) and `rebuild` (fresh temporary tables), so a rebuild checks exactly what
 * append does. Every rule comes from the domain package; this file only moves rows.
 */

/** A row of `unit_state`. */
export interface UnitStateRow {
  facility_id: string;
  unit: string;
  census_at: number | null;
  census_event_id: string | null;
  census_occupied: number | null;
  net_after: number;
  low_water: number;
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
    capacity: r.cap_at === null || r.cap_event_id === null || r.cap_value === null ? null : { at: r.cap_at, eventId: r.cap_event_id, value: r.cap_value },
  };
}

export { ledgerKey } from "./projection-gather.js";

/** The `events.unit` value for a ledger key ('' ↔ NULL). */
export function unitColumn(key: string): string | null {
  return key === "" ? null : key;
}

export type ProjectResult = { ok: true } | { ok: false; reason: string };

export interface Projector {
  /** Apply one committed event (already in `events`) to every projection, in the current request. */
  project(e: CommittedEvent): ProjectResult;
  /** The current request is whole: keep what it gathered for the next flush. */
  keepRequest(): void;
  /** The current request is being rolled back (its savepoint with it): forget what it gathered. */
  dropRequest(): void;
  /**
   * Write everything kept since the last flush: ledgers, rollups and facility state are held in
   * memory for a whole group of requests, so a group writes each row once (a batch of 1,000
   * movements of one unit writes its ledger once, not a thousand times). Call inside the
   * transaction, before it commits.
   */
  flush(): void;
  /** The transaction committed: its movements stay in the indexes. */
  committed(): void;
  /** Forget everything gathered and take back its movements (the whole transaction rolled back). */
  reset(): void;
}

/**
 * `indexes` are the units' movement indexes this projector feeds (the store's live ones for
 * append; fresh ones for a rebuild); a movement added by a request that is then rolled back is
 * taken back out of them.
 */
export function createProjector(db: Database.Database, t: ProjectionTables, registry: Registry, indexes: MovementIndexes): Projector {
  const getLedger = db.prepare(`SELECT * FROM ${t.unitState} WHERE facility_id = ? AND unit = ?`);
  const putLedger = db.prepare(`INSERT INTO ${t.unitState}
      (facility_id, unit, census_at, census_event_id, census_occupied, net_after, low_water, cap_at, cap_event_id, cap_value)
      VALUES (@facility_id, @unit, @census_at, @census_event_id, @census_occupied, @net_after, @low_water, @cap_at, @cap_event_id, @cap_value)
      ON CONFLICT (facility_id, unit) DO UPDATE SET
        census_at = excluded.census_at, census_event_id = excluded.census_event_id,
        census_occupied = excluded.census_occupied, net_after = excluded.net_after, low_water = excluded.low_water,
        cap_at = excluded.cap_at, cap_event_id = excluded.cap_event_id, cap_value = excluded.cap_value`);
  const touchFacility = db.prepare(`INSERT INTO ${t.facilityState} (facility_id, last_received_at, last_seq)
      VALUES (?, ?, ?)
      ON CONFLICT (facility_id) DO UPDATE SET
        last_received_at = MAX(last_received_at, excluded.last_received_at),
        last_seq = MAX(last_seq, excluded.last_seq)`);
  const getReferral = db.prepare(`SELECT status FROM ${t.referrals} WHERE facility_id = ? AND referral_id = ?`).pluck();
  // Referrals are written at once (inside the request's savepoint, which undoes them on a rollback):
  // the next event of the same request must see the move.
  const putReferral = db.prepare(`INSERT INTO ${t.referrals}
      (facility_id, referral_id, status, destination, urgency, opened_at, updated_at, updated_seq)
      VALUES (@facility_id, @referral_id, @status, @destination, @urgency, @at, @at, @seq)
      ON CONFLICT (facility_id, referral_id) DO UPDATE SET
        status = excluded.status, destination = excluded.destination,
        urgency = COALESCE(excluded.urgency, urgency),
        updated_at = excluded.updated_at, updated_seq = excluded.updated_seq`);
  // Like referrals, a step is written at once, inside the request's savepoint.
  const putStep = db.prepare(`INSERT INTO ${t.referralSteps}
      (facility_id, referral_id, status, destination, urgency, at, event_id, seq, moved)
      VALUES (@facility_id, @referral_id, @status, @destination, @urgency, @at, @event_id, @seq, @moved)`);
  const addHourly = db.prepare(`INSERT INTO ${t.rollupHourly} (facility_id, hour_start_ms, metric, value) VALUES (?, ?, ?, ?)
      ON CONFLICT (facility_id, hour_start_ms, metric) DO UPDATE SET value = value + excluded.value`);
  const addDaily = db.prepare(`INSERT INTO ${t.rollupDaily} (facility_id, day, metric, value) VALUES (?, ?, ?, ?)
      ON CONFLICT (facility_id, day, metric) DO UPDATE SET value = value + excluded.value`);

  // Ledgers, rollups, facility state and the indexes' movements: gathered as in every engine.
  const gather = new ProjectionGather(
    () => registry,
    indexes,
    (facility, unit) => {
      const row = getLedger.get(facility, unit) as UnitStateRow | undefined;
      return row ? rowToLedger(row) : undefined;
    },
  );

  return {
    project(e) {
      const ev = e.event;
      if (ev.type === "referral") {
        const move = referralMove(getReferral.get(e.facilityId, ev.referral_id) as ReferralStatus | undefined, ev.status);
        if (!move.ok) return { ok: false, reason: move.reason };
        const row = {
          facility_id: e.facilityId,
          referral_id: ev.referral_id,
          status: ev.status,
          destination: ev.destination,
          urgency: ev.urgency ?? null,
          at: e.occurredAtMs,
          seq: e.seq,
        };
        putStep.run({ ...row, event_id: ev.event_id, moved: move.changed ? 1 : 0 });
        if (move.changed) {
          putReferral.run(row);
          // Only real moves are counted; a repeated status "changes nothing" (domain).
          gather.rollup(e, `referral:${ev.status}`, 1);
        }
      }
      gather.event(e);
      return { ok: true };
    },

    keepRequest: () => gather.keepRequest(),
    dropRequest: () => gather.dropRequest(),

    flush() {
      const { ledgers, hourly, daily, facilities } = gather.flush();
      for (const h of ledgers) putLedger.run(ledgerColumns(h.facility, h.unit, h.value));
      for (const r of hourly) addHourly.run(r.facility, r.hour, r.metric, r.n);
      for (const r of daily) addDaily.run(r.facility, r.day, r.metric, r.n);
      for (const f of facilities) touchFacility.run(f.facility, f.receivedAt, f.seq);
    },

    committed: () => gather.committed(),
    reset: () => gather.reset(),
  };
}
