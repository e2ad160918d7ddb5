/**
 * Section `history` (issue 8): the facility page's reads on a big store, beside the simple
 * thing done well. A store is filled (in this process, through the store's own append, in
 * groups of 10 requests of 1,000 events) to 1 M events and then to `max` M, with a year of late,
 * shuffled events of one facility — admissions, discharges, treatments and a census now and
 * then, every one at a random instant of the last 365 days. At each size:
 *   - p99 of `reads.history(facility, "1y")` (365 local days: occupied, capacity, counts),
 *   - p99 of `reads.board` (the province overview's read),
 *   - the page's data (status + 1-year history) as the page asks for it,
 *   - one full scan of the log computing the same 1-year answer (per-day counts, occupied at the
 *     end of each day by the census rule over sorted movements and prefix sums), checked equal.
 * Targets: the 1-year history ≥ 100× faster than the scan, and flat (p99 at `max` M ≤ 1.5× the
 * p99 at 1 M).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { historyBuckets, localDay, parseRegistry, TICKER_LENGTH, type AcceptedEvent, type FacilityEvent, type FacilityHistory } from "@carewatch/domain";
import { createStore, type SqliteStore } from "@carewatch/store";
import Database from "better-sqlite3";
import { BENCH_FACILITY } from "./events.js";
import { ROOT } from "./proc.js";
import type { BenchOptions, SectionResult } from "./report.js";

const DAY = 86_400_000;
const BATCH = 1000;
const GROUP = 10;
const RUNS = 200;
const SPEEDUP = 100;
const FLAT = 1.5;

function registry() {
  const parsed = parseRegistry(JSON.parse(readFileSync(path.join(ROOT, "packages/domain/data/facilities.json"), "utf8")));
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  return parsed.registry;
}

/** A year of one facility's events, late and shuffled (each at a random instant of the last 365 days). */
function generator(now: number) {
  let n = 0;
  return (): AcceptedEvent => {
    const i = n++;
    const at = now - 1 - Math.floor(Math.random() * 365 * DAY);
    const base = { event_id: `h-${i}`, facility_id: BENCH_FACILITY, occurred_at: new Date(at).toISOString() };
    const r = i % 100;
    const event = (
      r < 2
        ? { ...base, type: "census", occupied: 80 + (i % 60) }
        : r < 48
          ? { ...base, type: "admission", count: 1 }
          : r < 92
            ? { ...base, type: "discharge", count: 1 }
            : { ...base, type: "treatment", category: r < 96 ? "detox" : "psychosocial", count: 1 + (i % 3) }
    ) as FacilityEvent;
    return { event, occurredAtMs: at };
  };
}

function bar(done: number, total: number) {
  const width = 40;
  const filled = Math.round((done / total) * width);
  process.stderr.write(
    `\r  history fill [${"#".repeat(filled)}${".".repeat(width - filled)}] ${(done / 1e6).toFixed(1)} / ${(total / 1e6).toFixed(0)} M events`,
  );
}

async function fillTo(store: SqliteStore, next: () => AcceptedEvent, from: number, to: number, total: number, now: number) {
  for (let done = from; done < to;) {
    const reqs = [];
    for (let g = 0; g < GROUP && done < to; g++) {
      const events = Array.from({ length: Math.min(BATCH, to - done) }, next);
      reqs.push({ facilityId: BENCH_FACILITY, events, receivedAt: now });
      done += events.length;
    }
    const outcomes = await store.log.append(reqs);
    if (outcomes.some((o) => !o.ok)) throw new Error("history bench: a fill request was refused");
    if (done % 100_000 === 0 || done === to) bar(done, total);
  }
  process.stderr.write("\n");
}

function p(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
}

async function timed<T>(fn: () => Promise<T>, runs = RUNS): Promise<{ p50: number; p99: number; last: T }> {
  const ms: number[] = [];
  let last!: T;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    last = await fn();
    ms.push(performance.now() - t);
  }
  return { p50: p(ms, 0.5), p99: p(ms, 0.99), last };
}

/** The same 1-year answer from one pass over the log: what the page would cost without rollups and indexes. */
function fullScan(dbPath: string, now: number, timeZone: string) {
  // Its own read-only connection: the scan is the baseline, not a store read.
  const db = new Database(dbPath, { readonly: true });
  try {
    const started = performance.now();
    const buckets = historyBuckets("1y", now, timeZone);
    const index = new Map(buckets.map((b, i) => [b.day, i]));
    const counts = buckets.map(() => ({ admissions: 0, discharges: 0, treatments: {} as Record<string, number> }));
    const moves: [number, number][] = [];
    const censuses: [number, string, number][] = [];
    const rows = db.prepare("SELECT occurred_at_ms, type, event_id, body FROM events WHERE facility_id = ? ORDER BY seq").raw().iterate(BENCH_FACILITY);
    for (const [at, type, eventId, body] of rows as Iterable<[number, string, string, string]>) {
      const e = JSON.parse(body) as { count?: number; category?: string; occupied?: number };
      if (type === "census") censuses.push([at, eventId, e.occupied!]);
      else if (type === "admission" || type === "discharge") moves.push([at, type === "admission" ? e.count! : -e.count!]);
      const i = index.get(localDay(at, timeZone));
      if (i === undefined || at >= buckets[i]!.end) continue;
      const c = counts[i]!;
      if (type === "admission") c.admissions += e.count!;
      else if (type === "discharge") c.discharges += e.count!;
      else if (type === "treatment") c.treatments[e.category!] = (c.treatments[e.category!] ?? 0) + e.count!;
    }
    // The census rule at each day's end: the latest census at or before it plus the movements after it.
    moves.sort((a, b) => a[0] - b[0]);
    censuses.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    const prefix = new Float64Array(moves.length + 1);
    moves.forEach((m, i) => (prefix[i + 1] = prefix[i]! + m[1]));
    const upTo = <T>(xs: T[], key: (x: T) => number, t: number) => {
      let lo = 0;
      let hi = xs.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (key(xs[mid]!) <= t) lo = mid + 1;
        else hi = mid;
      }
      return lo; // how many are ≤ t
    };
    const occupied = buckets.map((b) => {
      const c = upTo(censuses, (x) => x[0], b.at);
      const census = c > 0 ? censuses[c - 1]! : null;
      const after = census ? upTo(moves, (m) => m[0], census[0]) : 0;
      return Math.max(0, (census?.[2] ?? 0) + prefix[upTo(moves, (m) => m[0], b.at)]! - prefix[after]!);
    });
    return { ms: performance.now() - started, counts, occupied };
  } finally {
    db.close();
  }
}

