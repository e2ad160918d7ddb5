import { initTRPC, TRPCError } from "@trpc/server";
import type { DisplayInfo, Store } from "@carewatch/store";

/** What every procedure sees. Built per request by the Hono adapter from the display cookie. */
export interface TrpcContext {
  store: Store;
  now: () => number;
  buildId: string;
  /** The wall display this request comes from, or null (no token, or a wrong/revoked one). */
  display: DisplayInfo | null;
}

const t = initTRPC.context<TrpcContext>().create();

export const router = t.router;

/**
 * Board reads need a viewer: today a display token; accounts and roles (admin, manager,
 * facility clerk, display) will widen this check, not replace it.
 */
export const viewerProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.display) throw new TRPCError({ code: "UNAUTHORIZED", message: "display token missing, wrong or revoked" });
  return next({ ctx: { ...ctx, display: ctx.display } });
});
