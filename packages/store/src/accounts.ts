import { isRole, type Registry, type Role, type UserPrincipal } from "@carewatch/domain";
import type Database from "better-sqlite3";
import { provincesFromStore, provincesToStore } from "./provinces.js";
import { newToken, sha256Hex, shortId } from "./secrets.js";
import type { Accounts, NewUser, UserInfo } from "./types.js";

/** last_seen_at is written at most this often: a request per second must not become a write per second. */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

export interface UserRow {
  id: string;
  email: string;
  role: string;
  provinces: string;
  facility_id: string | null;
  password_hash: string | null;
  created_at: number;
  disabled_at: number | null;
}

export interface SessionUserRow extends UserRow {
  session_id: string;
  session_created_at: number;
  last_seen_at: number;
  ended_at: number | null;
}

/** Emails compare whatever the case or stray spaces typed (and however an "ư" was composed). */
export function normaliseEmail(email: string): string {
  return email.normalize("NFC").trim().toLowerCase();
}

// Deliberately loose: the invitation proves the address; this only catches a wrong argument.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

export function roleOf(row: UserRow): Role {
  // A row written by a later version with a role this one does not know must not pass as any role.
  if (!isRole(row.role)) throw new Error(`store: user ${row.id} has an unknown role "${row.role}"`);
  return row.role;
}

export const toUserInfo = (r: UserRow): UserInfo => ({
  id: r.id,
  email: r.email,
  role: roleOf(r),
  provinces: provincesFromStore(r.provinces),
  facilityId: r.facility_id,
  createdAt: r.created_at,
  disabledAt: r.disabled_at,
  hasPassword: r.password_hash !== null,
});

/** The clear error for a user that cannot be created, before SQLite's constraint would say it less clearly. */
export function checkNewUser(registry: Registry, u: NewUser, email: string): void {
  if (!EMAIL_SHAPE.test(email)) throw new Error(`invalid email "${u.email}"`);
  if (!isRole(u.role)) throw new Error(`unknown role "${String(u.role)}" (have admin, manager, facility)`);
  if (u.role === "facility") {
    if (!u.facilityId) throw new Error(`role "facility" needs a facility`);
    if (!registry.byId.has(u.facilityId)) throw new Error(`unknown facility "${u.facilityId}": not in the registry`);
  } else if (u.facilityId) {
    throw new Error(`role "${u.role}" takes no facility (only role "facility" does)`);
  }
  // An admin reads everything and a clerk one facility: provinces there would only mislead.
  if (u.role !== "manager" && u.provinces.length) throw new Error(`role "${u.role}" takes no provinces (only role "manager" does)`);
}

/**
 * Whether a session row still stands at `now` (not ended, account not disabled, within its idle
 * and absolute lifetimes), as whom, and whether its last_seen_at is due a write — the rule both
 * engines apply to the row they looked up.
 */
export function sessionOf(
  row: SessionUserRow | undefined,
  now: number,
  { idleMs, absoluteMs }: { idleMs: number; absoluteMs: number },
): { principal: UserPrincipal; touch: boolean } | null {
  if (!row || row.ended_at !== null || row.disabled_at !== null) return null;
  if (now - row.last_seen_at >= idleMs || now - row.session_created_at >= absoluteMs) return null;
  return {
    principal: {
      kind: "user",
      userId: row.id,
      email: row.email,
      role: roleOf(row),
      provinces: provincesFromStore(row.provinces),
      facilityId: row.facility_id,
      sessionId: row.session_id,
    },
    touch: now - row.last_seen_at >= LAST_SEEN_RESOLUTION_MS,
  };
}

