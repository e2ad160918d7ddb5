import { REFERRAL_URGENCIES } from "./event-enums.js";
import type { ReferralStatus } from "./events.js";
import { isReferralOpen } from "./referrals.js";

/**
 * A referral's timeline (issue 8, /referrals): its steps requested → accepted → transferred →
 * returned (or cancelled), the time spent in each, its age, and whether it is overdue for its
 * urgency. Pure: the steps and `now` come in as arguments (no clock, no zod, so the web may
 * import the types and constants through `client.ts`).
 */

export type ReferralUrgency = (typeof REFERRAL_URGENCIES)[number];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** How long an open referral may go, since it was requested, before it is overdue (ms). */
export type OverdueThresholds = Record<ReferralUrgency, number>;

/** The defaults: emergency 2 h, urgent 24 h, routine 7 days. */
export const DEFAULT_OVERDUE_THRESHOLDS: Readonly<OverdueThresholds> = Object.freeze({ emergency: 2 * HOUR, urgent: 24 * HOUR, routine: 7 * DAY });

/**
 * A referral that never said its urgency is measured against the routine threshold: the most
 * lenient one, so a missing field never raises a false alarm (the contract makes urgency optional).
 */
export const URGENCY_WHEN_UNSAID: ReferralUrgency = "routine";

/** One real move of a referral, as the store's `referral_steps` projection holds it. */
export interface ReferralStepInput {
  status: ReferralStatus;
  /** occurred_at of the move (ms), as the facility reported it. */
  at: number;
  /** Commit order in the log. */
  seq: number;
  destination: string;
  /** As sent with this move; null when the move did not say. */
  urgency: ReferralUrgency | null;
  eventId: string;
}

export interface TimelineStep {
  status: ReferralStatus;
  /** occurred_at as reported. */
  at: number;
  /**
   * When the step is taken to begin: `at`, or the previous step's start if the facility reported
   * this move as occurring before it (clocks disagree, or a move entered late with the wrong
   * time) — so a step never has a negative duration and the steps always read in order.
   */
  startsAt: number;
  /** Time spent in the step: until the next step, or until `now` for an open referral's current step; null for the closing step (returned, cancelled). */
  durationMs: number | null;
  /** The step the referral is in now. */
  current: boolean;
  eventId: string;
  seq: number;
}

export interface ReferralTimeline {
  facilityId: string;
  referralId: string;
  /** As given with the latest move. */
  destination: string;
  /** The latest urgency given (a move without one keeps the earlier), or null when none ever was. */
  urgency: ReferralUrgency | null;
  status: ReferralStatus;
  open: boolean;
  /** Start of the first step (normally "requested"; a referral may first appear at a later step). */
  startedAt: number;
  /** Start of the closing step, or null while open. */
  endedAt: number | null;
  /** Open: now − startedAt; closed: endedAt − startedAt (never negative). */
  ageMs: number;
  /** The threshold the referral is measured against (its urgency's, or routine's when unsaid). */
  thresholdMs: number;
  /** Open and older than its threshold (strictly). Closed referrals are never overdue. */
  overdue: boolean;
  /** How far past the threshold (0 when not overdue). */
  overdueByMs: number;
  steps: TimelineStep[];
}

/** Lifecycle order; `cancelled` can only follow requested or accepted, so it sorts last. */
const ORDER: Record<ReferralStatus, number> = { requested: 0, accepted: 1, transferred: 2, returned: 3, cancelled: 4 };

/**
 * The timeline of one referral from its steps, in any order. Steps are put in lifecycle order
 * (the store only ever accepts forward moves, so this is also their commit order); a status
 * given twice counts once, at its first commit. Same-instant steps keep lifecycle order, the
 * earlier one lasting 0 ms.
 *
 * **Overdue** means: the referral is open (requested, accepted or transferred) and the time since
 * its first step began (`now − startedAt`) is more than its urgency's threshold. It measures the
 * whole wait, not the current step, because the plans ask how long a person waits for the
 * receiving facility's care; a transferred referral that has not returned keeps ageing.
 * Throws on an empty list (a referral exists only through its steps).
 */
