import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, login, trpcWithCookie } from "../support/accounts.js";
import { admission, census, post, treatment } from "../support/contract-helpers.js";
import { importDemoTargets } from "@carewatch/server";
import { cw, ROOT, startTestServer, type TestServer } from "../support/server.js";

/**
 * Issue 8, plan targets over the real server: tRPC `targets.*` with a session, each change
 * audited; managers see only targets wholly in their provinces; the `cw targets` commands.
 * The clock stands at 00:00 on 1 July 2026 in Hà Nội, the example: 181 of 365 days over.
 */

const NOW = Date.parse("2026-07-01T00:00:00+07:00");
const SAPA = "lc-merit-nursing-sapa";
const REHAB2 = "lc-drug-rehab-2";
const bundled = () => JSON.parse(readFileSync(path.join(ROOT, "packages/domain/data/targets.json"), "utf8")) as { plans: any[] };

let s: TestServer;
const cookies: Record<string, string | null> = {};

async function sessionOf(email: string): Promise<string> {
  const r = await login(s.url, email);
  expect(r.status, r.text).toBe(200);
  return r.cookie!;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (e) {
    if (e instanceof TRPCClientError) return (e.data as { code: string }).code;
    throw e;
  }
}

const api = (who: string) => trpcWithCookie(s.url, cookies[who] ?? null).targets;

beforeAll(async () => {
  s = await startTestServer({ now: () => NOW });
  await createAccount(s, { email: "admin@example.vn", role: "admin" });
  await createAccount(s, { email: "lc@example.vn", role: "manager", provinces: ["lao-cai"] });
  await createAccount(s, { email: "sl@example.vn", role: "manager", provinces: ["son-la"] });
  await createAccount(s, { email: "clerk@example.vn", role: "facility", facilityId: SAPA });
  cookies.admin = await sessionOf("admin@example.vn");
  cookies.laoCai = await sessionOf("lc@example.vn");
  cookies.sonLa = await sessionOf("sl@example.vn");
  cookies.clerk = await sessionOf("clerk@example.vn");
  cookies.display = `cw_display=${await s.display()}`;
  cookies.anonymous = null;

  // 200 convalescences in the first half of 2026 (pace 570,8: clearly behind), posted with the
  // facility's key, out of order, plus a census and admissions for the people-served target.
  const key = await s.key(SAPA);
  const months = [5, 0, 3, 1, 4, 2];
  await post(
    s.url,
    key,
    { events: months.map((m) => treatment(SAPA, "convalescence", m === 0 ? 50 : 30, Date.parse(`2026-0${m + 1}-10T09:00:00+07:00`))) },
    202,
  );
  await post(s.url, key, treatment(SAPA, "orthopedic_device", 14, Date.parse("2026-03-01T09:00:00+07:00")), 202);
  const rehabKey = await s.key(REHAB2);
  await post(s.url, rehabKey, census(REHAB2, 300, Date.parse("2025-12-15T08:00:00+07:00")), 202);
  await post(s.url, rehabKey, admission(REHAB2, 900, Date.parse("2026-04-01T08:00:00+07:00")), 202);
});
afterAll(() => s?.stop());

