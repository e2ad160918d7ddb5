import type { ReferralStatus } from "./events.js";

/**
 * The referral ("chuyển tuyến") lifecycle: requested → accepted → transferred → returned,
 * forward only; `cancelled` ends a referral that has not been transferred. A referral may first
 * appear at any status. The same status again is not a move: it is accepted and changes nothing.
 */
const RANK: Record<Exclude<ReferralStatus, "cancelled">, number> = { requested: 0, accepted: 1, transferred: 2, returned: 3 };

export type ReferralMove = { ok: true; changed: boolean } | { ok: false; reason: string };

export function isReferralClosed(status: ReferralStatus): boolean {
  return status === "returned" || status === "cancelled";
}

/** Open = still in progress (requested, accepted, or the person is at the receiving facility). */
export function isReferralOpen(status: ReferralStatus): boolean {
  return !isReferralClosed(status);
}

export function referralMove(current: ReferralStatus | undefined, next: ReferralStatus): ReferralMove {
  if (current === undefined) return { ok: true, changed: true };
  if (current === next) return { ok: true, changed: false };
  if (isReferralClosed(current)) return { ok: false, reason: `referral is already ${current}; no further moves` };
  if (next === "cancelled") {
    return current === "transferred" ? { ok: false, reason: "a referral that has been transferred cannot be cancelled" } : { ok: true, changed: true };
  }
  const from = RANK[current as keyof typeof RANK];
  const to = RANK[next];
  return to > from ? { ok: true, changed: true } : { ok: false, reason: `referral cannot move back from ${current} to ${next}` };
}
