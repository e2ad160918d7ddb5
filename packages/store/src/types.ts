import type {
  AcceptedEvent,
  DisplayPrincipal,
  FacilityAsOf,
  FacilityEvents,
  FacilityHistory,
  FacilityKeyPrincipal,
  FacilityStatus,
  HistoryRange,
  ReportDay,
  ReferralStatus,
  REFERRAL_URGENCIES,
  Registry,
  Role,
  TickerLine,
  TrendPoint,
  UserPrincipal,
} from "@carewatch/domain";
import type { AssessmentRecord, FacilityYearFacts, PlanSource, Target, TargetsDocument } from "@carewatch/domain";

/**
 * The store's contract with the rest of carewatch, as async ports an engine with an async
 * driver and several writers can implement: the SQLite engine (better-sqlite3, one writer) now,
 * PostgreSQL next. `conformance/` holds the rules every engine must pass.
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
export type AppendOutcome = { ok: true; results: AppendResult[]; accepted: number; duplicates: number } | { ok: false; conflicts: Conflict[] };

/**
 * The event log. `seq` is server-wide and in commit order for every reader: once a reader has
 * seen seq N committed, no event with a seq ≤ N is committed after it (SQLite: one writer and
 * rowid order; an engine with several writers must serialise the append to keep this).
 */
export interface EventLog {
  /**
   * Durably append a group of requests in one transaction (one fsync), each all-or-nothing on
   * its own: a conflict in one request never touches another. Resolves after COMMIT.
   */
  append(reqs: readonly AppendRequest[]): Promise<AppendOutcome[]>;
  lastSeq(): Promise<number>;
  /**
   * The stored bodies (`canonicalEvent`) of those of `eventIds` already in `facilityId`'s log, by
   * event_id: lets a caller find an id reused with a different body before it appends.
   */
  bodiesOf(facilityId: string, eventIds: readonly string[]): Promise<Map<string, string>>;
  /** Committed events with seq > `afterSeq`, ascending, at most `limit`. */
  readFrom(afterSeq: number, limit: number): Promise<CommittedEvent[]>;
  /**
   * Calls `onGrown` soon after the log may have grown — a commit by this process at once, a
   * commit by any other process within a poll interval. The caller reads from its own seq.
   */
  watch(onGrown: () => void): () => void;
}

/** What changed since a client's seq: the statuses of the facilities touched, and the ticker lines. */
export interface ChangesSince {
  seq: number;
  facilities: FacilityStatus[];
  ticker: TickerLine[];
}

/** The whole board at one seq. */
export interface BoardSnapshot {
  seq: number;
  facilities: FacilityStatus[];
  ticker: TickerLine[];
}

/** Read models. Each answer comes from one consistent snapshot of the store: it never mixes two states. */
export interface ReadModels {
  board(now: number, tickerLength: number): Promise<BoardSnapshot>;
  facilityStatus(facilityId: string, now: number): Promise<FacilityStatus | undefined>;
  /** Occupied at the end of each of the last `hours` local hours, plus `now`. */
  trend(facilityId: string, now: number, hours?: number): Promise<TrendPoint[]>;
  /** Null when `seq` is too far behind to patch, or ahead of the log (the client should take a snapshot). */
  changesSince(seq: number, now: number, maxEvents?: number): Promise<ChangesSince | null>;
  countEvents(): Promise<number>;
}

/** Reads of the past (issue 8), from projections, rollups and the movement indexes; one snapshot per answer. */
export interface PastReads {
  /** Referral moves, ordered by facility, referral, at, event_id. */
  referralSteps(filter: ReferralStepFilter): Promise<ReferralStep[]>;
  /** Per bucket of the range (domain historyBuckets): occupied, capacity and level at its end, its counts. Undefined for an unknown facility. */
  history(facilityId: string, range: HistoryRange, now: number): Promise<FacilityHistory | undefined>;
  /** The same points for given local days (a report's month), those begun by `now`, each with its day. Undefined for an unknown facility. */
  days(facilityId: string, days: readonly string[], now: number): Promise<ReportDay[] | undefined>;
  /** The facility exactly as it stood at `at`, from the events with occurred_at ≤ at. Undefined for an unknown facility. */
  asOf(facilityId: string, at: number): Promise<FacilityAsOf | undefined>;
  /** The facility's events with from ≤ occurred_at < to, oldest first, at most `limit` (default 200), and their total. */
  eventsBetween(facilityId: string, from: number, to: number, limit?: number): Promise<FacilityEvents | undefined>;
}

