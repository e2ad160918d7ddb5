import { TargetAssessInput, TargetsImportInput, TargetsYearInput, TargetUpdateInput, type UserPrincipal } from "@carewatch/domain";
import { TRPCError } from "@trpc/server";
import { AdminError, type ActionContext } from "../admin/admin-actions.js";
import * as targets from "../admin/targets-actions.js";
import { inScope, type Scope } from "../auth/scope.js";
import type { Trpc, TrpcContext } from "./trpc.js";

type PersonCtx = TrpcContext & { principal: UserPrincipal };

const actionContext = (ctx: PersonCtx): ActionContext => ({
  store: ctx.store,
  now: ctx.now,
  actor: { kind: "user", id: ctx.principal.userId, email: ctx.principal.email },
});

async function run<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AdminError) throw new TRPCError({ code: e.kind === "not_found" ? "NOT_FOUND" : "BAD_REQUEST", message: e.message });
    throw e;
  }
}

/**
 * `/targets` and the province overview's "behind pace" list. Reads are for managers and admins,
 * each seeing only the targets whose facilities are all in their scope (a target partly outside
 * is withheld and counted as `hidden`); import and value edits are an admin's; an assessment is
 * a manager's or an admin's, on a target in their scope. Every change is audited.
 */
export function createTargetsRouter(trpc: Trpc) {
  const { router, managerProcedure, adminProcedure } = trpc;
  const reader = (scope: Scope) => (id: string) => inScope(scope, id);
  return router({
    list: managerProcedure.input(TargetsYearInput).query(async ({ ctx, input }) => ({
      ...(await targets.readTargets(ctx, input.year, reader(ctx.scope))),
      years: await ctx.store.targets.years(),
      mayEdit: ctx.principal.role === "admin",
    })),
    behind: managerProcedure.input(TargetsYearInput).query(({ ctx, input }) => targets.readBehind(ctx, input.year, reader(ctx.scope))),
    import: adminProcedure.input(TargetsImportInput).mutation(({ ctx, input }) => run(() => targets.importTargets(actionContext(ctx), input.document))),
    update: adminProcedure
      .input(TargetUpdateInput)
      .mutation(({ ctx, input }) => run(() => targets.updateTargetValue(actionContext(ctx), input.id, input.value))),
    assess: managerProcedure
      .input(TargetAssessInput)
      .mutation(({ ctx, input }) => run(() => targets.assessTarget(actionContext(ctx), input, reader(ctx.scope)))),
  });
}
