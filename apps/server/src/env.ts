import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import {
  DEFAULT_OVERDUE_THRESHOLDS,
  demoRegistryDocument,
  parseOverdueThresholds,
  parseRegistry,
  type OverdueThresholds,
  type Registry,
} from "@carewatch/domain";
import type { StoreLocation } from "@carewatch/store";

/** What CAREWATCH_DATABASE_URL must look like (the server and `cw` check it alike). */
export const POSTGRES_URL = /^postgres(ql)?:\/\/\S+$/;
export const POSTGRES_URL_EXPECTED = "expected postgres://user:password@host:port/database";

/**
 * Configuration, parsed and validated once at start. A bad value stops the process with a
 * message naming the variable (never a stack trace).
 */
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  CAREWATCH_DATA_DIR: z.string().min(1).default("./data"),
  CAREWATCH_FACILITIES: z.string().min(1).optional(),
  /** postgres://… selects the PostgreSQL engine; unset, the store is CAREWATCH_DATA_DIR/carewatch.db (SQLite). */
  CAREWATCH_DATABASE_URL: z.string().regex(POSTGRES_URL, POSTGRES_URL_EXPECTED).optional(),
  CAREWATCH_RATE_LIMIT: z.coerce.number().min(0).default(50),
  /** redis://… connects several server processes: their live sockets, rate limits and login throttles. */
  CAREWATCH_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, "expected redis://host:port (or rediss:// for TLS)")
    .optional(),
  /** Addresses of reverse proxies whose X-Forwarded-For is believed (comma-separated IPs, e.g. `127.0.0.1,::1`). */
  CAREWATCH_TRUSTED_PROXIES: z.string().default(""),
  CAREWATCH_WEB_DIR: z.string().min(1).optional(),
  /** Extra origins allowed to open the live socket (comma-separated); the page's own origin always is. */
  CAREWATCH_ALLOWED_ORIGINS: z.string().default(""),
  /** The address people open, used in printed display URLs. */
  CAREWATCH_PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** "development" adds stack traces to tRPC error responses; anything served to people is "production". */
  CAREWATCH_ENV: z.enum(["production", "development"]).default("production"),
  /** A session ends after this long without a request (e.g. `8h`, `30m`). */
  CAREWATCH_SESSION_IDLE: z.string().default("8h"),
  /** A session ends this long after login, however busy (e.g. `7d`). */
  CAREWATCH_SESSION_MAX: z.string().default("7d"),
  /** When an open referral is overdue, per urgency (e.g. `emergency=2h,urgent=24h,routine=7d`; one left out keeps its default). */
  CAREWATCH_REFERRAL_OVERDUE: z.string().optional(),
});

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `8h`, `7d` → milliseconds, or null. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+)\s*([smhd])\s*$/.exec(text);
  if (!m) return null;
  const ms = Number(m[1]) * UNITS[m[2]!]!;
  return ms > 0 && Number.isSafeInteger(ms) ? ms : null;
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Where the store lives: CAREWATCH_DATABASE_URL, or the SQLite file in the data dir. */
  database: StoreLocation;
  registry: Registry;
  registrySource: string;
  rateLimit: number;
  /** CAREWATCH_REDIS_URL, when several processes serve one address. */
  redisUrl: string | null;
  /** Proxies whose X-Forwarded-For names the client (login throttling is per client address). */
  trustedProxies: string[];
  webDir: string | null;
  allowedOrigins: string[];
  publicUrl: string;
  /** False when publicUrl is the localhost default (the server then names the port it listens on). */
  publicUrlGiven: boolean;
  logLevel: string;
  /** CAREWATCH_ENV=development: error responses may carry stack traces. Never by default. */
  dev: boolean;
  /** Session lifetimes: idle (since the last request) and absolute (since login), in ms. */
  session: { idleMs: number; absoluteMs: number };
  /** An open referral older than its urgency's threshold is overdue (ms; CAREWATCH_REFERRAL_OVERDUE). */
  referralOverdue: OverdueThresholds;
}

export class ConfigError extends Error {}

const here = path.dirname(fileURLToPath(import.meta.url));

/** The built web app: next to the server's dist in the monorepo (apps/web/build). */
function defaultWebDir(): string | null {
  for (const candidate of [path.resolve(here, "../../web/build"), path.resolve(here, "../../../apps/web/build")]) {
    if (existsSync(path.join(candidate, "index.html"))) return candidate;
  }
  return null;
}

