// Pure helpers of /targets (no runes, no DOM), unit-tested in Node: the year in the URL, how a
// target's figures read, and the progress bar's geometry.
import { localDay, DEFAULT_TIME_ZONE, type TargetProgress } from "@carewatch/domain/client";
import { fmtNumber, type Lang } from "../i18n";

export const YEAR_MIN = 2000;
export const YEAR_MAX = 2100;

/** `?year=YYYY`, or this year in Hà Nội when it is missing or not a year carewatch takes. */
export function yearFromUrl(url: URL, now: number): number {
  const raw = url.searchParams.get("year");
  const y = raw !== null && /^\d{4}$/.test(raw) ? Number(raw) : NaN;
  return Number.isInteger(y) && y >= YEAR_MIN && y <= YEAR_MAX ? y : Number(localDay(now, DEFAULT_TIME_ZONE).slice(0, 4));
}

interface Shown {
  kind: string;
  unit?: string;
}

/** A figure of a target: 1.151, 570,8, 80 %; averages and paces with one decimal. */
export function fmtFigure(n: number | null, t: Shown, lang: Lang, decimals = t.kind === "average_occupied" ? 1 : 0): string {
  if (n === null) return "—";
  const s = fmtNumber(n, lang, decimals);
  return t.unit?.startsWith("percent") ? (lang === "vi" ? `${s} %` : `${s}%`) : s;
}

/** The progress bar: how full (actual), where the pace mark and the target stand, in percent of its length. */
export function barGeometry(p: Pick<TargetProgress, "actual" | "pace" | "value">): { fill: number; pace: number | null; target: number } {
  const scale = Math.max(p.value, p.actual ?? 0, p.pace ?? 0, 1e-9);
  const pct = (n: number) => Math.round((n / scale) * 1000) / 10;
  return { fill: pct(p.actual ?? 0), pace: p.pace === null ? null : pct(p.pace), target: pct(p.value) };
}
