import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import postgres from "postgres";
import { inject } from "vitest";
import type { StoreLocation } from "@carewatch/store";

/**
 * The store engine this test project runs the server on: the `tests` project uses SQLite (the
 * default), `tests-pg` the same suites on PostgreSQL (root vitest.config.ts sets
 * CAREWATCH_TEST_ENGINE). A data dir stands for a store either way: on PostgreSQL it gets its own
 * database on the run's throwaway server, named after the dir, so a restart on the same dir (a
 * kill test, a rebuild) finds the same store.
 */
export const TEST_ENGINE: "sqlite" | "postgres" = process.env.CAREWATCH_TEST_ENGINE === "postgres" ? "postgres" : "sqlite";

declare module "vitest" {
  export interface ProvidedContext {
    /** The PostgreSQL server of the run (packages/store/src/test-pg/global-setup.ts; "" when none). */
    carewatchPgUrl: string;
  }
}

const created = new Map<string, Promise<string>>();

function serverUrl(): string {
  const url = inject("carewatchPgUrl");
  if (!url) throw new Error("this run has no PostgreSQL server: set CAREWATCH_TEST_ENGINES=sqlite,postgres (pnpm test does) or CAREWATCH_TEST_DATABASE_URL");
  return url;
}

function databaseName(dataDir: string): string {
  return `cw_${path
    .basename(dataDir)
    .replace(/[^a-zA-Z0-9]/g, "_")
    .toLowerCase()}`.slice(0, 63);
}

async function adminSql<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(serverUrl(), { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

/** The PostgreSQL database of a data dir, created on first use (whatever this project's engine: the multi-process tests always want one). */
export function databaseFor(dataDir: string): Promise<string> {
  let url = created.get(dataDir);
  if (!url) {
    const name = databaseName(dataDir);
    url = adminSql(async (sql) => {
      const [exists] = await sql`SELECT 1 FROM pg_database WHERE datname = ${name}`;
      if (!exists) await sql`CREATE DATABASE ${sql(name)}`;
      const u = new URL(serverUrl());
      u.pathname = `/${name}`;
      return u.toString();
    });
    created.set(dataDir, url);
  }
  return url;
}

/** Where the store of a data dir lives on this project's engine. */
export async function storeLocation(dataDir: string): Promise<StoreLocation> {
  return TEST_ENGINE === "postgres" ? { engine: "postgres", url: await databaseFor(dataDir) } : { engine: "sqlite", path: path.join(dataDir, "carewatch.db") };
}

/** The environment a server or `cw` needs to open the data dir's store on this engine. */
export async function storeEnv(dataDir: string): Promise<Record<string, string>> {
  return TEST_ENGINE === "postgres" ? { CAREWATCH_DATABASE_URL: await databaseFor(dataDir) } : {};
}

/** Remove the data dir's database (SQLite's file goes with the dir). */
export async function dropStore(dataDir: string): Promise<void> {
  if (TEST_ENGINE !== "postgres" || !created.has(dataDir)) return;
  created.delete(dataDir);
  const name = databaseName(dataDir);
  await adminSql((sql) => sql`DROP DATABASE IF EXISTS ${sql(name)} WITH (FORCE)`);
}

/**
 * Run statements straight on a store, behind the server's back (to read what is really stored,
 * or to corrupt a projection): `?` placeholders on both engines. Returns the rows, or the number
 * of rows changed for a statement that returns none.
 */
export async function rawQuery<R = Record<string, unknown>>(dataDir: string, text: string, params: unknown[] = []): Promise<{ rows: R[]; changes: number }> {
  if (TEST_ENGINE === "postgres") {
    const sql = postgres(await databaseFor(dataDir), { max: 1, onnotice: () => {}, types: { bigint: postgres.BigInt } });
    try {
      let n = 0;
      const res = await sql.unsafe(
        text.replace(/\?/g, () => `$${++n}`),
        params as postgres.ParameterOrJSON<never>[],
      );
      const rows = (res as unknown as Record<string, unknown>[]).map((r) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])),
      ) as R[];
      return { rows, changes: res.count ?? 0 };
    } finally {
      await sql.end();
    }
  }
  const db = new Database(path.join(dataDir, "carewatch.db"));
  try {
    const stmt = db.prepare(text);
    if (stmt.reader) return { rows: stmt.all(...params) as R[], changes: 0 };
    return { rows: [], changes: stmt.run(...params).changes };
  } finally {
    db.close();
  }
}

/**
 * Everything the store holds, as named blobs to search for a secret: SQLite's files (the database,
 * its WAL and shared memory), or every PostgreSQL table's rows as text.
 */
export async function storedBytes(dataDir: string): Promise<{ name: string; bytes: Buffer }[]> {
  if (TEST_ENGINE === "postgres") {
    const { rows } = await rawQuery<{ table_name: string }>(dataDir, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    const out = [];
    for (const { table_name } of rows) {
      const dump = await rawQuery<{ t: string }>(dataDir, `SELECT t::text AS t FROM "${table_name}" t`);
      out.push({ name: table_name, bytes: Buffer.from(dump.rows.map((r) => r.t).join("\n"), "utf8") });
    }
    return out;
  }
  return readdirSync(dataDir)
    .filter((f) => f.startsWith("carewatch.db"))
    .map((f) => ({ name: f, bytes: readFileSync(path.join(dataDir, f)) }));
}

/** `rawQuery` on a PostgreSQL database given by URL (the multi-process tests' shared database). */
export async function rawQueryAt<R = Record<string, unknown>>(url: string, text: string): Promise<{ rows: R[] }> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, types: { bigint: postgres.BigInt } });
  try {
    const res = await sql.unsafe(text);
    return {
      rows: (res as unknown as Record<string, unknown>[]).map((r) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])),
      ) as R[],
    };
  } finally {
    await sql.end();
  }
}
