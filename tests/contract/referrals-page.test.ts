import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCClientError } from "@trpc/client";
import { HOUR, MIN, makeClock, referral, T0 } from "../support/contract-helpers.js";
import { createAccount, login, trpcWithCookie } from "../support/accounts.js";
import { ConfigError, parseConfig } from "@carewatch/server";
import { postEvents, startTestServer, tempDataDir, type TestServer } from "../support/server.js";

/**
 * /referrals on the real server (issue 8): referral events posted with facility keys, then
 * referrals.list, counts and overdue through tRPC — each step and its time, overdue by urgency
 * (one threshold set through CAREWATCH_REFERRAL_OVERDUE), a manager's provinces, and who is refused.
 */

const SONG_MA = "sl-drug-rehab-song-ma"; // Sơn La
const SL_PSY = "sl-psychiatric"; // Sơn La
const LC = "lc-social-work"; // Lào Cai
const DAY = 24 * HOUR;
const NOW = T0 + 10 * DAY;
const clock = makeClock(NOW);

let s: TestServer;
const cookies: Record<string, string | null> = {};

async function post(facility: string, key: string, events: unknown[]) {
  const r = await postEvents(s.url, key, { events });
  expect(r.status, r.text).toBe(202);
}

async function codeOf(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return "ok";
  } catch (e) {
    if (e instanceof TRPCClientError) return String((e.data as { code?: string } | undefined)?.code);
    throw e;
  }
}

beforeAll(async () => {
  // Urgent made 12 h instead of 24 h: the configured threshold is the one applied.
  s = await startTestServer({ now: clock.now, env: { CAREWATCH_REFERRAL_OVERDUE: "urgent=12h" } });
  const keys = { [SONG_MA]: await s.key(SONG_MA), [SL_PSY]: await s.key(SL_PSY), [LC]: await s.key(LC) };
  const ref = (f: string, id: string, status: string, at: number, extra: Record<string, unknown> = {}) => referral(f, id, status, at, extra);
  // Song Mã: an emergency referral requested 3 h ago, accepted 1 h later — 1 h overdue (threshold 2 h).
  await post(SONG_MA, keys[SONG_MA]!, [
    ref(SONG_MA, "SM-EMERG", "requested", NOW - 3 * HOUR, { urgency: "emergency" }),
    ref(SONG_MA, "SM-EMERG", "accepted", NOW - 2 * HOUR),
  ]);
  // Song Mã: a whole routine referral, returned (closed), to Bạch Mai.
  await post(SONG_MA, keys[SONG_MA]!, [
    ref(SONG_MA, "SM-DONE", "requested", NOW - 5 * DAY, { urgency: "routine", destination: "Bệnh viện Bạch Mai" }),
    ref(SONG_MA, "SM-DONE", "accepted", NOW - 5 * DAY + 30 * MIN, { destination: "Bệnh viện Bạch Mai" }),
    ref(SONG_MA, "SM-DONE", "transferred", NOW - 4 * DAY, { destination: "Bệnh viện Bạch Mai" }),
    ref(SONG_MA, "SM-DONE", "returned", NOW - 2 * DAY, { destination: "Bệnh viện Bạch Mai" }),
  ]);
  // Psychiatric: an urgent referral 13 h old (over the configured 12 h), and a cancelled one.
  await post(SL_PSY, keys[SL_PSY]!, [
    ref(SL_PSY, "PSY-URG", "requested", NOW - 13 * HOUR, { urgency: "urgent" }),
    ref(SL_PSY, "PSY-CANCEL", "requested", NOW - DAY, { urgency: "emergency" }),
    ref(SL_PSY, "PSY-CANCEL", "cancelled", NOW - DAY + 20 * MIN),
  ]);
  // Lào Cai: an overdue routine referral 8 days old.
  await post(LC, keys[LC]!, [ref(LC, "LC-OLD", "requested", NOW - 8 * DAY, { urgency: "routine", destination: "Bệnh viện tỉnh Lào Cai" })]);

  await createAccount(s, { email: "admin@example.vn", role: "admin" });
  await createAccount(s, { email: "manager.sl@example.vn", role: "manager", provinces: ["son-la"] });
  await createAccount(s, { email: "manager.lc@example.vn", role: "manager", provinces: ["lao-cai"] });
  await createAccount(s, { email: "clerk@example.vn", role: "facility", facilityId: SONG_MA });
  for (const email of ["admin@example.vn", "manager.sl@example.vn", "manager.lc@example.vn", "clerk@example.vn"]) {
    const r = await login(s.url, email);
    expect(r.status, r.text).toBe(200);
    cookies[email] = r.cookie;
  }
  cookies.display = `cw_display=${await s.display()}`;
});
afterAll(() => s?.stop());

