import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Target } from "./targets.js";
import {
  paceOf,
  paceVerdict,
  targetInScope,
  targetProgress,
  yearClock,
  yearDays,
  assessmentProblem,
  type AssessmentRecord,
  type FacilityYearFacts,
} from "./targets-pace.js";
import { dayStart } from "./time.js";

const HCM = "Asia/Ho_Chi_Minh";
const at = (iso: string) => Date.parse(iso);
const JULY_1_2026 = at("2026-07-01T00:00:00+07:00");

const convalescence: Target = {
  id: "lc-convalescence-2026",
  year: 2026,
  kind: "event_sum",
  event: "treatment",
  category: "convalescence",
  value: 1151,
  facilities: ["lc-merit-nursing-sapa"],
  vi: "Điều dưỡng",
  en: "Convalescence",
};
const drugTreatment: Target = {
  id: "lc-drug-treatment-2026",
  year: 2026,
  kind: "people_served",
  comparison: "above",
  value: 2000,
  facilities: ["lc-drug-rehab-1", "lc-drug-rehab-2"],
  vi: "Cai nghiện",
  en: "Drug treatment",
};
const socialWork: Target = {
  id: "lc-social-work-2026",
  year: 2026,
  kind: "average_occupied",
  comparison: "above",
  value: 100,
  facilities: ["lc-social-work"],
  vi: "Nuôi dưỡng",
  en: "Residents",
};
const primaryCare: Target = {
  id: "sl-primary-care-2026",
  year: 2026,
  kind: "assessment",
  unit: "percent_of_facilities",
  value: 80,
  facilities: ["sl-drug-rehab", "sl-psychiatric"],
  vi: "Chăm sóc ban đầu",
  en: "Primary care",
};

/** Facts with `perDay` of `metric` on each of the first `days` days of `year`. */
function facts(facilityId: string, metric: string, perDay: number, days: number, extra: Partial<FacilityYearFacts> = {}, year = 2026): FacilityYearFacts {
  const daily: Record<string, number> = {};
  for (const d of yearDays(year).slice(0, days)) daily[d] = perDay;
  return { facilityId, timeZone: HCM, daily: { [metric]: daily }, occupiedAtStart: 0, occupiedAtDayEnds: [], ...extra };
}

