import path from "node:path";
import { copyToPg, CopyError, describeLocation, type CopyProgress } from "@carewatch/store";
import { ConfigError, loadRegistry } from "../env.js";

/**
 * `cw copy --to postgres://…`: this data dir's SQLite store into an empty PostgreSQL database
 * (packages/store/src/copy), with a progress bar on stderr and a line per table, then the
 * verification (every projection against a replay of the copied log on the target) on stdout.
 * Exit 0: copied, no differences; 2: refused (target not empty, source not a store, bad URL),
 * nothing changed; 3: copied, but the replay differed from the copied projections (repaired, as
 * `cw rebuild` does); 1: anything else (the copy is one transaction: the target is left empty).
 */
export async function copyCommand(to: string): Promise<void> {
  if (process.env.CAREWATCH_DATABASE_URL)
    throw new ConfigError("cw copy reads the SQLite store of CAREWATCH_DATA_DIR: unset CAREWATCH_DATABASE_URL (the target is --to)");
  if (!/^postgres(ql)?:\/\//.test(to)) throw new ConfigError(`--to must be a postgres:// URL (got "${to.replace(/\/\/[^@/]*@/, "//…@")}")`);
  let target: string;
  try {
    // Never the password, in any line we print.
    target = describeLocation({ engine: "postgres", url: to });
  } catch {
    throw new ConfigError("--to is not a valid postgres:// URL");
  }
  const { registry } = loadRegistry(process.env.CAREWATCH_FACILITIES);
  const sourcePath = path.join(path.resolve(process.env.CAREWATCH_DATA_DIR ?? "./data"), "carewatch.db");
  out(`copying ${sourcePath} → ${target}`);

  const bar = { events: progressBar("copy events"), verify: progressBar("verify") };
  const onProgress = (p: CopyProgress) => {
    if (p.phase === "table") {
      if (p.table === "events") bar.events.end();
      out(`  ${p.table}: ${fmt(p.rows)} row${p.rows === 1 ? "" : "s"}`);
    } else bar[p.phase].update(p.done, p.total);
  };
  let report;
  try {
    report = await copyToPg({ sourcePath, target: { url: to }, registry, onProgress });
  } catch (e) {
    bar.events.end();
    bar.verify.end();
    if (e instanceof CopyError && e.kind !== "schema") throw new ConfigError(e.message);
    throw e;
  }
  bar.verify.end();
  const rows = report.tables.reduce((n, t) => n + t.rows, 0);
  out(`copied ${fmt(rows)} rows of ${report.tables.length} tables in ${secs(report.copyMillis)}; the log ends at seq ${report.lastSeq} on both sides`);
  out(`replayed ${fmt(report.verify.events)} events on the target in ${secs(report.verify.millis)}`);
  if (report.verify.differences.length === 0) out("no differences: every projection on the target equals a rebuild from the copied log");
  else {
    out(`${report.verify.differences.length} difference(s) between the copied projections and the replay (the target now holds the replay's):`);
    for (const d of report.verify.differences) out(`  ${d}`);
    out("(run cw rebuild on the source too: its projections disagree with its log)");
    process.exitCode = 3;
  }
}

const out = (line: string) => process.stdout.write(line + "\n");
const fmt = (n: number) => n.toLocaleString("en-US");
const secs = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);
const clock = (s: number) => (Number.isFinite(s) ? `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, "0")}` : "-");

/**
 * done/total, rate and ETA on stderr: redrawn in place (\r) on a terminal; on a pipe or a log
 * file, a plain line at most every second and at the end, so the log stays readable.
 */
function progressBar(label: string) {
  const tty = process.stderr.isTTY === true;
  // From the first report: the bar for the replay is made before the copy starts.
  let started = 0;
  let last = 0;
  let drawn = false;
  let ended = false;
  let final = "";
  let printed = "";
  const line = (done: number, total: number) => {
    const s = (performance.now() - started) / 1000;
    const rate = s > 0 ? done / s : 0;
    const eta = rate > 0 ? (total - done) / rate : Infinity;
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
    const width = 24;
    const filled = total > 0 ? Math.round((done / total) * width) : width;
    const graph = tty ? ` [${"#".repeat(filled)}${"-".repeat(width - filled)}]` : "";
    return `${label}${graph} ${fmt(done)}/${fmt(total)} (${pct}%), ${fmt(Math.round(rate))}/s, ETA ${clock(eta)}`;
  };
  return {
    update(done: number, total: number) {
      if (ended) return;
      const now = performance.now();
      if (!started) started = now;
      final = line(done, total);
      if (tty) process.stderr.write(`\r${final}\x1b[K`);
      else if (now - last >= 1000 || done === total) process.stderr.write((printed = final) + "\n");
      else return;
      last = now;
      drawn = true;
    },
    end() {
      if (ended || !drawn) return;
      ended = true;
      if (tty) process.stderr.write("\n");
      else if (printed !== final) process.stderr.write(final + "\n");
    },
  };
}
