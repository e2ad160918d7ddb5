// /referrals' filters live in the URL (`?state=all&facility=…&from=2026-11-01`), so a link shows
// exactly what its sender saw. Days are calendar days in the domain's zone (Asia/Ho_Chi_Minh):
// `from` is the start of its day, `to` the end of its day (the next day's start, excluded).
import { dayStart, DEFAULT_TIME_ZONE, REFERRAL_URGENCIES, type ReferralUrgency } from "@carewatch/domain/client";

export const STATES = ["open", "closed", "all"] as const;
export type State = (typeof STATES)[number];

export interface PageFilters {
  state: State;
  facility: string | null;
  destination: string | null;
  urgency: ReferralUrgency | null;
  /** YYYY-MM-DD */
  from: string | null;
  /** YYYY-MM-DD, included */
  to: string | null;
  overdueOnly: boolean;
  /** The referral whose timeline is open: `<facility_id>/<referral_id>`. */
  open: string | null;
}

export const DEFAULT_FILTERS: PageFilters = {
  state: "open",
  facility: null,
  destination: null,
  urgency: null,
  from: null,
  to: null,
  overdueOnly: false,
  open: null,
};

/** A real calendar day written YYYY-MM-DD, or null. */
export function validDay(v: string | null): string | null {
  if (v === null || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return null;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v ? v : null;
}

const text = (v: string | null, max: number) => (v !== null && v.trim() !== "" && v.length <= max ? v.trim() : null);

/** Filters from a URL; anything unreadable falls back to its default (a mistyped link still opens). */
export function parseFilters(url: URL): PageFilters {
  const q = url.searchParams;
  const state = q.get("state");
  const urgency = q.get("urgency");
  return {
    state: (STATES as readonly string[]).includes(state ?? "") ? (state as State) : "open",
    facility: text(q.get("facility"), 128),
    destination: text(q.get("destination"), 200),
    urgency: (REFERRAL_URGENCIES as readonly string[]).includes(urgency ?? "") ? (urgency as ReferralUrgency) : null,
    from: validDay(q.get("from")),
    to: validDay(q.get("to")),
    overdueOnly: q.get("overdue") === "1",
    open: text(q.get("open"), 400),
  };
}

/** The query string for filters (defaults left out, a stable order), without the `?`. */
export function filtersToQuery(f: PageFilters, keep: URLSearchParams = new URLSearchParams()): string {
  const q = new URLSearchParams();
  // Parameters this page does not own (e.g. ?lang=en) stay.
  for (const [k, v] of keep) if (!["state", "facility", "destination", "urgency", "from", "to", "overdue", "open"].includes(k)) q.append(k, v);
  if (f.state !== "open") q.set("state", f.state);
  if (f.facility) q.set("facility", f.facility);
  if (f.destination) q.set("destination", f.destination);
  if (f.urgency) q.set("urgency", f.urgency);
  if (f.from) q.set("from", f.from);
  if (f.to) q.set("to", f.to);
  if (f.overdueOnly) q.set("overdue", "1");
  if (f.open) q.set("open", f.open);
  return q.toString();
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The period as instants for the server: [start of `from`, start of the day after `to`). */
export function periodOf(f: Pick<PageFilters, "from" | "to">, timeZone: string = DEFAULT_TIME_ZONE): { from?: number; to?: number } {
  return {
    ...(f.from ? { from: dayStart(f.from, timeZone) } : {}),
    ...(f.to ? { to: dayStart(nextDay(f.to), timeZone) } : {}),
  };
}

/** "01/11/2026" (dd/mm/yyyy, as people type it here) → "2026-11-01"; null when it is not a real day. */
export function parseDayInput(text: string): string | null {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(text);
  if (!m) return null;
  return validDay(`${m[3]}-${m[2]!.padStart(2, "0")}-${m[1]!.padStart(2, "0")}`);
}

/** "2026-11-01" → "01/11/2026". */
export function dayToInput(day: string | null): string {
  return day ? `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}` : "";
}
