/**
 * Valid Facility API v1 events for the bench: one facility without units, unique event_ids,
 * occurred_at = now. Nine admissions to one census, like a ward's day sped up.
 */
import { randomBytes } from "node:crypto";

export const BENCH_FACILITY = "sl-drug-rehab-song-ma";

export function eventFactory(prefix: string) {
  const tag = `${prefix}-${randomBytes(4).toString("hex")}`;
  let n = 0;
  const one = (): Record<string, unknown> => {
    const i = n++;
    const base = { event_id: `${tag}-${i}`, facility_id: BENCH_FACILITY, occurred_at: new Date().toISOString() };
    return i % 10 === 0 ? { ...base, type: "census", occupied: 100 + (i % 40) } : { ...base, type: "admission", count: 1, cohort: "voluntary" };
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
