import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { createAccount, STRONG_PASSWORD } from "../support/accounts.js";
import { ROOT, startTestServer, type TestServer } from "../support/server.js";

/**
 * /import in real Chromium against the real server: a clerk on a 390×844 phone previews a
 * generated CSV with errors (shown by row and column, nothing stored), then the corrected file,
 * imports it with the progress bar, and imports it again (all duplicates); an admin at 1080p
 * chooses the facility.
 */
const PHONE = { width: 390, height: 844 } as const;
const DESKTOP = { width: 1920, height: 1080 } as const;
const FACILITY = "sl-drug-rehab";
const SHOTS = path.join(ROOT, "tests/artifacts/screenshots");
const ROWS = 3000;

let browser: Browser;
let server: TestServer;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  server = await startTestServer();
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

/** dd/mm/yyyy hh:mm in Asia/Ho_Chi_Minh (UTC+7, no DST), `minutesAgo` before now. */
function local(minutesAgo: number): string {
  const d = new Date(Date.now() + 7 * 3_600_000 - minutesAgo * 60_000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

function csv(broken: boolean): Buffer {
  const lines = ["Mã sự kiện,Loại,Khu,Thời điểm,Số lượng,Loại điều trị"];
  lines.push(`,admission,compulsory,${local(30)},5,`);
  lines.push(broken ? `,admission,,${local(29)},2,` : `,admission,voluntary,${local(29)},2,`);
  lines.push(broken ? `,treatment,,hôm qua,3,detox` : `,treatment,,${local(28)},3,detox`);
  for (let i = 0; i < ROWS - 3; i++) lines.push(`,treatment,,${local(20 + (i % 10))},${1 + i},psychosocial`); // distinct rows: distinct derived ids
  return Buffer.from(lines.join("\n"), "utf8");
}

async function loginAt(page: Page, email: string) {
  await page.goto(`${server.url}/import`);
  await page.waitForURL(`${server.url}/login?next=%2Fimport`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Mật khẩu", { exact: true }).fill(STRONG_PASSWORD);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.waitForURL(`${server.url}/import`);
  await page.getByRole("heading", { level: 1, name: "Nhập số liệu từ bảng tính" }).waitFor();
}

async function upload(page: Page, name: string, body: Buffer) {
  await page.locator('input[type="file"]').setInputFiles({ name, mimeType: "text/csv", buffer: body });
  await page.getByTestId("preview").waitFor({ timeout: 15_000 });
}

describe("/import", () => {
  it("a clerk on a phone: errors by row and column with nothing stored, then import with progress, then all duplicates", async () => {
    const email = `nhap.${process.pid}@sldtbxh.gov.vn`;
    await createAccount(server, { email, role: "facility", facilityId: FACILITY });
    const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1, locale: "vi-VN", timezoneId: "Asia/Ho_Chi_Minh" });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await loginAt(page, email);
    await page.getByText("Cơ sở Điều trị nghiện ma túy tỉnh Sơn La").waitFor();

    const before = await server.store.reads.countEvents();
    await upload(page, "loi.csv", csv(true));
    await expect.poll(() => page.getByTestId("problem-count").innerText()).toMatch(/^⚠ 2 lỗi/);
    const rows = await page.getByTestId("problems").locator("tbody tr").allInnerTexts();
    expect(rows.map((r) => r.split("\t").slice(0, 2).join(":"))).toEqual(["3:Khu", "4:Thời điểm"]);
    expect(await page.getByRole("button", { name: "Nhập", exact: true }).count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, "import-errors-390.png"), fullPage: true });
    expect(await server.store.reads.countEvents()).toBe(before);

    const good = csv(false);
    await upload(page, "dung.csv", good);
    await page.getByTestId("no-problems").waitFor();
    expect(await page.getByTestId("preview-rows").innerText()).toBe((3000).toLocaleString("vi-VN"));
    await page.getByRole("button", { name: "Nhập", exact: true }).click();
    await page.getByTestId("progress").locator("progress").waitFor();
    const result = page.getByTestId("result");
    await result.waitFor({ timeout: 30_000 });
    expect(await result.innerText()).toMatch(/^✓ Đã nhập: 3\.000 sự kiện mới, 0 trùng/);
    await page.screenshot({ path: path.join(SHOTS, "import-done-390.png"), fullPage: true });
    expect(await server.store.reads.countEvents()).toBe(before + ROWS);
    const st = (await server.store.reads.facilityStatus(FACILITY, Date.now()))!;
    expect(st.units.find((u) => u.unit_id === "compulsory")!.occupied).toBe(5);

    await upload(page, "dung.csv", good);
    await page.getByRole("button", { name: "Nhập", exact: true }).click();
    await expect.poll(() => page.getByTestId("result").innerText(), { timeout: 30_000 }).toMatch(/0 sự kiện mới, 3\.000 trùng/);
    expect(await server.store.reads.countEvents()).toBe(before + ROWS);
    expect(errors).toEqual([]);
  });

  it("an admin at 1080p chooses the facility", async () => {
    const email = `quan.tri.${process.pid}@sldtbxh.gov.vn`;
    await createAccount(server, { email, role: "admin" });
    const context = await browser.newContext({ viewport: DESKTOP, deviceScaleFactor: 1, locale: "vi-VN", timezoneId: "Asia/Ho_Chi_Minh" });
    contexts.push(context);
    const page = await context.newPage();
    await loginAt(page, email);
    await page.getByLabel("Cơ sở").selectOption("sl-merit-nursing");
    await upload(page, "cham-soc.csv", Buffer.from(`Loại,Thời điểm,Số đang điều trị\ncensus,${local(10)},42\n`));
    await page.getByTestId("no-problems").waitFor();
    await page.getByRole("button", { name: "Nhập", exact: true }).click();
    await expect.poll(() => page.getByTestId("result").innerText(), { timeout: 30_000 }).toMatch(/^✓ Đã nhập: 1 sự kiện mới/);
    await page.screenshot({ path: path.join(SHOTS, "import-admin-1080.png"), fullPage: true });
    expect((await server.store.reads.facilityStatus("sl-merit-nursing", Date.now()))!.occupied).toBe(42);
  });
});
