import type { Registry } from "@carewatch/domain";
import type postgres from "postgres";
import { MovementIndexes } from "../movement-indexes.js";

/**
 * What every module of the PostgreSQL engine shares: the connection pool, the registry, and the
 * movement indexes (in memory, fed from the log — the same structure the SQLite engine keeps).
 *
 * The pool parses BIGINT (int8, also COUNT(*)) as a JS number: seq and ms instants stay far below
 * 2^53 (see pg-store.ts).
 */
export interface PgContext {
  sql: postgres.Sql;
  /** The current registry (live: reads the latest version on every access). */
  readonly registry: Registry;
  /** The registry in force at instant `t`. */
  registryAt(t: number): Registry;
  indexes: MovementIndexes;
  /** Brings the movement indexes up to the log as `tx` sees it (other processes' commits). */
  catchUp(tx: postgres.TransactionSql): Promise<void>;
  /**
   * One read transaction (REPEATABLE READ READ ONLY), the indexes caught up with it first: every
   * answer comes from one committed state. In-process, snapshots and appends take turns (see
   * `exclusive`), so a read never sees in its indexes the movements of an append not yet
   * committed, nor commits newer than its own snapshot.
   */
  snapshot<R>(fn: (tx: postgres.TransactionSql) => Promise<R>): Promise<R>;
  /** Runs `fn` alone among this process's snapshots and appends (the append takes it for its whole transaction). */
  exclusive<R>(fn: () => Promise<R>): Promise<R>;
}

/** A FIFO async mutex: the indexes are one in-memory state, changed and read across awaits. */
export function createMutex() {
  let tail: Promise<unknown> = Promise.resolve();
  return function exclusive<R>(fn: () => Promise<R>): Promise<R> {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

const CATCH_UP_BATCH = 10_000;

/**
 * Applies the log's movements after the indexes' position (other processes' commits, or a first
 * load). Returns the log's last seq as `tx` sees it.
 */
export async function catchUpIndexes(tx: postgres.TransactionSql | postgres.Sql, indexes: MovementIndexes): Promise<number> {
  const [top] = (await tx`SELECT COALESCE(MAX(seq), 0)::bigint AS last FROM events`) as unknown as [{ last: number }];
  const last = Number(top.last);
  if (last <= indexes.appliedSeq) return last;
  for (;;) {
    // Rows as arrays, not objects: a first load reads millions.
    const rows = (await tx`SELECT seq, facility_id, unit, occurred_at_ms, delta FROM events
        WHERE seq > ${indexes.appliedSeq} AND seq <= ${last} AND delta <> 0 ORDER BY seq LIMIT ${CATCH_UP_BATCH}`.values()) as unknown as [
      seq: number,
      facility: string,
      unit: string | null,
      at: number,
      delta: number,
    ][];
    for (const [seq, facility, unit, at, delta] of rows) {
      indexes.add(facility, unit, Number(at), Number(delta));
      indexes.appliedSeq = Number(seq);
    }
    if (rows.length < CATCH_UP_BATCH) break;
  }
  indexes.appliedSeq = Math.max(indexes.appliedSeq, last);
  return last;
}

/** The context of one store: `live` returns the current registry (H2's pg-registry keeps it up to date). */
export function createPgContext(sql: postgres.Sql, live: () => Registry, registryAt: (t: number) => Registry, indexes = new MovementIndexes()): PgContext {
  const exclusive = createMutex();
  const catchUp = async (tx: postgres.TransactionSql) => {
    await catchUpIndexes(tx, indexes);
  };
  return {
    sql,
    get registry() {
      return live();
    },
    registryAt,
    indexes,
    catchUp,
    exclusive,
    snapshot<R>(fn: (tx: postgres.TransactionSql) => Promise<R>): Promise<R> {
      return exclusive(
        () =>
          sql.begin("isolation level repeatable read read only", async (tx) => {
            await catchUp(tx);
            return fn(tx);
          }) as Promise<R>,
      );
    },
  };
}
