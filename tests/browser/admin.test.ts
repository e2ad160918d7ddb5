import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { createAccount, STRONG_PASSWORD } from "../support/accounts.js";
import { ROOT, startTestServer, type TestServer } from "../support/server.js";

/**
 * The admin console in real Chromium against the real server: an admin logs in, invites a user
 * (sees the link once), creates and revokes a key (after confirming), creates a display scoped to
 * a province, and finds those changes in /admin/audit. Screenshots at 1080p and on a phone.
 */
const SHOTS = path.join(ROOT, "tests/artifacts/screenshots");
const ADMIN = "quan.tri@sldtbxh.gov.vn";

let browser: Browser;
let server: TestServer;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  server = await startTestServer();
  await createAccount(server, { email: ADMIN, role: "admin" });
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

async function loggedIn(viewport: { width: number; height: number }, next: string): Promise<Page> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: "vi-VN", timezoneId: "Asia/Ho_Chi_Minh" });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${server.url}${next}`);
  await page.waitForURL(`${server.url}/login?next=${encodeURIComponent(next)}`, { timeout: 5000 });
  await page.getByLabel("Email").fill(ADMIN);
  await page.getByLabel("Mật khẩu", { exact: true }).fill(STRONG_PASSWORD);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.waitForURL(`${server.url}${next}`, { timeout: 5000 });
  return page;
}

const secret = async (page: Page) => {
  const box = page.getByTestId("secret-value");
  await box.waitFor({ state: "visible", timeout: 5000 });
  return box.inputValue();
};

describe("admin console", () => {
  it("invites a user, creates and revokes a key, creates a province display, and finds it all in the audit log", async () => {
    const page = await loggedIn({ width: 1920, height: 1080 }, "/admin");
    await page.getByRole("heading", { level: 1, name: "Quản trị" }).waitFor({ timeout: 5000 });

    // Invite a manager of Sơn La: the link is shown once.
    await page.getByLabel("Email").fill("can.bo.moi@sldtbxh.gov.vn");
    await page.getByLabel("Sơn La").check();
    await page.getByRole("button", { name: "Tạo lời mời" }).click();
    expect(await secret(page)).toMatch(/\/invite\/cwi_[A-Za-z0-9_-]{40,}$/);
    await page.getByText("Chỉ hiển thị một lần").waitFor();
    await page.getByTestId("user-row").filter({ hasText: "can.bo.moi@sldtbxh.gov.vn" }).getByText("Chờ nhận lời mời").waitFor({ timeout: 5000 });
    await page.screenshot({ path: path.join(SHOTS, "admin-users-1080p.png"), fullPage: true });
    await page.getByRole("button", { name: "Đã lưu, đóng lại" }).click();
    expect(await page.getByTestId("secret").count()).toBe(0);

    // A duplicate is refused in words.
    await page.getByLabel("Email").fill("can.bo.moi@sldtbxh.gov.vn");
    await page.getByRole("button", { name: "Tạo lời mời" }).click();
    await page.getByTestId("error").filter({ hasText: "đã có tài khoản" }).waitFor({ timeout: 5000 });

    // A key for Sông Mã, then revoked after confirming.
    await page.getByRole("tab", { name: "Khoá API" }).click();
    await page.getByLabel("Cơ sở").selectOption("sl-drug-rehab-song-ma");
    await page.getByRole("button", { name: "Tạo khoá" }).click();
    const key = await secret(page);
    expect(key).toMatch(/^cw_/);
    const keyId = (await server.store.credentials.listKeys()).at(-1)!.id;
    await page.getByRole("button", { name: "Đã lưu, đóng lại" }).click();
    const row = page.getByTestId("key-row").filter({ hasText: keyId });
    await row.getByText("Đang hoạt động").waitFor();
    await row.getByRole("button", { name: "Thu hồi" }).click();
    await row.getByRole("alertdialog").waitFor();
    await page.screenshot({ path: path.join(SHOTS, "admin-keys-confirm-1080p.png"), fullPage: true });
    await row.getByRole("button", { name: "Xác nhận" }).click();
    await row.getByText("Đã thu hồi").waitFor({ timeout: 5000 });
    expect((await server.store.credentials.listKeys()).find((k) => k.id === keyId)?.revokedAt).not.toBeNull();

    // A wall display for Lào Cai only.
    await page.getByRole("tab", { name: "Màn hình" }).click();
    await page.getByLabel("Tên màn hình").fill("Màn hình Lào Cai");
    await page.getByLabel("Lào Cai").check();
    await page.getByRole("button", { name: "Tạo màn hình" }).click();
    expect(await secret(page)).toMatch(/\/wall\?display=cwd_/);
    await page.getByTestId("display-row").filter({ hasText: "Màn hình Lào Cai" }).getByText("Lào Cai ·").waitFor({ timeout: 5000 });
    const display = (await server.store.credentials.listDisplays()).find((d) => d.name === "Màn hình Lào Cai");
    expect(display?.provinces).toEqual(["lao-cai"]);

    // The audit log has each change, newest first, by this admin; filtering by action narrows it.
    await page.goto(`${server.url}/admin/audit`);
    const entries = page.getByTestId("audit-entry");
    await entries.first().waitFor({ timeout: 5000 });
    expect(await entries.evaluateAll((els) => els.map((e) => e.getAttribute("data-action")))).toEqual([
      "displays.create",
      "keys.revoke",
      "keys.create",
      "users.invite",
    ]);
    expect(await entries.first().innerText()).toContain(ADMIN);
    expect(await entries.first().innerText()).toContain("lao-cai");
    expect(await page.locator("body").innerText()).not.toContain(key);
    await page.screenshot({ path: path.join(SHOTS, "admin-audit-1080p.png"), fullPage: true });

    await page.getByLabel("Hành động").selectOption("keys.revoke");
    await page.getByRole("button", { name: "Lọc", exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="audit-entry"]').length === 1, undefined, { timeout: 5000 });
    expect(await entries.first().getAttribute("data-action")).toBe("keys.revoke");
    expect(await entries.first().innerText()).toContain(keyId);

    await page.getByLabel("Người thực hiện").fill("someone.else@example.vn");
    await page.getByRole("button", { name: "Lọc", exact: true }).click();
    await page.getByText("Không có mục nào.").waitFor({ timeout: 5000 });
  });

  it("changes a facility's capacity in the registry tab, and an open wall shows it at once", async () => {
    const page = await loggedIn({ width: 1920, height: 1080 }, "/admin");
    const wall = await page.context().newPage();
    await wall.goto(`${server.url}/wall`);
    const tile = wall.locator('[data-facility="sl-social-protection"] .capacity');
    await tile.waitFor({ timeout: 10_000 });
    const before = await tile.innerText();

    await page.getByRole("tab", { name: "Cơ sở" }).click();
    await page.locator('[data-testid="facility-row"][data-id="sl-social-protection"]').getByRole("button", { name: "Sửa" }).click();
    const form = page.getByTestId("registry-form");
    await form.getByLabel("Sức chứa").fill("135");
    await form.getByLabel("Cao", { exact: true }).fill("80");
    await page.screenshot({ path: path.join(SHOTS, "admin-registry-1080p.png"), fullPage: true });
    await form.getByRole("button", { name: "Lưu thay đổi" }).click();
    await page
      .locator('[data-testid="facility-row"][data-id="sl-social-protection"] [data-testid="facility-capacity"]')
      .filter({ hasText: "135" })
      .waitFor({ timeout: 5000 });

    await wall.locator('[data-facility="sl-social-protection"] .capacity').filter({ hasText: "135" }).waitFor({ timeout: 3000 });
    expect(before).not.toContain("135");
    expect(server.store.registry.byId.get("sl-social-protection")?.thresholds.high).toBe(80);
    const [entry] = await server.store.audit.list({ action: "registry.update" });
    expect(entry).toMatchObject({ target: "sl-social-protection", actor: { email: ADMIN }, after: { capacity: 135 } });
  });

  it("fits a phone: no sideways scrolling on /admin and /admin/audit, and the landing page links to /admin", async () => {
    const page = await loggedIn({ width: 390, height: 844 }, "/");
    await page.getByTestId("admin-link").click();
    await page.waitForURL(`${server.url}/admin`, { timeout: 5000 });
    await page.getByTestId("user-row").first().waitFor({ timeout: 5000 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await page.screenshot({ path: path.join(SHOTS, "admin-users-390.png"), fullPage: true });
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.getByRole("tab", { name: "Khoá API" }).click();
    await page.getByTestId("key-row").first().waitFor({ timeout: 5000 });
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(SHOTS, "admin-keys-390.png"), fullPage: true });
    await page.goto(`${server.url}/admin/audit`);
    await page.getByTestId("audit-entry").first().waitFor({ timeout: 5000 });
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(SHOTS, "admin-audit-390.png"), fullPage: true });
  });
});
