// What the facility page shows, read from and written to its URL (so a link can be shared):
// ?range=24h|7d|30d|1y and ?as_of=<RFC 3339 instant>.
import { HISTORY_RANGES, toZonedIso, type HistoryRange } from "@carewatch/domain/client";

export interface PageView {
  range: HistoryRange;
  /** The instant shown (ms), or null for live. */
  asOf: number | null;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export function readView(url: URL): PageView {
  const r = url.searchParams.get("range");
  const range = (HISTORY_RANGES as readonly string[]).includes(r ?? "") ? (r as HistoryRange) : "24h";
  // A "+07:00" typed into an address bar arrives as " 07:00" (a + in a query is a space).
  const a = url.searchParams.get("as_of")?.replace(" ", "+") ?? null;
  const t = a !== null && RFC3339.test(a) ? Date.parse(a) : NaN;
  return { range, asOf: Number.isFinite(t) ? t : null };
}

/** The URL for a view: the facility's zone in the instant, so the link reads as local time. */
export function viewUrl(url: URL, v: PageView, timeZone: string): string {
  const next = new URL(url);
  next.searchParams.set("range", v.range);
  if (v.asOf === null) next.searchParams.delete("as_of");
  else next.searchParams.set("as_of", toZonedIso(v.asOf, timeZone));
  return next.pathname + next.search;
}
