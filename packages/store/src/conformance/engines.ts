import { createTestStore, type TestStore, type TestStoreOptions } from "../test-helpers.js";

/**
 * The engines the conformance suite runs against. Every `conformance/*.test.ts` file loops over
 * `ENGINES`, so an engine joins by being one more element here: e.g. a PostgreSQL engine,
 * present when its database is configured —
 *
 *   ...(process.env.CAREWATCH_TEST_PG_URL ? [{ name: "postgres", create: (o) => createPgTestStore(process.env.CAREWATCH_TEST_PG_URL!, o) }] : []),
 *
 * where `createPgTestStore` opens a fresh schema or database and builds the TestStore with
 * `testStoreOn` (test-helpers.ts), whose `openAnother` opens a second store on the same data.
 *
 * `CAREWATCH_TEST_ENGINES=sqlite,postgres` picks engines by name (default: every one available).
 */
export interface Engine {
  name: string;
  create(opts?: TestStoreOptions): Promise<TestStore>;
}

const AVAILABLE: Engine[] = [{ name: "sqlite", create: (opts) => createTestStore(opts) }];

function select(available: Engine[]): Engine[] {
  const wanted = process.env.CAREWATCH_TEST_ENGINES?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!wanted?.length) return available;
  const missing = wanted.filter((name) => !available.some((e) => e.name === name));
  // A typo or a missing database must not turn into a suite that silently tests nothing.
  if (missing.length) throw new Error(`CAREWATCH_TEST_ENGINES: not available: ${missing.join(", ")} (have ${available.map((e) => e.name).join(", ")})`);
  return available.filter((e) => wanted.includes(e.name));
}

export const ENGINES: readonly Engine[] = select(AVAILABLE);