export function referralTimeline(
  key: { facilityId: string; referralId: string },
  steps: readonly ReferralStepInput[],
  now: number,
  thresholds: Readonly<OverdueThresholds> = DEFAULT_OVERDUE_THRESHOLDS,
): ReferralTimeline {
  if (steps.length === 0) throw new Error(`referral ${key.facilityId}/${key.referralId} has no steps`);
  const sorted = [...steps].sort((a, b) => ORDER[a.status] - ORDER[b.status] || a.seq - b.seq);
  const moves = sorted.filter((s, i) => i === 0 || s.status !== sorted[i - 1]!.status);

  let urgency: ReferralUrgency | null = null;
  for (const s of [...moves].sort((a, b) => a.seq - b.seq)) if (s.urgency !== null) urgency = s.urgency;
  const last = moves[moves.length - 1]!;
  const open = isReferralOpen(last.status);

  const starts: number[] = [];
  for (const [i, s] of moves.entries()) starts.push(i === 0 ? s.at : Math.max(s.at, starts[i - 1]!));
  const timelineSteps: TimelineStep[] = moves.map((s, i) => {
    const isLast = i === moves.length - 1;
    const startsAt = starts[i]!;
    const durationMs = !isLast ? starts[i + 1]! - startsAt : open ? Math.max(0, now - startsAt) : null;
    return { status: s.status, at: s.at, startsAt, durationMs, current: isLast, eventId: s.eventId, seq: s.seq };
  });

  const startedAt = starts[0]!;
  const endedAt = open ? null : starts[starts.length - 1]!;
  const ageMs = Math.max(0, (endedAt ?? now) - startedAt);
  const thresholdMs = thresholds[urgency ?? URGENCY_WHEN_UNSAID];
  const overdue = open && ageMs > thresholdMs;
  return {
    facilityId: key.facilityId,
    referralId: key.referralId,
    destination: last.destination,
    urgency,
    status: last.status,
    open,
    startedAt,
    endedAt,
    ageMs,
    thresholdMs,
    overdue,
    overdueByMs: overdue ? ageMs - thresholdMs : 0,
    steps: timelineSteps,
  };
}

export interface ReferralCounts {
  /** Open now (whenever requested). */
  open: number;
  /** Open now and overdue. */
  overdue: number;
  /** Started (first step) within the period, open or closed; every referral when there is no period. */
  total: number;
}

export interface ReferralCountRow extends ReferralCounts {
  key: string;
}

export interface ReferralCountsResult {
  all: ReferralCounts;
  /** By facility id, most open first. */
  byFacility: ReferralCountRow[];
  /** By destination as given, most open first. */
  byDestination: ReferralCountRow[];
}

/** A period of start instants: from ≤ startedAt < to; either end may be open. */
export interface ReferralPeriod {
  from?: number;
  to?: number;
}

export function referralStartedIn(t: Pick<ReferralTimeline, "startedAt">, period: ReferralPeriod): boolean {
  return (period.from === undefined || t.startedAt >= period.from) && (period.to === undefined || t.startedAt < period.to);
}

/** Closed referrals begun in the period, counted by facility and destination (they add to `total` only). */
export interface ClosedReferralTally {
  facilityId: string;
  destination: string;
  count: number;
}

/**
 * Counts per facility and per destination. `open` and `overdue` are as of now, whenever the
 * referral began — a manager asks "what is stuck today" whatever period they look at; `total` is
 * the referrals begun in the period. A group appears when any of its counts is non-zero.
 * `timelines` may hold closed referrals too; `closed` adds closed ones already tallied (so a store
 * need not read the steps of every closed referral of the period): the caller passes each closed
 * referral one way or the other, never both.
 */
export function countReferrals(
  timelines: readonly ReferralTimeline[],
  period: ReferralPeriod = {},
  closed: readonly ClosedReferralTally[] = [],
): ReferralCountsResult {
  const all: ReferralCounts = { open: 0, overdue: 0, total: 0 };
  const byFacility = new Map<string, ReferralCountRow>();
  const byDestination = new Map<string, ReferralCountRow>();
  const rowOf = (m: Map<string, ReferralCountRow>, key: string) => {
    let row = m.get(key);
    if (!row) m.set(key, (row = { key, open: 0, overdue: 0, total: 0 }));
    return row;
  };
  const add = (facilityId: string, destination: string, c: ReferralCounts) => {
    for (const row of [all, rowOf(byFacility, facilityId), rowOf(byDestination, destination)]) {
      row.open += c.open;
      row.overdue += c.overdue;
      row.total += c.total;
    }
  };
  for (const t of timelines) {
    const inPeriod = referralStartedIn(t, period);
    if (!inPeriod && !t.open) continue;
    add(t.facilityId, t.destination, { open: t.open ? 1 : 0, overdue: t.overdue ? 1 : 0, total: inPeriod ? 1 : 0 });
  }
  for (const c of closed) if (c.count > 0) add(c.facilityId, c.destination, { open: 0, overdue: 0, total: c.count });
  const order = (a: ReferralCountRow, b: ReferralCountRow) => b.overdue - a.overdue || b.open - a.open || b.total - a.total || a.key.localeCompare(b.key);
  return { all, byFacility: [...byFacility.values()].sort(order), byDestination: [...byDestination.values()].sort(order) };
}

/** Overdue first (most overdue first), then newest first; ties by facility and referral id, so the order is total. */
export function compareReferrals(a: ReferralTimeline, b: ReferralTimeline): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  if (a.overdue && a.overdueByMs !== b.overdueByMs) return b.overdueByMs - a.overdueByMs;
  return b.startedAt - a.startedAt || a.facilityId.localeCompare(b.facilityId) || a.referralId.localeCompare(b.referralId);
}
