import { z } from "zod";
import { REFERRAL_STATUSES, TREATMENT_CATEGORIES, type ReferralStatus, type TreatmentCategory } from "./events.js";
import type { HistoryPoint } from "./history-buckets.js";
import type { FacilityType } from "./registry.js";
import type { Verdict } from "./targets-pace.js";
import type { TargetsYearView } from "./targets-view.js";
import { dayStart, localDay } from "./time.js";

/**
 * The monthly report of a province (`/reports/<province>/<YYYY-MM>`, as XLSX and as an A4
 * page): occupancy, admissions, discharges, treatments by category, referrals and plan
 * progress for one calendar month in the province's zone. Pure: the store's figures per day in,
 * the report's tables out — the XLSX writer and the page only lay them out.
 */

export const ReportMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a month as YYYY-MM");
export const MonthlyReportInput = z.object({ province: z.string().trim().min(1).max(100), month: ReportMonth });
export type MonthlyReportInput = z.infer<typeof MonthlyReportInput>;

/** The local days of a month ('YYYY-MM-DD'), in order. */
export function monthDays(month: string): string[] {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const n = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return Array.from({ length: n }, (_, i) => `${month}-${String(i + 1).padStart(2, "0")}`);
}

/** The month's first instant and the next month's, in a zone. */
export function monthBounds(month: string, timeZone: string): { start: number; end: number } {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
  return { start: dayStart(`${month}-01`, timeZone), end: dayStart(`${next}-01`, timeZone) };
}

/** A facility's day in the report: the history point of the day's bucket, with its local day. */
export type ReportDay = HistoryPoint & { day: string };

/** What the report needs of one facility, from the store: a point per local day of the month (up to now), and its referral moves in the month. */
export interface ReportFacilityInput {
  id: string;
  name: string;
  nameEn: string;
  type: FacilityType;
  timeZone: string;
  /** One per day of the month that has begun, in order (occupied/capacity at the day's end, or now). */
  days: ReportDay[];
  /** Each referral move made during the month. */
  referralMoves: { status: ReferralStatus }[];
  /** Referrals open at the end of the month (or now). */
  openReferralsAtEnd: number;
}

export interface ReportInput {
  province: { id: string; name: string };
  month: string;
  now: number;
  facilities: ReportFacilityInput[];
  /** The year's plan targets as they stood at the end of the month (or now), for this province. */
  targets: TargetsYearView | null;
}

export interface ReportFacilityRow {
  id: string;
  name: string;
  nameEn: string;
  type: FacilityType;
  capacity: number;
  occupiedEnd: number;
  /** Mean of the occupied figure at the end of each day reported. */
  occupiedMean: number;
  occupiedPeak: number;
  /** occupiedMean ÷ capacity, one decimal; null when capacity is 0. */
  occupancyPct: number | null;
  admissions: number;
  discharges: number;
  treatments: Record<TreatmentCategory, number>;
  referrals: Record<ReferralStatus, number>;
  openReferralsAtEnd: number;
}

export interface MonthlyReport {
  province: { id: string; name: string };
  month: string;
  /** The days covered: the whole month, or up to today for the current month. */
  firstDay: string;
  lastDay: string;
  complete: boolean;
  generatedAt: number;
  facilities: ReportFacilityRow[];
  totals: Omit<ReportFacilityRow, "id" | "name" | "nameEn" | "type">;
  /** The province per day: occupied and capacity at the day's end, the day's admissions and discharges. */
  daily: { day: string; occupied: number; capacity: number; admissions: number; discharges: number }[];
  targets: {
    plan: string;
    id: string;
    vi: string;
    en: string;
    kind: string;
    value: number;
    actual: number | null;
    pace: number | null;
    projection: number | null;
    verdict: Verdict;
  }[];
}

const zeros = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
const pct = (n: number, capacity: number) => (capacity > 0 ? Math.round((n / capacity) * 1000) / 10 : null);
const round1 = (n: number) => Math.round(n * 10) / 10;

