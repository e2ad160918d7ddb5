/**
 * Section 2: batch ingest — bodies of 1,000 unique events over a few connections; events/s.
 * carewatch with the census mix (now) and with late admissions (shuffled over 30 days, no
 * census: a backfill), beside the bare Hono group-commit baseline.
 */
import { BENCH_FACILITY, eventFactory, type LoadKind } from "./events.js";
import { runLoad, type LoadResult } from "./load.js";
import { createKey, spawnBaseline, spawnCarewatch, storedSeq, type Child } from "./proc.js";
import type { BenchOptions, SectionResult } from "./report.js";

const BATCH = 1000;
const CONNECTIONS = 8;
const TARGET_EVENTS_PER_S = 50_000;

export async function runIngestBatch(o: BenchOptions): Promise<SectionResult> {
  const seconds = o.quick ? 2 : 10;
  const warmup = o.quick ? 8 : 20;
  const targets: { name: string; load: LoadKind; start: () => Promise<Child>; carewatch?: boolean }[] = [
    { name: "carewatch, census mix", load: "census-mix", start: spawnCarewatch, carewatch: true },
    { name: "carewatch, late admissions over 30 days", load: "late", start: spawnCarewatch, carewatch: true },
    { name: "bare Hono, group commit 2 ms / 200 rows", load: "late", start: () => spawnBaseline("bare-hono.ts", ["group"]) },
  ];
  const results: { name: string; r: LoadResult }[] = [];
  const notes: string[] = [];
  for (const t of targets) {
    o.log(`ingest-batch: ${t.name} (${seconds} s, ${CONNECTIONS} connections × ${BATCH} events per request)`);
    const child = await t.start();
    try {
      const key = t.carewatch ? createKey(child, BENCH_FACILITY) : "none";
      const events = eventFactory("batch", t.load);
      const r = await runLoad({
        url: `${child.url}/api/v1/events`,
        headers: { authorization: `Bearer ${key}` },
        body: () => events.batchJson(BATCH),
        connections: CONNECTIONS,
        seconds,
        warmup,
      });
      results.push({ name: t.name, r });
      if (t.carewatch) {
        const seq = await storedSeq(child, key);
        notes.push(
          `carewatch stored ${seq ?? "?"} events (as_of_seq) for ${(warmup + r.ok) * BATCH} acknowledged incl. warm-up (up to ${CONNECTIONS} batches per run were in flight when the load stopped)`,
        );
      }
      if (r.non2xx || r.errors) notes.push(`${t.name}: ${r.non2xx} non-2xx, ${r.errors} errors/timeouts; status codes ${JSON.stringify(r.statusCodes)}`);
    } finally {
      await child.stop();
    }
  }
  const carewatch = results.filter((x) => x.name.startsWith("carewatch"));
  notes.push("the load generator builds each 1,000-event body (~130 KB of JSON) in the bench process, on the other core");
  return {
    name: "ingest-batch",
    title: `2. Batch ingest (${BATCH.toLocaleString("en-US")} events per request, ${CONNECTIONS} connections, ${seconds} s)`,
    rows: results.map(({ name, r }) => ({
      server: name,
      "events/s": Math.round(r.reqPerSec * BATCH),
      "batches/s": r.reqPerSec,
      "p50 ms": r.p50,
      "p99 ms": r.p99,
      "2xx": r.ok,
      "non-2xx": r.non2xx,
      errors: r.errors,
    })),
    checks: carewatch.map(({ name, r }) => ({
      section: "ingest-batch",
      target: `${name} ≥ ${TARGET_EVENTS_PER_S.toLocaleString("en-US")} events/s`,
      measured: `${Math.round(r.reqPerSec * BATCH).toLocaleString("en-US")} events/s`,
      pass: r.reqPerSec * BATCH >= TARGET_EVENTS_PER_S && r.non2xx === 0,
    })),
    notes,
  };
}
