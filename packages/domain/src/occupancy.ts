import type { AcceptedEvent } from "./validate.js";

/**
 * The census rule (contract, "Meaning of the numbers"): occupied now = the latest census's
 * `occupied` plus admissions minus discharges that occurred strictly after it. The latest
 * census is the greatest (occurred_at, event_id) in byte order. If discharges would take the
 * count below zero it shows 0 and the status is `inconsistent` until the next census.
 *
 * "Would take the count below zero" is read in time order: walking the movements after the
 * census by occurred_at (movements at the same instant taken together, since their order is
 * unknown), the running count dips below zero somewhere. So the flag stays even when later
 * admissions bring the total back up — only a census clears it. Everything here depends only on
 * the set of events, never on their arrival order.
 *
 * A unit's ledger is everything the rule needs, small enough to keep per unit in a projection
 * row and update in O(1) for a movement in time order (the usual case). A newer census, or a
 * movement earlier than the latest one (a late event), recomputes from the movements after the
 * census, which the caller supplies (the store from its log).
 */
export interface CensusMark {
  at: number;
  eventId: string;
}

/** A head-count change at an instant: +admissions, −discharges. */
export interface Movement {
  at: number;
  delta: number;
}

export interface UnitLedger {
  census: (CensusMark & { occupied: number }) | null;
  /** Admissions minus discharges strictly after the census (all of them when there is none). */
  netAfter: number;
  /** Lowest running total of those movements in time order (same instant together); ≤ 0. */
  lowWater: number;
  /** The same, over the instants before the latest movement's (lets same-instant movements stay O(1)). */
  lowBeforeLast: number;
  /** Instant of the latest movement after the census; null when there is none. */
  lastMovementAt: number | null;
  /** The latest census that carried a capacity, which overrides the configured one. */
  capacity: (CensusMark & { value: number }) | null;
}

export const EMPTY_LEDGER: UnitLedger = { census: null, netAfter: 0, lowWater: 0, lowBeforeLast: 0, lastMovementAt: null, capacity: null };

/** True when census mark `a` supersedes `b` (later instant; same instant: greater event_id, byte order). */
export function censusSupersedes(a: CensusMark, b: CensusMark | null): boolean {
  if (b === null) return true;
  if (a.at !== b.at) return a.at > b.at;
  // event_id is restricted to ASCII, where UTF-16 code unit order is byte order.
  return a.eventId > b.eventId;
}

/** Signed change in head count of an event: +count for admissions, −count for discharges, else 0. */
export function movement(e: AcceptedEvent): number {
  if (e.event.type === "admission") return e.event.count;
  if (e.event.type === "discharge") return -e.event.count;
  return 0;
}

/** Does a movement at `at` count on top of the ledger's census? ("After" means strictly later.) */
export function countsAfterCensus(ledger: UnitLedger, at: number): boolean {
  return ledger.census === null || at > ledger.census.at;
}

type MovementSummary = Pick<UnitLedger, "netAfter" | "lowWater" | "lowBeforeLast" | "lastMovementAt">;

/** Net, low-water marks and latest instant of a set of movements, in any order. */
export function summarizeMovements(moves: readonly Movement[]): MovementSummary {
  const byInstant = new Map<number, number>();
  for (const m of moves) if (m.delta !== 0) byInstant.set(m.at, (byInstant.get(m.at) ?? 0) + m.delta);
  const instants = [...byInstant.keys()].sort((a, b) => a - b);
  let net = 0;
  let low = 0;
  let lowBeforeLast = 0;
  for (const at of instants) {
    lowBeforeLast = low;
    net += byInstant.get(at)!;
    low = Math.min(low, net);
  }
  return { netAfter: net, lowWater: low, lowBeforeLast, lastMovementAt: instants.length ? instants[instants.length - 1]! : null };
}

/**
 * Apply one event to a ledger. `movementsAfter(at)` gives every movement of the unit known so
 * far — this event included — that occurred strictly after `at`; it is called only for a newer
 * census or a late movement.
 */
export function applyToLedger(ledger: UnitLedger, e: AcceptedEvent, movementsAfter: (at: number) => readonly Movement[]): UnitLedger {
  const ev = e.event;
  if (ev.type === "census") {
    const mark = { at: e.occurredAtMs, eventId: ev.event_id };
    let next = ledger;
    if (censusSupersedes(mark, ledger.census)) {
      next = { ...next, census: { ...mark, occupied: ev.occupied }, ...summarizeMovements(movementsAfter(mark.at)) };
    }
    if (ev.capacity !== undefined && censusSupersedes(mark, ledger.capacity)) {
      next = { ...next, capacity: { ...mark, value: ev.capacity } };
    }
    return next;
  }
  const delta = movement(e);
  const at = e.occurredAtMs;
  if (delta === 0 || !countsAfterCensus(ledger, at)) return ledger;
  const last = ledger.lastMovementAt;
  if (last === null || at > last) {
    const netAfter = ledger.netAfter + delta;
    return { ...ledger, netAfter, lowBeforeLast: ledger.lowWater, lowWater: Math.min(ledger.lowWater, netAfter), lastMovementAt: at };
  }
  if (at === last) {
    const netAfter = ledger.netAfter + delta;
    return { ...ledger, netAfter, lowWater: Math.min(ledger.lowBeforeLast, netAfter) };
  }
  // A late movement shifts every running total after it: recompute from the census.
  return { ...ledger, ...summarizeMovements(movementsAfter(ledger.census?.at ?? Number.NEGATIVE_INFINITY)) };
}

export interface UnitOccupancy {
  occupied: number;
  /** Discharges took the running count below zero since the latest census. */
  inconsistent: boolean;
}

/** Occupied head count of a ledger: never below 0; a dip below zero flags `inconsistent`. */
export function ledgerOccupancy(ledger: UnitLedger): UnitOccupancy {
  const base = ledger.census?.occupied ?? 0;
  return { occupied: Math.max(0, base + ledger.netAfter), inconsistent: base + ledger.lowWater < 0 };
}

/** Reference fold over a whole set of events of one unit (for rebuilds and property tests). */
export function foldLedger(events: readonly AcceptedEvent[]): UnitLedger {
  // The "log" at each step is the events folded so far plus the current one, as in the store.
  let ledger: UnitLedger = EMPTY_LEDGER;
  for (const [i, e] of events.entries()) {
    ledger = applyToLedger(ledger, e, (at) =>
      events
        .slice(0, i + 1)
        .filter((m) => m.occurredAtMs > at)
        .map((m) => ({ at: m.occurredAtMs, delta: movement(m) })),
    );
  }
  return ledger;
}
