import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  admission,
  census,
  discharge,
  expectProblem,
  makeClock,
  MIN,
  problemPaths,
  referral,
  REHAB,
  SONG_MA,
  T0,
  treatment,
  uid,
} from "../support/contract-helpers.js";
import { readResponse, startTestServer, type TestServer } from "../support/server.js";
import { createAccount, login } from "../support/accounts.js";

/**
 * `/entry`: a facility's clerk enters events through the session cookie. Same validation, same
 * log, same answers as the Facility API; own facility only; JSON from our own origin only.
 */
const clock = makeClock(T0);
let s: TestServer;
let clerk: string; // cookie of REHAB's clerk
let otherClerk: string; // cookie of SONG_MA's clerk
let n = 0;

async function account(role: "admin" | "manager" | "facility", facilityId: string | null = null): Promise<string> {
  const email = `entry${++n}.${process.pid}@sldtbxh.gov.vn`;
  await createAccount(s, { email, role, facilityId });
  const r = await login(s.url, email);
  expect(r.status, r.text).toBe(200);
  return r.cookie!;
}

async function enter(cookie: string | null, body: unknown, headers: Record<string, string> = {}) {
  return readResponse(
    await fetch(`${s.url}/entry/events`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}), ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}
async function facility(cookie: string | null) {
  return readResponse(await fetch(`${s.url}/entry/facility`, { headers: cookie ? { cookie } : {} }));
}
async function statusFor(cookie: string) {
  const r = await facility(cookie);
  expect(r.status, r.text).toBe(200);
  return r.json.status;
}

beforeAll(async () => {
  s = await startTestServer({ now: clock.now });
  clerk = await account("facility", REHAB);
  otherClerk = await account("facility", SONG_MA);
});
afterAll(async () => {
  await s?.stop();
});