export function loadRegistry(file: string | undefined): { registry: Registry; source: string } {
  let doc: unknown = demoRegistryDocument;
  let source = "bundled demo registry (Sơn La, Lào Cai)";
  if (file) {
    source = path.resolve(file);
    let text: string;
    try {
      text = readFileSync(source, "utf8");
    } catch (e) {
      throw new ConfigError(`CAREWATCH_FACILITIES: cannot read ${source}: ${(e as Error).message}`);
    }
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`CAREWATCH_FACILITIES: ${source} is not valid JSON: ${(e as Error).message}`);
    }
  }
  const parsed = parseRegistry(doc);
  if (!parsed.ok) throw new ConfigError(`CAREWATCH_FACILITIES: ${source} is not a valid registry:\n  - ${parsed.problems.join("\n  - ")}`);
  return { registry: parsed.registry, source };
}

/**
 * Create a directory and its missing parents one level at a time. Node's `recursive: true`
 * never returns for some paths (under /proc it spins at 100% CPU), which would hang start-up
 * with no message instead of naming the bad variable.
 */
function makeDirs(abs: string): void {
  const missing: string[] = [];
  let dir = abs;
  while (!existsSync(dir)) {
    missing.unshift(dir);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const d of missing) mkdirSync(d);
}

export function ensureDataDir(dir: string): string {
  const abs = path.resolve(dir);
  try {
    makeDirs(abs);
    if (!statSync(abs).isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
    accessSync(abs, constants.R_OK | constants.W_OK);
  } catch (e) {
    throw new ConfigError(`CAREWATCH_DATA_DIR: ${abs} is not a readable and writable directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return abs;
}

const list = (text: string) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      "invalid configuration:\n" +
        parsed.error.issues.map((i) => `  - ${i.path.join(".")}: ${i.message} (got ${JSON.stringify(env[String(i.path[0])])})`).join("\n"),
    );
  }
  const e = parsed.data;
  const idleMs = parseDuration(e.CAREWATCH_SESSION_IDLE);
  if (idleMs === null)
    throw new ConfigError(`CAREWATCH_SESSION_IDLE: expected a duration such as 30m, 8h or 1d (got ${JSON.stringify(e.CAREWATCH_SESSION_IDLE)})`);
  const absoluteMs = parseDuration(e.CAREWATCH_SESSION_MAX);
  if (absoluteMs === null)
    throw new ConfigError(`CAREWATCH_SESSION_MAX: expected a duration such as 12h or 7d (got ${JSON.stringify(e.CAREWATCH_SESSION_MAX)})`);
  if (idleMs > absoluteMs)
    throw new ConfigError(`CAREWATCH_SESSION_IDLE (${e.CAREWATCH_SESSION_IDLE}) must not be longer than CAREWATCH_SESSION_MAX (${e.CAREWATCH_SESSION_MAX})`);
  const overdue =
    e.CAREWATCH_REFERRAL_OVERDUE === undefined
      ? { ok: true as const, thresholds: { ...DEFAULT_OVERDUE_THRESHOLDS } }
      : parseOverdueThresholds(e.CAREWATCH_REFERRAL_OVERDUE);
  if (!overdue.ok) throw new ConfigError(`CAREWATCH_REFERRAL_OVERDUE: ${overdue.problems.join("; ")} (got ${JSON.stringify(e.CAREWATCH_REFERRAL_OVERDUE)})`);
  const badProxy = list(e.CAREWATCH_TRUSTED_PROXIES).find((a) => isIP(a) === 0);
  if (badProxy !== undefined)
    throw new ConfigError(`CAREWATCH_TRUSTED_PROXIES: ${JSON.stringify(badProxy)} is not an IP address (a comma-separated list such as 127.0.0.1,::1)`);
  const dataDir = ensureDataDir(e.CAREWATCH_DATA_DIR);
  const { registry, source } = loadRegistry(e.CAREWATCH_FACILITIES);
  const webDir = e.CAREWATCH_WEB_DIR ? path.resolve(e.CAREWATCH_WEB_DIR) : defaultWebDir();
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    database: e.CAREWATCH_DATABASE_URL ? { engine: "postgres", url: e.CAREWATCH_DATABASE_URL } : { engine: "sqlite", path: path.join(dataDir, "carewatch.db") },
    registry,
    registrySource: source,
    rateLimit: e.CAREWATCH_RATE_LIMIT,
    redisUrl: e.CAREWATCH_REDIS_URL ?? null,
    trustedProxies: list(e.CAREWATCH_TRUSTED_PROXIES),
    webDir,
    allowedOrigins: list(e.CAREWATCH_ALLOWED_ORIGINS),
    publicUrl: e.CAREWATCH_PUBLIC_URL ?? `http://localhost:${e.PORT}`,
    publicUrlGiven: e.CAREWATCH_PUBLIC_URL !== undefined,
    logLevel: e.LOG_LEVEL,
    dev: e.CAREWATCH_ENV === "development",
    session: { idleMs, absoluteMs },
    referralOverdue: overdue.thresholds,
  };
}
