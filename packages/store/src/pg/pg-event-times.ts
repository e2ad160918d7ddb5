import type postgres from "postgres";
import { EventTimeLists, type TimeList } from "../time-lists.js";

const BATCH = 10_000;

/**
 * The PostgreSQL engine's event times (time-lists.ts: when each event of a facility occurred, in
 * memory, loaded per facility at its first use and fed from the log). Call only inside
 * `ctx.snapshot`: snapshots take turns in-process, so each one sees the log at least as far as
 * the lists already reflect, and the lists are changed by one reader at a time.
 */
export function createPgEventTimes() {
  const lists = new EventTimeLists();

  /** Brings the loaded facilities up to the log as `tx` sees it. */
  async function catchUp(tx: postgres.TransactionSql): Promise<void> {
    const [{ last }] = (await tx`SELECT COALESCE(MAX(seq), 0)::bigint AS last FROM events`) as unknown as [{ last: number }];
    if (Number(last) <= lists.appliedSeq) return;
    if (lists.anyLoaded) {
      for (;;) {
        const rows = (await tx`SELECT seq, facility_id, occurred_at_ms FROM events
            WHERE seq > ${lists.appliedSeq} AND seq <= ${last} ORDER BY seq LIMIT ${BATCH}`.values()) as unknown as [number, string, number][];
        lists.apply(rows.map(([seq, facility, at]) => [Number(seq), facility, Number(at)] as const));
        if (rows.length < BATCH) break;
      }
    }
    lists.reached(Number(last));
  }

  /** The facility's list, loaded from the log at its first use (after catchUp). */
  async function of(tx: postgres.TransactionSql, facilityId: string): Promise<TimeList> {
    const loaded = lists.get(facilityId);
    if (loaded) return loaded;
    // Through the (facility_id, event_id) unique index.
    const rows = (await tx`SELECT occurred_at_ms, seq FROM events WHERE facility_id = ${facilityId} AND seq <= ${lists.appliedSeq}`.values()) as unknown as [
      number,
      number,
    ][];
    return lists.load(
      facilityId,
      rows.map(([at, seq]) => [Number(at), Number(seq)]),
    );
  }

  return { catchUp, of };
}
