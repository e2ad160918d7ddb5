import type { AcceptedEvent, FacilityEvent, TickerLine } from "@carewatch/domain";
import type { CommittedEvent } from "./types.js";

/** A row of the `events` table. */
export interface EventRow {
  seq: number;
  facility_id: string;
  event_id: string;
  type: string;
  unit: string | null;
  occurred_at: string;
  occurred_at_ms: number;
  received_at_ms: number;
  delta: number;
  body: string;
}

export const EVENT_COLUMNS = "seq, facility_id, event_id, type, unit, occurred_at, occurred_at_ms, received_at_ms, delta, body";

/** The body is the canonical JSON of a validated event, so parsing it gives the event back. */
export function rowToCommitted(row: EventRow): CommittedEvent {
  return {
    event: JSON.parse(row.body) as FacilityEvent,
    occurredAtMs: row.occurred_at_ms,
    seq: row.seq,
    facilityId: row.facility_id,
    receivedAt: row.received_at_ms,
  };
}

export function rowToAccepted(row: Pick<EventRow, "body" | "occurred_at_ms">): AcceptedEvent {
  return { event: JSON.parse(row.body) as FacilityEvent, occurredAtMs: row.occurred_at_ms };
}

/**
 * The ticker's summary of an event: counts and the enumerated labels only. Anything free-form
 * or identifying (event_id, referral_id) stays out; `destination` is a facility name.
 */
export function tickerDetail(e: FacilityEvent): Record<string, string | number> {
  const d: Record<string, string | number> = {};
  switch (e.type) {
    case "census":
      d.occupied = e.occupied;
      if (e.capacity !== undefined) d.capacity = e.capacity;
      break;
    case "admission":
      d.count = e.count;
      if (e.cohort !== undefined) d.cohort = e.cohort;
      break;
    case "discharge":
      d.count = e.count;
      if (e.outcome !== undefined) d.outcome = e.outcome;
      break;
    case "treatment":
      d.category = e.category;
      d.count = e.count;
      break;
    case "referral":
      d.status = e.status;
      if (e.urgency !== undefined) d.urgency = e.urgency;
      d.destination = e.destination;
      break;
  }
  return d;
}

export function rowToTicker(row: EventRow): TickerLine {
  const e = JSON.parse(row.body) as FacilityEvent;
  return {
    seq: row.seq,
    facility_id: row.facility_id,
    type: e.type,
    detail: tickerDetail(e),
    unit: row.unit,
    occurred_at: row.occurred_at,
    received_at: row.received_at_ms,
  };
}
