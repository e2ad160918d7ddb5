import type { EndedCredential } from "../admin/admin-actions.js";
import { initTRPC, TRPCError } from "@trpc/server";
import type { Principal } from "@carewatch/domain";
import type { Store } from "@carewatch/store";
import { mayWatchBoard, scopeOf } from "../auth/scope.js";

/** What every procedure sees. Built per request by the Hono adapter from the session or display cookie. */
export interface TrpcContext {
  store: Store;
  now: () => number;
  buildId: string;
  /** Who is asking (a logged-in person or a wall display), or null (no cookie, or an ended/revoked one). */
  principal: Principal | null;
  /** Tell the live hub a credential ended (its sockets drop on every process). */
  ended: (credential: EndedCredential) => void;
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
     * Board reads need a viewer — whoever may open the wall (a display, an admin, a manager) —
     * and see only the facilities their principal may read (`scope`).
     */
    viewerProcedure: t.procedure.use(({ ctx, next }) => {
      const principal = ctx.principal;
      if (principal === null) throw new TRPCError({ code: "UNAUTHORIZED", message: "not logged in, or the display token is missing, wrong or revoked" });
      if (!mayWatchBoard(principal)) throw new TRPCError({ code: "FORBIDDEN", message: "this account may not read the board" });
      return next({ ctx: { ...ctx, principal, scope: scopeOf(principal, ctx.store.registry) } });
    }),
    /**
     * A logged-in person's reads of facility figures (history, as of, referrals): admin,
     * manager or a facility's clerk, each seeing only the facilities `scope` holds.
     */
    personProcedure: t.procedure.use(({ ctx, next }) => {
      const principal = ctx.principal;
      if (principal === null) throw new TRPCError({ code: "UNAUTHORIZED", message: "Chưa đăng nhập. / Not logged in." });
      if (principal.kind !== "user") throw new TRPCError({ code: "FORBIDDEN", message: "Chỉ người dùng đăng nhập. / Only a logged-in person may do this." });
      return next({ ctx: { ...ctx, principal, scope: scopeOf(principal, ctx.store.registry) } });
    }),
    /** The managers' pages (overview, referrals, targets, reports): admin or manager, within their provinces. */
    managerProcedure: t.procedure.use(({ ctx, next }) => {
      const principal = ctx.principal;
      if (principal === null) throw new TRPCError({ code: "UNAUTHORIZED", message: "Chưa đăng nhập. / Not logged in." });
      if (principal.kind !== "user" || (principal.role !== "admin" && principal.role !== "manager"))
        throw new TRPCError({ code: "FORBIDDEN", message: "Chỉ quản lý hoặc quản trị viên. / Only a manager or an administrator may do this." });
      return next({ ctx: { ...ctx, principal, scope: scopeOf(principal, ctx.store.registry) } });
    }),
    /** The admin console: a logged-in person with role admin, nobody else (not a display, not a key). */
    adminProcedure: t.procedure.use(({ ctx, next }) => {
      const principal = ctx.principal;
      if (principal === null) throw new TRPCError({ code: "UNAUTHORIZED", message: "Chưa đăng nhập. / Not logged in." });
      if (principal.kind !== "user" || principal.role !== "admin")
        throw new TRPCError({ code: "FORBIDDEN", message: "Chỉ quản trị viên mới được làm việc này. / Only an administrator may do this." });
      return next({ ctx: { ...ctx, principal } });
    }),
  };
}

export type Trpc = ReturnType<typeof createTrpc>;
