/**
 * Section 3: fill a store through the API with late admissions — batches of 1,000, shuffled over
 * the last 30 days, no census, one facility (every movement in one ledger) — and print the rate
 * at each million. The cost per event must not grow with the history: the last million goes in
 * as fast as the first.
 */
import autocannon from "autocannon";
import { BENCH_FACILITY, eventFactory } from "./events.js";
import { createKey, rssMb, spawnCarewatch } from "./proc.js";
import type { BenchOptions, SectionResult } from "./report.js";

const BATCH = 1000;
const CONNECTIONS = 8;
const STEP = 1_000_000;
const TARGET_EVENTS_PER_S = 50_000;
/** The last million may be at most this much slower than the first (noise on these VMs is ±15 %). */
const FLAT = 0.8;

export async function runFill(o: BenchOptions, total: number): Promise<SectionResult> {
  const child = await spawnCarewatch();
  const rows: Record<string, string | number>[] = [];
  const notes: string[] = [];
  try {
    const key = createKey(child, BENCH_FACILITY);
    const events = eventFactory("fill", "late");
    const batches = Math.ceil(total / BATCH);
    let done = 0;
    let failed = 0;
    const started = performance.now();
    let stepStarted = started;
    const bar = (n: number) => {
      const width = 40;
      const filled = Math.round((n / total) * width);
      process.stderr.write(`\r  fill [${"#".repeat(filled)}${".".repeat(width - filled)}] ${(n / 1e6).toFixed(1)} / ${(total / 1e6).toFixed(0)} M events`);
    };
    // The same load generator as the other sections (autocannon), one fresh body per request.
    await new Promise<void>((resolve, reject) => {
      const instance = autocannon(
        {
          url: `${child.url}/api/v1/events`,
          connections: CONNECTIONS,
          amount: batches,
          timeout: 60,
          requests: [
            {
              method: "POST",
              headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
              setupRequest: (req) => ({ ...req, body: events.batchJson(BATCH) }),
            },
          ],
        },
        (err) => (err ? reject(err) : resolve()),
      );
      instance.on("response", (_client, status) => {
        if (status !== 202) {
          failed++;
          return;
        }
        done += BATCH;
        if (done % 50_000 === 0) bar(done);
        if (done % STEP === 0) {
          const now = performance.now();
          rows.push({
            million: done / STEP,
            "events/s in this million": Math.round(STEP / ((now - stepStarted) / 1000)),
            "server RSS MB": Math.round(rssMb(child.pid)),
            "elapsed s": Math.round((now - started) / 1000),
          });
          stepStarted = now;
        }
      });
    });
    process.stderr.write("\n");
    if (failed) notes.push(`${failed} batches were not accepted`);
    notes.push("the load generator builds each 1,000-event body in the bench process, on the same two cores");
  } finally {
    await child.stop();
  }
  const rates = rows.map((r) => Number(r["events/s in this million"]));
  const first = rates[0] ?? 0;
  const last = rates.at(-1) ?? 0;
  const slowest = Math.min(...rates);
  return {
    name: "fill",
    title: `3. Filling a store with ${(total / 1e6).toFixed(0)} M late admissions (batches of ${BATCH}, shuffled over 30 days, no census, ${CONNECTIONS} connections)`,
    rows,
    checks: [
      {
        section: "fill",
        target: `every million ≥ ${TARGET_EVENTS_PER_S.toLocaleString("en-US")} events/s`,
        measured: `slowest ${slowest.toLocaleString("en-US")} events/s`,
        pass: rates.length > 0 && slowest >= TARGET_EVENTS_PER_S,
      },
      {
        section: "fill",
        target: `flat: the last million ≥ ${FLAT * 100}% of the first`,
        measured: `${last.toLocaleString("en-US")} vs ${first.toLocaleString("en-US")} events/s = ${first ? Math.round((100 * last) / first) : 0}%`,
        pass: rates.length > 1 && last >= FLAT * first,
      },
    ],
    notes,
  };
}
