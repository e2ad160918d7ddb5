import postgres from "postgres";
import { rowToCommitted, type EventRow } from "../event-rows.js";
import type { StoreLogger } from "../sqlite-store.js";
import type { EventLog, Store } from "../types.js";
import type { Registry } from "@carewatch/domain";
import { createPgContext } from "./context.js";
import { createPgAppender } from "./pg-append.js";
import { createPgAudit } from "./pg-audit.js";
import { createPgCredentials } from "./pg-credentials.js";
import { migratePg } from "./pg-migrate.js";
import { createPgReadModels, PG_EVENT_COLUMNS } from "./pg-read-models.js";
import { pgRebuild } from "./pg-rebuild.js";
import { createPgPastReads } from "./pg-past-reads.js";
import { createPgRegistryVersions } from "./pg-registry.js";
import { createPgTargets } from "./pg-targets.js";
import { notifier } from "../log-watchers.js";

export interface PgStoreOptions {
  /** postgres://… */
  url: string;
  /** The registry a new store starts with (its first version); a store that has versions keeps them. */
  registry: Registry;
  log?: StoreLogger;
  /** How often watchers look for commits made by other processes when no notification came (ms). */
  pollMs?: number;
  /** The store lives in this schema (created if missing): lets tests give each store its own. */
  schema?: string;
  /** Connections in the pool (default 10). */
  max?: number;
}

/**
 * The PostgreSQL engine: a postgres.js pool, the modules of pg/ composed into the `Store` port.
 * Acknowledgements are commits (synchronous_commit = on, set per connection).
 */
