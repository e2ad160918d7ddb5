import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import pino from "pino";
import { openStore } from "@carewatch/store";
import { storeLocation } from "../support/engine.js";
import { loadRegistry, parseConfig } from "@carewatch/server";
import { expectProblem, makeClock, MIN } from "../support/contract-helpers.js";
import { authPost, connectOutcome, cookieFrom, createAccount, login, me, socketWithCookie, STRONG_PASSWORD } from "../support/accounts.js";
import { cw, startTestServer, tempDataDir, type TestServer } from "../support/server.js";

/** Issue 7, accounts and sessions: login, me, logout (here and everywhere), CSRF, throttling, cookies, invitations, disabling. */

describe("login, me, logout", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
    await createAccount(s, { email: "Admin@Example.VN", role: "admin" });
    await createAccount(s, { email: "manager@example.vn", role: "manager", provinces: ["son-la"] });
    await createAccount(s, { email: "invited@example.vn", role: "admin", password: null });
  });
  afterAll(() => s?.stop());

  it("logs in (any case of the email) with an HttpOnly, SameSite=Lax, Path=/ cookie, not Secure on plain http", async () => {
    const r = await login(s.url, "ADMIN@example.vn");
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({ user: { email: "admin@example.vn", role: "admin" }, next: "/" });
    const line = r.headers.getSetCookie().find((l) => l.startsWith("cw_session="))!;
    expect(line).toMatch(/^cw_session=cws_[A-Za-z0-9_-]{40,}/);
    expect(line).toMatch(/;\s*HttpOnly/i);
    expect(line).toMatch(/;\s*SameSite=Lax/i);
    expect(line).toMatch(/;\s*Path=\//i);
    expect(line).not.toMatch(/;\s*Secure/i);
    expect(line).toMatch(/;\s*Max-Age=\d+/i);
    expect(r.headers.getSetCookie().some((l) => l.startsWith("__Host-"))).toBe(false);
  });

  it("me answers who is logged in, 401 problem+json otherwise", async () => {
    const { cookie } = await login(s.url, "manager@example.vn");
    const r = await me(s.url, cookie);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ email: "manager@example.vn", role: "manager", provinces: ["son-la"], facilityId: null });
    expect(r.headers.get("cache-control")).toBe("no-store");
    expectProblem(await me(s.url, null), 401);
    expectProblem(await me(s.url, "cw_session=cws_" + "A".repeat(43)), 401);
  });

  it("a wrong password, an unknown email and an account without a password get the same 401, Vietnamese first", async () => {
    const wrong = await login(s.url, "admin@example.vn", "not the password at all");
    const unknown = await login(s.url, "nobody@example.vn");
    const invited = await login(s.url, "invited@example.vn", "anything goes here");
    for (const r of [wrong, unknown, invited]) {
      expectProblem(r, 401);
      expect(r.cookie).toBeNull();
    }
    expect(unknown.json.detail).toBe(wrong.json.detail);
    expect(invited.json.detail).toBe(wrong.json.detail);
    expect(wrong.json.detail).toMatch(/^Email hoặc mật khẩu không đúng · Wrong email or password/);
  });

  it("next is a same-origin path only", async () => {
    expect((await login(s.url, "admin@example.vn", STRONG_PASSWORD, { next: "/wall?kiosk=0" })).json.next).toBe("/wall?kiosk=0");
    for (const evil of ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "/login?next=%2F", "/invite/cwi_x"])
      expect((await login(s.url, "admin@example.vn", STRONG_PASSWORD, { next: evil })).json.next, evil).toBe("/");
  });

  it("logout ends this session only and clears the cookie", async () => {
    const a = await login(s.url, "admin@example.vn");
    const b = await login(s.url, "admin@example.vn");
    const out = await authPost(s.url, "logout", {}, { cookie: a.cookie! });
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie().find((l) => l.startsWith("cw_session="))).toMatch(/Max-Age=0/i);
    expectProblem(await me(s.url, a.cookie), 401);
    expect((await me(s.url, b.cookie)).status).toBe(200);
  });

  it("logout-all ends every session of the user, not other users'", async () => {
    const a = await login(s.url, "admin@example.vn");
    const b = await login(s.url, "admin@example.vn");
    const other = await login(s.url, "manager@example.vn");
    const out = await authPost(s.url, "logout-all", {}, { cookie: a.cookie! });
    expect(out.status, out.text).toBe(200);
    expect(out.json.ended).toBeGreaterThanOrEqual(2);
    expectProblem(await me(s.url, a.cookie), 401);
    expectProblem(await me(s.url, b.cookie), 401);
    expect((await me(s.url, other.cookie)).status).toBe(200);
    expectProblem(await authPost(s.url, "logout-all", {}, { cookie: a.cookie! }), 401);
  });

  it("POSTs must be JSON, and from our own origin when an Origin is sent (CSRF)", async () => {
    const form = await authPost(s.url, "login", `email=admin%40example.vn&password=x`, { "content-type": "application/x-www-form-urlencoded" });
    expectProblem(form, 415);
    const text = await authPost(s.url, "login", JSON.stringify({ email: "admin@example.vn", password: STRONG_PASSWORD }), { "content-type": "text/plain" });
    expectProblem(text, 415);
    const cross = await authPost(s.url, "login", { email: "admin@example.vn", password: STRONG_PASSWORD }, { origin: "https://evil.example" });
    expectProblem(cross, 403);
    expect(cookieFrom(cross, "cw_session")).toBeNull();
    const { cookie } = await login(s.url, "admin@example.vn");
    expectProblem(await authPost(s.url, "logout-all", {}, { cookie: cookie!, origin: "https://evil.example" }), 403);
    expect((await me(s.url, cookie)).status).toBe(200);
    const same = await authPost(s.url, "login", { email: "admin@example.vn", password: STRONG_PASSWORD }, { origin: s.url });
    expect(same.status, same.text).toBe(200);
  });

  it("a malformed or incomplete body is a problem, not a crash", async () => {
    expectProblem(await authPost(s.url, "login", "{"), 400);
    expectProblem(await authPost(s.url, "login", { email: "admin@example.vn" }), 422);
  });
});

