import { z } from "zod";
import type { BoardSnapshot } from "@carewatch/domain";
import { TICKER_LENGTH } from "@carewatch/domain";
import type { Trpc, TrpcContext } from "./trpc.js";

export function boardSnapshot(ctx: Pick<TrpcContext, "store" | "now" | "buildId">): BoardSnapshot {
  const now = ctx.now();
  const { store } = ctx;
  // seq is read before the statuses: a commit in between makes the snapshot newer than its
  // seq claims, never older, so the next patch can only repeat what the client already has.
  const seq = store.lastSeq();
  const facilities = store.boardStatuses(now);
  return {
    seq,
    serverTime: now,
    buildId: ctx.buildId,
    provinces: store.registry.provinces,
    facilities,
    ticker: store.ticker(TICKER_LENGTH),
    trends: Object.fromEntries(facilities.map((f) => [f.facility_id, store.trend(f.facility_id, now)])),
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
      .query(({ ctx, input }) => ctx.store.changesSince(input.seq, ctx.now())),

    facilityStatus: viewerProcedure
      .input(z.object({ facilityId: z.string().min(1).max(128) }))
      .query(({ ctx, input }) => ctx.store.facilityStatus(input.facilityId, ctx.now()) ?? null),

    trend: viewerProcedure
      .input(z.object({ facilityId: z.string().min(1).max(128), hours: z.number().int().min(1).max(24 * 31).default(24) }))
      .query(({ ctx, input }) => ctx.store.trend(input.facilityId, ctx.now(), input.hours)),
  });
}
