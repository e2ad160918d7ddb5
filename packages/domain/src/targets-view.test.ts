import { describe, expect, it } from "vitest";
import type { Target } from "./targets.js";
import { yearDays, type FacilityYearFacts } from "./targets-pace.js";
import { behindTargets, targetsYearView } from "./targets-view.js";

const t = (id: string, facilities: string[], value: number): Target => ({
  id,
  year: 2026,
  kind: "event_sum",
  event: "admission",
  value,
  facilities,
  vi: `vi ${id}`,
  en: `en ${id}`,
});
const admissions = (facilityId: string, perDay: number): FacilityYearFacts => ({
  facilityId,
  timeZone: "Asia/Ho_Chi_Minh",
  daily: {
    admissions: Object.fromEntries(
      yearDays(2026)
        .slice(0, 181)
        .map((d) => [d, perDay]),
    ),
  },
  occupiedAtStart: 0,
  occupiedAtDayEnds: [],
});
const now = Date.parse("2026-07-01T00:00:00+07:00");
const input = {
  year: 2026,
  now,
  assessments: [],
  // 181 admissions at a and at b (one a day); a1 is on pace (365 → 181), a2 behind (730 → 362), ab partly elsewhere.
  facts: [admissions("a", 1), admissions("b", 1)],
  plans: [
    { id: "p", title: "Plan", province: "x", source: "published" as const, targets: [t("a1", ["a"], 365), t("a2", ["a"], 730), t("ab", ["a", "b"], 100)] },
  ],
};

describe("a year's view", () => {
  it("withholds a target partly out of the reader's scope, counts it, and lists behind pace first", () => {
    const view = targetsYearView(input, { mayRead: (id) => id === "a", facilityName: (id) => `Cơ sở ${id}` });
    expect(view.hidden).toBe(1);
    expect(view.behind).toBe(1);
    expect(view.plans[0]!.targets.map((r) => [r.target.id, r.progress.verdict])).toEqual([
      ["a2", "behind"],
      ["a1", "on_pace"],
    ]);
    expect(view.plans[0]!.targets[0]!.facilities).toEqual([{ id: "a", name: "Cơ sở a" }]);
    expect(behindTargets(view)).toEqual([
      { planId: "p", planTitle: "Plan", id: "a2", vi: "vi a2", en: "en a2", value: 730, actual: 181, pace: (730 * 181) / 365, projection: 365, ratio: 0.5 },
    ]);
  });

  it("a reader who may read every facility sees the whole target, over both facilities", () => {
    const view = targetsYearView(input, { mayRead: () => true, facilityName: (id) => id });
    expect(view.hidden).toBe(0);
    expect(view.plans[0]!.targets.find((r) => r.target.id === "ab")?.progress.actual).toBe(362);
  });

  it("a plan with nothing in scope is left out, and targets wholly elsewhere are not counted as withheld", () => {
    expect(targetsYearView(input, { mayRead: () => false, facilityName: (id) => id })).toMatchObject({ plans: [], hidden: 0 });
  });
});
