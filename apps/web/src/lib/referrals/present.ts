// How a referral reads on the page and in its CSV: pure functions of an answer row and the
// language, so the table and the file say exactly the same thing.
import { fmtDate, fmtDuration, fmtTime, REFERRAL_STATUS_LABELS, URGENCY_LABELS, type Lang } from "../i18n";
import { toCsv } from "../csv";
import type { ReferralMessages } from "./messages";

/** What presenting a referral needs (a subset of the server's row, so tests can build one by hand). */
export interface PresentedReferral {
  facilityName: string;
  facilityNameEn: string;
  province: string;
  timeZone: string;
  destination: string;
  urgency: string | null;
  status: string;
  open: boolean;
  startedAt: number;
  ageMs: number;
  thresholdMs: number;
  overdue: boolean;
  overdueByMs: number;
  steps: { status: string; at: number; startsAt: number; durationMs: number | null; current: boolean }[];
}

/** dd/mm/yyyy hh:mm in the facility's zone. */
export const fmtStamp = (ms: number, timeZone: string) => `${fmtDate(ms, timeZone)} ${fmtTime(ms, false, timeZone)}`;

export const statusLabel = (status: string, lang: Lang) => REFERRAL_STATUS_LABELS[status]?.[lang] ?? status;

export const urgencyLabel = (urgency: string | null, lang: Lang, m: ReferralMessages) =>
  urgency === null ? m.notGiven : (URGENCY_LABELS[urgency]?.[lang] ?? urgency);

export const facilityLabel = (r: Pick<PresentedReferral, "facilityName" | "facilityNameEn">, lang: Lang) => (lang === "vi" ? r.facilityName : r.facilityNameEn);

/** The overdue flag as words (the icon beside it is decoration): overdue by how long, on time, or closed. */
export function overdueText(r: PresentedReferral, lang: Lang, m: ReferralMessages): { icon: string; text: string; kind: "overdue" | "ok" | "closed" } {
  if (r.overdue) return { icon: "⚠", text: m.overdueBy(fmtDuration(r.overdueByMs, lang)), kind: "overdue" };
  if (r.open) return { icon: "○", text: m.onTime, kind: "ok" };
  return { icon: "✓", text: m.closed, kind: "closed" };
}

/** One step in words: "đã chấp nhận 2 giờ" (the closing step: its label alone). */
export function stepText(s: PresentedReferral["steps"][number], lang: Lang): string {
  return s.durationMs === null ? statusLabel(s.status, lang) : `${statusLabel(s.status, lang)} ${fmtDuration(s.durationMs, lang)}`;
}

/** The bar's segments: each step's share of the whole wait (the closing step is a mark, not a length). */
export function segments(r: PresentedReferral): { status: string; share: number; current: boolean }[] {
  const total = r.steps.reduce((n, s) => n + (s.durationMs ?? 0), 0);
  return r.steps
    .filter((s) => s.durationMs !== null)
    .map((s) => ({ status: s.status, share: total > 0 ? (s.durationMs ?? 0) / total : 1 / r.steps.length, current: s.current }));
}

/** The table as shown, as a CSV file's text (UTF-8 with BOM). */
export function referralsCsv(rows: readonly PresentedReferral[], provinceName: (id: string) => string, lang: Lang, m: ReferralMessages): string {
  return toCsv(
    m.csvHeader,
    rows.map((r) => [
      facilityLabel(r, lang),
      provinceName(r.province),
      r.destination,
      urgencyLabel(r.urgency, lang, m),
      statusLabel(r.status, lang),
      fmtStamp(r.startedAt, r.timeZone),
      fmtDuration(r.ageMs, lang),
      overdueText(r, lang, m).text,
      r.steps.map((s) => stepText(s, lang)).join(" → "),
    ]),
  );
}

/** A row of the counts tables (per facility or per destination). */
export interface CountRow {
  key: string;
  label: string;
  href?: string;
  open: number;
  overdue: number;
  total: number;
}
