/**
 * Section `import`: a 100,000-row spreadsheet through the real server's /import (issue 7: "100,000
 * rows import in under a minute here without blocking the live board"), as CSV and as XLSX, each
 * previewed (every row parsed and validated, nothing stored) and then imported (checked against
 * the log, appended in chunks of 1,000 through the group committer) — the two requests the page
 * makes. Measured: the time of each, the server's longest event-loop stall during them, a
 * concurrent client's /healthz latency (the live board's experience) during the import against
 * the same client while idle, and the server's peak RSS.
 *
 * The stall is measured inside the server child: NODE_OPTIONS preloads a probe (written to a temp
 * file here) that ticks every 10 ms and records every late tick with its time, so a stall is
 * attributed to the import only when it falls inside the import's window.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import ExcelJS from "exceljs";
import { rssMb, ROOT, spawnCarewatch, type Child } from "./proc.js";
import { percentile, type BenchOptions, type Check, type SectionResult } from "./report.js";

const CSV_FACILITY = "sl-drug-rehab-song-ma"; // no units
const XLSX_FACILITY = "sl-social-protection"; // no units (another facility: the XLSX rows are new events too)
const TARGET_S = 60;
const STALL_TARGET_MS = 50;
const TICK_MS = 10;
const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const HEAD = ["Mã sự kiện", "Loại", "Thời điểm", "Số đang điều trị", "Số lượng", "Đối tượng", "Kết quả ra viện", "Loại điều trị"];

// Each late tick with how late it was and how much CPU the server's main thread used meanwhile
// (/proc/self/task/<pid>/stat, 10 ms granularity). On a shared machine a tick is also late when
// the process merely waits for a CPU; only the main thread's own CPU time is the loop held by
// our code (or its GC), so a stall counts as min(late, main-thread CPU).
const PROBE = `import { appendFileSync, readFileSync } from "node:fs";
const out = process.env.BENCH_LOOP_PROBE;
const stat = "/proc/self/task/" + process.pid + "/stat";
const cpuMs = () => {
  const s = readFileSync(stat, "utf8");
  const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
};
let last = performance.now();
let lastCpu = cpuMs();
const t = setInterval(() => {
  const now = performance.now();
  const cpu = cpuMs();
  const late = now - last - ${TICK_MS};
  const busy = cpu - lastCpu;
  last = now;
  lastCpu = cpu;
  if (late > 5) appendFileSync(out, (performance.timeOrigin + now).toFixed(1) + " " + late.toFixed(1) + " " + busy + "\\n");
}, ${TICK_MS});
t.unref();
`;

/** The rows of the sheet: a clerk's month of history, every row a new event (half with an id, half identified by content). */
function sheetRows(n: number, tag: string): string[][] {
  const start = Date.now() - 25 * 86_400_000;
  const p = (v: number) => String(v).padStart(2, "0");
  const rows: string[][] = [];
  for (let i = 0; i < n; i++) {
    // Unique seconds, written as the facility's wall clock (UTC+7): dd/mm/yyyy hh:mm:ss.
    const w = new Date(start + i * 20_000 + 7 * 3_600_000);
    const when = `${p(w.getUTCDate())}/${p(w.getUTCMonth() + 1)}/${w.getUTCFullYear()} ${p(w.getUTCHours())}:${p(w.getUTCMinutes())}:${p(w.getUTCSeconds())}`;
    const id = i % 2 === 0 ? `${tag}-${i}` : "";
    const k = i % 10;
    if (k === 0) rows.push([id, "census", when, String(80 + (i % 40)), "", "", "", ""]);
    else if (k <= 4) rows.push([id, "admission", when, "", String(1 + (i % 3)), i % 3 ? "voluntary" : "compulsory", "", ""]);
    else if (k <= 7) rows.push([id, "discharge", when, "", "1", "", k === 5 ? "completed" : "transferred", ""]);
    else rows.push([id, "treatment", when, "", String(1 + (i % 5)), "", "", i % 2 ? "methadone" : "psychosocial"]);
  }
  return rows;
}

const csvOf = (rows: string[][]) => Buffer.from(`\uFEFF${[HEAD, ...rows].map((r) => r.join(",")).join("\r\n")}\r\n`, "utf8");

async function xlsxOf(rows: string[][]): Promise<Buffer> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on("data", (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useSharedStrings: true });
  const ws = wb.addWorksheet("Số liệu");
  ws.addRow(HEAD).commit();
  for (const r of rows) ws.addRow(r.map((v, i) => (v !== "" && i >= 3 && i <= 4 ? Number(v) : v))).commit();
  ws.commit();
  await wb.commit();
  return Buffer.concat(chunks);
}