export async function createPgStore(opts: PgStoreOptions): Promise<Store> {
  const { log } = opts;
  const sql = postgres(opts.url, {
    max: opts.max ?? 10,
    // A database that cannot be reached stops the start with a message, rather than hanging on.
    connect_timeout: 10,
    // BIGINT (seq, ms instants, COUNT) as a JS number: all stay far below 2^53.
    types: { bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) } },
    connection: { synchronous_commit: "on", ...(opts.schema ? { search_path: opts.schema } : {}) },
    onnotice: () => {},
  });
  let open = true;
  let migrated = false;
  // Whatever fails while opening (a migration, the registry, the first load) ends the pool.
  const opened = async () => {
    const applied = await migratePg(sql, { schema: opts.schema });
    if (applied.length) log?.info({ migrations: applied }, "store: migrations applied");
    migrated = true;
    const versions = await createPgRegistryVersions(sql, opts.registry, Date.now());
    const registry = versions.live;
    const ctx = createPgContext(
      sql,
      () => registry,
      (t) => versions.port.at(t),
    );
    // The units' movement indexes, from the log: a replay, if a migration asked for one (it
    // records the request in its own transaction; the replay's clears it), builds them as it
    // goes; otherwise one pass over the log's movements.
    const started = performance.now();
    if ((await sql`SELECT 1 FROM store_meta WHERE key = 'projections_need_rebuild'`).length) {
      const report = await pgRebuild(ctx);
      log?.info({ events: report.events, millis: report.millis }, "store: projections replayed from the log for the new schema");
    } else {
      await ctx.exclusive(() => sql.begin("isolation level repeatable read read only", (tx) => ctx.catchUp(tx)));
    }
    log?.info({ instants: ctx.indexes.instants, millis: Math.round(performance.now() - started) }, "store: movement indexes loaded from the log");
    return { versions, registry, ctx };
  };
  let init: Awaited<ReturnType<typeof opened>>;
  try {
    init = await opened();
  } catch (err) {
    await sql.end({ timeout: 5 });
    throw err;
  }
  const { versions, registry, ctx } = init;

  // One channel per schema: stores in other schemas of the same database are other stores.
  const channel = `carewatch_log${opts.schema ? `_${opts.schema}` : ""}`;
  const appender = createPgAppender(ctx, channel);

  const watchers = new Set<() => void>();
  const notify = notifier(watchers, log);

  // Other processes' commits: their NOTIFY at once, and a poll of the log's end as a fallback
  // (for a notification sent while the listening connection was still connecting, or lost while
  // it reconnects). The LISTEN, once started, stays until close.
  let poll: NodeJS.Timeout | null = null;
  let listening: Promise<{ unlisten(): Promise<void> }> | null = null;
  // The log's end as this process last knew it: a poll that finds more tells the watchers.
  let seenSeq = 0;
  let seenVersion = versions.port.current();
  const others = async () => {
    if (!open || watchers.size === 0) return;
    await versions.refresh();
    notify();
  };
  const startWatching = () => {
    seenSeq = Math.max(seenSeq, ctx.indexes.appliedSeq);
    if (!listening) {
      listening = sql.listen(channel, (payload) => {
        // The payload is the commit's last seq ("registry" for a registry change). Our own
        // commits come back too: those were announced at once, so they are not announced twice.
        const seq = Number(payload);
        if (Number.isInteger(seq)) {
          if (seq <= seenSeq) return;
          seenSeq = seq;
        }
        void others().catch((err) => log?.error({ err }, "store: refresh after a notification failed"));
      });
      listening.catch((err) => log?.error({ err }, "store: LISTEN failed; polling only"));
    }
    poll = setInterval(() => {
      void (async () => {
        if (!open) return;
        const [top] = await sql`SELECT COALESCE(MAX(seq), 0)::bigint AS last FROM events`;
        await versions.refresh();
        const last = Number(top!.last);
        const version = versions.port.current();
        if (last > seenSeq || version !== seenVersion) {
          seenSeq = Math.max(seenSeq, last);
          seenVersion = version;
          notify();
        }
      })().catch((err) => {
        if (open) log?.error({ err }, "store: poll of the log failed");
      });
    }, opts.pollMs ?? 250);
    poll.unref();
  };
  const stopWatching = () => {
    if (poll) clearInterval(poll);
    poll = null;
  };

  const eventLog: EventLog = {
    async append(reqs) {
      // A facility another process has just added: pick up its registry version first.
      if (reqs.some((r) => !registry.byId.has(r.facilityId))) await versions.refresh();
      const { outcomes, committed } = await appender.appendMany(reqs);
      // After COMMIT only: a watcher must never see (or publish) an event that could still roll back.
      if (committed.length) {
        seenSeq = Math.max(seenSeq, committed.at(-1)!.seq);
        notify();
      }
      return outcomes;
    },
    lastSeq: async () => Number((await sql`SELECT COALESCE(MAX(seq), 0)::bigint AS n FROM events`)[0]!.n),
    async bodiesOf(facilityId, eventIds) {
      const out = new Map<string, string>();
      for (let i = 0; i < eventIds.length; i += 1000) {
        const ids = eventIds.slice(i, i + 1000) as string[];
        for (const r of await sql`SELECT event_id, body FROM events WHERE facility_id = ${facilityId} AND event_id = ANY(${ids})`) {
          out.set(r.event_id as string, r.body as string);
        }
      }
      return out;
    },
    readFrom: async (afterSeq, limit) =>
      ((await sql`SELECT ${sql(PG_EVENT_COLUMNS)} FROM events WHERE seq > ${afterSeq} ORDER BY seq LIMIT ${limit}`) as unknown as EventRow[]).map(
        rowToCommitted,
      ),
    watch(onGrown) {
      if (!open) return () => {};
      watchers.add(onGrown);
      if (!poll) startWatching();
      return () => {
        watchers.delete(onGrown);
        if (watchers.size === 0) stopWatching();
      };
    },
  };

  const credentials = createPgCredentials(ctx);

  // The live read models, plus the reads of the past (issue 8).
  const reads = { ...createPgReadModels(ctx), ...createPgPastReads(ctx) };

  return {
    engine: "postgres",
    registry,
    registryVersions: {
      ...versions.port,
      async change(next, o) {
        const out = await versions.port.change(next, o);
        // Other processes' watchers hear it too (they refresh their registry on a notification).
        await sql`SELECT pg_notify(${channel}, 'registry')`;
        notify();
        return out;
      },
    },
    log: eventLog,
    reads,
    credentials,
    audit: createPgAudit(ctx),
    targets: createPgTargets(ctx),
    rebuild: (onProgress) => pgRebuild(ctx, onProgress),
    ready: () => open && migrated,
    async close() {
      if (!open) return;
      open = false;
      watchers.clear();
      stopWatching();
      await credentials.flushTouches();
      await listening?.then((l) => l.unlisten()).catch(() => {});
      await sql.end({ timeout: 5 });
    },
  };
}
