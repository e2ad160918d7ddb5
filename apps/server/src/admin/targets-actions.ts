import {
  assessmentProblem,
  behindTargets,
  DEFAULT_TIME_ZONE,
  demoTargetsDocument,
  illustrativeForYear,
  localDay,
  parseTargetsDocument,
  targetsYearView,
  type BehindTarget,
  type FieldProblem,
  type TargetAssessInput,
  type TargetsYearView,
} from "@carewatch/domain";
import type { TargetsImportSummary } from "@carewatch/store";
import { AdminError, type ActionContext } from "./admin-actions.js";

/**
 * Plan targets (issue 8), one code path for tRPC `targets.*` and `cw targets …`: the document is
 * validated by the domain against the registry, the change is made through the store's targets
 * port, and each change writes one audit entry (who, what, before/after).
 */

/** A targets document refused: every problem by JSON Pointer, in Vietnamese then English. */
export class TargetsDocumentError extends AdminError {
  constructor(readonly problems: FieldProblem[]) {
    super(
      "invalid",
      [
        `Tệp chỉ tiêu có ${problems.length} lỗi, chưa nhập gì. / The targets file has ${problems.length} problem(s); nothing was imported.`,
        ...problems.map((p) => `${p.path || "/"}: ${p.message}`),
      ].join("\n"),
    );
  }
}

export async function importTargets(ctx: ActionContext, document: unknown): Promise<TargetsImportSummary> {
  const parsed = parseTargetsDocument(document, ctx.store.registry);
  if (!parsed.ok) throw new TargetsDocumentError(parsed.problems);
  const now = ctx.now();
  const summary = await ctx.store.targets.importDocument(parsed.document, now);
  await ctx.store.audit.record({
    at: now,
    actor: ctx.actor,
    action: "targets.import",
    target: parsed.document.plans.map((p) => p.id).join(","),
    after: summary,
  });
  return summary;
}

export async function updateTargetValue(ctx: ActionContext, id: string, value: number): Promise<{ id: string; value: number }> {
  const now = ctx.now();
  let changed;
  try {
    changed = await ctx.store.targets.setValue(id, value, now);
  } catch {
    throw new AdminError("invalid", `Giá trị ${value} không hợp lệ cho chỉ tiêu này. / ${value} is not a valid value for this target.`);
  }
  if (!changed) throw new AdminError("not_found", `Không có chỉ tiêu "${id}". / No target "${id}".`);
  await ctx.store.audit.record({ at: now, actor: ctx.actor, action: "targets.update", target: id, before: { value: changed.before.value }, after: { value } });
  return { id, value };
}

/**
 * The demo's targets (`pnpm demo`): the bundled document with its illustrative targets moved to
 * this year (domain illustrativeForYear), imported when the store has no target for this year
 * yet — on the first run, and again on the first run of a new year. Null when nothing was done.
 */
export async function importDemoTargets(ctx: ActionContext): Promise<TargetsImportSummary | null> {
  const year = Number(localDay(ctx.now(), DEFAULT_TIME_ZONE).slice(0, 4));
  if ((await ctx.store.targets.years()).includes(year)) return null;
  const parsed = parseTargetsDocument(demoTargetsDocument, ctx.store.registry);
  // A registry of one's own (CAREWATCH_FACILITIES) may not have the demo's facilities.
  if (!parsed.ok) return null;
  return importTargets(ctx, illustrativeForYear(parsed.document, year));
}

/**
 * A manager's (or admin's) assessment of an `assessment` target. `mayRead` is the caller's
 * scope: every facility of the target must be in it (the rule targets.list shows by).
 */
export async function assessTarget(ctx: ActionContext, input: TargetAssessInput, mayRead: (facilityId: string) => boolean) {
  const found = await ctx.store.targets.get(input.id);
  if (!found || !found.target.facilities.every(mayRead)) throw new AdminError("not_found", `Không có chỉ tiêu "${input.id}". / No target "${input.id}".`);
  const { target } = found;
  const now = ctx.now();
  const zone = ctx.store.registry.byId.get(target.facilities[0] ?? "")?.timeZone ?? DEFAULT_TIME_ZONE;
  const problem = assessmentProblem(target, input, now, zone);
  if (problem) throw new AdminError("invalid", problem);
  const by = ctx.actor.email ?? ctx.actor.id;
  const record = await ctx.store.targets.addAssessment({ targetId: target.id, date: input.date, value: input.value, note: input.note, by, at: now });
  await ctx.store.audit.record({
    at: now,
    actor: ctx.actor,
    action: "targets.assess",
    target: target.id,
    after: { date: input.date, value: input.value, note: input.note },
  });
  return record;
}

/** A year of targets as `mayRead` may see them (see the domain's targetsYearView). */
export async function readTargets(ctx: Pick<ActionContext, "store" | "now">, year: number, mayRead: (facilityId: string) => boolean): Promise<TargetsYearView> {
  const data = await ctx.store.targets.year(year, ctx.now());
  const registry = ctx.store.registry;
  return targetsYearView(data, { mayRead, facilityName: (id) => registry.byId.get(id)?.name ?? id });
}

export async function readBehind(ctx: Pick<ActionContext, "store" | "now">, year: number, mayRead: (facilityId: string) => boolean): Promise<BehindTarget[]> {
  return behindTargets(await readTargets(ctx, year, mayRead));
}
