/**
 * Section 1: single-event ingest over HTTP, 50 connections, one unique valid event per request,
 * for each load (census mix, admissions only, late admissions). carewatch (built server) beside
 * two bare Hono + better-sqlite3 baselines with the same PRAGMAs: one autocommit INSERT per
 * request, and group commit by time and size (every 2 ms or 200 rows) — the strongest simple one.
 *
 * With `--store postgres --procs N`, the same loads also on carewatch on PostgreSQL behind N
 * processes (the 50 connections round-robin over their addresses), beside the bare Hono +
 * PostgreSQL group-commit baseline (baselines/bare-hono-pg.ts) at the same durability.
 */
import { deployCarewatch, SQLITE_1, type Deployment, type StoreChoice } from "./deploy.js";
import { BENCH_FACILITY, eventFactory, type LoadKind } from "./events.js";
import { runLoad, type LoadResult } from "./load.js";
import { createKey, spawnBaseline, storedSeq, withServerState } from "./proc.js";
import type { BenchOptions, Check, SectionResult } from "./report.js";

const CONNECTIONS = 50;
const TARGET = 0.7;
const PG_TARGET = 0.5;
const LOADS: LoadKind[] = ["census-mix", "admissions", "late"];

const SQLITE_BASELINE = "bare Hono, group commit 2 ms / 200 rows";
const PG_BASELINE = "bare Hono + PostgreSQL, group commit 2 ms / 200 rows";

interface Target {
  server: string;
  load: LoadKind | "any";
  /** carewatch on this store, or a baseline (null). */
  store: StoreChoice | null;
  start: () => Promise<Pick<Deployment, "urls" | "url" | "dataDir" | "env" | "stop" | "children">>;
}

/** A baseline as a one-address deployment (it has no `cw`). */
async function baseline(file: string, args: string[], env: () => Promise<{ env: Record<string, string>; drop(): Promise<void> }>) {
  const e = await env();
  const child = await spawnBaseline(file, args, e.env).catch(async (err: unknown) => {
    await e.drop();
    throw err;
  });
  return {
    children: [child],
    urls: [child.url],
    url: child.url,
    dataDir: child.dataDir,
    env: child.env,
    async stop() {
      await child.stop();
      await e.drop();
    },
  };
}

