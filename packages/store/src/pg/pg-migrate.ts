import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type postgres from "postgres";
import { readMigrations } from "../migrate.js";

/** PostgreSQL's own numbered migrations (`migrations-pg/NNNN_*.sql`), beside `src/` or in the package. */
export function defaultPgMigrationsDir(): string {
  const beside = fileURLToPath(new URL("../../migrations-pg/", import.meta.url));
  if (existsSync(beside)) return beside;
  try {
    const pkg = createRequire(import.meta.url).resolve("@carewatch/store/package.json");
    const dir = join(dirname(pkg), "migrations-pg");
    if (existsSync(dir)) return dir;
  } catch {
    // fall through to the error below
  }
  throw new Error(`carewatch store: PostgreSQL migrations directory not found (looked in ${beside} and the @carewatch/store package)`);
}

/** Any constant: the key of the transaction-scoped advisory lock that serialises migrations. */
const MIGRATE_LOCK = 0x63770001;

/**
 * Apply the migrations not yet recorded in `schema_migrations` (numbered without gaps, checked by
 * readMigrations), each in its own transaction together with its record. Each transaction takes
 * an advisory lock first and then looks at the records, so two processes starting at once take
 * turns: the second finds the first one's records and applies nothing. `schema`, when given, is
 * created if missing; `sql` must already use it as its search_path (pg-store.ts sets it per
 * connection). Returns the names applied now.
 */
export async function migratePg(sql: postgres.Sql, o: { dir?: string; schema?: string } = {}): Promise<string[]> {
  const migrations = readMigrations(o.dir ?? defaultPgMigrationsDir());
  const lock = (tx: postgres.TransactionSql) => tx`SELECT pg_advisory_xact_lock(${MIGRATE_LOCK})`;
  await sql.begin(async (tx) => {
    await lock(tx);
    if (o.schema) await tx`CREATE SCHEMA IF NOT EXISTS ${tx(o.schema)}`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT    NOT NULL,
      applied_at BIGINT  NOT NULL
    )`;
  });
  const done: string[] = [];
  for (const m of migrations) {
    const applied = await sql.begin(async (tx) => {
      await lock(tx);
      if ((await tx`SELECT 1 FROM schema_migrations WHERE version = ${m.version}`).length) return false;
      // The file as written: several statements, no parameters (simple query protocol).
      await tx.unsafe(m.sql);
      await tx`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${m.version}, ${m.name}, ${Date.now()})`;
      return true;
    });
    if (applied) done.push(m.name);
  }
  return done;
}
