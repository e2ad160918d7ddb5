/**
 * Section 4 (`--soak 10m`): carewatch fed by the simulator at high speed while Debian Chromium
 * shows /wall with a display token. The page's JS heap (after a forced GC, via CDP) is sampled at
 * the start, every minute and at the end; PASS if end ≤ start × 1.2 + 2 MB. The server's RSS is
 * sampled beside it, for information.
 */
import { demoRegistryDocument, parseRegistry } from "@carewatch/domain";
import { createSimulator } from "@carewatch/simulator";
import { chromium, type Browser } from "playwright-core";
import { createDisplayToken, createKey, rssMb, spawnCarewatch } from "./proc.js";
import type { BenchOptions, SectionResult } from "./report.js";

const SPEED = 60;
const MB = 2 ** 20;

export function parseDuration(s: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
  if (!m) return null;
  const n = Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return n > 0 ? n : null;
}

interface Sample {
  minute: number;
  heapUsedMb: number;
  heapTotalMb: number;
  serverRssMb: number;
  eventsAccepted: number;
}

export async function runSoak(o: BenchOptions, durationMs: number): Promise<SectionResult> {
  const parsed = parseRegistry(demoRegistryDocument);
  if (!parsed.ok) throw new Error(`demo registry: ${parsed.problems.join("; ")}`);
  const registry = parsed.registry;
  const server = await spawnCarewatch();
  let browser: Browser | null = null;
  const simLog: string[] = [];
  const sim = createSimulator({
    baseUrl: server.url,
    keys: Object.fromEntries(registry.facilities.map((f) => [f.id, createKey(server, f.id)])),
    registry,
    speed: SPEED,
    log: (level, message) => void (level !== "debug" && simLog.length < 20 && simLog.push(`${level}: ${message}`)),
  });
  const samples: Sample[] = [];
  const notes: string[] = [];
  try {
    const token = createDisplayToken(server, "soak wall");
    sim.start();
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.length < 5 && pageErrors.push(e.message));
    const res = await page.goto(`${server.url}/wall?display=${encodeURIComponent(token)}`, { waitUntil: "load" });
    if (!res || res.status() !== 200) throw new Error(`/wall answered ${res?.status() ?? "nothing"} (is apps/web built?)`);
    await page.waitForTimeout(5_000); // first snapshot and a few patches
    const cdp = await page.context().newCDPSession(page);
    const t0 = Date.now();
    const sample = async () => {
      await cdp.send("HeapProfiler.collectGarbage");
      const h = (await cdp.send("Runtime.getHeapUsage")) as { usedSize: number; totalSize: number };
      const s: Sample = {
        minute: (Date.now() - t0) / 60_000,
        heapUsedMb: h.usedSize / MB,
        heapTotalMb: h.totalSize / MB,
        serverRssMb: rssMb(server.pid),
        eventsAccepted: sim.stats().accepted,
      };
      samples.push(s);
      o.log(`soak: ${s.minute.toFixed(1)} min, heap ${s.heapUsedMb.toFixed(2)} MB, server RSS ${s.serverRssMb.toFixed(0)} MB, ${s.eventsAccepted} events`);
    };
    await sample();
    const every = Math.min(60_000, durationMs / 4);
    while (Date.now() - t0 < durationMs) {
      await page.waitForTimeout(Math.min(every, durationMs - (Date.now() - t0)));
      await sample();
    }
    if (pageErrors.length) notes.push(`page errors: ${pageErrors.join(" | ")}`);
  } finally {
    await sim.stop().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server.stop();
  }
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const limit = first.heapUsedMb * 1.2 + 2;
  const stats = sim.stats();
  notes.push(`simulator at speed ${SPEED}: ${stats.posted} events posted, ${stats.accepted} accepted, ${stats.duplicates} duplicates, ${stats.failed} failed`);
  if (simLog.length) notes.push(`simulator said: ${simLog.slice(0, 5).join(" | ")}`);
  return {
    name: "soak",
    title: `4. Soak: /wall in Chromium for ${(durationMs / 60_000).toFixed(1)} min, simulator at speed ${SPEED}`,
    rows: samples.map((s) => ({
      minute: s.minute,
      "JS heap used MB": s.heapUsedMb,
      "JS heap total MB": s.heapTotalMb,
      "server RSS MB": s.serverRssMb,
      "events accepted": s.eventsAccepted,
    })),
    checks: [
      {
        section: "soak",
        target: "wall JS heap at end ≤ start × 1.2 + 2 MB",
        measured: `${first.heapUsedMb.toFixed(2)} → ${last.heapUsedMb.toFixed(2)} MB (limit ${limit.toFixed(2)} MB)`,
        pass: last.heapUsedMb <= limit,
      },
    ],
    notes,
  };
}
