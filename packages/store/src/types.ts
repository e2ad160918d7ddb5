import type {
  AcceptedEvent,
  FacilityStatus,
  Registry,
  TickerLine,
  TrendPoint,
} from "@carewatch/domain";

/**
 * The store's contract with the rest of carewatch. better-sqlite3 implements it now; a
 * PostgreSQL store can implement the same interface later without touching domain or web.
 */

/** One event as committed to the log. */
export interface CommittedEvent extends AcceptedEvent {
  seq: number;
  facilityId: string;
  receivedAt: number;
}

export interface AppendRequest {
  /** The authenticated key's facility; every event in the request belongs to it (checked by the caller). */
  facilityId: string;
  events: AcceptedEvent[];
  receivedAt: number;
}

export interface AppendResult {
  event_id: string;
  status: "accepted" | "duplicate";
  seq: number;
}

export interface Conflict {
  /** Index of the event in the request. */
  index: number;
  event_id: string;
  message: string;
}

/** All or nothing: either every event is accepted/duplicate, or nothing was stored. */
export type AppendOutcome =
  | { ok: true; results: AppendResult[]; accepted: number; duplicates: number }
  | { ok: false; conflicts: Conflict[] };

export interface KeyInfo {
  id: string;
  facilityId: string;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export type KeyCheck =
  | { ok: true; keyId: string; facilityId: string }
  | { ok: false; reason: "unknown" | "revoked" };

export interface DisplayInfo {
  id: string;
  name: string;
  createdAt: number;
  revokedAt: number | null;
}

/** What changed since a client's seq: the statuses of the facilities touched, and the ticker lines. */
export interface ChangesSince {
  seq: number;
  facilities: FacilityStatus[];
  ticker: TickerLine[];
}

export interface RebuildReport {
  events: number;
  /** Human-readable differences between the stored projections and a fresh replay of the log. */
  differences: string[];
  millis: number;
}

export type CommitListener = (events: CommittedEvent[]) => void;

export interface Store {
  readonly registry: Registry;
  /** Durably append (one transaction, projections included). Synchronous; see GroupCommitter for batching requests. */
  append(req: AppendRequest): AppendOutcome;
  /** Run several appends in one transaction (group commit); each is all-or-nothing on its own. */
  appendMany(reqs: AppendRequest[]): AppendOutcome[];
  /** Called after each commit with the events it added, in seq order. */
  onCommit(listener: CommitListener): () => void;

  lastSeq(): number;
  facilityStatus(facilityId: string, now: number): FacilityStatus | undefined;
  boardStatuses(now: number): FacilityStatus[];
  /** Occupied at the end of each of the last `hours` local hours, plus `now`. */
  trend(facilityId: string, now: number, hours?: number): TrendPoint[];
  ticker(limit: number): TickerLine[];
  /** Null when `seq` is too far behind to patch (the client should take a snapshot). */
  changesSince(seq: number, now: number, maxEvents?: number): ChangesSince | null;
  eventsSince(seq: number, limit: number): CommittedEvent[];
  countEvents(): number;

  createKey(facilityId: string, now: number): { id: string; key: string };
  listKeys(): KeyInfo[];
  revokeKey(id: string, now: number): boolean;
  checkKey(key: string, now: number): KeyCheck;

  createDisplay(name: string, now: number): { id: string; token: string };
  listDisplays(): DisplayInfo[];
  revokeDisplay(id: string, now: number): boolean;
  checkDisplay(token: string): DisplayInfo | null;

  /** Recompute every projection from the log, report differences, and keep the recomputed ones. */
  rebuild(onProgress?: (done: number, total: number) => void): RebuildReport;
  /** True once the database is open and migrations are applied. */
  ready(): boolean;
  close(): void;
}
