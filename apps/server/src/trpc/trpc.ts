import { initTRPC, TRPCError } from "@trpc/server";
import type { Principal } from "@carewatch/domain";
import type { Store } from "@carewatch/store";

/** What every procedure sees. Built per request by the Hono adapter from the display cookie. */
export interface TrpcContext {
  store: Store;
  now: () => number;
  buildId: string;
  /** Who is asking (today: the wall display of the cookie), or null (no token, or a wrong/revoked one). */
  principal: Principal | null;
}

/**
 * tRPC's builders, made once per app. `isDev` is passed explicitly from our configuration
 * (`CAREWATCH_ENV`): left to tRPC it means NODE_ENV !== "production", which `pnpm start` never
 * sets, and every error would answer with a stack trace.
 */
export function createTrpc(opts: { isDev: boolean }) {
  const t = initTRPC.context<TrpcContext>().create({ isDev: opts.isDev });
  return {
    router: t.router,
    /**
     * Board reads need a viewer: today a display token; accounts and roles (admin, manager,
     * facility clerk, display) will widen this check, not replace it.
     */
    viewerProcedure: t.procedure.use(({ ctx, next }) => {
      const principal = ctx.principal;
      if (principal?.kind !== "display") throw new TRPCError({ code: "UNAUTHORIZED", message: "display token missing, wrong or revoked" });
      return next({ ctx: { ...ctx, principal } });
    }),
  };
}

export type Trpc = ReturnType<typeof createTrpc>;