function facilityRow(f: ReportFacilityInput): ReportFacilityRow {
  const treatments = zeros(TREATMENT_CATEGORIES);
  let admissions = 0;
  let discharges = 0;
  for (const d of f.days) {
    admissions += d.admissions;
    discharges += d.discharges;
    for (const [k, v] of Object.entries(d.treatments)) if (k in treatments && v) treatments[k as TreatmentCategory] += v;
  }
  const referrals = zeros(REFERRAL_STATUSES);
  for (const m of f.referralMoves) referrals[m.status]++;
  const last = f.days[f.days.length - 1];
  const mean = f.days.length ? round1(f.days.reduce((s, d) => s + d.occupied, 0) / f.days.length) : 0;
  const capacity = last?.capacity ?? 0;
  return {
    id: f.id,
    name: f.name,
    nameEn: f.nameEn,
    type: f.type,
    capacity,
    occupiedEnd: last?.occupied ?? 0,
    occupiedMean: mean,
    occupiedPeak: Math.max(0, ...f.days.map((d) => d.occupied)),
    occupancyPct: pct(mean, capacity),
    admissions,
    discharges,
    treatments,
    referrals,
    openReferralsAtEnd: f.openReferralsAtEnd,
  };
}

export function buildMonthlyReport(input: ReportInput): MonthlyReport {
  const rows = input.facilities.map(facilityRow);
  const days = monthDays(input.month);
  const covered = new Set(input.facilities.flatMap((f) => f.days.map((d) => d.day)));
  const shown = days.filter((d) => covered.has(d));
  const sum = (pick: (r: ReportFacilityRow) => number) => rows.reduce((s, r) => s + pick(r), 0);
  const capacity = sum((r) => r.capacity);
  const occupiedMean = round1(sum((r) => r.occupiedMean));
  const totals: MonthlyReport["totals"] = {
    capacity,
    occupiedEnd: sum((r) => r.occupiedEnd),
    occupiedMean,
    // The province's peak is the busiest day of the province, not the sum of each facility's busiest day.
    occupiedPeak: 0,
    occupancyPct: pct(occupiedMean, capacity),
    admissions: sum((r) => r.admissions),
    discharges: sum((r) => r.discharges),
    treatments: Object.fromEntries(TREATMENT_CATEGORIES.map((c) => [c, sum((r) => r.treatments[c] ?? 0)])) as Record<TreatmentCategory, number>,
    referrals: Object.fromEntries(REFERRAL_STATUSES.map((s) => [s, sum((r) => r.referrals[s] ?? 0)])) as Record<ReferralStatus, number>,
    openReferralsAtEnd: sum((r) => r.openReferralsAtEnd),
  };
  const daily = shown.map((day) => {
    const points = input.facilities.map((f) => f.days.find((d) => d.day === day)).filter((p): p is ReportDay => p !== undefined);
    return {
      day,
      occupied: points.reduce((s, p) => s + p.occupied, 0),
      capacity: points.reduce((s, p) => s + p.capacity, 0),
      admissions: points.reduce((s, p) => s + p.admissions, 0),
      discharges: points.reduce((s, p) => s + p.discharges, 0),
    };
  });
  totals.occupiedPeak = Math.max(0, ...daily.map((d) => d.occupied));
  const tz = input.facilities[0]?.timeZone;
  const today = tz ? localDay(input.now, tz) : days[days.length - 1]!;
  return {
    province: input.province,
    month: input.month,
    firstDay: shown[0] ?? days[0]!,
    lastDay: shown[shown.length - 1] ?? days[0]!,
    complete: days[days.length - 1]! < today,
    generatedAt: input.now,
    facilities: rows,
    totals,
    daily,
    targets: (input.targets?.plans ?? []).flatMap((p) =>
      p.targets.map(({ target, progress }) => ({
        plan: p.title,
        id: target.id,
        vi: target.vi,
        en: target.en,
        kind: target.kind,
        value: target.value,
        actual: progress.actual,
        pace: progress.pace,
        projection: progress.projection,
        verdict: progress.verdict,
      })),
    ),
  };
}
