import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { hashPassword } from "../../apps/server/src/auth/passwords.js";

/**
 * Logging in as a person does, in real Chromium on a phone-sized screen against the real server:
 * the way to /login?next=… (the guard's redirect, the wall's refusal page), a wrong password, the way back to `next`, who is logged
 * in, logging out (here and everywhere), and setting a password from an invitation.
 */
const PHONE = { width: 390, height: 844 } as const;
const PASSWORD = "núi Sơn La mùa hoa ban trắng";

let browser: Browser;
let server: TestServer;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer();
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

async function fresh(viewport: { width: number; height: number } = PHONE): Promise<Page> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: "vi-VN", timezoneId: "Asia/Ho_Chi_Minh" });
  contexts.push(context);
  return context.newPage();
}

let users = 0;
async function userWithPassword(role: "admin" | "manager" | "facility" = "manager", password = PASSWORD): Promise<string> {
  const email = `nguoi.dung${++users}.${process.pid}@sldtbxh.gov.vn`;
  const { id } = await server.store.credentials.createUser(
    { email, role, provinces: [], facilityId: role === "facility" ? "sl-drug-rehab" : null },
    Date.now(),
  );
  await server.store.credentials.setPassword(id, await hashPassword(password));
  return email;
}

async function fillLogin(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Mật khẩu", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
}

const path = (page: Page) => {
  const u = new URL(page.url());
  return u.pathname + u.search;
};

describe("login page", () => {
  it("an anonymous visitor is sent to /login?next=…, a wrong password is refused in words, the right one opens `next`", async () => {
    const email = await userWithPassword("manager");
    const page = await fresh();

    // The wall without a display token says so (401, a kiosk shows no login form), and links to /login.
    const res = await page.goto(`${server.url}/wall`);
    expect(res?.status()).toBe(401);
    await page.getByRole("link", { name: "Đăng nhập" }).click();
    await page.waitForURL(`${server.url}/login?next=%2Fwall`, { timeout: 5000 });
    expect(await page.getAttribute("html", "lang")).toBe("vi");
    expect(await page.getByRole("heading", { level: 1 }).innerText()).toBe("Đăng nhập");

    // Wrong password: the server's message, announced, and the same as for an unknown account.
    await fillLogin(page, email, "not the password");
    const alert = page.getByTestId("login-error");
    await alert.waitFor({ state: "visible", timeout: 5000 });
    const wrong = await alert.innerText();
    expect(wrong).toContain("không đúng");
    expect(await page.getByRole("alert").filter({ hasText: "không đúng" }).count()).toBe(1);
    expect(path(page)).toBe("/login?next=%2Fwall");
    expect(await page.getByLabel("Mật khẩu", { exact: true }).inputValue()).toBe("");

    const [unknown] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/auth/login"), { timeout: 5000 }),
      fillLogin(page, "nobody.here@sldtbxh.gov.vn", "not the password"),
    ]);
    expect(unknown.status()).toBe(401);
    await alert.waitFor({ state: "visible", timeout: 5000 });
    expect(await alert.innerText()).toBe(wrong);

    // The right password: straight on to /wall, with a session cookie the page cannot read.
    await fillLogin(page, email.toUpperCase(), PASSWORD);
    await page.waitForURL(`${server.url}/wall`, { timeout: 5000 });
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === "cw_session")?.httpOnly).toBe(true);
    expect(await page.evaluate(() => document.cookie)).not.toContain("cw_session");
    // The board opens on the session alone (tRPC and the socket), no display token.
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: 10_000 });
  });

  it("checks the form before sending it: empty and malformed fields are named, no request goes out", async () => {
    const page = await fresh();
    await page.goto(`${server.url}/login`);
    let posts = 0;
    page.on("request", (r) => {
      if (r.url().endsWith("/auth/login")) posts++;
    });
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.getByText("Hãy nhập địa chỉ email.").waitFor({ timeout: 3000 });
    expect(await page.getByLabel("Email").getAttribute("aria-invalid")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("email");

    await page.getByLabel("Email").fill("khong-phai-email");
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.getByText("Địa chỉ email chưa đúng", { exact: false }).waitFor({ timeout: 3000 });

    await page.getByLabel("Email").fill("a@b.vn");
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.getByText("Hãy nhập mật khẩu.").waitFor({ timeout: 3000 });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("password");
    expect(posts).toBe(0);

    // Fits a phone: nothing wider than the screen; English on request.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await page.getByRole("button", { name: "Language / Ngôn ngữ" }).click();
    expect(await page.getByRole("heading", { level: 1 }).innerText()).toBe("Log in");
    expect(await page.getByText("Enter your password.").count()).toBe(1);
  });

  it("never follows `next` off this origin", async () => {
    const email = await userWithPassword("admin");
    const page = await fresh();
    await page.goto(`${server.url}/login?next=${encodeURIComponent("//evil.example/wall")}`);
    await fillLogin(page, email, PASSWORD);
    await page.waitForURL(`${server.url}/`, { timeout: 5000 });
  });

  it("the landing page says who is logged in; logging out ends the session", async () => {
    const email = await userWithPassword("manager");
    const page = await fresh();
    await page.goto(`${server.url}/`);
    expect(path(page)).toBe("/login?next=%2F");
    await fillLogin(page, email, PASSWORD);
    await page.waitForURL(`${server.url}/`, { timeout: 5000 });
    await page.getByTestId("email").waitFor({ timeout: 5000 });
    expect(await page.getByTestId("email").innerText()).toBe(email);
    expect(await page.getByTestId("role").innerText()).toBe("Cán bộ quản lý");
    // The top bar links the pages a manager may open: the wall-board among them.
    expect(await page.getByRole("link", { name: "Màn hình", exact: true }).count()).toBe(1);

    await page.getByRole("button", { name: "Đăng xuất", exact: true }).click();
    await page.waitForURL(`${server.url}/login?out=1`, { timeout: 5000 });
    expect(await page.getByRole("status").innerText()).toContain("Bạn đã đăng xuất.");
    await page.goto(`${server.url}/`);
    expect(path(page)).toBe("/login?next=%2F");
  });

  it("logging out everywhere ends the sessions on other devices too", async () => {
    const email = await userWithPassword("facility");
    const phone = await fresh();
    const desk = await fresh({ width: 1920, height: 1080 });
    for (const page of [phone, desk]) {
      await page.goto(`${server.url}/login`);
      await fillLogin(page, email, PASSWORD);
      await page.waitForURL(`${server.url}/`, { timeout: 5000 });
      await page.getByTestId("email").waitFor({ timeout: 5000 });
    }
    // A facility clerk does not see the wall-board link (the server would refuse it).
    expect(await desk.getByRole("link", { name: "Màn hình", exact: true }).count()).toBe(0);

    await phone.getByRole("button", { name: "Đăng xuất mọi nơi" }).click();
    await phone.waitForURL(`${server.url}/login?out=1`, { timeout: 5000 });
    await desk.reload();
    expect(path(desk)).toBe("/login?next=%2F");
  });
});

