import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { createAccount, STRONG_PASSWORD } from "../support/accounts.js";
import { admission, census, post, SONG_MA, treatment, uid } from "../support/contract-helpers.js";
import { ROOT, startTestServer, type TestServer } from "../support/server.js";

/**
 * Issue 8, exports in real Chromium: a manager picks a province and a month at /reports, opens
 * the print-ready A4 page, downloads the month's XLSX (opened and checked here), and prints
 * the page to an A4 PDF. Screenshots in docs/screenshots.
 */
const DOCS = path.join(ROOT, "docs/screenshots");
const MANAGER = "bao.cao@sonla.gov.vn";
const at = (local: string) => Date.parse(`${local}+07:00`);

let browser: Browser;
let server: TestServer;

beforeAll(async () => {
  mkdirSync(DOCS, { recursive: true });
  browser = await launchChromium();
  server = await startTestServer();
  await createAccount(server, { email: MANAGER, role: "manager", provinces: ["son-la"] });
  const key = await server.key(SONG_MA);
  const events = [
    census(SONG_MA, 120, at("2026-11-01T08:00:00"), { event_id: uid() }),
    admission(SONG_MA, 6, at("2026-11-05T09:00:00"), { event_id: uid() }),
    admission(SONG_MA, 4, at("2026-11-18T09:00:00"), { event_id: uid() }),
    treatment(SONG_MA, "methadone", 30, at("2026-11-07T09:00:00"), { event_id: uid() }),
  ];
  await post(server.url, key, { events }, 202);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function loggedIn(next: string, viewport = { width: 1920, height: 1080 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: "vi-VN", timezoneId: "Asia/Ho_Chi_Minh", acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${server.url}${next}`);
  await page.waitForURL(/\/login\?next=/, { timeout: 5000 });
  await page.getByLabel("Email").fill(MANAGER);
  await page.getByLabel("Mật khẩu", { exact: true }).fill(STRONG_PASSWORD);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.waitForURL(`${server.url}${next}`, { timeout: 5000 });
  return page;
}

describe("monthly report", () => {
  it("from /reports to the A4 page, the XLSX downloaded and opened, the page printed to A4", async () => {
    const page = await loggedIn("/reports");
    await page.getByTestId("report-province").locator("option", { hasText: "Sơn La" }).waitFor({ state: "attached", timeout: 5000 });
    await page.getByTestId("report-month").fill("2026-11");
    await page.getByTestId("report-open").click();
    await page.waitForURL(`${server.url}/reports/son-la/2026-11`, { timeout: 5000 });
    const sheet = page.getByTestId("report-sheet");
    await sheet.getByRole("heading", { level: 1, name: "Báo cáo tháng 11/2026 — Sơn La" }).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId("kpi-admissions").innerText()).toBe("10");
    expect(await sheet.locator(`tr[data-facility="${SONG_MA}"]`).innerText()).toContain("150");
    await page.screenshot({ path: path.join(DOCS, "report-a4.png"), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("report-xlsx").click()]);
    expect(download.suggestedFilename()).toBe("carewatch-bao-cao-son-la-2026-11.xlsx");
    const wb = new ExcelJS.Workbook();
    const file = readFileSync((await download.path())!);
    await wb.xlsx.load(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer);
    const summary = wb.getWorksheet("Tổng hợp")!;
    const row = summary.getRows(4, summary.rowCount - 3)!.find((r) => r.getCell(1).value === "Cơ sở Điều trị nghiện ma túy Sông Mã")!;
    expect(row.getCell(8).value).toBe(10); // admissions
    const treatments = wb.getWorksheet("Điều trị")!;
    expect(treatments.getRow(treatments.rowCount).values).toContain(30);

    // Printed: A4 pages (595 × 842 pt), the top bar and the buttons left out.
    await page.emulateMedia({ media: "print" });
    expect(await page.locator("header.nav").isVisible()).toBe(false);
    const pdf = await page.pdf({ preferCSSPageSize: true });
    const text = pdf.toString("latin1");
    expect(text).toMatch(/\/MediaBox \[0 0 59[45](\.\d+)? 84[12](\.\d+)?\]/);
  });

  it("fits a phone", async () => {
    const page = await loggedIn("/reports/son-la/2026-11", { width: 390, height: 844 });
    await page.getByTestId("report-sheet").getByRole("heading", { level: 1 }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: path.join(DOCS, "report-phone.png") });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  });
});
