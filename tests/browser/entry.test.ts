import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { createAccount, STRONG_PASSWORD } from "../support/accounts.js";
import { ROOT, startTestServer, type TestServer } from "../support/server.js";

/**
 * A facility's clerk on a 390×844 phone, in real Chromium against the real server: logs in,
 * enters a census and an admission and sees the occupancy change; then loses the network,
 * enters an admission that waits on the phone ("chờ gửi 1") across a reload, and is stored
 * exactly once when the network is back.
 */
const PHONE = { width: 390, height: 844 } as const;
const FACILITY = "sl-drug-rehab";
const SHOTS = path.join(ROOT, "tests/artifacts/screenshots");

let browser: Browser;
let server: TestServer;
let context: BrowserContext;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  server = await startTestServer();
});
afterAll(async () => {
  await context?.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

const status = async () => (await server.store.reads.facilityStatus(FACILITY, Date.now()))!;

/** Submit online: the server's answer, then the page's word for it. */
async function send(page: Page) {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/entry/events") && r.request().method() === "POST"),
    page.getByRole("button", { name: "Gửi", exact: true }).click(),
  ]);
  expect(res.status(), await res.text()).toBe(202);
  await page.getByTestId("entry-message").filter({ hasText: "Đã gửi" }).waitFor({ timeout: 10_000 });
}

describe("/entry on a phone", () => {
  it("a clerk enters a census and an admission, then an admission offline that is sent once when the network is back", async () => {
    const email = `thu.ky.${process.pid}@sldtbxh.gov.vn`;
    await createAccount(server, { email, role: "facility", facilityId: FACILITY });
    context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1, locale: "vi-VN", timezoneId: "Asia/Ho_Chi_Minh" });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));

    // The guard sends the anonymous clerk to log in, and back to /entry.
    await page.goto(`${server.url}/entry`);
    await page.waitForURL(`${server.url}/login?next=%2Fentry`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Mật khẩu", { exact: true }).fill(STRONG_PASSWORD);
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.waitForURL(`${server.url}/entry`);
    await page.getByRole("heading", { level: 1, name: "Cơ sở Điều trị nghiện ma túy tỉnh Sơn La" }).waitFor();
    const compulsory = page.getByTestId("occupancy-compulsory");
    await expect.poll(() => compulsory.innerText()).toMatch(/^Khu cai nghiện bắt buộc\s+0 trên 260/);

    // A census for the first unit (the default choices), then an admission of 3.
    await page.getByLabel("Khu").selectOption("compulsory");
    await page.getByLabel("Số người hiện có").fill("120");
    await send(page);
    await expect.poll(() => compulsory.innerText()).toMatch(/120 trên 260/);

    await page.locator("fieldset label", { hasText: "Tiếp nhận" }).click();
    await page.getByLabel("Số người", { exact: true }).fill("3");
    await page.getByLabel("Diện (không bắt buộc)").selectOption("voluntary");
    await send(page);
    await expect.poll(() => compulsory.innerText()).toMatch(/123 trên 260/);
    expect((await status()).today.admissions).toBe(3);
    await page.screenshot({ path: path.join(SHOTS, "entry-390.png"), fullPage: true });

    // The page works offline once its service worker holds it.
    await expect
      .poll(() => page.evaluate(async () => navigator.serviceWorker.controller !== null && !!(await caches.match("/entry"))), { timeout: 15_000 })
      .toBe(true);

    // Offline: the admission waits on the phone.
    await context.setOffline(true);
    await page.locator("fieldset label", { hasText: "Tiếp nhận" }).click();
    await page.getByLabel("Số người", { exact: true }).fill("2");
    await page.getByRole("button", { name: "Gửi", exact: true }).click();
    await page.getByTestId("entry-message").filter({ hasText: "Không có mạng" }).waitFor({ timeout: 10_000 });
    const waiting = page.getByTestId("outbox-count");
    await expect.poll(() => waiting.innerText()).toBe("chờ gửi 1");
    await page.screenshot({ path: path.join(SHOTS, "entry-offline-390.png"), fullPage: true });

    // A reload, still offline: the page opens from the phone and the item is still queued.
    await page.reload();
    await expect.poll(() => waiting.innerText(), { timeout: 15_000 }).toBe("chờ gửi 1");
    expect((await status()).today.admissions).toBe(3);

    // Back online: sent by itself (online event or retry timer), exactly once.
    await context.setOffline(false);
    await waiting.waitFor({ state: "detached", timeout: 20_000 });
    await expect.poll(async () => (await status()).today.admissions).toBe(5);
    await expect.poll(() => compulsory.innerText(), { timeout: 10_000 }).toMatch(/125 trên 260/);
    expect(await server.store.log.lastSeq()).toBeGreaterThan(0);
    expect(await server.store.reads.countEvents()).toBe(3);
    const audit = await server.store.audit.list({ action: "entry.event", target: FACILITY });
    expect(audit.map((a) => (a.after as { type: string }).type).sort()).toEqual(["admission", "admission", "census"]);
    expect(new Set(audit.map((a) => (a.after as { event_id: string }).event_id)).size).toBe(3);
    expect(errors).toEqual([]);
  });
});
