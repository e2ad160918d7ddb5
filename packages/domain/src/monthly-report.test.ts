import { describe, expect, it } from "vitest";
import { buildMonthlyReport, monthBounds, monthDays, MonthlyReportInput, type ReportDay, type ReportFacilityInput } from "./monthly-report.js";

const TZ = "Asia/Ho_Chi_Minh";

function day(d: string, occupied: number, capacity: number, admissions = 0, discharges = 0, treatments: Record<string, number> = {}): ReportDay {
  const start = Date.parse(`${d}T00:00:00+07:00`);
  return { day: d, start, end: start + 86_400_000, at: start + 86_400_000 - 1, occupied, capacity, level: "normal", admissions, discharges, treatments };
}

function facility(id: string, days: ReportDay[], moves: string[] = [], open = 0): ReportFacilityInput {
  return {
    id,
    name: id,
    nameEn: id,
    type: "drug_rehab",
    timeZone: TZ,
    days,
    referralMoves: moves.map((status) => ({ status: status as never })),
    openReferralsAtEnd: open,
  };
}

describe("months", () => {
  it("lists a month's local days, leap years included", () => {
    expect(monthDays("2026-02")).toHaveLength(28);
    expect(monthDays("2028-02").at(-1)).toBe("2028-02-29");
    expect(monthDays("2026-12").slice(0, 2)).toEqual(["2026-12-01", "2026-12-02"]);
  });
  it("bounds a month in the zone: 1 Nov 00:00 in Hà Nội is 31 Oct 17:00 UTC", () => {
    expect(monthBounds("2026-11", TZ)).toEqual({ start: Date.parse("2026-10-31T17:00:00Z"), end: Date.parse("2026-11-30T17:00:00Z") });
    expect(monthBounds("2026-12", TZ).end).toBe(Date.parse("2026-12-31T17:00:00Z"));
  });
  it("accepts YYYY-MM only", () => {
    expect(MonthlyReportInput.safeParse({ province: "son-la", month: "2026-11" }).success).toBe(true);
    for (const month of ["2026-13", "2026-1", "26-11", "2026-11-01"]) expect(MonthlyReportInput.safeParse({ province: "son-la", month }).success).toBe(false);
  });
});

describe("the monthly report (hand-checked)", () => {
  const a = facility(
    "a",
    [day("2026-11-01", 90, 100, 5, 1, { methadone: 10 }), day("2026-11-02", 96, 100, 7, 1, { methadone: 12, detox: 2 }), day("2026-11-03", 93, 100, 0, 3)],
    ["requested", "accepted", "requested"],
    1,
  );
  const b = facility("b", [day("2026-11-01", 40, 50), day("2026-11-02", 45, 50, 5), day("2026-11-03", 50, 60, 5)]);
  const r = buildMonthlyReport({
    province: { id: "son-la", name: "Sơn La" },
    month: "2026-11",
    now: Date.parse("2026-11-03T10:00:00+07:00"),
    facilities: [a, b],
    targets: null,
  });

  it("sums each facility's month and takes the mean and peak of its daily occupied", () => {
    const [ra, rb] = r.facilities;
    expect(ra).toMatchObject({
      capacity: 100,
      occupiedEnd: 93,
      occupiedMean: 93,
      occupiedPeak: 96,
      occupancyPct: 93,
      admissions: 12,
      discharges: 5,
      openReferralsAtEnd: 1,
    });
    expect(ra!.treatments).toMatchObject({ methadone: 22, detox: 2, vocational: 0 });
    expect(ra!.referrals).toEqual({ requested: 2, accepted: 1, transferred: 0, returned: 0, cancelled: 0 });
    // b's capacity grew on the 3rd: the report shows the latest; the mean is (40+45+50)/3 = 45.
    expect(rb).toMatchObject({ capacity: 60, occupiedMean: 45, occupancyPct: 75 });
  });

  it("totals the province, its peak being the busiest day of the province (93+50 = 143 on the 3rd), not the sum of peaks (96+50)", () => {
    expect(r.totals).toMatchObject({
      capacity: 160,
      occupiedEnd: 143,
      occupiedMean: 138,
      occupiedPeak: 143,
      admissions: 22,
      discharges: 5,
      openReferralsAtEnd: 1,
    });
    expect(r.totals.occupancyPct).toBe(86.3);
    expect(r.daily).toEqual([
      { day: "2026-11-01", occupied: 130, capacity: 150, admissions: 5, discharges: 1 },
      { day: "2026-11-02", occupied: 141, capacity: 150, admissions: 12, discharges: 1 },
      { day: "2026-11-03", occupied: 143, capacity: 160, admissions: 5, discharges: 3 },
    ]);
  });

  it("says when the month is not over yet, and which days it covers", () => {
    expect(r).toMatchObject({ firstDay: "2026-11-01", lastDay: "2026-11-03", complete: false });
    const later = buildMonthlyReport({ province: r.province, month: "2026-11", now: Date.parse("2026-12-01T00:00:00+07:00"), facilities: [a], targets: null });
    expect(later.complete).toBe(true);
  });
});
