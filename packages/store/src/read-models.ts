import {
  applyToLedger,
  facilityStatus as buildStatus,
  hourStart,
  isReferralOpen,
  ledgerOccupancy,
  localDay,
  movement,
  TICKER_LENGTH,
  type AcceptedEvent,
  type Facility,
  type FacilityStatus,
  type ReferralStatus,
  type Registry,
  type TodayCounts,
  type TreatmentCategory,
  type UnitLedger,
  EMPTY_LEDGER,
  summarizeMovements,
  type Movement,
} from "@carewatch/domain";
import type Database from "better-sqlite3";
import { EVENT_COLUMNS, rowToAccepted, rowToCommitted, rowToTicker, type EventRow } from "./event-rows.js";
import { ledgerKey, rowToLedger, unitColumn, type UnitStateRow } from "./projections.js";
import type { Store } from "./types.js";

/** The Store's read half (one declaration: the Store interface). */
export type ReadModels = Pick<
  Store,
  "lastSeq" | "countEvents" | "facilityStatus" | "boardStatuses" | "trend" | "ticker" | "changesSince" | "eventsSince"
>;

export function createReadModels(db: Database.Database, registry: Registry): ReadModels {
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
    since: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ?`),
    // Trend, per unit: the censuses at the latest census instant ≤ T (usually one row) …
    censusesAtLatest: db.prepare(`SELECT body, occurred_at_ms FROM events
        WHERE facility_id = @f AND unit IS @u AND type = 'census' AND occurred_at_ms = (
          SELECT occurred_at_ms FROM events
          WHERE facility_id = @f AND unit IS @u AND type = 'census' AND occurred_at_ms <= @t
          ORDER BY occurred_at_ms DESC LIMIT 1)`),
    // … the movements in (from, to] …
    movementSum: db.prepare(`SELECT COALESCE(SUM(delta), 0) FROM events
        WHERE facility_id = ? AND unit IS ? AND occurred_at_ms > ? AND occurred_at_ms <= ?`).pluck(),
    // … and every census or movement inside the chart window, in time order.
    window: db.prepare(`SELECT body, occurred_at_ms FROM events
        WHERE facility_id = ? AND unit IS ? AND occurred_at_ms > ? AND occurred_at_ms <= ?
          AND (type = 'census' OR delta <> 0)
        ORDER BY occurred_at_ms, event_id`),
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

  /**
   * Occupied of one unit as of each instant (ascending), from the log alone: the ledger as of the
   * first instant (latest census ≤ it, plus movements after that census up to it), then the
   * window's events folded in time order with the domain's applyToLedger.
   */
  function unitTrend(f: Facility, key: string, instants: number[]): number[] {
    const unit = unitColumn(key);
    const first = instants[0] ?? 0;
    let ledger: UnitLedger = EMPTY_LEDGER;
    // Movements between the base census (or the beginning) and the first instant only matter as
    // a sum here (a trend shows occupied, not the flag): one synthetic movement at `first`.
    const baseMovement = (from: number): Movement[] => {
      const delta = q.movementSum.get(f.id, unit, from, first) as number;
      return delta !== 0 ? [{ at: first, delta }] : [];
    };
    const base = (q.censusesAtLatest.all({ f: f.id, u: unit, t: first }) as { body: string; occurred_at_ms: number }[]).map(rowToAccepted);
    for (const c of base) ledger = applyToLedger(ledger, c, baseMovement);
    if (ledger.census === null) ledger = { ...ledger, ...summarizeMovements(baseMovement(-8.64e15)) };

    const window = (q.window.all(f.id, unit, first, instants[instants.length - 1] ?? first) as { body: string; occurred_at_ms: number }[]).map(rowToAccepted);
    // Folded in time order, so only a census inside the window asks for movements after it,
    // and those are all in the window (after `first`).
    const known: Movement[] = [];
    const after = (at: number): Movement[] => known.filter((m) => m.at > at);
    const out: number[] = [];
    let i = 0;
    for (const t of instants) {
      while (i < window.length && (window[i]?.occurredAtMs ?? Infinity) <= t) {
        const e = window[i++] as AcceptedEvent;
        if (movement(e) !== 0) known.push({ at: e.occurredAtMs, delta: movement(e) });
        ledger = applyToLedger(ledger, e, after);
      }
      out.push(ledgerOccupancy(ledger).occupied);
    }
    return out;
  }

  return {
    lastSeq: () => q.lastSeq.get() as number,
    countEvents: () => q.count.get() as number,

    facilityStatus(facilityId, now) {
      const f = registry.byId.get(facilityId);
      return f ? statusOf(f, now) : undefined;
    },

    boardStatuses(now) {
      return registry.facilities.map((f) => statusOf(f, now));
    },

    trend(facilityId, now, hours = 24) {
      const f = registry.byId.get(facilityId);
      if (!f) return [];
      // Ends of the last `hours` local clock hours (an hour ends where the next one starts), then now.
      const ends: number[] = [];
      let end = hourStart(now, f.timeZone);
      for (let h = 0; h < hours; h++) {
        ends.unshift(end);
        end = hourStart(end - 1, f.timeZone);
      }
      const instants = [...ends, now];
      const keys = f.units.length > 0 ? f.units.map((u) => u.id) : [ledgerKey(undefined)];
      const sums = instants.map(() => 0);
      for (const key of keys) unitTrend(f, key, instants).forEach((n, i) => (sums[i] = (sums[i] ?? 0) + n));
      return instants.map((t, i) => ({ t, occupied: sums[i] ?? 0 }));
    },

    ticker(limit) {
      return (q.latest.all(limit) as EventRow[]).map(rowToTicker);
    },

    changesSince(seq, now, maxEvents = 5000) {
      const last = q.lastSeq.get() as number;
      // Behind by too much (a patch would be huge), or ahead of us (the database was replaced).
      if (last - seq > maxEvents || seq > last) return null;
      const touched = new Set(q.touched.all(seq) as string[]);
      return {
        seq: last,
        facilities: registry.facilities.filter((f) => touched.has(f.id)).map((f) => statusOf(f, now)),
        ticker: (q.latestSince.all(seq, TICKER_LENGTH) as EventRow[]).map(rowToTicker),
      };
    },

    eventsSince(seq, limit) {
      return (q.since.all(seq, limit) as EventRow[]).map(rowToCommitted);
    },
  };
}
