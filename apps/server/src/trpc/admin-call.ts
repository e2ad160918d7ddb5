import type { UserPrincipal } from "@carewatch/domain";
import { TRPCError } from "@trpc/server";
import { AdminError, type ActionContext } from "../admin/admin-actions.js";
import type { TrpcContext } from "./trpc.js";

/** An administrative action's context from a procedure's: the logged-in person is the audit's actor. */
export const actionContext = (ctx: TrpcContext & { principal: UserPrincipal }): ActionContext => ({
  store: ctx.store,
  now: ctx.now,
  actor: { kind: "user", id: ctx.principal.userId, email: ctx.principal.email },
  ended: ctx.ended,
});

/** An AdminError becomes a tRPC error whose message the page shows as it is. */
export async function run<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AdminError) throw new TRPCError({ code: e.kind === "not_found" ? "NOT_FOUND" : "BAD_REQUEST", message: e.message });
    throw e;
  }
}
