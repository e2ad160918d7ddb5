import type { Target } from "./targets.js";
import { localDay } from "./time.js";

/**
 * Actual, pace, projection and verdict of a plan target (issue 8), from facts the store gathers
 * in one read. Pure and browser-safe (types only from the schemas).
 *
 * Pace is where the actual should stand now if the year's value were reached evenly:
 * value × completed days ÷ days in the year, days being local calendar days in the target's
 * time zone (its first facility's; a province's facilities share one). At 00:00 on 1 July 2026
 * in Asia/Ho_Chi_Minh 181 of 365 days are over, so for 1.151 the pace is 1.151 × 181 ÷ 365 =
 * 570,8. For `average_occupied` the even path is the value itself (an average that is on target
 * stands at the target all year), so its pace is the value.
 */

/** ±5 % of the pace, and never less than one unit (a count one short of a small pace is noise). */
export const PACE_TOLERANCE = 0.05;

export type YearState = "not_started" | "in_progress" | "final";

export interface YearClock {
  year: number;
  daysInYear: number;
  /** Local days of the year wholly over at `now` (0 on 1 January, daysInYear once the year is over). */
  completedDays: number;
  state: YearState;
  /** Today's local day when the year is in progress, else null. */
  today: string | null;
}

const DAY_MS = 86_400_000;
const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;