describe("invitation page", () => {
  it("sets a password (typed twice), shows the server's objection to a weak one, then logs in", async () => {
    const email = `moi.${process.pid}@sldtbxh.gov.vn`;
    const { id } = await server.store.credentials.createUser({ email, role: "manager", provinces: ["son-la"], facilityId: null }, Date.now());
    const { token } = await server.store.credentials.createInvitation(id, Date.now(), 72 * 3600_000);
    const page = await fresh();
    const res = await page.goto(`${server.url}/invite/${token}`);
    expect(res?.status()).toBe(200);
    expect(await page.getByRole("heading", { level: 1 }).innerText()).toBe("Đặt mật khẩu");

    const submit = page.getByRole("button", { name: "Đặt mật khẩu và đăng nhập" });
    await page.getByLabel("Mật khẩu mới").fill("ngắn");
    await submit.click();
    await page.getByText("Mật khẩu cần ít nhất 10 ký tự.").waitFor({ timeout: 3000 });

    await page.getByLabel("Mật khẩu mới").fill(PASSWORD);
    await page.getByLabel("Nhập lại mật khẩu").fill(PASSWORD + "!");
    await submit.click();
    await page.getByText("Hai mật khẩu chưa giống nhau.").waitFor({ timeout: 3000 });

    // Long enough but common: the server says why, and the invitation stays usable.
    await page.getByLabel("Mật khẩu mới").fill("password123");
    await page.getByLabel("Nhập lại mật khẩu").fill("password123");
    await submit.click();
    const objection = page.getByTestId("invite-error");
    await objection.waitFor({ timeout: 5000 });
    expect((await objection.innerText()).length).toBeGreaterThan(10);
    expect(path(page)).toBe(`/invite/${token}`);

    await page.getByLabel("Mật khẩu mới").fill(PASSWORD);
    await page.getByLabel("Nhập lại mật khẩu").fill(PASSWORD);
    await submit.click();
    await page.waitForURL(`${server.url}/`, { timeout: 5000 });
    await page.getByTestId("email").waitFor({ timeout: 5000 });
    expect(await page.getByTestId("email").innerText()).toBe(email);
    // A manager of Sơn La lands on the overview of Sơn La.
    await page.getByRole("heading", { level: 1, name: "Tổng quan các cơ sở" }).waitFor({ timeout: 5000 });
    await page.getByText("Sơn La", { exact: true }).first().waitFor({ timeout: 10_000 });

    // Single use: the same link again is refused in words.
    const again = await fresh();
    await again.goto(`${server.url}/invite/${token}`);
    await again.getByLabel("Mật khẩu mới").fill(PASSWORD);
    await again.getByLabel("Nhập lại mật khẩu").fill(PASSWORD);
    await again.getByRole("button", { name: "Đặt mật khẩu và đăng nhập" }).click();
    await again.getByTestId("invite-error").waitFor({ timeout: 5000 });
    expect(await again.getByTestId("invite-error").innerText()).toMatch(/hết hạn|đã dùng/);
  });
});
