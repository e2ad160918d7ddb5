import {
  compareReferrals,
  countReferrals,
  DEFAULT_OVERDUE_THRESHOLDS,
  ReferralCountsInput,
  ReferralListInput,
  ReferralOverdueInput,
  referralTimeline,
  type OverdueThresholds,
  type ReferralCountRow,
  type ReferralTimeline,
  type Registry,
} from "@carewatch/domain";
import type { ReferralRecordFilter, ReferralRecords, Store } from "@carewatch/store";
import { TRPCError } from "@trpc/server";
import { inScope, type Scope } from "../auth/scope.js";
import type { Trpc } from "./trpc.js";

/** A timeline with what the page shows beside it: the facility's names, province and time zone. */
export type ReferralRow = ReferralTimeline & { facilityName: string; facilityNameEn: string; province: string; timeZone: string };

/** The facilities a filter may read: the one asked for (refused outside the scope), or the scope's. */
function facilityIds(scope: Scope, facility: string | undefined): string[] | undefined {
  if (facility !== undefined) {
    if (!inScope(scope, facility))
      throw new TRPCError({ code: "FORBIDDEN", message: "Cơ sở này ngoài phạm vi của bạn. / That facility is outside your scope." });
    return [facility];
  }
  return scope.all ? undefined : [...scope.ids];
}

function timelines(records: ReferralRecords, now: number, thresholds: OverdueThresholds): ReferralTimeline[] {
  return records.referrals.map((r) => referralTimeline(r, r.steps, now, thresholds));
}

function withFacility(registry: Registry, t: ReferralTimeline): ReferralRow {
  const f = registry.byId.get(t.facilityId);
  return {
    ...t,
    facilityName: f?.name ?? t.facilityId,
    facilityNameEn: f?.nameEn ?? t.facilityId,
    province: f?.province ?? "",
    timeZone: f?.timeZone ?? registry.timeZone,
  };
}

/** Overdue and open referrals of the scope, most overdue first: the read behind `overdue` (and the overview's list). */
async function overdueReferrals(store: Store, scope: Scope, now: number, thresholds: OverdueThresholds): Promise<ReferralTimeline[]> {
  // Only a referral begun more than the smallest threshold ago can be overdue: the store skips the rest.
  const openedBefore = now - Math.min(...Object.values(thresholds));
  const records = await store.reads.referralRecords({ facilityIds: facilityIds(scope, undefined), state: "open", openedBefore });
  return timelines(records, now, thresholds)
    .filter((t) => t.overdue)
    .sort(compareReferrals);
}

/**
 * /referrals (issue 8): every referral with its timeline, counts per facility and per
 * destination, and the short list of overdue ones. Managers and admins, within their provinces.
 * The store picks and reads; the domain builds each timeline and decides overdue.
 */
export function createReferralsRouter({ router, managerProcedure }: Trpc, opts: { overdue?: OverdueThresholds } = {}) {
  const thresholds = opts.overdue ?? { ...DEFAULT_OVERDUE_THRESHOLDS };
  return router({
    list: managerProcedure.input(ReferralListInput).query(async ({ ctx, input }) => {
      const now = ctx.now();
      const filter: ReferralRecordFilter = {
        facilityIds: facilityIds(ctx.scope, input.facility),
        destination: input.destination,
        urgency: input.urgency,
        state: input.overdueOnly ? "open" : input.state,
        from: input.from,
        to: input.to,
        closedLimit: input.limit,
        openedBefore: input.overdueOnly ? now - Math.min(...Object.values(thresholds)) : undefined,
      };
      // The facilities the manager may filter on (the page's choices), whether or not they have referrals.
      const facilities = ctx.store.registry.facilities
        .filter((f) => inScope(ctx.scope, f.id))
        .map((f) => ({ id: f.id, name: f.name, nameEn: f.nameEn, province: f.province, provinceName: f.provinceName }));
      if (input.overdueOnly && input.state === "closed") return { now, thresholds, facilities, referrals: [] as ReferralRow[], truncated: false };
      const records = await ctx.store.reads.referralRecords(filter);
      const all = timelines(records, now, thresholds)
        .filter((t) => !input.overdueOnly || t.overdue)
        .sort(compareReferrals);
      return {
        now,
        thresholds,
        facilities,
        referrals: all.slice(0, input.limit).map((t) => withFacility(ctx.store.registry, t)),
        truncated: records.closedTruncated || all.length > input.limit,
      };
    }),

    /** Open and overdue now (whenever begun), and the total begun in the period, per facility and per destination. */
    counts: managerProcedure.input(ReferralCountsInput).query(async ({ ctx, input }) => {
      const now = ctx.now();
      const inputs = await ctx.store.reads.referralCountInputs({
        facilityIds: facilityIds(ctx.scope, input.facility),
        destination: input.destination,
        urgency: input.urgency,
        from: input.from,
        to: input.to,
      });
      const open = inputs.open.map((r) => referralTimeline(r, r.steps, now, thresholds));
      const c = countReferrals(open, { from: input.from, to: input.to }, inputs.closedBegun);
      const registry = ctx.store.registry;
      const named = (r: ReferralCountRow) => ({ ...r, name: registry.byId.get(r.key)?.name ?? r.key, nameEn: registry.byId.get(r.key)?.nameEn ?? r.key });
      return { now, all: c.all, byFacility: c.byFacility.map(named), byDestination: c.byDestination };
    }),

    /** The overdue referrals, most overdue first, and how many there are: the province overview's short list. */
    overdue: managerProcedure.input(ReferralOverdueInput).query(async ({ ctx, input }) => {
      const now = ctx.now();
      const all = await overdueReferrals(ctx.store, ctx.scope, now, thresholds);
      return { now, count: all.length, referrals: all.slice(0, input.limit).map((t) => withFacility(ctx.store.registry, t)) };
    }),
  });
}
