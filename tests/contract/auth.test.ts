import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storedBytes, storeEnv, TEST_ENGINE } from "../support/engine.js";
import { census, expectProblem, getStatus, MERIT, post, SONG_MA, T0, makeClock } from "../support/contract-helpers.js";
import { cw, postEvents, readResponse, run, spawnServer, startTestServer, tempDataDir, type SpawnedServer, type TestServer } from "../support/server.js";
import { authPost, cookieFrom, createAccount, login, me, STRONG_PASSWORD } from "../support/accounts.js";

/** Contract "Authentication and scope": 401 missing/unknown/revoked, 403 other facility; keys shown once, stored hashed. */

const KEY_SHAPE = /^cw_[A-Za-z0-9_-]{22,}$/; // ≥ 22 base64url chars ≥ 128 bits

describe("auth (in-process server)", () => {
  const clock = makeClock(T0);
  let s: TestServer;
  let songMaKey: string;
  let meritKey: string;

  beforeAll(async () => {
    s = await startTestServer({ now: clock.now });
    songMaKey = await s.key(SONG_MA);
    meritKey = await s.key(MERIT);
  });
  afterAll(async () => {
    await s?.stop();
  });

  it("401 problem+json without an Authorization header (post and status read)", async () => {
    const r = await postEvents(s.url, null, census(SONG_MA, 10, T0 - 60_000));
    expectProblem(r, 401);
    const g = await getStatus(s.url, null, SONG_MA);
    expectProblem(g, 401);
  });

  it("401 for an unknown key and for a malformed Authorization header", async () => {
    expectProblem(await postEvents(s.url, "cw_" + "A".repeat(43), census(SONG_MA, 10, T0 - 60_000)), 401);
    expectProblem(await postEvents(s.url, null, census(SONG_MA, 10, T0 - 60_000), { authorization: `Basic ${songMaKey}` }), 401);
    expectProblem(await getStatus(s.url, "cw_nope", SONG_MA), 401);
  });

  it("403 when a valid key posts for another facility, and nothing is stored", async () => {
    const before = (await getStatus(s.url, songMaKey, SONG_MA)).json;
    const r = await postEvents(s.url, meritKey, census(SONG_MA, 10, T0 - 60_000));
    expectProblem(r, 403);
    const after = (await getStatus(s.url, songMaKey, SONG_MA)).json;
    expect(after.as_of_seq).toBe(before.as_of_seq);
    expect(after.occupied).toBe(before.occupied);
  });

  it("403 when a batch mixes the key's facility with another one (nothing stored)", async () => {
    const before = (await getStatus(s.url, songMaKey, SONG_MA)).json;
    const r = await postEvents(s.url, songMaKey, { events: [census(SONG_MA, 7, T0 - 60_000), census(MERIT, 7, T0 - 60_000)] });
    expectProblem(r, 403);
    const after = (await getStatus(s.url, songMaKey, SONG_MA)).json;
    expect(after.as_of_seq).toBe(before.as_of_seq);
  });

  it("403 when a valid key reads another facility's status", async () => {
    expectProblem(await getStatus(s.url, meritKey, SONG_MA), 403);
    const own = await getStatus(s.url, meritKey, MERIT);
    expect(own.status).toBe(200);
    expect(own.json.facility_id).toBe(MERIT);
  });

  it("a key posts for its own facility", async () => {
    const r = await post(s.url, songMaKey, census(SONG_MA, 12, T0 - 60_000), 202);
    expect(r.json.status).toBe("accepted");
  });
});

