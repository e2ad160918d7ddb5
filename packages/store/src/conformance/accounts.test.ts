import type { UserPrincipal } from "@carewatch/domain";
import { describe, expect, it } from "vitest";
import type { Store } from "../types.js";
import { NO_UNITS, T0, WITH_UNITS } from "../test-helpers.js";
import { ENGINES } from "./engines.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const LIMITS = { idleMs: 8 * HOUR, absoluteMs: 7 * 24 * HOUR };
const ARGON = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"; // shape only: the store does not hash

async function manager(store: Store, email = "manager@example.vn", provinces = ["son-la"]) {
  return (await store.credentials.createUser({ email, role: "manager", provinces, facilityId: null }, T0)).id;
}

for (const engine of ENGINES) {
  describe(engine.name, () => {
    describe("users", () => {
      it("creates users of each role, lists them in creation order, email lower-cased", async () => {
        const { store } = await engine.create();
        const c = store.credentials;
        const admin = await c.createUser({ email: "  Admin@Example.VN ", role: "admin", provinces: [], facilityId: null }, T0);
        expect(admin.id).toMatch(/^u_[A-Za-z0-9_-]+$/);
        const mgr = await c.createUser({ email: "m@example.vn", role: "manager", provinces: ["son-la", "lao-cai", "son-la"], facilityId: null }, T0 + 1);
        const clerk = await c.createUser({ email: "clerk@example.vn", role: "facility", provinces: [], facilityId: NO_UNITS }, T0 + 2);
        expect(await c.listUsers()).toEqual([
          { id: admin.id, email: "admin@example.vn", role: "admin", provinces: [], facilityId: null, createdAt: T0, disabledAt: null, hasPassword: false },
          {
            id: mgr.id,
            email: "m@example.vn",
            role: "manager",
            provinces: ["lao-cai", "son-la"],
            facilityId: null,
            createdAt: T0 + 1,
            disabledAt: null,
            hasPassword: false,
          },
          {
            id: clerk.id,
            email: "clerk@example.vn",
            role: "facility",
            provinces: [],
            facilityId: NO_UNITS,
            createdAt: T0 + 2,
            disabledAt: null,
            hasPassword: false,
          },
        ]);
      });

      it("refuses a duplicate email (any case), unknown facilities, roles and provinces, and a facility on the wrong role", async () => {
        const { store } = await engine.create();
        const c = store.credentials;
        await manager(store, "dup@example.vn");
        const none = { provinces: [], facilityId: null };
        await expect(c.createUser({ email: "DUP@example.vn", role: "admin", ...none }, T0)).rejects.toThrow(/already exists/);
        await expect(c.createUser({ email: "f@example.vn", role: "facility", provinces: [], facilityId: "nowhere" }, T0)).rejects.toThrow(
          /unknown facility "nowhere"/,
        );
        await expect(c.createUser({ email: "f@example.vn", role: "facility", ...none }, T0)).rejects.toThrow(/needs a facility/);
        await expect(c.createUser({ email: "f@example.vn", role: "manager", provinces: [], facilityId: NO_UNITS }, T0)).rejects.toThrow(/takes no facility/);
        await expect(c.createUser({ email: "f@example.vn", role: "admin", provinces: [], facilityId: NO_UNITS }, T0)).rejects.toThrow(/takes no facility/);
        await expect(c.createUser({ email: "f@example.vn", role: "admin", provinces: ["son-la"], facilityId: null }, T0)).rejects.toThrow(/takes no provinces/);
        await expect(c.createUser({ email: "f@example.vn", role: "manager", provinces: ["sl"], facilityId: null }, T0)).rejects.toThrow(
          /unknown province "sl"/,
        );
        // @ts-expect-error: a role from outside the type (the CLI passes strings)
        await expect(c.createUser({ email: "f@example.vn", role: "root", ...none }, T0)).rejects.toThrow(/unknown role "root"/);
        await expect(c.createUser({ email: "not an email", role: "admin", ...none }, T0)).rejects.toThrow(/invalid email/);
        expect((await c.listUsers()).map((u) => u.email)).toEqual(["dup@example.vn"]);
      });

      it("finds a login by email in any case, and keeps the password hash it is given", async () => {
        const { store } = await engine.create();
        const c = store.credentials;
        const id = await manager(store);
        expect(await c.findLogin("MANAGER@example.vn")).toEqual({ userId: id, passwordHash: null, disabled: false });
        expect(await c.findLogin("nobody@example.vn")).toBeNull();
        await c.setPassword(id, ARGON);
        expect(await c.findLogin("manager@example.vn")).toEqual({ userId: id, passwordHash: ARGON, disabled: false });
        expect((await c.listUsers())[0]?.hasPassword).toBe(true);
        await expect(c.setPassword("u_missing", ARGON)).rejects.toThrow(/unknown user/);
      });

      it("disabling ends every session at once, refuses new ones, and is reported once", async () => {
        const { store } = await engine.create();
        const c = store.credentials;
        const id = await manager(store);
        const other = await manager(store, "other@example.vn");
        const a = await c.createSession(id, T0);
        const b = await c.createSession(id, T0 + 1);
        const kept = await c.createSession(other, T0);
        expect(await c.disableUser("Manager@Example.vn", T0 + 5)).toBe(true);
        expect(await c.disableUser("manager@example.vn", T0 + 6)).toBe(false); // already
        expect(await c.disableUser("nobody@example.vn", T0 + 6)).toBe(false);
        expect(await c.authenticateSession(a.token, T0 + 7, LIMITS)).toBeNull();
        expect(await c.authenticateSession(b.token, T0 + 7, LIMITS)).toBeNull();
        expect(await c.authenticateSession(kept.token, T0 + 7, LIMITS)).not.toBeNull();
        expect(await c.endAllSessions(id, T0 + 8)).toBe(0); // already ended by disabling
        expect(await c.findLogin("manager@example.vn")).toMatchObject({ disabled: true });
        expect((await c.listUsers()).find((u) => u.id === id)?.disabledAt).toBe(T0 + 5);
        await expect(c.createSession(id, T0 + 9)).rejects.toThrow(/disabled/);
      });
    });

    describe("sessions", () => {
      it("authenticate to the user's principal, with a cws_ token and a session id", async () => {
        const { store } = await engine.create();
        const c = store.credentials;
        const id = await manager(store, "m@example.vn", ["lao-cai"]);
        const clerk = (await c.createUser({ email: "c@example.vn", role: "facility", provinces: [], facilityId: WITH_UNITS }, T0)).id;
        const s = await c.createSession(id, T0);
        expect(s.token).toMatch(/^cws_[A-Za-z0-9_-]{43}$/); // 32 bytes base64url
        expect(s.sessionId).toMatch(/^s_[A-Za-z0-9_-]+$/);
        expect(await c.authenticateSession(s.token, T0 + 1, LIMITS)).toEqual<UserPrincipal>({
          kind: "user",
          userId: id,
          email: "m@example.vn",
          role: "manager",
          provinces: ["lao-cai"],
          facilityId: null,
          sessionId: s.sessionId,
        });
        const cs = await c.createSession(clerk, T0);
        expect(await c.authenticateSession(cs.token, T0, LIMITS)).toMatchObject({ role: "facility", facilityId: WITH_UNITS, provinces: [] });
        expect(await c.authenticateSession(s.token + "x", T0, LIMITS)).toBeNull();
        expect(await c.authenticateSession("", T0, LIMITS)).toBeNull();
        await expect(c.createSession("u_missing", T0)).rejects.toThrow(/unknown user/);
      });

      it("end after the idle timeout unless seen, and after the absolute timeout whatever happens", async () => {
        const { store } = await engine.create();
        const c = store.credentials;
        const id = await manager(store);
        const limits = { idleMs: 30 * MIN, absoluteMs: 2 * HOUR };
        const idle = await c.createSession(id, T0);
        expect(await c.authenticateSession(idle.token, T0 + 30 * MIN - 1, limits)).not.toBeNull(); // seen: idle clock restarts
        expect(await c.authenticateSession(idle.token, T0 + 60 * MIN - 2, limits)).not.toBeNull();
        expect(await c.authenticateSession(idle.token, T0 + 90 * MIN - 2, limits)).toBeNull(); // 30 min unseen

        const busy = await c.createSession(id, T0);
        for (let t = T0 + 20 * MIN; t < T0 + 2 * HOUR; t += 20 * MIN) expect(await c.authenticateSession(busy.token, t, limits)).not.toBeNull();
        expect(await c.authenticateSession(busy.token, T0 + 2 * HOUR, limits)).toBeNull(); // too old
        expect(await c.authenticateSession(busy.token, T0 + 2 * HOUR - 1, limits)).not.toBeNull(); // the old session is not ended by looking
      });

      it("record a visit at most once a minute (idleness is measured to within a minute)", async () => {
        const { store } = await engine.create();
        const c = store.credentials;
        const id = await manager(store);
        const limits = { idleMs: 2 * MIN, absoluteMs: HOUR };
        const s = await c.createSession(id, T0);
        await c.authenticateSession(s.token, T0 + 59_000, limits); // not recorded: under a minute since the last record
        expect(await c.authenticateSession(s.token, T0 + 2 * MIN, limits)).toBeNull();
        const t = await c.createSession(id, T0);
        await c.authenticateSession(t.token, T0 + MIN, limits); // recorded
        expect(await c.authenticateSession(t.token, T0 + 3 * MIN - 1, limits)).not.toBeNull();
      });

      it("logout ends one session, logout everywhere every session of the user only", async () => {
        const { store } = await engine.create();
        const c = store.credentials;
        const id = await manager(store);
        const other = await manager(store, "other@example.vn");
        const [a, b, d] = [await c.createSession(id, T0), await c.createSession(id, T0), await c.createSession(id, T0)];
        const theirs = await c.createSession(other, T0);
        expect(await c.endSession(a.token, T0 + 1)).toBe(true);
        expect(await c.endSession(a.token, T0 + 2)).toBe(false); // already ended
        expect(await c.endSession("cws_nope", T0 + 2)).toBe(false);
        expect(await c.authenticateSession(a.token, T0 + 3, LIMITS)).toBeNull();
        expect(await c.authenticateSession(b.token, T0 + 3, LIMITS)).not.toBeNull();
        expect(await c.endAllSessions(id, T0 + 4)).toBe(2);
        expect(await c.authenticateSession(b.token, T0 + 5, LIMITS)).toBeNull();
        expect(await c.authenticateSession(d.token, T0 + 5, LIMITS)).toBeNull();
        expect(await c.authenticateSession(theirs.token, T0 + 5, LIMITS)).not.toBeNull();
        // A new login after "log out everywhere" works.
        const e = await c.createSession(id, T0 + 6);
        expect((await c.authenticateSession(e.token, T0 + 7, LIMITS))?.userId).toBe(id);
      });

      it("every session gets its own token and id; a session token is no other credential", async () => {
        const { store } = await engine.create();
        const c = store.credentials;
        const id = await manager(store);
        const sessions = await Promise.all(Array.from({ length: 20 }, () => c.createSession(id, T0)));
        expect(new Set(sessions.map((s) => s.token)).size).toBe(20);
        expect(new Set(sessions.map((s) => s.sessionId)).size).toBe(20);
        const token = sessions[0]!.token;
        expect(await c.authenticateKey(token, T0)).toEqual({ ok: false, reason: "unknown" });
        expect(await c.authenticateDisplay(token)).toBeNull();
        expect(await c.redeemInvitation(token, T0)).toBeNull();
        const { key } = await c.createKey(NO_UNITS, T0);
        const display = await c.createDisplay("Hall", T0);
        expect(await c.authenticateSession(key, T0, LIMITS)).toBeNull();
        expect(await c.authenticateSession(display.token, T0, LIMITS)).toBeNull();
      });

      it("survive a reopen, and another store on the same data sees a logout", async () => {
        const t = await engine.create();
        const id = await manager(t.store);
        const s = await t.store.credentials.createSession(id, T0);
        const store = await t.reopen();
        expect((await store.credentials.authenticateSession(s.token, T0 + 1, LIMITS))?.sessionId).toBe(s.sessionId);
        const other = await t.openAnother();
        await other.credentials.endSession(s.token, T0 + 2);
        expect(await store.credentials.authenticateSession(s.token, T0 + 3, LIMITS)).toBeNull();
      });
    });

    describe("invitations", () => {
      it("redeem once, to the invited user, with a cwi_ token", async () => {
        const { store } = await engine.create();
        const c = store.credentials;
        const id = await manager(store);
        const { token } = await c.createInvitation(id, T0, 72 * HOUR);
        expect(token).toMatch(/^cwi_[A-Za-z0-9_-]{43}$/);
        expect(await c.redeemInvitation(token + "x", T0 + 1)).toBeNull();
        expect(await c.redeemInvitation(token, T0 + 1)).toBe(id);
        expect(await c.redeemInvitation(token, T0 + 2)).toBeNull(); // used
        await expect(c.createInvitation("u_missing", T0, HOUR)).rejects.toThrow(/unknown user/);
      });

      it("are refused from their expiry on, and for a disabled user", async () => {
        const { store } = await engine.create();
        const c = store.credentials;
        const id = await manager(store);
        const late = await c.createInvitation(id, T0, HOUR);
        const onTime = await c.createInvitation(id, T0, HOUR);
        expect(await c.redeemInvitation(late.token, T0 + HOUR)).toBeNull();
        expect(await c.redeemInvitation(onTime.token, T0 + HOUR - 1)).toBe(id);
        const second = await manager(store, "second@example.vn");
        const invite = await c.createInvitation(second, T0, HOUR);
        await c.disableUser("second@example.vn", T0 + 1);
        expect(await c.redeemInvitation(invite.token, T0 + 2)).toBeNull();
      });

      it("two redeemers at once: exactly one gets the user", async () => {
        const t = await engine.create();
        const id = await manager(t.store);
        const { token } = await t.store.credentials.createInvitation(id, T0, HOUR);
        const other = await t.openAnother();
        const answers = await Promise.all([t.store.credentials.redeemInvitation(token, T0 + 1), other.credentials.redeemInvitation(token, T0 + 1)]);
        expect(answers.filter((a) => a === id)).toHaveLength(1);
        expect(answers.filter((a) => a === null)).toHaveLength(1);
      });
    });
  });
}
