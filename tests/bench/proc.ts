/**
 * Child processes under test: the built carewatch server and the bare baselines. Each gets a
 * pre-chosen free port and a temp data dir; "ready" means GET /healthz answers 200.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../support/ports.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const SERVER_MAIN = path.join(ROOT, "apps/server/dist/main.js");
const CW = path.join(ROOT, "apps/server/dist/cw.js");
const BASELINES = path.join(ROOT, "tests/bench/baselines");

export interface Child {
  name: string;
  url: string;
  pid: number;
  dataDir: string;
  /** The environment given on top of the bench's (e.g. CAREWATCH_DATABASE_URL): what `cw` needs to open the same store. */
  env: Record<string, string>;
  stderr(): string;
  /** Null while running; how it ended otherwise (a server that died under load says so in the report). */
  ended(): string | null;
  stop(): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess, err: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before ready: ${err().slice(-2000)}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGKILL");
  throw new Error(`not ready after 20 s: ${err().slice(-2000)}`);
}

async function launch(name: string, args: string[], env: Record<string, string>): Promise<Child> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), `carewatch-bench-${name}-`));
  // BENCH_CPU_PROF=<dir>: every child writes a V8 CPU profile there when it exits (for digging into a slow figure).
  const prof = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`] : [];
  const child = spawn(process.execPath, [...prof, ...args], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", CAREWATCH_DATA_DIR: dataDir, BENCH_DATA_DIR: dataDir, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (d) => {
    err = (err + String(d)).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url, child, () => err);
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`${name}: ${(e as Error).message}`, { cause: e });
  }
  return {
    name,
    url,
    pid: child.pid!,
    dataDir,
    env,
    stderr: () => err,
    ended: () => (child.exitCode !== null ? `exit code ${child.exitCode}` : child.signalCode !== null ? `killed by ${child.signalCode}` : null),
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(force);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The built server, as `pnpm start` runs it, tuned for load: no rate limit, warn-level logs.
 * `env` adds to it (CAREWATCH_DATABASE_URL, CAREWATCH_REDIS_URL, CAREWATCH_FACILITIES: deploy.ts).
 */
export function spawnCarewatch(env: Record<string, string> = {}): Promise<Child> {
  if (!existsSync(SERVER_MAIN)) throw new Error(`${SERVER_MAIN} is missing: run \`pnpm build\` first`);
  return launch("carewatch", [SERVER_MAIN], { CAREWATCH_RATE_LIMIT: "0", LOG_LEVEL: "warn", NODE_ENV: "production", ...env });
}

/** A baseline from tests/bench/baselines/, run through tsx (esbuild-transformed: no type checks at run time). */
export function spawnBaseline(file: string, args: string[] = [], env: Record<string, string> = {}): Promise<Child> {
  return launch(path.basename(file, ".ts"), ["--import", "tsx", path.join(BASELINES, file), ...args], env);
}

/** The built `cw` CLI against a server's store (what an administrator runs): its data dir and its env. */
export function cw(target: Pick<Child, "dataDir" | "env">, args: string[]): string {
  const r = spawnSync(process.execPath, [CW, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...target.env, CAREWATCH_DATA_DIR: target.dataDir },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`cw ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}

export function createKey(child: Pick<Child, "dataDir" | "env">, facilityId: string): string {
  return cw(child, ["keys", "create", facilityId]).split("\n").pop()!.trim();
}

export function createDisplayToken(child: Pick<Child, "dataDir" | "env" | "url">, name: string): string {
  const out = cw(child, ["displays", "create", name, "--url", child.url]);
  const m = /[?&]display=([^&\s]+)/.exec(out);
  if (!m) throw new Error(`cw displays create printed no ?display= URL: ${out}`);
  return decodeURIComponent(m[1]!);
}

/** An error from a section's run, with what the processes under test said when one of them ended or wrote to stderr. */
export function withServerState(e: unknown, children: Child[]): Error {
  const msg = e instanceof Error ? e.message : String(e);
  const states = children
    .map((c) => {
      const ended = c.ended();
      const err = c.stderr().trim().slice(-1500);
      return ended || err ? `${c.name} pid ${c.pid} (${c.url}): ${ended ?? "still running"}${err ? `; stderr: ${err}` : ""}` : null;
    })
    .filter(Boolean);
  return new Error(states.length ? `${msg} — ${states.join(" | ")}` : msg, { cause: e });
}

let clkTck: number | null = null;
/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  clkTck ??= Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After "pid (comm) ", field 3 (state) is index 0, so utime (14) is 11 and stime (15) is 12.
  return (Number(fields[11]) + Number(fields[12])) / clkTck;
}

/** Resident set size in MB, from /proc/<pid>/status. */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** carewatch's status of a facility: its as_of_seq should equal the events acknowledged. */
export async function storedSeq(child: Pick<Child, "url">, key: string, facilityId = "sl-drug-rehab-song-ma"): Promise<number | null> {
  const r = await fetch(`${child.url}/api/v1/facilities/${facilityId}/status`, { headers: { authorization: `Bearer ${key}` } });
  if (!r.ok) return null;
  return ((await r.json()) as { as_of_seq?: number }).as_of_seq ?? null;
}

/** Whole-machine CPU jiffies from /proc/stat: busy (all but idle and iowait) and total. */
export function machineJiffies(): { busy: number; total: number } {
  const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return { busy: total - idle, total };
}
