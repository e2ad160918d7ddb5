import { z } from "zod";
import { ROLES } from "./principal.js";

/**
 * The inputs of the admin console (tRPC `admin.*`), one schema per input. Shapes only: whether a
 * facility or province exists is the registry's to say, on the server.
 */
const id = z.string().trim().min(1).max(200);
const province = z.string().trim().min(1).max(100);

export const InviteUserInput = z.object({
  email: z.string().trim().min(3).max(320),
  role: z.enum(ROLES),
  provinces: z.array(province).max(100).default([]),
  facilityId: id.nullable().default(null),
});
export type InviteUserInput = z.infer<typeof InviteUserInput>;

export const DisableUserInput = z.object({ email: z.string().trim().min(1).max(320) });
export const CreateKeyInput = z.object({ facilityId: id });
export const RevokeKeyInput = z.object({ id });
export const CreateDisplayInput = z.object({ name: z.string().trim().min(1).max(100), provinces: z.array(province).max(100).default([]) });
export type CreateDisplayInput = z.infer<typeof CreateDisplayInput>;
export const RevokeDisplayInput = z.object({ id });

/** Filter of the audit log; times are epoch ms, `to` excluded. Paged newest first with `beforeId`. */
export const AuditListInput = z.object({
  action: z.string().trim().min(1).max(100).optional(),
  actor: z.string().trim().min(1).max(320).optional(),
  target: z.string().trim().min(1).max(320).optional(),
  from: z.number().int().nonnegative().optional(),
  to: z.number().int().nonnegative().optional(),
  limit: z.number().int().min(1).max(200).default(50),
  beforeId: z.number().int().positive().optional(),
});
export type AuditListInput = z.infer<typeof AuditListInput>;

/** The actions the audit log records (the web's filter lists these). */
export const AUDIT_ACTIONS = [
  "users.invite",
  "users.create",
  "users.disable",
  "keys.create",
  "keys.revoke",
  "displays.create",
  "displays.revoke",
  "registry.add",
  "registry.update",
  "targets.import",
  "targets.update",
  "targets.assess",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
