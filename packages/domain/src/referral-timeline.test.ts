import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ReferralStatus } from "./events.js";
import { parseOverdueThresholds, ReferralListInput } from "./referral-timeline-schemas.js";
import {
  compareReferrals,
  countReferrals,
  DEFAULT_OVERDUE_THRESHOLDS,
  referralTimeline,
  type ReferralStepInput,
  type ReferralTimeline,
  type ReferralUrgency,
} from "./referral-timeline.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** 2026-11-22 08:00 in Asia/Ho_Chi_Minh. */
const T0 = Date.parse("2026-11-22T01:00:00Z");
const KEY = { facilityId: "sl-drug-rehab", referralId: "R-1" };

let seq = 0;
function step(status: ReferralStatus, at: number, extra: Partial<ReferralStepInput> = {}): ReferralStepInput {
  seq += 1;
  return { status, at, seq, destination: "Bệnh viện Đa khoa tỉnh Sơn La", urgency: null, eventId: `ev-${seq}`, ...extra };
}
const durations = (t: ReferralTimeline) => t.steps.map((s) => [s.status, s.durationMs]);

describe("referralTimeline — hand-checked", () => {
  it("a whole referral: each step's time, closed at return, never overdue once closed", () => {
    const t = referralTimeline(
      KEY,
      [
        step("requested", T0, { urgency: "urgent" }),
        step("accepted", T0 + 90 * MIN),
        step("transferred", T0 + 4 * HOUR),
        step("returned", T0 + 2 * DAY + 4 * HOUR),
      ],
      T0 + 30 * DAY,
    );
    expect(durations(t)).toEqual([
      ["requested", 90 * MIN],
      ["accepted", 150 * MIN],
      ["transferred", 2 * DAY],
      ["returned", null],
    ]);
    expect(t).toMatchObject({ status: "returned", open: false, startedAt: T0, endedAt: T0 + 2 * DAY + 4 * HOUR, ageMs: 2 * DAY + 4 * HOUR });
    // 52 h is past urgent's 24 h, but a closed referral is done: not overdue.
    expect(t).toMatchObject({ urgency: "urgent", thresholdMs: 24 * HOUR, overdue: false, overdueByMs: 0 });
    expect(t.steps.map((s) => s.current)).toEqual([false, false, false, true]);
  });

  it("an open emergency referral 2 h 30 min after it was requested is 30 min overdue; the current step runs until now", () => {
    const t = referralTimeline(KEY, [step("requested", T0, { urgency: "emergency" }), step("accepted", T0 + HOUR)], T0 + 150 * MIN);
    expect(t).toMatchObject({ open: true, status: "accepted", endedAt: null, ageMs: 150 * MIN, thresholdMs: 2 * HOUR, overdue: true, overdueByMs: 30 * MIN });
    expect(durations(t)).toEqual([
      ["requested", HOUR],
      ["accepted", 90 * MIN],
    ]);
  });

  it("exactly at the threshold is not overdue yet; one millisecond more is", () => {
    const steps = [step("requested", T0, { urgency: "emergency" })];
    expect(referralTimeline(KEY, steps, T0 + 2 * HOUR).overdue).toBe(false);
    expect(referralTimeline(KEY, steps, T0 + 2 * HOUR + 1)).toMatchObject({ overdue: true, overdueByMs: 1 });
  });

  it("a cancelled referral: closed when cancelled, its wait ends there", () => {
    const t = referralTimeline(KEY, [step("requested", T0, { urgency: "emergency" }), step("cancelled", T0 + 45 * MIN)], T0 + 10 * DAY);
    expect(t).toMatchObject({ status: "cancelled", open: false, ageMs: 45 * MIN, endedAt: T0 + 45 * MIN, overdue: false });
    expect(durations(t)).toEqual([
      ["requested", 45 * MIN],
      ["cancelled", null],
    ]);
  });

  it("steps given in any order read in lifecycle order", () => {
    const steps = [step("requested", T0), step("accepted", T0 + HOUR), step("transferred", T0 + 3 * HOUR)];
    const inOrder = referralTimeline(KEY, steps, T0 + 5 * HOUR);
    const shuffled = referralTimeline(KEY, [steps[2]!, steps[0]!, steps[1]!], T0 + 5 * HOUR);
    expect(shuffled).toEqual(inOrder);
    expect(durations(inOrder)).toEqual([
      ["requested", HOUR],
      ["accepted", 2 * HOUR],
      ["transferred", 2 * HOUR],
    ]);
  });

  it("a move reported as occurring before the previous step starts when that step did (no negative durations)", () => {
    // accepted said 07:00, but the referral was requested at 08:00 (the facility's clock was off).
    const t = referralTimeline(KEY, [step("requested", T0), step("accepted", T0 - HOUR), step("transferred", T0 + 2 * HOUR)], T0 + 3 * HOUR);
    expect(t.steps.map((s) => [s.status, s.at, s.startsAt, s.durationMs])).toEqual([
      ["requested", T0, T0, 0],
      ["accepted", T0 - HOUR, T0, 2 * HOUR],
      ["transferred", T0 + 2 * HOUR, T0 + 2 * HOUR, HOUR],
    ]);
    expect(t.ageMs).toBe(3 * HOUR);
  });

  it("steps at the same instant: lifecycle order, the earlier lasting 0 ms", () => {
    const t = referralTimeline(KEY, [step("accepted", T0), step("requested", T0)], T0 + HOUR);
    expect(durations(t)).toEqual([
      ["requested", 0],
      ["accepted", HOUR],
    ]);
  });

  it("a referral first seen at a later step starts there", () => {
    const t = referralTimeline(KEY, [step("transferred", T0)], T0 + 8 * DAY);
    expect(t).toMatchObject({ startedAt: T0, ageMs: 8 * DAY, overdue: true, overdueByMs: DAY, urgency: null, thresholdMs: 7 * DAY });
  });

  it("urgency: the latest given; a move without one keeps it; never given → routine's threshold", () => {
    const kept = referralTimeline(
      KEY,
      [step("requested", T0, { urgency: "routine" }), step("accepted", T0 + MIN, { urgency: "urgent" }), step("transferred", T0 + 2 * MIN)],
      T0,
    );
    expect(kept.urgency).toBe("urgent");
    const none = referralTimeline(KEY, [step("requested", T0)], T0 + 7 * DAY + 1);
    expect(none).toMatchObject({ urgency: null, thresholdMs: 7 * DAY, overdue: true });
  });

  it("destination: as given with the latest move", () => {
    const t = referralTimeline(KEY, [step("requested", T0, { destination: "A" }), step("accepted", T0 + MIN, { destination: "B" })], T0);
    expect(t.destination).toBe("B");
  });

  it("the same status twice counts once, at its first commit", () => {
    const t = referralTimeline(KEY, [step("requested", T0), step("requested", T0 + HOUR), step("accepted", T0 + 2 * HOUR)], T0 + 3 * HOUR);
    expect(durations(t)).toEqual([
      ["requested", 2 * HOUR],
      ["accepted", HOUR],
    ]);
  });

  it("configured thresholds replace the defaults", () => {
    const t = referralTimeline(KEY, [step("requested", T0, { urgency: "urgent" })], T0 + 13 * HOUR, { ...DEFAULT_OVERDUE_THRESHOLDS, urgent: 12 * HOUR });
    expect(t).toMatchObject({ thresholdMs: 12 * HOUR, overdue: true, overdueByMs: HOUR });
  });

  it("a referral without steps is refused", () => {
    expect(() => referralTimeline(KEY, [], T0)).toThrow(/no steps/);
  });
});