describe("login throttling", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
    await createAccount(s, { email: "clerk@example.vn", role: "facility", facilityId: "sl-drug-rehab-song-ma" });
  });
  afterAll(() => s?.stop());

  it("5 failures for an account: the right password too gets 429 with Retry-After; unknown accounts are throttled alike", async () => {
    for (let i = 0; i < 5; i++) expectProblem(await login(s.url, "clerk@example.vn", `wrong password ${i}`), 401);
    const blocked = await login(s.url, "Clerk@example.vn");
    expectProblem(blocked, 429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(blocked.cookie).toBeNull();
    expect(blocked.json.detail).toMatch(/^Quá nhiều lần đăng nhập sai/);

    for (let i = 0; i < 5; i++) expectProblem(await login(s.url, "ghost@example.vn", `wrong password ${i}`), 401);
    const ghost = await login(s.url, "ghost@example.vn");
    expectProblem(ghost, 429);
    // Same words whether the account exists or not.
    expect(ghost.json.detail.replace(/\d+/g, "N")).toBe(blocked.json.detail.replace(/\d+/g, "N"));
  });

  it("20 failures from one address block every account from it", async () => {
    // 10 failures so far from this address (the test above); 10 more over fresh accounts.
    for (let i = 0; i < 10; i++) expectProblem(await login(s.url, `someone${i}@example.vn`, "wrong password"), 401);
    await createAccount(s, { email: "fresh@example.vn", role: "admin" });
    expectProblem(await login(s.url, "fresh@example.vn"), 429);
  });
});

describe("cookie behind https", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: { CAREWATCH_PUBLIC_URL: "https://board.example.vn" } });
    await createAccount(s, { email: "admin@example.vn", role: "admin" });
  });
  afterAll(() => s?.stop());

  it("is __Host-cw_session with Secure (and still HttpOnly, SameSite=Lax, Path=/, no Domain)", async () => {
    const r = await login(s.url, "admin@example.vn", STRONG_PASSWORD, { cookieName: "__Host-cw_session" });
    expect(r.status, r.text).toBe(200);
    const line = r.headers.getSetCookie().find((l) => l.startsWith("__Host-cw_session="))!;
    expect(line).toMatch(/;\s*Secure/i);
    expect(line).toMatch(/;\s*HttpOnly/i);
    expect(line).toMatch(/;\s*SameSite=Lax/i);
    expect(line).toMatch(/;\s*Path=\//i);
    expect(line).not.toMatch(/Domain=/i);
    expect((await me(s.url, r.cookie)).json.email).toBe("admin@example.vn");
    // The plain name means nothing here.
    expectProblem(await me(s.url, r.cookie!.replace("__Host-cw_session", "cw_session")), 401);
  });

  it("a POST from the public origin is same-origin", async () => {
    const r = await authPost(s.url, "login", { email: "admin@example.vn", password: STRONG_PASSWORD }, { origin: "https://board.example.vn" });
    expect(r.status, r.text).toBe(200);
  });
});

