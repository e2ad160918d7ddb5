import { inject } from "vitest";
import { createTestStore, type TestStore, type TestStoreOptions } from "../test-helpers.js";
import { createPgTestStore } from "../test-pg/test-store.js";

/**
 * The engines the conformance suite runs against. Every `conformance/*.test.ts` file loops over
 * `ENGINES`, so an engine joins by being one more element here.
 *
 * PostgreSQL is available when the run has a server: `CAREWATCH_TEST_DATABASE_URL`, or the
 * throwaway one src/test-pg/global-setup.ts starts when `CAREWATCH_TEST_ENGINES` names postgres
 * (`pnpm --filter @carewatch/store test:pg`). Each of its test stores lives in a fresh schema.
 *
 * `CAREWATCH_TEST_ENGINES=sqlite,postgres` picks engines by name (default: every one available).
 */
export interface Engine {
  name: string;
  create(opts?: TestStoreOptions): Promise<TestStore>;
}

const pgUrl = inject("carewatchPgUrl");

const AVAILABLE: Engine[] = [
  { name: "sqlite", create: (opts) => createTestStore(opts) },
  ...(pgUrl ? [{ name: "postgres", create: (opts?: TestStoreOptions) => createPgTestStore(pgUrl, opts) }] : []),
];

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
