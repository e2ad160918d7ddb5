import type postgres from "postgres";
import { rowToCommitted, type EventRow } from "../event-rows.js";
import { MovementIndexes } from "../movement-indexes.js";
import type { RebuildReport } from "../types.js";
import type { PgContext } from "./context.js";
import { APPEND_LOCK } from "./pg-append.js";
import { LIVE_TABLES, PROJECTION_KEYS, type ProjectionTables } from "../projection-gather.js";
import { createPgProjector } from "./pg-projections.js";
import { PG_EVENT_COLUMNS } from "./pg-read-models.js";

const PAGE = 1000;
const MAX_DIFFERENCES = 200;

type Row = Record<string, unknown>;
type Tx = postgres.TransactionSql;

/**
 * rebuild.ts on PostgreSQL: replay the whole log, in seq order, into fresh temporary copies of
 * the projection tables with the projector append uses; compare with the live tables row by row;
 * then copy the replayed rows into the live tables. One transaction holding the append lock:
 * appends (of every process) wait, and readers see the old or the new projections, never a mix.
 */
export async function pgRebuild(ctx: PgContext, onProgress?: (done: number, total: number) => void): Promise<RebuildReport> {
  const started = performance.now();
  const fresh = Object.fromEntries(Object.entries(LIVE_TABLES).map(([k, name]) => [k, `rebuild_${name}`])) as unknown as ProjectionTables;
  const keys = Object.keys(LIVE_TABLES) as (keyof ProjectionTables)[];
  const replayed = new MovementIndexes();

  const { done, differences } = await ctx.exclusive(() =>
    ctx.sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${APPEND_LOCK})`;
      for (const k of keys) {
        // Same columns and keys (for the upserts); temporary tables come first in the search path.
        await tx`CREATE TEMPORARY TABLE ${tx(fresh[k])} (LIKE ${tx(LIVE_TABLES[k])} INCLUDING ALL) ON COMMIT DROP`;
      }
      const projector = createPgProjector(fresh, () => ctx.registry, replayed);
      const total = Number((await tx`SELECT COUNT(*)::bigint AS n FROM events`)[0]!.n);
      const differences: string[] = [];
      let done = 0;
      let after = 0;
      for (;;) {
        const rows = (await tx`SELECT ${tx(PG_EVENT_COLUMNS)} FROM events WHERE seq > ${after} ORDER BY seq LIMIT ${PAGE}`) as unknown as EventRow[];
        if (rows.length === 0) break;
        const events = rows.map(rowToCommitted);
        await projector.prefetch(tx, events);
        for (const [i, row] of rows.entries()) {
          const r = projector.project(events[i]!);
          if (!r.ok) differences.push(`event seq ${row.seq} (${row.facility_id} ${row.event_id}): refused on replay: ${r.reason}`);
          after = row.seq;
          done++;
          if (done % PAGE === 0) onProgress?.(done, total);
        }
        await projector.flush(tx);
        projector.committed();
        replayed.appliedSeq = after;
      }
      if (done % PAGE !== 0 || done === 0) onProgress?.(done, total);

      for (const k of keys) differences.push(...(await compare(tx, LIVE_TABLES[k], fresh[k], PROJECTION_KEYS[k])));
      for (const k of keys) {
        await tx`DELETE FROM ${tx(LIVE_TABLES[k])}`;
        await tx`INSERT INTO ${tx(LIVE_TABLES[k])} SELECT * FROM ${tx(fresh[k])}`;
      }
      // A migration that reshaped the projections asked for this replay: done (same transaction).
      await tx`DELETE FROM store_meta WHERE key = 'projections_need_rebuild'`;
      // Appends wait on the lock; the log's end is where the replay stopped.
      replayed.appliedSeq = Number((await tx`SELECT COALESCE(MAX(seq), 0)::bigint AS n FROM events`)[0]!.n);
      return { done, differences };
    }),
  );
  ctx.indexes.replaceWith(replayed);
  const shown =
    differences.length > MAX_DIFFERENCES
      ? [...differences.slice(0, MAX_DIFFERENCES), `… and ${differences.length - MAX_DIFFERENCES} more differences`]
      : differences;
  return { events: done, differences: shown, millis: Math.round(performance.now() - started) };
}

async function compare(tx: Tx, stored: string, replayed: string, keyCols: string[]): Promise<string[]> {
  const load = async (t: string) => {
    const m = new Map<string, Row>();
    for (const r of await tx`SELECT * FROM ${tx(t)}`) m.set(keyCols.map((c) => String(r[c])).join(" / "), r);
    return m;
  };
  const a = await load(stored);
  const b = await load(replayed);
  const out: string[] = [];
  // In key order, as SQLite lists them.
  for (const key of [...a.keys()].sort()) {
    const row = a.get(key)!;
    const other = b.get(key);
    if (!other) {
      out.push(`${stored} [${key}]: stored row not produced by the log`);
      continue;
    }
    for (const col of Object.keys(row)) {
      if (row[col] !== other[col]) out.push(`${stored} [${key}]: ${col} stored ${fmt(row[col])}, log gives ${fmt(other[col])}`);
    }
  }
  for (const key of b.keys()) if (!a.has(key)) out.push(`${stored} [${key}]: missing (the log gives one)`);
  return out;
}

const fmt = (v: unknown) => (v === null ? "null" : JSON.stringify(v));
