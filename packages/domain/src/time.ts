/**
 * Time-zone arithmetic without I/O. Instants are UTC milliseconds; "days" and chart hours are
 * calendar days/hours in a facility's IANA time zone (default Asia/Ho_Chi_Minh, UTC+7, no DST).
 */
export const DEFAULT_TIME_ZONE = "Asia/Ho_Chi_Minh";

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    partsFormatters.set(timeZone, f);
  }
  return f;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(instantMs: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instantMs))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Offset of the zone from UTC at an instant, computed with Intl (slow: microseconds a call). */
function computeOffsetMs(instantMs: number, timeZone: string): number {
  const w = wallClock(instantMs, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

// Zones change offset only at transitions, and every zone makes them on a UTC quarter hour, so
// one offset per zone and quarter hour is exact. The cache turns the per-event rollup keys (hour,
// day) into arithmetic: formatting dates with Intl was a quarter of batch-ingest CPU.
const QUARTER_MS = 15 * 60_000;
const offsetCache = new Map<string, Map<number, number>>();

/** Offset of the zone from UTC at an instant, in milliseconds. */
export function zoneOffsetMs(instantMs: number, timeZone: string): number {
  let zone = offsetCache.get(timeZone);
  if (!zone) offsetCache.set(timeZone, (zone = new Map()));
  const q = Math.floor(instantMs / QUARTER_MS);
  let off = zone.get(q);
  if (off === undefined) {
    if (zone.size > 50_000) zone.clear(); // bounded: about 1.4 years of quarter hours per zone
    off = computeOffsetMs(q * QUARTER_MS, timeZone);
    zone.set(q, off);
  }
  return off;
}

/** The calendar day ("YYYY-MM-DD") an instant falls on in a zone. */
export function localDay(instantMs: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  return new Date(instantMs + zoneOffsetMs(instantMs, timeZone)).toISOString().slice(0, 10);
}

/** The UTC instant at which a local calendar day starts. */
export function dayStart(day: string, timeZone: string = DEFAULT_TIME_ZONE): number {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  // Two passes settle zones whose offset changes near midnight (DST); one suffices for UTC+7.
  let t = guess - zoneOffsetMs(guess, timeZone);
  t = guess - zoneOffsetMs(t, timeZone);
  // Where clocks spring forward at midnight (e.g. America/Sao_Paulo until 2019), local 00:00
  // does not exist and `t` lands on 23:xx of the previous day; the day then starts at the
  // transition, i.e. when that previous day's wall clock would have reached midnight.
  if (localDay(t, timeZone) < day) {
    const w = wallClock(t, timeZone);
    t += 86_400_000 - ((w.hour * 60 + w.minute) * 60 + w.second) * 1000 - (((t % 1000) + 1000) % 1000);
  }
  return t;
}

/** Start (UTC ms) of the local clock hour containing an instant. */
export function hourStart(instantMs: number, timeZone: string = DEFAULT_TIME_ZONE): number {
  const offset = zoneOffsetMs(instantMs, timeZone);
  const local = instantMs + offset;
  return local - (((local % 3_600_000) + 3_600_000) % 3_600_000) - offset;
}

/** Format an instant as RFC 3339 with the zone's offset, e.g. 2026-11-22T08:15:00+07:00. */
export function toZonedIso(instantMs: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  const w = wallClock(instantMs, timeZone);
  const off = Math.round(zoneOffsetMs(instantMs, timeZone) / 60_000);
  const sign = off >= 0 ? "+" : "-";
  const abs = Math.abs(off);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
