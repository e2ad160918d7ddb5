import { existsSync, statSync } from "node:fs";
import Database from "better-sqlite3";
import { defaultMigrationsDir, readMigrations } from "../migrate.js";
import { CopyError } from "./copy-error.js";

/** What a look at the source found: ready to copy, or a store an older carewatch left behind. */
export type SourceState = "current" | "behind";

/** Opens the SQLite file read-only: the copy never writes to its source. */
export function openSourceReadOnly(path: string): Database.Database {
  if (!existsSync(path)) throw new CopyError(`no SQLite store at ${path} (is CAREWATCH_DATA_DIR right?)`, "source");
  if (!statSync(path).isFile()) throw new CopyError(`${path} is not a file (the store is CAREWATCH_DATA_DIR/carewatch.db)`, "source");
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    // Opening reads nothing: the first statement finds out whether this is a database at all.
    db.pragma("schema_version");
    return db;
  } catch (e) {
    db?.close();
    throw new CopyError(`${path} is not an SQLite database (${(e as Error).message})`, "source");
  }
}

/**
 * Is `db` a carewatch SQLite store with this version's schema? Throws a CopyError when it is no
 * carewatch store, or one written by a newer carewatch; "behind" when migrations (or the replay
 * a migration asked for) are still to run — the caller then opens it once as a store, which does
 * exactly what the server does at its start.
 */
export function inspectSource(db: Database.Database, path: string): SourceState {
  const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
  if (!tables.has("schema_migrations") || !tables.has("events"))
    throw new CopyError(`${path} is an SQLite database but not a carewatch store (no events or schema_migrations table)`, "source");
  const known = readMigrations(defaultMigrationsDir());
  const applied = db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all() as { version: number; name: string }[];
  for (const a of applied) {
    const m = known.find((k) => k.version === a.version);
    if (!m || m.name !== a.name)
      throw new CopyError(`${path} has migration ${a.name}, which this carewatch does not know: copy it with the carewatch that wrote it`, "source");
  }
  if (applied.length < known.length) return "behind";
  const pending = tables.has("store_meta") && db.prepare("SELECT 1 FROM store_meta WHERE key = 'projections_need_rebuild'").get() !== undefined;
  return pending ? "behind" : "current";
}
