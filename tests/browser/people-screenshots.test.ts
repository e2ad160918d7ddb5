import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { createAccount, login } from "../support/accounts.js";
import { admission, census, treatment } from "../support/contract-helpers.js";
import { postEvents, ROOT, startTestServer, type TestServer } from "../support/server.js";

/**
 * The README's pictures of the pages people use (issue 7): /login, /admin, /entry on a phone and
 * /import with a preview that shows a problem, against a real server with a little history, so
 * what they show is what a person sees. Like wall-screenshots.test.ts: every run saves them under
 * tests/artifacts/screenshots; UPDATE_SCREENSHOTS=1 refreshes docs/screenshots.
 */
const SHOTS = path.join(ROOT, process.env.UPDATE_SCREENSHOTS === "1" ? "docs/screenshots" : "tests/artifacts/screenshots");
const DESKTOP = { width: 1920, height: 1080 } as const;
const PHONE = { width: 390, height: 844 } as const;
const REHAB = "sl-drug-rehab";

let browser: Browser;
let server: TestServer;
const contexts: BrowserContext[] = [];
const cookies = { admin: "", clerk: "" };

async function open(cookie: string | null, viewport: { width: number; height: number }): Promise<Page> {
  const ctx = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: "vi-VN", timezoneId: "Asia/Ho_Chi_Minh" });
  contexts.push(ctx);
  if (cookie) {
    const [name, value] = cookie.split(/=(.*)/s) as [string, string];
    await ctx.addCookies([{ name, value, url: server.url }]);
  }
  const page = await ctx.newPage();
  page.on("pageerror", (e) => {
    throw e;
  });
  return page;
}

/** dd/mm/yyyy hh:mm in Asia/Ho_Chi_Minh (UTC+7, no DST), `minutesAgo` before now. */
function local(minutesAgo: number): string {
  const d = new Date(Date.now() + 7 * 3_600_000 - minutesAgo * 60_000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [browser, server] = await Promise.all([launchChromium(), startTestServer()]);
  // The accounts, keys and displays a province's administrator has set up.
  await createAccount(server, { email: "quan.tri@sldtbxh.sonla.gov.vn", role: "admin" });
  await createAccount(server, { email: "lanh.dao@sldtbxh.sonla.gov.vn", role: "manager", provinces: ["son-la"] });
  await createAccount(server, { email: "giam.sat@sldtbxh.laocai.gov.vn", role: "manager", provinces: ["lao-cai"] });
  await createAccount(server, { email: "thu.ky@cainghien.sonla.gov.vn", role: "facility", facilityId: REHAB });
  await createAccount(server, { email: "ke.toan@baotroxahoi.sonla.gov.vn", role: "facility", facilityId: "sl-social-protection", password: null });
  for (const f of [REHAB, "sl-psychiatric", "lc-drug-rehab-1"]) await server.key(f);
  await server.store.credentials.createDisplay("Phòng điều hành Sở Sơn La", Date.now(), ["son-la"]);
  await server.store.credentials.createDisplay("Màn hình hội trường tỉnh Lào Cai", Date.now(), ["lao-cai"]);
  cookies.admin = (await login(server.url, "quan.tri@sldtbxh.sonla.gov.vn")).cookie!;
  cookies.clerk = (await login(server.url, "thu.ky@cainghien.sonla.gov.vn")).cookie!;
  // This morning's figures at the clerk's facility, posted by its system.
  const key = await server.key(REHAB);
  const at = (min: number) => Date.now() - min * 60_000;
  const events = [
    census(REHAB, 182, at(180), { unit: "compulsory" }),
    census(REHAB, 64, at(180), { unit: "voluntary" }),
    census(REHAB, 23, at(180), { unit: "female" }),
    census(REHAB, 9, at(180), { unit: "medical" }),
    admission(REHAB, 3, at(120), { unit: "compulsory", cohort: "compulsory" }),
    admission(REHAB, 1, at(90), { unit: "voluntary", cohort: "voluntary" }),
    treatment(REHAB, "methadone", 41, at(60)),
  ];
  const r = await postEvents(server.url, key, { events });
  expect(r.status, r.text).toBe(202);
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

describe("screenshots of the people's pages", () => {
  it("/login at 1920×1080", async () => {
    const page = await open(null, DESKTOP);
    await page.goto(`${server.url}/login?next=%2Fadmin`);
    await page.getByRole("heading", { level: 1, name: "Đăng nhập" }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, "login.png") });
  });

  it("/admin at 1920×1080: accounts, keys and displays", async () => {
    const page = await open(cookies.admin, DESKTOP);
    await page.goto(`${server.url}/admin`);
    await page.getByText("lanh.dao@sldtbxh.sonla.gov.vn").first().waitFor();
    await page.waitForLoadState("networkidle");
    await page.screenshot({ path: path.join(SHOTS, "admin.png"), fullPage: true });
  });

  it("/entry on a 390×844 phone: the facility's units and the census form", async () => {
    const page = await open(cookies.clerk, PHONE);
    await page.goto(`${server.url}/entry`);
    await page.getByRole("heading", { level: 1, name: "Cơ sở Điều trị nghiện ma túy tỉnh Sơn La" }).waitFor();
    await expect.poll(() => page.locator("body").innerText()).toMatch(/185/);
    await page.screenshot({ path: path.join(SHOTS, "entry-phone.png") });
  });

  it("/import at 1920×1080: a preview with its problems by row and column", async () => {
    const page = await open(cookies.clerk, DESKTOP);
    await page.goto(`${server.url}/import`);
    await page.getByRole("heading", { level: 1, name: "Nhập số liệu từ bảng tính" }).waitFor();
    const lines = ["Mã sự kiện,Loại,Khu,Thời điểm,Số đang điều trị,Số lượng,Đối tượng,Kết quả ra viện,Loại điều trị"];
    lines.push(`,census,compulsory,${local(600)},180,,,,`);
    lines.push(`,admission,compulsory,${local(540)},,2,compulsory,,`);
    lines.push(`,admission,tầng 2,${local(530)},,1,voluntary,,`);
    lines.push(`,discharge,voluntary,${local(500)},,1,,completed,`);
    lines.push(`,treatment,,31/11/2026 08:00,,12,,,methadone`);
    for (let i = 0; i < 40; i++) lines.push(`,treatment,,${local(480 - i * 5)},,${1 + (i % 4)},,,${i % 2 ? "psychosocial" : "methadone"}`);
    await page.locator('input[type="file"]').setInputFiles({ name: "so-lieu-thang-11.csv", mimeType: "text/csv", buffer: Buffer.from(lines.join("\n")) });
    await page.getByTestId("preview").waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId("problem-count").innerText()).toMatch(/^⚠ 2 lỗi/);
    await page.screenshot({ path: path.join(SHOTS, "import.png"), fullPage: true });
  });
});