export type ReferralUrgency = (typeof REFERRAL_URGENCIES)[number];

/** One real move of a referral (a repeated status is not one), from the `referral_steps` projection. */
export interface ReferralStep {
  facilityId: string;
  referralId: string;
  status: ReferralStatus;
  destination: string;
  /** As sent with this move; null when the move did not say (the referral keeps an earlier one). */
  urgency: ReferralUrgency | null;
  /** occurred_at of the move (ms). */
  at: number;
  eventId: string;
  seq: number;
}

export interface ReferralStepFilter {
  /** Only these facilities (an empty list matches none); every facility when absent. */
  facilityIds?: string[];
  /** at >= from (ms). */
  from?: number;
  /** at < to (ms). */
  to?: number;
  referralId?: string;
}

/** The referrals of /referrals with their steps (issue 8, `referral-reads.ts`); one snapshot per answer. */
export interface ReferralReads {
  referralRecords(filter: ReferralRecordFilter): Promise<ReferralRecords>;
  /** What counts need: every open referral that matches (whenever begun) with its steps, and the closed ones begun in the period tallied by facility and destination. */
  referralCountInputs(filter: ReferralCountFilter): Promise<ReferralCountInputs>;
}

export type ReferralCountFilter = Pick<ReferralRecordFilter, "facilityIds" | "destination" | "urgency" | "from" | "to">;

export interface ReferralCountInputs {
  open: ReferralRecords["referrals"];
  closedBegun: { facilityId: string; destination: string; count: number }[];
}

export interface ReferralRecordFilter {
  /** Only these facilities (an empty list matches none); every facility when absent. */
  facilityIds?: string[];
  /** The referral's current destination, exactly. */
  destination?: string;
  /** The referral's latest urgency given; a referral that never gave one matches none. */
  urgency?: ReferralUrgency;
  state: "open" | "closed" | "all";
  /** Bounds on when the referral began (its first step's occurred_at): from ≤ opened < to. */
  from?: number;
  to?: number;
  /** Open referrals whenever they began (from/to then bound the closed ones only). */
  openWhenever?: boolean;
  /** Only referrals begun before this instant (ms): the ones old enough to be overdue. */
  openedBefore?: number;
  /** At most this many closed referrals, newest first (default 500). Every open one that matches is returned. */
  closedLimit?: number;
}

export interface ReferralRecords {
  /** Each referral with its real moves in commit order. */
  referrals: { facilityId: string; referralId: string; steps: ReferralStep[] }[];
  /** More closed referrals matched than `closedLimit`. */
  closedTruncated: boolean;
}

export interface KeyInfo {
  id: string;
  facilityId: string;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface DisplayInfo {
  id: string;
  name: string;
  /** Empty = every province. */
  provinces: string[];
  createdAt: number;
  revokedAt: number | null;
}

export type KeyCheck = { ok: true; principal: FacilityKeyPrincipal } | { ok: false; reason: "unknown" | "revoked" };

export interface NewUser {
  /** Stored trimmed and lower-cased: logins match it whatever the case typed. */
  email: string;
  role: Role;
  /** A manager's provinces (empty = every province); must be empty for the other roles. */
  provinces: string[];
  /** Required for role `facility`, null for the others. */
  facilityId: string | null;
}

export interface UserInfo {
  id: string;
  email: string;
  role: Role;
  provinces: string[];
  facilityId: string | null;
  createdAt: number;
  disabledAt: number | null;
  /** False until an invitation is accepted (or a password set from the CLI). */
  hasPassword: boolean;
}

/** What a login needs to check a password; the caller verifies the hash (argon2id). */
export interface LoginRecord {
  userId: string;
  passwordHash: string | null;
  disabled: boolean;
}

/** How long a session lives: since it was last seen, and since it began. */
export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
}