export function daysInYear(year: number): number {
  return (Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / DAY_MS;
}

/** The year's local days, "YYYY-MM-DD", from 1 January. */
export function yearDays(year: number): string[] {
  const start = Date.UTC(year, 0, 1);
  return Array.from({ length: daysInYear(year) }, (_, i) => new Date(start + i * DAY_MS).toISOString().slice(0, 10));
}

export function yearClock(year: number, now: number, timeZone: string): YearClock {
  const days = daysInYear(year);
  const today = localDay(now, timeZone);
  const first = `${String(year).padStart(4, "0")}-01-01`;
  if (today < first) return { year, daysInYear: days, completedDays: 0, state: "not_started", today: null };
  const completed = dayNumber(today) - dayNumber(first);
  if (completed >= days) return { year, daysInYear: days, completedDays: days, state: "final", today: null };
  return { year, daysInYear: days, completedDays: completed, state: "in_progress", today };
}

/** value × completed days ÷ days in the year. */
export function paceOf(value: number, clock: Pick<YearClock, "completedDays" | "daysInYear">): number {
  return (value * clock.completedDays) / clock.daysInYear;
}

/** What the store gathers for one facility and one year (see packages/store/src/targets.ts). */
export interface FacilityYearFacts {
  facilityId: string;
  timeZone: string;
  /** rollup_daily of the year's local days up to today: metric ("admissions", "treatment:<category>") → day → count. */
  daily: Record<string, Record<string, number>>;
  /** Occupied as the year begins (the end of 31 December: events at 00:00 on 1 January are the year's). */
  occupiedAtStart: number;
  /** Occupied at the end of each completed day (1 ms before the next day starts), from 1 January; only for `average_occupied` targets. */
  occupiedAtDayEnds: number[];
}

export interface AssessmentRecord {
  targetId: string;
  /** The local day it describes. */
  date: string;
  value: number;
  note: string;
  /** Who set it (an email, or "cw"). */
  by: string;
  recordedAt: number;
}

export type Verdict = "ahead" | "on_pace" | "behind" | "not_started" | "too_early" | "not_assessed" | "reached" | "missed";

export interface SeriesPoint {
  /** The completed local day this point closes. */
  day: string;
  /** The actual at the end of that day (cumulative for sums; running mean for averages; latest assessment), null before any. */
  actual: number | null;
  pace: number;
}

export interface TargetProgress {
  targetId: string;
  kind: Target["kind"];
  year: number;
  value: number;
  timeZone: string;
  clock: YearClock;
  /** So far this year (sums include today's events); null when there is nothing to show yet. */
  actual: number | null;
  /** Null before the year has started. */
  pace: number | null;
  /** Where the year will end at the rate of its completed days; null when it cannot be said. */
  projection: number | null;
  verdict: Verdict;
  /** actual ÷ pace, for the progress bar; null when either is missing or the pace is 0. */
  ratio: number | null;
  /** One point per completed day (the cumulative chart). */
  series: SeriesPoint[];
  /** The latest assessment (assessment targets). */
  assessment: AssessmentRecord | null;
}

/** The metric a sum target adds up, as the rollups name it. */
export function sumMetric(t: Target): string | null {
  if (t.kind === "people_served") return "admissions";
  if (t.kind !== "event_sum") return null;
  return t.event === "admission" ? "admissions" : `treatment:${t.category ?? "other"}`;
}

/** ahead / on_pace / behind against the pace, with the tolerance band. */
export function paceVerdict(actual: number, pace: number): "ahead" | "on_pace" | "behind" {
  const band = Math.max(PACE_TOLERANCE * pace, 1);
  if (actual > pace + band) return "ahead";
  if (actual < pace - band) return "behind";
  return "on_pace";
}

function finalVerdict(t: Target, actual: number | null): Verdict {
  if (actual === null) return t.kind === "assessment" ? "not_assessed" : "missed";
  return (t.comparison === "above" ? actual > t.value : actual >= t.value) ? "reached" : "missed";
}

/** The sum over the target's facilities of a metric per day of the year (index = day of year). */
function dailySums(metric: string, facts: readonly FacilityYearFacts[], days: readonly string[]): number[] {
  return days.map((d) => facts.reduce((s, f) => s + (f.daily[metric]?.[d] ?? 0), 0));
}

/** The latest assessment dated on or before `day` (ties: the one recorded last). */
export function latestAssessment(records: readonly AssessmentRecord[], day: string): AssessmentRecord | null {
  let best: AssessmentRecord | null = null;
  for (const r of records) {
    if (r.date > day) continue;
    if (!best || r.date > best.date || (r.date === best.date && r.recordedAt > best.recordedAt)) best = r;
  }
  return best;
}

/**
 * The progress of one target at `now`. `facts` are those of the target's facilities (missing
 * ones count as nothing); `assessments` those of this target.
 */
export function targetProgress(t: Target, facts: readonly FacilityYearFacts[], assessments: readonly AssessmentRecord[], now: number): TargetProgress {
  const mine = facts.filter((f) => t.facilities.includes(f.facilityId));
  const timeZone = facts.find((f) => f.facilityId === t.facilities[0])?.timeZone ?? mine[0]?.timeZone ?? "Asia/Ho_Chi_Minh";
  const clock = yearClock(t.year, now, timeZone);
  const all = yearDays(t.year);
  const completed = all.slice(0, clock.completedDays);
  // Days that have begun: the completed ones and today.
  const begun = clock.today ? [...completed, clock.today] : completed;
  const paceAt = (i: number) => (t.kind === "average_occupied" ? t.value : paceOf(t.value, { completedDays: i + 1, daysInYear: clock.daysInYear }));
  const base = { targetId: t.id, kind: t.kind, year: t.year, value: t.value, timeZone, clock, assessment: null as AssessmentRecord | null };

  let actual: number | null;
  let projection: number | null = null;
  let series: SeriesPoint[];

  if (t.kind === "event_sum" || t.kind === "people_served") {
    const start = t.kind === "people_served" ? mine.reduce((s, f) => s + f.occupiedAtStart, 0) : 0;
    const perDay = dailySums(sumMetric(t) ?? "", mine, begun);
    let run = start;
    series = completed.map((day, i) => ({ day, actual: (run += perDay[i] ?? 0), pace: paceAt(i) }));
    const doneSum = completed.reduce((s, _d, i) => s + (perDay[i] ?? 0), 0);
    actual = start + perDay.reduce((s, n) => s + n, 0);
    if (clock.completedDays > 0) projection = start + (doneSum / clock.completedDays) * clock.daysInYear;
    if (clock.state === "final") projection = actual;
    if (clock.state === "not_started") actual = null;
  } else if (t.kind === "average_occupied") {
    const ends = mine.length ? completed.map((_d, i) => mine.reduce((s, f) => s + (f.occupiedAtDayEnds[i] ?? 0), 0)) : [];
    let run = 0;
    series = ends.map((n, i) => ({ day: completed[i] ?? "", actual: (run += n) / (i + 1), pace: t.value }));
    actual = ends.length ? run / ends.length : null;
    projection = actual;
  } else {
    const upTo = clock.state === "final" ? (all[all.length - 1] ?? "") : (clock.today ?? "");
    const latest = clock.state === "not_started" ? null : latestAssessment(assessments, upTo);
    base.assessment = latest;
    actual = latest?.value ?? null;
    series = completed.map((day, i) => ({ day, actual: latestAssessment(assessments, day)?.value ?? null, pace: paceAt(i) }));
  }

  const pace = clock.state === "not_started" ? null : t.kind === "average_occupied" ? t.value : paceOf(t.value, clock);
  let verdict: Verdict;
  if (clock.state === "not_started") verdict = "not_started";
  else if (clock.state === "final") verdict = finalVerdict(t, actual);
  else if (clock.completedDays === 0) verdict = "too_early";
  else if (actual === null) verdict = t.kind === "assessment" ? "not_assessed" : "too_early";
  else verdict = paceVerdict(actual, pace ?? 0);
  const ratio = actual !== null && pace ? actual / pace : null;
  return { ...base, actual, pace, projection, verdict, ratio, series };
}

/**
 * Whether a reader may see a target: only when every one of its facilities is in their scope.
 * A target partly out of scope is withheld (its actual would show counts of facilities the
 * reader may not read, and a part-sum against the whole target's value would mislead); the
 * server says how many were withheld.
 */
export function targetInScope(t: Pick<Target, "facilities">, mayRead: (facilityId: string) => boolean): boolean {
  return t.facilities.every(mayRead);
}

/**
 * What is wrong with an assessment, or null: only `assessment` targets take one; its date falls
 * in the target's year and not after today in its zone; a percentage is at most 100.
 */
export function assessmentProblem(t: Target, a: { date: string; value: number }, now: number, timeZone: string): string | null {
  if (t.kind !== "assessment") return "Chỉ tiêu này tính từ sự kiện, không nhập đánh giá. / This target is computed from events; it takes no assessment.";
  if (!a.date.startsWith(`${t.year}-`)) return `Ngày đánh giá phải thuộc năm ${t.year}. / The assessment's date must be in ${t.year}.`;
  if (a.date > localDay(now, timeZone)) return "Ngày đánh giá không được ở tương lai. / The assessment's date cannot be in the future.";
  if (t.unit?.startsWith("percent") && a.value > 100) return "Tỉ lệ phần trăm không quá 100. / A percentage is at most 100.";
  return null;
}