describe("auth with the real CLI against a spawned server", () => {
  let dataDir: string;
  let srv: SpawnedServer;

  beforeAll(async () => {
    dataDir = tempDataDir();
    srv = await spawnServer(dataDir);
  });
  afterAll(async () => {
    if (srv && srv.child.exitCode === null) {
      srv.child.kill("SIGTERM");
      await srv.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("`cw keys create` prints the key alone on one line (≥128 bits) and the key works; `cw keys revoke` → 401", async () => {
    const created = await cw(dataDir, ["keys", "create", SONG_MA]);
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^[^\n]+\n$/);
    const key = created.stdout.trim();
    expect(key).toMatch(KEY_SHAPE);

    const now = Date.now();
    const ok = await postEvents(srv.url, key, census(SONG_MA, 5, now - 60_000));
    expect(ok.status, ok.text).toBe(202);
    expect((await getStatus(srv.url, key, SONG_MA)).status).toBe(200);

    // Find its id (the list never shows the key) and revoke it.
    const list = await cw(dataDir, ["keys", "list"]);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).not.toContain(key);
    const rows = list.stdout
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split("\t"));
    const mine = rows.filter((r) => r[1] === SONG_MA);
    expect(mine).toHaveLength(1);
    const revoked = await cw(dataDir, ["keys", "revoke", mine[0]![0]!]);
    expect(revoked.status, revoked.stderr).toBe(0);

    expectProblem(await postEvents(srv.url, key, census(SONG_MA, 6, now - 30_000)), 401);
    expectProblem(await getStatus(srv.url, key, SONG_MA), 401);
  });

  it("two created keys differ and each works only for its facility", async () => {
    const a = (await cw(dataDir, ["keys", "create", SONG_MA])).stdout.trim();
    const b = (await cw(dataDir, ["keys", "create", MERIT])).stdout.trim();
    expect(a).toMatch(KEY_SHAPE);
    expect(b).toMatch(KEY_SHAPE);
    expect(a).not.toBe(b);
    expect((await postEvents(srv.url, a, census(SONG_MA, 5, Date.now() - 60_000))).status).toBe(202);
    expectProblem(await postEvents(srv.url, b, census(SONG_MA, 5, Date.now() - 60_000)), 403);
  });

  it("`cw keys create` for an unknown facility fails with a non-zero exit and prints no key", async () => {
    const r = await cw(dataDir, ["keys", "create", "no-such-facility"]);
    expect(r.status).not.toBe(0);
    expect(r.stdout).not.toMatch(/cw_/);
    expect(r.stderr).toMatch(/no-such-facility/);
  });

  it("the key is not stored in plaintext anywhere in the store (SQLite's files, or every PostgreSQL table)", async () => {
    const keys = [(await cw(dataDir, ["keys", "create", SONG_MA])).stdout.trim(), (await cw(dataDir, ["keys", "create", MERIT])).stdout.trim()];
    for (const k of keys) expect(k).toMatch(KEY_SHAPE);
    // Use one through the server too (last_used_at is written), then look at every file.
    expect((await postEvents(srv.url, keys[0]!, census(SONG_MA, 5, Date.now() - 60_000))).status).toBe(202);
    const blobs = await storedBytes(dataDir);
    expect(blobs.map((b) => b.name)).toContain(TEST_ENGINE === "postgres" ? "api_keys" : "carewatch.db");
    for (const { name: f, bytes } of blobs) {
      for (const k of keys) {
        expect(bytes.includes(Buffer.from(k, "utf8")), `${k} found in ${f}`).toBe(false);
        // Nor the secret part without its prefix.
        expect(bytes.includes(Buffer.from(k.slice(3), "utf8")), `${k} (body) found in ${f}`).toBe(false);
      }
    }
  });

  it("`pnpm --silent cw keys create` (the documented command) prints the key alone on one line", async () => {
    const r = await run("pnpm", ["--silent", "cw", "keys", "create", SONG_MA], {
      env: { ...process.env, CAREWATCH_DATA_DIR: dataDir, ...(await storeEnv(dataDir)) },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^[^\n]+\n$/);
    const key = r.stdout.trim();
    expect(key).toMatch(KEY_SHAPE);
    expect((await postEvents(srv.url, key, census(SONG_MA, 5, Date.now() - 60_000))).status).toBe(202);
  });
});

/**
 * CSRF (issue 7): every state-changing request a cookie authenticates is refused when a browser
 * says it comes from another site — by its Origin, or by `Sec-Fetch-Site: cross-site` without
 * one — whatever the content type (application/json and text/plain included), and changes
 * nothing; the same request from our own origin works.
 */
describe("CSRF: cross-site state-changing requests are refused", () => {
  let s: TestServer;
  let admin: string;
  let clerk: string;
  const EVIL = { origin: "https://evil.example", "sec-fetch-site": "cross-site" };
  const CROSS_SITE: Record<string, Record<string, string>> = {
    "a foreign Origin": { origin: "https://evil.example" },
    "Sec-Fetch-Site: cross-site (no Origin)": { "sec-fetch-site": "cross-site" },
    "Sec-Fetch-Site: same-site (a sibling subdomain)": { "sec-fetch-site": "same-site" },
    "Origin: null (a sandboxed frame or a redirect)": { origin: "null" },
  };

  beforeAll(async () => {
    s = await startTestServer();
    await createAccount(s, { email: "csrf.admin@example.vn", role: "admin" });
    await createAccount(s, { email: "csrf.clerk@example.vn", role: "facility", facilityId: SONG_MA });
    admin = (await login(s.url, "csrf.admin@example.vn")).cookie!;
    clerk = (await login(s.url, "csrf.clerk@example.vn")).cookie!;
    expect(admin).toBeTruthy();
    expect(clerk).toBeTruthy();
  });
  afterAll(async () => {
    await s?.stop();
  });

  const createKey = (headers: Record<string, string>, type = "application/json") =>
    fetch(`${s.url}/trpc/admin.keys.create`, {
      method: "POST",
      headers: { cookie: admin, "content-type": type, ...headers },
      body: JSON.stringify({ facilityId: SONG_MA }),
    }).then(readResponse);
  const keyCount = async () => (await s.store.credentials.listKeys()).length;

  for (const [name, headers] of Object.entries(CROSS_SITE)) {
    it(`tRPC mutation (admin.keys.create) with ${name}: 403, no key created`, async () => {
      const before = await keyCount();
      expectProblem(await createKey(headers), 403);
      expectProblem(await createKey(headers, "text/plain"), 403);
      expect(await keyCount()).toBe(before);
    });
  }

  it("tRPC mutation from our own origin (Origin and Sec-Fetch-Site: same-origin) creates the key", async () => {
    const before = await keyCount();
    const r = await createKey({ origin: s.url, "sec-fetch-site": "same-origin" });
    expect(r.status, r.text).toBe(200);
    expect(await keyCount()).toBe(before + 1);
  });

  it("tRPC queries (GET) are not state-changing and still answer a same-origin read", async () => {
    const r = await readResponse(await fetch(`${s.url}/trpc/admin.keys.list`, { headers: { cookie: admin, "sec-fetch-site": "same-origin" } }));
    expect(r.status, r.text).toBe(200);
  });

  for (const [name, headers] of Object.entries(CROSS_SITE)) {
    it(`/auth/login with ${name}: 403, no cookie, no session`, async () => {
      const r = await authPost(s.url, "login", { email: "csrf.admin@example.vn", password: STRONG_PASSWORD }, headers);
      expectProblem(r, 403);
      expect(r.headers.getSetCookie()).toEqual([]);
    });
  }

  it("/auth/login from our own origin logs in", async () => {
    const r = await authPost(s.url, "login", { email: "csrf.admin@example.vn", password: STRONG_PASSWORD }, { origin: s.url, "sec-fetch-site": "same-origin" });
    expect(r.status, r.text).toBe(200);
    expect(cookieFrom(r, "cw_session")).toBeTruthy();
  });

  it("/auth/logout and /auth/logout-all cross-site: 403, the session still works", async () => {
    const own = (await login(s.url, "csrf.admin@example.vn")).cookie!;
    expectProblem(await authPost(s.url, "logout", {}, { cookie: own, ...EVIL }), 403);
    expectProblem(await authPost(s.url, "logout-all", {}, { cookie: own, "sec-fetch-site": "cross-site" }), 403);
    expect((await me(s.url, own)).status).toBe(200);
    expect((await authPost(s.url, "logout", {}, { cookie: own, origin: s.url })).status).toBe(200);
    expect((await me(s.url, own)).status).toBe(401);
  });

  it("an invitation accepted cross-site: 403, and the invitation stays valid", async () => {
    const { id } = await s.store.credentials.createUser({ email: "csrf.invited@example.vn", role: "manager", provinces: [], facilityId: null }, Date.now());
    const { token } = await s.store.credentials.createInvitation(id, Date.now(), 3_600_000);
    expectProblem(await authPost(s.url, `invite/${token}`, { password: STRONG_PASSWORD }, { "sec-fetch-site": "cross-site" }), 403);
    const ok = await authPost(s.url, `invite/${token}`, { password: STRONG_PASSWORD }, { origin: s.url });
    expect(ok.status, ok.text).toBe(200);
  });

  it("/entry/events cross-site: 403, nothing stored; same-origin: 202", async () => {
    const post = (headers: Record<string, string>, event: unknown) =>
      fetch(`${s.url}/entry/events`, {
        method: "POST",
        headers: { cookie: clerk, "content-type": "application/json", ...headers },
        body: JSON.stringify(event),
      }).then(readResponse);
    const before = await s.store.reads.countEvents();
    expectProblem(await post({ "sec-fetch-site": "cross-site" }, census(SONG_MA, 20, Date.now() - 60_000)), 403);
    expectProblem(await post({ origin: "https://evil.example" }, census(SONG_MA, 20, Date.now() - 60_000)), 403);
    expect(await s.store.reads.countEvents()).toBe(before);
    const ok = await post({ origin: s.url, "sec-fetch-site": "same-origin" }, census(SONG_MA, 20, Date.now() - 60_000));
    expect(ok.status, ok.text).toBe(202);
    expect(await s.store.reads.countEvents()).toBe(before + 1);
  });

  it("/import preview and jobs cross-site: 403, nothing stored; same-origin: the import runs", async () => {
    const csv = `Loại,Thời điểm,Số đang điều trị\ncensus,${ddmmyyyy(Date.now() - 120_000)},33\n`;
    const upload = (route: string, headers: Record<string, string>) =>
      fetch(`${s.url}/import/${route}`, { method: "POST", headers: { cookie: clerk, "content-type": "text/csv", ...headers }, body: csv }).then(readResponse);
    const before = await s.store.reads.countEvents();
    for (const headers of Object.values(CROSS_SITE)) {
      expectProblem(await upload("preview", headers), 403);
      expectProblem(await upload("jobs", headers), 403);
    }
    expect(await s.store.reads.countEvents()).toBe(before);
    const started = await upload("jobs", { origin: s.url, "sec-fetch-site": "same-origin" });
    expect(started.status, started.text).toBe(202);
    for (;;) {
      const job = await readResponse(await fetch(`${s.url}/import/jobs/${started.json.job_id}`, { headers: { cookie: clerk } }));
      if (job.json.state === "done") {
        expect(job.json.result).toMatchObject({ ok: true, accepted: 1 });
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await s.store.reads.countEvents()).toBe(before + 1);
  });

  it("the Facility API (a bearer key, no cookie) is not a CSRF target and keeps answering machines", async () => {
    const key = await s.key(SONG_MA);
    const r = await postEvents(s.url, key, census(SONG_MA, 21, Date.now() - 30_000));
    expect(r.status, r.text).toBe(202);
  });
});

/** dd/mm/yyyy hh:mm in Asia/Ho_Chi_Minh (UTC+7, no daylight saving), as a clerk's sheet writes it. */
function ddmmyyyy(ms: number): string {
  const d = new Date(ms + 7 * 3_600_000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}
