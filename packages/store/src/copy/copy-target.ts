import postgres from "postgres";
import { DATA_TABLES } from "./copy-tables.js";

export interface PgTarget {
  /** postgres://… */
  url: string;
  /** The store's schema (tests give each store its own); default: the database's search_path. */
  schema?: string;
}

/** One connection to the target, set up as pg-store.ts sets its pool (BIGINT as a JS number, commits synchronous). */
export function connectTarget(t: PgTarget): postgres.Sql {
  return postgres(t.url, {
    max: 1,
    types: { bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) } },
    connection: { synchronous_commit: "on", ...(t.schema ? { search_path: t.schema } : {}) },
    onnotice: () => {},
  });
}

/**
 * What the target already holds, one phrase per table with rows ("events", "users"; the
 * registry only when it has been changed, i.e. more than its seeded version). Empty: nothing a
 * copy could overwrite. Only reads; tables that do not exist yet (a new database) hold nothing.
 */
export async function targetContents(db: postgres.Sql | postgres.TransactionSql): Promise<string[]> {
  const found: string[] = [];
  for (const table of DATA_TABLES) {
    const [{ reg }] = (await db`SELECT to_regclass(${table})::text AS reg`) as unknown as [{ reg: string | null }];
    if (reg === null) continue;
    const [{ any }] = (await db`SELECT EXISTS (SELECT 1 FROM ${db(table)}) AS any`) as unknown as [{ any: boolean }];
    if (any) found.push(table);
  }
  const [{ reg }] = (await db`SELECT to_regclass('registry_versions')::text AS reg`) as unknown as [{ reg: string | null }];
  if (reg !== null) {
    const [{ n }] = (await db`SELECT COUNT(*)::bigint AS n FROM registry_versions`) as unknown as [{ n: number }];
    if (Number(n) > 1) found.push(`registry_versions (${n} versions)`);
  }
  return found;
}
