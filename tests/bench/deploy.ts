/**
 * Where carewatch runs in a bench section: SQLite in one process (the default), or PostgreSQL
 * behind N processes (`--store postgres --procs N`). PostgreSQL and Redis are throwaway servers
 * started once per bench run (the tests' own: fsync=on, synchronous_commit=on — production
 * durability) and stopped at the end; every deployment gets a database of its own, dropped when
 * it stops, so runs never see each other's rows.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { startPgServer, type PgTestServer } from "../../packages/store/src/test-pg/server.js";
import { startRedisServer, type RedisTestServer } from "../support/redis-server.js";
import { spawnCarewatch, type Child } from "./proc.js";

export interface StoreChoice {
  engine: "sqlite" | "postgres";
  procs: number;
}

export const SQLITE_1: StoreChoice = { engine: "sqlite", procs: 1 };

export function choiceLabel(c: StoreChoice): string {
  return `${c.engine === "sqlite" ? "SQLite" : "PostgreSQL"}, ${c.procs} proc${c.procs === 1 ? "" : "s"}`;
}

/** The run's PostgreSQL and Redis, started on first use. */
export class Infra {
  private pg: Promise<PgTestServer> | null = null;
  private redis: Promise<RedisTestServer> | null = null;
  private n = 0;

  constructor(private readonly log: (msg: string) => void) {}

  private pgServer(): Promise<PgTestServer> {
    this.pg ??= (this.log("starting a throwaway PostgreSQL (fsync=on, synchronous_commit=on)"), startPgServer());
    return this.pg;
  }

  redisUrl(): Promise<string> {
    this.redis ??= (this.log("starting a throwaway Redis"), startRedisServer());
    return this.redis.then((r) => r.url);
  }

  /** A new, empty database on the run's server; `drop()` removes it. */
  async database(): Promise<{ url: string; drop(): Promise<void> }> {
    const server = await this.pgServer();
    const name = `bench_${++this.n}_${randomBytes(3).toString("hex")}`;
    const admin = () => postgres(server.url, { max: 1, onnotice: () => {} });
    const sql = admin();
    try {
      await sql`CREATE DATABASE ${sql(name)}`;
    } finally {
      await sql.end();
    }
    const u = new URL(server.url);
    u.pathname = `/${name}`;
    return {
      url: u.toString(),
      async drop() {
        const s = admin();
        try {
          await s`DROP DATABASE IF EXISTS ${s(name)} WITH (FORCE)`;
        } finally {
          await s.end();
        }
      },
    };
  }

  /** The PostgreSQL server's data dir (its postmaster.pid names the process whose children are the backends). */
  async pgDir(): Promise<string | null> {
    return this.pg ? (await this.pg).dir : null;
  }

  async stop(): Promise<void> {
    const [pg, redis] = [this.pg, this.redis];
    this.pg = this.redis = null;
    await Promise.allSettled([pg?.then((s) => s.stop()), redis?.then((s) => s.stop())]);
  }
}

/** carewatch as deployed for a section: one or more processes on one store. */
export interface Deployment {
  label: string;
  choice: StoreChoice;
  children: Child[];
  /** Every process's address; load and clients go round-robin over them (no load balancer in the bench). */
  urls: string[];
  /** The first process: `cw` (dataDir + env) and single-address helpers use it. */
  url: string;
  dataDir: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts carewatch on the chosen store. On PostgreSQL the first process starts alone (it runs
 * the migrations), then the others at once; with more than one process they share the run's
 * Redis (CAREWATCH_REDIS_URL; a server without Redis support ignores it and still works: each
 * process follows the log).
 */
export async function deployCarewatch(choice: StoreChoice, infra: Infra, extraEnv: Record<string, string> = {}): Promise<Deployment> {
  const env: Record<string, string> = { ...extraEnv };
  let drop: (() => Promise<void>) | null = null;
  if (choice.engine === "postgres") {
    const db = await infra.database();
    env.CAREWATCH_DATABASE_URL = db.url;
    drop = () => db.drop();
  }
  if (choice.procs > 1) env.CAREWATCH_REDIS_URL = await infra.redisUrl();
  const children: Child[] = [];
  const stopAll = async () => {
    await Promise.all(children.map((c) => c.stop()));
    await drop?.();
  };
  try {
    children.push(await spawnCarewatch(env));
    const rest = await Promise.allSettled(Array.from({ length: choice.procs - 1 }, () => spawnCarewatch(env)));
    for (const r of rest) if (r.status === "fulfilled") children.push(r.value);
    const failed = rest.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  } catch (e) {
    await stopAll();
    throw e;
  }
  const first = children[0]!;
  return {
    label: choiceLabel(choice),
    choice,
    children,
    urls: children.map((c) => c.url),
    url: first.url,
    dataDir: first.dataDir,
    env: first.env,
    stop: stopAll,
  };
}