describe("targets over tRPC", () => {
  it("refuses a document with problems, by JSON Pointer, in Vietnamese then English, and imports nothing", async () => {
    const doc = bundled();
    doc.plans[1].targets[0].facilities = ["nowhere", "sl-drug-rehab"];
    const refusal = async (document: unknown) => {
      const err = await api("admin")
        .import.mutate({ document })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TRPCClientError);
      expect((err as TRPCClientError<any>).data?.code).toBe("BAD_REQUEST");
      return (err as Error).message;
    };
    const registryProblems = await refusal(doc);
    expect(registryProblems).toMatch(/^Tệp chỉ tiêu có 2 lỗi, chưa nhập gì\. \/ The targets file has 2 problem/);
    expect(registryProblems).toContain('/plans/1/targets/0/facilities/0: Không có cơ sở "nowhere". / Unknown facility "nowhere".');
    expect(registryProblems).toContain('/plans/1/targets/0/facilities/1: Cơ sở "sl-drug-rehab" không thuộc tỉnh "lao-cai".');
    const shape = bundled();
    shape.plans[0].targets[0].value = 120;
    expect(await refusal(shape)).toContain("/plans/0/targets/0/value: Tỉ lệ phần trăm không quá 100. / A percentage is at most 100.");
    expect(await s.store.targets.years()).toEqual([]);
    expect(await codeOf(api("admin").import.mutate({ document: "not json at all" }))).toBe("BAD_REQUEST");
  });

  it("an admin imports the bundled document; the import is audited with who and what", async () => {
    const r = await api("admin").import.mutate({ document: bundled() });
    expect(r).toMatchObject({ plans: 3, updated: [], unchanged: 0 });
    expect(r.created).toHaveLength(14);
    const [entry] = await s.store.audit.list({ action: "targets.import" });
    expect(entry).toMatchObject({ actor: { kind: "user", email: "admin@example.vn" }, target: "son-la-300-2021,lao-cai-2023,lao-cai-2026-demo" });
    expect(entry?.after).toMatchObject({ plans: 3, unchanged: 0 });
  });

  it("a Lào Cai manager sees the year's targets with actual, pace and projection; behind pace first", async () => {
    const view = await api("laoCai").list.query({ year: 2026 });
    expect(view).toMatchObject({ year: 2026, hidden: 0, mayEdit: false, years: [2023, 2025, 2026, 2030] });
    expect(view.plans.map((p) => p.id)).toEqual(["lao-cai-2026-demo"]);
    const rows = view.plans[0]!.targets;
    const conv = rows.find((r) => r.target.id === "lc-convalescence-2026")!;
    expect(conv.progress).toMatchObject({ actual: 200, verdict: "behind", clock: { completedDays: 181, daysInYear: 365 } });
    expect(conv.progress.pace).toBeCloseTo((1151 * 181) / 365, 9); // 570,8
    expect(conv.progress.projection).toBeCloseTo((200 / 181) * 365, 9);
    expect(conv.facilities).toEqual([{ id: SAPA, name: expect.any(String) }]);
    const ortho = rows.find((r) => r.target.id === "lc-orthopedic-2026")!;
    expect(ortho.progress).toMatchObject({ actual: 14, verdict: "on_pace" }); // pace 13,9
    const served = rows.find((r) => r.target.id === "lc-drug-treatment-2026")!;
    expect(served.progress).toMatchObject({ actual: 1200, verdict: "ahead" }); // 300 at the start + 900
    // Behind pace (convalescence, the social work average with no census) listed before the rest.
    const verdicts = rows.map((r) => r.progress.verdict);
    expect(verdicts.slice(0, 2)).toEqual(["behind", "behind"]);
    expect(verdicts.slice(2)).not.toContain("behind");

    const behind = await api("laoCai").behind.query({ year: 2026 });
    expect(behind.map((b) => b.id).sort()).toEqual(["lc-convalescence-2026", "lc-social-work-2026"]);
    expect(behind.find((b) => b.id === "lc-convalescence-2026")).toMatchObject({ planId: "lao-cai-2026-demo", value: 1151, actual: 200 });
  });

  it("a Sơn La manager does not see Lào Cai's targets, nor may assess one", async () => {
    const view = await api("sonLa").list.query({ year: 2026 });
    expect(view.plans).toEqual([]);
    expect(view.hidden).toBe(0);
    expect(await api("sonLa").behind.query({ year: 2026 })).toEqual([]);
    expect(await codeOf(api("sonLa").assess.mutate({ id: "lc-convalescence-2026", date: "2026-06-01", value: 1, note: "" }))).toBe("NOT_FOUND");
    expect((await api("sonLa").list.query({ year: 2025 })).plans.map((p) => p.id)).toEqual(["son-la-300-2021"]);
  });

  it("a manager sets an assessment (date, value, note), audited; it becomes the target's actual", async () => {
    const a = await api("sonLa").assess.mutate({ id: "sl-primary-care-2025", date: "2025-12-20", value: 75, note: "3 trên 4 cơ sở đạt" });
    expect(a).toMatchObject({ targetId: "sl-primary-care-2025", date: "2025-12-20", value: 75, by: "sl@example.vn" });
    const row = (await api("sonLa").list.query({ year: 2025 })).plans[0]!.targets.find((r) => r.target.id === "sl-primary-care-2025")!;
    // 2025 is over: final, and 75 of 80 is missed.
    expect(row.progress).toMatchObject({ actual: 75, verdict: "missed", assessment: { note: "3 trên 4 cơ sở đạt" } });
    const [entry] = await s.store.audit.list({ action: "targets.assess" });
    expect(entry).toMatchObject({ actor: { email: "sl@example.vn" }, target: "sl-primary-care-2025", after: { date: "2025-12-20", value: 75 } });
  });

  it("refuses an assessment that is wrong, and changes nothing", async () => {
    const before = (await s.store.targets.year(2025, NOW)).assessments.length;
    const tries = [
      { id: "sl-primary-care-2025", date: "2026-01-05", value: 50, note: "" }, // another year
      { id: "sl-primary-care-2030", date: "2030-01-01", value: 50, note: "" }, // the future
      { id: "sl-primary-care-2025", date: "2025-06-01", value: 150, note: "" }, // over 100 %
      { id: "lc-convalescence-2026", date: "2026-06-01", value: 5, note: "" }, // computed from events
    ];
    const who = ["sonLa", "sonLa", "sonLa", "laoCai"];
    for (const [i, t] of tries.entries()) expect(await codeOf(api(who[i]!).assess.mutate(t))).toBe("BAD_REQUEST");
    expect(await codeOf(api("sonLa").assess.mutate({ id: "sl-primary-care-2025", date: "2025-02-30", value: 1, note: "" }))).toBe("BAD_REQUEST");
    expect((await s.store.targets.year(2025, NOW)).assessments.length).toBe(before);
  });

  it("an admin edits a target's value, audited with before and after; a bad value changes nothing", async () => {
    expect(await api("admin").update.mutate({ id: "lc-convalescence-2026", value: 1200 })).toEqual({ id: "lc-convalescence-2026", value: 1200 });
    const [entry] = await s.store.audit.list({ action: "targets.update" });
    expect(entry).toMatchObject({ actor: { email: "admin@example.vn" }, target: "lc-convalescence-2026", before: { value: 1151 }, after: { value: 1200 } });
    const view = await api("admin").list.query({ year: 2026 });
    expect(view.mayEdit).toBe(true);
    expect(view.plans.flatMap((p) => p.targets).find((r) => r.target.id === "lc-convalescence-2026")?.target.value).toBe(1200);
    expect(await codeOf(api("admin").update.mutate({ id: "sl-primary-care-2025", value: 101 }))).toBe("BAD_REQUEST");
    expect(await codeOf(api("admin").update.mutate({ id: "nowhere", value: 1 }))).toBe("NOT_FOUND");
    expect(await codeOf(api("admin").update.mutate({ id: "lc-convalescence-2026", value: -1 }))).toBe("BAD_REQUEST");
    expect((await s.store.targets.get("sl-primary-care-2025"))?.target.value).toBe(80);
  });

  it("refuses whoever may not: anonymous, a facility clerk, a display; managers may not import or edit", async () => {
    for (const who of ["anonymous", "clerk", "display"]) {
      const expected = who === "anonymous" ? "UNAUTHORIZED" : "FORBIDDEN";
      expect(await codeOf(api(who).list.query({ year: 2026 })), who).toBe(expected);
      expect(await codeOf(api(who).behind.query({ year: 2026 })), who).toBe(expected);
      expect(await codeOf(api(who).assess.mutate({ id: "sl-primary-care-2025", date: "2025-06-01", value: 1, note: "" })), who).toBe(expected);
      expect(await codeOf(api(who).import.mutate({ document: bundled() })), who).toBe(expected);
      expect(await codeOf(api(who).update.mutate({ id: "lc-convalescence-2026", value: 1 })), who).toBe(expected);
    }
    expect(await codeOf(api("laoCai").import.mutate({ document: bundled() }))).toBe("FORBIDDEN");
    expect(await codeOf(api("laoCai").update.mutate({ id: "lc-convalescence-2026", value: 1 }))).toBe("FORBIDDEN");
    expect(await codeOf(api("laoCai").list.query({ year: 1999 }))).toBe("BAD_REQUEST");
    expect((await s.store.targets.get("lc-convalescence-2026"))?.target.value).toBe(1200);
  });

  it("the /targets page is for managers and admins only", async () => {
    const page = (cookie: string | null) =>
      fetch(`${s.url}/targets?year=2026`, { headers: cookie ? { cookie } : {}, redirect: "manual" }).then((r) => r.status);
    expect(await page(null)).toBe(302);
    expect(await page(cookies.clerk!)).toBe(403);
    expect(await page(cookies.laoCai!)).toBe(200);
  });
});

