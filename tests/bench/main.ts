/**
 * `pnpm bench` — carewatch's performance report. Every figure, baselines included, is measured in
 * this run on this machine; servers run as child processes, load and clients in this process.
 *
 *   pnpm bench                      ingest-single, ingest-batch, fill (10 M events), fanout (~8 min)
 *   pnpm bench --quick              the same with short runs and a 1 M fill (a smoke check)
 *   pnpm bench --only <name>        one section: ingest-single | ingest-batch | fill | fanout | soak | import | history | national
 *   pnpm bench --fill <millions>    how many million events the fill section posts
 *   pnpm bench --history-max <M>    the history section's largest store (1 M, then this many M; default 10)
 *   pnpm bench --soak 10m           the browser soak alone (wall page JS heap over time)
 *   pnpm bench --only national      national scale: 34 provinces × 25 facilities (one event a minute
 *                                   each, sped up), 2,000 province-scoped displays: server CPU,
 *                                   ack → last display p50/p99, RSS, scope check (SQLite, 1 process)
 *
 * Scale-out (issue 9): `--store postgres --procs N` (defaults: sqlite, 1) runs ingest-single,
 * ingest-batch, fanout and national on SQLite in one process AND on PostgreSQL behind N server
 * processes, side by side, with a bare Hono + PostgreSQL group-commit baseline (same durability)
 * in the same run (~6 min on 2 cores; `--only` picks one). A throwaway PostgreSQL (fsync=on,
 * synchronous_commit=on; a new database per server run) and, for N > 1, a throwaway Redis
 * (CAREWATCH_REDIS_URL) are started and removed by the bench. Load and clients go round-robin over
 * the N processes' addresses (no load balancer); fan-out latency counts an event posted to one
 * process until the last display, on whichever process, has it. The SQLite-only sections (fill,
 * import, history, soak) are left to plain `pnpm bench`, so the scale-out run does not double it.
 *
 *   pnpm bench --store postgres --procs 2              the four sections, both stores
 *   pnpm bench --store postgres --procs 2 --only fanout
 *
 * BENCH_CPU_PROF=<dir> makes every server child write a V8 CPU profile into <dir> when it exits.
 *
 * Prints a table per section and a PASS/FAIL summary, writes tests/artifacts/bench-<date>.json,
 * and exits 0 whatever the verdicts (it is a report, not a gate).
 */
import os from "node:os";
import { runFanout } from "./fanout.js";
import { runFill } from "./fill.js";
import { runHistory } from "./history.js";
import { runImportBench } from "./import.js";
import { runIngestBatch } from "./ingest-batch.js";
import { runIngestSingle } from "./ingest-single.js";
import { Infra, type StoreChoice } from "./deploy.js";
import { runNational } from "./national.js";
import { machineJiffies, ROOT } from "./proc.js";
import { printSection, printSummary, writeArtifact, type BenchOptions, type SectionResult } from "./report.js";
import { parseDuration, runSoak } from "./soak.js";

const SECTIONS = ["ingest-single", "ingest-batch", "fill", "fanout", "soak", "import", "history", "national"] as const;
/** The sections that run on PostgreSQL too with --store postgres (the others are SQLite-only). */
const SCALE_SECTIONS: SectionName[] = ["ingest-single", "ingest-batch", "fanout", "national"];
type SectionName = (typeof SECTIONS)[number];

