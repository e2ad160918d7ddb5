import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { createAccount, STRONG_PASSWORD } from "../support/accounts.js";
import { HOUR, MIN, referral } from "../support/contract-helpers.js";
import { postEvents, ROOT, startTestServer, type TestServer } from "../support/server.js";

/**
 * /referrals in real Chromium against the real server: a manager sees an overdue referral
 * flagged (posted with an occurred_at hours in the past), opens its timeline and reads every
 * step, filters to overdue only (in the URL, so a reload keeps it), downloads the table as CSV
 * and finds its rows; at 1080p, 4K and on a 390×844 phone.
 */
const DESKTOP = { width: 1920, height: 1080 } as const;
const UHD = { width: 3840, height: 2160 } as const;
const PHONE = { width: 390, height: 844 } as const;
// Every run saves its screenshots under tests/artifacts; the README's copies only on request.
const SHOTS = path.join(ROOT, process.env.UPDATE_SCREENSHOTS === "1" ? "docs/screenshots" : "tests/artifacts/screenshots");
const SONG_MA = "sl-drug-rehab-song-ma";
const PSY = "sl-psychiatric";
const LC = "lc-social-work";
const EMAIL = "quan.ly@sldtbxh.gov.vn";

let browser: Browser;
let server: TestServer;
const contexts: BrowserContext[] = [];
const now = Date.now();

/** dd/mm/yyyy hh:mm in Asia/Ho_Chi_Minh (UTC+7, no DST). */
function local(ms: number): string {
  const d = new Date(ms + 7 * HOUR);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

// Whole minutes, so the times the page shows are exactly these.
const at = (msAgo: number) => Math.floor((now - msAgo) / MIN) * MIN;
const EMERG_REQUESTED = at(5 * HOUR);
const EMERG_ACCEPTED = at(4 * HOUR);

async function post(facility: string, events: unknown[]) {
  const r = await postEvents(server.url, await server.key(facility), { events });
  expect(r.status, r.text).toBe(202);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  server = await startTestServer();
  // Overdue: an emergency referral requested 5 h ago (threshold 2 h), accepted an hour later.
  await post(SONG_MA, [
    referral(SONG_MA, "SM-1", "requested", EMERG_REQUESTED, { urgency: "emergency" }),
    referral(SONG_MA, "SM-1", "accepted", EMERG_ACCEPTED),
  ]);
  // On time: an urgent one from 3 h ago, and a routine one transferred; a closed one.
  await post(PSY, [
    referral(PSY, "PSY-1", "requested", at(3 * HOUR), { urgency: "urgent", destination: "Bệnh viện Tâm thần Trung ương 1" }),
    referral(PSY, "PSY-2", "requested", at(30 * HOUR), { urgency: "routine" }),
    referral(PSY, "PSY-2", "accepted", at(28 * HOUR)),
    referral(PSY, "PSY-2", "transferred", at(20 * HOUR)),
    referral(PSY, "PSY-3", "requested", at(50 * HOUR), { urgency: "urgent", destination: "Bệnh viện Bạch Mai" }),
    referral(PSY, "PSY-3", "cancelled", at(49 * HOUR), { destination: "Bệnh viện Bạch Mai" }),
  ]);
  // Lào Cai, outside the Sơn La manager's provinces: never on their page.
  await post(LC, [referral(LC, "LC-1", "requested", at(10 * 24 * HOUR), { urgency: "routine", destination: "Bệnh viện tỉnh Lào Cai" })]);
  await createAccount(server, { email: EMAIL, role: "manager", provinces: ["son-la"] });
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

async function managerPage(viewport: { width: number; height: number }, query = ""): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: "vi-VN", timezoneId: "Asia/Ho_Chi_Minh", acceptDownloads: true });
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (msg) => {
    // The browser's own favicon request is answered by the server's page guard, not by this page.
    if (msg.type() === "error" && !msg.location().url.endsWith("/favicon.ico")) errors.push(`${msg.text()} ${msg.location().url}`);
  });
  await page.goto(`${server.url}/referrals${query}`);
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Mật khẩu", { exact: true }).fill(STRONG_PASSWORD);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.waitForURL(`${server.url}/referrals${query}`);
  await page.getByRole("heading", { level: 1, name: "Chuyển tuyến" }).waitFor();
  await page.getByTestId("summary").waitFor();
  return { page, errors };
}

const rowOf = (page: Page, destination: string) => page.getByTestId("referral-row").filter({ hasText: destination });

