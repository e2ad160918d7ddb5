import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ExcelJS from "exceljs";
import { createAccount, login, trpcWithCookie, type NewAccount } from "../support/accounts.js";
import { admission, census, discharge, post, referral, SONG_MA, treatment, uid } from "../support/contract-helpers.js";
import { startTestServer, type TestServer } from "../support/server.js";

/**
 * Issue 8, the monthly report of a province: `/reports/<province>/<YYYY-MM>.xlsx` (Vietnamese
 * headers, numbers as numbers) and the same figures for the A4 page through tRPC
 * `reports.monthly`; for admins and managers of the province only.
 */

let s: TestServer;
const cookies: Record<string, string> = {};
const at = (local: string) => new Date(Date.parse(`${local}+07:00`)).toISOString();
const MONTH = "2026-11";

beforeAll(async () => {
  s = await startTestServer();
  const accounts: NewAccount[] = [
    { email: "manager.sl@example.vn", role: "manager", provinces: ["son-la"] },
    { email: "manager.lc@example.vn", role: "manager", provinces: ["lao-cai"] },
    { email: "clerk@example.vn", role: "facility", facilityId: SONG_MA },
  ];
  for (const a of accounts) {
    const email = a.email;
    await createAccount(s, a);
    cookies[email] = (await login(s.url, email)).cookie!;
  }
  const key = await s.key(SONG_MA);
  const events = [
    census(SONG_MA, 90, Date.parse(at("2026-11-10T08:00:00")), { event_id: uid() }),
    treatment(SONG_MA, "methadone", 5, Date.parse(at("2026-11-12T09:00:00")), { event_id: uid() }),
    admission(SONG_MA, 3, Date.parse(at("2026-11-15T10:00:00")), { event_id: uid() }),
    discharge(SONG_MA, 1, Date.parse(at("2026-11-20T10:00:00")), { event_id: uid() }),
    referral(SONG_MA, "r-1", "requested", Date.parse(at("2026-11-25T10:00:00")), { event_id: uid(), urgency: "urgent" }),
    // December's admission is not November's.
    admission(SONG_MA, 7, Date.parse(at("2026-12-01T10:00:00")), { event_id: uid() }),
  ];
  await post(s.url, key, { events }, 202);
});
afterAll(() => s?.stop());

const xlsx = (cookie: string | null, path: string) => fetch(`${s.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });

describe("the monthly report", () => {
  it("as XLSX: Vietnamese headers, the month's figures as numbers, a total row", async () => {
    const r = await xlsx(cookies["manager.sl@example.vn"]!, `/reports/son-la/${MONTH}.xlsx`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("spreadsheetml");
    expect(r.headers.get("content-disposition")).toContain(`son-la-${MONTH}.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await r.arrayBuffer());
    expect(wb.worksheets.map((w) => w.name)).toEqual(["Tổng hợp", "Theo ngày", "Điều trị", "Chuyển tuyến", "Kế hoạch"]);
    const summary = wb.getWorksheet("Tổng hợp")!;
    expect(summary.getRow(2).values).toContain("Tiếp nhận");
    const row = summary.getRows(4, summary.rowCount - 3)!.find((x) => x.getCell(1).value === "Cơ sở Điều trị nghiện ma túy Sông Mã")!;
    // capacity, mean, peak, end, mean occupancy, admissions, discharges, open referrals
    // mean: 9 days at 0, 5 at 90, 5 at 93, 11 at 92 → 1.927 ÷ 30 = 64,2.
    expect([3, 4, 5, 6, 7, 8, 9, 10].map((i) => row.getCell(i).value)).toEqual([150, 64.2, 93, 92, 42.8, 3, 1, 1]);
    expect(summary.getColumn(7).numFmt).toContain("%");
    const days = wb.getWorksheet("Theo ngày")!;
    expect(days.rowCount).toBe(3 + 30);
    expect(days.getRow(4).getCell(1).value).toBe("01/11/2026");
    const treatments = wb.getWorksheet("Điều trị")!;
    expect(treatments.getRow(2).values).toContain("Điều trị methadone");
    const referrals = wb.getWorksheet("Chuyển tuyến")!;
    const last = referrals.getRow(referrals.rowCount);
    expect(last.getCell(1).value).toMatch(/^Toàn tỉnh/);
    expect(last.getCell(2).value).toBe(1); // one "requested" move in November
  });

  it("the A4 page's data says the same", async () => {
    const t = trpcWithCookie(s.url, cookies["manager.sl@example.vn"]!);
    const report = await t.reports.monthly.query({ province: "son-la", month: MONTH });
    const f = report.facilities.find((x) => x.id === SONG_MA)!;
    expect(f).toMatchObject({ admissions: 3, discharges: 1, occupiedEnd: 92, occupiedPeak: 93, occupiedMean: 64.2, openReferralsAtEnd: 1 });
    expect(f.treatments.methadone).toBe(5);
    expect(report).toMatchObject({ firstDay: "2026-11-01", lastDay: "2026-11-30" });
    expect(report.facilities.every((x) => s.store.registry.byId.get(x.id)?.province === "son-la")).toBe(true);
    expect((await t.reports.provinces.query()).map((p) => p.id)).toEqual(["son-la"]);
  });

  it("refuses whoever may not read the province, and says so", async () => {
    expect((await xlsx(null, `/reports/son-la/${MONTH}.xlsx`)).status).toBe(302);
    for (const who of ["manager.lc@example.vn", "clerk@example.vn"]) {
      const r = await xlsx(cookies[who]!, `/reports/son-la/${MONTH}.xlsx`);
      expect(r.status, who).toBe(403);
      expect(r.headers.get("content-type")).toContain("problem+json");
    }
    expect((await xlsx(cookies["manager.sl@example.vn"]!, `/reports/atlantis/${MONTH}.xlsx`)).status).toBe(404);
    expect((await xlsx(cookies["manager.sl@example.vn"]!, `/reports/son-la/2026-13.xlsx`)).status).toBe(404);
    const lc = trpcWithCookie(s.url, cookies["manager.lc@example.vn"]!);
    await expect(lc.reports.monthly.query({ province: "son-la", month: MONTH })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    const clerk = trpcWithCookie(s.url, cookies["clerk@example.vn"]!);
    await expect(clerk.reports.monthly.query({ province: "son-la", month: MONTH })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
  });
});
