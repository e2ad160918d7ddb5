import type { Registry } from "@carewatch/domain";
import postgres from "postgres";
import { checkNewUser, normaliseEmail, sessionOf, toUserInfo, type SessionUserRow, type UserRow } from "../accounts.js";
import { toDisplayInfo, toKeyInfo, type DisplayRow, type KeyRow } from "../credentials.js";
import { KeyTouches } from "../key-touches.js";
import { provincesFromStore, provincesToStore } from "../provinces.js";
import { newDisplayToken, newToken, sha256Hex, shortId } from "../secrets.js";
import type { Accounts, Credentials } from "../types.js";

/** What these modules need of the engine's context (PgContext has both); `registry` is read on every call, so it stays live. */
export interface PgCredentialsContext {
  sql: postgres.Sql;
  readonly registry: Registry;
}

const isUniqueViolation = (err: unknown) => err instanceof postgres.PostgresError && err.code === "23505";

/**
 * Users, sessions and invitations on PostgreSQL: the rules and messages of accounts.ts (its
 * checks and row mapping are reused), the statements in SQL of this engine. The pool parses
 * BIGINT as a number (context.ts), so rows map as SQLite's do.
 */
export function createPgAccounts(ctx: PgCredentialsContext): Accounts {
  const { sql } = ctx;
  const userBy = {
    email: async (db: postgres.Sql | postgres.TransactionSql, email: string) =>
      (await db<UserRow[]>`SELECT id, email, role, provinces, facility_id, password_hash, created_at, disabled_at FROM users WHERE email = ${email}`)[0],
    id: async (id: string) =>
      (await sql<UserRow[]>`SELECT id, email, role, provinces, facility_id, password_hash, created_at, disabled_at FROM users WHERE id = ${id}`)[0],
  };
  const endAll = (db: postgres.Sql | postgres.TransactionSql, userId: string, now: number) =>
    db`UPDATE sessions SET ended_at = ${now} WHERE user_id = ${userId} AND ended_at IS NULL`;

  return {
    async createUser(u, now) {
      const email = normaliseEmail(u.email);
      checkNewUser(ctx.registry, u, email);
      const provinces = provincesToStore(ctx.registry, u.provinces);
      const duplicate = () => new Error(`a user with email "${email}" already exists`);
      if (await userBy.email(sql, email)) throw duplicate();
      const id = shortId("u_");
      try {
        await sql`INSERT INTO users (id, email, role, provinces, facility_id, created_at)
          VALUES (${id}, ${email}, ${u.role}, ${provinces}, ${u.role === "facility" ? u.facilityId : null}, ${now})`;
      } catch (err) {
        // Another process created the same email between the check and the insert: the same clear error.
        if (isUniqueViolation(err)) throw duplicate();
        throw err;
      }
      return { id };
    },
    listUsers: async () =>
      (await sql<UserRow[]>`SELECT id, email, role, provinces, facility_id, password_hash, created_at, disabled_at FROM users ORDER BY created_at, id`).map(
        toUserInfo,
      ),
    async findLogin(email) {
      const row = await userBy.email(sql, normaliseEmail(email));
      return row ? { userId: row.id, passwordHash: row.password_hash, disabled: row.disabled_at !== null } : null;
    },
    async setPassword(userId, passwordHash) {
      const r = await sql`UPDATE users SET password_hash = ${passwordHash} WHERE id = ${userId}`;
      if (r.count === 0) throw new Error(`unknown user "${userId}"`);
    },
    disableUser: (email, now) =>
      sql.begin(async (tx) => {
        const disabled = await tx`UPDATE users SET disabled_at = ${now} WHERE email = ${normaliseEmail(email)} AND disabled_at IS NULL RETURNING id`;
        if (disabled.count === 0) return false;
        // Same transaction: no moment where the user is disabled but a session still authenticates.
        await endAll(tx, (disabled[0] as { id: string }).id, now);
        return true;
      }) as Promise<boolean>,

    async createInvitation(userId, now, ttlMs) {
      if (!(await userBy.id(userId))) throw new Error(`unknown user "${userId}"`);
      const token = newToken("cwi_");
      await sql`INSERT INTO invitations (token_hash, user_id, created_at, expires_at) VALUES (${sha256Hex(token)}, ${userId}, ${now}, ${now + ttlMs})`;
      return { token };
    },
    async redeemInvitation(token, now) {
      // Single use even with two redeemers at once: the UPDATE that marks it used is the check
      // (the second waits for the first's row lock, then finds used_at set).
      const rows = await sql<{ user_id: string }[]>`UPDATE invitations SET used_at = ${now}
        WHERE token_hash = ${sha256Hex(token)} AND used_at IS NULL AND expires_at > ${now}
        AND user_id IN (SELECT id FROM users WHERE disabled_at IS NULL) RETURNING user_id`;
      return rows[0]?.user_id ?? null;
    },

    async createSession(userId, now) {
      const user = await userBy.id(userId);
      if (!user) throw new Error(`unknown user "${userId}"`);
      if (user.disabled_at !== null) throw new Error(`user "${user.email}" is disabled`);
      const token = newToken("cws_");
      // Longer than other ids: there is a row per login, for as long as the table is kept.
      const sessionId = shortId("s_", 12);
      await sql`INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at) VALUES (${sessionId}, ${sha256Hex(token)}, ${userId}, ${now}, ${now})`;
      return { token, sessionId };
    },
    async authenticateSession(token, now, lifetimes) {
      // Lookup is by hash, so there is no secret comparison to time.
      const [row] = await sql<SessionUserRow[]>`
        SELECT u.id, u.email, u.role, u.provinces, u.facility_id, u.password_hash, u.created_at, u.disabled_at,
          s.id AS session_id, s.created_at AS session_created_at, s.last_seen_at, s.ended_at
        FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ${sha256Hex(token)}`;
      const session = sessionOf(row, now, lifetimes);
      if (session?.touch) await sql`UPDATE sessions SET last_seen_at = ${now} WHERE id = ${row!.session_id}`;
      return session?.principal ?? null;
    },
    endSession: async (token, now) => (await sql`UPDATE sessions SET ended_at = ${now} WHERE token_hash = ${sha256Hex(token)} AND ended_at IS NULL`).count > 0,
    endAllSessions: async (userId, now) => (await endAll(sql, userId, now)).count,
  };
}