describe("cw targets", () => {
  it("imports a file (audited as cw), refuses a bad one with its problems, and lists a year", async () => {
    const dir = s.dataDir;
    const doc = bundled();
    doc.plans = [doc.plans[1]];
    doc.plans[0].targets[0].value = 1300;
    const good = path.join(dir, "targets-good.json");
    writeFileSync(good, JSON.stringify(doc));
    const r = await cw(dir, ["targets", "import", good]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("imported 1 plan(s): 0 new, 1 changed, 3 unchanged target(s)");
    expect((await s.store.audit.list({ action: "targets.import", actor: "cw" }))[0]).toMatchObject({
      target: "lao-cai-2023",
      after: { updated: ["lc-convalescence-2023"] },
    });

    doc.plans[0].targets[1].kind = "headcount";
    const bad = path.join(dir, "targets-bad.json");
    writeFileSync(bad, JSON.stringify(doc));
    const refused = await cw(dir, ["targets", "import", bad]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("/plans/0/targets/1/kind");
    writeFileSync(bad, "{ not json");
    expect((await cw(dir, ["targets", "import", bad])).stderr).toMatch(/cannot read .* as JSON/);

    const list = await cw(dir, ["targets", "list", "--year", "2023"]);
    expect(list.status, list.stderr).toBe(0);
    const lines = list.stdout.trim().split("\n");
    expect(lines[0]).toBe("plan\ttarget\tkind\tvalue\tactual\tpace\tprojection\tverdict\tdays");
    expect(lines).toContain("lao-cai-2023\tlc-convalescence-2023\tevent_sum\t1300\t0\t1300\t0\tmissed\t365/365");
    expect((await cw(dir, ["targets", "list", "--year", "20x6"])).status).toBe(2);
  });
});

describe("the demo's targets", () => {
  it("imports the bundled document with the illustrative targets moved to this year, once a year", async () => {
    const demo = await startTestServer();
    try {
      const at = (iso: string) => ({ store: demo.store, now: () => Date.parse(iso), actor: { kind: "cli", id: "demo" } });
      const first = await importDemoTargets(at("2027-03-01T00:00:00+07:00"));
      expect(first?.created).toContain("lc-convalescence-2027");
      expect((await demo.store.targets.get("lc-convalescence-2027"))?.target).toMatchObject({ year: 2027, value: 1151 });
      expect(await demo.store.targets.get("lc-convalescence-2026")).toBeNull();
      // Again the same year: nothing to do. The next year: its own illustrative targets, last year's kept.
      expect(await importDemoTargets(at("2027-12-31T23:00:00+07:00"))).toBeNull();
      expect((await importDemoTargets(at("2028-01-01T00:00:00+07:00")))?.created).toEqual([
        "lc-convalescence-2028",
        "lc-orthopedic-2028",
        "lc-drug-treatment-2028",
        "lc-social-work-2028",
      ]);
      expect(await demo.store.targets.years()).toEqual([2023, 2025, 2027, 2028, 2030]);
      expect((await demo.store.audit.list({ action: "targets.import" }))[0]?.actor).toMatchObject({ kind: "cli", id: "demo" });
    } finally {
      await demo.stop();
    }
  });
});