describe("year clock and pace", () => {
  it("the issue's example: at 00:00 on 1 July 2026 (Asia/Ho_Chi_Minh) 181 of 365 days are over; 1.151 × 181 = 208.331, ÷ 365 → pace 570,8", () => {
    const clock = yearClock(2026, JULY_1_2026, HCM);
    expect(clock).toEqual({ year: 2026, daysInYear: 365, completedDays: 181, state: "in_progress", today: "2026-07-01" });
    expect(paceOf(1151, clock)).toBeCloseTo(208_331 / 365, 9);
    expect(Math.round(paceOf(1151, clock) * 10) / 10).toBe(570.8);
    // One millisecond earlier it is still 30 June: 180 days over.
    expect(yearClock(2026, JULY_1_2026 - 1, HCM).completedDays).toBe(180);
  });

  it("a leap year has 366 days: 182 are over at 00:00 on 1 July 2028", () => {
    const clock = yearClock(2028, at("2028-07-01T00:00:00+07:00"), HCM);
    expect(clock.daysInYear).toBe(366);
    expect(clock.completedDays).toBe(182);
    expect(paceOf(1151, clock)).toBeCloseTo((1151 * 182) / 366, 9); // 572,36
    expect(yearDays(2028)[59]).toBe("2028-02-29");
  });

  it("year boundaries: before, first instant, last instant, after — in the zone, not UTC", () => {
    expect(yearClock(2026, at("2025-12-31T23:59:59+07:00"), HCM).state).toBe("not_started");
    expect(yearClock(2026, at("2026-01-01T00:00:00+07:00"), HCM)).toMatchObject({ completedDays: 0, state: "in_progress", today: "2026-01-01" });
    expect(yearClock(2026, at("2026-12-31T23:59:59+07:00"), HCM)).toMatchObject({ completedDays: 364, state: "in_progress" });
    expect(yearClock(2026, at("2027-01-01T00:00:00+07:00"), HCM)).toMatchObject({ completedDays: 365, state: "final", today: null });
    // 17:00 UTC on 31 December is already next year in Hà Nội, still this year in UTC.
    expect(yearClock(2026, at("2026-12-31T17:00:00Z"), HCM).state).toBe("final");
    expect(yearClock(2026, at("2026-12-31T17:00:00Z"), "UTC").completedDays).toBe(364);
  });

  it("completed days are the days whose end (the next day's start) is at or before now, for any instant and zone", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2023, 11, 25), max: Date.UTC(2029, 0, 5) }),
        fc.constantFrom(HCM, "UTC", "Europe/Berlin", "America/Sao_Paulo"),
        fc.integer({ min: 2024, max: 2028 }),
        (now, zone, year) => {
          const days = [...yearDays(year), `${year + 1}-01-01`];
          const over = days.slice(1).filter((next) => dayStart(next, zone) <= now).length;
          const clock = yearClock(year, now, zone);
          expect(clock.completedDays).toBe(over);
          expect(clock.state).toBe(now < dayStart(`${year}-01-01`, zone) ? "not_started" : over === days.length - 1 ? "final" : "in_progress");
        },
      ),
    );
  });

  it("verdict: ±5 % of the pace, never less than one unit", () => {
    expect(paceVerdict(570.8, 570.8)).toBe("on_pace");
    expect(paceVerdict(542.3, 570.8)).toBe("on_pace");
    expect(paceVerdict(542, 570.8)).toBe("behind");
    expect(paceVerdict(600, 570.8)).toBe("ahead");
    // A small pace: one short is not behind.
    expect(paceVerdict(12.9, 13.9)).toBe("on_pace");
    expect(paceVerdict(12.8, 13.9)).toBe("behind");
  });
});

