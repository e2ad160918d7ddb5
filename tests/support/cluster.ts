import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { databaseFor, dropStore } from "./engine.js";
import { cw, ROOT, spawnServer, tempDataDir, type RunResult, type SpawnedServer } from "./server.js";
import "./redis-setup.js";
import { freePort } from "./ports.js";

/**
 * Several carewatch processes on one PostgreSQL database and one Redis, as production runs them
 * behind a load balancer: each the built server (dist/main.js) in its own process.
 */
export interface Cluster {
  dataDir: string;
  databaseUrl: string;
  redisUrl: string;
  servers: SpawnedServer[];
  /** The environment a process (or `cw`) of this cluster runs with. */
  env: Record<string, string>;
  cw(args: string[], input?: string): Promise<RunResult>;
  /** Start one more process of the cluster. */
  spawn(): Promise<SpawnedServer>;
  stop(): Promise<void>;
}

export function redisUrl(): string {
  const url = inject("carewatchRedisUrl");
  if (!url) throw new Error("no Redis for the multi-process tests: install Debian's redis-server (pnpm test does) or set CAREWATCH_TEST_REDIS_URL");
  return url;
}

export async function startCluster(processes: number, extraEnv: Record<string, string> = {}): Promise<Cluster> {
  const dataDir = tempDataDir("carewatch-cluster-");
  const databaseUrl = await databaseFor(dataDir);
  const env = {
    CAREWATCH_DATABASE_URL: databaseUrl,
    CAREWATCH_REDIS_URL: redisUrl(),
    CAREWATCH_TRUSTED_PROXIES: "127.0.0.1",
    ...extraEnv,
  };
  const servers: SpawnedServer[] = [];
  // One at a time: the first applies the migrations, the others find them applied. Each process
  // spells the database URL its own way (as processes configured by hand might): they must still
  // meet in Redis, whose prefix comes from the store, not the URL.
  const spawnOne = async () => {
    const url = new URL(databaseUrl);
    url.searchParams.set("application_name", `carewatch-${servers.length + 1}`);
    const s = await spawnServer(dataDir, { ...env, CAREWATCH_DATABASE_URL: url.toString() });
    servers.push(s);
    return s;
  };
  for (let i = 0; i < processes; i++) await spawnOne();
  return {
    dataDir,
    databaseUrl,
    redisUrl: env.CAREWATCH_REDIS_URL,
    servers,
    env,
    cw: (args, input) => cw(dataDir, args, env, input),
    spawn: spawnOne,
    async stop() {
      for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill("SIGTERM");
      await Promise.all(servers.map((s) => s.exited));
      await dropStore(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const NGINX_EXAMPLE = path.join(ROOT, "apps/server/deploy/nginx.conf");

export interface Nginx {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * nginx in front of the given processes with the README's example configuration
 * (apps/server/deploy/nginx.conf), only its upstream ports and listen port rewritten, inside a
 * minimal main configuration whose paths are all in a temp dir.
 */
export async function startNginx(upstreams: string[]): Promise<Nginx> {
  const dir = mkdtempSync(path.join(tmpdir(), "carewatch-nginx-"));
  const port = await freePort();
  const example = readFileSync(NGINX_EXAMPLE, "utf8");
  const servers = upstreams.map((u) => `    server ${new URL(u).host} max_fails=1 fail_timeout=10s;`).join("\n");
  const site = example
    .replace(/^ {4}server 127\.0\.0\.1:\d+ [^\n]*\n(?: {4}server 127\.0\.0\.1:\d+ [^\n]*\n)*/m, `${servers}\n`)
    .replace(/listen 8080;/, `listen 127.0.0.1:${port};`);
  if (site === example || !site.includes(servers)) throw new Error("the nginx example's upstream or listen lines changed: update startNginx");
  writeFileSync(path.join(dir, "carewatch.conf"), site);
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `  ${t}_temp_path ${dir}/${t};`).join("\n");
  writeFileSync(
    path.join(dir, "nginx.conf"),
    `${process.getuid?.() === 0 ? "user root;\n" : ""}worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
${temp}
  include ${dir}/carewatch.conf;
}
`,
  );
  const child = spawn(process.env.CAREWATCH_NGINX ?? "/usr/sbin/nginx", ["-p", dir, "-c", path.join(dir, "nginx.conf")], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stderr!.on("data", (d) => (log += String(d)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${log}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 100) throw new Error(`nginx did not answer on ${url}: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    child,
    async stop() {
      child.kill("SIGQUIT");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
