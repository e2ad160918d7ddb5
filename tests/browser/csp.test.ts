import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { createAccount, login, STRONG_PASSWORD } from "../support/accounts.js";
import { census, REHAB, SONG_MA } from "../support/contract-helpers.js";
import { postEvents, ROOT, startTestServer, type TestServer } from "../support/server.js";

/**
 * Every page of the web app under its real Content-Security-Policy (the meta tag SvelteKit writes
 * and the header the server sends, both enforced by Chromium): no `securitypolicyviolation` event
 * and no console error about the policy, on each page as each role opens it — and each page
 * really rendered (its heading is visible), so a page the policy blanked out cannot pass.
 */
let browser: Browser;
let server: TestServer;
let display: string;
const contexts: BrowserContext[] = [];
const cookies: Record<"admin" | "manager" | "clerk", string> = { admin: "", manager: "", clerk: "" };

interface Seen {
  violations: { directive: string; blocked: string; sample: string; source: string }[];
  consoleErrors: string[];
  websockets: string[];
}

/** A context that records every CSP violation from its first script on (init scripts are not subject to the page's CSP). */
async function context(cookie: string | null, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; seen: Seen }> {
  const ctx = await browser.newContext({ viewport, locale: "vi-VN", timezoneId: "Asia/Ho_Chi_Minh" });
  contexts.push(ctx);
  if (cookie) {
    const [name, value] = cookie.split(/=(.*)/s) as [string, string];
    await ctx.addCookies([{ name, value, url: server.url }]);
  }
  await ctx.addInitScript(() => {
    const w = window as unknown as { __csp: unknown[] };
    w.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      w.__csp.push({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample, source: `${e.sourceFile}:${e.lineNumber}` }),
    );
  });
  const page = await ctx.newPage();
  const seen: Seen = { violations: [], consoleErrors: [], websockets: [] };
  page.on("console", (msg) => {
    if (/content security policy|content-security-policy/i.test(msg.text())) seen.consoleErrors.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on("pageerror", (err) => {
    if (/content security policy/i.test(err.message)) seen.consoleErrors.push(`pageerror: ${err.message}`);
  });
  page.on("websocket", (ws) => seen.websockets.push(ws.url()));
  return { page, seen };
}

/** What the page recorded, after the page has rendered (the caller waited for its heading). */
async function expectNoViolation(page: Page, seen: Seen, what: string) {
  seen.violations = await page.evaluate(() => (window as unknown as { __csp: Seen["violations"] }).__csp);
  expect(seen.violations, `${what}: CSP violations`).toEqual([]);
  expect(seen.consoleErrors, `${what}: console errors about the CSP`).toEqual([]);
}

beforeAll(async () => {
  [browser, server] = await Promise.all([launchChromium(), startTestServer()]);
  display = await server.display("CSP test wall");
  await createAccount(server, { email: "csp.admin@sldtbxh.gov.vn", role: "admin" });
  await createAccount(server, { email: "csp.manager@sldtbxh.gov.vn", role: "manager" });
  await createAccount(server, { email: "csp.clerk@sldtbxh.gov.vn", role: "facility", facilityId: REHAB });
  cookies.admin = (await login(server.url, "csp.admin@sldtbxh.gov.vn")).cookie!;
  cookies.manager = (await login(server.url, "csp.manager@sldtbxh.gov.vn")).cookie!;
  cookies.clerk = (await login(server.url, "csp.clerk@sldtbxh.gov.vn")).cookie!;
  // Some figures, so the wall, the landing page and the facility pages draw tiles, bars and charts.
  const key = await server.key(SONG_MA);
  const r = await postEvents(server.url, key, census(SONG_MA, 97, Date.now() - 10 * 60_000));
  expect(r.status, r.text).toBe(202);
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

/** Pages of the managers' slice, checked once they exist in this tree (their routes are being built). */
const built = (route: string) => existsSync(path.join(ROOT, "apps/web/src/routes", route));

const PAGES: { path: string; as: keyof typeof cookies; when?: boolean }[] = [
  { path: "/", as: "manager" },
  { path: "/admin", as: "admin" },
  { path: "/admin/audit", as: "admin" },
  { path: "/entry", as: "clerk" },
  { path: "/import", as: "clerk" },
  { path: `/facilities/${SONG_MA}`, as: "admin", when: built("facilities") },
  { path: "/referrals", as: "manager", when: built("referrals") },
  { path: "/targets", as: "manager", when: built("targets") },
  { path: "/reports", as: "manager", when: built("reports") },
];

describe("Content-Security-Policy in Chromium", () => {
  it("/login renders under the policy, and logging in through the form (a client-side navigation) stays clean", async () => {
    const { page, seen } = await context(null);
    const res = await page.goto(`${server.url}/login?next=%2F`);
    expect(res?.headers()["content-security-policy"]).toMatch(/script-src 'self' 'sha256-[^']+'.*frame-ancestors 'none'/);
    await page.getByRole("heading", { level: 1, name: "Đăng nhập" }).waitFor({ state: "visible", timeout: 10_000 });
    await expectNoViolation(page, seen, "/login");
    await page.getByLabel("Email").fill("csp.manager@sldtbxh.gov.vn");
    await page.getByLabel("Mật khẩu", { exact: true }).fill(STRONG_PASSWORD);
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.waitForURL(`${server.url}/`, { timeout: 10_000 });
    await page.getByRole("heading").first().waitFor({ state: "visible", timeout: 10_000 });
    await expectNoViolation(page, seen, "/login → /");
  });

  it("/wall with a display token: renders its tiles, opens its WebSocket under connect-src 'self', no violation", async () => {
    const { page, seen } = await context(null, { width: 1920, height: 1080 });
    await page.goto(`${server.url}/wall?display=${display}`);
    await page.getByRole("heading", { level: 1 }).waitFor({ state: "visible", timeout: 10_000 });
    await page.locator(`[data-facility="${SONG_MA}"]`).first().waitFor({ state: "visible", timeout: 10_000 });
    // Socket.IO starts on long-polling and upgrades to a WebSocket (a ws: URL on our origin).
    await expect.poll(() => seen.websockets.some((u) => u.startsWith(`${server.url.replace(/^http/, "ws")}/socket.io/`)), { timeout: 10_000 }).toBe(true);
    await expectNoViolation(page, seen, "/wall");
  });

  for (const p of PAGES) {
    it.skipIf(p.when === false)(`${p.path} (${p.as}) renders under the policy with no violation`, async () => {
      const { page, seen } = await context(cookies[p.as]);
      const res = await page.goto(`${server.url}${p.path}`);
      expect(res?.status(), p.path).toBe(200);
      await page.getByRole("heading").first().waitFor({ state: "visible", timeout: 10_000 });
      // Let the page's first data arrive and draw (charts, lists) before reading what it recorded.
      await page.waitForLoadState("networkidle", { timeout: 10_000 }).catch(() => {});
      await expectNoViolation(page, seen, p.path);
    });
  }

  it("the server's own pages (403, the wall's refusal, the API docs) render under their own policies", async () => {
    const { page, seen } = await context(cookies.clerk);
    const forbidden = await page.goto(`${server.url}/admin`);
    expect(forbidden?.status()).toBe(403);
    await page.getByRole("heading", { level: 1 }).waitFor({ state: "visible" });
    // Its stylesheet applied (allowed by its hash): the dark background, not the browser's white.
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe("rgb(11, 15, 20)");
    await expectNoViolation(page, seen, "403 page");

    const anon = await context(null);
    const refused = await anon.page.goto(`${server.url}/wall`);
    expect(refused?.status()).toBe(401);
    await anon.page.getByRole("heading", { level: 1 }).waitFor({ state: "visible" });
    await expectNoViolation(anon.page, anon.seen, "wall refusal page");

    const docs = await context(null);
    await docs.page.goto(`${server.url}/api/v1/docs`);
    await docs.page.getByRole("heading", { level: 1, name: /Facility API v1/ }).waitFor({ state: "visible" });
    expect(await docs.page.evaluate(() => getComputedStyle(document.querySelector("th")!).backgroundColor)).toBe("rgb(246, 248, 250)");
    await expectNoViolation(docs.page, docs.seen, "/api/v1/docs");
  });
});
