import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { createAccount, login, STRONG_PASSWORD, trpcWithCookie } from "../support/accounts.js";
import { admission, census, post, referral, uid } from "../support/contract-helpers.js";
import { ROOT, startTestServer, type TestServer } from "../support/server.js";

/**
 * Issue 8, the province overview (/) in real Chromium on the real server: a manager of Sơn La
 * sees only Sơn La's facilities, what needs attention first (over capacity, critical, silent),
 * filters and sorts with the URL following, gets a live change within seconds, downloads the
 * table as CSV, and drills into a facility with one click. Screenshots in docs/screenshots.
 */
const DOCS = path.join(ROOT, "docs/screenshots");
const MANAGER = "quan.ly@sonla.gov.vn";

let browser: Browser;
let server: TestServer;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  mkdirSync(DOCS, { recursive: true });
  browser = await launchChromium();
  server = await startTestServer();
  await createAccount(server, { email: MANAGER, role: "manager", provinces: ["son-la"] });
  const now = Date.now();
  const at = (minutesAgo: number) => now - minutesAgo * 60_000;
  // Sơn La: one over capacity, one critical, one calm with units; Sông Mã and the others never report (stale).
  const merit = await server.key("sl-merit-nursing");
  await post(server.url, merit, census("sl-merit-nursing", 104, at(30), { event_id: uid() }), 202);
  const social = await server.key("sl-social-protection");
  await post(server.url, social, census("sl-social-protection", 115, at(20), { event_id: uid() }), 202);
  const rehab = await server.key("sl-drug-rehab");
  for (const unit of ["compulsory", "voluntary", "female", "medical"])
    await post(server.url, rehab, census("sl-drug-rehab", 30, at(10), { unit, event_id: uid() }), 202);
  await post(server.url, rehab, admission("sl-drug-rehab", 3, at(5), { unit: "voluntary", event_id: uid() }), 202);
  // An urgent referral open for two days (urgent is overdue after 24 h).
  await post(server.url, rehab, referral("sl-drug-rehab", "r-old", "requested", at(2 * 24 * 60), { urgency: "urgent", event_id: uid() }), 202);
  // A target of this year far behind its pace: 100.000 methadone treatments, none given.
  await createAccount(server, { email: "admin@sonla.gov.vn", role: "admin" });
  const admin = trpcWithCookie(server.url, (await login(server.url, "admin@sonla.gov.vn")).cookie!);
  const year = new Date(now + 7 * 3_600_000).getUTCFullYear();
  await admin.targets.import.mutate({
    document: {
      version: 1,
      plans: [
        {
          id: "sl-test-plan",
          title: "Kế hoạch thử",
          province: "son-la",
          source: "illustrative",
          targets: [
            {
              id: "sl-methadone",
              year,
              kind: "event_sum",
              event: "treatment",
              category: "methadone",
              value: 100_000,
              facilities: ["sl-drug-rehab"],
              vi: "Điều trị methadone thử",
              en: "Test methadone",
            },
          ],
        },
      ],
    },
  });
  // Lào Cai is out of this manager's provinces.
  const lc = await server.key("lc-social-work");
  await post(server.url, lc, census("lc-social-work", 140, at(15), { event_id: uid() }), 202);
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

