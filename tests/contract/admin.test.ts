import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCClientError } from "@trpc/client";
import { createAccount, login, me, socketWithCookie, connectOutcome, trpcWithCookie, authPost, STRONG_PASSWORD } from "../support/accounts.js";
import { expectProblem } from "../support/contract-helpers.js";
import { cw, startTestServer, type TestServer } from "../support/server.js";

/**
 * Issue 7, the admin console's procedures (`admin.*`): allowed for an admin and refused for
 * everyone else, each change written to the audit log with who, when and before/after, and never
 * a secret (invitation token, key, display token, password hash) in the log.
 */

const OWN = "sl-drug-rehab-song-ma";

let s: TestServer;
let adminCookie: string;
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

beforeAll(async () => {
  s = await startTestServer();
  await createAccount(s, { email: "admin@example.vn", role: "admin" });
  await createAccount(s, { email: "manager@example.vn", role: "manager" });
  await createAccount(s, { email: "clerk@example.vn", role: "facility", facilityId: OWN });
  adminCookie = await sessionOf("admin@example.vn");
  cookies.anonymous = null;
  cookies.manager = await sessionOf("manager@example.vn");
  cookies["facility clerk"] = await sessionOf("clerk@example.vn");
  cookies.display = `cw_display=${await s.display()}`;
});
afterAll(() => s?.stop());

/** Every admin procedure, called with a valid input (ids that exist where one is needed). */
function everyProcedure(cookie: string | null, ids: { keyId: string; displayId: string; email: string }) {
  const t = trpcWithCookie(s.url, cookie);
  return {
    "users.list": () => t.admin.users.list.query(),
    "users.invite": () =>
      t.admin.users.invite.mutate({ email: `x${Math.random().toString(36).slice(2)}@example.vn`, role: "manager", provinces: [], facilityId: null }),
    "users.disable": () => t.admin.users.disable.mutate({ email: ids.email }),
    "keys.list": () => t.admin.keys.list.query(),
    "keys.create": () => t.admin.keys.create.mutate({ facilityId: OWN }),
    "keys.revoke": () => t.admin.keys.revoke.mutate({ id: ids.keyId }),
    "displays.list": () => t.admin.displays.list.query(),
    "displays.create": () => t.admin.displays.create.mutate({ name: "x", provinces: [] }),
    "displays.revoke": () => t.admin.displays.revoke.mutate({ id: ids.displayId }),
    "registry.choices": () => t.admin.registry.choices.query(),
    "registry.facilities": () => t.admin.registry.facilities.query(),
    "registry.versions": () => t.admin.registry.versions.query(),
    "registry.change": () =>
      t.admin.registry.change.mutate({
        mode: "update",
        facility: {
          id: OWN,
          name: "x",
          type: "drug_rehab",
          province: "son-la",
          capacity: 1,
          units: [],
          reporting_interval_minutes: 15,
          thresholds: { high: 85, critical: 95, over: 100 },
        },
      }),
    "audit.list": () => t.admin.audit.list.query({}),
  };
}

describe("admin procedures refused for everyone but an admin", () => {
  const EXPECTED: Record<string, string> = { anonymous: "UNAUTHORIZED", manager: "FORBIDDEN", "facility clerk": "FORBIDDEN", display: "FORBIDDEN" };
  for (const [who, code] of Object.entries(EXPECTED)) {
    it(`${who}: every procedure answers ${code} and changes nothing`, async () => {
      const key = await s.store.credentials.createKey(OWN, Date.now());
      const display = await s.store.credentials.createDisplay("target", Date.now());
      await createAccount(s, { email: `target-${who.replace(/\s/g, "")}@example.vn`, role: "manager" });
      const before = await s.store.audit.list({});
      const calls = everyProcedure(cookies[who]!, { keyId: key.id, displayId: display.id, email: `target-${who.replace(/\s/g, "")}@example.vn` });
      for (const [name, call] of Object.entries(calls)) expect([name, await codeOf(call())]).toEqual([name, code]);
      expect(await s.store.audit.list({})).toEqual(before);
      expect((await s.store.credentials.listKeys()).find((k) => k.id === key.id)?.revokedAt).toBeNull();
      expect((await s.store.credentials.listDisplays()).find((d) => d.id === display.id)?.revokedAt).toBeNull();
      expect((await s.store.credentials.listUsers()).find((u) => u.email.startsWith("target-" + who.replace(/\s/g, "")))?.disabledAt).toBeNull();
    });
  }
  it("a facility key is no principal of tRPC: UNAUTHORIZED", async () => {
    const key = await s.key(OWN);
    const t = trpcWithCookie(s.url, null, { "x-api-key": key, authorization: `Bearer ${key}` });
    expect(await codeOf(t.admin.users.list.query())).toBe("UNAUTHORIZED");
    expect(await codeOf(t.admin.keys.create.mutate({ facilityId: OWN }))).toBe("UNAUTHORIZED");
  });
});

