import type { Registry } from "@carewatch/domain";
import Database from "better-sqlite3";
import { createAppender } from "./append.js";
import { createCredentials } from "./keys.js";
import { migrate } from "./migrate.js";
import { createReadModels } from "./read-models.js";
import { rebuild } from "./rebuild.js";
import type { AppendOutcome, CommitListener, Store } from "./types.js";

/** pino-compatible subset. */
export interface StoreLogger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface StoreOptions {
  /** Database file (created if missing). */
  path: string;
  /** Facilities; upserted into the `facilities` table at open. */
  registry: Registry;
  log?: StoreLogger;
  /** Where the numbered SQL files are; defaults to the package's `migrations/`. */
  migrationsDir?: string;
}

export function createStore(opts: StoreOptions): Store {
  const { registry, log } = opts;
  const db = new Database(opts.path);
  // WAL: readers don't block the writer, and a commit is one sequential append to the WAL.
  db.pragma("journal_mode = WAL");
  // FULL (not NORMAL): in WAL mode NORMAL skips the fsync at COMMIT, so a power loss could drop
  // a transaction we had already acknowledged. With FULL every COMMIT is fsynced to the WAL
  // before append() returns, so a 200/202 survives SIGKILL and power loss (contract). The
  // GroupCommitter makes one fsync serve many requests, which keeps that affordable.
  db.pragma("synchronous = FULL");
  // Another process (the CLI) may hold the write lock briefly: wait rather than fail.
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  // 64 MiB of page cache (default 2 MiB): the log's two indexes outgrow the default within a few
  // hundred thousand events, and every insert then re-reads index pages. Speed only; no effect
  // on durability.
  db.pragma("cache_size = -65536");

  const applied = migrate(db, opts.migrationsDir);
  if (applied.length) log?.info({ migrations: applied }, "store: migrations applied");

  const upsertFacility = db.prepare(
    "INSERT INTO facilities (id, config) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config",
  );
  db.transaction(() => {
    for (const f of registry.facilities) upsertFacility.run(f.id, JSON.stringify(f));
  })();

  const appender = createAppender(db, registry);
  const reads = createReadModels(db, registry);
  const credentials = createCredentials(db, registry);
  const listeners = new Set<CommitListener>();
  let open = true;

  function appendMany(reqs: Parameters<Store["appendMany"]>[0]): AppendOutcome[] {
    const { outcomes, committed } = appender.appendMany(reqs);
    // After COMMIT only: a listener must never see (or publish) an event that could still roll back.
    if (committed.length) {
      for (const l of listeners) {
        try {
          l(committed);
        } catch (err) {
          // A broken listener (e.g. the live hub) must not turn a durable append into an error.
          log?.error({ err }, "store: commit listener threw");
        }
      }
    }
    return outcomes;
  }

  return {
    registry,
    append: (req) => appendMany([req])[0] as AppendOutcome,
    appendMany,
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ...reads,
    ...credentials,
    rebuild: (onProgress) => rebuild(db, registry, onProgress),
    ready: () => open && db.open,
    close() {
      if (!open) return;
      open = false;
      listeners.clear();
      db.close();
    },
  };
}