describe("invitations", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s?.stop());

  it("a refused password leaves the invitation usable; a good one sets it, logs in, and the invitation is spent", async () => {
    const id = await createAccount(s, { email: "new.manager@example.vn", role: "manager", password: null });
    const { token } = await s.store.credentials.createInvitation(id, Date.now(), 72 * 3_600_000);

    const short = await authPost(s.url, `invite/${token}`, { password: "short" });
    expectProblem(short, 422);
    expect(short.json.detail).toMatch(/^Mật khẩu phải có ít nhất 10 ký tự · The password must have at least 10 characters/);
    const common = await authPost(s.url, `invite/${token}`, { password: "password123" });
    expectProblem(common, 422);
    expect(common.json.detail).toMatch(/^Mật khẩu quá dễ đoán/);

    const ok = await authPost(s.url, `invite/${token}`, { password: STRONG_PASSWORD });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.user).toEqual({ email: "new.manager@example.vn", role: "manager" });
    const cookie = cookieFrom(ok, "cw_session");
    expect((await me(s.url, cookie)).json.email).toBe("new.manager@example.vn");

    expectProblem(await authPost(s.url, `invite/${token}`, { password: "another long pass phrase, quite unguessable" }), 404);
    expect((await login(s.url, "new.manager@example.vn")).status).toBe(200);
  });

  it("an unknown or expired invitation is 404", async () => {
    expectProblem(await authPost(s.url, `invite/cwi_${"A".repeat(43)}`, { password: STRONG_PASSWORD }), 404);
    const id = await createAccount(s, { email: "late@example.vn", role: "admin", password: null });
    const { token } = await s.store.credentials.createInvitation(id, Date.now() - 73 * 3_600_000, 72 * 3_600_000);
    expectProblem(await authPost(s.url, `invite/${token}`, { password: STRONG_PASSWORD }), 404);
  });
});

describe("disabling a user", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
    await createAccount(s, { email: "leaving@example.vn", role: "manager" });
  });
  afterAll(() => s?.stop());

  it("from the CLI (another process): their sessions end and their live socket is dropped within seconds", async () => {
    const { cookie } = await login(s.url, "leaving@example.vn");
    const socket = socketWithCookie(s.url, cookie);
    try {
      expect(await connectOutcome(socket)).toBe("connected");
      const dropped = new Promise<string>((resolve) => socket.once("disconnect", (reason) => resolve(reason)));
      const revoked = new Promise<true>((resolve) => socket.once("revoked", () => resolve(true)));
      const r = await cw(s.dataDir, ["users", "disable", "Leaving@example.vn"]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain("disabled leaving@example.vn");
      expect(await revoked).toBe(true);
      expect(await dropped).toBe("io server disconnect");
      expectProblem(await me(s.url, cookie), 401);
      expectProblem(await login(s.url, "leaving@example.vn"), 401);
      const again = socketWithCookie(s.url, cookie);
      expect(await connectOutcome(again)).toMatch(/^unauthorized/);
      again.close();
    } finally {
      socket.close();
    }
  });
});

