#!/usr/bin/env node
/**
 * carewatch simulator CLI: a realistic feed over the public Facility API v1.
 *
 *   pnpm simulate --keys keys.json --backfill 30d
 *   CAREWATCH_SIM_KEYS='{"sl-drug-rehab":"…"}' node apps/simulator/dist/main.js --speed 5
 */
import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { demoRegistryDocument, parseRegistry, type Registry } from "@carewatch/domain";
import { defaultLogger } from "./client.js";
import { createSimulator, DEFAULT_SILENT } from "./simulator.js";
import { parseDuration, progressBar } from "./cli-options.js";

class UsageError extends Error {}

function parseUrl(value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
    return value;
  } catch {
    throw new InvalidArgumentError(`"${value}" is not an http(s) URL, e.g. http://localhost:3000`);
  }
}

function parseSpeed(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`"${value}" is not a positive number, e.g. 1, 0.5 or 10`);
  return n;
}

function parseSeed(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) {
    throw new InvalidArgumentError(`"${value}" is not a whole number from 0 to 4294967295`);
  }
  return Number(value);
}

function parseList(value: string): string[] {
  const ids = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new InvalidArgumentError("give at least one facility id, e.g. sl-drug-rehab,lc-social-work");
  return ids;
}

function loadKeys(file: string | undefined): Record<string, string> {
  let text: string;
  let where: string;
  if (file) {
    where = file;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new UsageError(`cannot read --keys file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  } else if (process.env.CAREWATCH_SIM_KEYS) {
    where = "CAREWATCH_SIM_KEYS";
    text = process.env.CAREWATCH_SIM_KEYS;
  } else {
    throw new UsageError(
      'no API keys: pass --keys <file> (JSON {"facility_id": "key", …}) or set CAREWATCH_SIM_KEYS to that JSON.\n' +
        "Create keys with: pnpm --silent cw keys create <facility_id>",
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${where} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new UsageError(`${where} must be a JSON object {"facility_id": "key", …}`);
  }
  const keys: Record<string, string> = {};
  for (const [id, key] of Object.entries(doc)) {
    if (typeof key !== "string" || key.trim() === "") throw new UsageError(`${where}: the key for "${id}" must be a non-empty string`);
    keys[id] = key.trim();
  }
  if (Object.keys(keys).length === 0) throw new UsageError(`${where} holds no keys`);
  return keys;
}

function loadRegistry(file: string | undefined): Registry {
  let doc: unknown = demoRegistryDocument;
  if (file) {
    try {
      doc = JSON.parse(readFileSync(file, "utf8"));
    } catch (err) {
      throw new UsageError(`cannot load registry ${file}: ${(err as Error).message}`);
    }
  }
  const parsed = parseRegistry(doc);
  if (!parsed.ok) throw new UsageError(`invalid registry ${file ?? "(bundled)"}:\n  ${parsed.problems.join("\n  ")}`);
  return parsed.registry;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name("carewatch-simulate")
    .description("Post a realistic simulated feed to carewatch through the public Facility API v1.")
    .option("--url <url>", "carewatch base URL", parseUrl, "http://localhost:3000")
    .option("--keys <file>", 'JSON file {"facility_id": "key"} (default: env CAREWATCH_SIM_KEYS)')
    .option("--registry <file>", "facility registry JSON (default: env CAREWATCH_FACILITIES, else the bundled demo registry)")
    .option("--speed <n>", "multiply event rates (timestamps stay real)", parseSpeed, 1)
    .option("--facilities <ids>", "comma-separated facility ids (default: every facility with a key)", parseList)
    .option("--silent <id>", `facility that goes silent, or "none"`, DEFAULT_SILENT)
    .option("--backfill <duration>", "first post history ending now, e.g. 30d or 12h", parseDuration)
    .option("--backfill-only", "exit after the backfill")
    .option("--seed <n>", "seed for a reproducible feed", parseSeed)
    .showHelpAfterError("(run with --help for usage)");
  program.parse(argv);
  const o = program.opts<{
    url: string;
    keys?: string;
    registry?: string;
    speed: number;
    facilities?: string[];
    silent: string;
    backfill?: number;
    backfillOnly?: boolean;
    seed?: number;
  }>();
  if (o.backfillOnly && o.backfill === undefined) throw new UsageError("--backfill-only needs --backfill <duration>");

  const keys = loadKeys(o.keys);
  const registry = loadRegistry(o.registry ?? process.env.CAREWATCH_FACILITIES);
  const silentExplicit = program.getOptionValueSource("silent") === "cli";
  let sim;
  try {
    sim = createSimulator({
      baseUrl: o.url,
      keys,
      registry,
      speed: o.speed,
      ...(o.facilities ? { facilities: o.facilities } : {}),
      ...(silentExplicit ? { silent: o.silent === "none" ? null : o.silent } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      log: defaultLogger,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  defaultLogger("info", `simulating ${sim.facilityIds.join(", ")}${sim.silent ? ` (silent: ${sim.silent})` : ""} → ${o.url}`);

  if (o.backfill !== undefined) {
    const tty = process.stderr.isTTY;
    let lastPrinted = -1;
    const result = await sim.backfill(o.backfill, (done, total) => {
      const pct = total ? Math.floor((done / total) * 100) : 100;
      if (tty) process.stderr.write(`\r${progressBar(done, total)}`);
      else if (pct !== lastPrinted && (pct % 10 === 0 || done === total)) process.stderr.write(`${progressBar(done, total)}\n`);
      lastPrinted = pct;
    });
    if (tty) process.stderr.write("\n");
    defaultLogger(
      result.failed ? "warn" : "info",
      `backfill done: ${result.events} events in ${result.batches} batches (${result.accepted} accepted, ${result.duplicates} duplicates, ${result.failed} failed)`,
    );
    if (o.backfillOnly) {
      process.exitCode = result.failed ? 1 : 0;
      return;
    }
  }

  sim.start();
  let last = sim.stats();
  const report = setInterval(() => {
    const s = sim.stats();
    defaultLogger(
      "info",
      `last 60 s: ${s.posted - last.posted} events posted (${s.accepted - last.accepted} accepted, ${s.duplicates - last.duplicates} duplicates, ${s.failed - last.failed} failed; ${s.late - last.late} held late, ${s.resent - last.resent} re-sent)`,
    );
    last = s;
  }, 60_000);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    defaultLogger("info", `${signal}: stopping`);
    clearInterval(report);
    void sim.stop().then(() => {
      const s = sim.stats();
      defaultLogger("info", `stopped: ${s.posted} events posted, ${s.accepted} accepted, ${s.duplicates} duplicates, ${s.failed} failed`);
      process.exit(0);
    });
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main(process.argv).catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`carewatch-simulate: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`carewatch-simulate: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