describe("each metric kind, hand-checked at 00:00 on 1 July 2026", () => {
  it("event_sum: 3 convalescences a day → 543, on pace (570,8 − 28,5 = 542,2); projection 3 × 365 = 1.095", () => {
    const p = targetProgress(convalescence, [facts("lc-merit-nursing-sapa", "treatment:convalescence", 3, 181)], [], JULY_1_2026);
    expect(p).toMatchObject({ actual: 543, verdict: "on_pace", projection: 1095 });
    expect(p.pace).toBeCloseTo(208_331 / 365, 9);
    expect(p.series).toHaveLength(181);
    expect(p.series[180]).toMatchObject({ day: "2026-06-30", actual: 543 });
    expect(p.series[180]!.pace).toBeCloseTo(208_331 / 365, 9);
  });

  it("event_sum: 2 a day → 362, behind; other categories and other facilities do not count", () => {
    const noise = [facts("lc-merit-nursing-sapa", "treatment:orthopedic_device", 9, 181), facts("lc-social-work", "treatment:convalescence", 9, 181)];
    const p = targetProgress(convalescence, [facts("lc-merit-nursing-sapa", "treatment:convalescence", 2, 181), ...noise], [], JULY_1_2026);
    expect(p).toMatchObject({ actual: 362, verdict: "behind", projection: 730 });
    expect(p.ratio).toBeCloseTo(362 / (208_331 / 365), 6);
  });

  it("event_sum: today's events count in the actual but not in the rate of the projection", () => {
    const noon = at("2026-07-01T12:00:00+07:00");
    const f = facts("lc-merit-nursing-sapa", "treatment:convalescence", 3, 182);
    const p = targetProgress(convalescence, [f], [], noon);
    expect(p.actual).toBe(546);
    expect(p.projection).toBe(1095);
  });

  it("event_sum of admissions sums over the target's facilities", () => {
    const t: Target = { ...convalescence, event: "admission", category: undefined, facilities: ["lc-drug-rehab-1", "lc-drug-rehab-2"] };
    const p = targetProgress(t, [facts("lc-drug-rehab-1", "admissions", 1, 181), facts("lc-drug-rehab-2", "admissions", 2, 181)], [], JULY_1_2026);
    expect(p.actual).toBe(543);
  });

  it("people_served: occupied at the start (1.500 over two facilities) + admissions (181) = 1.681, ahead of 991,8; projection 1.500 + 365", () => {
    const p = targetProgress(
      drugTreatment,
      [
        facts("lc-drug-rehab-1", "admissions", 1, 181, { occupiedAtStart: 900 }),
        { facilityId: "lc-drug-rehab-2", timeZone: HCM, daily: {}, occupiedAtStart: 600, occupiedAtDayEnds: [] },
      ],
      [],
      JULY_1_2026,
    );
    expect(p).toMatchObject({ actual: 1681, verdict: "ahead", projection: 1865 });
    expect(p.pace).toBeCloseTo((2000 * 181) / 365, 9);
    expect(p.series[0]).toMatchObject({ day: "2026-01-01", actual: 1501 });
  });

  it("average_occupied: the mean of the occupied figure at the end of each completed day; its pace is the value", () => {
    const now = at("2026-01-04T00:00:00+07:00");
    const f = (ends: number[]): FacilityYearFacts => ({ facilityId: "lc-social-work", timeZone: HCM, daily: {}, occupiedAtStart: 0, occupiedAtDayEnds: ends });
    const onPace = targetProgress(socialWork, [f([96, 99, 99])], [], now);
    expect(onPace).toMatchObject({ actual: 98, pace: 100, projection: 98, verdict: "on_pace" });
    expect(onPace.series.map((s) => s.actual)).toEqual([96, 97.5, 98]);
    expect(targetProgress(socialWork, [f([90, 90, 90])], [], now).verdict).toBe("behind");
    expect(targetProgress(socialWork, [f([120, 110, 100])], [], now).verdict).toBe("ahead");
  });

  it("assessment: the latest value set on or before today (45 on 15 June) against the pace 80 × 181 ÷ 365 = 39,7 → ahead", () => {
    const a = (date: string, value: number, recordedAt = 0): AssessmentRecord => ({
      targetId: primaryCare.id,
      date,
      value,
      note: "",
      by: "m@x.vn",
      recordedAt,
    });
    const records = [a("2026-03-01", 30), a("2026-06-15", 45), a("2026-07-02", 99)];
    const p = targetProgress(primaryCare, [], records, JULY_1_2026);
    expect(p).toMatchObject({ actual: 45, verdict: "ahead", projection: null });
    expect(p.assessment?.date).toBe("2026-06-15");
    expect(p.pace).toBeCloseTo((80 * 181) / 365, 9);
    expect(p.series[59]?.actual).toBe(30); // 1 March
    expect(p.series[58]?.actual).toBeNull();
    // Two on one day: the one recorded last wins.
    expect(targetProgress(primaryCare, [], [a("2026-06-15", 10, 2), a("2026-06-15", 45, 1)], JULY_1_2026).actual).toBe(10);
    expect(targetProgress(primaryCare, [], [], JULY_1_2026).verdict).toBe("not_assessed");
  });

  it("assessments: only for assessment targets, dated in the target's year, not in the future, a percentage at most 100", () => {
    const ok = { date: "2026-07-01", value: 80 };
    expect(assessmentProblem(primaryCare, ok, JULY_1_2026, HCM)).toBeNull();
    expect(assessmentProblem(primaryCare, { ...ok, date: "2026-07-02" }, JULY_1_2026, HCM)).toMatch(/tương lai.*future/);
    expect(assessmentProblem(primaryCare, { ...ok, date: "2025-12-31" }, JULY_1_2026, HCM)).toMatch(/2026/);
    expect(assessmentProblem(primaryCare, { ...ok, value: 101 }, JULY_1_2026, HCM)).toMatch(/100/);
    expect(assessmentProblem(convalescence, ok, JULY_1_2026, HCM)).toMatch(/no assessment/);
  });
});

