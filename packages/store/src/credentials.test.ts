import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "./keys.js";
import { createTestStore, NO_UNITS, T0 } from "./test-helpers.js";

describe("API keys", () => {
  it("stores only the hash, checks, revokes, and refuses unknown facilities", () => {
    const { store, path } = createTestStore();
    const { id, key } = store.createKey(NO_UNITS, T0);
    expect(key).toMatch(/^cw_[A-Za-z0-9_-]{43}$/); // 32 bytes base64url
    const raw = new Database(path, { readonly: true });
    const row = raw.prepare("SELECT * FROM api_keys WHERE id = ?").get(id) as Record<string, unknown>;
    expect(row.key_hash).toBe(sha256Hex(key));
    expect(JSON.stringify(raw.prepare("SELECT * FROM api_keys").all())).not.toContain(key.slice(3));
    raw.close();

    expect(store.checkKey(key, T0 + 1)).toEqual({ ok: true, keyId: id, facilityId: NO_UNITS });
    expect(store.checkKey(key + "x", T0)).toEqual({ ok: false, reason: "unknown" });
    expect(store.checkKey("nonsense", T0)).toEqual({ ok: false, reason: "unknown" });
    expect(() => store.createKey("nowhere", T0)).toThrow(/unknown facility "nowhere"/);

    expect(store.revokeKey(id, T0 + 5)).toBe(true);
    expect(store.revokeKey(id, T0 + 6)).toBe(false); // already revoked
    expect(store.revokeKey("k_missing", T0)).toBe(false);
    expect(store.checkKey(key, T0 + 7)).toEqual({ ok: false, reason: "revoked" });
    expect(store.listKeys()).toEqual([{ id, facilityId: NO_UNITS, createdAt: T0, revokedAt: T0 + 5, lastUsedAt: T0 + 1 }]);
  });

  it("writes last_used_at at most once a minute", () => {
    const { store } = createTestStore();
    const { key } = store.createKey(NO_UNITS, T0);
    store.checkKey(key, T0 + 1_000);
    store.checkKey(key, T0 + 30_000);
    expect(store.listKeys()[0]?.lastUsedAt).toBe(T0 + 1_000);
    store.checkKey(key, T0 + 61_000);
    expect(store.listKeys()[0]?.lastUsedAt).toBe(T0 + 61_000);
  });

  it("gives every key a distinct id and secret", () => {
    const { store } = createTestStore();
    const keys = Array.from({ length: 20 }, () => store.createKey(NO_UNITS, T0));
    expect(new Set(keys.map((k) => k.id)).size).toBe(20);
    expect(new Set(keys.map((k) => k.key)).size).toBe(20);
  });
});

describe("display tokens", () => {
  it("creates, checks, lists and revokes; stores only the hash", () => {
    const { store, path } = createTestStore();
    const { id, token } = store.createDisplay("Lobby screen", T0);
    expect(token).toMatch(/^cwd_[A-Za-z0-9_-]{32}$/); // 24 bytes base64url
    const info = { id, name: "Lobby screen", createdAt: T0, revokedAt: null };
    expect(store.checkDisplay(token)).toEqual(info);
    expect(store.checkDisplay("cwd_wrong")).toBeNull();
    expect(store.listDisplays()).toEqual([info]);
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare("SELECT token_hash FROM displays").pluck().get()).toBe(sha256Hex(token));
    raw.close();
    expect(store.revokeDisplay(id, T0 + 1)).toBe(true);
    expect(store.checkDisplay(token)).toBeNull();
    expect(store.listDisplays()[0]?.revokedAt).toBe(T0 + 1);
  });
});
