import { InvalidArgumentError } from "commander";

/** "30d" → 30 days, "12h" → 0.5 days. */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)([dh])$/i.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`"${value}" is not a duration like 30d (days) or 12h (hours)`);
  const n = Number(m[1]);
  if (!(n > 0)) throw new InvalidArgumentError(`"${value}" must be longer than zero`);
  const days = m[2]!.toLowerCase() === "d" ? n : n / 24;
  if (days > 366) throw new InvalidArgumentError(`"${value}" is longer than a year; use at most 366d`);
  return days;
}

export function progressBar(done: number, total: number, width = 20): string {
  const frac = total > 0 ? done / total : 1;
  const filled = Math.round(frac * width);
  return `backfill [${"#".repeat(filled)}${".".repeat(width - filled)}] ${Math.floor(frac * 100)}% ${done}/${total} events`;
}