function usage(msg: string): never {
  process.stderr.write(
    `bench: ${msg}\nusage: pnpm bench [--quick] [--only ${SECTIONS.join("|")}] [--fill <millions>] [--history-max <millions>] [--soak <duration, e.g. 10m>] [--store sqlite|postgres] [--procs <N>]\n`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]) {
  let quick = false;
  let only: SectionName | null = null;
  let soakMs: number | null = null;
  let fillMillions: number | null = null;
  let historyMax: number | null = null;
  let engine: StoreChoice["engine"] = "sqlite";
  let procs = 1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") continue;
    else if (a === "--quick") quick = true;
    else if (a === "--only") {
      const v = argv[++i];
      if (!SECTIONS.includes(v as SectionName)) usage(`--only needs one of ${SECTIONS.join(", ")}`);
      only = v as SectionName;
    } else if (a === "--soak") {
      const v = argv[++i];
      soakMs = v ? parseDuration(v) : null;
      if (soakMs === null) usage(`--soak needs a duration such as 90s, 10m or 1h`);
    } else if (a === "--fill") {
      fillMillions = Number(argv[++i]);
      if (!Number.isInteger(fillMillions) || fillMillions < 1) usage("--fill needs a whole number of millions, e.g. 10");
    } else if (a === "--history-max") {
      historyMax = Number(argv[++i]);
      if (!Number.isInteger(historyMax) || historyMax < 1) usage("--history-max needs a whole number of millions, e.g. 10");
    } else if (a === "--store") {
      const v = argv[++i];
      if (v !== "sqlite" && v !== "postgres") usage("--store needs sqlite or postgres");
      engine = v;
    } else if (a === "--procs") {
      procs = Number(argv[++i]);
      if (!Number.isInteger(procs) || procs < 1 || procs > 16) usage("--procs needs a whole number of server processes, 1 to 16");
    } else if (a === "--help" || a === "-h") usage("help");
    else usage(`unknown argument ${a}`);
  }
  if (engine === "sqlite" && procs > 1) usage("--procs > 1 needs --store postgres (SQLite is one process's store)");
  const scale: StoreChoice | null = engine === "postgres" ? { engine, procs } : null;
  if (scale && only && !SCALE_SECTIONS.includes(only)) usage(`--store postgres applies to ${SCALE_SECTIONS.join(", ")}`);
  // --soak runs the soak alone; --only soak without --soak soaks for 10 min (2 min with --quick).
  const sections: SectionName[] = only
    ? [only]
    : soakMs !== null
      ? ["soak"]
      : scale
        ? SCALE_SECTIONS
        : ["ingest-single", "ingest-batch", "fill", "fanout", "import", "history"];
  return {
    quick,
    scale,
    sections,
    soakMs: soakMs ?? (quick ? 120_000 : 600_000),
    fillEvents: (fillMillions ?? (quick ? 1 : 10)) * 1_000_000,
    historyMax: historyMax ?? (quick ? 1 : 10),
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const log = (msg: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${msg}\n`);
  const infra = new Infra(log);
  const opts: BenchOptions = { quick: args.quick, log, scale: args.scale, infra };
  const cpus = os.cpus();
  const machine = {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? "unknown",
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
  const command = `pnpm bench${
    process.argv.length > 2
      ? " " +
        process.argv
          .slice(2)
          .filter((a) => a !== "--")
          .join(" ")
      : ""
  }`;
  console.log(`carewatch bench — ${new Date().toISOString()}`);
  console.log(`machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB RAM, ${machine.os}, Node ${machine.node}`);
  console.log(`reproduce: ${command}   (in ${ROOT}; builds first, then runs tests/bench/main.ts)`);

  // The figures assume a quiet machine: say so when something else is using the CPU.
  const j0 = machineJiffies();
  await new Promise((r) => setTimeout(r, 1000));
  const j1 = machineJiffies();
  const busyBefore = (100 * (j1.busy - j0.busy)) / (j1.total - j0.total);
  const quiet = busyBefore < 15;
  console.log(
    `machine busy before start: ${busyBefore.toFixed(0)}%${quiet ? "" : "  — WARNING: other processes are using the CPU; the figures will be low and noisy"}`,
  );

  const runners: Record<SectionName, () => Promise<SectionResult>> = {
    "ingest-single": () => runIngestSingle(opts),
    "ingest-batch": () => runIngestBatch(opts),
    fill: () => runFill(opts, args.fillEvents),
    fanout: () => runFanout(opts),
    soak: () => runSoak(opts, args.soakMs),
    import: () => runImportBench(opts),
    history: () => runHistory(opts, args.historyMax),
    national: () => runNational(opts),
  };
  const results: SectionResult[] = [];
  try {
    for (const name of args.sections) {
      let r: SectionResult;
      try {
        r = await runners[name]();
      } catch (e) {
        r = { name, title: name, rows: [], checks: [], notes: [], error: (e as Error).stack ?? String(e) };
      }
      results.push(r);
      printSection(r);
    }
  } finally {
    await infra.stop();
  }
  printSummary(results);
  if (!quiet)
    console.log(`\nWARNING: the machine was ${busyBefore.toFixed(0)}% busy before the bench started; rerun on a quiet machine before trusting a FAIL.`);
  const file = writeArtifact(ROOT, {
    date: new Date().toISOString(),
    command,
    machine,
    busyBeforePct: busyBefore,
    quick: args.quick,
    store: args.scale ? { engine: args.scale.engine, procs: args.scale.procs, besideSqlite1Proc: true } : { engine: "sqlite", procs: 1 },
    seconds: (Date.now() - started) / 1000,
    sections: results,
  });
  console.log(`\nresults: ${file}  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(0);
  },
);
