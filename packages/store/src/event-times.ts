import type Database from "better-sqlite3";
import { EventTimeLists, type TimeList } from "./time-lists.js";

/** The SQLite engine's event times (time-lists.ts), loaded from and fed by the log. */
export function createEventTimes(db: Database.Database) {
  const lists = new EventTimeLists();
  const q = {
    lastSeq: db.prepare("SELECT COALESCE(MAX(seq), 0) FROM events").pluck(),
    // A first load of one facility: its rows through the (facility_id, event_id) index.
    ofFacility: db.prepare("SELECT occurred_at_ms, seq FROM events WHERE facility_id = ? AND seq <= ?").raw(),
    after: db.prepare("SELECT seq, facility_id, occurred_at_ms FROM events WHERE seq > ? ORDER BY seq LIMIT 10000").raw(),
  };

  /** Brings the loaded facilities up to the log (call inside the read transaction). */
  function catchUp(): void {
    const last = q.lastSeq.get() as number;
    if (last <= lists.appliedSeq) return;
    if (lists.anyLoaded) {
      for (;;) {
        const rows = q.after.all(lists.appliedSeq) as [seq: number, facility: string, at: number][];
        lists.apply(rows);
        if (rows.length < 10000) break;
      }
    }
    lists.reached(last);
  }

  /** The facility's list, loaded from the log at its first use (after catchUp). */
  function of(facilityId: string): TimeList {
    return lists.get(facilityId) ?? lists.load(facilityId, q.ofFacility.all(facilityId, lists.appliedSeq) as [at: number, seq: number][]);
  }

  return { catchUp, of };
}

export type EventTimes = ReturnType<typeof createEventTimes>;