/** The whole `Credentials` port on PostgreSQL: facility keys, displays (province-scoped) and the accounts. */
/** The credentials port, and `flushTouches` for the store's close. */
export function createPgCredentials(ctx: PgCredentialsContext): Credentials & { flushTouches(): Promise<void> } {
  const { sql } = ctx;
  const touches = new KeyTouches(async (uses) => {
    await sql.begin(async (tx) => {
      for (const [id, at] of uses) await tx`UPDATE api_keys SET last_used_at = ${at} WHERE id = ${id}`;
    });
  });
  return {
    ...createPgAccounts(ctx),
    flushTouches: () => touches.flush(),

    async createKey(facilityId, now) {
      if (!ctx.registry.byId.has(facilityId)) throw new Error(`unknown facility "${facilityId}": not in the registry`);
      const key = newToken("cw_");
      const id = shortId("k_");
      await sql`INSERT INTO api_keys (id, facility_id, key_hash, created_at) VALUES (${id}, ${facilityId}, ${sha256Hex(key)}, ${now})`;
      return { id, key };
    },
    async listKeys() {
      await touches.flush();
      return (await sql<KeyRow[]>`SELECT id, facility_id, created_at, revoked_at, last_used_at FROM api_keys ORDER BY created_at, id`).map(toKeyInfo);
    },
    revokeKey: async (id, now) => (await sql`UPDATE api_keys SET revoked_at = ${now} WHERE id = ${id} AND revoked_at IS NULL`).count > 0,
    async authenticateKey(key, now) {
      // Lookup is by hash, so there is no secret comparison to time.
      const [row] = await sql<KeyRow[]>`SELECT id, facility_id, created_at, revoked_at, last_used_at FROM api_keys WHERE key_hash = ${sha256Hex(key)}`;
      if (!row) return { ok: false, reason: "unknown" };
      if (row.revoked_at !== null) return { ok: false, reason: "revoked" };
      touches.used(row.id, row.last_used_at, now);
      return { ok: true, principal: { kind: "facility_key", keyId: row.id, facilityId: row.facility_id } };
    },

    async createDisplay(name, now, provinces = []) {
      const scope = provincesToStore(ctx.registry, provinces);
      const token = newDisplayToken();
      const id = shortId("d_");
      await sql`INSERT INTO displays (id, name, token_hash, created_at, provinces) VALUES (${id}, ${name}, ${sha256Hex(token)}, ${now}, ${scope})`;
      return { id, token };
    },
    listDisplays: async () =>
      (await sql<DisplayRow[]>`SELECT id, name, provinces, created_at, revoked_at FROM displays ORDER BY created_at, id`).map(toDisplayInfo),
    revokeDisplay: async (id, now) => (await sql`UPDATE displays SET revoked_at = ${now} WHERE id = ${id} AND revoked_at IS NULL`).count > 0,
    async authenticateDisplay(token) {
      const [row] = await sql<DisplayRow[]>`SELECT id, name, provinces, created_at, revoked_at FROM displays WHERE token_hash = ${sha256Hex(token)}`;
      return row && row.revoked_at === null ? { kind: "display", displayId: row.id, name: row.name, provinces: provincesFromStore(row.provinces) } : null;
    },
  };
}