export function createAccounts(db: Database.Database, registry: Registry): Accounts {
  const USER_COLUMNS = "u.id, u.email, u.role, u.provinces, u.facility_id, u.password_hash, u.created_at, u.disabled_at";
  const q = {
    insertUser: db.prepare("INSERT INTO users (id, email, role, provinces, facility_id, created_at) VALUES (?, ?, ?, ?, ?, ?)"),
    userByEmail: db.prepare(`SELECT ${USER_COLUMNS} FROM users u WHERE u.email = ?`),
    userById: db.prepare(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = ?`),
    listUsers: db.prepare(`SELECT ${USER_COLUMNS} FROM users u ORDER BY u.created_at, u.id`),
    setPassword: db.prepare("UPDATE users SET password_hash = ? WHERE id = ?"),
    disableUser: db.prepare("UPDATE users SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL"),
    insertInvitation: db.prepare("INSERT INTO invitations (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)"),
    // Single use even with two redeemers at once: the UPDATE that marks it used is the check.
    redeemInvitation: db.prepare(
      `UPDATE invitations SET used_at = @now WHERE token_hash = @hash AND used_at IS NULL AND expires_at > @now
       AND user_id IN (SELECT id FROM users WHERE disabled_at IS NULL) RETURNING user_id`,
    ),
    insertSession: db.prepare("INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)"),
    sessionByHash: db.prepare(
      `SELECT ${USER_COLUMNS}, s.id AS session_id, s.created_at AS session_created_at, s.last_seen_at, s.ended_at
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`,
    ),
    touchSession: db.prepare("UPDATE sessions SET last_seen_at = ? WHERE id = ?"),
    endSession: db.prepare("UPDATE sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL"),
    endAllSessions: db.prepare("UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL"),
  };

  const userById = (id: string) => q.userById.get(id) as UserRow | undefined;

  const createUser = db.transaction((u: NewUser, now: number) => {
    const email = normaliseEmail(u.email);
    checkNewUser(registry, u, email);
    const provinces = provincesToStore(registry, u.provinces);
    if (q.userByEmail.get(email)) throw new Error(`a user with email "${email}" already exists`);
    const id = shortId("u_");
    q.insertUser.run(id, email, u.role, provinces, u.role === "facility" ? u.facilityId : null, now);
    return { id };
  });

  const disableUser = db.transaction((email: string, now: number) => {
    const row = q.userByEmail.get(normaliseEmail(email)) as UserRow | undefined;
    if (!row || q.disableUser.run(now, row.id).changes === 0) return false;
    // Same transaction: no moment where the user is disabled but a session still authenticates.
    q.endAllSessions.run(now, row.id);
    return true;
  });

  // better-sqlite3 is synchronous: each method does its work and answers as a settled promise.
  return {
    createUser: async (u, now) => createUser(u, now),
    listUsers: async () => (q.listUsers.all() as UserRow[]).map(toUserInfo),
    async findLogin(email) {
      const row = q.userByEmail.get(normaliseEmail(email)) as UserRow | undefined;
      return row ? { userId: row.id, passwordHash: row.password_hash, disabled: row.disabled_at !== null } : null;
    },
    async setPassword(userId, passwordHash) {
      if (q.setPassword.run(passwordHash, userId).changes === 0) throw new Error(`unknown user "${userId}"`);
    },
    disableUser: async (email, now) => disableUser(email, now),

    async createInvitation(userId, now, ttlMs) {
      if (!userById(userId)) throw new Error(`unknown user "${userId}"`);
      const token = newToken("cwi_");
      q.insertInvitation.run(sha256Hex(token), userId, now, now + ttlMs);
      return { token };
    },
    async redeemInvitation(token, now) {
      const row = q.redeemInvitation.get({ now, hash: sha256Hex(token) }) as { user_id: string } | undefined;
      return row?.user_id ?? null;
    },

    async createSession(userId, now) {
      const user = userById(userId);
      if (!user) throw new Error(`unknown user "${userId}"`);
      if (user.disabled_at !== null) throw new Error(`user "${user.email}" is disabled`);
      const token = newToken("cws_");
      // Longer than other ids: there is a row per login, for as long as the table is kept.
      const sessionId = shortId("s_", 12);
      q.insertSession.run(sessionId, sha256Hex(token), userId, now, now);
      return { token, sessionId };
    },
    async authenticateSession(token, now, lifetimes) {
      // Lookup is by hash, so there is no secret comparison to time.
      const row = q.sessionByHash.get(sha256Hex(token)) as SessionUserRow | undefined;
      const session = sessionOf(row, now, lifetimes);
      if (session?.touch) q.touchSession.run(now, row!.session_id);
      return session?.principal ?? null;
    },
    endSession: async (token, now) => q.endSession.run(now, sha256Hex(token)).changes > 0,
    endAllSessions: async (userId, now) => q.endAllSessions.run(now, userId).changes,
  };
}