describe("no verdict too early; future years not started; past years final", () => {
  const f = facts("lc-merit-nursing-sapa", "treatment:convalescence", 3, 365);
  it("on 1 January nothing is over yet: no verdict, no projection", () => {
    const p = targetProgress(convalescence, [f], [], at("2026-01-01T08:00:00+07:00"));
    expect(p).toMatchObject({ verdict: "too_early", pace: 0, projection: null, actual: 3, series: [] });
  });
  it("a future year is not started", () => {
    const p = targetProgress({ ...convalescence, year: 2027 }, [f], [], JULY_1_2026);
    expect(p).toMatchObject({ verdict: "not_started", actual: null, pace: null, projection: null });
  });
  it("a past year is final: reached or missed against the whole value ('above' must exceed it)", () => {
    const later = at("2027-03-01T00:00:00+07:00");
    expect(targetProgress(convalescence, [f], [], later)).toMatchObject({ verdict: "missed", actual: 1095, projection: 1095, pace: 1151 });
    expect(targetProgress({ ...convalescence, value: 1095 }, [f], [], later).verdict).toBe("reached");
    const served = (start: number) =>
      targetProgress(drugTreatment, [facts("lc-drug-rehab-1", "admissions", 0, 0, { occupiedAtStart: start })], [], later).verdict;
    expect(served(2000)).toBe("missed");
    expect(served(2001)).toBe("reached");
  });
});

describe("scope", () => {
  it("a target is shown only when every one of its facilities is in the reader's scope", () => {
    const sonLaOnly = new Set(["sl-drug-rehab", "sl-psychiatric"]);
    expect(targetInScope(primaryCare, (id) => sonLaOnly.has(id))).toBe(true);
    expect(targetInScope({ facilities: ["sl-drug-rehab", "lc-drug-rehab-1"] }, (id) => sonLaOnly.has(id))).toBe(false);
    expect(targetInScope(drugTreatment, (id) => sonLaOnly.has(id))).toBe(false);
  });
});

describe("properties", () => {
  it("event_sum: the actual is the total of the target's category over its facilities, however the counts are split", () => {
    const days = yearDays(2026);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ f: fc.constantFrom("a", "b", "c"), day: fc.integer({ min: 0, max: 364 }), n: fc.integer({ min: 0, max: 50 }), cat: fc.boolean() }),
        ),
        fc.integer({ min: 0, max: 364 }),
        (rows, nowDay) => {
          const byF = new Map<string, FacilityYearFacts>();
          for (const id of ["a", "b", "c"]) byF.set(id, { facilityId: id, timeZone: HCM, daily: {}, occupiedAtStart: 0, occupiedAtDayEnds: [] });
          let expected = 0;
          for (const r of rows) {
            if (r.day > nowDay) continue; // the store gathers days up to today only
            const metric = r.cat ? "treatment:convalescence" : "treatment:detox";
            const d = (byF.get(r.f)!.daily[metric] ??= {});
            d[days[r.day]!] = (d[days[r.day]!] ?? 0) + r.n;
            if (r.cat && r.f !== "c") expected += r.n;
          }
          const t: Target = { ...convalescence, facilities: ["a", "b"] };
          const p = targetProgress(t, [...byF.values()], [], dayStart(days[nowDay]!, HCM) + 3_600_000);
          expect(p.actual).toBe(expected);
          expect(p.series.length).toBe(nowDay);
          // The cumulative line never falls, and its last point plus today is the actual.
          for (let i = 1; i < p.series.length; i++) expect(p.series[i]!.actual!).toBeGreaterThanOrEqual(p.series[i - 1]!.actual!);
          if (p.verdict !== "too_early") expect(["ahead", "on_pace", "behind"]).toContain(p.verdict);
        },
      ),
    );
  });
});
