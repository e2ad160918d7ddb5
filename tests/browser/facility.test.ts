import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { createAccount, STRONG_PASSWORD } from "../support/accounts.js";
import { admission, census, discharge, HOUR, makeClock, MIN, referral, T0, treatment } from "../support/contract-helpers.js";
import { postEvents, ROOT, startTestServer, type TestServer } from "../support/server.js";

/**
 * /facilities/<id> in real Chromium against the real server (issue 8): a manager opens a
 * facility with a year of history, switches 24 h → 1 y (the URL and the chart follow), scrubs
 * "as of" back to an instant the test posted a census for (the shown occupied is that past
 * figure, the banner says so, Back to live returns), clicks a bucket and reads its events; a
 * clerk of another facility gets the 403 page. Screenshots at 1080p, 4K and on a phone.
 *
 * The server's clock is fixed (and the page's Date too), so the buckets cannot shift under the
 * test at an hour boundary.
 */
const FACILITY = "sl-psychiatric"; // Sơn La; units acute (60) and long-term (120)
const OTHER = "lc-social-work"; // Lào Cai
const NOW = T0 + 20 * MIN; // 08:20 on 22/11/2026 in Hà Nội
const DAY = 24 * HOUR;
const SHOTS = path.join(ROOT, process.env.UPDATE_SCREENSHOTS === "1" ? "docs/screenshots" : "tests/artifacts/screenshots");

let browser: Browser;
let server: TestServer;
const contexts: BrowserContext[] = [];

