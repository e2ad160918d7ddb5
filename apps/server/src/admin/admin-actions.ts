import { applyRegistryChange, type RegistryChangeInput, type Role } from "@carewatch/domain";
import { RegistryConflictError, type AuditActor, type Store } from "@carewatch/store";

/**
 * The administrative changes, one code path for the admin console (tRPC `admin.*`) and the `cw`
 * tool: each checks its input against the registry, makes the change and writes one audit entry
 * (who, what, when, before/after — never a secret: tokens and keys are returned, not recorded).
 */

/** How long an invitation link works. */
export const INVITATION_TTL_MS = 72 * 3_600_000;

/** The actor of a change made with `cw` on the server's machine. */
export const CLI_ACTOR: AuditActor = { kind: "cli", id: "cw" };

/** A change refused for its input: the message is for the person who typed it (Vietnamese, then English). */
export class AdminError extends Error {
  constructor(
    readonly kind: "invalid" | "not_found",
    message: string,
  ) {
    super(message);
  }
}

export interface ActionContext {
  store: Store;
  now: () => number;
  actor: AuditActor;
  /**
   * A display or an account can no longer watch: the live hub drops its sockets on every process
   * at once (through the Socket.IO adapter). Absent for `cw`, another process without a hub: the
   * hubs' sweep finds the change in the store within seconds.
   */
  ended?: (credential: EndedCredential) => void;
}

export type EndedCredential = { kind: "display"; id: string } | { kind: "user"; id: string };

const base = (url: string) => url.replace(/\/$/, "");

function checkProvinces(store: Store, provinces: readonly string[]): void {
  const known = new Set(store.registry.provinces.map((p) => p.id));
  for (const p of provinces) {
    if (!known.has(p)) throw new AdminError("invalid", `Không có tỉnh "${p}". / Unknown province "${p}" (one of: ${[...known].join(", ")}).`);
  }
}

function checkFacility(store: Store, facilityId: string): void {
  if (!store.registry.byId.has(facilityId)) throw new AdminError("invalid", `Không có cơ sở "${facilityId}". / Unknown facility "${facilityId}".`);
}

export interface NewAccount {
  email: string;
  role: Role;
  provinces: string[];
  facilityId: string | null;
}

function checkAccount(ctx: ActionContext, a: NewAccount): void {
  if (a.role !== "manager" && a.provinces.length > 0) throw new AdminError("invalid", "Chỉ quản lý mới có tỉnh. / Only managers take provinces.");
  if (a.role === "facility" && !a.facilityId) throw new AdminError("invalid", "Nhân viên cơ sở cần một cơ sở. / A facility clerk needs a facility.");
  if (a.role !== "facility" && a.facilityId)
    throw new AdminError("invalid", "Chỉ nhân viên cơ sở mới gắn với một cơ sở. / Only role facility takes a facility.");
  if (a.facilityId) checkFacility(ctx.store, a.facilityId);
  checkProvinces(ctx.store, a.provinces);
}

async function createAccount(ctx: ActionContext, a: NewAccount): Promise<{ id: string; email: string }> {
  checkAccount(ctx, a);
  try {
    const { id } = await ctx.store.credentials.createUser(a, ctx.now());
    const email = (await ctx.store.credentials.listUsers()).find((u) => u.id === id)?.email ?? a.email;
    return { id, email };
  } catch (e) {
    const msg = (e as Error).message;
    if (/invalid email/i.test(msg)) throw new AdminError("invalid", `Email không hợp lệ. / Invalid email "${a.email}".`);
    if (/already|exists|UNIQUE|duplicate/i.test(msg)) throw new AdminError("invalid", `Email này đã có tài khoản. / ${msg}`);
    throw new AdminError("invalid", `Không tạo được tài khoản. / ${msg}`);
  }
}

const accountAfter = (email: string, a: NewAccount) => ({ email, role: a.role, provinces: a.provinces, facilityId: a.facilityId, disabledAt: null });

/** Creates an account and its invitation; the URL (with the token) is returned once and never recorded. */
export async function inviteUser(ctx: ActionContext, a: NewAccount, publicUrl: string): Promise<{ id: string; email: string; url: string; expiresAt: number }> {
  const { id, email } = await createAccount(ctx, a);
  const now = ctx.now();
  const { token } = await ctx.store.credentials.createInvitation(id, now, INVITATION_TTL_MS);
  await ctx.store.audit.record({ at: now, actor: ctx.actor, action: "users.invite", target: email, after: accountAfter(email, a) });
  return { id, email, url: `${base(publicUrl)}/invite/${encodeURIComponent(token)}`, expiresAt: now + INVITATION_TTL_MS };
}

/** Creates an account with a password already hashed (`cw users create --password-stdin`). */
export async function createUserWithPassword(ctx: ActionContext, a: NewAccount, passwordHash: string): Promise<{ id: string; email: string }> {
  const created = await createAccount(ctx, a);
  await ctx.store.credentials.setPassword(created.id, passwordHash);
  // The hash is a secret too: the entry says only that a password was set.
  await ctx.store.audit.record({
    at: ctx.now(),
    actor: ctx.actor,
    action: "users.create",
    target: created.email,
    after: { ...accountAfter(created.email, a), hasPassword: true },
  });
  return created;
}

