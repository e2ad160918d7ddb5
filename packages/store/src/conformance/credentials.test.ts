import { describe, expect, it } from "vitest";
import { NO_UNITS, T0, WITH_UNITS } from "../test-helpers.js";
import { ENGINES } from "./engines.js";

for (const engine of ENGINES) {
  describe(engine.name, () => {
    describe("API keys", () => {
      it("authenticates to a facility-key principal, revokes, and refuses unknown facilities", async () => {
        const { store } = await engine.create();
        const c = store.credentials;
        const { id, key } = await c.createKey(NO_UNITS, T0);
        expect(id).toMatch(/^k_[A-Za-z0-9_-]+$/);
        expect(key).toMatch(/^cw_[A-Za-z0-9_-]{43}$/); // 32 bytes base64url
        expect(key).not.toContain(id.slice(2));

        expect(await c.authenticateKey(key, T0 + 1)).toEqual({ ok: true, principal: { kind: "facility_key", keyId: id, facilityId: NO_UNITS } });
        expect(await c.authenticateKey(key + "x", T0)).toEqual({ ok: false, reason: "unknown" });
        expect(await c.authenticateKey("nonsense", T0)).toEqual({ ok: false, reason: "unknown" });
        expect(await c.authenticateKey("", T0)).toEqual({ ok: false, reason: "unknown" });
        await expect(c.createKey("nowhere", T0)).rejects.toThrow(/unknown facility "nowhere"/);

        expect(await c.revokeKey(id, T0 + 5)).toBe(true);
        expect(await c.revokeKey(id, T0 + 6)).toBe(false); // already revoked
        expect(await c.revokeKey("k_missing", T0)).toBe(false);
        expect(await c.authenticateKey(key, T0 + 7)).toEqual({ ok: false, reason: "revoked" });
        expect(await c.listKeys()).toEqual([{ id, facilityId: NO_UNITS, createdAt: T0, revokedAt: T0 + 5, lastUsedAt: T0 + 1 }]);
      });

      it("keys of two facilities each name their own facility; revoking one leaves the other", async () => {
        const { store } = await engine.create();
        const c = store.credentials;
        const a = await c.createKey(NO_UNITS, T0);
        const b = await c.createKey(WITH_UNITS, T0 + 1);
        expect(await c.authenticateKey(b.key, T0)).toEqual({ ok: true, principal: { kind: "facility_key", keyId: b.id, facilityId: WITH_UNITS } });
        await c.revokeKey(a.id, T0 + 2);
        expect((await c.authenticateKey(b.key, T0 + 3)).ok).toBe(true);
        // Listed in creation order.
        expect((await c.listKeys()).map((k) => [k.id, k.facilityId, k.revokedAt])).toEqual([
          [a.id, NO_UNITS, T0 + 2],
          [b.id, WITH_UNITS, null],
        ]);
      });

      it("writes last_used_at at most once a minute", async () => {
        const { store } = await engine.create();
        const c = store.credentials;
        const { key } = await c.createKey(NO_UNITS, T0);
        expect((await c.listKeys())[0]?.lastUsedAt).toBeNull();
        await c.authenticateKey(key, T0 + 1_000);
        await c.authenticateKey(key, T0 + 30_000);
        expect((await c.listKeys())[0]?.lastUsedAt).toBe(T0 + 1_000);
        await c.authenticateKey(key, T0 + 61_000);
        expect((await c.listKeys())[0]?.lastUsedAt).toBe(T0 + 61_000);
      });

      it("a key's last use is written off the request path: another store sees it within seconds, a close writes what is pending", async () => {
        const t = await engine.create();
        const c = t.store.credentials;
        const keys = await Promise.all(Array.from({ length: 50 }, () => c.createKey(NO_UNITS, T0)));
        // Fifty first uses at once (the systems of every facility back after an outage).
        await Promise.all(keys.map((k, i) => c.authenticateKey(k.key, T0 + 1_000 + i)));
        const other = await t.openAnother();
        const lastUses = async () => new Map((await other.credentials.listKeys()).map((k) => [k.id, k.lastUsedAt]));
        await expect.poll(async () => [...(await lastUses()).values()].filter((at) => at !== null).length, { timeout: 5_000, interval: 50 }).toBe(50);
        const seen = await lastUses();
        keys.forEach((k, i) => expect(seen.get(k.id)).toBe(T0 + 1_000 + i));

        // A use a minute later, then a close before the batch would be written: the close writes it.
        await c.authenticateKey(keys[0]!.key, T0 + 120_000);
        const reopened = await t.reopen();
        expect((await reopened.credentials.listKeys()).find((k) => k.id === keys[0]!.id)?.lastUsedAt).toBe(T0 + 120_000);
      });

      it("gives every key a distinct id and secret", async () => {
        const { store } = await engine.create();
        const keys = await Promise.all(Array.from({ length: 20 }, () => store.credentials.createKey(NO_UNITS, T0)));
        expect(new Set(keys.map((k) => k.id)).size).toBe(20);
        expect(new Set(keys.map((k) => k.key)).size).toBe(20);
        expect(await store.credentials.listKeys()).toHaveLength(20);
      });
    });

    describe("display tokens", () => {
      it("creates, authenticates to a display principal, lists and revokes", async () => {
        const { store } = await engine.create();
        const c = store.credentials;
        const { id, token } = await c.createDisplay("Lobby screen", T0);
        expect(id).toMatch(/^d_[A-Za-z0-9_-]+$/);
        expect(token).toMatch(/^cwd_[A-Za-z0-9_-]{32}$/); // 24 bytes base64url
        expect(await c.authenticateDisplay(token)).toEqual({ kind: "display", displayId: id, name: "Lobby screen", provinces: [] });
        expect(await c.authenticateDisplay("cwd_wrong")).toBeNull();
        expect(await c.authenticateDisplay("")).toBeNull();
        expect(await c.listDisplays()).toEqual([{ id, name: "Lobby screen", provinces: [], createdAt: T0, revokedAt: null }]);
        expect(await c.revokeDisplay(id, T0 + 1)).toBe(true);
        expect(await c.revokeDisplay(id, T0 + 2)).toBe(false); // already revoked
        expect(await c.revokeDisplay("d_missing", T0)).toBe(false);
        expect(await c.authenticateDisplay(token)).toBeNull();
        expect((await c.listDisplays())[0]?.revokedAt).toBe(T0 + 1);
      });

      it("may be scoped to provinces, which the principal and the listing carry; unknown provinces are refused", async () => {
        const { store } = await engine.create();
        const c = store.credentials;
        const { id, token } = await c.createDisplay("Lào Cai hall", T0, ["lao-cai", "lao-cai"]);
        expect(await c.authenticateDisplay(token)).toEqual({ kind: "display", displayId: id, name: "Lào Cai hall", provinces: ["lao-cai"] });
        const both = await c.createDisplay("Both", T0 + 1, ["son-la", "lao-cai"]);
        expect((await c.authenticateDisplay(both.token))?.provinces).toEqual(["lao-cai", "son-la"]);
        expect((await c.listDisplays()).map((d) => d.provinces)).toEqual([["lao-cai"], ["lao-cai", "son-la"]]);
        await expect(c.createDisplay("Typo", T0, ["sonla"])).rejects.toThrow(/unknown province "sonla"/);
        expect(await c.listDisplays()).toHaveLength(2);
      });

      it("a display token is not a facility key, nor a key a display token", async () => {
        const { store } = await engine.create();
        const c = store.credentials;
        const { key } = await c.createKey(NO_UNITS, T0);
        const { token } = await c.createDisplay("Hall", T0);
        expect(await c.authenticateKey(token, T0)).toEqual({ ok: false, reason: "unknown" });
        expect(await c.authenticateDisplay(key)).toBeNull();
      });
    });
  });
}
