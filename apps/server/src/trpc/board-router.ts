import { z } from "zod";
import type { BoardSnapshot } from "@carewatch/domain";
import { TICKER_LENGTH } from "@carewatch/domain";
import { TRPCError } from "@trpc/server";
import { inScope, scoped, type Scope } from "../auth/scope.js";
import type { Trpc, TrpcContext } from "./trpc.js";

/** The board as `scope` may see it (every facility, or those of its provinces or its facility). */
export async function boardSnapshot(ctx: Pick<TrpcContext, "store" | "now" | "buildId"> & { scope: Scope }): Promise<BoardSnapshot> {
  const now = ctx.now();
  const { store, scope } = ctx;
  // Statuses, ticker and seq from one snapshot of the store. The trends are read after it: a
  // commit in between makes them newer than the seq claims, never older, and the next patch
  // can only repeat what the client already has.
  // A scoped viewer's ticker is filtered from a longer one, so it still has lines to show.
  const board = scoped(scope, await store.reads.board(now, scope.all ? TICKER_LENGTH : TICKER_LENGTH * 4));
  board.ticker = board.ticker.slice(0, TICKER_LENGTH);
  const trends = await Promise.all(board.facilities.map(async (f) => [f.facility_id, await store.reads.trend(f.facility_id, now)] as const));
  return {
    seq: board.seq,
    serverTime: now,
    buildId: ctx.buildId,
    provinces: scope.all ? store.registry.provinces : store.registry.provinces.filter((p) => board.facilities.some((f) => f.province === p.id)),
    facilities: board.facilities,
    ticker: board.ticker,
    trends: Object.fromEntries(trends),
  };
}

/** Refuse a facility outside the viewer's scope (an unknown id reads as null, as before). */
function mayRead(scope: Scope, facilityId: string): void {
  if (!inScope(scope, facilityId)) throw new TRPCError({ code: "FORBIDDEN", message: "this principal may not read that facility" });
}

export function createBoardRouter({ router, viewerProcedure }: Trpc) {
  return router({
    /** The whole board with the seq it reflects. */
    snapshot: viewerProcedure.query(({ ctx }) => boardSnapshot(ctx)),

    /**
     * What changed after `seq` (a client that saw a gap or reconnected). `null` when the client
     * is too far behind: it should take a fresh snapshot instead.
     */
    changesSince: viewerProcedure.input(z.object({ seq: z.number().int().min(0) })).query(async ({ ctx, input }) => {
      const changes = await ctx.store.reads.changesSince(input.seq, ctx.now());
      return changes && scoped(ctx.scope, changes);
    }),

    facilityStatus: viewerProcedure.input(z.object({ facilityId: z.string().min(1).max(128) })).query(async ({ ctx, input }) => {
      mayRead(ctx.scope, input.facilityId);
      return (await ctx.store.reads.facilityStatus(input.facilityId, ctx.now())) ?? null;
    }),

    trend: viewerProcedure
      .input(
        z.object({
          facilityId: z.string().min(1).max(128),
          hours: z
            .number()
            .int()
            .min(1)
            .max(24 * 31)
            .default(24),
        }),
      )
      .query(({ ctx, input }) => {
        mayRead(ctx.scope, input.facilityId);
        return ctx.store.reads.trend(input.facilityId, ctx.now(), input.hours);
      }),
  });
}
