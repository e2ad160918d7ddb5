import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Registry } from "@carewatch/domain";
import type Database from "better-sqlite3";
import type postgres from "postgres";
import { createPgStore } from "../pg/pg-store.js";
import { APPEND_LOCK } from "../pg/pg-append.js";
import { migratePg } from "../pg/pg-migrate.js";
import { createStore, type StoreLogger } from "../sqlite-store.js";
import type { RebuildReport } from "../types.js";
import { CopyError } from "./copy-error.js";
import { inspectSource, openSourceReadOnly } from "./copy-source.js";
import { connectTarget, targetContents, type PgTarget } from "./copy-target.js";
import { copyLine } from "./copy-text.js";
import { COPIED_TABLES, NOT_COPIED, type CopiedTable } from "./copy-tables.js";

export type CopyProgress =
  /** Events copied so far, of the source's total (after every chunk). */
  | { phase: "events"; done: number; total: number }
  /** A table copied, with its row count (events included, once done). */
  | { phase: "table"; table: string; rows: number }
  /** The replay on the target, checking the copied projections. */
  | { phase: "verify"; done: number; total: number };

export interface CopyOptions {
  /** The SQLite store's file (CAREWATCH_DATA_DIR/carewatch.db). */
  sourcePath: string;
  target: PgTarget;
  /** The registry a store starts with (as for every open); both stores keep their own versions. */
  registry: Registry;
  onProgress?: (p: CopyProgress) => void;
  log?: StoreLogger;
}

export interface CopyReport {
  tables: { table: string; rows: number }[];
  events: number;
  /** The log's last seq, the same on both sides: the target's next append gets lastSeq + 1. */
  lastSeq: number;
  /** Time spent copying rows (the whole transaction), ms. */
  copyMillis: number;
  /** The target's rebuild: every projection replayed from the copied log and compared with the copied one. */
  verify: RebuildReport;
}

/** Rows per chunk handed to COPY: a few hundred kB of text, so memory stays bounded whatever the log's size. */
const CHUNK = 2000;

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * `cw copy --to postgres://…`: an SQLite store into an empty PostgreSQL one.
 *
 * The target is refused (CopyError "refused", nothing changed) when it already holds a store:
 * events, keys, displays, users, audit or targets, or a registry changed since its seed. Then,
 * in ONE target transaction holding the append and registry locks: every table of
 * copy-tables.ts streamed with COPY from one read transaction of the source (a consistent
 * snapshot, even beside a running server), seq and ids exactly as stored; the identity columns
 * (audit, assessments) set to continue after the copied ids. All or nothing: a failed copy
 * leaves the target empty (its tables migrated at most), so it can simply be run again. The log's seq needs no sequence:
 * appends take MAX(seq) + 1 under the lock (pg-append.ts), so they continue after the copy.
 *
 * Then the target is opened as a store and rebuilt: the projections copied from SQLite are
 * compared row by row with a replay of the copied log by the PostgreSQL engine (and replaced by
 * it). `verify.differences` empty is the proof that both engines read the log alike.
 */
export async function copyToPg(opts: CopyOptions): Promise<CopyReport> {
  // A store of an older carewatch: migrated (and replayed) once, as the server would at its start.
  let src = openSourceReadOnly(opts.sourcePath);
  try {
    if (inspectSource(src, opts.sourcePath) === "behind") {
      src.close();
      await createStore({ path: opts.sourcePath, registry: opts.registry, log: opts.log }).close();
      src = openSourceReadOnly(opts.sourcePath);
      inspectSource(src, opts.sourcePath);
    }
    const known = new Set([...COPIED_TABLES.map((t) => t.name), ...NOT_COPIED]);
    const unknown = (src.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[]).filter(
      (n) => !known.has(n),
    );
    if (unknown.length) throw new CopyError(`the source has table(s) the copy does not know: ${unknown.join(", ")} (a migration without its copy)`, "schema");

    const sql = connectTarget(opts.target);
    let copied: { tables: CopyReport["tables"]; lastSeq: number; millis: number };
    try {
      // Before any write, migrations included: a refused target is left exactly as it was.
      await refuseNonEmpty(sql);
      await migratePg(sql, { schema: opts.target.schema });
      copied = await copyAll(sql, src, opts.onProgress);
    } finally {
      await sql.end({ timeout: 5 });
    }

    const store = await createPgStore({ url: opts.target.url, schema: opts.target.schema, registry: opts.registry, log: opts.log });
    const events = copied.tables.find((t) => t.table === "events")?.rows ?? 0;
    let verify: RebuildReport;
    try {
      opts.onProgress?.({ phase: "verify", done: 0, total: events });
      verify = await store.rebuild((done, total) => opts.onProgress?.({ phase: "verify", done, total }));
    } finally {
      await store.close();
    }
    return { tables: copied.tables, events, lastSeq: copied.lastSeq, copyMillis: copied.millis, verify };
  } finally {
    src.close();
  }
}

async function refuseNonEmpty(db: postgres.Sql | postgres.TransactionSql): Promise<void> {
  const found = await targetContents(db);
  if (found.length)
    throw new CopyError(`the target already holds a store (rows in ${found.join(", ")}): nothing copied; copy into a new, empty database`, "refused");
}

