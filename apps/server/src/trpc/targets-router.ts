import { TargetAssessInput, TargetsImportInput, TargetsYearInput, TargetUpdateInput } from "@carewatch/domain";
import * as targets from "../admin/targets-actions.js";
import { inScope, type Scope } from "../auth/scope.js";
import { actionContext, run } from "./admin-call.js";
import type { Trpc } from "./trpc.js";

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
