import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.js";

/**
 * A throwaway Redis server for tests and benches: Debian's redis-server on a free port of
 * 127.0.0.1, a temp dir, nothing saved to disk (what carewatch keeps in Redis — the Socket.IO
 * adapter's stream, rate-limit buckets, login throttles — is transient by design).
 */
export interface RedisTestServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export const REDIS_SERVER_BIN = process.env.CAREWATCH_REDIS_SERVER ?? "/usr/bin/redis-server";

export function hasRedisServer(): boolean {
  return existsSync(REDIS_SERVER_BIN);
}

/** Resolves once the server answers PING with PONG on its port. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ port, host: "127.0.0.1" });
    let buf = "";
    c.once("error", () => resolve(false));
    c.on("data", (d) => {
      buf += String(d);
      if (buf.includes("\r\n")) {
        c.destroy();
        resolve(buf.startsWith("+PONG"));
      }
    });
    c.once("connect", () => c.write("PING\r\n"));
  });
}

/** `port`: a given one (a restart of a stopped server, for outage tests), else a free one. */
export async function startRedisServer(opts: { port?: number } = {}): Promise<RedisTestServer> {
  if (!hasRedisServer()) throw new Error(`${REDIS_SERVER_BIN} not found: install Debian's redis-server (pnpm test does when it is missing)`);
  for (let attempt = 0; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const dir = mkdtempSync(join(tmpdir(), "carewatch-redis-"));
    const child = spawn(
      REDIS_SERVER_BIN,
      ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--loglevel", "warning"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let log = "";
    child.stdout!.on("data", (d) => (log += String(d)));
    child.stderr!.on("data", (d) => (log += String(d)));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    let ready = false;
    for (let i = 0; i < 100 && child.exitCode === null; i++) {
      if (await ping(port)) {
        ready = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!ready) {
      child.kill("SIGKILL");
      await exited;
      rmSync(dir, { recursive: true, force: true });
      // Another process took the port between our probe and the server's bind: try another.
      if (attempt < 3 && opts.port === undefined) continue;
      throw new Error(`redis-server did not start: ${log}`);
    }
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      async stop() {
        child.kill("SIGTERM");
        await exited;
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}
