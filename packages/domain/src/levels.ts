import type { Thresholds } from "./registry.js";

export const LEVELS = ["normal", "high", "critical", "over"] as const;
export type Level = (typeof LEVELS)[number];

/**
 * Occupancy percent, or null when capacity is 0 (contract). Multiplying first keeps the one
 * rounding in the division, so a percent that is exactly a threshold compares equal to it
 * ((110 / 100) * 100 is 110.00000000000001, which would read as above 110).
 */
export function occupancyPct(occupied: number, capacity: number): number | null {
  return capacity === 0 ? null : (occupied * 100) / capacity;
}

/** Below `high` normal; `high` to below `critical` high; `critical` to `over` critical; above `over` over. */
export function levelFor(occupied: number, capacity: number, t: Thresholds): Level {
  const pct = occupancyPct(occupied, capacity);
  if (pct === null) return occupied > 0 ? "over" : "normal";
  if (pct > t.over) return "over";
  if (pct >= t.critical) return "critical";
  if (pct >= t.high) return "high";
  return "normal";
}

/** Round to one decimal for display and the API (74.666… → 74.7). */
export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
