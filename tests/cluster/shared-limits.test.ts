import fc from "fast-check";
import type { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectRedis, memoryRateLimiter, redisRateLimiter } from "@carewatch/server";
import { startRedisServer, type RedisTestServer } from "../support/redis-server.js";

/**
 * The Facility API's token bucket has two homes: this process's memory and Redis (one Lua
 * script, for several processes). They must be the same rule: for any sequence of requests and
 * clock steps, the same answers. And Redis going away must not fail a request.
 */
let server: RedisTestServer;
let redis: Redis;
const log = pino({ level: "silent" });

beforeAll(async () => {
  server = await startRedisServer(); // its own: the outage test stops it
  redis = await connectRedis(server.url, log);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

describe("the rate limit in Redis", () => {
  it("answers as the in-memory bucket does, for any requests and clock steps", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.record({ key: fc.constantFrom("a", "b"), dt: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3_000 })) }), {
          minLength: 1,
          maxLength: 120,
        }),
        async (perSecond, steps) => {
          run++;
          const memory = memoryRateLimiter(perSecond);
          const shared = redisRateLimiter(redis, perSecond, { prefix: `prop:${run}:` });
          let now = 1_700_000_000_000;
          for (const { key, dt } of steps) {
            now += dt;
            expect(await shared.take(key, now)).toEqual(await memory.take(key, now));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("two limiters on one Redis share each key's bucket", async () => {
    const [a, b] = [redisRateLimiter(redis, 3, { prefix: "shared:" }), redisRateLimiter(redis, 3, { prefix: "shared:" })];
    const answers = [];
    for (let i = 0; i < 40; i++) answers.push(await (i % 2 ? b : a).take("k", 5_000));
    expect(answers.filter((d) => d.allowed)).toHaveLength(30);
  });

  it("Redis gone: requests are still answered, from this process's buckets, and the error is reported", async () => {
    const errors: unknown[] = [];
    const limiter = redisRateLimiter(redis, 1, { prefix: "outage:", onError: (e) => errors.push(e) });
    await server.stop();
    const started = Date.now();
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await limiter.take("k", 9_000));
    expect(answers.filter((d) => d.allowed)).toHaveLength(10);
    expect(answers.at(-1)).toMatchObject({ allowed: false });
    expect(errors.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
