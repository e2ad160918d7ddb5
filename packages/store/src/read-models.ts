import {
  facilityStatus as buildStatus,
  hourStart,
  isReferralOpen,
  localDay,
  TICKER_LENGTH,
  type Facility,
  type FacilityStatus,
  type ReferralStatus,
  type Registry,
  type TodayCounts,
  type TreatmentCategory,
  type UnitLedger,
} from "@carewatch/domain";
import type Database from "better-sqlite3";
import { EVENT_COLUMNS, rowToTicker, type EventRow } from "./event-rows.js";
import { movementFollower, type MovementIndexes } from "./movement-indexes.js";
import { createOccupiedAt } from "./occupied-at.js";
import { rowToLedger, type UnitStateRow } from "./projections.js";
import type { ReadModels } from "./types.js";

/**
 * The read models of the SQLite engine. Each answer runs inside one read transaction, so in WAL
 * mode it sees one committed state of the database even while another process writes.
 */
export function createReadModels(db: Database.Database, registry: Registry, indexes: MovementIndexes): ReadModels {
  const q = {
    lastSeq: db.prepare("SELECT COALESCE(MAX(seq), 0) FROM events").pluck(),
    count: db.prepare("SELECT COUNT(*) FROM events").pluck(),
    ledgers: db.prepare("SELECT * FROM unit_state WHERE facility_id = ?"),
    facilityState: db.prepare("SELECT last_received_at, last_seq FROM facility_state WHERE facility_id = ?"),
    daily: db.prepare("SELECT metric, value FROM rollup_daily WHERE facility_id = ? AND day = ?"),
    referralCounts: db.prepare("SELECT status, COUNT(*) AS n FROM referrals WHERE facility_id = ? GROUP BY status"),
    latest: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY seq DESC LIMIT ?`),
    latestSince: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE seq > ? ORDER BY seq DESC LIMIT ?`),
    touched: db.prepare("SELECT DISTINCT facility_id FROM events WHERE seq > ?").pluck(),
  };
  // A store that only reads (another process's commits) brings its indexes up to the log first.
  const catchUp = movementFollower(db, indexes);
  const occupiedAt = createOccupiedAt(db, indexes);
  const snapshot = <A extends unknown[], R>(fn: (...args: A) => R) => {
    const tx = db.transaction(fn);
    return async (...args: A): Promise<R> => tx(...args);
  };

  function today(f: Facility, now: number): TodayCounts {
    const t: TodayCounts = { admissions: 0, discharges: 0, treatments: {}, referrals_open: 0 };
    for (const r of q.daily.all(f.id, localDay(now, f.timeZone)) as { metric: string; value: number }[]) {
      if (r.metric === "admissions") t.admissions = r.value;
      else if (r.metric === "discharges") t.discharges = r.value;
      else if (r.metric.startsWith("treatment:")) t.treatments[r.metric.slice("treatment:".length) as TreatmentCategory] = r.value;
    }
    for (const r of q.referralCounts.all(f.id) as { status: ReferralStatus; n: number }[]) {
      if (isReferralOpen(r.status)) t.referrals_open += r.n;
    }
    return t;
  }

  function statusOf(f: Facility, now: number): FacilityStatus {
    const ledgers = new Map<string, UnitLedger>();
    for (const r of q.ledgers.all(f.id) as UnitStateRow[]) ledgers.set(r.unit, rowToLedger(r));
    const fs = q.facilityState.get(f.id) as { last_received_at: number; last_seq: number } | undefined;
    return buildStatus({
      facility: f,
      ledgers,
      today: today(f, now),
      lastAcceptedAt: fs?.last_received_at ?? null,
      // The facility's own latest seq: the status reflects every event up to it.
      asOfSeq: fs?.last_seq ?? 0,
      now,
    });
  }

  const ticker = (limit: number) => (q.latest.all(limit) as EventRow[]).map(rowToTicker);

  return {
    countEvents: snapshot(() => q.count.get() as number),

    facilityStatus: snapshot((facilityId: string, now: number) => {
      const f = registry.byId.get(facilityId);
      return f ? statusOf(f, now) : undefined;
    }),

    board: snapshot((now: number, tickerLength: number) => ({
      seq: q.lastSeq.get() as number,
      facilities: registry.facilities.map((f) => statusOf(f, now)),
      ticker: ticker(tickerLength),
    })),

    trend: snapshot((facilityId: string, now: number, hours: number = 24) => {
      const f = registry.byId.get(facilityId);
      if (!f) return [];
      catchUp();
      // Ends of the last `hours` local clock hours (an hour ends where the next one starts), then now.
      const ends: number[] = [];
      let end = hourStart(now, f.timeZone);
      for (let h = 0; h < hours; h++) {
        ends.unshift(end);
        end = hourStart(end - 1, f.timeZone);
      }
      const instants = [...ends, now];
      const occupied = occupiedAt(f, instants);
      return instants.map((t, i) => ({ t, occupied: occupied[i] ?? 0 }));
    }),

    changesSince: snapshot((seq: number, now: number, maxEvents: number = 5000) => {
      const last = q.lastSeq.get() as number;
      // Behind by too much (a patch would be huge), or ahead of us (the database was replaced).
      if (last - seq > maxEvents || seq > last) return null;
      const touched = new Set(q.touched.all(seq) as string[]);
      return {
        seq: last,
        facilities: registry.facilities.filter((f) => touched.has(f.id)).map((f) => statusOf(f, now)),
        ticker: (q.latestSince.all(seq, TICKER_LENGTH) as EventRow[]).map(rowToTicker),
      };
    }),
  };
}