describe("referralTimeline — properties", () => {
  const STATUS_PATHS: ReferralStatus[][] = [
    ["requested"],
    ["requested", "accepted"],
    ["requested", "accepted", "transferred"],
    ["requested", "accepted", "transferred", "returned"],
    ["requested", "cancelled"],
    ["requested", "accepted", "cancelled"],
    ["accepted", "transferred", "returned"],
  ];
  const arb = fc.record({
    path: fc.constantFrom(...STATUS_PATHS),
    ats: fc.array(fc.integer({ min: 0, max: 30 * DAY }), { minLength: 5, maxLength: 5 }),
    now: fc.integer({ min: 0, max: 40 * DAY }),
    urgency: fc.constantFrom<ReferralUrgency | null>(null, "routine", "urgent", "emergency"),
    seed: fc.integer(),
  });

  it("the same timeline whatever order the steps come in; the steps' durations add up to the age; durations never negative", () => {
    fc.assert(
      fc.property(arb, ({ path, ats, now, urgency, seed }) => {
        const steps = path.map((s, i) => step(s, T0 + ats[i]!, { urgency: i === 0 ? urgency : null }));
        const t = referralTimeline(KEY, steps, T0 + now);
        const shuffled = [...steps].sort((a, b) => ((a.seq * 7919 + seed) % 13) - ((b.seq * 7919 + seed) % 13));
        expect(referralTimeline(KEY, shuffled, T0 + now)).toEqual(t);
        const sum = t.steps.reduce((n, s) => n + (s.durationMs ?? 0), 0);
        for (const s of t.steps) expect(s.durationMs === null || s.durationMs >= 0).toBe(true);
        // An open referral whose start is after now has age 0 but may have positive step gaps.
        if (!t.open || T0 + now >= t.steps[t.steps.length - 1]!.startsAt) expect(sum).toBe(t.ageMs);
        expect(t.overdue).toBe(t.open && t.ageMs > t.thresholdMs);
      }),
    );
  });
});