/**
 * Accounts: users, their sessions and invitations. Secrets (session and invitation tokens) are
 * stored as sha256 only; the password hash comes in already hashed (argon2id, by the server).
 */
export interface Accounts {
  /** Throws a clear Error on a duplicate email, an unknown role, facility or province, or a facility given to (or missing from) the wrong role. */
  createUser(user: NewUser, now: number): Promise<{ id: string }>;
  /** Every user, in creation order. */
  listUsers(): Promise<UserInfo[]>;
  /** By email (any case); null when there is no such user. */
  findLogin(email: string): Promise<LoginRecord | null>;
  /** Throws when the user does not exist. */
  setPassword(userId: string, passwordHash: string): Promise<void>;
  /** True when the user was enabled and is now disabled; every session of theirs ends in the same transaction. */
  disableUser(email: string, now: number): Promise<boolean>;
  /** A one-time `cwi_…` token valid for `ttlMs`. Throws when the user does not exist. */
  createInvitation(userId: string, now: number, ttlMs: number): Promise<{ token: string }>;
  /** The invited user's id, once: null when unknown, used, expired, or the user is disabled. */
  redeemInvitation(token: string, now: number): Promise<string | null>;
  /** A new `cws_…` session token. Throws when the user does not exist or is disabled. */
  createSession(userId: string, now: number): Promise<{ token: string; sessionId: string }>;
  /**
   * The session's user, or null when the token is unknown, the session ended, was idle for
   * `idleMs` or more, began `absoluteMs` or more ago, or the user is disabled. Records the visit
   * (last_seen_at) at most once a minute, so idleness is measured to within a minute.
   */
  authenticateSession(token: string, now: number, limits: SessionLimits): Promise<UserPrincipal | null>;
  /** True when a session was open and is now ended. */
  endSession(token: string, now: number): Promise<boolean>;
  /** Ends every open session of the user; how many were open. */
  endAllSessions(userId: string, now: number): Promise<number>;
}

/** Credentials: secrets in, one `Principal` out (REST, tRPC and the socket all ask here). */
export interface Credentials extends Accounts {
  createKey(facilityId: string, now: number): Promise<{ id: string; key: string }>;
  listKeys(): Promise<KeyInfo[]>;
  revokeKey(id: string, now: number): Promise<boolean>;
  authenticateKey(key: string, now: number): Promise<KeyCheck>;

  /** `provinces` scopes the board (default: every province); throws on an unknown province. */
  createDisplay(name: string, now: number, provinces?: string[]): Promise<{ id: string; token: string }>;
  listDisplays(): Promise<DisplayInfo[]>;
  revokeDisplay(id: string, now: number): Promise<boolean>;
  /** Null when the token is unknown or revoked. */
  authenticateDisplay(token: string): Promise<DisplayPrincipal | null>;
}

/** Who made an administrative change: a logged-in user, or the `cw` tool. */
export interface AuditActor {
  kind: string;
  id: string;
  email?: string | null;
}

/** One administrative change. before/after are stored as JSON: never a secret, password hash or token. */
export interface AuditEntry {
  at: number;
  actor: AuditActor;
  action: string;
  target: string;
  before?: unknown;
  after?: unknown;
}

export type AuditRecord = AuditEntry & { id: number };

export interface AuditFilter {
  action?: string;
  /** An actor id or email. */
  actor?: string;
  target?: string;
  /** at >= from (ms). */
  from?: number;
  /** at < to (ms). */
  to?: number;
  /** Default 50, at most 500. */
  limit?: number;
  /** Paging: only records older than this id. */
  beforeId?: number;
}

/** The audit log of administrative changes, newest first. */
export interface Audit {
  record(entry: AuditEntry): Promise<void>;
  list(filter: AuditFilter): Promise<AuditRecord[]>;
}

