import { defineConfig } from "vitest/config";

// Property tests and real SQLite files: seconds on a quiet machine, more when CI shares two cores
// with the browser suites — a generous limit, so a busy machine is not a red run.
export default defineConfig({ test: { name: "domain", include: ["src/**/*.test.ts"], testTimeout: 30_000 } });
