import { describe, expect, it } from "vitest";
import { referralMessages } from "./messages";
import { fmtStamp, overdueText, referralsCsv, segments, type PresentedReferral } from "./present";

const HOUR = 3_600_000;
const T0 = Date.parse("2026-11-22T01:00:00Z"); // 08:00 in Hà Nội
const row: PresentedReferral = {
  facilityName: "Cơ sở Điều trị nghiện ma túy Sông Mã",
  facilityNameEn: "Song Ma Drug Treatment Facility",
  province: "son-la",
  timeZone: "Asia/Ho_Chi_Minh",
  destination: "Bệnh viện Đa khoa tỉnh Sơn La",
  urgency: "emergency",
  status: "accepted",
  open: true,
  startedAt: T0,
  ageMs: 3 * HOUR,
  thresholdMs: 2 * HOUR,
  overdue: true,
  overdueByMs: HOUR,
  steps: [
    { status: "requested", at: T0, startsAt: T0, durationMs: HOUR, current: false },
    { status: "accepted", at: T0 + HOUR, startsAt: T0 + HOUR, durationMs: 2 * HOUR, current: true },
  ],
};

describe("presenting a referral", () => {
  it("times in the facility's zone as dd/mm/yyyy hh:mm", () => {
    expect(fmtStamp(T0, "Asia/Ho_Chi_Minh")).toBe("22/11/2026 08:00");
  });

  it("the overdue flag in words, in both languages", () => {
    expect(overdueText(row, "vi", referralMessages("vi"))).toEqual({ icon: "⚠", text: "Quá hạn 1 giờ", kind: "overdue" });
    expect(overdueText({ ...row, overdue: false, open: false }, "en", referralMessages("en")).text).toBe("Closed");
  });

  it("the bar's segments are the steps' shares of the wait", () => {
    expect(segments(row).map((s) => [s.status, s.share])).toEqual([
      ["requested", 1 / 3],
      ["accepted", 2 / 3],
    ]);
  });

  it("the CSV holds the row as the table shows it, with a BOM", () => {
    const csv = referralsCsv([row], () => "Sơn La", "vi", referralMessages("vi"));
    expect(csv.split("\r\n")).toEqual([
      "\uFEFFCơ sở,Tỉnh,Nơi chuyển đến,Mức khẩn,Bước hiện tại,Đề nghị lúc,Thời gian,Quá hạn,Tiến trình",
      "Cơ sở Điều trị nghiện ma túy Sông Mã,Sơn La,Bệnh viện Đa khoa tỉnh Sơn La,cấp cứu,đã chấp nhận,22/11/2026 08:00,3 giờ,Quá hạn 1 giờ,đã đề nghị 1 giờ → đã chấp nhận 2 giờ",
      "",
    ]);
  });
});
