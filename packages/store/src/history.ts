import {
  dayStart,
  facilityStatus as buildStatus,
  dayBuckets,
  bucketPoints,
  historyBuckets,
  hourStart,
  ledgerAsOf,
  localDay,
  countMetric,
  openReferralsAsOf,
  todayFromMetrics,
  type Facility,
  type FacilityAsOf,
  type FacilityEvents,
  type FacilityEvent,
  type FacilityHistory,
  type HistoryPoint,
  type HistoryRange,
  type Bucket,
  type ReportDay,
  type ReferralStatus,
  type Registry,
  type UnitLedger,
} from "@carewatch/domain";
import type Database from "better-sqlite3";
import { EVENT_COLUMNS, rowToTicker, type EventRow } from "./event-rows.js";
import { movementFollower, type MovementIndexes } from "./movement-indexes.js";
import { createEventTimes } from "./event-times.js";
import { createOccupiedAt, ledgerKeysOf } from "./occupied-at.js";
import { unitColumn } from "./projections.js";
import type { PastReads, ReferralStep, ReferralStepFilter, ReferralUrgency } from "./types.js";

/** A row of referral_steps as the reads select it. */
export interface StepRow {
  facility_id: string;
  referral_id: string;
  status: string;
  destination: string;
  urgency: string | null;
  at: number;
  event_id: string;
  seq: number;
}

export const rowToStep = (r: StepRow): ReferralStep => ({
  facilityId: r.facility_id,
  referralId: r.referral_id,
  status: r.status as ReferralStatus,
  destination: r.destination,
  urgency: r.urgency as ReferralUrgency | null,
  at: r.at,
  eventId: r.event_id,
  seq: r.seq,
});

type Metric = { metric: string; value: number };

/**
 * Reads of the past (issue 8): referral timelines, a facility's history per bucket, the facility
 * as of an instant, and the events behind a chart point. From projections, rollups, the log's
 * indexes and the movement indexes — never a scan of the log — each in one read transaction.
 */