/** A year of a psychiatric centre: weekly censuses per unit, daily admissions, discharges, treatments. */
function year(): object[] {
  const out: object[] = [];
  for (let d = 365; d >= 1; d--) {
    const at = NOW - d * DAY + 1 * HOUR; // 09:20 local, every day
    const wave = Math.sin((d / 365) * 2 * Math.PI * 3);
    if (d % 7 === 0) {
      out.push(census(FACILITY, Math.round(48 + 10 * wave), at - 2 * HOUR, { unit: "acute" }));
      out.push(census(FACILITY, Math.round(100 + 15 * wave), at - 2 * HOUR, { unit: "long-term" }));
    }
    out.push(admission(FACILITY, 1 + (d % 3), at, { unit: d % 2 ? "acute" : "long-term" }));
    out.push(discharge(FACILITY, 1 + (d % 2), at + 3 * HOUR, { unit: d % 2 ? "long-term" : "acute" }));
    out.push(treatment(FACILITY, "psychiatric_care", 3 + (d % 5), at + HOUR));
    if (d % 3 === 0) out.push(treatment(FACILITY, "health_check", 2 + (d % 4), at + 2 * HOUR));
  }
  return out;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  server = await startTestServer({ now: makeClock(NOW).now });
  const key = await server.key(FACILITY);
  const events = [
    ...year(),
    // This morning: 168 people at 02:20 (93 %: high), then a census of 100 at 05:20.
    census(FACILITY, 58, NOW - 6 * HOUR, { unit: "acute" }),
    census(FACILITY, 110, NOW - 6 * HOUR, { unit: "long-term" }),
    referral(FACILITY, "R-1", "requested", NOW - 5 * HOUR, { urgency: "urgent" }),
    census(FACILITY, 30, NOW - 3 * HOUR, { unit: "acute" }),
    census(FACILITY, 70, NOW - 3 * HOUR, { unit: "long-term" }),
    // In the current hour (08:00–09:00): what a click on the last bucket lists.
    admission(FACILITY, 2, NOW - 10 * MIN, { unit: "acute" }),
    discharge(FACILITY, 2, NOW - 8 * MIN, { unit: "acute" }),
    treatment(FACILITY, "psychiatric_care", 3, NOW - 5 * MIN),
  ];
  for (let i = 0; i < events.length; i += 1000) {
    const r = await postEvents(server.url, key, { events: events.slice(i, i + 1000) });
    expect(r.status, r.text).toBe(202);
  }
  await createAccount(server, { email: "quan.ly@sldtbxh.gov.vn", role: "manager", provinces: ["son-la"] });
  await createAccount(server, { email: "thu.ky@sldtbxh.gov.vn", role: "facility", facilityId: FACILITY });
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

async function open(
  viewport: { width: number; height: number },
  email: string,
  pathname: string,
  landing = pathname,
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: "vi-VN", timezoneId: "Asia/Ho_Chi_Minh", acceptDownloads: true });
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${server.url}${pathname}`);
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Mật khẩu", { exact: true }).fill(STRONG_PASSWORD);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.waitForURL(`${server.url}${landing}`);
  // From here on the page's Date says the server's time (timers keep running); the login page
  // before it runs on the real clock.
  await page.clock.setFixedTime(NOW);
  await page.reload();
  return { page, errors };
}

const occupied = (page: Page) => page.getByTestId("occupied").innerText();
const chart = (page: Page) => page.getByTestId("chart-occupancy");

describe("/facilities/<id>", () => {
  it("a manager switches 24 h → 1 y, scrubs as of, goes back to live, and reads the events behind a bucket", async () => {
    const { page, errors } = await open({ width: 1920, height: 1080 }, "quan.ly@sldtbxh.gov.vn", `/facilities/${FACILITY}`);
    await page.getByRole("heading", { level: 1, name: "Trung tâm Điều trị và Nuôi dưỡng phục hồi chức năng bệnh nhân tâm thần tỉnh Sơn La" }).waitFor();
    await expect.poll(() => occupied(page)).toBe("100");
    await expect.poll(() => chart(page).getAttribute("data-points")).toBe("24");
    expect(await page.getByTestId("level").innerText()).toContain("Bình thường");

    await page.getByTestId("range-1y").click();
    await page.waitForURL(/[?&]range=1y/);
    await expect.poll(() => chart(page).getAttribute("data-points")).toBe("365");
    await page.screenshot({ path: path.join(SHOTS, "facility-1080p.png") });
    await page.getByTestId("range-24h").click();
    await page.waitForURL(/[?&]range=24h/);
    await expect.poll(() => chart(page).getAttribute("data-points")).toBe("24");
    // The chart's buckets as a CSV: a header and one row per hour.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("history-csv").click()]);
    const csvLines = readFileSync((await download.path())!, "utf8")
      .replace(/^\uFEFF/, "")
      .trimEnd()
      .split("\r\n");
    expect(csvLines[0]).toMatch(/^Từ,Đang có \(cuối kỳ\),Sức chứa,Mức,Tiếp nhận,Ra/);
    expect(csvLines).toHaveLength(25);

    // Scrub to 03:50, between this morning's two censuses: 168 then (58 + 110), level high.
    const target = NOW - 4.5 * HOUR;
    await page.getByTestId("timeline").evaluate((el, v) => {
      const input = el as HTMLInputElement;
      input.value = String(v);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }, target);
    await page.waitForURL((u) => u.searchParams.get("as_of") === "2026-11-22T03:50:00+07:00");
    await expect.poll(() => occupied(page)).toBe("168");
    expect(await page.getByTestId("level").innerText()).toContain("Cao");
    expect(await page.getByTestId("asof-banner").innerText()).toContain("Đang xem lúc 22/11/2026 03:50 · Viewing as of 22/11/2026 03:50");
    expect(await page.getByTestId("referrals-open").innerText()).toBe("1");
    // The link is shareable: opened afresh, it shows the same past.
    await page.reload();
    await expect.poll(() => occupied(page)).toBe("168");

    // Without a pointer: the events of the hour the timeline stands in, 03:00–04:00 (the referral at 03:20).
    await page.getByTestId("events-here").click();
    await expect.poll(() => page.getByTestId("events-panel").getByRole("heading").innerText()).toBe("Sự kiện trong khoảng 03:00–04:00 22/11/2026");
    expect(await page.getByTestId("event-row").allInnerTexts()).toEqual([expect.stringMatching(/^22\/11\/2026 03:20\s+⇄\s+Chuyển tuyến/)]);

    await page.getByTestId("back-live").click();
    await page.waitForURL((u) => !u.searchParams.has("as_of"));
    await expect.poll(() => occupied(page)).toBe("100");
    expect(await page.getByTestId("asof-banner").count()).toBe(0);

    // The last bar of admissions and discharges is the current hour, 08:00–09:00.
    const moves = page.getByTestId("chart-moves");
    const box = (await moves.boundingBox())!;
    await moves.click({ position: { x: box.width - box.width / 24 / 2 - 4, y: box.height / 2 } });
    const panel = page.getByTestId("events-panel");
    await panel.waitFor();
    expect(await panel.getByRole("heading").innerText()).toBe("Sự kiện trong khoảng 08:00–09:00 22/11/2026");
    const rows = await panel.getByTestId("event-row").allInnerTexts();
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^22\/11\/2026 08:10/);
    expect(rows[0]).toContain("Nhập");
    expect(errors).toEqual([]);
  });

  it("looks right at 4K and on a phone (in the past, with the banner)", async () => {
    const at = encodeURIComponent("2026-11-22T03:50:00+07:00");
    const big = await open({ width: 3840, height: 2160 }, "quan.ly@sldtbxh.gov.vn", `/facilities/${FACILITY}?range=30d`);
    await expect.poll(() => chart(big.page).getAttribute("data-points")).toBe("30");
    await big.page.screenshot({ path: path.join(SHOTS, "facility-4k.png") });
    const phone = await open({ width: 390, height: 844 }, "quan.ly@sldtbxh.gov.vn", `/facilities/${FACILITY}?range=7d&as_of=${at}`);
    await expect.poll(() => occupied(phone.page)).toBe("168");
    await expect.poll(() => chart(phone.page).getAttribute("data-points")).toBe("168");
    await phone.page.screenshot({ path: path.join(SHOTS, "facility-phone.png"), fullPage: true });
    expect([...big.errors, ...phone.errors]).toEqual([]);
  });

  it("a clerk of one facility opens it from /facilities and gets the 403 page for another facility", async () => {
    // /facilities lists what the clerk may read: one facility, so it opens at once.
    const { page } = await open({ width: 390, height: 844 }, "thu.ky@sldtbxh.gov.vn", "/facilities", `/facilities/${FACILITY}`);
    await expect.poll(() => occupied(page)).toBe("100");
    const r = await page.goto(`${server.url}/facilities/${OTHER}`);
    expect(r?.status()).toBe(403);
    await page.getByText("Bạn không có quyền mở trang này").waitFor();
  });
});
