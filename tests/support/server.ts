import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pino, { type Logger } from "pino";
import { parseConfig, startServer, type RunningServer } from "@carewatch/server";
import { dropStore, storeEnv } from "./engine.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export function tempDataDir(prefix = "carewatch-test-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export interface TestServer extends RunningServer {
  dataDir: string;
  /** Create a facility key through the store (the CLI's path is tested on its own). */
  key(facilityId: string): Promise<string>;
  display(name?: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The real server, in this process, on a free port with a temp data dir (and, on the PostgreSQL
 * project, the dir's own database). `now` lets a test move the clock (midnight, staleness);
 * everything else is production code.
 */
export async function startTestServer(opts: { now?: () => number; env?: Record<string, string>; dataDir?: string; log?: Logger } = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDataDir();
  const config = parseConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    CAREWATCH_DATA_DIR: dataDir,
    CAREWATCH_RATE_LIMIT: "0",
    LOG_LEVEL: "silent",
    ...(await storeEnv(dataDir)),
    ...opts.env,
  });
  const server = await startServer(config, { now: opts.now, log: opts.log ?? pino({ level: "silent" }) });
  return {
    ...server,
    dataDir,
    key: async (facilityId) => (await server.store.credentials.createKey(facilityId, Date.now())).key,
    display: async (name = "test wall") => (await server.store.credentials.createDisplay(name, Date.now())).token,
    async stop() {
      await server.close();
      if (!opts.dataDir) {
        rmSync(dataDir, { recursive: true, force: true });
        await dropStore(dataDir);
      }
    },
  };
}

export interface SpawnedServer {
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
}

/** The built server (`apps/server/dist/main.js`) as its own process, for kill and restart tests. */
export async function spawnServer(dataDir: string, env: Record<string, string> = {}): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [path.join(ROOT, "apps/server/dist/main.js")], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      CAREWATCH_DATA_DIR: dataDir,
      CAREWATCH_RATE_LIMIT: "0",
      LOG_LEVEL: "info",
      ...(await storeEnv(dataDir)),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (d) => (err += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let buf = "";
    const onData = (d: Buffer) => {
      buf += String(d);
      for (const line of buf.split("\n")) {
        if (line.includes('"carewatch listening"')) {
          child.stdout!.off("data", onData);
          child.stdout!.resume();
          resolve((JSON.parse(line) as { url: string }).url);
          return;
        }
      }
    };
    child.stdout!.on("data", onData);
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening: ${err}`)));
  });
  return { url, child, exited, stderr: () => err };
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run a command to its end without blocking this process's event loop (never spawnSync in a
 * test that talks HTTP: a blocked loop lets keep-alive connections idle past the server's
 * timeout unnoticed, and the next request meets a closed socket).
 */
export function run(command: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd ?? ROOT,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** Run the `cw` CLI as an administrator would (`pnpm --silent cw …` runs this same file); `input` goes to its stdin. */
export async function cw(dataDir: string, args: string[], env: Record<string, string> = {}, input?: string): Promise<RunResult> {
  return run(process.execPath, [path.join(ROOT, "apps/server/dist/cw.js"), ...args], {
    env: { ...process.env, CAREWATCH_DATA_DIR: dataDir, ...(await storeEnv(dataDir)), ...env },
    input,
  });
}

/** POST JSON to the Facility API. */
export async function postEvents(url: string, key: string | null, body: unknown, headers: Record<string, string> = {}) {
  return readResponse(
    await fetch(`${url}/api/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

/** Status, headers, text and (when it is JSON) the parsed body of a response. */
export async function readResponse(res: Response) {
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, json, text };
}
