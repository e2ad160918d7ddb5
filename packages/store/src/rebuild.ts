import type { Registry } from "@carewatch/domain";
import type Database from "better-sqlite3";
import { EVENT_COLUMNS, rowToCommitted, type EventRow } from "./event-rows.js";
import { MovementIndexes } from "./movement-indexes.js";
import { LIVE_TABLES, PROJECTION_KEYS, type ProjectionTables } from "./projection-gather.js";
import { createProjector } from "./projections.js";
import type { RebuildReport } from "./types.js";

const PAGE = 1000;
const MAX_DIFFERENCES = 200;

type Row = Record<string, unknown>;

/**
 * Replay the whole log, in seq order, into fresh temporary copies of the projection tables with
 * the same projector append uses; compare with the live tables row by row; then copy the replayed
 * rows into the live tables. One transaction: appends wait (busy_timeout) and readers see either
 * the old or the new projections, never a mix.
 */
export function rebuild(
  db: Database.Database,
  registry: Registry,
  indexes: MovementIndexes,
  onProgress?: (done: number, total: number) => void,
): RebuildReport {
  const started = performance.now();
  const fresh = Object.fromEntries(Object.entries(LIVE_TABLES).map(([k, name]) => [k, `temp.rebuild_${name}`])) as unknown as ProjectionTables;

  // Fresh movement indexes too: the replay feeds them as append fed the live ones, and they
  // replace the live ones when it is done (the same log, applied afresh).
  const replayed = new MovementIndexes();
  const run = db.transaction(() => {
    for (const k of Object.keys(LIVE_TABLES) as (keyof ProjectionTables)[]) {
      const ddl = db.prepare("SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?").pluck().get(LIVE_TABLES[k]) as string | undefined;
      if (!ddl) throw new Error(`rebuild: table ${LIVE_TABLES[k]} is missing`);
      db.exec(`DROP TABLE IF EXISTS ${fresh[k]}`);
      // Same DDL (so the same keys for the upserts), different name, in the temp schema.
      db.exec(ddl.replace(/^CREATE TABLE\s+("?)\w+\1/, `CREATE TABLE ${fresh[k]}`));
    }

    const projector = createProjector(db, fresh, registry, replayed);
    const total = db.prepare("SELECT COUNT(*) FROM events").pluck().get() as number;
    // Paged rather than iterated: better-sqlite3 can't write while an iterator holds the connection.
    const page = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ${PAGE}`);
    const differences: string[] = [];
    let done = 0;
    let after = 0;
    for (;;) {
      const rows = page.all(after) as EventRow[];
      if (rows.length === 0) break;
      for (const row of rows) {
        const r = projector.project(rowToCommitted(row));
        if (!r.ok) differences.push(`event seq ${row.seq} (${row.facility_id} ${row.event_id}): refused on replay: ${r.reason}`);
        after = row.seq;
        done++;
        if (done % PAGE === 0) onProgress?.(done, total);
      }
      projector.flush();
      projector.committed();
      replayed.appliedSeq = after;
    }
    if (done % PAGE !== 0 || done === 0) onProgress?.(done, total);

    for (const k of Object.keys(LIVE_TABLES) as (keyof ProjectionTables)[]) {
      differences.push(...compare(db, LIVE_TABLES[k], fresh[k], PROJECTION_KEYS[k]));
    }
    for (const k of Object.keys(LIVE_TABLES) as (keyof ProjectionTables)[]) {
      db.exec(`DELETE FROM main.${LIVE_TABLES[k]}; INSERT INTO main.${LIVE_TABLES[k]} SELECT * FROM ${fresh[k]}; DROP TABLE ${fresh[k]};`);
    }
    // A migration that reshaped the projections asked for this replay: done (same transaction).
    db.exec("DELETE FROM store_meta WHERE key = 'projections_need_rebuild'");
    return { done, differences };
  });

  const { done, differences } = run.immediate();
  indexes.replaceWith(replayed);
  const shown =
    differences.length > MAX_DIFFERENCES
      ? [...differences.slice(0, MAX_DIFFERENCES), `… and ${differences.length - MAX_DIFFERENCES} more differences`]
      : differences;
  return { events: done, differences: shown, millis: Math.round(performance.now() - started) };
}

function compare(db: Database.Database, stored: string, replayed: string, keyCols: string[]): string[] {
  const order = keyCols.join(", ");
  const load = (t: string) => {
    const m = new Map<string, Row>();
    for (const r of db.prepare(`SELECT * FROM ${t} ORDER BY ${order}`).all() as Row[]) {
      m.set(keyCols.map((c) => String(r[c])).join(" / "), r);
    }
    return m;
  };
  const a = load(stored);
  const b = load(replayed);
  const out: string[] = [];
  for (const [key, row] of a) {
    const other = b.get(key);
    if (!other) {
      out.push(`${stored} [${key}]: stored row not produced by the log`);
      continue;
    }
    for (const col of Object.keys(row)) {
      if (!same(row[col], other[col])) out.push(`${stored} [${key}]: ${col} stored ${fmt(row[col])}, log gives ${fmt(other[col])}`);
    }
  }
  for (const key of b.keys()) if (!a.has(key)) out.push(`${stored} [${key}]: missing (the log gives one)`);
  return out;
}

/** Column values are numbers, strings, null — or Buffers (tree nodes), compared by content. */
const same = (a: unknown, b: unknown) => (Buffer.isBuffer(a) && Buffer.isBuffer(b) ? a.equals(b) : a === b);

const fmt = (v: unknown) => (v === null ? "null" : Buffer.isBuffer(v) ? `<${v.length} bytes>` : JSON.stringify(v));
