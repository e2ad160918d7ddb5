import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type Database from "better-sqlite3";

/** Migration files are `NNNN_name.sql`, applied in numeric order, each exactly once. */
const FILE_PATTERN = /^(\d{4})_[A-Za-z0-9_-]+\.sql$/;

/**
 * Where the SQL files are. Running from source, they sit next to `src/`. When the server is
 * bundled (tsup), `import.meta.url` points into the bundle, so fall back to resolving the
 * package itself (its package.json is exported for this reason).
 */
export function defaultMigrationsDir(): string {
  const beside = fileURLToPath(new URL("../migrations/", import.meta.url));
  if (existsSync(beside)) return beside;
  try {
    const pkg = createRequire(import.meta.url).resolve("@carewatch/store/package.json");
    const dir = join(dirname(pkg), "migrations");
    if (existsSync(dir)) return dir;
  } catch {
    // fall through to the error below
  }
  throw new Error(`carewatch store: migrations directory not found (looked in ${beside} and the @carewatch/store package)`);
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function readMigrations(dir: string): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => FILE_PATTERN.test(f))
    .sort();
  const out = files.map((name) => ({
    version: Number(FILE_PATTERN.exec(name)?.[1]),
    name,
    sql: readFileSync(join(dir, name), "utf8"),
  }));
  for (let i = 0; i < out.length; i++) {
    if (out[i]?.version !== i + 1) throw new Error(`carewatch store: migrations must be numbered 0001, 0002, … without gaps (found ${out[i]?.name})`);
  }
  return out;
}

/**
 * Apply the migrations not yet recorded in `schema_migrations`, each in its own transaction
 * together with its record, so a crash mid-migration leaves the previous version intact.
 * Returns the names applied now.
 */
export function migrate(db: Database.Database, dir: string = defaultMigrationsDir()): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const applied = new Set((db.prepare("SELECT version FROM schema_migrations").all() as { version: number }[]).map((r) => r.version));
  const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
  const done: string[] = [];
  for (const m of readMigrations(dir)) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    })();
    done.push(m.name);
  }
  return done;
}
