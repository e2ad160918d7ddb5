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
  type Bucket,
  type Facility,
  type FacilityAsOf,
  type FacilityEvent,
  type FacilityEvents,
  type FacilityHistory,
  type HistoryPoint,
  type HistoryRange,
  type ReferralStatus,
  type ReportDay,
  type UnitLedger,
} from "@carewatch/domain";
import type postgres from "postgres";
import { rowToTicker, type EventRow } from "../event-rows.js";
import { ledgerKeysOf } from "../occupied-at.js";
import type { PastReads, ReferralReads, ReferralStepFilter } from "../types.js";
import type { PgContext } from "./context.js";
import { createPgEventTimes } from "./pg-event-times.js";
import { censusesAt, createPgOccupiedAt } from "./pg-occupied-at.js";
import { createPgReferralReads } from "./pg-referral-reads.js";
import { pgRowToStep } from "./pg-steps.js";

type Metric = { metric: string; value: number };
type Tx = postgres.TransactionSql;

/**
 * The PostgreSQL engine's reads of the past (history.ts on SQLite): referral timelines, a
 * facility's history per bucket, the facility as of an instant, and the events behind a chart
 * point. From projections, rollups, the partial census indexes, the in-memory movement indexes
 * and event times — never a scan of the log — each answer in one `ctx.snapshot`. The domain
 * calls are exactly those of history.ts; only the SQL differs.
 */
