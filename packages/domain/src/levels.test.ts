import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { levelFor, occupancyPct, round1, type Level } from "./levels.js";
import { DEFAULT_THRESHOLDS } from "./registry.js";

describe("levelFor — default thresholds 85 / 95 / 100", () => {
  it("has the contract's defaults", () => expect(DEFAULT_THRESHOLDS).toEqual({ high: 85, critical: 95, over: 100 }));

  it.each([
    [0, "normal"],
    [849, "normal"], // 84.9 %
    [850, "high"], // 85 %
    [949, "high"], // 94.9 %
    [950, "critical"], // 95 %
    [1000, "critical"], // 100 %
    [1001, "over"], // 100.1 %
    [5000, "over"],
  ] as const)("%i of 1000 → %s", (occupied, level) => {
    expect(levelFor(occupied, 1000, DEFAULT_THRESHOLDS)).toBe(level);
  });

  it.each([
    [17, 20, "high"], // exactly 85 %
    [19, 20, "critical"], // exactly 95 %
    [57, 60, "critical"], // exactly 95 %
    [150, 150, "critical"], // exactly 100 %
    [151, 150, "over"],
    [112, 150, "normal"],
    [128, 150, "high"], // 85.33 %
    [127, 150, "normal"], // 84.67 %
  ] as const)("%i of %i → %s", (occupied, capacity, level) => {
    expect(levelFor(occupied, capacity, DEFAULT_THRESHOLDS)).toBe(level);
  });

  it("matches exact integer arithmetic for every occupancy/capacity (no float misclassification at boundaries)", () => {
    const exact = (o: number, c: number): Level => (o * 100 > 100 * c ? "over" : o * 100 >= 95 * c ? "critical" : o * 100 >= 85 * c ? "high" : "normal");
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 0, max: 12000 }), (c, o) => {
        expect(levelFor(o, c, DEFAULT_THRESHOLDS)).toBe(exact(o, c));
      }),
      { numRuns: 2000 },
    );
    // and exhaustively at the exact boundaries
    for (let c = 1; c <= 2000; c++) {
      for (const pct of [85, 95, 100]) {
        if ((pct * c) % 100 !== 0) continue;
        const o = (pct * c) / 100;
        expect(levelFor(o, c, DEFAULT_THRESHOLDS)).toBe(exact(o, c));
        expect(levelFor(o - 1, c, DEFAULT_THRESHOLDS)).toBe(exact(o - 1, c));
        expect(levelFor(o + 1, c, DEFAULT_THRESHOLDS)).toBe(exact(o + 1, c));
      }
    }
  });

  it("is monotone in occupied", () => {
    const order: Level[] = ["normal", "high", "critical", "over"];
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 3000 }), (c, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(order.indexOf(levelFor(lo, c, DEFAULT_THRESHOLDS))).toBeLessThanOrEqual(order.indexOf(levelFor(hi, c, DEFAULT_THRESHOLDS)));
      }),
    );
  });
});

describe("capacity 0", () => {
  it("has no occupancy percent", () => {
    expect(occupancyPct(0, 0)).toBeNull();
    expect(occupancyPct(5, 0)).toBeNull();
  });
  it("is normal when empty and over when anyone is there", () => {
    expect(levelFor(0, 0, DEFAULT_THRESHOLDS)).toBe("normal");
    expect(levelFor(1, 0, DEFAULT_THRESHOLDS)).toBe("over");
  });
});

describe("custom thresholds", () => {
  const t = { high: 70, critical: 90, over: 110 };
  it.each([
    [69, "normal"],
    [70, "high"],
    [89, "high"],
    [90, "critical"],
    [100, "critical"],
    [110, "critical"],
    [111, "over"],
  ] as const)("%i of 100 → %s", (occupied, level) => {
    expect(levelFor(occupied, 100, t)).toBe(level);
  });

  it("a percent exactly at a custom threshold is not misread by float rounding", () => {
    // (o / c) * 100 gives 110.00000000000001 for 110/100 and 57.99999999999999 for 58/100.
    const exact = (o: number, c: number, th: { high: number; critical: number; over: number }): Level =>
      o * 100 > th.over * c ? "over" : o * 100 >= th.critical * c ? "critical" : o * 100 >= th.high * c ? "high" : "normal";
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 0, max: 4000 }),
        fc.tuple(fc.integer({ min: 1, max: 150 }), fc.integer({ min: 1, max: 150 }), fc.integer({ min: 1, max: 150 })),
        (c, o, ths) => {
          const [high, critical, over] = [...ths].sort((x, y) => x - y) as [number, number, number];
          const th = { high, critical, over };
          expect(levelFor(o, c, th)).toBe(exact(o, c, th));
          // and exactly on each threshold, when reachable with whole people
          for (const v of [high, critical, over]) {
            if ((v * c) % 100 === 0) expect(levelFor((v * c) / 100, c, th)).toBe(exact((v * c) / 100, c, th));
          }
        },
      ),
      { numRuns: 2000 },
    );
    expect(levelFor(58, 100, { high: 58, critical: 90, over: 100 })).toBe("high");
  });

  it("fractional thresholds are honoured", () => {
    const f = { high: 84.5, critical: 94.5, over: 99.5 };
    expect(levelFor(844, 1000, f)).toBe("normal");
    expect(levelFor(845, 1000, f)).toBe("high");
    expect(levelFor(945, 1000, f)).toBe("critical");
    expect(levelFor(995, 1000, f)).toBe("critical");
    expect(levelFor(996, 1000, f)).toBe("over");
  });
});

describe("occupancyPct and round1", () => {
  it("rounds to one decimal", () => {
    expect(round1(occupancyPct(112, 150)!)).toBe(74.7);
    expect(round1(occupancyPct(2, 3)!)).toBe(66.7);
    expect(round1(occupancyPct(1, 3)!)).toBe(33.3);
    expect(round1(occupancyPct(151, 150)!)).toBe(100.7);
    expect(round1(occupancyPct(150, 150)!)).toBe(100);
    expect(round1(occupancyPct(0, 150)!)).toBe(0);
  });
  it("round1 stays within 0.05 of its input", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 10_000 }), (o, c) => {
        const p = occupancyPct(o, c)!;
        expect(Math.abs(round1(p) - p)).toBeLessThanOrEqual(0.05 + 1e-9);
        expect(Number.isInteger(Math.round(round1(p) * 10))).toBe(true);
      }),
    );
  });
});
