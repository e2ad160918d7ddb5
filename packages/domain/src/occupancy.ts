import { SpanIndex, type Span } from "./span-index.js";
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
 * A unit's ledger holds the census, the capacity override and the span (net and low-water mark)
 * of the movements after the census. The span comes from the unit's SpanIndex (span-index.ts),
 * which answers it in bounded work however long the history and however late the movement; the
 * store keeps one per unit and passes the span in.
 */
export interface CensusMark {
  at: number;
  eventId: string;
}

export interface UnitLedger {
  census: (CensusMark & { occupied: number }) | null;
  /** Admissions minus discharges strictly after the census (all of them when there is none). */
  netAfter: number;
  /** Lowest running total of those movements in time order (same instant together); ≤ 0. */
  lowWater: number;
  /** The latest census that carried a capacity, which overrides the configured one. */
  capacity: (CensusMark & { value: number }) | null;
}

export const EMPTY_LEDGER: UnitLedger = { census: null, netAfter: 0, lowWater: 0, capacity: null };

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

/** The instant after which movements count: the census's, or −Infinity (all of them) without one. */
export function countedAfter(ledger: UnitLedger): number {
  return ledger.census?.at ?? Number.NEGATIVE_INFINITY;
}

/**
 * A census's effect on the ledger's census and capacity marks. When the census mark moves, the
 * span must be settled again (`settleLedger`) from the tree at the new mark.
 */
export function withCensus(ledger: UnitLedger, e: AcceptedEvent): UnitLedger {
  const ev = e.event;
  if (ev.type !== "census") return ledger;
  const mark = { at: e.occurredAtMs, eventId: ev.event_id };
  let next = ledger;
  if (censusSupersedes(mark, ledger.census)) next = { ...next, census: { ...mark, occupied: ev.occupied } };
  if (ev.capacity !== undefined && censusSupersedes(mark, ledger.capacity)) next = { ...next, capacity: { ...mark, value: ev.capacity } };
  return next;
}

/** The ledger with the span of the movements after its census (from `spanBetweenInstants`). */
export function settleLedger(ledger: UnitLedger, after: Span): UnitLedger {
  return { ...ledger, netAfter: after.sum, lowWater: Math.min(0, after.min) };
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

/** One unit's ledger and movements in memory: the store's projection step without the storage. */
export class UnitFold {
  ledger: UnitLedger = EMPTY_LEDGER;
  readonly movements = new SpanIndex();

  apply(e: AcceptedEvent): this {
    if (e.event.type === "census") this.ledger = withCensus(this.ledger, e);
    const delta = movement(e);
    if (delta !== 0) this.movements.add(e.occurredAtMs, delta);
    return this;
  }

  settled(): UnitLedger {
    return settleLedger(this.ledger, this.movements.spanBetween(countedAfter(this.ledger), Number.POSITIVE_INFINITY));
  }
}

/** The ledger of a set of events of one unit, in any order. */
export function foldLedger(events: readonly AcceptedEvent[]): UnitLedger {
  const fold = new UnitFold();
  for (const e of events) fold.apply(e);
  return fold.settled();
}
