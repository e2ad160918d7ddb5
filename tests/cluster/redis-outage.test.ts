import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StatusPatch } from "@carewatch/domain";
import { login, STRONG_PASSWORD } from "../support/accounts.js";
import { startCluster, type Cluster } from "../support/cluster.js";
import { census, SONG_MA } from "../support/contract-helpers.js";
import { socketFor } from "../support/live-client.js";
import { startRedisServer, type RedisTestServer } from "../support/redis-server.js";
import { postEvents } from "../support/server.js";

/**
 * Redis carries only what the processes share transiently (the Socket.IO adapter's stream, rate
 * limits, login throttles); the log is PostgreSQL's. Redis going away must not stop ingest,
 * logins or the live board, and the processes must pick Redis up again when it is back.
 */
let redis: RedisTestServer;
let cluster: Cluster;
let key: string;
const EMAIL = "outage@example.vn";

beforeAll(async () => {
  redis = await startRedisServer(); // its own: this test stops it
  cluster = await startCluster(2, { CAREWATCH_REDIS_URL: redis.url, CAREWATCH_RATE_LIMIT: "1" });
  key = (await cluster.cw(["keys", "create", SONG_MA])).stdout.trim();
  expect((await cluster.cw(["users", "create", EMAIL, "--role", "admin", "--password-stdin"], STRONG_PASSWORD)).status).toBe(0);
});
afterAll(async () => {
  await cluster?.stop();
  await redis?.stop();
});

describe("Redis stops and comes back under two processes", () => {
  it("ingest, logins and live patches go on without it; shared limits return with it", async () => {
    const [A, B] = cluster.servers.map((s) => s.url) as [string, string];
    const display = new URL((await cluster.cw(["displays", "create", "outage wall"])).stdout.trim()).searchParams.get("display")!;
    const socket = socketFor(B, display);
    const patches: StatusPatch[] = [];
    socket.on("patch", (p) => patches.push(p));
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));

    await redis.stop();
    const started = Date.now();
    const r = await postEvents(A, key, census(SONG_MA, 77, Date.now() - 1000));
    expect(r.status, r.text).toBe(202);
    await expect.poll(() => patches.some((p) => p.facilities.some((f) => f.facility_id === SONG_MA && f.occupied === 77)), { timeout: 5_000 }).toBe(true);
    expect((await login(B, EMAIL)).status).toBe(200);
    expect(Date.now() - started, "nothing waited for Redis").toBeLessThan(5_000);

    // Back on the same address: each process reconnects, and the bucket is one again. A burst of
    // 10 (1/s × 10) at once, half to each process: shared, about 10 pass; while each process
    // still counted alone, all 20 would.
    redis = await startRedisServer({ port: redis.port });
    const shared = async () => {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => postEvents(i % 2 ? B : A, key, census(SONG_MA, i, Date.now() - 1000))));
      return answers.filter((x) => x.status === 202).length;
    };
    // The processes' own buckets may still be drained from before: wait for a full refill, then try.
    await expect
      .poll(
        async () => {
          await new Promise((res) => setTimeout(res, 11_000));
          return shared();
        },
        { timeout: 60_000, interval: 0 },
      )
      .toBeLessThanOrEqual(12);
    socket.close();
  });
});
