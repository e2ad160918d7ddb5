import { describe, expect, it } from "vitest";
import { barGeometry, fmtFigure, yearFromUrl } from "./present";

const now = Date.parse("2026-12-31T18:00:00Z"); // already 1 January 2027 in Hà Nội

describe("/targets presentation", () => {
  it("reads the year from the URL, else this year in Hà Nội", () => {
    expect(yearFromUrl(new URL("http://x/targets?year=2023"), now)).toBe(2023);
    expect(yearFromUrl(new URL("http://x/targets"), now)).toBe(2027);
    expect(yearFromUrl(new URL("http://x/targets?year=20x3"), now)).toBe(2027);
    expect(yearFromUrl(new URL("http://x/targets?year=1999"), now)).toBe(2027);
  });

  it("formats figures the Vietnamese way: 1.151, 570,8, 80 %", () => {
    expect(fmtFigure(1151, { kind: "event_sum" }, "vi")).toBe("1.151");
    expect(fmtFigure((1151 * 181) / 365, { kind: "event_sum" }, "vi", 1)).toBe("570,8");
    expect(fmtFigure((1151 * 181) / 365, { kind: "event_sum" }, "en", 1)).toBe("570.8");
    expect(fmtFigure(98.25, { kind: "average_occupied" }, "vi")).toBe("98,3");
    expect(fmtFigure(80, { kind: "assessment", unit: "percent_of_facilities" }, "vi")).toBe("80 %");
    expect(fmtFigure(null, { kind: "assessment" }, "vi")).toBe("—");
  });

  it("draws the bar against the target, or against the actual once it is past it", () => {
    expect(barGeometry({ actual: 200, pace: (1151 * 181) / 365, value: 1151 })).toEqual({ fill: 17.4, pace: 49.6, target: 100 });
    expect(barGeometry({ actual: 1200, pace: 991.8, value: 1000 })).toEqual({ fill: 100, pace: 82.7, target: 83.3 });
    expect(barGeometry({ actual: null, pace: null, value: 80 })).toEqual({ fill: 0, pace: null, target: 100 });
  });
});
