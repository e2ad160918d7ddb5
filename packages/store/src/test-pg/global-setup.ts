import type { TestProject } from "vitest/node";
import { startPgServer } from "./server.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The PostgreSQL server the run's test stores use ("" when the run has none). */
    carewatchPgUrl: string;
  }
}

/**
 * vitest globalSetup: one PostgreSQL server for the whole run, handed to the test files through
 * provide/inject. `CAREWATCH_TEST_DATABASE_URL` names a server to use instead (never stopped
 * here); otherwise a throwaway server is started only when `CAREWATCH_TEST_ENGINES` asks for
 * postgres, so a plain run of the store tests costs no server.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.CAREWATCH_TEST_DATABASE_URL;
  if (given) {
    project.provide("carewatchPgUrl", given);
    return undefined;
  }
  const wanted = (process.env.CAREWATCH_TEST_ENGINES ?? "").split(",").map((s) => s.trim());
  if (!wanted.includes("postgres")) {
    project.provide("carewatchPgUrl", "");
    return undefined;
  }
  const server = await startPgServer();
  project.provide("carewatchPgUrl", server.url);
  return () => server.stop();
}