export async function runIngestSingle(o: BenchOptions): Promise<SectionResult> {
  const seconds = o.quick ? 2 : 10;
  const warmup = o.quick ? 500 : 2000;
  const none = async () => ({ env: {}, drop: async () => {} });
  const pgDb = async () => {
    const db = await o.infra.database();
    return { env: { BENCH_DATABASE_URL: db.url }, drop: () => db.drop() };
  };
  const carewatchRuns = (store: StoreChoice, label: string): Target[] =>
    LOADS.map((load) => ({ server: label, load, store, start: () => deployCarewatch(store, o.infra) }));
  const runs: Target[] = [
    { server: "bare Hono, one INSERT per request", load: "any", store: null, start: () => baseline("bare-hono.ts", ["single"], none) },
    { server: SQLITE_BASELINE, load: "any", store: null, start: () => baseline("bare-hono.ts", ["group"], none) },
    ...carewatchRuns(SQLITE_1, "carewatch"),
    ...(o.scale
      ? [
          { server: PG_BASELINE, load: "any" as const, store: null, start: () => baseline("bare-hono-pg.ts", [], pgDb) },
          ...carewatchRuns(o.scale, `carewatch, PostgreSQL, ${o.scale.procs} proc${o.scale.procs === 1 ? "" : "s"}`),
          // With several processes, one more row: the same store behind one process (admissions, the baseline's load) — what the extra processes add.
          ...(o.scale.procs > 1
            ? [
                {
                  server: "carewatch, PostgreSQL, 1 proc",
                  load: "admissions" as const,
                  store: { ...o.scale, procs: 1 },
                  start: () => deployCarewatch({ ...o.scale!, procs: 1 }, o.infra),
                },
              ]
            : []),
          // The baseline again after carewatch's rows: the machine drifts (other work, a fresh cluster
          // warming up), so carewatch is held to the better of the two.
          { server: `${PG_BASELINE}, again`, load: "any" as const, store: null, start: () => baseline("bare-hono-pg.ts", [], pgDb) },
        ]
      : []),
  ];
  const results: { server: string; load: string; pg: boolean; carewatch: boolean; r: LoadResult }[] = [];
  const notes: string[] = [];
  for (const t of runs) {
    o.log(`ingest-single: ${t.server}, ${t.load} (${seconds} s, ${CONNECTIONS} connections)`);
    const d = await t.start();
    try {
      const key = t.store ? createKey(d, BENCH_FACILITY) : "none";
      const events = eventFactory("single", t.load === "any" ? "admissions" : t.load);
      const r = await runLoad({
        url: d.urls.map((u) => `${u}/api/v1/events`),
        headers: { authorization: `Bearer ${key}` },
        body: events.oneJson,
        connections: CONNECTIONS,
        seconds,
        warmup,
      });
      const pg = t.store?.engine === "postgres" || t.server.startsWith(PG_BASELINE);
      results.push({ server: t.server, load: t.load, pg, carewatch: t.store !== null, r });
      if (t.store) {
        const seq = await storedSeq(d, key);
        notes.push(
          `${t.server} (${t.load}) stored ${seq ?? "?"} events (as_of_seq) for ${warmup + r.ok} acknowledged incl. warm-up (up to ${CONNECTIONS} were in flight when the load stopped)`,
        );
      }
      if (r.non2xx || r.errors)
        notes.push(`${t.server} (${t.load}): ${r.non2xx} non-2xx, ${r.errors} errors/timeouts; status codes ${JSON.stringify(r.statusCodes)}`);
    } catch (e) {
      throw withServerState(e, d.children);
    } finally {
      await d.stop();
    }
  }
  const baselineOf = (pg: boolean) =>
    Math.max(...results.filter((x) => (pg ? x.server.startsWith(PG_BASELINE) : x.server === SQLITE_BASELINE)).map((x) => x.r.reqPerSec));
  if (o.scale && o.scale.procs > 1)
    notes.push(
      `PostgreSQL rows: ${o.scale.procs} server processes on one database, the ${CONNECTIONS} connections round-robin over their addresses (no load balancer)`,
    );
  const checks: Check[] = results
    .filter((x) => x.carewatch)
    .map(({ server, load, pg, r }) => {
      const base = baselineOf(pg);
      const target = pg ? PG_TARGET : TARGET;
      return {
        section: "ingest-single",
        target: `${server} (${load}) ≥ ${target * 100}% of the ${pg ? "bare Hono + PostgreSQL (better of its two runs)" : "2 ms / 200-row"} group-commit baseline`,
        measured: `${Math.round(r.reqPerSec)} vs ${Math.round(base)} req/s = ${Math.round((100 * r.reqPerSec) / base)}%`,
        pass: r.reqPerSec >= target * base && r.non2xx === 0,
      };
    });
  return {
    name: "ingest-single",
    title: `1. Single-event ingest over HTTP (${CONNECTIONS} connections, ${seconds} s each, unique events)`,
    rows: results.map(({ server, load, pg, r }) => ({
      server,
      load,
      "req/s": Math.round(r.reqPerSec),
      "p50 ms": r.p50,
      "p99 ms": r.p99,
      "max ms": r.max,
      "2xx": r.ok,
      "non-2xx": r.non2xx,
      errors: r.errors,
      "vs group-commit baseline": `${Math.round((100 * r.reqPerSec) / baselineOf(pg))}%${o.scale ? (pg ? " (PG)" : " (SQLite)") : ""}`,
    })),
    checks,
    notes,
  };
}
