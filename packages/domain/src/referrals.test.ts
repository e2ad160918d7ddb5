import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { REFERRAL_STATUSES, type ReferralStatus } from "./events.js";
import { isReferralClosed, isReferralOpen, referralMove } from "./referrals.js";

const ORDER = ["requested", "accepted", "transferred", "returned"] as const;
const rank = (s: ReferralStatus) => ORDER.indexOf(s as (typeof ORDER)[number]);

/**
 * Every (from, to) pair, written out by hand from the contract: forward only in
 * requested → accepted → transferred → returned (skipping ahead is forward), `cancelled` only
 * before transfer, nothing after returned/cancelled; the same status again is accepted and
 * changes nothing.
 */
type Expect = "changed" | "same" | "409";
const TABLE: Record<ReferralStatus, Record<ReferralStatus, Expect>> = {
  requested: { requested: "same", accepted: "changed", transferred: "changed", returned: "changed", cancelled: "changed" },
  accepted: { requested: "409", accepted: "same", transferred: "changed", returned: "changed", cancelled: "changed" },
  transferred: { requested: "409", accepted: "409", transferred: "same", returned: "changed", cancelled: "409" },
  returned: { requested: "409", accepted: "409", transferred: "409", returned: "same", cancelled: "409" },
  cancelled: { requested: "409", accepted: "409", transferred: "409", returned: "409", cancelled: "same" },
};

describe("referralMove — every (from, to) pair", () => {
  const cases = REFERRAL_STATUSES.flatMap((from) => REFERRAL_STATUSES.map((to) => [from, to, TABLE[from][to]] as const));
  it("covers all 25 pairs", () => expect(cases).toHaveLength(25));

  it.each(cases)("%s → %s: %s", (from, to, expected) => {
    const r = referralMove(from, to);
    if (expected === "409") {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
    } else {
      expect(r).toEqual({ ok: true, changed: expected === "changed" });
    }
  });

  it.each(REFERRAL_STATUSES)("a referral may first appear as %s", (to) => {
    expect(referralMove(undefined, to)).toEqual({ ok: true, changed: true });
  });
});

describe("open / closed", () => {
  it.each([
    ["requested", true],
    ["accepted", true],
    ["transferred", true],
    ["returned", false],
    ["cancelled", false],
  ] as const)("%s open=%s", (s, open) => {
    expect(isReferralOpen(s)).toBe(open);
    expect(isReferralClosed(s)).toBe(!open);
  });
});

describe("referralMove — property over any sequence of statuses", () => {
  const seqArb = fc.array(fc.constantFrom(...REFERRAL_STATUSES), { maxLength: 30 });

  it("the accepted-and-changed statuses move strictly forward; cancelled only from requested/accepted; nothing after a close", () => {
    fc.assert(
      fc.property(seqArb, (seq) => {
        let current: ReferralStatus | undefined;
        const changed: ReferralStatus[] = [];
        for (const next of seq) {
          const r = referralMove(current, next);
          if (r.ok && r.changed) {
            changed.push(next);
            current = next;
          } else if (r.ok) {
            expect(next).toBe(current); // accepted without change only for the same status
          }
        }
        for (let i = 1; i < changed.length; i++) {
          const prev = changed[i - 1]!;
          const next = changed[i]!;
          expect(isReferralClosed(prev)).toBe(false);
          if (next === "cancelled") expect(["requested", "accepted"]).toContain(prev);
          else expect(rank(next)).toBeGreaterThan(rank(prev));
        }
        // at most one close, and only as the last change
        expect(changed.filter(isReferralClosed).length).toBeLessThanOrEqual(1);
        if (changed.some(isReferralClosed)) expect(isReferralClosed(changed.at(-1)!)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("a rejected move leaves the referral where it was and every later answer as if it never happened", () => {
    fc.assert(
      fc.property(seqArb, (seq) => {
        // Oracle: apply only what the table allows.
        let current: ReferralStatus | undefined;
        for (const next of seq) {
          const expected: Expect = current === undefined ? "changed" : TABLE[current][next];
          const r = referralMove(current, next);
          expect(r.ok ? (r.changed ? "changed" : "same") : "409").toBe(expected);
          if (expected === "changed") current = next;
        }
      }),
      { numRuns: 500 },
    );
  });
});
