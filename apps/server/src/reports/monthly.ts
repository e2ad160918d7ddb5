import { buildMonthlyReport, monthBounds, monthDays, targetsYearView, type MonthlyReport, type ReportFacilityInput } from "@carewatch/domain";
import type { Store } from "@carewatch/store";
import { inScope, type Scope } from "../auth/scope.js";

export type ReportAnswer = { ok: true; report: MonthlyReport } | { ok: false; reason: "unknown_province" | "forbidden" };

/**
 * Gathers a province's month from the store (days of each facility, referral moves, open
 * referrals at the month's end, the year's targets as they stood then) and lets the domain build
 * the report. The reader sees the province's facilities of their scope; none → forbidden.
 */
export async function readMonthlyReport(store: Store, scope: Scope, province: string, month: string, now: number): Promise<ReportAnswer> {
  const registry = store.registry;
  const p = registry.provinces.find((x) => x.id === province);
  if (!p) return { ok: false, reason: "unknown_province" };
  const facilities = registry.facilities.filter((f) => f.province === province && inScope(scope, f.id));
  if (!facilities.length) return { ok: false, reason: "forbidden" };
  const timeZone = facilities[0]!.timeZone;
  const { start, end } = monthBounds(month, timeZone);
  // The month's end, or now for the current month (a month in the future has no days).
  const until = Math.min(end - 1, now);
  const days = monthDays(month);
  const steps = await store.reads.referralSteps({ facilityIds: facilities.map((f) => f.id), from: start, to: end });
  const inputs: ReportFacilityInput[] = [];
  for (const f of facilities) {
    const points = (await store.reads.days(f.id, days, now)) ?? [];
    const asOf = until >= start ? await store.reads.asOf(f.id, until) : undefined;
    inputs.push({
      id: f.id,
      name: f.name,
      nameEn: f.nameEn,
      type: f.type,
      timeZone: f.timeZone,
      days: points,
      referralMoves: steps.filter((s) => s.facilityId === f.id && s.at <= until),
      openReferralsAtEnd: asOf?.status.today.referrals_open ?? 0,
    });
  }
  const year = Number(month.slice(0, 4));
  const ids = new Set(facilities.map((f) => f.id));
  const yearData = await store.targets.year(year, until);
  const targets = targetsYearView(
    { ...yearData, plans: yearData.plans.filter((pl) => pl.province === province) },
    { mayRead: (id) => ids.has(id), facilityName: (id) => registry.byId.get(id)?.name ?? id },
  );
  return { ok: true, report: buildMonthlyReport({ province: { id: p.id, name: p.name }, month, now, facilities: inputs, targets }) };
}
