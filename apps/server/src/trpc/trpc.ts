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
      if (!ctx.display) throw new TRPCError({ code: "UNAUTHORIZED", message: "display token missing, wrong or revoked" });
      return next({ ctx: { ...ctx, display: ctx.display } });
    }),
  };
}

export type Trpc = ReturnType<typeof createTrpc>;
