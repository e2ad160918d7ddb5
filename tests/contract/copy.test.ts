import { rmSync } from "node:fs";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createAccount, login, me, trpcWithCookie } from "../support/accounts.js";
import { admission, census, discharge, HOUR, MIN, post, REHAB, referral, SONG_MA, statusOf, T0, treatment } from "../support/contract-helpers.js";
import { cw, startTestServer, tempDataDir, type TestServer } from "../support/server.js";

/**
 * Issue 9, `cw copy --to postgres://…`: a real server's SQLite store, copied by the built `cw`
 * into a new PostgreSQL database, serves the same answers from a server started on it; a second
 * copy into the same database is refused. The source is SQLite by definition: this file runs in
 * the `tests` project only (root vitest.config.ts keeps it out of tests-pg).
 */

const pgUrl = inject("carewatchPgUrl");
const NOW = T0;
const FACILITIES = [SONG_MA, REHAB];

describe.skipIf(!pgUrl)("cw copy --to postgres://… (skipped without the run's PostgreSQL: CAREWATCH_TEST_ENGINES=sqlite,postgres)", () => {
  const dataDir = tempDataDir("carewatch-copy-");
  const database = `cw_copy_${process.pid}_${Date.now().toString(36)}`;
  // A password in the URL, which must never be printed: the server's own (CAREWATCH_TEST_DATABASE_URL),
  // or one the throwaway server (trusting local connections) never asks for.
  let target = "";
  let password = "";
  const keys: Record<string, string> = {};
  const seen: Record<string, unknown> = {};
  let adminCookie = "";
  let lastSeq = 0;
  let late: { body: Record<string, unknown>; seq: number };
  let copied: Awaited<ReturnType<typeof cw>>;
  let t: TestServer | undefined;

  const answersOf = async (url: string, cookie: string) => {
    const trpc = trpcWithCookie(url, cookie);
    const out: Record<string, unknown> = {};
    for (const f of FACILITIES) {
      out[`status ${f}`] = await statusOf(url, keys[f]!, f);
      out[`history ${f}`] = await trpc.facility.history.query({ id: f, range: "7d" });
    }
    out.users = await trpc.admin.users.list.query();
    out.keys = await trpc.admin.keys.list.query();
    out.displays = await trpc.admin.displays.list.query();
    out.audit = await trpc.admin.audit.list.query({});
    out.versions = await trpc.admin.registry.versions.query();
    return out;
  };

  beforeAll(async () => {
    const u = new URL(pgUrl);
    u.pathname = `/${database}`;
    if (!u.password) u.password = "s3cret-pw";
    password = decodeURIComponent(u.password);
    target = u.toString();
    const s = await startTestServer({ dataDir, now: () => NOW });
    try {
      for (const f of FACILITIES) keys[f] = await s.key(f);
      await post(s.url, keys[SONG_MA]!, census(SONG_MA, 100, NOW - 10 * HOUR, { capacity: 150 }), 202);
      await post(s.url, keys[REHAB]!, { events: ["compulsory", "voluntary"].map((unit, i) => census(REHAB, 40 + i, NOW - 10 * HOUR, { unit })) }, 202);
      for (let i = 0; i < 30; i++) {
        const at = NOW - 9 * HOUR + i * 15 * MIN;
        const f = i % 2 ? SONG_MA : REHAB;
        const unit = f === REHAB ? { unit: i % 3 ? "compulsory" : "voluntary" } : {};
        await post(s.url, keys[f]!, { events: [admission(f, 1 + (i % 3), at, unit), discharge(f, 1, at + 5 * MIN, unit), treatment(f, "detox", 2, at)] }, 202);
      }
      // Late, out of order: a census before the later movements, sent last.
      const lateCensus = census(SONG_MA, 90, NOW - 5 * HOUR);
      late = { body: lateCensus, seq: (await post(s.url, keys[SONG_MA]!, lateCensus, 202)).json.seq as number };
      for (const [i, status] of ["requested", "accepted", "transferred"].entries())
        await post(s.url, keys[SONG_MA]!, referral(SONG_MA, "R-1", status, NOW - 4 * HOUR + i * MIN, { urgency: "urgent" }), 202);
      await post(s.url, keys[SONG_MA]!, referral(SONG_MA, "R-2", "requested", NOW - 3 * HOUR), 202);
      lastSeq = (await post(s.url, keys[SONG_MA]!, admission(SONG_MA, 1, NOW - MIN), 202)).json.seq as number;

      await createAccount(s, { email: "admin@example.vn", role: "admin" });
      await createAccount(s, { email: "manager@example.vn", role: "manager", provinces: ["son-la"] });
      await s.display("Sở Y tế");
      adminCookie = (await login(s.url, "admin@example.vn")).cookie!;
      // Through the admin console: audited, and a registry change.
      const trpc = trpcWithCookie(s.url, adminCookie);
      await trpc.admin.displays.create.mutate({ name: "Lào Cai", provinces: ["lao-cai"] });
      await trpc.admin.users.invite.mutate({ email: "clerk@example.vn", role: "facility", provinces: [], facilityId: SONG_MA });
      const facility = (await trpc.admin.registry.facilities.query()).facilities.find((f: { id: string }) => f.id === SONG_MA)!;
      await trpc.admin.registry.change.mutate({ mode: "update", facility: { ...facility, capacity: 160 }, effective_from: NOW - 2 * HOUR });
      Object.assign(seen, await answersOf(s.url, adminCookie));
    } finally {
      await s.stop();
    }

    const admin = postgres(pgUrl, { max: 1, onnotice: () => {} });
    try {
      await admin`CREATE DATABASE ${admin(database)}`;
    } finally {
      await admin.end();
    }
    copied = await cw(dataDir, ["copy", "--to", target]);
  });

  afterAll(async () => {
    await t?.stop();
    const admin = postgres(pgUrl, { max: 1, onnotice: () => {} });
    try {
      await admin`DROP DATABASE IF EXISTS ${admin(database)} WITH (FORCE)`;
    } finally {
      await admin.end();
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("copies with a progress report, verifies with no differences, and never prints the password", () => {
    expect(copied.status, copied.stderr + copied.stdout).toBe(0);
    expect(copied.stdout).toMatch(/^copying .*carewatch\.db → postgres:\/\/[^:/]*:\*\*\*@/m);
    expect(copied.stdout).toMatch(new RegExp(`^  events: ${lastSeq} rows$`, "m"));
    for (const table of ["api_keys", "displays", "users", "sessions", "invitations", "audit", "registry_versions", "unit_state", "rollup_hourly"])
      expect(copied.stdout).toMatch(new RegExp(`^  ${table}: [1-9][\\d,]* rows?$`, "m"));
    expect(copied.stdout).toMatch(new RegExp(`the log ends at seq ${lastSeq} on both sides`));
    expect(copied.stdout).toMatch(/^no differences: every projection on the target equals a rebuild from the copied log$/m);
    // stderr is a pipe here: plain progress lines, the last one complete.
    expect(copied.stderr).toMatch(new RegExp(`^copy events ${lastSeq}/${lastSeq} \\(100%\\), [\\d,]+/s, ETA 0:00$`, "m"));
    expect(copied.stderr).not.toMatch(/\r/);
    expect(copied.stdout + copied.stderr).not.toContain(password);
  });

  it("a server on the target answers as the source did: statuses, history, accounts, keys, audit, registry; logins and sessions carry over", async () => {
    t = await startTestServer({ now: () => NOW, env: { CAREWATCH_DATABASE_URL: target } });
    expect(t.store.engine).toBe("postgres");
    // The session made on the source server is valid on the target (copied as its hash).
    expect((await me(t.url, adminCookie)).json).toMatchObject({ email: "admin@example.vn" });
    expect(await answersOf(t.url, adminCookie)).toEqual(seen);
    const fresh = await login(t.url, "manager@example.vn");
    expect(fresh.status, fresh.text).toBe(200);

    // The log continues after the copied seq; a copied event sent again is its duplicate.
    expect((await post(t.url, keys[SONG_MA]!, late.body, 200)).json).toEqual({ status: "duplicate", event_id: late.body.event_id, seq: late.seq });
    expect((await post(t.url, keys[SONG_MA]!, discharge(SONG_MA, 1, NOW - MIN), 202)).json.seq).toBe(lastSeq + 1);
  });

  it("a second copy into the same database is refused (exit 2) and changes nothing", async () => {
    const before = await statusOf(t!.url, keys[SONG_MA]!, SONG_MA);
    const again = await cw(dataDir, ["copy", "--to", target]);
    expect(again.status, again.stderr).toBe(2);
    expect(again.stderr).toMatch(
      /^cw: the target already holds a store \(rows in events, api_keys, displays, users, sessions, invitations, audit, registry_versions \(2 versions\)\): nothing copied/m,
    );
    expect(again.stdout + again.stderr).not.toContain(password);
    expect(await statusOf(t!.url, keys[SONG_MA]!, SONG_MA)).toEqual(before);
  });

  it("refuses a PostgreSQL source and a URL that is not postgres://", async () => {
    const pg = await cw(dataDir, ["copy", "--to", target], { CAREWATCH_DATABASE_URL: target });
    expect(pg.status).toBe(2);
    expect(pg.stderr).toMatch(/reads the SQLite store of CAREWATCH_DATA_DIR: unset CAREWATCH_DATABASE_URL/);
    const bad = await cw(dataDir, ["copy", "--to", "mysql://u:pw@host/db"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--to must be a postgres:\/\/ URL/);
    expect(bad.stderr).not.toContain("pw@");
  });
});
