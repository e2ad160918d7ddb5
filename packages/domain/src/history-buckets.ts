import { todayFromMetrics } from "./as-of.js";
import { levelFor } from "./levels.js";
import type { TickerLine } from "./live.js";
import type { Thresholds } from "./registry.js";
import type { FacilityStatus } from "./status-schema.js";
import { dayStart, hourStart, localDay } from "./time.js";

/**
 * The facility page's chart ranges (issue 8) and their buckets, in the facility's time zone:
 * local clock hours for 24 h and 7 days, local calendar days for 30 days and a year. Pure (no
 * clock, no zod): `now` comes in, and the web imports it through client.ts.
 */
export const HISTORY_RANGES = ["24h", "7d", "30d", "1y"] as const;
export type HistoryRange = (typeof HISTORY_RANGES)[number];

export type BucketKind = "hour" | "day";

const SHAPE: Record<HistoryRange, { kind: BucketKind; count: number }> = {
  "24h": { kind: "hour", count: 24 },
  "7d": { kind: "hour", count: 7 * 24 },
  "30d": { kind: "day", count: 30 },
  "1y": { kind: "day", count: 365 },
};

export function bucketKindOf(range: HistoryRange): BucketKind {
  return SHAPE[range].kind;
}

export interface Bucket {
  /** First instant of the bucket (ms). */
  start: number;
  /** First instant of the next bucket: the bucket is [start, end). */
  end: number;
  /** Where the bucket's occupied is read: its last instant (end − 1), or `now` for the current one. */
  at: number;
  /** The local day ('YYYY-MM-DD') the bucket starts on: a day bucket's key in the daily rollups. */
  day: string;
}

/**
 * The range's buckets, oldest first, the last one being the bucket that holds `now` (so a range
 * of 24 h is the current hour and the 23 before it). Days follow the zone's calendar, so a day
 * is 23 or 25 hours where the zone shifts its clocks.
 */
export function historyBuckets(range: HistoryRange, now: number, timeZone: string): Bucket[] {
  const { kind, count } = SHAPE[range];
  const out: Bucket[] = [];
  if (kind === "hour") {
    let start = hourStart(now, timeZone);
    let end = start + 3_600_000;
    for (let i = 0; i < count; i++) {
      out.push({ start, end, at: Math.min(end - 1, now), day: localDay(start, timeZone) });
      end = start;
      start = hourStart(start - 1, timeZone);
    }
  } else {
    let day = localDay(now, timeZone);
    let start = dayStart(day, timeZone);
    let end = dayStart(localDay(start + 26 * 3_600_000, timeZone), timeZone);
    for (let i = 0; i < count; i++) {
      out.push({ start, end, at: Math.min(end - 1, now), day });
      end = start;
      day = localDay(start - 1, timeZone);
      start = dayStart(day, timeZone);
    }
  }
  return out.reverse();
}

/** Day buckets for given local days (a report's month): those begun by `now`, each read at its end or at `now`. */
export function dayBuckets(days: readonly string[], now: number, timeZone: string): Bucket[] {
  const out: Bucket[] = [];
  for (const day of days) {
    const start = dayStart(day, timeZone);
    if (start > now) break;
    const end = dayStart(localDay(start + 26 * 3_600_000, timeZone), timeZone);
    out.push({ start, end, at: Math.min(end - 1, now), day });
  }
  return out;
}

/** The range's first instant (its first bucket's start). */
export function historyStart(range: HistoryRange, now: number, timeZone: string): number {
  return historyBuckets(range, now, timeZone)[0]!.start;
}

/** One bucket of a facility's history, as the facility page charts it. */
export interface HistoryPoint {
  start: number;
  end: number;
  /** The instant `occupied` and `capacity` are read at. */
  at: number;
  occupied: number;
  capacity: number;
  level: "normal" | "high" | "critical" | "over";
  admissions: number;
  discharges: number;
  treatments: Partial<Record<string, number>>;
}

export interface FacilityHistory {
  facility_id: string;
  range: HistoryRange;
  bucket: BucketKind;
  time_zone: string;
  /** Percent of capacity at which the levels start: the chart's bands. */
  thresholds: { high: number; critical: number; over: number };
  now: number;
  points: HistoryPoint[];
}

/** An open referral as it stood at an instant: no id, no person — the status, where, how urgent, since when. */
export interface OpenReferralAsOf {
  status: string;
  destination: string;
  urgency: string | null;
  /** occurred_at (ms) of the referral's first event that had occurred by then. */
  since: number;
}

/**
 * The facility as it stood at `at` (by occurred_at). In `status`, `last_event_at` and `stale`
 * speak of the latest event that had occurred by then, and `as_of_seq` is the log position the
 * answer was read at.
 */
export interface FacilityAsOf {
  at: number;
  status: FacilityStatus;
  open_referrals: OpenReferralAsOf[];
}

/** The events behind a chart point: at most `limit`, oldest first, and how many there are in all. */
export interface FacilityEvents {
  from: number;
  to: number;
  total: number;
  events: TickerLine[];
}

/**
 * The points of a facility's buckets from what the store read: occupied and capacity at each
 * bucket's `at`, and the rollup rows of the range keyed by hour start (hourly) or local day; the
 * level uses the thresholds in force at each `at`. One rule for every engine.
 */
export function bucketPoints(
  buckets: readonly Bucket[],
  input: {
    occupied: readonly number[];
    capacity: readonly number[];
    rows: readonly { k: string | number; metric: string; value: number }[];
    hourly: boolean;
    thresholdsAt: (at: number) => Thresholds;
  },
): HistoryPoint[] {
  const byKey = new Map<string | number, { metric: string; value: number }[]>();
  for (const r of input.rows) {
    // An hour's key is a number whatever the driver returned (BIGINT may arrive as text).
    const k = input.hourly ? Number(r.k) : r.k;
    let list = byKey.get(k);
    if (!list) byKey.set(k, (list = []));
    list.push(r);
  }
  return buckets.map((b, i) => {
    const counts = todayFromMetrics(byKey.get(input.hourly ? b.start : b.day) ?? [], 0);
    const occupied = input.occupied[i] ?? 0;
    const capacity = input.capacity[i] ?? 0;
    return {
      start: b.start,
      end: b.end,
      at: b.at,
      occupied,
      capacity,
      level: levelFor(occupied, capacity, input.thresholdsAt(b.at)),
      admissions: counts.admissions,
      discharges: counts.discharges,
      treatments: counts.treatments,
    };
  });
}