/**
 * Disables an account: the store ends its sessions in the same transaction, and its sockets drop
 * (at once from the server, within the hub's sweep from `cw`; both share this path).
 */
export async function disableUser(ctx: ActionContext, email: string): Promise<{ email: string }> {
  const users = await ctx.store.credentials.listUsers();
  const wanted = email.normalize("NFC").trim().toLowerCase();
  const user = users.find((u) => u.email === wanted);
  if (!user || user.disabledAt !== null) throw new AdminError("not_found", `Không có tài khoản đang hoạt động "${email}". / No enabled account "${email}".`);
  if (ctx.actor.kind === "user" && ctx.actor.id === user.id)
    throw new AdminError("invalid", "Không thể tự khoá tài khoản của mình. / You cannot disable your own account.");
  const now = ctx.now();
  if (!(await ctx.store.credentials.disableUser(user.email, now)))
    throw new AdminError("not_found", `Không có tài khoản đang hoạt động "${email}". / No enabled account "${email}".`);
  const { email: e, role, provinces, facilityId } = user;
  await ctx.store.audit.record({
    at: now,
    actor: ctx.actor,
    action: "users.disable",
    target: user.email,
    before: { email: e, role, provinces, facilityId, disabledAt: null },
    after: { email: e, role, provinces, facilityId, disabledAt: now },
  });
  ctx.ended?.({ kind: "user", id: user.id });
  return { email: user.email };
}

/** Creates a facility API key; the key is returned once and never recorded. */
export async function createKey(ctx: ActionContext, facilityId: string): Promise<{ id: string; key: string; facilityId: string }> {
  checkFacility(ctx.store, facilityId);
  const now = ctx.now();
  const { id, key } = await ctx.store.credentials.createKey(facilityId, now);
  await ctx.store.audit.record({ at: now, actor: ctx.actor, action: "keys.create", target: id, after: { facilityId, revokedAt: null } });
  return { id, key, facilityId };
}

export async function revokeKey(ctx: ActionContext, id: string): Promise<{ id: string }> {
  const key = (await ctx.store.credentials.listKeys()).find((k) => k.id === id);
  const now = ctx.now();
  if (!key || key.revokedAt !== null || !(await ctx.store.credentials.revokeKey(id, now)))
    throw new AdminError("not_found", `Không có khoá đang dùng "${id}". / No active key "${id}".`);
  await ctx.store.audit.record({
    at: now,
    actor: ctx.actor,
    action: "keys.revoke",
    target: id,
    before: { facilityId: key.facilityId, revokedAt: null },
    after: { facilityId: key.facilityId, revokedAt: now },
  });
  return { id };
}

/** Creates a wall display; its URL (with the token) is returned once and never recorded. */
export async function createDisplay(ctx: ActionContext, name: string, provinces: string[], publicUrl: string): Promise<{ id: string; url: string }> {
  checkProvinces(ctx.store, provinces);
  const now = ctx.now();
  const { id, token } = await ctx.store.credentials.createDisplay(name, now, provinces);
  await ctx.store.audit.record({ at: now, actor: ctx.actor, action: "displays.create", target: id, after: { name, provinces, revokedAt: null } });
  return { id, url: `${base(publicUrl)}/wall?display=${encodeURIComponent(token)}` };
}

export async function revokeDisplay(ctx: ActionContext, id: string): Promise<{ id: string }> {
  const d = (await ctx.store.credentials.listDisplays()).find((x) => x.id === id);
  const now = ctx.now();
  if (!d || d.revokedAt !== null || !(await ctx.store.credentials.revokeDisplay(id, now)))
    throw new AdminError("not_found", `Không có màn hình đang dùng "${id}". / No active display "${id}".`);
  await ctx.store.audit.record({
    at: now,
    actor: ctx.actor,
    action: "displays.revoke",
    target: id,
    before: { name: d.name, provinces: d.provinces, revokedAt: null },
    after: { name: d.name, provinces: d.provinces, revokedAt: now },
  });
  ctx.ended?.({ kind: "display", id });
  return { id };
}

/**
 * Adds a facility or changes one (the domain's rules), as a new registry version in force from
 * `effective_from` (default now). Open boards receive it live (the hub sees the new version).
 */
export async function changeRegistry(ctx: ActionContext, change: RegistryChangeInput): Promise<{ version: number; facilityId: string }> {
  const now = ctx.now();
  const basedOn = change.based_on ?? ctx.store.registryVersions.current();
  const out = applyRegistryChange(ctx.store.registry, change, now);
  if (!out.ok) throw new AdminError("invalid", out.problems.join("\n"));
  let version: number;
  try {
    ({ version } = await ctx.store.registryVersions.change(out.registry, {
      basedOn,
      effectiveFrom: out.effectiveFrom,
      at: now,
      by: ctx.actor.email ?? ctx.actor.id,
    }));
  } catch (e) {
    if (e instanceof RegistryConflictError)
      throw new AdminError("invalid", "Danh mục vừa được người khác thay đổi: tải lại rồi thử lại. / The registry changed meanwhile: reload and try again.");
    throw e;
  }
  await ctx.store.audit.record({
    at: now,
    actor: ctx.actor,
    action: change.mode === "add" ? "registry.add" : "registry.update",
    target: change.facility.id,
    before: out.before,
    after: { ...out.after, version, effective_from: out.effectiveFrom },
  });
  return { version, facilityId: change.facility.id };
}
