import { Redis } from "ioredis";
import type { Logger } from "pino";

/**
 * The connection to CAREWATCH_REDIS_URL, ready before anything uses it: the Socket.IO adapter
 * must not emit into a client that is still connecting. ioredis reconnects on its own after a
 * disconnect; commands queue meanwhile (the adapter's stream reader resumes from its last id, so
 * no packet between the processes is lost).
 */
export async function connectRedis(url: string, log: Logger, timeoutMs = 10_000): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, connectionName: "carewatch" });
  let lastError: unknown = null;
  redis.on("error", (err: unknown) => {
    // ioredis emits an error per failed attempt while it retries: log the first of a run only.
    if (lastError === null) log.warn({ err }, "redis: connection failed; retrying");
    lastError = err;
  });
  redis.on("ready", () => {
    if (lastError !== null) log.info("redis: connected again");
    lastError = null;
  });
  const timer = setTimeout(() => redis.disconnect(), timeoutMs);
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new Error(`cannot reach CAREWATCH_REDIS_URL (${redacted(url)}): ${(err as Error).message}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
  return redis;
}

/** A Redis URL fit for a log line: without its password. */
export function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable URL)";
  }
}