describe("/referrals", () => {
  it("a manager sees the overdue referral flagged, opens its timeline, filters in the URL and downloads the CSV (1080p)", async () => {
    const { page, errors } = await managerPage(DESKTOP);
    const rows = page.getByTestId("referral-row");
    // Open referrals of Sơn La only: SM-1, PSY-1, PSY-2 (the cancelled one is closed; Lào Cai is another province).
    await expect.poll(() => rows.count()).toBe(3);
    const overdue = page.locator('[data-testid="referral-row"][data-overdue="true"]');
    expect(await overdue.count()).toBe(1);
    // Overdue first, flagged with an icon and in words.
    await expect.poll(() => rows.first().getByTestId("flag").innerText()).toMatch(/⚠\s*Quá hạn 3 giờ/);
    expect(await rows.first().innerText()).toContain("Cơ sở Điều trị nghiện ma túy Sông Mã");
    expect(await rows.first().innerText()).toContain("cấp cứu");
    expect(await rows.first().getByRole("link").getAttribute("href")).toBe(`/facilities/${SONG_MA}`);
    expect(await page.locator("body").innerText()).not.toContain("Lào Cai");

    // Its timeline: each step with its time in the facility's zone and how long it lasted.
    await rows.first().getByTestId("toggle-timeline").click();
    const timeline = page.getByTestId("timeline");
    await timeline.waitFor();
    const steps = timeline.locator("li");
    expect(await steps.count()).toBe(2);
    expect(await steps.nth(0).innerText()).toMatch(new RegExp(`đã đề nghị\\s*${local(EMERG_REQUESTED)}\\s*trong 1 giờ`));
    expect(await steps.nth(1).innerText()).toMatch(new RegExp(`đã chấp nhận\\s*${local(EMERG_ACCEPTED)}\\s*▶ đang ở bước này 4 giờ`));
    expect(new URL(page.url()).searchParams.get("open")).toBe(`${SONG_MA}/SM-1`);
    await page.screenshot({ path: path.join(SHOTS, "referrals-1080p.png"), fullPage: true });

    // Counts per facility: the psychiatric centre has two open, none overdue; Song Mã one and one.
    const byFacility = page.getByTestId("counts-facility");
    expect(await byFacility.innerText()).toMatch(/Sông Mã\s+1\s+1\s+1/);

    // The CSV of the table as shown: BOM, header, three rows.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("csv").click()]);
    expect(download.suggestedFilename()).toMatch(/^chuyen-tuyen-\d{4}-\d{2}-\d{2}\.csv$/);
    const file = readFileSync((await download.path())!);
    expect([...file.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = file.toString("utf8").slice(1).trimEnd().split("\r\n");
    expect(lines[0]).toBe("Cơ sở,Tỉnh,Nơi chuyển đến,Mức khẩn,Bước hiện tại,Đề nghị lúc,Thời gian,Quá hạn,Tiến trình");
    expect(lines).toHaveLength(4);
    // Durations run on from when the events were made: a slow run may add minutes to the open ones.
    const more = "( \\d+ phút)?";
    expect(lines[1]).toMatch(
      new RegExp(
        `^Cơ sở Điều trị nghiện ma túy Sông Mã,Sơn La,Bệnh viện Đa khoa tỉnh Sơn La,cấp cứu,đã chấp nhận,${local(EMERG_REQUESTED)},5 giờ${more},Quá hạn 3 giờ${more},đã đề nghị 1 giờ → đã chấp nhận 4 giờ${more}$`,
      ),
    );

    // Overdue only: in the URL, and a reload (a shared link) shows the same.
    await page.getByLabel("Chỉ ca quá hạn").check();
    await page.waitForURL(/overdue=1/);
    await expect.poll(() => rows.count()).toBe(1);
    await page.reload();
    await page.getByTestId("summary").waitFor();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await page.getByLabel("Chỉ ca quá hạn").isChecked()).toBe(true);
    expect(errors).toEqual([]);
  });

  it("closed ones and a shared link with filters: the cancelled referral to Bạch Mai (4K)", async () => {
    const { page, errors } = await managerPage(UHD, "?state=all&destination=B%E1%BB%87nh+vi%E1%BB%87n+B%E1%BA%A1ch+Mai");
    await expect.poll(() => page.getByTestId("referral-row").count()).toBe(1);
    const row = rowOf(page, "Bệnh viện Bạch Mai");
    expect(await row.getByTestId("flag").innerText()).toMatch(/✓\s*Đã đóng/);
    await row.getByTestId("toggle-timeline").click();
    expect(await page.getByTestId("timeline").locator("li").allInnerTexts()).toEqual([
      expect.stringMatching(/đã đề nghị.*trong 1 giờ/s),
      expect.stringMatching(/đã hủy.*kết thúc/s),
    ]);
    await page.screenshot({ path: path.join(SHOTS, "referrals-4k.png") });
    // A day typed dd/mm/yyyy: a wrong one is refused in words and changes nothing; a real one goes into the URL.
    const from = page.getByLabel("Bắt đầu từ ngày");
    await from.fill("31/02/2026");
    await from.press("Enter");
    await page.getByText("Ngày không hợp lệ: dùng dd/mm/yyyy").waitFor();
    expect(new URL(page.url()).searchParams.get("from")).toBeNull();
    const today = local(now).slice(0, 10);
    await from.fill(today);
    await from.press("Enter");
    await page.waitForURL(/from=\d{4}-\d{2}-\d{2}/);
    expect(new URL(page.url()).searchParams.get("from")).toBe(`${today.slice(6, 10)}-${today.slice(3, 5)}-${today.slice(0, 2)}`);
    // The cancelled referral began two days ago: not in a period from today.
    await expect.poll(() => page.getByTestId("referral-row").count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it("on a 390×844 phone each referral is a card with its labels, and the page does not scroll sideways", async () => {
    const { page, errors } = await managerPage(PHONE, `?open=${encodeURIComponent(`${SONG_MA}/SM-1`)}`);
    await page.getByTestId("timeline").waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(PHONE.width);
    expect(await page.getByTestId("referral-row").first().getByTestId("flag").innerText()).toContain("Quá hạn");
    await page.screenshot({ path: path.join(SHOTS, "referrals-phone.png"), fullPage: true });
    expect(errors).toEqual([]);
  });
});