/** A concurrent client: one /healthz after another on a kept-alive connection, each latency with its time. */
function healthProbe(url: string) {
  const samples: { at: number; ms: number }[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        await (await fetch(`${url}/healthz`)).arrayBuffer();
      } catch {
        /* counted as a slow sample below */
      }
      const t1 = performance.now();
      samples.push({ at: performance.timeOrigin + t1, ms: t1 - t0 });
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    between: (from: number, to: number) => samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.ms),
    async stop() {
      running = false;
      await done;
    },
  };
}

/** The server's late ticks between two instants: how late (wall ms) and how long its main thread was busy (CPU ms). */
function stallsBetween(file: string, from: number, to: number): { wall: number; held: number } {
  let wall = 0;
  let held = 0;
  if (!existsSync(file)) return { wall, held };
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const [at, late, busy] = line.split(" ").map(Number) as [number, number, number];
    if (!line || at - late < from || at > to) continue;
    wall = Math.max(wall, late);
    held = Math.max(held, Math.min(late, busy));
  }
  return { wall, held };
}

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function adminCookie(child: Child): Promise<string> {
  const email = "bench.import@sldtbxh.gov.vn";
  const password = "đồi chè Mộc Châu sương sớm";
  const r = spawnSync(process.execPath, [path.join(ROOT, "apps/server/dist/cw.js"), "users", "create", email, "--role", "admin", "--password-stdin"], {
    cwd: ROOT,
    env: { ...process.env, CAREWATCH_DATA_DIR: child.dataDir },
    input: password,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`cw users create failed: ${r.stderr}`);
  const res = await fetch(`${child.url}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("cw_session="));
  if (!cookie) throw new Error("login set no cw_session cookie");
  return cookie.split(";")[0]!;
}

interface Run {
  format: string;
  previewS: number;
  importS: number;
  accepted: number;
  from: number;
  to: number;
  importFrom: number;
}

async function importOnce(child: Child, cookie: string, format: "CSV" | "XLSX", body: Buffer, facility: string, log: (m: string) => void): Promise<Run> {
  const type = format === "CSV" ? "text/csv" : XLSX_TYPE;
  const headers = { cookie, "content-type": type };
  const q = `?facility=${facility}`;
  const from = performance.timeOrigin + performance.now();
  const preview = await fetch(`${child.url}/import/preview${q}`, { method: "POST", headers, body: new Uint8Array(body) });
  const pv = (await preview.json()) as { rows?: number; problems?: unknown[] };
  if (!preview.ok || pv.problems?.length) throw new Error(`${format} preview: ${preview.status} ${JSON.stringify(pv).slice(0, 400)}`);
  const importFrom = performance.timeOrigin + performance.now();
  log(`import: ${format} preview ${pv.rows} rows in ${((importFrom - from) / 1000).toFixed(1)} s; importing`);
  const started = await fetch(`${child.url}/import/jobs${q}`, { method: "POST", headers, body: new Uint8Array(body) });
  const { job_id } = (await started.json()) as { job_id: string };
  if (started.status !== 202) throw new Error(`${format} jobs: ${started.status}`);
  for (;;) {
    await new Promise((r) => setTimeout(r, 200));
    const job = (await (await fetch(`${child.url}/import/jobs/${job_id}`, { headers: { cookie } })).json()) as {
      state: string;
      result: { ok: boolean; accepted?: number; problems?: unknown[] } | null;
    };
    if (job.state !== "done") continue;
    const to = performance.timeOrigin + performance.now();
    if (!job.result?.ok) throw new Error(`${format} import failed: ${JSON.stringify(job.result).slice(0, 400)}`);
    return { format, previewS: (importFrom - from) / 1000, importS: (to - importFrom) / 1000, accepted: job.result.accepted ?? 0, from, to, importFrom };
  }
}

export async function runImportBench(opts: BenchOptions): Promise<SectionResult> {
  const rowsN = opts.quick ? 20_000 : 100_000;
  const work = mkdtempSync(path.join(tmpdir(), "carewatch-bench-import-"));
  const probe = path.join(work, "probe.mjs");
  const stalls = path.join(work, "stalls.txt");
  writeFileSync(probe, PROBE);
  opts.log(`import: writing ${rowsN.toLocaleString("en-US")}-row CSV and XLSX files`);
  const tag = `bench-${Date.now().toString(36)}`;
  const csv = csvOf(sheetRows(rowsN, `${tag}-csv`));
  const xlsx = await xlsxOf(sheetRows(rowsN, `${tag}-xlsx`));

  // The probe rides in the server child only (NODE_OPTIONS is read at its spawn, then restored).
  const saved = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `${saved ? `${saved} ` : ""}--import=${probe}`;
  process.env.BENCH_LOOP_PROBE = stalls;
  let child: Child;
  try {
    child = await spawnCarewatch();
  } finally {
    if (saved === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = saved;
    delete process.env.BENCH_LOOP_PROBE;
  }
  const health = healthProbe(child.url);
  let rssMax = 0;
  const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, rssMb(child.pid))), 100);
  try {
    const cookie = await adminCookie(child);
    const rssIdle = rssMb(child.pid);
    // Idle: the same client against the same server, nothing else happening.
    const idleFrom = performance.timeOrigin + performance.now();
    await new Promise((r) => setTimeout(r, opts.quick ? 2_000 : 5_000));
    const idleTo = performance.timeOrigin + performance.now();
    const idle = health.between(idleFrom, idleTo);
    const idleStall = stallsBetween(stalls, idleFrom, idleTo);

    const runs: Run[] = [];
    runs.push(await importOnce(child, cookie, "CSV", csv, CSV_FACILITY, opts.log));
    runs.push(await importOnce(child, cookie, "XLSX", xlsx, XLSX_FACILITY, opts.log));

    const rows = [
      {
        load: "idle (no import)",
        "file MB": null,
        "preview s": null,
        "import s": null,
        "total s": null,
        "stall ms (CPU)": idleStall.held,
        "late tick ms (wall)": Math.round(idleStall.wall),
        "healthz p50 ms": percentile(idle, 50),
        "healthz p99 ms": percentile(idle, 99),
        "healthz max ms": Math.max(...idle),
        "RSS MB": Math.round(rssIdle),
      } as Record<string, string | number | null>,
    ];
    const checks: Check[] = [];
    for (const r of runs) {
      const during = health.between(r.from, r.to);
      const stall = stallsBetween(stalls, r.from, r.to);
      const total = r.previewS + r.importS;
      rows.push({
        load: `${r.format} ${rowsN.toLocaleString("en-US")} rows (${r.accepted.toLocaleString("en-US")} stored)`,
        "file MB": Math.round(((r.format === "CSV" ? csv : xlsx).length / 2 ** 20) * 10) / 10,
        "preview s": Math.round(r.previewS * 10) / 10,
        "import s": Math.round(r.importS * 10) / 10,
        "total s": Math.round(total * 10) / 10,
        "stall ms (CPU)": stall.held,
        "late tick ms (wall)": Math.round(stall.wall),
        "healthz p50 ms": Math.round(percentile(during, 50) * 10) / 10,
        "healthz p99 ms": Math.round(percentile(during, 99) * 10) / 10,
        "healthz max ms": Math.round(Math.max(...during)),
        "RSS MB": null,
      });
      checks.push({
        section: "import",
        target: `${r.format} ${rowsN / 1000}k rows, preview + import < ${TARGET_S} s`,
        measured: `${total.toFixed(1)} s`,
        pass: total < TARGET_S,
      });
      checks.push({
        section: "import",
        target: `${r.format}: no event-loop stall > ${STALL_TARGET_MS} ms`,
        measured: `longest ${stall.held} ms of main-thread CPU (idle ${idleStall.held}); late tick ${Math.round(stall.wall)} ms wall`,
        pass: stall.held <= STALL_TARGET_MS,
      });
      if (r.accepted !== rowsN) checks.push({ section: "import", target: `${r.format}: every row stored`, measured: `${r.accepted} of ${rowsN}`, pass: false });
    }
    const peak = Math.max(rssMax, peakRssMb(child.pid));
    rows.push({ load: "peak (whole run)", "RSS MB": Math.round(peak) });
    return {
      name: "import",
      title: `Spreadsheet import: ${rowsN.toLocaleString("en-US")} rows through /import (preview, then import), CSV and XLSX`,
      rows,
      checks,
      notes: [
        `stall: a ${TICK_MS} ms timer in the server (a probe preloaded in the child): the longest late tick counted as the main thread's CPU meanwhile (10 ms granularity; a tick late only because the CPU was shared is not a stall), and the late tick itself (wall); healthz: one client in this process, sequential requests 5 ms apart`,
        `rows: a month of one facility's census, admissions, discharges and treatments, dd/mm/yyyy hh:mm:ss in UTC+7; half with a Mã sự kiện, half identified by content`,
        `peak RSS ${Math.round(peak)} MB (VmHWM and 100 ms samples), idle ${Math.round(rssIdle)} MB; figures are rough when other work shares the CPU`,
      ],
    };
  } finally {
    clearInterval(rssTimer);
    await health.stop();
    await child.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
