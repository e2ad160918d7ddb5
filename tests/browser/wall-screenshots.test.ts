import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { demoRegistryDocument, parseRegistry } from "@carewatch/domain";
import { createSimulator } from "@carewatch/simulator";
import { launchChromium } from "../support/browser.js";
import { ROOT, startTestServer, type TestServer } from "../support/server.js";
import { DEMO_FACILITIES, keysFor, newWallContext, openWall, VIEWPORT_1080, VIEWPORT_4K } from "../support/wall.js";

/**
 * A realistic board (a day of simulated history through the public API), photographed for the
 * README at 1080p and 4K, and checked to fit: no horizontal scrolling, every tile on screen,
 * every tile's figures inside the tile.
 */
// Every run saves its screenshots under tests/artifacts (ignored by git); the copies the README
// shows are refreshed only on request (UPDATE_SCREENSHOTS=1), so a test run leaves the tree clean.
const SHOTS = path.join(ROOT, process.env.UPDATE_SCREENSHOTS === "1" ? "docs/screenshots" : "tests/artifacts/screenshots");

let browser: Browser;
let server: TestServer;
let token: string;

/** The simulator's silent facility: its history ends (and was received) this long ago. */
const SILENT = "lc-drug-rehab-2";
const SILENT_FOR_MS = 3 * 3_600_000;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // The server's clock is moved back while the silent facility's day is posted, so the board
  // sees what a real silent facility looks like: nothing received for three hours.
  let shift = 0;
  const [b, s] = await Promise.all([launchChromium(), startTestServer({ now: () => Date.now() + shift })]);
  browser = b;
  server = s;
  token = await server.display("README screenshots");
  const parsed = parseRegistry(demoRegistryDocument);
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  const keys = await keysFor(server);
  const day = async (facilities: string[], now: () => number) => {
    const sim = createSimulator({ baseUrl: server.url, keys, registry: parsed.registry, facilities, silent: null, now, seed: 20261125, log: () => {} });
    const r = await sim.backfill(1);
    expect(r.failed).toBe(0);
    expect(r.accepted).toBeGreaterThan(10);
  };
  shift = -SILENT_FOR_MS;
  await day([SILENT], () => Date.now() - SILENT_FOR_MS);
  shift = 0;
  await day(
    DEMO_FACILITIES.filter((f) => f !== SILENT),
    () => Date.now(),
  );
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

interface Fit {
  scrollWidth: number;
  clientWidth: number;
  scrollHeight: number;
  clientHeight: number;
  pager: boolean;
  tiles: { id: string; left: number; top: number; right: number; bottom: number; clipped: string[] }[];
}

function measure(page: Page): Promise<Fit> {
  return page.evaluate(() => {
    const de = document.documentElement;
    const tiles = [...document.querySelectorAll<HTMLElement>("article.tile[data-facility]")].map((t) => {
      const r = t.getBoundingClientRect();
      const inside = (a: DOMRect, b: DOMRect) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5 && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;
      const meets = (a: DOMRect, b: DOMRect) => a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top;
      // Where an element is cut off: the tile, or any box between it and the tile that clips.
      const cut = (el: Element): "hidden" | "cut" | null => {
        const e = el.getBoundingClientRect();
        let verdict: "hidden" | "cut" | null = null;
        for (let a: Element | null = el.parentElement; a; a = a === t ? null : a.parentElement) {
          const cs = getComputedStyle(a);
          if (a !== t && cs.overflowX === "visible" && cs.overflowY === "visible") continue;
          const box = a.getBoundingClientRect();
          if (inside(e, box)) continue;
          if (!meets(e, box)) return "hidden";
          verdict = "cut";
        }
        return verdict;
      };
      const describe = (el: Element) => `${el.className || el.tagName} "${el.textContent?.trim()}"`;
      // The figures read from afar must be whole; a treatment that does not fit may be left out, not cut in half.
      const clipped = [
        ...[...t.querySelectorAll(".name, .occupied, .capacity, .available b, .level, .pct, .today b, .u-num")].filter((el) => cut(el) !== null).map(describe),
        ...[...t.querySelectorAll(".treatments .treat, .today > span, .fresh")].filter((el) => cut(el) === "cut").map(describe),
      ];
      return { id: t.dataset.facility!, left: r.left, top: r.top, right: r.right, bottom: r.bottom, clipped };
    });
    return {
      scrollWidth: Math.max(de.scrollWidth, document.body.scrollWidth),
      clientWidth: de.clientWidth,
      scrollHeight: Math.max(de.scrollHeight, document.body.scrollHeight),
      clientHeight: de.clientHeight,
      pager: document.querySelector(".pager") !== null,
      tiles,
    };
  });
}

async function settle(page: Page) {
  await page.evaluate(async () => {
    await document.fonts.ready;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  });
}

const cases = [
  { file: "wall-1080p.png", viewport: VIEWPORT_1080, lang: "vi", live: "TRỰC TUYẾN" },
  { file: "wall-4k.png", viewport: VIEWPORT_4K, lang: "vi", live: "TRỰC TUYẾN" },
  { file: "wall-1080p-en.png", viewport: VIEWPORT_1080, lang: "en", live: "LIVE" },
] as const;

describe("wall-board screenshots", () => {
  for (const c of cases) {
    it(`fits ${c.viewport.width}×${c.viewport.height} (${c.lang}) and is saved as ${c.file}`, async () => {
      const context = await newWallContext(browser, c.viewport);
      try {
        const page = await context.newPage();
        await openWall(page, server.url, token, `lang=${c.lang}`);
        await settle(page);
        expect(await page.getByTestId("connection").innerText()).toContain(c.live);
        // One silent facility, shown as such; every other one fresh.
        const stale = await page.locator("article.tile.stale").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.facility));
        expect(stale).toEqual([SILENT]);
        expect(await page.locator(`article.tile[data-facility="${SILENT}"] [data-testid="stale-badge"]`).innerText()).toMatch(
          c.lang === "vi" ? /MẤT TÍN HIỆU.*3 giờ/ : /NO DATA for 3 h/,
        );

        const fit = await measure(page);
        expect(fit.scrollWidth, "no horizontal scrollbar").toBeLessThanOrEqual(fit.clientWidth);
        expect(fit.scrollHeight, "no vertical scrollbar").toBeLessThanOrEqual(fit.clientHeight);
        expect(fit.clientWidth).toBe(c.viewport.width);
        expect(fit.pager, "one page, no rotation").toBe(false);
        expect(fit.tiles.map((t) => t.id).sort()).toEqual([...DEMO_FACILITIES].sort());
        for (const t of fit.tiles) {
          expect(t.left, `${t.id} left`).toBeGreaterThanOrEqual(0);
          expect(t.top, `${t.id} top`).toBeGreaterThanOrEqual(0);
          expect(t.right, `${t.id} right`).toBeLessThanOrEqual(c.viewport.width);
          expect(t.bottom, `${t.id} bottom`).toBeLessThanOrEqual(c.viewport.height);
          expect(t.clipped, `${t.id}: figures cut off by the tile`).toEqual([]);
        }

        await page.screenshot({ path: path.join(SHOTS, c.file), fullPage: true });
      } finally {
        await context.close();
      }
    });
  }
});
