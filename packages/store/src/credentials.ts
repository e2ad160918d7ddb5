import type { Registry } from "@carewatch/domain";
import type Database from "better-sqlite3";
import { createAccounts } from "./accounts.js";
import { provincesFromStore, provincesToStore } from "./provinces.js";
import { newDisplayToken, newToken, sha256Hex, shortId } from "./secrets.js";
import { KeyTouches } from "./key-touches.js";
import type { Credentials, DisplayInfo, KeyInfo } from "./types.js";

export { sha256Hex } from "./secrets.js";

export { LAST_USED_RESOLUTION_MS } from "./key-touches.js";

export interface KeyRow {
  id: string;
  facility_id: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface DisplayRow {
  id: string;
  name: string;
  provinces: string;
  created_at: number;
  revoked_at: number | null;
}

export const toKeyInfo = (r: KeyRow): KeyInfo => ({
  id: r.id,
  facilityId: r.facility_id,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

export const toDisplayInfo = (r: DisplayRow): DisplayInfo => ({
  id: r.id,
  name: r.name,
  provinces: provincesFromStore(r.provinces),
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

/** The credentials port, and `flushTouches` for the store's close. */
export function createCredentials(db: Database.Database, registry: Registry): Credentials & { flushTouches(): Promise<void> } {
  const q = {
    insertKey: db.prepare("INSERT INTO api_keys (id, facility_id, key_hash, created_at) VALUES (?, ?, ?, ?)"),
    listKeys: db.prepare("SELECT id, facility_id, created_at, revoked_at, last_used_at FROM api_keys ORDER BY created_at, id"),
    revokeKey: db.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"),
    keyByHash: db.prepare("SELECT id, facility_id, created_at, revoked_at, last_used_at FROM api_keys WHERE key_hash = ?"),
    touchKey: db.prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ?"),
    insertDisplay: db.prepare("INSERT INTO displays (id, name, token_hash, created_at, provinces) VALUES (?, ?, ?, ?, ?)"),
    listDisplays: db.prepare("SELECT id, name, provinces, created_at, revoked_at FROM displays ORDER BY created_at, id"),
    revokeDisplay: db.prepare("UPDATE displays SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"),
    displayByHash: db.prepare("SELECT id, name, provinces, created_at, revoked_at FROM displays WHERE token_hash = ?"),
  };

  const touches = new KeyTouches(
    db.transaction((uses: [string, number][]) => {
      for (const [id, at] of uses) q.touchKey.run(at, id);
    }),
  );

  // better-sqlite3 is synchronous: each method does its work and answers as a settled promise.
  return {
    flushTouches: () => touches.flush(),
    ...createAccounts(db, registry),

    async createKey(facilityId, now) {
      if (!registry.byId.has(facilityId)) throw new Error(`unknown facility "${facilityId}": not in the registry`);
      const key = newToken("cw_");
      const id = shortId("k_");
      q.insertKey.run(id, facilityId, sha256Hex(key), now);
      return { id, key };
    },
    async listKeys() {
      await touches.flush();
      return (q.listKeys.all() as KeyRow[]).map(toKeyInfo);
    },
    revokeKey: async (id, now) => q.revokeKey.run(now, id).changes > 0,
    async authenticateKey(key, now) {
      // Lookup is by hash, so there is no secret comparison to time.
      const row = q.keyByHash.get(sha256Hex(key)) as KeyRow | undefined;
      if (!row) return { ok: false, reason: "unknown" };
      if (row.revoked_at !== null) return { ok: false, reason: "revoked" };
      touches.used(row.id, row.last_used_at, now);
      return { ok: true, principal: { kind: "facility_key", keyId: row.id, facilityId: row.facility_id } };
    },

    async createDisplay(name, now, provinces = []) {
      const scope = provincesToStore(registry, provinces);
      const token = newDisplayToken();
      const id = shortId("d_");
      q.insertDisplay.run(id, name, sha256Hex(token), now, scope);
      return { id, token };
    },
    listDisplays: async () => (q.listDisplays.all() as DisplayRow[]).map(toDisplayInfo),
    revokeDisplay: async (id, now) => q.revokeDisplay.run(now, id).changes > 0,
    async authenticateDisplay(token) {
      const row = q.displayByHash.get(sha256Hex(token)) as DisplayRow | undefined;
      return row && row.revoked_at === null ? { kind: "display", displayId: row.id, name: row.name, provinces: provincesFromStore(row.provinces) } : null;
    },
  };
}
