import {
  countedAfter,
  EMPTY_LEDGER,
  hourStart,
  localDay,
  movement,
  referralMove,
  settleLedger,
  withCensus,
  type ReferralStatus,
  type Registry,
  type UnitLedger,
} from "@carewatch/domain";
import type Database from "better-sqlite3";
import { Layered, Tally } from "./layered.js";
import type { MovementIndexes } from "./movement-indexes.js";
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
  /** Every real move of every referral (issue 8: timelines, open referrals as of an instant). */
  referralSteps: string;
}

export const LIVE_TABLES: ProjectionTables = {
  unitState: "unit_state",
  facilityState: "facility_state",
  referrals: "referrals",
  rollupHourly: "rollup_hourly",
  rollupDaily: "rollup_daily",
  referralSteps: "referral_steps",
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

/** Ledger key of an event: its unit, or '' for a facility without units (the events row has NULL). */
export function ledgerKey(unit: string | undefined | null): string {
  return unit ?? "";
}

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

interface Held<T> {
  facility: string;
  unit: string;
  value: T;
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

  const timeZoneOf = (facilityId: string) => registry.byId.get(facilityId)?.timeZone ?? registry.timeZone;

  // Everything gathered, in two layers: the current request over the requests kept so far.
  const ledgers = new Layered<Held<UnitLedger> & { settle: boolean }>();
  // Movements added to the indexes by the current request and by the kept ones, to take back.
  let requestMoves: { facility: string; unit: string; at: number; delta: number }[] = [];
  let groupMoves: typeof requestMoves = [];
  const takeBack = (moves: typeof requestMoves) => {
    for (let i = moves.length - 1; i >= 0; i--) {
      const m = moves[i]!;
      indexes.get(m.facility, m.unit).add(m.at, -m.delta);
    }
  };
  const hourly = new Tally<{ facility: string; hour: number; metric: string }>();
  const daily = new Tally<{ facility: string; day: string; metric: string }>();
  const touched = new Layered<{ receivedAt: number; seq: number }>();

  // Rollup keys per (zone, quarter hour): every zone offset in use is a whole number of quarter
  // hours, so an hour and a day never change inside one, and a backfill over 30 days needs 2,880.
  const bucketCache = new Map<string, Map<number, { hour: number; day: string }>>();
  function buckets(at: number, tz: string) {
    let zone = bucketCache.get(tz);
    if (!zone) bucketCache.set(tz, (zone = new Map()));
    const quarter = Math.floor(at / 900_000);
    let b = zone.get(quarter);
    if (!b) {
      if (zone.size > 50_000) zone.clear();
      zone.set(quarter, (b = { hour: hourStart(at, tz), day: localDay(at, tz) }));
    }
    return b;
  }

  function rollup(e: CommittedEvent, metric: string, n: number) {
    const { hour, day } = buckets(e.occurredAtMs, timeZoneOf(e.facilityId));
    const facility = e.facilityId;
    hourly.add(`${facility}\u0000${hour}\u0000${metric}`, () => ({ facility, hour, metric }), n);
    daily.add(`${facility}\u0000${day}\u0000${metric}`, () => ({ facility, day, metric }), n);
  }

  function ledgerOf(facility: string, unit: string) {
    const id = `${facility}\u0000${unit}`;
    const held = ledgers.get(id);
    if (held) return { id, held };
    const row = getLedger.get(facility, unit) as UnitStateRow | undefined;
    return { id, held: { facility, unit, value: row ? rowToLedger(row) : EMPTY_LEDGER, settle: !row } };
  }

  function projectLedger(e: CommittedEvent) {
    const unit = ledgerKey(e.event.unit);
    const { id, held } = ledgerOf(e.facilityId, unit);
    let ledger = held.value;
    let settle = held.settle;
    if (e.event.type === "census") {
      const next = withCensus(ledger, e);
      if (next.census !== ledger.census) settle = true; // the census mark moved: a new span to read
      ledger = next;
    }
    const delta = movement(e);
    if (delta !== 0) {
      indexes.get(e.facilityId, unit).add(e.occurredAtMs, delta);
      requestMoves.push({ facility: e.facilityId, unit, at: e.occurredAtMs, delta });
      // Movements at or before the census are already in it: the span after it does not change.
      if (e.occurredAtMs > countedAfter(ledger)) settle = true;
    }
    // `settle` also marks a unit without a row yet: it is written at the flush either way.
    if (ledger !== held.value || settle) ledgers.set(id, { facility: e.facilityId, unit, value: ledger, settle });
  }

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
          rollup(e, `referral:${ev.status}`, 1);
        }
      }
      if (ev.type === "census" || movement(e) !== 0) projectLedger(e);
      if (ev.type === "admission") rollup(e, "admissions", ev.count);
      else if (ev.type === "discharge") rollup(e, "discharges", ev.count);
      else if (ev.type === "treatment") rollup(e, `treatment:${ev.category}`, ev.count);
      const seen = touched.get(e.facilityId);
      touched.set(e.facilityId, { receivedAt: Math.max(seen?.receivedAt ?? 0, e.receivedAt), seq: Math.max(seen?.seq ?? 0, e.seq) });
      return { ok: true };
    },

    keepRequest() {
      for (const l of [ledgers, hourly, daily, touched]) l.keep();
      groupMoves.push(...requestMoves);
      requestMoves = [];
    },

    dropRequest() {
      for (const l of [ledgers, hourly, daily, touched]) l.drop();
      takeBack(requestMoves);
      requestMoves = [];
    },

    flush() {
      this.keepRequest();
      // Settle each changed ledger once per group, from its movements as the group left them.
      for (const [, h] of ledgers.dirty()) {
        const ledger = h.settle ? settleLedger(h.value, indexes.get(h.facility, h.unit).spanBetween(countedAfter(h.value), Number.POSITIVE_INFINITY)) : h.value;
        putLedger.run({
          facility_id: h.facility,
          unit: h.unit,
          census_at: ledger.census?.at ?? null,
          census_event_id: ledger.census?.eventId ?? null,
          census_occupied: ledger.census?.occupied ?? null,
          net_after: ledger.netAfter,
          low_water: ledger.lowWater,
          cap_at: ledger.capacity?.at ?? null,
          cap_event_id: ledger.capacity?.eventId ?? null,
          cap_value: ledger.capacity?.value ?? null,
        });
      }
      for (const { row, n } of hourly.counts()) addHourly.run(row.facility, row.hour, row.metric, n);
      for (const { row, n } of daily.counts()) addDaily.run(row.facility, row.day, row.metric, n);
      for (const [facility, s] of touched.dirty()) touchFacility.run(facility, s.receivedAt, s.seq);
      for (const l of [ledgers, hourly, daily, touched]) l.clear();
    },

    committed() {
      groupMoves = [];
    },

    reset() {
      for (const l of [ledgers, hourly, daily, touched]) l.clear();
      takeBack(requestMoves);
      takeBack(groupMoves);
      requestMoves = [];
      groupMoves = [];
    },
  };
}
