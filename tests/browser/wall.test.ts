import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { postEvents, startTestServer, type TestServer } from "../support/server.js";
import { DEMO_FACILITIES, keysFor, newWallContext, openWall, postCensus, tileOccupied, tileText, waitForBoard } from "../support/wall.js";

/**
 * The wall-board in real Chromium at 1920×1080 against the real server: what a person in the
 * operations room sees. Each test has its own browser context (cookies, localStorage).
 */
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const vi = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 0 });

describe("wall-board, one server", () => {
  let server: TestServer;
  let token: string;
  let keys: Record<string, string>;
  let context: BrowserContext;

  beforeAll(async () => {
    server = await startTestServer();
    token = await server.display("browser wall");
    keys = await keysFor(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const fresh = async () => {
    await context?.close();
    context = await newWallContext(browser);
    return context.newPage();
  };
  afterAll(async () => {
    await context?.close();
  });

  it("renders all nine facilities, province totals, in Vietnamese with Vietnamese numbers", async () => {
    await postCensus(server, keys["lc-drug-rehab-1"]!, "lc-drug-rehab-1", 1151, { unit: "compulsory" });
    const page = await fresh();
    await openWall(page, server.url, token);

    // Vietnamese by default.
    expect(await page.getAttribute("html", "lang")).toBe("vi");
    expect(await page.getByTestId("connection").innerText()).toContain("TRỰC TUYẾN");

    // One tile per facility, its name visible.
    const statuses = (await server.store.reads.board(Date.now(), 0)).facilities;
    expect(statuses.map((s) => s.facility_id).sort()).toEqual([...DEMO_FACILITIES].sort());
    for (const s of statuses) {
      const tile = page.locator(`article.tile[data-facility="${s.facility_id}"]`);
      expect(await tile.count(), s.facility_id).toBe(1);
      const name = tile.locator("h3.name");
      expect(await name.isVisible(), `${s.facility_id} name visible`).toBe(true);
      expect((await name.textContent())?.trim()).toBe(s.name);
      expect(await tile.innerText()).toContain("Còn trống");
    }

    // 1151 in Vietnamese: "1.151" on the tile (the unit line and the big number).
    await page.waitForFunction(() => document.querySelector('article[data-facility="lc-drug-rehab-1"] .occupied')?.textContent === "1.151", null, {
      timeout: 3000,
    });
    expect(await tileText(page, "lc-drug-rehab-1")).toContain("1.151/600");

    // Province totals: one header per province, the numbers the API gives, formatted in vi-VN.
    const headers = page.locator("section.row h2.province");
    const byProvince = new Map<string, { capacity: number; occupied: number; available: number }>();
    for (const s of statuses) {
      const t = byProvince.get(s.province) ?? { capacity: 0, occupied: 0, available: 0 };
      t.capacity += s.capacity;
      t.occupied += s.occupied;
      t.available += s.available;
      byProvince.set(s.province, t);
    }
    expect(byProvince.size).toBe(2);
    const headerTexts = await headers.allInnerTexts();
    expect(headerTexts).toHaveLength(2);
    for (const t of byProvince.values()) {
      const expected = `Giường ${vi.format(t.capacity)} · Đang điều trị, nuôi dưỡng ${vi.format(t.occupied)} · Còn trống ${vi.format(t.available)}`;
      expect(
        headerTexts.some((h) => h.replace(/\s+/g, " ").includes(expected)),
        `${expected} in ${JSON.stringify(headerTexts)}`,
      ).toBe(true);
    }
    expect(headerTexts.join(" ")).toContain("1.151");
  });

  it("shows an event posted through the API on its tile within one second", async () => {
    const page = await fresh();
    await openWall(page, server.url, token);
    expect((await tileOccupied(page))["sl-drug-rehab-song-ma"]).not.toBe(137);

    const started = Date.now();
    const shown = page.waitForFunction(() => document.querySelector('article[data-facility="sl-drug-rehab-song-ma"] .occupied')?.textContent === "137", null, {
      timeout: 1000,
      polling: 20,
    });
    await postCensus(server, keys["sl-drug-rehab-song-ma"]!, "sl-drug-rehab-song-ma", 137);
    await shown;
    expect(Date.now() - started).toBeLessThan(1000);
    // Song Mã has no units and capacity 150: 13 beds free.
    const text = await tileText(page, "sl-drug-rehab-song-ma");
    expect(text).toContain("/ 150");
    expect(text).toMatch(/Còn trống\s*13\b/);
  });

  it("flags inconsistent figures in words, and clears the flag on the next census", async () => {
    const page = await fresh();
    await openWall(page, server.url, token);
    const id = "lc-social-work";
    const base = Date.now() - 60_000;
    await postCensus(server, keys[id]!, id, 2, { at: base });
    const discharge = await postEvents(server.url, keys[id]!, {
      event_id: `bt-discharge-${Date.now()}`,
      facility_id: id,
      type: "discharge",
      count: 5,
      occurred_at: new Date(base + 10_000).toISOString(),
    });
    expect(discharge.status).toBe(202);
    const flag = page.locator(`article[data-facility="${id}"] .flag`);
    await flag.waitFor({ state: "visible", timeout: 3000 });
    expect(await flag.innerText()).toContain("Số liệu không khớp");
    expect((await tileOccupied(page))[id]).toBe(0);
    await postCensus(server, keys[id]!, id, 40);
    await flag.waitFor({ state: "detached", timeout: 3000 });
    expect((await tileOccupied(page))[id]).toBe(40);
  });

  it("switches to English, keeps it across a reload, and ?lang=vi switches back", async () => {
    const page = await fresh();
    await openWall(page, server.url, token);
    await page.getByRole("button", { name: "Language" }).click();
    await page.waitForFunction(() => document.documentElement.lang === "en", null, { timeout: 2000 });
    expect(await page.getByTestId("connection").innerText()).toContain("LIVE");
    expect(await tileText(page, "sl-merit-nursing")).toContain("Available");
    expect(await page.locator("h1").innerText()).toContain("Live capacity board");
    expect(await page.evaluate(() => localStorage.getItem("carewatch.lang"))).toBe("en");

    await page.reload();
    await waitForBoard(page);
    expect(await page.getAttribute("html", "lang")).toBe("en");
    expect(await page.getByTestId("connection").innerText()).toContain("LIVE");
    expect(await tileText(page, "lc-social-work")).toContain("Available");

    const res = await page.goto(`${server.url}/wall?lang=vi`);
    expect(res?.status()).toBe(200);
    await waitForBoard(page);
    expect(await page.getAttribute("html", "lang")).toBe("vi");
    expect(await page.getByTestId("connection").innerText()).toContain("TRỰC TUYẾN");
    expect(await tileText(page, "lc-social-work")).toContain("Còn trống");
    expect(await page.evaluate(() => localStorage.getItem("carewatch.lang"))).toBe("vi");
  });

  it("refuses a revoked display within seconds, and /wall answers 401 without a valid token", async () => {
    const { id, token: doomed } = await server.store.credentials.createDisplay("to be revoked", Date.now());
    const page = await fresh();
    await openWall(page, server.url, doomed);

    expect(await server.store.credentials.revokeDisplay(id, Date.now())).toBe(true);
    await page.waitForFunction(() => document.body.innerText.includes("chưa được cấp quyền"), null, { timeout: 6000 });
    expect(await page.locator("article.tile").count()).toBe(0);
    expect(await page.getByRole("alert").innerText()).toContain("This display is not authorised");

    // A fresh navigation with the (revoked) cookie: 401 from the server, not the app.
    const again = await page.goto(`${server.url}/wall`);
    expect(again?.status()).toBe(401);
    expect(await page.locator("body").innerText()).toContain("chưa được cấp quyền");

    // A wrong token, and none at all, in a clean context.
    const stranger = await context.browser()!.newContext();
    try {
      const p = await stranger.newPage();
      const wrong = await p.goto(`${server.url}/wall?display=cwd_wrong`);
      expect(wrong?.status()).toBe(401);
      expect(await stranger.cookies()).toEqual([]);
      const none = await p.goto(`${server.url}/wall`);
      expect(none?.status()).toBe(401);
      expect(await p.locator("body").innerText()).toContain("chưa được cấp quyền");
    } finally {
      await stranger.close();
    }
  });
});

describe("wall-board on a moved clock", () => {
  it("marks a facility stale once the server's clock passes twice its interval", async () => {
    let shift = 0;
    const server = await startTestServer({ now: () => Date.now() + shift });
    const context = await newWallContext(browser);
    try {
      const token = await server.display();
      const keys = await keysFor(server, ["sl-drug-rehab-song-ma", "sl-merit-nursing"]);
      await postCensus(server, keys["sl-drug-rehab-song-ma"]!, "sl-drug-rehab-song-ma", 120);
      await postCensus(server, keys["sl-merit-nursing"]!, "sl-merit-nursing", 80);
      const page = await context.newPage();
      await openWall(page, server.url, token);

      const songMa = page.locator('article.tile[data-facility="sl-drug-rehab-song-ma"]');
      const merit = page.locator('article.tile[data-facility="sl-merit-nursing"]');
      // A facility that never reported is stale from the start; these two are fresh.
      await page.waitForFunction(() => document.querySelector('article[data-facility="sl-drug-rehab-song-ma"] .occupied')?.textContent === "120", null, {
        timeout: 3000,
      });
      expect(await songMa.getAttribute("class")).not.toMatch(/\bstale\b/);
      expect(await songMa.getByTestId("stale-badge").count()).toBe(0);
      expect(await merit.getAttribute("class")).not.toMatch(/\bstale\b/);
      expect(await page.locator('article.tile[data-facility="lc-social-work"]').getAttribute("class")).toMatch(/\bstale\b/);

      // 31 minutes later on the server: Song Mã (15-min interval) is stale, the merit centre (60) is not.
      shift = 31 * 60_000;
      await page.waitForFunction(
        () => {
          const t = document.querySelector('article[data-facility="sl-drug-rehab-song-ma"]');
          return !!t && t.classList.contains("stale") && !!t.querySelector('[data-testid="stale-badge"]');
        },
        null,
        { timeout: 5000 },
      );
      const badge = await songMa.getByTestId("stale-badge").innerText();
      expect(badge).toContain("MẤT TÍN HIỆU");
      expect(badge).toMatch(/3[12] phút/);
      expect(await songMa.getByTestId("stale-badge").isVisible()).toBe(true);
      expect(await merit.getAttribute("class")).not.toMatch(/\bstale\b/);
      expect(await merit.getByTestId("stale-badge").count()).toBe(0);
    } finally {
      await context.close();
      await server.stop();
    }
  });
});
