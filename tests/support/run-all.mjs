#!/usr/bin/env node
// `pnpm test`: every test, browser tests included, on a fresh machine with only Node and pnpm.
// 1. Find Debian's Chromium, installing it with apt-get when it is missing (never a downloaded browser),
//    and Debian's PostgreSQL server binaries, redis-server and nginx likewise: the store's conformance
//    suite and the server's suites run on both engines, the multi-process tests on PostgreSQL and
//    Redis (throwaway servers per run; CAREWATCH_TEST_ENGINES, CAREWATCH_TEST_DATABASE_URL and
//    CAREWATCH_TEST_REDIS_URL choose otherwise).
// 2. Build every package (the browser tests drive the built web app through the built server),
//    then lint: ESLint and Prettier's check (`pnpm lint`), so CI refuses untidy code too.
// 3. Run every vitest project once, and print a plain closing line "N passed, N failed".
import { execSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: process.env });
  return r.status ?? 1;
};

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const sudo = isRoot ? "" : "sudo ";
const aptInstall = (pkg) => execSync(`${sudo}apt-get update -qq && ${sudo}DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg}`, { stdio: "inherit" });

function hasPostgres() {
  const dir = "/usr/lib/postgresql";
  return existsSync(dir) && readdirSync(dir).some((v) => existsSync(path.join(dir, v, "bin", "postgres")));
}

function ensurePostgres() {
  if (process.env.CAREWATCH_TEST_DATABASE_URL || hasPostgres()) return;
  console.log(`PostgreSQL not found: installing Debian's postgresql with ${sudo}apt-get …`);
  aptInstall("postgresql");
  if (!hasPostgres()) throw new Error("apt-get installed postgresql but no /usr/lib/postgresql/*/bin/postgres");
}

// The multi-process tests run several carewatch servers on one PostgreSQL and one Redis, behind
// nginx with the README's example configuration.
function ensureDebianBinary(pkg, bin, skip = false) {
  if (skip || existsSync(bin)) return;
  console.log(`${bin} not found: installing Debian's ${pkg} with ${sudo}apt-get …`);
  try {
    aptInstall(pkg);
  } catch (e) {
    // The package's own service failing to start (no init system, port 80 taken) fails the
    // install without harming the binary, which is all the tests use: judge by the binary.
    if (!existsSync(bin)) throw e;
    console.log(`apt-get reported an error, but ${bin} is installed: going on`);
  }
  if (!existsSync(bin)) throw new Error(`apt-get installed ${pkg} but ${bin} is missing`);
}

function ensureChromium() {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (found) return found;
  console.log(`Chromium not found: installing Debian's chromium with ${sudo}apt-get …`);
  aptInstall("chromium");
  if (!existsSync("/usr/bin/chromium")) throw new Error("apt-get installed chromium but /usr/bin/chromium is missing");
  return "/usr/bin/chromium";
}

process.env.CHROMIUM_PATH = ensureChromium();
console.log(`Chromium: ${process.env.CHROMIUM_PATH}`);
ensurePostgres();
ensureDebianBinary("redis-server", "/usr/bin/redis-server", Boolean(process.env.CAREWATCH_TEST_REDIS_URL));
ensureDebianBinary("nginx", "/usr/sbin/nginx");
process.env.CAREWATCH_TEST_ENGINES ??= "sqlite,postgres";
console.log(`Store engines: ${process.env.CAREWATCH_TEST_ENGINES}`);

if (run("pnpm", ["-r", "--workspace-concurrency=1", "run", "build"]) !== 0) process.exit(1);
if (run("pnpm", ["run", "lint"]) !== 0) {
  console.error("\nlint failed: `pnpm exec prettier --write .` formats; fix what ESLint reports");
  process.exit(1);
}

const reportDir = path.join(root, "tests", "artifacts");
mkdirSync(reportDir, { recursive: true });
const report = path.join(reportDir, "vitest-report.json");
rmSync(report, { force: true });
const status = run("pnpm", ["exec", "vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)]);
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, "utf8"));
  console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed${r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""}`);
  if (r.numTotalTests === 0) process.exit(1);
}
process.exit(status);
