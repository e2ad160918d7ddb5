/**
 * Section 1: single-event ingest over HTTP, 50 connections, one unique valid event per request,
 * for each load (census mix, admissions only, late admissions). carewatch (built server) beside
 * two bare Hono + better-sqlite3 baselines with the same PRAGMAs: one autocommit INSERT per
 * request, and group commit by time and size (every 2 ms or 200 rows) — the strongest simple one.
 */
import { BENCH_FACILITY, eventFactory, type LoadKind } from "./events.js";
import { runLoad, type LoadResult } from "./load.js";
import { createKey, spawnBaseline, spawnCarewatch, storedSeq, type Child } from "./proc.js";
import type { BenchOptions, SectionResult } from "./report.js";

const CONNECTIONS = 50;
const TARGET = 0.7;
const LOADS: LoadKind[] = ["census-mix", "admissions", "late"];

export async function runIngestSingle(o: BenchOptions): Promise<SectionResult> {
  const seconds = o.quick ? 2 : 10;
  const warmup = o.quick ? 500 : 2000;
  const runs: { server: string; load: LoadKind | "any"; start: () => Promise<Child>; carewatch?: boolean }[] = [
    { server: "bare Hono, one INSERT per request", load: "any", start: () => spawnBaseline("bare-hono.ts", ["single"]) },
    { server: "bare Hono, group commit 2 ms / 200 rows", load: "any", start: () => spawnBaseline("bare-hono.ts", ["group"]) },
    ...LOADS.map((load) => ({ server: "carewatch", load, start: spawnCarewatch, carewatch: true })),
  ];
  const results: { server: string; load: string; r: LoadResult }[] = [];
  const notes: string[] = [];
  for (const t of runs) {
    o.log(`ingest-single: ${t.server}, ${t.load} (${seconds} s, ${CONNECTIONS} connections)`);
    const child = await t.start();
    try {
      const key = t.carewatch ? createKey(child, BENCH_FACILITY) : "none";
      const events = eventFactory("single", t.load === "any" ? "admissions" : t.load);
      const r = await runLoad({
        url: `${child.url}/api/v1/events`,
        headers: { authorization: `Bearer ${key}` },
        body: events.oneJson,
        connections: CONNECTIONS,
        seconds,
        warmup,
      });
      results.push({ server: t.server, load: t.load, r });
      if (t.carewatch) {
        const seq = await storedSeq(child, key);
        notes.push(
          `carewatch (${t.load}) stored ${seq ?? "?"} events (as_of_seq) for ${warmup + r.ok} acknowledged incl. warm-up (up to ${CONNECTIONS} were in flight when the load stopped)`,
        );
      }
      if (r.non2xx || r.errors)
        notes.push(`${t.server} (${t.load}): ${r.non2xx} non-2xx, ${r.errors} errors/timeouts; status codes ${JSON.stringify(r.statusCodes)}`);
    } finally {
      await child.stop();
    }
  }
  const baseline = results.find((x) => x.server.includes("2 ms"))!.r.reqPerSec;
  return {
    name: "ingest-single",
    title: `1. Single-event ingest over HTTP (${CONNECTIONS} connections, ${seconds} s each, unique events)`,
    rows: results.map(({ server, load, r }) => ({
      server,
      load,
      "req/s": Math.round(r.reqPerSec),
      "p50 ms": r.p50,
      "p99 ms": r.p99,
      "max ms": r.max,
      "2xx": r.ok,
      "non-2xx": r.non2xx,
      errors: r.errors,
      "vs group-commit baseline": `${Math.round((100 * r.reqPerSec) / baseline)}%`,
    })),
    checks: results
      .filter((x) => x.server === "carewatch")
      .map(({ load, r }) => ({
        section: "ingest-single",
        target: `carewatch (${load}) ≥ ${TARGET * 100}% of the 2 ms / 200-row group-commit baseline`,
        measured: `${Math.round(r.reqPerSec)} vs ${Math.round(baseline)} req/s = ${Math.round((100 * r.reqPerSec) / baseline)}%`,
        pass: r.reqPerSec >= TARGET * baseline && r.non2xx === 0,
      })),
    notes,
  };
}