describe("/entry for a facility's clerk", () => {
  it("GET /entry/facility: the clerk's facility, units with capacity, current status", async () => {
    const r = await facility(clerk);
    expect(r.status, r.text).toBe(200);
    expect(r.json.id).toBe(REHAB);
    expect(r.json.name).toBe("Cơ sở Điều trị nghiện ma túy tỉnh Sơn La");
    expect(r.json.time_zone).toBe("Asia/Ho_Chi_Minh");
    expect(r.json.units.map((u: { id: string; capacity: number }) => [u.id, u.capacity])).toEqual([
      ["compulsory", 260],
      ["voluntary", 80],
      ["female", 40],
      ["medical", 20],
    ]);
    expect(r.json.status.facility_id).toBe(REHAB);
    expect(r.json.status.units).toHaveLength(4);
  });

  it("posts each event type and reads it back in the facility's status", async () => {
    const at = T0 - 30 * MIN;
    const c = await enter(clerk, census(REHAB, 200, at, { unit: "compulsory" }));
    expect(c.status, c.text).toBe(202);
    expect(c.json.status).toBe("accepted");
    expect(c.json.seq).toBeGreaterThan(0);
    let st = await statusFor(clerk);
    expect(st.units.find((u: { unit_id: string }) => u.unit_id === "compulsory").occupied).toBe(200);
    expect(st.as_of_seq).toBeGreaterThanOrEqual(c.json.seq);

    expect((await enter(clerk, admission(REHAB, 3, at + MIN, { unit: "compulsory", cohort: "compulsory" }))).status).toBe(202);
    expect((await enter(clerk, discharge(REHAB, 1, at + 2 * MIN, { unit: "compulsory", outcome: "completed" }))).status).toBe(202);
    expect((await enter(clerk, treatment(REHAB, "detox", 4, at + 3 * MIN))).status).toBe(202);
    const ref = await enter(clerk, referral(REHAB, `ref-${process.pid}`, "requested", at + 4 * MIN, { urgency: "urgent" }));
    expect(ref.status, ref.text).toBe(202);

    st = await statusFor(clerk);
    expect(st.units.find((u: { unit_id: string }) => u.unit_id === "compulsory").occupied).toBe(202);
    expect(st.today.admissions).toBe(3);
    expect(st.today.discharges).toBe(1);
    expect(st.today.treatments.detox).toBe(4);
    expect(st.today.referrals_open).toBe(1);
    // Indistinguishable from a system's post: the Facility API reads the same figures.
    const key = await s.key(REHAB);
    const api = await readResponse(await fetch(`${s.url}/api/v1/facilities/${REHAB}/status`, { headers: { authorization: `Bearer ${key}` } }));
    expect(api.json.occupied).toBe(st.occupied);
    expect(api.json.today).toEqual(st.today);
  });

  it("a retry with the same event_id is a 200 duplicate with the same seq; a different body is a 409", async () => {
    const e = admission(REHAB, 2, T0 - 10 * MIN, { unit: "voluntary" });
    const first = await enter(clerk, e);
    expect(first.status, first.text).toBe(202);
    const again = await enter(clerk, e);
    expect(again.status, again.text).toBe(200);
    expect(again.json).toEqual({ status: "duplicate", event_id: e.event_id, seq: first.json.seq });
    const st = await statusFor(clerk);
    expect(st.today.admissions).toBe(5); // 3 earlier + 2 once
    // Who entered it is in the audit, once (the retry adds no entry).
    const audit = await s.store.audit.list({ action: "entry.event", target: REHAB, limit: 500 });
    const mine = audit.filter((a) => (a.after as { event_id: string }).event_id === e.event_id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.actor).toMatchObject({ kind: "user" });
    expect(mine[0]!.actor.email).toMatch(/^entry1\./);
    expect(mine[0]!.after).toEqual({ event_id: e.event_id, type: "admission" });
    const conflict = await enter(clerk, { ...e, count: 9 });
    expectProblem(conflict, 409);
    expect(problemPaths(conflict)).toEqual(["/event_id"]);
  });

  it("422 with JSON Pointers for what breaks the contract, Vietnamese first; nothing stored", async () => {
    const before = await statusFor(clerk);
    const r = await enter(clerk, {
      event_id: uid(),
      facility_id: REHAB,
      type: "census",
      occurred_at: new Date(T0).toISOString(),
      occupied: -1,
      patient_name: "x",
    });
    expectProblem(r, 422);
    expect(r.json.detail).toMatch(/^\d+ lỗi/);
    // Unknown fields are refused (personal data cannot slip in), each problem with its pointer.
    expect(problemPaths(r)).toEqual(["/occupied", "/patient_name"]);
    const noUnit = await enter(clerk, census(REHAB, 5, T0 - MIN));
    expectProblem(noUnit, 422);
    expect(problemPaths(noUnit)).toEqual(["/unit"]);
    const batch = await enter(clerk, { events: [admission(REHAB, 1, T0 - MIN, { unit: "female" })] });
    expectProblem(batch, 422);
    expect(problemPaths(batch)).toEqual(["/events"]);
    expect((await statusFor(clerk)).as_of_seq).toBe(before.as_of_seq);
  });

  it("another facility's event → 403 problem+json, Vietnamese first, nothing stored", async () => {
    const before = await statusFor(otherClerk);
    const r = await enter(clerk, census(SONG_MA, 10, T0 - MIN));
    expectProblem(r, 403);
    expect(r.json.detail).toMatch(/^Tài khoản thuộc cơ sở/);
    expect(problemPaths(r)).toEqual(["/facility_id"]);
    expect((await statusFor(otherClerk)).as_of_seq).toBe(before.as_of_seq);
    expect((await statusFor(otherClerk)).occupied).toBe(before.occupied);
  });

  it("managers, admins, displays and anonymous visitors are refused", async () => {
    const e = () => admission(REHAB, 1, T0 - MIN, { unit: "female" });
    expectProblem(await enter(null, e()), 401);
    expectProblem(await facility(null), 401);
    const manager = await account("manager");
    expectProblem(await enter(manager, e()), 403);
    expectProblem(await facility(manager), 403);
    const admin = await account("admin");
    expectProblem(await enter(admin, e()), 403);
    const display = `cw_display=${await s.display()}`;
    expectProblem(await enter(display, e()), 403);
    expectProblem(await facility(display), 403);
    // A facility key is for the API, not for this route.
    const key = await s.key(REHAB);
    expectProblem(await enter(null, e(), { authorization: `Bearer ${key}` }), 401);
    expect((await statusFor(clerk)).units.find((u: { unit_id: string }) => u.unit_id === "female").occupied).toBe(0);
  });

  it("the /entry page is for facility clerks only (the server's page guard)", async () => {
    const page = (cookie: string | null) => fetch(`${s.url}/entry`, { headers: cookie ? { cookie } : {}, redirect: "manual" });
    const anonymous = await page(null);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toBe("/login?next=%2Fentry");
    expect((await page(clerk)).status).toBe(200);
    expect((await page(await account("manager"))).status).toBe(403);
    expect((await page(await account("admin"))).status).toBe(403);
  });

  it("CSRF: a cross-site Origin and a non-JSON body are refused; our own Origin is accepted", async () => {
    const e = admission(REHAB, 1, T0 - MIN, { unit: "medical" });
    const cross = await enter(clerk, e, { origin: "https://evil.example" });
    expectProblem(cross, 403);
    expect(cross.json.detail).toMatch(/^Yêu cầu từ nguồn khác/);
    const form = await enter(clerk, JSON.stringify(e), { "content-type": "text/plain" });
    expectProblem(form, 415);
    const urlencoded = await enter(clerk, "event_id=x", { "content-type": "application/x-www-form-urlencoded" });
    expectProblem(urlencoded, 415);
    expect((await statusFor(clerk)).units.find((u: { unit_id: string }) => u.unit_id === "medical").occupied).toBe(0);
    const own = await enter(clerk, e, { origin: s.url });
    expect(own.status, own.text).toBe(202);
  });
});