export function createHistoryReads(db: Database.Database, registry: Registry, indexes: MovementIndexes, registryAt: (t: number) => Registry): PastReads {
  const q = {
    // NULL parameters switch a filter off; facility ids come as a JSON array.
    steps: db.prepare(`SELECT facility_id, referral_id, status, destination, urgency, at, event_id, seq FROM referral_steps
        WHERE (@facilities IS NULL OR facility_id IN (SELECT value FROM json_each(@facilities)))
          AND (@from IS NULL OR at >= @from) AND (@to IS NULL OR at < @to)
          AND (@referral IS NULL OR referral_id = @referral) AND moved = 1
        ORDER BY facility_id, referral_id, at, event_id`),
    // Every referral event of the facility that had occurred by an instant (repeats included).
    referralsUpTo: db.prepare("SELECT referral_id, status, destination, urgency, at, seq FROM referral_steps WHERE facility_id = ? AND at <= ?"),
    hourly: db.prepare("SELECT hour_start_ms AS k, metric, value FROM rollup_hourly WHERE facility_id = ? AND hour_start_ms >= ? AND hour_start_ms < ?"),
    daily: db.prepare("SELECT day AS k, metric, value FROM rollup_daily WHERE facility_id = ? AND day >= ? AND day <= ?"),
    // The latest census at or before an instant (partial index events_census); same instant: greater event_id.
    census: db.prepare(`SELECT occurred_at_ms AS at, event_id AS eventId, json_extract(body, '$.occupied') AS occupied FROM events
        WHERE facility_id = ? AND unit IS ? AND type = 'census' AND occurred_at_ms <= ?
        ORDER BY occurred_at_ms DESC, event_id DESC LIMIT 1`),
    // The latest census that set a capacity, at or before an instant (partial index events_capacity).
    capacity: db.prepare(`SELECT occurred_at_ms AS at, event_id AS eventId, json_extract(body, '$.capacity') AS value FROM events
        WHERE facility_id = ? AND unit IS ? AND type = 'census' AND json_extract(body, '$.capacity') IS NOT NULL AND occurred_at_ms <= ?
        ORDER BY occurred_at_ms DESC, event_id DESC LIMIT 1`),
    lastSeq: db.prepare("SELECT COALESCE(MAX(seq), 0) FROM events").pluck(),
    // Events by seq (the seqs come from the in-memory event times), at most an hour or a day of one facility.
    bySeq: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE seq IN (SELECT value FROM json_each(?))`),
  };
  const times = createEventTimes(db);
  const eventsBySeq = (seqs: readonly number[]) => (seqs.length ? (q.bySeq.all(JSON.stringify(seqs)) as EventRow[]) : []);
  const catchUp = movementFollower(db, indexes);
  const occupiedAt = createOccupiedAt(db, indexes);
  const snapshot = <A extends unknown[], R>(fn: (...args: A) => R) => {
    const tx = db.transaction(fn);
    return async (...args: A): Promise<R> => tx(...args);
  };

  /** The configured capacity of a ledger key at an instant (the registry version then): the unit's, or the facility's when it has none. */
  const configured = (current: Facility, key: string, at: number) => {
    const f = registryAt(at).byId.get(current.id) ?? current;
    return f.units.length > 0 ? (f.units.find((u) => u.id === key)?.capacity ?? 0) : f.capacity;
  };

  const capacityAt = (f: Facility, key: string, at: number) =>
    q.capacity.get(f.id, unitColumn(key), at) as { at: number; eventId: string; value: number } | undefined;

  /** A unit's ledger with every input cut at `at`: the census rule over the events that had occurred by then. */
  function ledgerAt(f: Facility, key: string, at: number): UnitLedger {
    const census = (q.census.get(f.id, unitColumn(key), at) as { at: number; eventId: string; occupied: number } | undefined) ?? null;
    const after = indexes.get(f.id, key).spanBetween(census?.at ?? Number.NEGATIVE_INFINITY, at);
    return ledgerAsOf(census, capacityAt(f, key, at) ?? null, after);
  }

  /** Counts of the facility's events in [from, upTo] (a stretch within one hour), found through the event times. */
  function countsBetween(f: Facility, from: number, upTo: number): Metric[] {
    const out: Metric[] = [];
    for (const r of eventsBySeq(
      times
        .of(f.id)
        .between(from, upTo)
        .map((e) => e.seq),
    )) {
      if (r.type !== "admission" && r.type !== "discharge" && r.type !== "treatment") continue;
      const m = countMetric(JSON.parse(r.body) as FacilityEvent & { count?: number; category?: string });
      if (m) out.push(m);
    }
    return out;
  }

  function openReferralsAt(f: Facility, at: number) {
    const rows = q.referralsUpTo.all(f.id, at) as {
      referral_id: string;
      status: ReferralStatus;
      destination: string;
      urgency: string | null;
      at: number;
      seq: number;
    }[];
    return openReferralsAsOf(
      rows.map((r) => ({ referralId: r.referral_id, status: r.status, destination: r.destination, urgency: r.urgency, at: r.at, seq: r.seq })),
    );
  }

  function asOf(f: Facility, at: number): FacilityAsOf {
    const ledgers = new Map<string, UnitLedger>();
    for (const key of ledgerKeysOf(f)) ledgers.set(key, ledgerAt(f, key, at));
    // Today up to `at`: the day's whole hours from the hourly rollup, then the events of the
    // current hour up to `at` from the log's time index (at most an hour of one facility).
    const hour = hourStart(at, f.timeZone);
    const metrics = [...(q.hourly.all(f.id, dayStart(localDay(at, f.timeZone), f.timeZone), hour) as Metric[]), ...countsBetween(f, hour, at)];
    const referrals = openReferralsAt(f, at);
    const latest = times.of(f.id).latestAtOrBefore(at);
    const status = buildStatus({
      facility: f,
      ledgers,
      today: todayFromMetrics(metrics, referrals.count),
      lastAcceptedAt: latest,
      asOfSeq: q.lastSeq.get() as number,
      now: at,
    });
    return { at, status, open_referrals: referrals.open };
  }

  /** A point per bucket: occupied, capacity and level at its `at`, its counts from the hourly or daily rollup. */
  function pointsOf(f: Facility, buckets: readonly Bucket[], hourly: boolean): HistoryPoint[] {
    const instants = buckets.map((b) => b.at);
    const occupied = occupiedAt(f, instants);
    const capacity = instants.map(() => 0);
    for (const key of ledgerKeysOf(f)) instants.forEach((t, i) => (capacity[i]! += capacityAt(f, key, t)?.value ?? configured(f, key, t)));

    const rows =
      buckets[0] === undefined
        ? []
        : hourly
          ? (q.hourly.all(f.id, buckets[0].start, buckets[buckets.length - 1]!.end) as (Metric & { k: number })[])
          : (q.daily.all(f.id, buckets[0].day, buckets[buckets.length - 1]!.day) as (Metric & { k: string })[]);
    return bucketPoints(buckets, { occupied, capacity, rows, hourly, thresholdsAt: (t) => (registryAt(t).byId.get(f.id) ?? f).thresholds });
  }

  function history(f: Facility, range: HistoryRange, now: number): FacilityHistory {
    const hourly = range === "24h" || range === "7d";
    const points = pointsOf(f, historyBuckets(range, now, f.timeZone), hourly);
    return { facility_id: f.id, range, bucket: hourly ? "hour" : "day", time_zone: f.timeZone, thresholds: { ...f.thresholds }, now, points };
  }

  return {
    referralSteps: snapshot((filter: ReferralStepFilter): ReferralStep[] =>
      (
        q.steps.all({
          facilities: filter.facilityIds === undefined ? null : JSON.stringify(filter.facilityIds),
          from: filter.from ?? null,
          to: filter.to ?? null,
          referral: filter.referralId ?? null,
        }) as StepRow[]
      ).map(rowToStep),
    ),

    history: snapshot((facilityId: string, range: HistoryRange, now: number) => {
      const f = registry.byId.get(facilityId);
      if (!f) return undefined;
      catchUp();
      return history(f, range, now);
    }),

    days: snapshot((facilityId: string, days: readonly string[], now: number): ReportDay[] | undefined => {
      const f = registry.byId.get(facilityId);
      if (!f) return undefined;
      catchUp();
      const buckets = dayBuckets(days, now, f.timeZone);
      return pointsOf(f, buckets, false).map((p, i) => ({ ...p, day: buckets[i]!.day }));
    }),

    asOf: snapshot((facilityId: string, at: number) => {
      const f = registry.byId.get(facilityId);
      if (!f) return undefined;
      catchUp();
      times.catchUp();
      // Capacity, thresholds and names as the registry had them then (a facility added since: as it is now).
      return asOf(registryAt(at).byId.get(facilityId) ?? f, at);
    }),

    eventsBetween: snapshot((facilityId: string, from: number, to: number, limit: number = 200): FacilityEvents | undefined => {
      if (!registry.byId.has(facilityId)) return undefined;
      times.catchUp();
      // [from, to): the instants before `to` (integer ms), in time order; ties at the cut are read
      // whole so the page is the first `limit` by (occurred_at, event_id), as a client sorts them.
      const inRange = times.of(facilityId).between(from, to - 1);
      const cut = inRange[Math.min(limit, inRange.length) - 1]?.at ?? Number.NEGATIVE_INFINITY;
      const rows = eventsBySeq(inRange.filter((e, i) => i < limit || e.at === cut).map((e) => e.seq));
      rows.sort((a, b) => a.occurred_at_ms - b.occurred_at_ms || (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0));
      return { from, to, total: inRange.length, events: rows.slice(0, limit).map(rowToTicker) };
    }),
  };
}
