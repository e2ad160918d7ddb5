import type { ReferralStatus, TreatmentCategory } from "./events.js";
import { settleLedger, type CensusMark, type UnitLedger } from "./occupancy.js";
import { isReferralOpen } from "./referrals.js";
import type { Span } from "./span-index.js";
import type { OpenReferralAsOf } from "./history-buckets.js";
import type { TodayCounts } from "./status-schema.js";

/**
 * "As of" an instant (issue 8): the facility as it stood at `at`, from the events that had
 * occurred by then (occurred_at ≤ at). The store cuts each input at `at` — the latest census and
 * capacity at or before it, the span of the movements in (census, at], the day's counts up to
 * it, the referral events up to it — and the status is then the same fold the live board uses
 * (status.ts, `facilityStatus`). These helpers are the cut's rules, pure.
 */

/** A unit's ledger as of an instant, from its cut inputs (the census rule, unchanged). */
export function ledgerAsOf(
  census: (CensusMark & { occupied: number }) | null,
  capacity: (CensusMark & { value: number }) | null,
  /** The span of the unit's movements after the census (all, without one) up to the instant. */
  after: Span,
): UnitLedger {
  return settleLedger({ census, capacity, netAfter: 0, lowWater: 0 }, after);
}

/** A referral event as the cut sees it. */
export interface ReferralEventCut {
  referralId: string;
  status: ReferralStatus;
  /** Commit order in the log. */
  seq: number;
}

/**
 * Each referral's status from its events that had occurred by the instant. Every stored referral
 * event was a move or a repeat of the status it found (the log refuses the rest), so after it
 * the referral stands at that event's status; any subset of a referral's events, in commit
 * order, is again such a chain. So the status from the events up to the instant is that of the
 * latest-committed of them — whatever their occurred_at order.
 */
export function referralStatusesAsOf(events: Iterable<ReferralEventCut>): Map<string, ReferralEventCut> {
  const latest = new Map<string, ReferralEventCut>();
  for (const e of events) {
    const seen = latest.get(e.referralId);
    if (!seen || e.seq > seen.seq) latest.set(e.referralId, e);
  }
  return latest;
}

export function openReferralCount(statuses: ReadonlyMap<string, ReferralEventCut>): number {
  let n = 0;
  for (const s of statuses.values()) if (isReferralOpen(s.status)) n++;
  return n;
}

/** A referral event with what the as-of view shows of it. */
export interface ReferralEventAsOf extends ReferralEventCut {
  destination: string;
  urgency: string | null;
  /** occurred_at (ms). */
  at: number;
}

/**
 * The referrals open at an instant, from their events that had occurred by then: how many, and
 * each one's current step, destination, urgency and since when — no id, no person. A move that
 * does not say its urgency keeps the one said before (as the live projection does).
 */
export function openReferralsAsOf(events: readonly ReferralEventAsOf[]): { count: number; open: OpenReferralAsOf[] } {
  const statuses = referralStatusesAsOf(events);
  const detail = new Map<string, OpenReferralAsOf & { seq: number; urgencySeq: number }>();
  for (const r of events) {
    if (!isReferralOpen(statuses.get(r.referralId)!.status)) continue;
    const d = detail.get(r.referralId) ?? { status: "", destination: "", urgency: null, since: r.at, seq: -1, urgencySeq: -1 };
    d.since = Math.min(d.since, r.at);
    if (r.seq > d.seq) Object.assign(d, { seq: r.seq, status: r.status, destination: r.destination });
    if (r.urgency !== null && r.seq > d.urgencySeq) Object.assign(d, { urgency: r.urgency, urgencySeq: r.seq });
    detail.set(r.referralId, d);
  }
  const open = [...detail.values()].map(({ status, destination, urgency, since }) => ({ status, destination, urgency, since }));
  open.sort((a, b) => a.since - b.since || a.destination.localeCompare(b.destination));
  return { count: openReferralCount(statuses), open };
}

/**
 * Today's counts from rollup metrics ('admissions', 'discharges', 'treatment:<category>'; others
 * ignored), summed: the live board passes the day's row, "as of" the day's hours up to the
 * instant's hour plus the events of that hour up to the instant.
 */
export function todayFromMetrics(metrics: Iterable<{ metric: string; value: number }>, referralsOpen: number): TodayCounts {
  const t: TodayCounts = { admissions: 0, discharges: 0, treatments: {}, referrals_open: referralsOpen };
  for (const { metric, value } of metrics) {
    if (metric === "admissions") t.admissions += value;
    else if (metric === "discharges") t.discharges += value;
    else if (metric.startsWith("treatment:")) {
      const c = metric.slice("treatment:".length) as TreatmentCategory;
      t.treatments[c] = (t.treatments[c] ?? 0) + value;
    }
  }
  return t;
}

/** The rollup metric an event adds to, with its count (referral moves are not today's counts). */
export function countMetric(e: { type: string; count?: number; category?: string }): { metric: string; value: number } | null {
  if (e.type === "admission") return { metric: "admissions", value: e.count ?? 0 };
  if (e.type === "discharge") return { metric: "discharges", value: e.count ?? 0 };
  if (e.type === "treatment") return { metric: `treatment:${e.category}`, value: e.count ?? 0 };
  return null;
}
