import type { AcceptedEvent } from "./validate.js";

/**
 * The census rule (contract, "Meaning of the numbers"): occupied now = the latest census's
 * `occupied` plus admissions minus discharges that occurred strictly after it. The latest
 * census is the greatest (occurred_at, event_id) in byte order. The result depends only on the
 * set of events, never on their arrival order.
 *
 * A unit's ledger is everything the rule needs, small enough to keep per unit in a projection
 * row and update in O(1) per admission/discharge. A newer census resets `netAfter`, which the
 * store recomputes from the log's movements after it (`netAfterCensus`).
 */
export interface CensusMark {
  at: number;
  eventId: string;
}

export interface UnitLedger {
  census: (CensusMark & { occupied: number }) | null;
  /** Admissions minus discharges strictly after the census (all of them when there is none). */
  netAfter: number;
  /** The latest census that carried a capacity, which overrides the configured one. */
  capacity: (CensusMark & { value: number }) | null;
}

export const EMPTY_LEDGER: UnitLedger = { census: null, netAfter: 0, capacity: null };

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

/** Apply one event to a ledger. A newer census needs `netAfterCensus` of the movements after it. */
export function applyToLedger(ledger: UnitLedger, e: AcceptedEvent, netAfterCensus: (at: number) => number): UnitLedger {
  const ev = e.event;
  if (ev.type === "census") {
    const mark = { at: e.occurredAtMs, eventId: ev.event_id };
    let next = ledger;
    if (censusSupersedes(mark, ledger.census)) {
      next = { ...next, census: { ...mark, occupied: ev.occupied }, netAfter: netAfterCensus(mark.at) };
    }
    if (ev.capacity !== undefined && censusSupersedes(mark, ledger.capacity)) {
      next = { ...next, capacity: { ...mark, value: ev.capacity } };
    }
    return next;
  }
  const delta = movement(e);
  if (delta !== 0 && countsAfterCensus(ledger, e.occurredAtMs)) return { ...ledger, netAfter: ledger.netAfter + delta };
  return ledger;
}

export interface UnitOccupancy {
  occupied: number;
  /** Discharges took the count below zero since the latest census. */
  inconsistent: boolean;
}

/** Occupied head count of a ledger: never below 0; below-zero arithmetic flags `inconsistent`. */
export function ledgerOccupancy(ledger: UnitLedger): UnitOccupancy {
  const raw = (ledger.census?.occupied ?? 0) + ledger.netAfter;
  return { occupied: Math.max(0, raw), inconsistent: raw < 0 };
}

/** Reference fold over a whole set of events of one unit (for rebuilds and property tests). */
export function foldLedger(events: readonly AcceptedEvent[]): UnitLedger {
  // A census recomputes `netAfter` from the movements already folded in (the "log" so far);
  // movements folded in later add themselves. Counting over the whole set here would count a
  // later-folded movement twice and make the result depend on the order of `events`.
  let ledger: UnitLedger = EMPTY_LEDGER;
  for (const [i, e] of events.entries()) {
    ledger = applyToLedger(ledger, e, (at) => {
      let net = 0;
      for (let j = 0; j < i; j++) {
        const m = events[j]!;
        if (m.occurredAtMs > at) net += movement(m);
      }
      return net;
    });
  }
  return ledger;
}