const trpc = (who: string) => trpcWithCookie(s.url, cookies[who] ?? null);

describe("referrals.list", () => {
  it("open referrals with every step and its time, overdue first; the configured threshold applies", async () => {
    const r = await trpc("admin@example.vn").referrals.list.query({ state: "open" });
    expect(r.thresholds).toEqual({ emergency: 2 * HOUR, urgent: 12 * HOUR, routine: 7 * DAY });
    expect(r.referrals.map((x) => [x.referralId, x.overdue, x.overdueByMs])).toEqual([
      ["LC-OLD", true, DAY],
      ["SM-EMERG", true, HOUR],
      ["PSY-URG", true, HOUR],
    ]);
    const em = r.referrals.find((x) => x.referralId === "SM-EMERG")!;
    expect(em).toMatchObject({
      facilityId: SONG_MA,
      facilityName: expect.stringContaining("Sông Mã"),
      timeZone: "Asia/Ho_Chi_Minh",
      urgency: "emergency",
      status: "accepted",
      ageMs: 3 * HOUR,
    });
    expect(em.steps.map((x) => [x.status, x.durationMs])).toEqual([
      ["requested", HOUR],
      ["accepted", 2 * HOUR],
    ]);
  });

  it("closed ones: the returned referral's four steps, the cancelled one ended when cancelled", async () => {
    const r = await trpc("admin@example.vn").referrals.list.query({ state: "closed" });
    expect(r.referrals.map((x) => x.referralId)).toEqual(["PSY-CANCEL", "SM-DONE"]);
    const done = r.referrals[1]!;
    expect(done.steps.map((x) => [x.status, x.durationMs])).toEqual([
      ["requested", 30 * MIN],
      ["accepted", DAY - 30 * MIN],
      ["transferred", 2 * DAY],
      ["returned", null],
    ]);
    expect(done).toMatchObject({ open: false, overdue: false, destination: "Bệnh viện Bạch Mai", ageMs: 3 * DAY });
    expect(r.referrals[0]).toMatchObject({ status: "cancelled", ageMs: 20 * MIN, overdue: false });
  });

  it("filters: facility, destination, urgency, overdue only, period", async () => {
    const t = trpc("admin@example.vn");
    const ids = async (input: Parameters<typeof t.referrals.list.query>[0]) => (await t.referrals.list.query(input)).referrals.map((x) => x.referralId).sort();
    expect(await ids({ state: "all", facility: SONG_MA })).toEqual(["SM-DONE", "SM-EMERG"]);
    expect(await ids({ state: "all", destination: "Bệnh viện Bạch Mai" })).toEqual(["SM-DONE"]);
    expect(await ids({ state: "all", urgency: "emergency" })).toEqual(["PSY-CANCEL", "SM-EMERG"]);
    expect(await ids({ state: "all", overdueOnly: true, facility: SL_PSY })).toEqual(["PSY-URG"]);
    expect(await ids({ state: "all", from: NOW - 2 * DAY, to: NOW })).toEqual(["PSY-CANCEL", "PSY-URG", "SM-EMERG"]);
  });

  it("refuses a period that ends before it starts, and a facility outside the manager's provinces", async () => {
    expect(await codeOf(() => trpc("admin@example.vn").referrals.list.query({ state: "all", from: NOW, to: NOW - 1 }))).toBe("BAD_REQUEST");
    expect(await codeOf(() => trpc("manager.sl@example.vn").referrals.list.query({ state: "all", facility: LC }))).toBe("FORBIDDEN");
  });
});