export function createPgHistoryReads(ctx: PgContext): PastReads {
  const times = createPgEventTimes();
  const occupiedAt = createPgOccupiedAt(ctx.indexes);

  const lastSeq = async (tx: Tx) => Number((await tx`SELECT COALESCE(MAX(seq), 0)::bigint AS last FROM events`)[0]!.last);
  const metrics = (rows: postgres.RowList<postgres.Row[]>) =>
    rows.map((r) => ({ k: r.k as string | number, metric: r.metric as string, value: Number(r.value) }));
  const hourly = async (tx: Tx, facilityId: string, from: number, to: number) =>
    metrics(
      await tx`SELECT hour_start_ms AS k, metric, value FROM rollup_hourly WHERE facility_id = ${facilityId} AND hour_start_ms >= ${from} AND hour_start_ms < ${to}`,
    );
  const daily = async (tx: Tx, facilityId: string, from: string, to: string) =>
    metrics(await tx`SELECT day AS k, metric, value FROM rollup_daily WHERE facility_id = ${facilityId} AND day >= ${from} AND day <= ${to}`);

  /** Events by seq (the seqs come from the in-memory event times), at most an hour or a day of one facility. */
  async function eventsBySeq(tx: Tx, seqs: readonly number[]): Promise<EventRow[]> {
    if (seqs.length === 0) return [];
    const rows = await tx`SELECT seq, facility_id, event_id, type, unit, occurred_at, occurred_at_ms, received_at_ms, delta, body
        FROM events WHERE seq = ANY(${seqs as number[]}::bigint[])`;
    return rows.map((r) => ({
      ...(r as unknown as EventRow),
      seq: Number(r.seq),
      occurred_at_ms: Number(r.occurred_at_ms),
      received_at_ms: Number(r.received_at_ms),
    }));
  }

  /** The configured capacity of a ledger key at an instant (the registry version then): the unit's, or the facility's when it has none. */
  const configured = (current: Facility, key: string, at: number) => {
    const f = ctx.registryAt(at).byId.get(current.id) ?? current;
    return f.units.length > 0 ? (f.units.find((u) => u.id === key)?.capacity ?? 0) : f.capacity;
  };

  /** Each unit's ledger with every input cut at `at`: the census rule over the events that had occurred by then. */
  async function ledgersAt(tx: Tx, f: Facility, at: number): Promise<Map<string, UnitLedger>> {
    const [censuses, capacities] = [await censusesAt(tx, f, [at], "occupied"), await censusesAt(tx, f, [at], "capacity")];
    const ledgers = new Map<string, UnitLedger>();
    for (const key of ledgerKeysOf(f)) {
      const c = censuses.get(key)?.[0] ?? null;
      const cap = capacities.get(key)?.[0] ?? null;
      const after = ctx.indexes.get(f.id, key).spanBetween(c?.at ?? Number.NEGATIVE_INFINITY, at);
      ledgers.set(
        key,
        ledgerAsOf(c && { at: c.at, eventId: c.eventId, occupied: c.value }, cap && { at: cap.at, eventId: cap.eventId, value: cap.value }, after),
      );
    }
    return ledgers;
  }

  /** Counts of the facility's events in [from, upTo] (a stretch within one hour), found through the event times. */
  async function countsBetween(tx: Tx, f: Facility, from: number, upTo: number): Promise<Metric[]> {
    const out: Metric[] = [];
    const list = await times.of(tx, f.id);
    for (const r of await eventsBySeq(
      tx,
      list.between(from, upTo).map((e) => e.seq),
    )) {
      if (r.type !== "admission" && r.type !== "discharge" && r.type !== "treatment") continue;
      const m = countMetric(JSON.parse(r.body) as FacilityEvent & { count?: number; category?: string });
      if (m) out.push(m);
    }
    return out;
  }

  async function openReferralsAt(tx: Tx, f: Facility, at: number) {
    const rows = (await tx`SELECT referral_id, status, destination, urgency, at, seq FROM referral_steps WHERE facility_id = ${f.id} AND at <= ${at}`).map(
      (r) => ({
        referral_id: r.referral_id as string,
        status: r.status as ReferralStatus,
        destination: r.destination as string,
        urgency: r.urgency as string | null,
        at: Number(r.at),
        seq: Number(r.seq),
      }),
    );
    return openReferralsAsOf(
      rows.map((r) => ({ referralId: r.referral_id, status: r.status, destination: r.destination, urgency: r.urgency, at: r.at, seq: r.seq })),
    );
  }

  async function asOf(tx: Tx, f: Facility, at: number): Promise<FacilityAsOf> {
    const ledgers = await ledgersAt(tx, f, at);
    // Today up to `at`: the day's whole hours from the hourly rollup, then the events of the
    // current hour up to `at` from the event times (at most an hour of one facility).
    const hour = hourStart(at, f.timeZone);
    const today = [...(await hourly(tx, f.id, dayStart(localDay(at, f.timeZone), f.timeZone), hour)), ...(await countsBetween(tx, f, hour, at))];
    const referrals = await openReferralsAt(tx, f, at);
    const latest = (await times.of(tx, f.id)).latestAtOrBefore(at);
    const status = buildStatus({
      facility: f,
      ledgers,
      today: todayFromMetrics(today, referrals.count),
      lastAcceptedAt: latest,
      asOfSeq: await lastSeq(tx),
      now: at,
    });
    return { at, status, open_referrals: referrals.open };
  }

  /** A point per bucket: occupied, capacity and level at its `at`, its counts from the hourly or daily rollup. */
  async function pointsOf(tx: Tx, f: Facility, buckets: readonly Bucket[], byHour: boolean): Promise<HistoryPoint[]> {
    const instants = buckets.map((b) => b.at);
    const occupied = await occupiedAt(tx, f, instants);
    const capacity = instants.map(() => 0);
    const set = await censusesAt(tx, f, instants, "capacity");
    for (const key of ledgerKeysOf(f)) instants.forEach((t, i) => (capacity[i]! += set.get(key)?.[i]?.value ?? configured(f, key, t)));

    const rows =
      buckets[0] === undefined
        ? []
        : byHour
          ? await hourly(tx, f.id, buckets[0].start, buckets[buckets.length - 1]!.end)
          : await daily(tx, f.id, buckets[0].day, buckets[buckets.length - 1]!.day);
    return bucketPoints(buckets, { occupied, capacity, rows, hourly: byHour, thresholdsAt: (t) => (ctx.registryAt(t).byId.get(f.id) ?? f).thresholds });
  }

  async function history(tx: Tx, f: Facility, range: HistoryRange, now: number): Promise<FacilityHistory> {
    const byHour = range === "24h" || range === "7d";
    const points = await pointsOf(tx, f, historyBuckets(range, now, f.timeZone), byHour);
    return { facility_id: f.id, range, bucket: byHour ? "hour" : "day", time_zone: f.timeZone, thresholds: { ...f.thresholds }, now, points };
  }

  return {
    referralSteps: (filter: ReferralStepFilter) =>
      ctx.snapshot(async (tx) => {
        // Absent filters are left out of the statement (not `$1 IS NULL OR …`), so each plan uses the keys it can.
        const rows = await tx`SELECT facility_id, referral_id, status, destination, urgency, at, event_id, seq FROM referral_steps
            WHERE moved = 1
              AND ${filter.facilityIds === undefined ? tx`TRUE` : tx`facility_id = ANY(${filter.facilityIds}::text[])`}
              AND ${filter.from === undefined ? tx`TRUE` : tx`at >= ${filter.from}`}
              AND ${filter.to === undefined ? tx`TRUE` : tx`at < ${filter.to}`}
              AND ${filter.referralId === undefined ? tx`TRUE` : tx`referral_id = ${filter.referralId}`}
            ORDER BY facility_id COLLATE "C", referral_id COLLATE "C", at, event_id COLLATE "C"`;
        return rows.map(pgRowToStep);
      }),

    history: (facilityId, range, now) =>
      ctx.snapshot(async (tx) => {
        const f = ctx.registry.byId.get(facilityId);
        return f ? history(tx, f, range, now) : undefined;
      }),

    days: (facilityId, days, now) =>
      ctx.snapshot(async (tx): Promise<ReportDay[] | undefined> => {
        const f = ctx.registry.byId.get(facilityId);
        if (!f) return undefined;
        const buckets = dayBuckets(days, now, f.timeZone);
        return (await pointsOf(tx, f, buckets, false)).map((p, i) => ({ ...p, day: buckets[i]!.day }));
      }),

    asOf: (facilityId, at) =>
      ctx.snapshot(async (tx) => {
        const f = ctx.registry.byId.get(facilityId);
        if (!f) return undefined;
        await times.catchUp(tx);
        // Capacity, thresholds and names as the registry had them then (a facility added since: as it is now).
        return asOf(tx, ctx.registryAt(at).byId.get(facilityId) ?? f, at);
      }),

    eventsBetween: (facilityId, from, to, limit = 200) =>
      ctx.snapshot(async (tx): Promise<FacilityEvents | undefined> => {
        if (!ctx.registry.byId.has(facilityId)) return undefined;
        await times.catchUp(tx);
        // [from, to): the instants before `to` (integer ms), in time order; ties at the cut are read
        // whole so the page is the first `limit` by (occurred_at, event_id), as a client sorts them.
        const inRange = (await times.of(tx, facilityId)).between(from, to - 1);
        const cut = inRange[Math.min(limit, inRange.length) - 1]?.at ?? Number.NEGATIVE_INFINITY;
        const rows = await eventsBySeq(
          tx,
          inRange.filter((e, i) => i < limit || e.at === cut).map((e) => e.seq),
        );
        rows.sort((a, b) => a.occurred_at_ms - b.occurred_at_ms || (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0));
        return { from, to, total: inRange.length, events: rows.slice(0, limit).map(rowToTicker) };
      }),
  };
}

/** Both ports of the reads of the past, as pg-store.ts composes them into `store.reads`. */
export function createPgPastReads(ctx: PgContext): PastReads & ReferralReads {
  return { ...createPgHistoryReads(ctx), ...createPgReferralReads(ctx) };
}