describe("cw users and cw displays", () => {
  const dataDir = tempDataDir();
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("creates a user with an invitation URL, or with a checked password from stdin; lists and disables", async () => {
    const invited = await cw(dataDir, ["users", "create", "Lan@Example.vn", "--role", "manager", "--province", "son-la"], {
      CAREWATCH_PUBLIC_URL: "https://board.example.vn",
    });
    expect(invited.status, invited.stderr).toBe(0);
    expect(invited.stdout.trim()).toMatch(/^https:\/\/board\.example\.vn\/invite\/cwi_[A-Za-z0-9_-]{40,}$/);

    const weak = await cw(
      dataDir,
      ["users", "create", "clerk@example.vn", "--role", "facility", "--facility", "sl-psychiatric", "--password-stdin"],
      {},
      "password1\n",
    );
    expect(weak.status).toBe(2);
    expect(weak.stderr).toMatch(/Mật khẩu/);
    const clerk = await cw(
      dataDir,
      ["users", "create", "clerk@example.vn", "--role", "facility", "--facility", "sl-psychiatric", "--password-stdin"],
      {},
      `${STRONG_PASSWORD}\n`,
    );
    expect(clerk.status, clerk.stderr).toBe(0);
    expect(clerk.stdout).toContain("created clerk@example.vn (facility)");

    for (const bad of [
      ["users", "create", "x@example.vn", "--role", "facility"],
      ["users", "create", "y@example.vn", "--role", "admin", "--facility", "sl-psychiatric"],
      ["users", "create", "z@example.vn", "--role", "manager", "--province", "atlantis"],
      ["users", "create", "lan@example.vn", "--role", "admin"],
    ]) {
      const r = await cw(dataDir, bad);
      expect(r.status, bad.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^cw: /);
    }
    expect((await cw(dataDir, ["users", "create", "w@example.vn", "--role", "root"])).status).not.toBe(0);

    const list = await cw(dataDir, ["users", "list"]);
    expect(list.status).toBe(0);
    const rows = list.stdout
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split("\t"));
    expect(rows.map((r) => [r[1], r[2], r[3], r[4], r[5]])).toEqual([
      ["lan@example.vn", "manager", "son-la", "-", "invited"],
      ["clerk@example.vn", "facility", "-", "sl-psychiatric", "set"],
    ]);
    expect(list.stdout).not.toContain(STRONG_PASSWORD);

    expect((await cw(dataDir, ["users", "disable", "clerk@example.vn"])).status).toBe(0);
    expect((await cw(dataDir, ["users", "disable", "clerk@example.vn"])).status).toBe(2);

    // The stored password is argon2id, and checks out against the one given on stdin.
    const store = await openStore(await storeLocation(dataDir), loadRegistry(undefined).registry);
    try {
      const rec = await store.credentials.findLogin("clerk@example.vn");
      expect(rec?.passwordHash).toMatch(/^\$argon2id\$/);
      expect(rec?.disabled).toBe(true);
    } finally {
      await store.close();
    }
  });

  it("creates a display scoped to provinces", async () => {
    const r = await cw(dataDir, ["displays", "create", "Phòng Lào Cai", "--province", "lao-cai"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/\/wall\?display=cwd_/);
    const list = await cw(dataDir, ["displays", "list"]);
    expect(list.stdout).toMatch(/Phòng Lào Cai\tlao-cai\t/);
    expect((await cw(dataDir, ["displays", "create", "x", "--province", "atlantis"])).status).toBe(2);
  });
});

describe("session lifetimes", () => {
  it("CAREWATCH_SESSION_IDLE ends a quiet session; CAREWATCH_SESSION_MAX ends a busy one", async () => {
    const clock = makeClock(Date.parse("2026-11-22T01:00:00Z"));
    const s = await startTestServer({ now: clock.now, env: { CAREWATCH_SESSION_IDLE: "30m", CAREWATCH_SESSION_MAX: "2h" } });
    try {
      await createAccount(s, { email: "a@example.vn", role: "admin" });
      const quiet = (await login(s.url, "a@example.vn")).cookie;
      const busy = (await login(s.url, "a@example.vn")).cookie;
      for (let i = 0; i < 5; i++) {
        clock.advance(20 * MIN);
        expect((await me(s.url, busy)).status, `after ${(i + 1) * 20} min`).toBe(200);
      }
      expectProblem(await me(s.url, quiet), 401);
      clock.advance(20 * MIN); // 2 h since login
      expectProblem(await me(s.url, busy), 401);
    } finally {
      await s.stop();
    }
  });

  it("a bad duration stops the start with a message naming the variable", () => {
    const dir = tempDataDir();
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    for (const [name, value] of [
      ["CAREWATCH_SESSION_IDLE", "8 hours"],
      ["CAREWATCH_SESSION_MAX", "0d"],
    ] as const)
      expect(() => parseConfig({ CAREWATCH_DATA_DIR: dir, [name]: value })).toThrow(new RegExp(`^${name}: `));
    expect(() => parseConfig({ CAREWATCH_DATA_DIR: dir, CAREWATCH_SESSION_IDLE: "2d", CAREWATCH_SESSION_MAX: "1d" })).toThrow(/must not be longer/);
  });

  it("warns at start-up that plain http is for localhost development only", async () => {
    const lines: string[] = [];
    const log = pino({ level: "warn" }, { write: (l: string) => void lines.push(l) });
    const s = await startTestServer({ log });
    await s.stop();
    expect(lines.some((l) => l.includes('"level":40') && l.includes("localhost development only"))).toBe(true);
  });
});
