/**
 * `pnpm bench` — carewatch's performance report. Every figure, baselines included, is measured in
 * this run on this machine; servers run as child processes, load and clients in this process.
 *
 *   pnpm bench                      ingest-single, ingest-batch, fill (10 M events), fanout (~8 min)
 *   pnpm bench --quick              the same with short runs and a 1 M fill (a smoke check)
 *   pnpm bench --only <name>        one section: ingest-single | ingest-batch | fill | fanout | soak | import
 *   pnpm bench --fill <millions>    how many million events the fill section posts
 *   pnpm bench --history-max <M>    the history section's largest store (1 M, then this many M; default 10)
 *   pnpm bench --soak 10m           the browser soak alone (wall page JS heap over time)
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
import { machineJiffies, ROOT } from "./proc.js";
import { printSection, printSummary, writeArtifact, type BenchOptions, type SectionResult } from "./report.js";
import { parseDuration, runSoak } from "./soak.js";

const SECTIONS = ["ingest-single", "ingest-batch", "fill", "fanout", "soak", "import", "history"] as const;
type SectionName = (typeof SECTIONS)[number];

function usage(msg: string): never {
  process.stderr.write(
    `bench: ${msg}\nusage: pnpm bench [--quick] [--only ${SECTIONS.join("|")}] [--fill <millions>] [--history-max <millions>] [--soak <duration, e.g. 10m>]\n`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]) {
  let quick = false;
  let only: SectionName | null = null;
  let soakMs: number | null = null;
  let fillMillions: number | null = null;
  let historyMax: number | null = null;
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
    } else if (a === "--help" || a === "-h") usage("help");
    else usage(`unknown argument ${a}`);
  }
  // --soak runs the soak alone; --only soak without --soak soaks for 10 min (2 min with --quick).
  const sections: SectionName[] = only ? [only] : soakMs !== null ? ["soak"] : ["ingest-single", "ingest-batch", "fill", "fanout", "import", "history"];
  return {
    quick,
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
  const opts: BenchOptions = { quick: args.quick, log };
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
  };
  const results: SectionResult[] = [];
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
  printSummary(results);
  if (!quiet)
    console.log(`\nWARNING: the machine was ${busyBefore.toFixed(0)}% busy before the bench started; rerun on a quiet machine before trusting a FAIL.`);
  const file = writeArtifact(ROOT, {
    date: new Date().toISOString(),
    command,
    machine,
    busyBeforePct: busyBefore,
    quick: args.quick,
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
