import type { Registry } from "@carewatch/domain";
import Database from "better-sqlite3";
import { createAppender } from "./append.js";
import { createAudit } from "./audit.js";
import { createTargets } from "./targets.js";
import { createCredentials } from "./credentials.js";
import { EVENT_COLUMNS, rowToCommitted, type EventRow } from "./event-rows.js";
import { migrate } from "./migrate.js";
import { MovementIndexes, movementFollower } from "./movement-indexes.js";
import { createHistoryReads } from "./history.js";
import { createReferralReads } from "./referral-reads.js";
import { createReadModels } from "./read-models.js";
import { rebuild } from "./rebuild.js";
import { createRegistryVersions } from "./registry-versions.js";
import type { EventLog, Store } from "./types.js";
import { notifier } from "./log-watchers.js";

/** pino-compatible subset. */
export interface StoreLogger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface StoreOptions {
  /** Database file (created if missing). */
  path: string;
  /** The registry a new store starts with (its first version); a store that has versions keeps them. */
  registry: Registry;
  log?: StoreLogger;
  /** Where the numbered SQL files are; defaults to the package's `migrations/`. */
  migrationsDir?: string;
  /** How often watchers look for commits made by other processes (ms). */
  pollMs?: number;
}

/** What the embedded engine can say about the work it does (benchmarks and the bounded-work test). */
export interface SqliteStore extends Store {
  diagnostics(): { indexedInstants: number; indexSteps: number; rowsWritten: number };
}

/** The embedded engine: one better-sqlite3 connection, one writer, WAL. */
export function createStore(opts: StoreOptions): SqliteStore {
  const { log } = opts;
  const db = new Database(opts.path);
  // WAL: readers don't block the writer, and a commit is one sequential append to the WAL.
  db.pragma("journal_mode = WAL");
  // FULL (not NORMAL): in WAL mode NORMAL skips the fsync at COMMIT, so a power loss could drop
  // a transaction we had already acknowledged. With FULL every COMMIT is fsynced to the WAL
  // before append() resolves, so a 200/202 survives SIGKILL and power loss (contract). The
  // GroupCommitter makes one fsync serve many requests, which keeps that affordable.
  db.pragma("synchronous = FULL");
  // Another process (the CLI) may hold the write lock briefly: wait rather than fail.
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  // 64 MiB of page cache (default 2 MiB): the log's indexes and the movement trees outgrow the
  // default within a few hundred thousand events, and every insert then re-reads index pages.
  // Speed only; no effect on durability.
  db.pragma("cache_size = -65536");

  const applied = migrate(db, opts.migrationsDir);
  if (applied.length) log?.info({ migrations: applied }, "store: migrations applied");

  // From here on, `registry` is the store's own: the current version, whatever it was seeded with.
  const versions = createRegistryVersions(db, opts.registry, Date.now());
  const registry = versions.live;

  // The units' movement indexes, from the log (a replay, if a migration asked for one, builds
  // them as it goes; otherwise one pass over the log's movements).
  const indexes = new MovementIndexes();
  const started = performance.now();
  if (db.prepare("SELECT value FROM store_meta WHERE key = 'projections_need_rebuild'").pluck().get() !== undefined) {
    const report = rebuild(db, registry, indexes);
    log?.info({ events: report.events, millis: report.millis }, "store: projections replayed from the log for the new schema");
  } else {
    movementFollower(db, indexes)();
  }
  log?.info({ instants: indexes.instants, millis: Math.round(performance.now() - started) }, "store: movement indexes loaded from the log");

  const appender = createAppender(db, registry, indexes);
  const credentials = createCredentials(db, registry);
  // The live read models, plus the reads of the past (issue 8, history.ts).
  const reads = {
    ...createReadModels(db, registry, indexes),
    ...createHistoryReads(db, registry, indexes, (t) => versions.port.at(t)),
    ...createReferralReads(db),
  };
  const lastSeq = db.prepare("SELECT COALESCE(MAX(seq), 0) FROM events").pluck();
  const bodies = db.prepare("SELECT event_id, body FROM events WHERE facility_id = ? AND event_id IN (SELECT value FROM json_each(?))");
  const since = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ?`);
  const watchers = new Set<() => void>();
  let open = true;

  const notify = notifier(watchers, log);

  // Commits by other connections (another process on the same file) change PRAGMA data_version;
  // our own commits are announced at once by append.
  let poll: NodeJS.Timeout | null = null;
  let dataVersion = 0;
  const startPolling = () => {
    dataVersion = db.pragma("data_version", { simple: true }) as number;
    poll = setInterval(() => {
      if (!open) return;
      const v = db.pragma("data_version", { simple: true }) as number;
      if (v !== dataVersion) {
        dataVersion = v;
        // Another process may have changed the registry as well as the log.
        versions.refresh();
        notify();
      }
    }, opts.pollMs ?? 250);
    poll.unref();
  };

  const eventLog: EventLog = {
    async append(reqs) {
      const { outcomes, committed } = appender.appendMany(reqs);
      // After COMMIT only: a watcher must never see (or publish) an event that could still roll back.
      if (committed.length) notify();
      return outcomes;
    },
    lastSeq: async () => lastSeq.get() as number,
    async bodiesOf(facilityId, eventIds) {
      const out = new Map<string, string>();
      for (let i = 0; i < eventIds.length; i += 1000) {
        const rows = bodies.all(facilityId, JSON.stringify(eventIds.slice(i, i + 1000))) as { event_id: string; body: string }[];
        for (const r of rows) out.set(r.event_id, r.body);
      }
      return out;
    },
    readFrom: async (afterSeq, limit) => (since.all(afterSeq, limit) as EventRow[]).map(rowToCommitted),
    watch(onGrown) {
      if (!open) return () => {};
      watchers.add(onGrown);
      if (!poll) startPolling();
      return () => {
        watchers.delete(onGrown);
        if (watchers.size === 0 && poll) {
          clearInterval(poll);
          poll = null;
        }
      };
    },
  };

  const totalChanges = db.prepare("SELECT total_changes()").pluck();
  return {
    diagnostics: () => ({ indexedInstants: indexes.instants, indexSteps: indexes.steps, rowsWritten: totalChanges.get() as number }),
    engine: "sqlite",
    registry,
    registryVersions: {
      ...versions.port,
      async change(next, o) {
        const out = await versions.port.change(next, o);
        notify();
        return out;
      },
    },
    log: eventLog,
    reads,
    credentials,
    audit: createAudit(db),
    targets: createTargets(db, registry, indexes),
    rebuild: async (onProgress) => rebuild(db, registry, indexes, onProgress),
    ready: () => open && db.open,
    async close() {
      if (!open) return;
      open = false;
      watchers.clear();
      if (poll) clearInterval(poll);
      await credentials.flushTouches();
      db.close();
    },
  };
}
