import { afterEach, describe, expect, it } from "vitest";
import { expectProblem, makeClock, MERIT, MIN, SONG_MA, T0, treatment } from "../support/contract-helpers.js";
import { postEvents, startTestServer, type TestServer } from "../support/server.js";

/**
 * Contract "Operating": CAREWATCH_RATE_LIMIT requests per second sustained per key, bursts up to
 * ten times that; beyond it 429 with Retry-After; a batch counts as one request; 0 turns it off.
 * The injected clock stands still, so no tokens refill during a burst: the counts are exact.
 */

describe("rate limit", () => {
  const clock = makeClock(T0);
  let s: TestServer | undefined;

  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  const one = () => treatment(SONG_MA, "detox", 1, T0 - MIN);

  it("CAREWATCH_RATE_LIMIT=2: a burst of 20 passes, the 21st gets 429 problem+json with Retry-After (integer ≥ 1 s)", async () => {
    clock.set(T0);
    s = await startTestServer({ now: clock.now, env: { CAREWATCH_RATE_LIMIT: "2" } });
    const key = await s.key(SONG_MA);
    for (let i = 0; i < 20; i++) {
      const r = await postEvents(s.url, key, one());
      expect(r.status, `request ${i + 1}: ${r.text}`).toBe(202);
    }
    const limited = await postEvents(s.url, key, one());
    expectProblem(limited, 429);
    const retry = limited.headers.get("retry-after");
    expect(retry).toMatch(/^\d+$/);
    expect(Number(retry)).toBeGreaterThanOrEqual(1);
    // Still limited while the clock stands still; allowed again after Retry-After seconds.
    expectProblem(await postEvents(s.url, key, one()), 429);
    clock.advance(Number(retry) * 1000);
    expect((await postEvents(s.url, key, one())).status).toBe(202);
  });

  it("the limit is per key: another key is not limited by the first one's burst", async () => {
    clock.set(T0);
    s = await startTestServer({ now: clock.now, env: { CAREWATCH_RATE_LIMIT: "2" } });
    const a = await s.key(SONG_MA);
    const b = await s.key(MERIT);
    for (let i = 0; i < 20; i++) await postEvents(s.url, a, one());
    expectProblem(await postEvents(s.url, a, one()), 429);
    expect((await postEvents(s.url, b, treatment(MERIT, "convalescence", 1, T0 - MIN))).status).toBe(202);
  });

  it("a batch counts as one request", async () => {
    clock.set(T0);
    s = await startTestServer({ now: clock.now, env: { CAREWATCH_RATE_LIMIT: "2" } });
    const key = await s.key(SONG_MA);
    for (let i = 0; i < 20; i++) {
      const r = await postEvents(s.url, key, { events: Array.from({ length: 10 }, one) });
      expect(r.status, `batch ${i + 1}: ${r.text}`).toBe(202);
      expect(r.json.accepted).toBe(10);
    }
    expectProblem(await postEvents(s.url, key, { events: [one()] }), 429);
  });

  it("0 turns the limit off", async () => {
    clock.set(T0);
    s = await startTestServer({ now: clock.now, env: { CAREWATCH_RATE_LIMIT: "0" } });
    const key = await s.key(SONG_MA);
    const statuses = [];
    for (let i = 0; i < 150; i++) statuses.push((await postEvents(s.url, key, one())).status);
    expect(statuses.filter((x) => x !== 202)).toEqual([]);
  });

  it("the default (no CAREWATCH_RATE_LIMIT set) allows a burst of 500 (50/s × 10)", async () => {
    clock.set(T0);
    // startTestServer sets CAREWATCH_RATE_LIMIT=0 unless told otherwise: unset it to get the default.
    s = await startTestServer({ now: clock.now, env: { CAREWATCH_RATE_LIMIT: undefined } as unknown as Record<string, string> });
    const key = await s.key(SONG_MA);
    // The clock stands still (no refill): 500 requests in waves of 50 all pass, the 501st does not.
    const statuses: number[] = [];
    for (let wave = 0; wave < 10; wave++) {
      const rs = await Promise.all(Array.from({ length: 50 }, () => postEvents(s!.url, key, one())));
      statuses.push(...rs.map((r) => r.status));
    }
    expect(statuses.filter((x) => x !== 202)).toEqual([]);
    expectProblem(await postEvents(s.url, key, one()), 429);
  });
});
