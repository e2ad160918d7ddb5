import type { TestProject } from "vitest/node";
import { hasRedisServer, startRedisServer } from "./redis-server.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The Redis server the run's multi-process tests use. */
    carewatchRedisUrl: string;
  }
}

/**
 * vitest globalSetup: one Redis server for the run's multi-process tests (several carewatch
 * processes share it as they would in production). `CAREWATCH_TEST_REDIS_URL` names a server to
 * use instead; otherwise a throwaway one (tests/support/redis-server.ts).
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.CAREWATCH_TEST_REDIS_URL;
  if (given) {
    project.provide("carewatchRedisUrl", given);
    return undefined;
  }
  // Without redis-server (a run of one file on a machine without it) the multi-process tests
  // fail with a message saying so; `pnpm test` installs it.
  if (!hasRedisServer()) {
    project.provide("carewatchRedisUrl", "");
    return undefined;
  }
  const server = await startRedisServer();
  project.provide("carewatchRedisUrl", server.url);
  return () => server.stop();
}
