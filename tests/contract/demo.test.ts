import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { storeEnv } from "../support/engine.js";
import { ROOT, tempDataDir } from "../support/server.js";

/**
 * `pnpm demo`'s built bundle (apps/demo/dist/demo.js), as the README's first command runs it: it
 * starts, backfills through the batch API, prints the wall's URL, serves a live board with the
 * simulated feed's events, and stops cleanly. (A dependency the bundle cannot load shows here
 * first: it once broke the demo while every other suite passed.)
 */
const dataDir = tempDataDir("carewatch-demo-");
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("pnpm demo (the built bundle)", () => {
  it("starts with a short backfill, prints the wall URL, serves the board, and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [path.join(ROOT, "apps/demo/dist/demo.js")], {
      cwd: ROOT,
      env: { ...process.env, PORT: "0", HOST: "127.0.0.1", CAREWATCH_DATA_DIR: dataDir, CAREWATCH_DEMO_BACKFILL_DAYS: "1", ...(await storeEnv(dataDir)) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += String(d)));
    child.stderr.on("data", (d) => (err += String(d)));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      await expect
        .poll(() => /Wall-board:\s+(\S+)/.exec(out)?.[1] ?? (child.exitCode !== null ? `exited: ${err}` : null), { timeout: 90_000, interval: 200 })
        .toMatch(/^http/);
      const wall = new URL(/Wall-board:\s+(\S+)/.exec(out)![1]!);
      expect(err).toMatch(/Backfilling 1 days/);
      const token = wall.searchParams.get("display")!;
      const snapshot = async () =>
        (await (await fetch(`${wall.origin}/trpc/board.snapshot`, { headers: { cookie: `cw_display=${token}` } })).json()) as {
          result: { data: { seq: number; facilities: unknown[] } };
        };
      const first = (await snapshot()).result.data;
      expect(first.facilities.length).toBeGreaterThan(0);
      expect(first.seq).toBeGreaterThan(0);
      // The simulated feed goes on posting through the public API.
      await expect.poll(async () => (await snapshot()).result.data.seq, { timeout: 30_000, interval: 500 }).toBeGreaterThan(first.seq);
      // The URL trades its token for a cookie, then the wall page.
      expect([200, 302, 303]).toContain((await fetch(wall, { redirect: "manual" })).status);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });
});