describe("countReferrals", () => {
  const tl = (facilityId: string, destination: string, steps: ReferralStepInput[], now: number) =>
    referralTimeline(
      { facilityId, referralId: `R-${seq}` },
      steps.map((s) => ({ ...s, destination })),
      now,
    );
  const now = T0 + 10 * DAY;
  const timelines = [
    tl("a", "BV tỉnh", [step("requested", T0, { urgency: "emergency" })], now), // open, overdue, before the period
    tl("a", "BV tỉnh", [step("requested", T0 + 9 * DAY)], now), // open, in the period
    tl("a", "BV Bạch Mai", [step("requested", T0 + 9 * DAY), step("returned", T0 + 9 * DAY + HOUR)], now), // closed, in the period
    tl("b", "BV tỉnh", [step("requested", T0 + DAY), step("cancelled", T0 + DAY + HOUR)], now), // closed, before the period: not counted
  ];

  it("open and overdue as of now whenever begun; total begun in the period", () => {
    const c = countReferrals(timelines, { from: T0 + 8 * DAY, to: now });
    expect(c.all).toEqual({ open: 2, overdue: 1, total: 2 });
    expect(c.byFacility).toEqual([{ key: "a", open: 2, overdue: 1, total: 2 }]);
    expect(c.byDestination).toEqual([
      { key: "BV tỉnh", open: 2, overdue: 1, total: 1 },
      { key: "BV Bạch Mai", open: 0, overdue: 0, total: 1 },
    ]);
  });

  it("without a period every referral is in the total", () => {
    const c = countReferrals(timelines);
    expect(c.all).toEqual({ open: 2, overdue: 1, total: 4 });
    expect(c.byFacility.map((r) => [r.key, r.total])).toEqual([
      ["a", 3],
      ["b", 1],
    ]);
  });

  it("closed referrals already tallied add to the totals only, the same as their timelines would", () => {
    const period = { from: T0 + 8 * DAY, to: now };
    const closedInPeriod = timelines.filter((t) => !t.open && t.startedAt >= period.from && t.startedAt < period.to);
    const tallied = closedInPeriod.map((t) => ({ facilityId: t.facilityId, destination: t.destination, count: 1 }));
    expect(
      countReferrals(
        timelines.filter((t) => t.open),
        period,
        tallied,
      ),
    ).toEqual(countReferrals(timelines, period));
  });

  it("sorting puts the overdue first, most overdue first", () => {
    const sorted = [...timelines].sort(compareReferrals);
    expect(sorted[0]!.overdue).toBe(true);
    expect(sorted.slice(1).map((t) => t.startedAt)).toEqual([T0 + 9 * DAY, T0 + 9 * DAY, T0 + DAY]);
  });
});

describe("parseOverdueThresholds", () => {
  it("reads the three urgencies", () => {
    expect(parseOverdueThresholds("emergency=2h,urgent=24h,routine=7d")).toEqual({
      ok: true,
      thresholds: { emergency: 2 * HOUR, urgent: 24 * HOUR, routine: 7 * DAY },
    });
  });
  it("an urgency left out keeps its default; spaces and minutes are fine", () => {
    expect(parseOverdueThresholds(" urgent = 90m ")).toEqual({ ok: true, thresholds: { ...DEFAULT_OVERDUE_THRESHOLDS, urgent: 90 * MIN } });
  });
  it.each([
    ["", /expected urgency=duration/],
    ["urgent=24", /not urgency=duration/],
    ["soon=2h", /"soon" is not an urgency/],
    ["urgent=0h", /more than zero/],
    ["urgent=2h,urgent=3h", /given twice/],
    ["urgent=-2h", /not urgency=duration/],
  ])("refuses %j", (text, message) => {
    const r = parseOverdueThresholds(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.join("; ")).toMatch(message);
  });
});

describe("ReferralListInput", () => {
  it("defaults to open referrals, 500 at most", () => {
    expect(ReferralListInput.parse({})).toEqual({ state: "open", overdueOnly: false, limit: 500 });
  });
  it("refuses a period that ends before it starts, in both languages", () => {
    const r = ReferralListInput.safeParse({ from: 10, to: 5 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/from must be before to.*«từ»/);
  });
});