describe("referrals.counts", () => {
  it("per facility and per destination: open and overdue now, total begun in the period", async () => {
    const c = await trpc("admin@example.vn").referrals.counts.query({ from: NOW - 2 * DAY, to: NOW });
    expect(c.all).toEqual({ open: 3, overdue: 3, total: 3 });
    expect(c.byFacility.map((r) => [r.key, r.open, r.overdue, r.total])).toEqual([
      [SL_PSY, 1, 1, 2],
      [SONG_MA, 1, 1, 1],
      [LC, 1, 1, 0],
    ]);
    expect(c.byFacility[0]?.name).toMatch(/tâm thần/i);
    const all = await trpc("admin@example.vn").referrals.counts.query({});
    expect(all.all).toEqual({ open: 3, overdue: 3, total: 5 });
    expect(all.byDestination.find((r) => r.key === "Bệnh viện Bạch Mai")).toEqual({ key: "Bệnh viện Bạch Mai", open: 0, overdue: 0, total: 1 });
  });
});

describe("referrals.overdue", () => {
  it("the short list, most overdue first, and how many", async () => {
    const o = await trpc("admin@example.vn").referrals.overdue.query({ limit: 2 });
    expect(o.count).toBe(3);
    expect(o.referrals.map((x) => x.referralId)).toEqual(["LC-OLD", "SM-EMERG"]);
  });
});

describe("scope and refusals", () => {
  it("a manager of Sơn La sees Sơn La only; of Lào Cai, Lào Cai only", async () => {
    const sl = await trpc("manager.sl@example.vn").referrals.list.query({ state: "all" });
    expect(new Set(sl.referrals.map((x) => x.province))).toEqual(new Set(["son-la"]));
    expect(sl.referrals).toHaveLength(4);
    const lc = await trpc("manager.lc@example.vn").referrals.overdue.query();
    expect(lc.referrals.map((x) => x.referralId)).toEqual(["LC-OLD"]);
    const counts = await trpc("manager.lc@example.vn").referrals.counts.query({});
    expect(counts.byFacility.map((r) => r.key)).toEqual([LC]);
  });

  it.each([
    ["clerk@example.vn", "FORBIDDEN"],
    ["display", "FORBIDDEN"],
    ["anonymous", "UNAUTHORIZED"],
  ])("%s is refused every procedure (%s)", async (who, code) => {
    const t = trpc(who);
    expect(await codeOf(() => t.referrals.list.query({ state: "all" }))).toBe(code);
    expect(await codeOf(() => t.referrals.counts.query({}))).toBe(code);
    expect(await codeOf(() => t.referrals.overdue.query())).toBe(code);
  });
});

describe("CAREWATCH_REFERRAL_OVERDUE", () => {
  const dir = tempDataDir();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it.each([["urgent=soon"], ["later=2h"], ["urgent=0h"], [""]])("refuses %j at start, naming the variable", (value) => {
    expect(() => parseConfig({ CAREWATCH_DATA_DIR: dir, CAREWATCH_REFERRAL_OVERDUE: value })).toThrow(ConfigError);
    expect(() => parseConfig({ CAREWATCH_DATA_DIR: dir, CAREWATCH_REFERRAL_OVERDUE: value })).toThrow(/^CAREWATCH_REFERRAL_OVERDUE: /);
  });
  it("defaults to emergency 2 h, urgent 24 h, routine 7 days", () => {
    expect(parseConfig({ CAREWATCH_DATA_DIR: dir }).referralOverdue).toEqual({ emergency: 2 * HOUR, urgent: 24 * HOUR, routine: 7 * DAY });
  });
});