describe("an admin", () => {
  const t = () => trpcWithCookie(s.url, adminCookie);
  const adminActor = async () => ({
    kind: "user",
    id: (await s.store.credentials.listUsers()).find((u) => u.email === "admin@example.vn")!.id,
    email: "admin@example.vn",
  });

  it("invites a user: the URL is returned once, works at /invite, and the audit entry has no token", async () => {
    const r = await t().admin.users.invite.mutate({ email: "New.Manager@Example.vn", role: "manager", provinces: ["son-la"], facilityId: null });
    expect(r.email).toBe("new.manager@example.vn");
    expect(r.url).toMatch(/^http:\/\/[^/]+\/invite\/cwi_[A-Za-z0-9_-]{40,}$/);
    // No CAREWATCH_PUBLIC_URL here: the link names this machine on the port the server really bound.
    expect(r.url.startsWith(`${s.url}/invite/`)).toBe(true);
    expect(r.expiresAt - Date.now()).toBeGreaterThan(71 * 3_600_000);
    const listed = (await t().admin.users.list.query()).find((u) => u.email === "new.manager@example.vn");
    expect(listed).toMatchObject({ role: "manager", provinces: ["son-la"], hasPassword: false, disabledAt: null });
    expect(JSON.stringify(listed)).not.toMatch(/cwi_|hash/i);

    const [entry] = await t().admin.audit.list.query({ action: "users.invite", target: "new.manager@example.vn" });
    expect(entry).toMatchObject({
      actor: await adminActor(),
      action: "users.invite",
      target: "new.manager@example.vn",
      after: { email: "new.manager@example.vn", role: "manager", provinces: ["son-la"], facilityId: null, disabledAt: null },
    });
    expect(Math.abs(entry!.at - Date.now())).toBeLessThan(60_000);
    const token = decodeURIComponent(r.url.split("/invite/")[1]!);
    expect(JSON.stringify(entry)).not.toContain(token);

    // The link sets a password and logs the new user in.
    const accepted = await authPost(s.url, `invite/${encodeURIComponent(token)}`, { password: STRONG_PASSWORD });
    expect(accepted.status, accepted.text).toBe(200);
    expect((await login(s.url, "new.manager@example.vn")).status).toBe(200);
  });

  it("is told clearly when an invitation cannot be made (duplicate, bad role/facility/province, bad input)", async () => {
    const cases: [Parameters<ReturnType<typeof t>["admin"]["users"]["invite"]["mutate"]>[0], RegExp][] = [
      [{ email: "manager@example.vn", role: "manager", provinces: [], facilityId: null }, /đã có tài khoản/],
      [{ email: "c@example.vn", role: "facility", provinces: [], facilityId: null }, /cần một cơ sở/],
      [{ email: "c@example.vn", role: "facility", provinces: [], facilityId: "nowhere" }, /Không có cơ sở/],
      [{ email: "c@example.vn", role: "manager", provinces: ["atlantis"], facilityId: null }, /Không có tỉnh/],
      [{ email: "c@example.vn", role: "admin", provinces: ["son-la"], facilityId: null }, /Chỉ quản lý/],
      [{ email: "not-an-email", role: "admin", provinces: [], facilityId: null }, /Email không hợp lệ/],
    ];
    for (const [input, message] of cases) {
      const e = await t()
        .admin.users.invite.mutate(input)
        .then(
          () => null,
          (err: unknown) => err as TRPCClientError<never>,
        );
      expect(e, JSON.stringify(input)).toBeInstanceOf(TRPCClientError);
      expect((e!.data as unknown as { code: string }).code).toBe("BAD_REQUEST");
      expect(e!.message).toMatch(message);
    }
    // zod: a role that does not exist.
    expect(await codeOf(t().admin.users.invite.mutate({ email: "r@example.vn", role: "root" as "admin", provinces: [], facilityId: null }))).toBe(
      "BAD_REQUEST",
    );
    expect((await s.store.credentials.listUsers()).some((u) => u.email === "c@example.vn")).toBe(false);
  });

  it("disables a user: their session and socket end; the entry has before/after", async () => {
    await createAccount(s, { email: "leaving@example.vn", role: "manager", provinces: ["lao-cai"] });
    const cookie = await sessionOf("leaving@example.vn");
    const socket = socketWithCookie(s.url, cookie);
    try {
      expect(await connectOutcome(socket)).toBe("connected");
      const revoked = new Promise<true>((resolve) => socket.once("revoked", () => resolve(true)));
      expect(await t().admin.users.disable.mutate({ email: "Leaving@example.vn" })).toEqual({ email: "leaving@example.vn" });
      expect(await revoked).toBe(true);
      expectProblem(await me(s.url, cookie), 401);
    } finally {
      socket.close();
    }
    const [entry] = await t().admin.audit.list.query({ action: "users.disable" });
    expect(entry).toMatchObject({
      actor: await adminActor(),
      target: "leaving@example.vn",
      before: { email: "leaving@example.vn", role: "manager", provinces: ["lao-cai"], disabledAt: null },
      after: { email: "leaving@example.vn", disabledAt: expect.any(Number) },
    });
    expect(await codeOf(t().admin.users.disable.mutate({ email: "leaving@example.vn" }))).toBe("NOT_FOUND");
    expect(await codeOf(t().admin.users.disable.mutate({ email: "admin@example.vn" }))).toBe("BAD_REQUEST"); // not oneself
  });

  it("creates a key (shown once, works), lists it with last use, revokes it; entries without the key", async () => {
    const created = await t().admin.keys.create.mutate({ facilityId: OWN });
    expect(created.key).toMatch(/^cw_/);
    const status = await fetch(`${s.url}/api/v1/facilities/${OWN}/status`, { headers: { authorization: `Bearer ${created.key}` } });
    expect(status.status).toBe(200);
    const listed = (await t().admin.keys.list.query()).find((k) => k.id === created.id);
    expect(listed).toMatchObject({ facilityId: OWN, revokedAt: null, lastUsedAt: expect.any(Number) });
    expect(JSON.stringify(await t().admin.keys.list.query())).not.toContain(created.key);

    expect(await t().admin.keys.revoke.mutate({ id: created.id })).toEqual({ id: created.id });
    expect((await fetch(`${s.url}/api/v1/facilities/${OWN}/status`, { headers: { authorization: `Bearer ${created.key}` } })).status).toBe(401);
    expect(await codeOf(t().admin.keys.revoke.mutate({ id: created.id }))).toBe("NOT_FOUND");
    expect(await codeOf(t().admin.keys.create.mutate({ facilityId: "nowhere" }))).toBe("BAD_REQUEST");

    const entries = await t().admin.audit.list.query({ target: created.id });
    expect(entries.map((e) => [e.action, e.before, e.after])).toEqual([
      ["keys.revoke", { facilityId: OWN, revokedAt: null }, { facilityId: OWN, revokedAt: expect.any(Number) }],
      ["keys.create", undefined, { facilityId: OWN, revokedAt: null }],
    ]);
    expect(JSON.stringify(entries)).not.toContain(created.key);
  });

  it("creates a display scoped to a province (its URL works and shows only that province), revokes it", async () => {
    const created = await t().admin.displays.create.mutate({ name: "Tường Lào Cai", provinces: ["lao-cai"] });
    expect(created.url).toMatch(/^http:\/\/[^/]+\/wall\?display=/);
    const token = new URL(created.url).searchParams.get("display")!;
    const board = await trpcWithCookie(s.url, `cw_display=${token}`).board.snapshot.query();
    expect(new Set(board.facilities.map((f) => f.province))).toEqual(new Set(["lao-cai"]));
    expect((await t().admin.displays.list.query()).find((d) => d.id === created.id)).toMatchObject({
      name: "Tường Lào Cai",
      provinces: ["lao-cai"],
      revokedAt: null,
    });
    expect(await codeOf(t().admin.displays.create.mutate({ name: "x", provinces: ["atlantis"] }))).toBe("BAD_REQUEST");
    expect(await codeOf(t().admin.displays.create.mutate({ name: "", provinces: [] }))).toBe("BAD_REQUEST");

    await t().admin.displays.revoke.mutate({ id: created.id });
    expect(await codeOf(trpcWithCookie(s.url, `cw_display=${token}`).board.snapshot.query())).toBe("UNAUTHORIZED");
    expect(await codeOf(t().admin.displays.revoke.mutate({ id: created.id }))).toBe("NOT_FOUND");
    const entries = await t().admin.audit.list.query({ target: created.id });
    expect(entries.map((e) => [e.action, e.before, e.after])).toEqual([
      [
        "displays.revoke",
        { name: "Tường Lào Cai", provinces: ["lao-cai"], revokedAt: null },
        { name: "Tường Lào Cai", provinces: ["lao-cai"], revokedAt: expect.any(Number) },
      ],
      ["displays.create", undefined, { name: "Tường Lào Cai", provinces: ["lao-cai"], revokedAt: null }],
    ]);
    expect(JSON.stringify(entries)).not.toContain(token);
  });

  it("reads the audit log filtered by action, actor and time, paged newest first", async () => {
    const all = await t().admin.audit.list.query({ limit: 200 });
    expect(all.map((e) => e.action)).toEqual(["displays.revoke", "displays.create", "keys.revoke", "keys.create", "users.disable", "users.invite"]);
    expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort((a, b) => b - a));
    const page1 = await t().admin.audit.list.query({ limit: 2 });
    const page2 = await t().admin.audit.list.query({ limit: 2, beforeId: page1.at(-1)!.id });
    expect([...page1, ...page2].map((e) => e.id)).toEqual(all.slice(0, 4).map((e) => e.id));
    expect((await t().admin.audit.list.query({ actor: "admin@example.vn" })).length).toBe(all.filter((e) => e.actor.email === "admin@example.vn").length);
    expect(await t().admin.audit.list.query({ from: Date.now() + 3_600_000 })).toEqual([]);
    expect((await t().admin.audit.list.query({ action: "keys.create" })).every((e) => e.action === "keys.create")).toBe(true);
    expect(await codeOf(t().admin.audit.list.query({ limit: 0 }))).toBe("BAD_REQUEST");
    // Nothing in the whole log looks like a secret.
    expect(JSON.stringify(all)).not.toMatch(/cw_[A-Za-z0-9_-]{20,}|cwi_|cws_|cwd_|\$argon2/);
  });
});

