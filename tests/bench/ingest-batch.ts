/**
 * Section 2: batch ingest — bodies of 1,000 unique events over a few connections; events/s.
 * carewatch with the census mix (now) and with late admissions (shuffled over 30 days, no
 * census: a backfill), beside the bare Hono group-commit baseline. With `--store postgres
 * --procs N`, the same on carewatch on PostgreSQL behind N processes (connections round-robin
 * over them) beside the bare Hono + PostgreSQL group-commit baseline.
 */
import { deployCarewatch, SQLITE_1, type Deployment, type StoreChoice } from "./deploy.js";
import { BENCH_FACILITY, eventFactory, type LoadKind } from "./events.js";
import { runLoad, type LoadResult } from "./load.js";
import { createKey, spawnBaseline, storedSeq, withServerState } from "./proc.js";
import type { BenchOptions, SectionResult } from "./report.js";

const BATCH = 1000;
const CONNECTIONS = 8;
const TARGET_EVENTS_PER_S = 50_000;

/** A carewatch deployment or a baseline: what the load needs of either. */
type Running = Omit<Deployment, "label" | "choice">;

export async function runIngestBatch(o: BenchOptions): Promise<SectionResult> {
  const seconds = o.quick ? 2 : 10;
  const warmup = o.quick ? 8 : 20;
  const child = async (file: string, args: string[], env: Record<string, string> = {}, drop = async () => {}): Promise<Running> => {
    const c = await spawnBaseline(file, args, env).catch(async (e: unknown) => {
      await drop();
      throw e;
    });
    return { children: [c], urls: [c.url], url: c.url, dataDir: c.dataDir, env: c.env, stop: async () => (await c.stop(), await drop()) };
  };
  const carewatch = (store: StoreChoice, prefix: string) => [
    { name: `${prefix}, census mix`, load: "census-mix" as LoadKind, store, start: () => deployCarewatch(store, o.infra) },
    { name: `${prefix}, late admissions over 30 days`, load: "late" as LoadKind, store, start: () => deployCarewatch(store, o.infra) },
  ];
  const targets: { name: string; load: LoadKind; start: () => Promise<Running>; store?: StoreChoice }[] = [
    ...carewatch(SQLITE_1, "carewatch"),
    { name: "bare Hono, group commit 2 ms / 200 rows", load: "late", start: () => child("bare-hono.ts", ["group"]) },
    ...(o.scale
      ? [
          ...carewatch(o.scale, `carewatch, PostgreSQL ${o.scale.procs} proc${o.scale.procs === 1 ? "" : "s"}`),
          {
            name: "bare Hono + PostgreSQL, group commit 2 ms / 200 rows",
            load: "late" as LoadKind,
            start: async () => {
              const db = await o.infra.database();
              return child("bare-hono-pg.ts", [], { BENCH_DATABASE_URL: db.url }, () => db.drop());
            },
          },
        ]
      : []),
  ];
  const results: { name: string; r: LoadResult; store?: StoreChoice }[] = [];
  const notes: string[] = [];
  for (const t of targets) {
    o.log(`ingest-batch: ${t.name} (${seconds} s, ${CONNECTIONS} connections × ${BATCH} events per request)`);
    const d = await t.start();
    try {
      const key = t.store ? createKey(d, BENCH_FACILITY) : "none";
      const events = eventFactory("batch", t.load);
      const r = await runLoad({
        url: d.urls.map((u) => `${u}/api/v1/events`),
        headers: { authorization: `Bearer ${key}` },
        body: () => events.batchJson(BATCH),
        connections: CONNECTIONS,
        seconds,
        warmup,
      });
      results.push({ name: t.name, r, store: t.store });
      if (t.store) {
        const seq = await storedSeq(d, key);
        notes.push(
          `${t.name}: stored ${seq ?? "?"} events (as_of_seq) for ${(warmup + r.ok) * BATCH} acknowledged incl. warm-up (up to ${CONNECTIONS} batches per run were in flight when the load stopped)`,
        );
      }
      if (r.non2xx || r.errors) notes.push(`${t.name}: ${r.non2xx} non-2xx, ${r.errors} errors/timeouts; status codes ${JSON.stringify(r.statusCodes)}`);
    } catch (e) {
      throw withServerState(e, d.children);
    } finally {
      await d.stop();
    }
  }
  notes.push("the load generator builds each 1,000-event body (~130 KB of JSON) in the bench process, on the other core");
  if (o.scale)
    notes.push(
      "PostgreSQL rows have no target of their own (the issue sets one for single-event ingest); the SQLite target is kept for SQLite, and the PostgreSQL baseline is beside them to compare",
    );
  return {
    name: "ingest-batch",
    title: `2. Batch ingest (${BATCH.toLocaleString("en-US")} events per request, ${CONNECTIONS} connections, ${seconds} s)`,
    rows: results.map(({ name, r, store }) => {
      // Each row beside the group-commit baseline of its engine (SQLite's, or PostgreSQL's).
      const pg = store ? store.engine === "postgres" : name.includes("PostgreSQL");
      const base = results.find((x) => !x.store && x.name.includes("PostgreSQL") === pg)?.r.reqPerSec ?? NaN;
      return {
        server: name,
        "events/s": Math.round(r.reqPerSec * BATCH),
        "batches/s": r.reqPerSec,
        "p50 ms": r.p50,
        "p99 ms": r.p99,
        "2xx": r.ok,
        "non-2xx": r.non2xx,
        errors: r.errors,
        "vs group-commit baseline": `${Math.round((100 * r.reqPerSec) / base)}%${o.scale ? (pg ? " (PG)" : " (SQLite)") : ""}`,
      };
    }),
    checks: results
      .filter((x) => x.store?.engine === "sqlite")
      .map(({ name, r }) => ({
        section: "ingest-batch",
        target: `${name} ≥ ${TARGET_EVENTS_PER_S.toLocaleString("en-US")} events/s`,
        measured: `${Math.round(r.reqPerSec * BATCH).toLocaleString("en-US")} events/s`,
        pass: r.reqPerSec * BATCH >= TARGET_EVENTS_PER_S && r.non2xx === 0,
      })),
    notes,
  };
}
