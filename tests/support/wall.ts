// Helpers for the wall-board browser tests: a real server, real Chromium, no sleeps that must work.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { postEvents, type TestServer } from "./server.js";

export const VIEWPORT_1080 = { width: 1920, height: 1080 } as const;
export const VIEWPORT_4K = { width: 3840, height: 2160 } as const;

/** Every facility of the bundled demo registry (packages/domain/data/facilities.json). */
export const DEMO_FACILITIES = [
  "sl-drug-rehab",
  "sl-drug-rehab-song-ma",
  "sl-social-protection",
  "sl-psychiatric",
  "sl-merit-nursing",
  "lc-merit-nursing-sapa",
  "lc-social-work",
  "lc-drug-rehab-1",
  "lc-drug-rehab-2",
] as const;

/** The first unit of the facilities that have units (a census must name one there). */
export const FIRST_UNIT: Record<string, string | undefined> = {
  "sl-drug-rehab": "compulsory",
  "sl-psychiatric": "acute",
  "lc-drug-rehab-1": "compulsory",
};

let counter = 0;

/** Post one census through the Facility API (202 expected). */
export async function postCensus(
  server: { url: string },
  key: string,
  facility: string,
  occupied: number,
  opts: { unit?: string; at?: number } = {},
): Promise<{ seq: number }> {
  const unit = opts.unit ?? FIRST_UNIT[facility];
  const res = await postEvents(server.url, key, {
    event_id: `bt-${process.pid}-${Date.now()}-${++counter}`,
    facility_id: facility,
    type: "census",
    occurred_at: new Date((opts.at ?? Date.now()) - 1000).toISOString(),
    occupied,
    ...(unit ? { unit } : {}),
  });
  if (res.status !== 202) throw new Error(`census for ${facility} answered ${res.status}: ${res.text}`);
  return res.json as { seq: number };
}

/** Keys for every demo facility. */
export async function keysFor(server: TestServer, facilities: readonly string[] = DEMO_FACILITIES): Promise<Record<string, string>> {
  return Object.fromEntries(await Promise.all(facilities.map(async (f) => [f, await server.key(f)] as const)));
}

export async function newWallContext(browser: Browser, viewport: { width: number; height: number } = VIEWPORT_1080): Promise<BrowserContext> {
  return browser.newContext({ viewport, deviceScaleFactor: 1, locale: "vi-VN", timezoneId: "Asia/Ho_Chi_Minh" });
}

/**
 * Open the wall as a display would: `/wall?display=<token>` (→ cookie, 303 to /wall), then wait
 * until every tile is drawn and the connection is live.
 */
export async function openWall(page: Page, url: string, token: string, query = ""): Promise<void> {
  const res = await page.goto(`${url}/wall?display=${encodeURIComponent(token)}${query ? `&${query}` : ""}`);
  if (!res || res.status() !== 200) throw new Error(`GET /wall answered ${res?.status()}`);
  await waitForBoard(page);
}

export async function waitForBoard(page: Page, tiles = DEMO_FACILITIES.length, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    (n) =>
      document.querySelectorAll("article.tile[data-facility]").length === n &&
      document.querySelector('[data-testid="connection"]')?.getAttribute("data-state") === "live",
    tiles,
    { timeout },
  );
}

/** The big occupied number of each tile, as shown (digits only: "1.151" → 1151). */
export function tileOccupied(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const out: Record<string, number> = {};
    for (const el of document.querySelectorAll<HTMLElement>("article.tile[data-facility]")) {
      const text = el.querySelector(".occupied")?.textContent ?? "";
      out[el.dataset.facility!] = Number(text.replace(/\D/g, ""));
    }
    return out;
  });
}

export function tileText(page: Page, facility: string): Promise<string> {
  return page.locator(`article.tile[data-facility="${facility}"]`).innerText();
}
