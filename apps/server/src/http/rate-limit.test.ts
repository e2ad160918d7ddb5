import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limit.js";

describe("RateLimiter", () => {
  it("allows a burst of ten times the rate, then refuses with a Retry-After", () => {
    const l = new RateLimiter(5);
    const t = 1_000_000;
    const allowed = Array.from({ length: 60 }, () => l.take("k", t).allowed).filter(Boolean).length;
    expect(allowed).toBe(50);
    const refused = l.take("k", t);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it("refills at the sustained rate", () => {
    const l = new RateLimiter(5);
    const t = 0;
    for (let i = 0; i < 50; i++) l.take("k", t);
    expect(l.take("k", t).allowed).toBe(false);
    expect(l.take("k", t + 200).allowed).toBe(true); // 0.2 s × 5/s = 1 token
    expect(l.take("k", t + 200).allowed).toBe(false);
  });

  it("keeps keys apart, and 0 turns it off", () => {
    const l = new RateLimiter(1);
    for (let i = 0; i < 10; i++) l.take("a", 0);
    expect(l.take("a", 0).allowed).toBe(false);
    expect(l.take("b", 0).allowed).toBe(true);
    const off = new RateLimiter(0);
    expect(Array.from({ length: 1000 }, () => off.take("a", 0).allowed).every(Boolean)).toBe(true);
  });
});