export interface RebuildReport {
  events: number;
  /** Human-readable differences between the stored projections and a fresh replay of the log. */
  differences: string[];
  millis: number;
}

/** One version of the facility registry. */
export interface RegistryVersionInfo {
  version: number;
  /** In force for instants at or after this (epoch ms). */
  effectiveFrom: number;
  createdAt: number;
  /** "seed", the email of the admin who made it, or "cw". */
  createdBy: string;
}

/**
 * The registry's versions (seeded at the first open from the bundled file or
 * CAREWATCH_FACILITIES). A change never rewrites past events: it is a new version in force from
 * its `effectiveFrom`, and readers of an instant ask for the version in force then.
 */
export interface RegistryVersions {
  /** The current version's number (it changes when anyone, in any process, makes a change). */
  current(): number;
  /** The registry in force at instant `t` (the first version for instants before any). */
  at(t: number): Registry;
  list(): Promise<RegistryVersionInfo[]>;
  /**
   * Stores `next` (a registry the domain's applyRegistryChange made from the current one) as a
   * new version; watchers of the log are told. Throws RegistryConflictError when the current
   * version is no longer `basedOn`.
   */
  change(next: Registry, o: { basedOn: number; effectiveFrom: number; at: number; by: string }): Promise<{ version: number }>;
}

// ── Plan targets (issue 8) ──────────────────────────────────────────────────────────────────

/** A plan as stored, with those of its targets a read asked for, in the order of the last import. */
export interface StoredPlan {
  id: string;
  province: string;
  title: string;
  source: PlanSource;
  targets: Target[];
}

export interface TargetsImportSummary {
  plans: number;
  /** Ids of targets new in the store, and of those whose definition changed. */
  created: string[];
  updated: string[];
  unchanged: number;
}

export interface NewAssessment {
  targetId: string;
  date: string;
  value: number;
  note: string;
  by: string;
  at: number;
}

/** What the domain needs to compute a year's progress, gathered in one read transaction. */
export interface TargetsYear {
  year: number;
  now: number;
  plans: StoredPlan[];
  assessments: AssessmentRecord[];
  /** One per facility named by the year's targets (and known to the registry). */
  facts: FacilityYearFacts[];
}

/**
 * The plans' targets: definitions (imported, editable) and managers' assessments — state of its
 * own, never touched by `rebuild` — and the facts of a year read from the projections.
 */
export interface TargetsStore {
  /** Upserts every plan and target of a document the domain validated, in one transaction; never deletes. */
  importDocument(doc: TargetsDocument, now: number): Promise<TargetsImportSummary>;
  get(id: string): Promise<{ planId: string; province: string; target: Target } | null>;
  /** Sets a target's value; null when there is no such target. */
  setValue(id: string, value: number, now: number): Promise<{ before: Target; after: Target } | null>;
  /** Throws when the target does not exist. */
  addAssessment(a: NewAssessment): Promise<AssessmentRecord>;
  /** The years that have targets, ascending. */
  years(): Promise<number[]>;
  /**
   * The year's plans and targets, their assessments, and per facility: rollup_daily counts of the
   * year's local days up to today, occupied at the year's start and (for average_occupied
   * targets) at the end of each completed day — all from one read transaction.
   */
  year(year: number, now: number): Promise<TargetsYear>;
}

export interface Store {
  readonly engine: string;
  /** The current registry: always the latest version (reads it anew on every access). */
  readonly registry: Registry;
  readonly registryVersions: RegistryVersions;
  readonly log: EventLog;
  readonly reads: ReadModels & PastReads & ReferralReads;
  readonly credentials: Credentials;
  readonly audit: Audit;
  readonly targets: TargetsStore;
  /** Recompute every projection from the log, report differences, and keep the recomputed ones. */
  rebuild(onProgress?: (done: number, total: number) => void): Promise<RebuildReport>;
  /** True once the database is open and migrations are applied. */
  ready(): boolean;
  close(): Promise<void>;
}
