import type { EventType } from "./events.js";
import type { FacilityStatus } from "./status-schema.js";

/**
 * The live protocol shared by the server's hub and the web app (one typed event map).
 * Every patch carries the `seq` of the last event it reflects. Socket.IO delivers at most once,
 * so a client that sees `fromSeq` beyond its own `seq` (a gap), or reconnects, asks tRPC for
 * what it missed and converges.
 */
export interface TickerLine {
  seq: number;
  facility_id: string;
  type: EventType;
  /** Compact, personal-data-free summary: e.g. { count: 3, cohort: "voluntary" } or { status: "accepted" }. */
  detail: Record<string, string | number>;
  unit: string | null;
  occurred_at: string;
  received_at: number;
}

/** One point of a facility's occupancy trend: occupied at the end of a local clock hour. */
export interface TrendPoint {
  t: number;
  occupied: number;
}

export interface StatusPatch {
  /** The board's seq before this patch; a client whose seq is lower missed something. */
  fromSeq: number;
  /** The seq after this patch. */
  seq: number;
  facilities: FacilityStatus[];
  ticker: TickerLine[];
}

export interface Heartbeat {
  seq: number;
  serverTime: number;
  buildId: string;
}

export interface BoardSnapshot {
  seq: number;
  serverTime: number;
  buildId: string;
  provinces: { id: string; name: string }[];
  facilities: FacilityStatus[];
  ticker: TickerLine[];
  /** Last 24 local hours of occupancy per facility. */
  trends: Record<string, TrendPoint[]>;
}

export interface ServerToClientEvents {
  patch: (p: StatusPatch) => void;
  heartbeat: (h: Heartbeat) => void;
  /** The display's token was revoked: show the refusal and stop. */
  revoked: () => void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ClientToServerEvents {}

/** How often the hub says "still here" (a quiet board shows "live as of"). */
export const HEARTBEAT_MS = 2_000;
/** Displays see at most one patch per window (10 a second is plenty for a person); the final state always follows. */
export const COALESCE_MS = 100;
export const TICKER_LENGTH = 30;