async function copyAll(sql: postgres.Sql, src: Database.Database, onProgress?: (p: CopyProgress) => void) {
  const started = performance.now();
  const result = await sql.begin(async (tx) => {
    // Nobody appends or changes the registry meanwhile (a server already started on the target).
    await tx`SELECT pg_advisory_xact_lock(${APPEND_LOCK})`;
    await tx`SELECT pg_advisory_xact_lock(hashtext('carewatch.registry_versions'))`;
    // Again under the locks: another copy or a server may have written since the first look.
    await refuseNonEmpty(tx);
    // A store opened once and never used: its seeded version and facilities rows (and any
    // projection row, which an empty log cannot have made) give way to the source's.
    for (const t of [...COPIED_TABLES].reverse())
      if (t.role === "projection" || t.role === "registry" || t.name === "registry_versions") await tx`DELETE FROM ${tx(t.name)}`;

    // One read transaction on the source: every table from the same committed state.
    src.exec("BEGIN");
    try {
      const tables: CopyReport["tables"] = [];
      for (const t of COPIED_TABLES) {
        const rows = await copyTable(tx, src, t, onProgress);
        tables.push({ table: t.name, rows });
        onProgress?.({ phase: "table", table: t.name, rows });
      }
      await continueIdentities(tx);
      const lastSeq = Number((await tx`SELECT COALESCE(MAX(seq), 0)::bigint AS n FROM events`)[0]!.n);
      const sourceLast = src.prepare("SELECT COALESCE(MAX(seq), 0) FROM events").pluck().get() as number;
      if (lastSeq !== sourceLast) throw new Error(`copy: the target's last seq is ${lastSeq}, the source's ${sourceLast}`);
      return { tables, lastSeq };
    } finally {
      src.exec("COMMIT");
    }
  });
  return { ...result, millis: Math.round(performance.now() - started) };
}

/** One table: its columns checked against the target's, then its rows streamed through COPY in chunks. */
async function copyTable(tx: postgres.TransactionSql, src: Database.Database, t: CopiedTable, onProgress?: (p: CopyProgress) => void): Promise<number> {
  const cols = src.prepare("SELECT name FROM pragma_table_info(?)").pluck().all(t.name) as string[];
  const pgCols = new Set(
    (await tx`SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${t.name}`).map(
      (r) => r.column_name as string,
    ),
  );
  const onlySqlite = cols.filter((c) => !pgCols.has(c));
  const onlyPg = [...pgCols].filter((c) => !cols.includes(c));
  if (onlySqlite.length || onlyPg.length)
    throw new CopyError(
      `table ${t.name} differs between the engines (only in SQLite: ${onlySqlite.join(", ") || "-"}; only in PostgreSQL: ${onlyPg.join(", ") || "-"})`,
      "schema",
    );

  const total = src
    .prepare(`SELECT COUNT(*) FROM ${quote(t.name)}`)
    .pluck()
    .get() as number;
  if (total === 0) return 0;
  // The log in seq order (its rowid: no sort); rows as arrays in `cols` order.
  const rows = src
    .prepare(`SELECT ${cols.map(quote).join(", ")} FROM ${quote(t.name)}${t.role === "log" ? " ORDER BY seq" : ""}`)
    .raw(true)
    .iterate() as IterableIterator<unknown[]>;
  let done = 0;
  // The start, so that a progress bar's rate counts from here.
  if (t.role === "log") onProgress?.({ phase: "events", done, total });
  // Pulled by the COPY stream as it drains (Readable.from): at most a few chunks in memory.
  async function* chunks() {
    let lines: string[] = [];
    for (const row of rows) {
      lines.push(copyLine(row));
      if (lines.length === CHUNK) {
        yield lines.join("");
        done += lines.length;
        lines = [];
        if (t.role === "log") onProgress?.({ phase: "events", done, total });
      }
    }
    if (lines.length) {
      yield lines.join("");
      done += lines.length;
      if (t.role === "log") onProgress?.({ phase: "events", done, total });
    }
  }
  // The COPY runs in the simple protocol: its identifiers are inlined (escaped), no parameters.
  const into = await tx`COPY ${tx(t.name)} (${tx(cols)}) FROM STDIN`.writable();
  await pipeline(Readable.from(chunks()), into);
  if (done !== total) throw new Error(`copy: ${t.name}: ${done} rows read of ${total}`);
  return done;
}

/**
 * COPY writes the ids of identity columns as given (audit, target_assessments: GENERATED ALWAYS),
 * without moving their sequences: set them to continue after the highest id copied.
 */
async function continueIdentities(tx: postgres.TransactionSql): Promise<void> {
  const cols = await tx`SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND is_identity = 'YES' AND table_name = ANY(${COPIED_TABLES.map((t) => t.name)})`;
  for (const { table_name: table, column_name: column } of cols as unknown as { table_name: string; column_name: string }[]) {
    const [{ top }] = (await tx`SELECT MAX(${tx(column)})::bigint AS top FROM ${tx(table)}`) as unknown as [{ top: number | null }];
    // setval(…, 1, false): the next id is 1, as in a table that never had a row.
    if (top === null) await tx`SELECT setval(pg_get_serial_sequence(${table}, ${column}), 1, false)`;
    else await tx`SELECT setval(pg_get_serial_sequence(${table}, ${column}), ${top})`;
  }
}
