import {
  FacilityAsOfInputSchema,
  FacilityEventsInputSchema,
  FacilityHistoryInputSchema,
  FacilityIdInputSchema,
  type Facility,
  type FacilityAsOf,
  type FacilityEvents,
  type FacilityHistory,
  type FacilityStatus,
} from "@carewatch/domain";
import { TRPCError } from "@trpc/server";
import { inScope, type Scope } from "../auth/scope.js";
import type { Trpc, TrpcContext } from "./trpc.js";

/** What the facility page's header needs beside the status: the registry's words for it. */
export interface FacilityPageStatus {
  status: FacilityStatus;
  province_name: string;
  former_district: string | null;
  thresholds: { high: number; critical: number; over: number };
}

/** The facility, or NOT_FOUND; then FORBIDDEN unless the person's scope holds it. */
function facilityFor(ctx: Pick<TrpcContext, "store"> & { scope: Scope }, id: string): Facility {
  const f = ctx.store.registry.byId.get(id);
  if (!f) throw new TRPCError({ code: "NOT_FOUND", message: "Không có cơ sở này. / No such facility." });
  if (!inScope(ctx.scope, id)) throw new TRPCError({ code: "FORBIDDEN", message: "Cơ sở này ngoài phạm vi của bạn. / That facility is outside your scope." });
  return f;
}

// The store answers undefined only for a facility it does not know: the registry changed between.
const known = <T>(v: T | undefined): T => {
  if (v === undefined) throw new TRPCError({ code: "NOT_FOUND", message: "Không có cơ sở này. / No such facility." });
  return v;
};

/** A clock skew the API allows ahead of the server (events may say they occurred up to 5 minutes ahead). */
const AHEAD_MS = 5 * 60_000;

/**
 * The facility page (issue 8): live status, history per bucket, the facility as of an instant,
 * and the events behind a chart point. Thin: input schemas from the domain, reads from the store.
 */
export function createFacilityRouter({ router, personProcedure }: Trpc) {
  return router({
    /** The facilities the person may read, with their live status (the /facilities index). */
    list: personProcedure.query(async ({ ctx }): Promise<FacilityStatus[]> => {
      const now = ctx.now();
      const statuses = await Promise.all(
        ctx.store.registry.facilities.filter((f) => inScope(ctx.scope, f.id)).map((f) => ctx.store.reads.facilityStatus(f.id, now)),
      );
      return statuses.filter((s): s is FacilityStatus => s !== undefined);
    }),

    status: personProcedure.input(FacilityIdInputSchema).query(async ({ ctx, input }): Promise<FacilityPageStatus> => {
      const f = facilityFor(ctx, input.id);
      const status = known(await ctx.store.reads.facilityStatus(f.id, ctx.now()));
      const province = ctx.store.registry.provinces.find((p) => p.id === f.province);
      return { status, province_name: province?.name ?? f.provinceName, former_district: f.formerDistrict, thresholds: { ...f.thresholds } };
    }),

    history: personProcedure
      .input(FacilityHistoryInputSchema)
      .query(async ({ ctx, input }): Promise<FacilityHistory> => known(await ctx.store.reads.history(facilityFor(ctx, input.id).id, input.range, ctx.now()))),

    asOf: personProcedure.input(FacilityAsOfInputSchema).query(async ({ ctx, input }): Promise<FacilityAsOf> => {
      const f = facilityFor(ctx, input.id);
      const at = Date.parse(input.at);
      if (at > ctx.now() + AHEAD_MS) throw new TRPCError({ code: "BAD_REQUEST", message: "Thời điểm ở tương lai. / That instant is in the future." });
      return known(await ctx.store.reads.asOf(f.id, at));
    }),

    events: personProcedure
      .input(FacilityEventsInputSchema)
      .query(async ({ ctx, input }): Promise<FacilityEvents> =>
        known(await ctx.store.reads.eventsBetween(facilityFor(ctx, input.id).id, input.from, input.to, input.limit)),
      ),
  });
}
