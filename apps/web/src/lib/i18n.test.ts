import { describe, expect, it } from "vitest";
import { describeEvent, fmtAgo, fmtClock, fmtDate, fmtDuration, fmtFreshness, fmtNumber, fmtPercent, fmtTime, shortName } from "./i18n";
import { columnsFor, groupFacilities, paginate, rowsOf } from "./layout";
import type { FacilityStatus } from "@carewatch/domain";

describe("numbers and dates (vi first)", () => {
  it("formats numbers the Vietnamese way", () => {
    expect(fmtNumber(1151)).toBe("1.151");
    expect(fmtNumber(14650, "vi")).toBe("14.650");
    expect(fmtNumber(1151, "en")).toBe("1,151");
    expect(fmtPercent(87.5, "vi")).toBe("87,5 %");
    expect(fmtPercent(null, "vi")).toBe("—");
  });

  it("dates are dd/MM/yyyy in Asia/Ho_Chi_Minh", () => {
    expect(fmtDate(Date.UTC(2026, 10, 22, 3, 0))).toBe("22/11/2026");
  });

  it("Asia/Ho_Chi_Minh across midnight UTC: 17:30Z on the 21st is 00:30 on the 22nd", () => {
    const t = Date.UTC(2026, 10, 21, 17, 30, 5);
    expect(fmtDate(t)).toBe("22/11/2026");
    expect(fmtTime(t)).toBe("00:30:05");
    expect(fmtTime(t, false)).toBe("00:30");
    expect(fmtClock(t)).toBe("00:30:05 22/11/2026");
    // and 16:59:59Z is still the 21st, 23:59:59
    expect(fmtClock(Date.UTC(2026, 10, 21, 16, 59, 59))).toBe("23:59:59 21/11/2026");
  });

  it("relative freshness", () => {
    expect(fmtFreshness(3 * 60_000 + 10_000, "vi")).toBe("cập nhật 3 phút trước");
    expect(fmtFreshness(3 * 60_000, "en")).toBe("updated 3 min ago");
    expect(fmtAgo(2_000, "vi")).toBe("vừa xong");
    expect(fmtAgo(12_000, "vi")).toBe("12 giây trước");
    expect(fmtDuration(45 * 60_000, "vi")).toBe("45 phút");
    expect(fmtDuration(125 * 60_000, "vi")).toBe("2 giờ 5 phút");
    expect(fmtDuration(3 * 86_400_000, "en")).toBe("3 days");
  });

  it("dates and times in another zone when asked", () => {
    const t = Date.UTC(2026, 10, 21, 17, 30, 5);
    expect(fmtClock(t, "Asia/Tokyo")).toBe("02:30:05 22/11/2026");
    expect(fmtTime(t, false, "UTC")).toBe("17:30");
  });
});

describe("ticker wording", () => {
  it("says what happened", () => {
    expect(describeEvent({ type: "admission", detail: { count: 2 }, unit: "compulsory" }, "vi", "Khu cai nghiện bắt buộc")).toBe(
      "Nhập 2 · Khu cai nghiện bắt buộc",
    );
    expect(describeEvent({ type: "referral", detail: { status: "accepted", destination: "BV Đa khoa tỉnh" }, unit: null }, "vi")).toBe(
      "Chuyển tuyến: đã chấp nhận → BV Đa khoa tỉnh",
    );
    expect(describeEvent({ type: "treatment", detail: { category: "detox", count: 1200 }, unit: null }, "vi")).toBe("Cắt cơn × 1.200");
    expect(describeEvent({ type: "discharge", detail: { count: 1, outcome: "completed" }, unit: null }, "en")).toBe("Out 1 (completed)");
  });

  it("short names fit the strip", () => {
    expect(shortName("Trung tâm Bảo trợ xã hội tỉnh Sơn La", "vi")).toBe("TT BTXH Sơn La");
    expect(shortName("Cơ sở cai nghiện ma túy số 1 tỉnh Lào Cai", "vi")).toBe("CS cai nghiện số 1 Lào Cai");
  });
});

describe("layout", () => {
  const f = (id: string, province: string, type: FacilityStatus["type"]): FacilityStatus =>
    ({ facility_id: id, name: id, name_en: id, province, type, capacity: 100, occupied: 90, available: 10 }) as FacilityStatus;

  it("groups by province then type, with totals, and pages rows", () => {
    const list = [f("a", "sl", "drug_rehab"), f("b", "sl", "drug_rehab"), f("c", "sl", "psychiatric"), f("d", "lc", "social_work")];
    const groups = groupFacilities(list, [
      { id: "sl", name: "Sơn La" },
      { id: "lc", name: "Lào Cai" },
    ]);
    expect(groups.map((g) => g.province.name)).toEqual(["Sơn La", "Lào Cai"]);
    expect(groups[0]?.totals).toEqual({ facilities: 3, capacity: 300, occupied: 270, available: 30 });
    const rows = rowsOf(groups, 2);
    expect(rows.map((r) => r.chunks.map((c) => c.facilities.map((x) => x.facility_id)))).toEqual([[["a", "b"]], [["c"]], [["d"]]]);
    expect(rows[1]?.continued).toBe(true);
    expect(paginate(rows, 2)).toHaveLength(2);
    expect(columnsFor(1920, 1080)).toBe(5);
    expect(columnsFor(3840, 2160)).toBe(5);
  });
});
