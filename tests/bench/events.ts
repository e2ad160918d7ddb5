/**
 * Valid Facility API v1 events for the bench: one facility without units (so every movement
 * lands in one ledger — the densest case), unique event_ids. The loads:
 *   census-mix   occurred_at now, nine admissions to one census, like a ward's day sped up
 *   admissions   admissions only, occurred_at now (no census at all)
 *   late         admissions only, occurred_at anywhere in the last 30 days, in random order —
 *                a backfill or an import, late by nature, with no census
 */
import { randomBytes } from "node:crypto";

export const BENCH_FACILITY = "sl-drug-rehab-song-ma";

export type LoadKind = "census-mix" | "admissions" | "late";

const DAY = 86_400_000;

export function eventFactory(prefix: string, kind: LoadKind = "census-mix") {
  const tag = `${prefix}-${randomBytes(4).toString("hex")}`;
  const now = Date.now();
  let n = 0;
  const one = (): Record<string, unknown> => {
    const i = n++;
    const at = kind === "late" ? now - Math.floor(Math.random() * 30 * DAY) : Date.now();
    const base = { event_id: `${tag}-${i}`, facility_id: BENCH_FACILITY, occurred_at: new Date(at).toISOString() };
    return kind === "census-mix" && i % 10 === 0
      ? { ...base, type: "census", occupied: 100 + (i % 40) }
      : { ...base, type: "admission", count: 1, cohort: "voluntary" };
  };
  return {
    one,
    oneJson: () => JSON.stringify(one()),
    batchJson: (size: number) => JSON.stringify({ events: Array.from({ length: size }, one) }),
    get made() {
      return n;
    },
  };
}
