import {
  AuditListInput,
  CreateDisplayInput,
  CreateKeyInput,
  DisableUserInput,
  facilityEditOf,
  InviteUserInput,
  RegistryChangeInput,
  RevokeDisplayInput,
  RevokeKeyInput,
} from "@carewatch/domain";
import type { AuditRecord } from "@carewatch/store";
import * as actions from "../admin/admin-actions.js";
import { actionContext, run } from "./admin-call.js";
import type { Trpc } from "./trpc.js";

/** The admin console's procedures (`admin.*`): accounts, facility keys, wall displays and the audit log. */
export function createAdminRouter(trpc: Trpc, opts: { publicUrl: string }) {
  const { router, adminProcedure: p } = trpc;
  return router({
    users: router({
      list: p.query(async ({ ctx }) => ctx.store.credentials.listUsers()),
      invite: p
        .input(InviteUserInput)
        .mutation(({ ctx, input }) => run(() => actions.inviteUser(actionContext(ctx), { ...input, facilityId: input.facilityId || null }, opts.publicUrl))),
      disable: p.input(DisableUserInput).mutation(({ ctx, input }) => run(() => actions.disableUser(actionContext(ctx), input.email))),
    }),
    keys: router({
      list: p.query(async ({ ctx }) => ctx.store.credentials.listKeys()),
      create: p.input(CreateKeyInput).mutation(({ ctx, input }) => run(() => actions.createKey(actionContext(ctx), input.facilityId))),
      revoke: p.input(RevokeKeyInput).mutation(({ ctx, input }) => run(() => actions.revokeKey(actionContext(ctx), input.id))),
    }),
    displays: router({
      list: p.query(async ({ ctx }) => ctx.store.credentials.listDisplays()),
      create: p
        .input(CreateDisplayInput)
        .mutation(({ ctx, input }) => run(() => actions.createDisplay(actionContext(ctx), input.name, input.provinces, opts.publicUrl))),
      revoke: p.input(RevokeDisplayInput).mutation(({ ctx, input }) => run(() => actions.revokeDisplay(actionContext(ctx), input.id))),
    }),
    registry: router({
      /** The facility and province choices of the forms. */
      choices: p.query(({ ctx }) => ({
        provinces: ctx.store.registry.provinces.map((pr) => ({ id: pr.id, name: pr.name })),
        facilities: ctx.store.registry.facilities.map((f) => ({ id: f.id, name: f.name, province: f.province })),
      })),
      /** Every facility as its edit form shows it, and the version they belong to (a change is made on it). */
      facilities: p.query(({ ctx }) => ({
        version: ctx.store.registryVersions.current(),
        facilities: ctx.store.registry.facilities.map(facilityEditOf),
      })),
      versions: p.query(({ ctx }) => ctx.store.registryVersions.list()),
      change: p.input(RegistryChangeInput).mutation(({ ctx, input }) => run(() => actions.changeRegistry(actionContext(ctx), input))),
    }),
    audit: router({
      list: p.input(AuditListInput).query(async ({ ctx, input }): Promise<AuditRecord[]> => ctx.store.audit.list(input)),
    }),
  });
}
