import { defineConfig } from "vitest/config";

// Property tests and real SQLite files: seconds on a quiet machine, more when CI shares two cores
// with the browser suites — a generous limit, so a busy machine is not a red run.
// globalSetup: one PostgreSQL server for the run when the postgres engine is asked for (src/test-pg).
export default defineConfig({
  test: { name: "store", include: ["src/**/*.test.ts"], testTimeout: 30_000, globalSetup: ["src/test-pg/global-setup.ts"] },
});