function sameAnswer(h: FacilityHistory, scan: ReturnType<typeof fullScan>): string | null {
  for (let i = 0; i < h.points.length; i++) {
    const a = h.points[i]!;
    const b = scan.counts[i]!;
    if (
      a.occupied !== scan.occupied[i] ||
      a.admissions !== b.admissions ||
      a.discharges !== b.discharges ||
      JSON.stringify(a.treatments) !== JSON.stringify(Object.fromEntries(Object.entries(b.treatments).sort()))
    )
      return `day ${h.points[i]!.start}: history ${JSON.stringify(a)} vs scan ${JSON.stringify({ occupied: scan.occupied[i], ...b })}`;
  }
  return null;
}

export async function runHistory(o: BenchOptions, maxMillions: number): Promise<SectionResult> {
  const dir = mkdtempSync(path.join(tmpdir(), "carewatch-bench-history-"));
  const dbPath = path.join(dir, "carewatch.db");
  const reg = registry();
  const now = Date.now();
  const next = generator(now);
  const store = createStore({ path: dbPath, registry: reg });
  const rows: Record<string, string | number>[] = [];
  const notes: string[] = [];
  const p99s: number[] = [];
  const speedups: number[] = [];
  const timeZone = reg.byId.get(BENCH_FACILITY)!.timeZone;
  const total = maxMillions * 1_000_000;
  try {
    let filled = 0;
    for (const millions of maxMillions > 1 ? [1, maxMillions] : [1]) {
      const target = millions * 1_000_000;
      o.log(`history: filling to ${millions} M events`);
      const t = performance.now();
      await fillTo(store, next, filled, target, total, now);
      o.log(`history: ${((target - filled) / 1e6).toFixed(0)} M events appended in ${((performance.now() - t) / 1000).toFixed(0)} s`);
      filled = target;

      const history = await timed(async () => (await store.reads.history(BENCH_FACILITY, "1y", now))!);
      const board = await timed(() => store.reads.board(now, TICKER_LENGTH));
      const pageData = await timed(async () => {
        await store.reads.facilityStatus(BENCH_FACILITY, now);
        return store.reads.history(BENCH_FACILITY, "1y", now);
      }, 50);
      const scan = fullScan(dbPath, now, timeZone);
      const mismatch = sameAnswer(history.last, scan);
      if (mismatch) notes.push(`at ${millions} M the full scan and the history disagree: ${mismatch}`);
      p99s.push(history.p99);
      speedups.push(scan.ms / history.p99);
      rows.push({
        "events M": millions,
        "history 1y p50 ms": Number(history.p50.toFixed(2)),
        "history 1y p99 ms": Number(history.p99.toFixed(2)),
        "board p99 ms": Number(board.p99.toFixed(2)),
        "page data p99 ms": Number(pageData.p99.toFixed(2)),
        "full scan ms": Math.round(scan.ms),
        "scan ÷ history p99": Math.round(scan.ms / history.p99),
        "same answer": mismatch ? "NO" : "yes",
      });
    }
    notes.push(
      `${RUNS} runs of each read (50 of the page's data: facilityStatus + history 1y), in this process on the store; the scan runs once on its own read-only connection`,
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const checks = [
    {
      section: "history",
      target: `1-year history ≥ ${SPEEDUP}× faster than a full scan of the log`,
      measured: speedups.map((s, i) => `${rows[i]?.["events M"]} M: ${Math.round(s)}×`).join(", "),
      pass: speedups.length > 0 && speedups.every((s) => s >= SPEEDUP) && notes.every((n) => !n.includes("disagree")),
    },
  ];
  if (p99s.length > 1)
    checks.push({
      section: "history",
      target: `flat: p99 at ${maxMillions} M ≤ ${FLAT}× p99 at 1 M`,
      measured: `${p99s[1]!.toFixed(2)} ms vs ${p99s[0]!.toFixed(2)} ms = ${(p99s[1]! / p99s[0]!).toFixed(2)}×`,
      pass: p99s[1]! <= FLAT * p99s[0]!,
    });
  else notes.push(`flatness not measured: only 1 M events (--history-max ${maxMillions}); run with --history-max 10`);
  return {
    name: "history",
    title: `History and overview reads on a store of 1 M${maxMillions > 1 ? ` and ${maxMillions} M` : ""} events (one facility, a year of late shuffled events)`,
    rows,
    checks,
    notes,
  };
}