async function loggedIn(viewport: { width: number; height: number }, next: string): Promise<Page> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: "vi-VN", timezoneId: "Asia/Ho_Chi_Minh", acceptDownloads: true });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${server.url}${next}`);
  await page.waitForURL(/\/login\?next=/, { timeout: 5000 });
  await page.getByLabel("Email").fill(MANAGER);
  await page.getByLabel("Mật khẩu", { exact: true }).fill(STRONG_PASSWORD);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.waitForURL(`${server.url}${next}`, { timeout: 5000 });
  return page;
}

const rowIds = (page: Page) => page.locator('[data-testid="overview-table"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute("data-facility")));

describe("province overview", () => {
  it("shows a manager their provinces, attention first, filters in the URL, live changes, CSV, and one click to a facility", async () => {
    const page = await loggedIn({ width: 1920, height: 1080 }, "/");
    await page.getByRole("heading", { level: 1, name: "Tổng quan các cơ sở" }).waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="overview-table"] tbody tr').first().waitFor({ timeout: 10_000 });

    // Only Sơn La, most pressing first: over capacity, then critical.
    const ids = await rowIds(page);
    expect(ids).not.toContain("lc-social-work");
    expect(ids.slice(0, 2)).toEqual(["sl-merit-nursing", "sl-social-protection"]);
    const attention = page.getByTestId("attention");
    await attention.locator('[data-kind="over"]').filter({ hasText: "Quá tải" }).filter({ hasText: "104" }).waitFor();
    await attention.locator('[data-kind="critical"]').waitFor();
    expect(await attention.locator('[data-kind="stale"]').count()).toBeGreaterThan(0);
    await attention.locator('[data-kind="overdue"]').filter({ hasText: "Chuyển tuyến quá hạn" }).waitFor({ timeout: 5000 });
    await attention.locator('[data-kind="behind"]').filter({ hasText: "Điều trị methadone thử" }).waitFor({ timeout: 5000 });
    await page.screenshot({ path: path.join(DOCS, "overview-1080p.png") });

    // A filter narrows the table and the URL says so.
    await page.getByTestId("filter-level").selectOption({ label: "✖ Quá tải" });
    await page.waitForURL(/level=over/, { timeout: 5000 });
    expect(await rowIds(page)).toEqual(["sl-merit-nursing"]);
    await page.getByTestId("filter-level").selectOption({ label: "Tất cả" });
    await page.getByRole("button", { name: "Công suất" }).click();
    await page.waitForURL(/sort=occupancy/, { timeout: 5000 });
    expect((await rowIds(page))[0]).toBe("sl-merit-nursing"); // descending first

    // A live change: Sông Mã reports a census and leaves the silent list within seconds.
    const songMa = page.locator('[data-testid="overview-table"] tr[data-facility="sl-drug-rehab-song-ma"]');
    expect(await songMa.getAttribute("class")).toContain("stale");
    await post(server.url, await server.key("sl-drug-rehab-song-ma"), census("sl-drug-rehab-song-ma", 90, Date.now() - 1000, { event_id: uid() }), 202);
    await page.waitForFunction(() => !document.querySelector('tr[data-facility="sl-drug-rehab-song-ma"]')?.classList.contains("stale"), undefined, {
      timeout: 5000,
    });
    expect(await songMa.innerText()).toContain("60 %");

    // The table as CSV, with a BOM and the rows shown.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("overview-csv").click()]);
    const file = await download.path();
    const text = (await import("node:fs")).readFileSync(file!, "utf8");
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text).toContain("Trung tâm Điều dưỡng người có công tỉnh Sơn La");
    expect(text).not.toContain("Lào Cai");

    // One click to the facility.
    await page.locator('tr[data-facility="sl-merit-nursing"] a').click();
    await page.waitForURL(`${server.url}/facilities/sl-merit-nursing`, { timeout: 5000 });
  });

  it("from the wall, when a person (not a kiosk) is at it, one click to a facility", async () => {
    // (An anonymous /wall answers with the kiosk's refusal, not a login form: log in first.)
    const page = await loggedIn({ width: 1920, height: 1080 }, "/");
    await page.getByRole("link", { name: "Màn hình" }).click();
    await page.waitForURL(`${server.url}/wall?kiosk=0`, { timeout: 5000 });
    const tileLink = page.locator('[data-facility="sl-social-protection"] h3 a');
    await tileLink.waitFor({ timeout: 10_000 });
    await tileLink.click();
    await page.waitForURL(`${server.url}/facilities/sl-social-protection`, { timeout: 5000 });
    // The kiosk wall (the default) has no links to follow.
    await page.goto(`${server.url}/wall`);
    await page.locator('[data-facility="sl-social-protection"] h3').waitFor({ timeout: 10_000 });
    expect(await page.locator("[data-facility] h3 a").count()).toBe(0);
  });

  it("fits a phone", async () => {
    const page = await loggedIn({ width: 390, height: 844 }, "/");
    await page.locator('[data-testid="overview-table"] tbody tr').first().waitFor({ timeout: 10_000 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(DOCS, "overview-phone.png"), fullPage: true });
  });

  it("renders at 4K", async () => {
    const page = await loggedIn({ width: 3840, height: 2160 }, "/");
    await page.locator('[data-testid="overview-table"] tbody tr').first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: path.join(DOCS, "overview-4k.png") });
  });
});
