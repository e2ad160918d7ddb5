import type { Facility } from "@carewatch/domain";
import type postgres from "postgres";
import type { MovementIndexes } from "../movement-indexes.js";

/** A census as the reads of the past need it: its instant, event_id and figure (occupied, or the capacity it set). */
export interface CensusAt {
  at: number;
  eventId: string;
  value: number;
}

/**
 * The latest census at or before each of `instants`, per ledger key of the facility (its units,
 * or '' for a facility without units), in one statement: one seek of a partial index per (key,
 * instant), never a walk of the movements. `occupied`: any census (events_census); `capacity`:
 * the censuses that set one (events_capacity, whose predicate the statement repeats). Same
 * instant: the greater event_id (byte order, as SQLite compares). By key, then instant.
 */
export async function censusesAt(
  tx: postgres.TransactionSql,
  f: Facility,
  instants: readonly number[],
  figure: "occupied" | "capacity",
): Promise<Map<string, (CensusAt | null)[]>> {
  const out = new Map<string, (CensusAt | null)[]>();
  const keys = f.units.length > 0 ? f.units.map((u) => u.id) : [""];
  for (const k of keys)
    out.set(
      k,
      instants.map(() => null),
    );
  if (instants.length === 0) return out;
  const value = figure === "occupied" ? tx`(e.body::jsonb ->> 'occupied')::int` : tx`(e.body::jsonb ->> 'capacity')::int`;
  const sets = figure === "occupied" ? tx`TRUE` : tx`(e.body::jsonb ->> 'capacity') IS NOT NULL`;
  // A facility without units has its events at unit NULL; one with units, at the unit's id.
  // (`unit = u.key` and `unit IS NULL` both keep the index's leading columns usable.)
  const unit = f.units.length > 0 ? tx`e.unit = u.key` : tx`e.unit IS NULL`;
  const rows = await tx`SELECT u.key, t.i, c.at, c.event_id, c.value
      FROM unnest(${keys}::text[]) AS u(key)
      CROSS JOIN unnest(${instants as number[]}::bigint[]) WITH ORDINALITY AS t(at, i)
      CROSS JOIN LATERAL (
        SELECT e.occurred_at_ms AS at, e.event_id, ${value} AS value FROM events e
        WHERE e.facility_id = ${f.id} AND ${unit} AND e.type = 'census' AND ${sets} AND e.occurred_at_ms <= t.at
        ORDER BY e.occurred_at_ms DESC, e.event_id COLLATE "C" DESC LIMIT 1) c`;
  for (const r of rows) {
    const list = out.get(r.key as string);
    if (list) list[Number(r.i) - 1] = { at: Number(r.at), eventId: r.event_id as string, value: Number(r.value) };
  }
  return out;
}

/**
 * Occupied at given instants (the PostgreSQL side of occupied-at.ts): the latest census at or
 * before each instant plus the net of the movements after it from the unit's in-memory movement
 * index — bounded work per instant however long the history. Call inside `ctx.snapshot`, whose
 * catch-up has brought the indexes to the transaction's view of the log. Occupied only.
 */
export function createPgOccupiedAt(indexes: MovementIndexes) {
  /** The facility's occupied (sum over its units) at each of `instants`. */
  return async function occupiedAt(tx: postgres.TransactionSql, f: Facility, instants: readonly number[]): Promise<number[]> {
    const sums = instants.map(() => 0);
    for (const [key, censuses] of await censusesAt(tx, f, instants, "occupied")) {
      const movements = indexes.get(f.id, key);
      instants.forEach((t, i) => {
        const census = censuses[i];
        const from = census?.at ?? Number.NEGATIVE_INFINITY;
        sums[i] = (sums[i] ?? 0) + Math.max(0, (census?.value ?? 0) + movements.spanBetween(from, t).sum);
      });
    }
    return sums;
  };
}

export type PgOccupiedAt = ReturnType<typeof createPgOccupiedAt>;
