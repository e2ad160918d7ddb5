import type { Plan, Target } from "./targets.js";
import { targetInScope, targetProgress, type AssessmentRecord, type FacilityYearFacts, type TargetProgress } from "./targets-pace.js";

/**
 * A year of plan targets as a reader sees them (`targets.list`, `targets.behind`, `cw targets
 * list`): only the targets wholly in their scope (targetInScope), each with its progress, the
 * targets behind pace first within each plan. Pure: the store's facts and the scope come in.
 */
export interface TargetRow {
  target: Target;
  progress: TargetProgress;
  facilities: { id: string; name: string }[];
}

export interface PlanView {
  id: string;
  title: string;
  province: string;
  source: Plan["source"];
  targets: TargetRow[];
}

export interface TargetsYearView {
  year: number;
  now: number;
  plans: PlanView[];
  /** Targets of the year withheld because some (not all) of their facilities are outside the reader's scope. */
  hidden: number;
  /** How many shown targets are behind pace (or, for a past year, missed). */
  behind: number;
}

export interface YearInput {
  year: number;
  now: number;
  plans: readonly { id: string; title: string; province: string; source: Plan["source"]; targets: readonly Target[] }[];
  facts: readonly FacilityYearFacts[];
  assessments: readonly AssessmentRecord[];
}

const isBehind = (p: TargetProgress) => p.verdict === "behind" || p.verdict === "missed";

export function targetsYearView(
  input: YearInput,
  opts: { mayRead: (facilityId: string) => boolean; facilityName: (facilityId: string) => string },
): TargetsYearView {
  let hidden = 0;
  let behind = 0;
  const plans: PlanView[] = [];
  for (const plan of input.plans) {
    const rows: TargetRow[] = [];
    for (const target of plan.targets) {
      if (!targetInScope(target, opts.mayRead)) {
        // Only a target the reader partly sees is counted: one wholly elsewhere is none of theirs.
        if (target.facilities.some(opts.mayRead)) hidden++;
        continue;
      }
      const progress = targetProgress(
        target,
        input.facts.filter((f) => target.facilities.includes(f.facilityId)),
        input.assessments.filter((a) => a.targetId === target.id),
        input.now,
      );
      if (isBehind(progress)) behind++;
      rows.push({ target, progress, facilities: target.facilities.map((id) => ({ id, name: opts.facilityName(id) })) });
    }
    // Behind first, otherwise the plan's own order (a stable sort).
    rows.sort((a, b) => Number(isBehind(b.progress)) - Number(isBehind(a.progress)));
    if (rows.length) plans.push({ id: plan.id, title: plan.title, province: plan.province, source: plan.source, targets: rows });
  }
  return { year: input.year, now: input.now, plans, hidden, behind };
}

/** The short list the province overview shows: targets behind pace, without their daily series. */
export interface BehindTarget {
  planId: string;
  planTitle: string;
  id: string;
  vi: string;
  en: string;
  value: number;
  actual: number | null;
  pace: number | null;
  projection: number | null;
  ratio: number | null;
}

export function behindTargets(view: TargetsYearView): BehindTarget[] {
  return view.plans.flatMap((plan) =>
    plan.targets
      .filter((r) => r.progress.verdict === "behind")
      .map((r) => ({
        planId: plan.id,
        planTitle: plan.title,
        id: r.target.id,
        vi: r.target.vi,
        en: r.target.en,
        value: r.target.value,
        actual: r.progress.actual,
        pace: r.progress.pace,
        projection: r.progress.projection,
        ratio: r.progress.ratio,
      })),
  );
}
