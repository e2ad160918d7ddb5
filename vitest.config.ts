import { defineConfig } from "vitest/config";

// Every suite in one run: unit tests beside the code in each package, cross-app suites in tests/.
// Two workers: the machines have two cores, and the browser and kill tests start real servers.
// With PostgreSQL among CAREWATCH_TEST_ENGINES (pnpm test sets both), the server's suites that
// prove the store — contract, reliability (SIGKILL), live and the core browser suites — run a
// second time as `tests-pg`, each server on its own database of a throwaway PostgreSQL server.
const engines = (process.env.CAREWATCH_TEST_ENGINES ?? "").split(",").map((s) => s.trim());

/** The browser suites that exercise the store end to end (the rest are page layout on the same reads). */
const CORE_BROWSER = ["wall", "wall-restart", "login", "entry", "admin", "facility"].map((f) => `browser/${f}.test.ts`);

export default defineConfig({
  test: {
    projects: [
      "packages/*",
      "apps/*",
      "tests",
      ...(engines.includes("postgres") || process.env.CAREWATCH_TEST_DATABASE_URL
        ? [
            {
              extends: "./tests/vitest.config.ts",
              root: "./tests",
              test: {
                name: "tests-pg",
                include: ["contract/**/*.test.ts", "reliability/**/*.test.ts", "live/**/*.test.ts", ...CORE_BROWSER],
                // `cw copy` copies an SQLite store into PostgreSQL: its source cannot be PostgreSQL.
                exclude: ["contract/copy.test.ts"],
                env: { CAREWATCH_TEST_ENGINE: "postgres" },
              },
            },
          ]
        : []),
    ],
    maxWorkers: 2,
  },
});
