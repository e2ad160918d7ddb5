import { z } from "zod";
import type { BoardSnapshot } from "@carewatch/domain";
import { TICKER_LENGTH } from "@carewatch/domain";
import type { Trpc, TrpcContext } from "./trpc.js";

export async function boardSnapshot(ctx: Pick<TrpcContext, "store" | "now" | "buildId">): Promise<BoardSnapshot> {
  const now = ctx.now();
  const { store } = ctx;
  // Statuses, ticker and seq from one snapshot of the store. The trends are read after it: a
  // commit in between makes them newer than the seq claims, never older, and the next patch
  // can only repeat what the client already has.
  const board = await store.reads.board(now, TICKER_LENGTH);
  const trends = await Promise.all(board.facilities.map(async (f) => [f.facility_id, await store.reads.trend(f.facility_id, now)] as const));
  return {
    seq: board.seq,
    serverTime: now,
    buildId: ctx.buildId,
    provinces: store.registry.provinces,
    facilities: board.facilities,
    ticker: board.ticker,
    trends: Object.fromEntries(trends),
  };
}

export function createBoardRouter({ router, viewerProcedure }: Trpc) {
  return router({
    /** The whole board with the seq it reflects. */
    snapshot: viewerProcedure.query(({ ctx }) => boardSnapshot(ctx)),

    /**
     * What changed after `seq` (a client that saw a gap or reconnected). `null` when the client
     * is too far behind: it should take a fresh snapshot instead.
     */
    changesSince: viewerProcedure
      .input(z.object({ seq: z.number().int().min(0) }))
      .query(({ ctx, input }) => ctx.store.reads.changesSince(input.seq, ctx.now())),

    facilityStatus: viewerProcedure
      .input(z.object({ facilityId: z.string().min(1).max(128) }))
      .query(async ({ ctx, input }) => (await ctx.store.reads.facilityStatus(input.facilityId, ctx.now())) ?? null),

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
      .query(({ ctx, input }) => ctx.store.reads.trend(input.facilityId, ctx.now(), input.hours)),
  });
}
