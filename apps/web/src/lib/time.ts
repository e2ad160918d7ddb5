// Local clock hours in a time zone, without I/O (the board's trend points end on local hours).
import { TIME_ZONE } from "./i18n";

export const HOUR_MS = 3_600_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes, seconds and milliseconds past the local hour at an instant. */
function pastTheHourMs(ms: number, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", { timeZone, minute: "2-digit", second: "2-digit" });
    formatters.set(timeZone, f);
  }
  let minute = 0;
  let second = 0;
  for (const p of f.formatToParts(ms)) {
    if (p.type === "minute") minute = Number(p.value);
    else if (p.type === "second") second = Number(p.value);
  }
  const millis = ((ms % 1000) + 1000) % 1000;
  return (minute * 60 + second) * 1000 + millis;
}

/** The instant the local clock hour containing `ms` started. */
export function hourStart(ms: number, timeZone: string = TIME_ZONE): number {
  return ms - pastTheHourMs(ms, timeZone);
}