describe("cw writes audit entries too (actor cw)", () => {
  it("users create/disable, keys create/revoke, displays create/revoke", async () => {
    const env = { CAREWATCH_PUBLIC_URL: "https://board.example.vn" };
    const run = async (args: string[]) => {
      const r = await cw(s.dataDir, args, env);
      expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return r.stdout.trim();
    };
    const url = await run(["users", "create", "cli.user@example.vn", "--role", "facility", "--facility", OWN]);
    await run(["users", "disable", "cli.user@example.vn"]);
    const key = await run(["keys", "create", OWN]);
    const keyId = (await s.store.credentials.listKeys()).at(-1)!.id;
    await run(["keys", "revoke", keyId]);
    const wall = await run(["displays", "create", "CLI wall", "--province", "son-la"]);
    const displayId = (await s.store.credentials.listDisplays()).at(-1)!.id;
    await run(["displays", "revoke", displayId]);

    const entries = (await s.store.audit.list({ actor: "cw" })).reverse();
    expect(entries.map((e) => [e.actor, e.action, e.target])).toEqual([
      [{ kind: "cli", id: "cw", email: null }, "users.invite", "cli.user@example.vn"],
      [{ kind: "cli", id: "cw", email: null }, "users.disable", "cli.user@example.vn"],
      [{ kind: "cli", id: "cw", email: null }, "keys.create", keyId],
      [{ kind: "cli", id: "cw", email: null }, "keys.revoke", keyId],
      [{ kind: "cli", id: "cw", email: null }, "displays.create", displayId],
      [{ kind: "cli", id: "cw", email: null }, "displays.revoke", displayId],
    ]);
    expect(entries[0]!.after).toEqual({ email: "cli.user@example.vn", role: "facility", provinces: [], facilityId: OWN, disabledAt: null });
    expect(entries[5]!.before).toEqual({ name: "CLI wall", provinces: ["son-la"], revokedAt: null });
    const text = JSON.stringify(entries);
    for (const secret of [url.split("/invite/")[1]!, key, new URL(wall).searchParams.get("display")!]) expect(text).not.toContain(decodeURIComponent(secret));
  });
});
