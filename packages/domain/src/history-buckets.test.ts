import { describe, expect, it } from "vitest";
import { referralStatusesAsOf, openReferralCount, todayFromMetrics } from "./as-of.js";
import { historyBuckets } from "./history-buckets.js";

const HCM = "Asia/Ho_Chi_Minh";
const NOW = Date.parse("2026-11-22T14:30:00+07:00");

describe("historyBuckets", () => {
  it("24 h: the current local hour and the 23 before, contiguous, occupied read at each end (now for the last)", () => {
    const b = historyBuckets("24h", NOW, HCM);
    expect(b).toHaveLength(24);
    expect(b[23]).toEqual({ start: Date.parse("2026-11-22T14:00:00+07:00"), end: Date.parse("2026-11-22T15:00:00+07:00"), at: NOW, day: "2026-11-22" });
    expect(b[0]!.start).toBe(Date.parse("2026-11-21T15:00:00+07:00"));
    expect(b[0]!.at).toBe(b[1]!.start - 1);
    for (let i = 1; i < b.length; i++) expect(b[i]!.start).toBe(b[i - 1]!.end);
  });

  it("1 y: 365 local days ending today; 30 d: 30", () => {
    const y = historyBuckets("1y", NOW, HCM);
    expect(y).toHaveLength(365);
    expect(y[364]).toMatchObject({ day: "2026-11-22", start: Date.parse("2026-11-22T00:00:00+07:00"), at: NOW });
    expect(y[0]).toMatchObject({ day: "2025-11-23", start: Date.parse("2025-11-23T00:00:00+07:00") });
    expect(historyBuckets("30d", NOW, HCM)[0]!.day).toBe("2026-10-24");
    expect(historyBuckets("7d", NOW, HCM)).toHaveLength(168);
  });

  it("days follow a zone's clock changes (23 and 25 hour days)", () => {
    const b = historyBuckets("30d", Date.parse("2026-11-15T12:00:00-05:00"), "America/New_York");
    const lengths = b.map((x) => (x.end - x.start) / 3_600_000);
    expect(lengths).toContain(25); // 1 November 2026
    expect(lengths.filter((h) => h !== 24)).toEqual([25]);
  });
});

describe("as of: referrals and today's counts", () => {
  it("a referral stands at its latest-committed event that had occurred, whatever the occurred_at order", () => {
    const s = referralStatusesAsOf([
      { referralId: "a", status: "accepted", seq: 5 },
      { referralId: "a", status: "requested", seq: 2 },
      { referralId: "b", status: "cancelled", seq: 3 },
    ]);
    expect(s.get("a")?.status).toBe("accepted");
    expect(openReferralCount(s)).toBe(1);
  });

  it("sums metrics and leaves referral metrics out", () => {
    expect(
      todayFromMetrics(
        [
          { metric: "admissions", value: 2 },
          { metric: "admissions", value: 3 },
          { metric: "treatment:detox", value: 4 },
          { metric: "referral:requested", value: 9 },
        ],
        1,
      ),
    ).toEqual({ admissions: 5, discharges: 0, treatments: { detox: 4 }, referrals_open: 1 });
  });
});
