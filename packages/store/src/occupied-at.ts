import type { Facility } from "@carewatch/domain";
import type Database from "better-sqlite3";
import type { MovementIndexes } from "./movement-indexes.js";
import { ledgerKey, unitColumn } from "./projections.js";

/** The ledger keys of a facility: its units, or the one key of a facility without units. */
export function ledgerKeysOf(f: Facility): string[] {
  return f.units.length > 0 ? f.units.map((u) => u.id) : [ledgerKey(undefined)];
}

/**
 * Occupied at given instants, from the latest census at or before each instant (partial index
 * events_census) plus the net of the movements after it from the unit's in-memory movement
 * index: bounded work per instant however long the history. Call inside a read transaction,
 * after the indexes have caught up with the log. Occupied only (no flag): what trends, "as of"
 * charts and plan metrics need.
 */
export function createOccupiedAt(db: Database.Database, indexes: MovementIndexes) {
  // The latest census at or before an instant; same instant: greater event_id.
  const censusAt = db.prepare(`SELECT occurred_at_ms AS at, json_extract(body, '$.occupied') AS occupied FROM events
      WHERE facility_id = ? AND unit IS ? AND type = 'census' AND occurred_at_ms <= ?
      ORDER BY occurred_at_ms DESC, event_id DESC LIMIT 1`);

  function unitOccupiedAt(f: Facility, key: string, instants: readonly number[]): number[] {
    const movements = indexes.get(f.id, key);
    return instants.map((t) => {
      const census = censusAt.get(f.id, unitColumn(key), t) as { at: number; occupied: number } | undefined;
      const from = census?.at ?? Number.NEGATIVE_INFINITY;
      return Math.max(0, (census?.occupied ?? 0) + movements.spanBetween(from, t).sum);
    });
  }

  /** The facility's occupied (sum over its units) at each of `instants`. */
  return function occupiedAt(f: Facility, instants: readonly number[]): number[] {
    const sums = instants.map(() => 0);
    for (const key of ledgerKeysOf(f)) unitOccupiedAt(f, key, instants).forEach((n, i) => (sums[i] = (sums[i] ?? 0) + n));
    return sums;
  };
}

export type OccupiedAt = ReturnType<typeof createOccupiedAt>;
