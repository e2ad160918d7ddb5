import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { admission, census, discharge, makeClock, MERIT, MIN, post, referral, SONG_MA, statusOf, T0, treatment } from "../support/contract-helpers.js";
import { startTestServer, type TestServer } from "../support/server.js";

/** Contract: "Today" is the calendar day in the facility's zone (Asia/Ho_Chi_Minh); stale after > 2× the interval. */

const MIDNIGHT = Date.parse("2026-11-22T17:00:00Z"); // 2026-11-23 00:00 +07:00

describe("today", () => {
  const clock = makeClock(MIDNIGHT - 1);
  let s: TestServer;
  let key: string;

  beforeEach(async () => {
    clock.set(MIDNIGHT - 1); // 23:59:59.999 local on the 22nd
    s = await startTestServer({ now: clock.now });
    key = await s.key(SONG_MA);
  });
  afterEach(async () => {
    await s?.stop();
  });

  const today = async () => (await statusOf(s.url, key, SONG_MA)).today;

  it("counts by the local calendar day and resets at local midnight (17:00Z)", async () => {
    await post(s.url, key, admission(SONG_MA, 2, Date.parse("2026-11-22T16:59:59Z")), 202); // 23:59:59 local, 22nd
    await post(s.url, key, admission(SONG_MA, 1, Date.parse("2026-11-22T10:00:00Z")), 202); // 17:00 local, 22nd
    await post(s.url, key, admission(SONG_MA, 4, Date.parse("2026-11-21T17:00:00Z")), 202); // 00:00 local, 22nd (included)
    await post(s.url, key, admission(SONG_MA, 8, Date.parse("2026-11-21T16:59:59Z")), 202); // 23:59:59 local, 21st
    await post(s.url, key, discharge(SONG_MA, 3, Date.parse("2026-11-22T05:00:00Z")), 202);
    expect(await today()).toMatchObject({ admissions: 7, discharges: 3 });

    clock.set(MIDNIGHT); // 00:00 local on the 23rd
    expect(await today()).toMatchObject({ admissions: 0, discharges: 0 });

    // The offset form of the same instant, and an event just before midnight arriving late.
    await post(s.url, key, { ...admission(SONG_MA, 5, MIDNIGHT), occurred_at: "2026-11-23T00:00:00+07:00" }, 202);
    await post(s.url, key, admission(SONG_MA, 6, MIDNIGHT - 1000), 202); // 16:59:59Z: the 22nd
    expect((await today()).admissions).toBe(5);
  });

  it("treatments are counted by category", async () => {
    const at = MIDNIGHT - 2 * 3_600_000;
    await post(s.url, key, treatment(SONG_MA, "methadone", 40, at), 202);
    await post(s.url, key, { events: [treatment(SONG_MA, "methadone", 2, at), treatment(SONG_MA, "detox", 5, at)] }, 202);
    await post(s.url, key, treatment(SONG_MA, "vocational", 9, Date.parse("2026-11-21T16:00:00Z")), 202); // yesterday
    const t = await today();
    expect(t.treatments.methadone).toBe(42);
    expect(t.treatments.detox).toBe(5);
    expect(t.treatments.vocational ?? 0).toBe(0);
    expect(t.treatments.psychosocial ?? 0).toBe(0);
    clock.set(MIDNIGHT);
    const t2 = await today();
    expect(t2.treatments.methadone ?? 0).toBe(0);
  });

  it("referrals_open counts referrals in progress (requested, accepted, transferred)", async () => {
    const at = MIDNIGHT - 3_600_000;
    expect((await today()).referrals_open).toBe(0);
    await post(s.url, key, referral(SONG_MA, "r1", "requested", at), 202);
    await post(s.url, key, referral(SONG_MA, "r2", "accepted", at), 202);
    await post(s.url, key, referral(SONG_MA, "r3", "transferred", at), 202);
    await post(s.url, key, referral(SONG_MA, "r4", "returned", at), 202);
    await post(s.url, key, referral(SONG_MA, "r5", "cancelled", at), 202);
    expect((await today()).referrals_open).toBe(3);
    await post(s.url, key, referral(SONG_MA, "r1", "cancelled", at + 1000), 202);
    await post(s.url, key, referral(SONG_MA, "r3", "returned", at + 1000), 202);
    expect((await today()).referrals_open).toBe(1);
  });
});

describe("stale and last_event_at", () => {
  const clock = makeClock(T0);
  let s: TestServer;

  beforeEach(async () => {
    clock.set(T0);
    s = await startTestServer({ now: clock.now });
  });
  afterEach(async () => {
    await s?.stop();
  });

  it("a facility that never reported is stale", async () => {
    const st = await statusOf(s.url, await s.key(MERIT), MERIT);
    expect(st.stale).toBe(true);
    expect(st.last_event_at).toBeNull();
  });

  it("fresh after an event; stale only after more than 2× its interval (15 min → 30 min)", async () => {
    const key = await s.key(SONG_MA);
    await post(s.url, key, census(SONG_MA, 10, T0 - MIN), 202);
    expect((await statusOf(s.url, key, SONG_MA)).stale).toBe(false);
    clock.advance(30 * MIN);
    expect((await statusOf(s.url, key, SONG_MA)).stale).toBe(false);
    clock.advance(1000);
    expect((await statusOf(s.url, key, SONG_MA)).stale).toBe(true);
    // A new event makes it fresh again.
    await post(s.url, key, census(SONG_MA, 11, clock.now() - MIN), 202);
    expect((await statusOf(s.url, key, SONG_MA)).stale).toBe(false);
  });

  it("the facility's own interval is used (sl-merit-nursing: 60 min → stale after 120 min)", async () => {
    const key = await s.key(MERIT);
    await post(s.url, key, census(MERIT, 10, T0 - MIN), 202);
    clock.advance(119 * MIN);
    expect((await statusOf(s.url, key, MERIT)).stale).toBe(false);
    clock.advance(MIN + 1000);
    expect((await statusOf(s.url, key, MERIT)).stale).toBe(true);
  });

  it("staleness counts acceptance, not occurred_at: a late-arriving old event makes the facility fresh", async () => {
    const key = await s.key(SONG_MA);
    await post(s.url, key, census(SONG_MA, 10, T0 - 3 * 60 * MIN), 202);
    expect((await statusOf(s.url, key, SONG_MA)).stale).toBe(false);
  });

  it("a duplicate retry is not an accepted event: it does not make a stale facility fresh", async () => {
    const key = await s.key(SONG_MA);
    const ev = census(SONG_MA, 10, T0 - MIN);
    await post(s.url, key, ev, 202);
    clock.advance(31 * MIN);
    expect((await statusOf(s.url, key, SONG_MA)).stale).toBe(true);
    await post(s.url, key, ev, 200);
    expect((await statusOf(s.url, key, SONG_MA)).stale).toBe(true);
  });

  it("last_event_at is RFC 3339 with the +07:00 offset", async () => {
    const key = await s.key(SONG_MA);
    await post(s.url, key, census(SONG_MA, 10, T0 - MIN), 202);
    const st = await statusOf(s.url, key, SONG_MA);
    expect(st.last_event_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+07:00$/);
    const ms = Date.parse(st.last_event_at);
    expect(ms).toBeGreaterThanOrEqual(T0 - MIN - 1000);
    expect(ms).toBeLessThanOrEqual(T0);
  });
});
