import { describe, expect, it } from "vitest";
import { memoryRateLimiter } from "./rate-limit.js";

// The same rule in Redis (several servers) is checked against this one in tests/cluster/shared-limits.test.ts.
describe("memoryRateLimiter", () => {
  const takeMany = async (l: ReturnType<typeof memoryRateLimiter>, key: string, n: number, t: number) => {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await l.take(key, t));
    return out;
  };

  it("allows a burst of ten times the rate, then refuses with a Retry-After", async () => {
    const l = memoryRateLimiter(5);
    const t = 1_000_000;
    expect((await takeMany(l, "k", 60, t)).filter((d) => d.allowed).length).toBe(50);
    const refused = await l.take("k", t);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it("refills at the sustained rate", async () => {
    const l = memoryRateLimiter(5);
    await takeMany(l, "k", 50, 0);
    expect((await l.take("k", 0)).allowed).toBe(false);
    expect((await l.take("k", 200)).allowed).toBe(true); // 0.2 s × 5/s = 1 token
    expect((await l.take("k", 200)).allowed).toBe(false);
  });

  it("keeps keys apart, and 0 turns it off", async () => {
    const l = memoryRateLimiter(1);
    await takeMany(l, "a", 10, 0);
    expect((await l.take("a", 0)).allowed).toBe(false);
    expect((await l.take("b", 0)).allowed).toBe(true);
    expect((await takeMany(memoryRateLimiter(0), "a", 1000, 0)).every((d) => d.allowed)).toBe(true);
  });
});
