/**
 * Section 1: single-event ingest over HTTP, 50 connections, every request a unique valid event.
 * carewatch (built server) beside two bare Hono + better-sqlite3 baselines with the same PRAGMAs:
 * one autocommit INSERT per request, and group commit (one transaction per event-loop turn).
 */
import { BENCH_FACILITY, eventFactory } from "./events.js";
import { runLoad, type LoadResult } from "./load.js";
import { createKey, spawnBaseline, spawnCarewatch, storedSeq, type Child } from "./proc.js";
import type { BenchOptions, SectionResult } from "./report.js";

const CONNECTIONS = 50;

export async function runIngestSingle(o: BenchOptions): Promise<SectionResult> {
  const seconds = o.quick ? 2 : 10;
  const warmup = o.quick ? 500 : 2000;
  const targets: { name: string; start: () => Promise<Child>; carewatch?: boolean }[] = [
    { name: "carewatch", start: spawnCarewatch, carewatch: true },
    { name: "bare Hono, one INSERT per request", start: () => spawnBaseline("bare-hono.ts", ["single"]) },
    { name: "bare Hono, group commit", start: () => spawnBaseline("bare-hono.ts", ["group"]) },
  ];
  const results: { name: string; r: LoadResult }[] = [];
  const notes: string[] = [];
  for (const t of targets) {
    o.log(`ingest-single: ${t.name} (${seconds} s, ${CONNECTIONS} connections)`);
    const child = await t.start();
    try {
      const key = t.carewatch ? createKey(child, BENCH_FACILITY) : "none";
      const events = eventFactory("single");
      const r = await runLoad({
        url: `${child.url}/api/v1/events`,
        headers: { authorization: `Bearer ${key}` },
        body: events.oneJson,
        connections: CONNECTIONS,
        seconds,
        warmup,
      });
      results.push({ name: t.name, r });
      if (t.carewatch) {
        const seq = await storedSeq(child, key);
        notes.push(`carewatch stored ${seq ?? "?"} events (as_of_seq) for ${warmup + r.ok} acknowledged incl. warm-up (up to ${CONNECTIONS} per run were in flight when the load stopped)`);
      }
      if (r.non2xx || r.errors) notes.push(`${t.name}: ${r.non2xx} non-2xx, ${r.errors} errors/timeouts; status codes ${JSON.stringify(r.statusCodes)}`);
    } finally {
      await child.stop();
    }
  }
  const cw = results.find((x) => x.name === "carewatch")!.r;
  const fastest = Math.max(...results.filter((x) => x.name !== "carewatch").map((x) => x.r.reqPerSec));
  const ratio = cw.reqPerSec / fastest;
  return {
    name: "ingest-single",
    title: `1. Single-event ingest over HTTP (${CONNECTIONS} connections, ${seconds} s each, unique census/admission events)`,
    rows: results.map(({ name, r }) => ({
      server: name,
      "req/s": Math.round(r.reqPerSec),
      "p50 ms": r.p50,
      "p99 ms": r.p99,
      "max ms": r.max,
      "2xx": r.ok,
      "non-2xx": r.non2xx,
      errors: r.errors,
      "vs fastest baseline": `${Math.round((100 * r.reqPerSec) / fastest)}%`,
    })),
    checks: [
      {
        section: "ingest-single",
        target: "carewatch ≥ 60% of the faster baseline's req/s",
        measured: `${Math.round(cw.reqPerSec)} vs ${Math.round(fastest)} req/s = ${Math.round(ratio * 100)}%`,
        pass: ratio >= 0.6 && cw.non2xx === 0,
      },
    ],
    notes,
  };
}
