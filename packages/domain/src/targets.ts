import { z } from "zod";
import { TREATMENT_CATEGORIES } from "./event-enums.js";
import { problemsFromZod, toPointer, type FieldProblem } from "./problems.js";
import type { Registry } from "./registry.js";

/**
 * The plan targets document (`packages/domain/data/targets.json`, issue 8): plans of a province,
 * each with yearly targets of one metric kind. One schema for the import (`cw targets import`,
 * tRPC `targets.import`), the store's rows and the web's forms.
 *
 * Metric kinds (the document's $comment):
 * - `event_sum`: the year's sum of a treatment category's counts, or of admissions, over the
 *   target's facilities;
 * - `people_served`: occupied at the start of the year + admissions during it (stays, not persons);
 * - `average_occupied`: the mean of the occupied figure at the end of each completed day;
 * - `assessment`: a figure a manager sets with a date and a note (no event carries it).
 */
const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,99}$/, "lower-case letters, digits and '-' only / chỉ chữ thường, số và '-'")
  .max(100);
const text = z.string().trim().min(1).max(1000);

/** Years carewatch accepts for a target (a plan's horizon is a decade or two). */
export const TARGET_YEAR_MIN = 2000;
export const TARGET_YEAR_MAX = 2100;
export const TargetYear = z.number().int().min(TARGET_YEAR_MIN).max(TARGET_YEAR_MAX);

/** A target's value: a count, an average or a percentage; never negative. */
export const TargetValue = z.number().finite().min(0).max(1_000_000_000);

export const TARGET_KINDS = ["event_sum", "people_served", "average_occupied", "assessment"] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/** "above" = the actual must exceed the value ("trên 2.000"); "at_least" (the default) = reach it. */
export const TARGET_COMPARISONS = ["at_least", "above"] as const;
export const ASSESSMENT_UNITS = ["percent_of_facilities", "percent_of_residents", "count"] as const;

const common = {
  id: slug,
  year: TargetYear,
  value: TargetValue,
  facilities: z.array(slug).min(1).max(100),
  comparison: z.enum(TARGET_COMPARISONS).optional(),
  vi: text,
  en: text,
};

const EventSumTarget = z
  .strictObject({ ...common, kind: z.literal("event_sum"), event: z.enum(["treatment", "admission"]), category: z.enum(TREATMENT_CATEGORIES).optional() })
  .superRefine((t, ctx) => {
    if (t.event === "treatment" && !t.category)
      ctx.addIssue({ code: "custom", path: ["category"], message: "Cần loại điều trị (category). / A treatment target needs a category." });
    if (t.event === "admission" && t.category)
      ctx.addIssue({ code: "custom", path: ["category"], message: "Chỉ tiêu tiếp nhận không có category. / An admission target takes no category." });
  });
const PeopleServedTarget = z.strictObject({ ...common, kind: z.literal("people_served") });
const AverageOccupiedTarget = z.strictObject({ ...common, kind: z.literal("average_occupied") });
const AssessmentTarget = z.strictObject({ ...common, kind: z.literal("assessment"), unit: z.enum(ASSESSMENT_UNITS).optional() }).superRefine((t, ctx) => {
  if (t.unit?.startsWith("percent") && t.value > 100)
    ctx.addIssue({ code: "custom", path: ["value"], message: "Tỉ lệ phần trăm không quá 100. / A percentage is at most 100." });
});

export const TargetSchema = z.discriminatedUnion("kind", [EventSumTarget, PeopleServedTarget, AverageOccupiedTarget, AssessmentTarget]);
export type Target = z.infer<typeof TargetSchema>;

export const PLAN_SOURCES = ["published", "illustrative"] as const;
export type PlanSource = (typeof PLAN_SOURCES)[number];

export const PlanSchema = z.strictObject({
  id: slug,
  title: text,
  province: slug,
  /** "published": quoted from a plan; "illustrative": a published figure repeated for the demo's current year. */
  source: z.enum(PLAN_SOURCES),
  targets: z.array(TargetSchema).min(1).max(1000),
});
export type Plan = z.infer<typeof PlanSchema>;

export const TargetsDocumentSchema = z.strictObject({
  $comment: z.string().optional(),
  version: z.literal(1),
  plans: z.array(PlanSchema).min(1).max(200),
});
export type TargetsDocument = z.infer<typeof TargetsDocumentSchema>;

export type TargetsParse = { ok: true; document: TargetsDocument } | { ok: false; problems: FieldProblem[] };

/**
 * Validates a targets document against the schema and the registry: plan and target ids
 * unique, every facility known and in the plan's province, none listed twice in a target.
 * Problems carry JSON Pointer paths into the document and a Vietnamese + English message.
 */
export function parseTargetsDocument(input: unknown, registry: Pick<Registry, "byId" | "provinces">): TargetsParse {
  const parsed = TargetsDocumentSchema.safeParse(input);
  if (!parsed.success) {
    // Our own refinements already speak both languages; zod's own messages are English only.
    const both = (m: string) => (m.includes(" / ") ? m : `Không hợp lệ: ${m} / Invalid: ${m}`);
    return { ok: false, problems: problemsFromZod(parsed.error).map((p) => ({ ...p, message: both(p.message) })) };
  }
  const doc = parsed.data;
  const problems: FieldProblem[] = [];
  const provinces = new Set(registry.provinces.map((p) => p.id));
  const planIds = new Set<string>();
  const targetIds = new Set<string>();
  doc.plans.forEach((plan, pi) => {
    if (planIds.has(plan.id))
      problems.push({ path: toPointer(["plans", pi, "id"]), message: `Kế hoạch "${plan.id}" lặp lại. / Plan id "${plan.id}" is repeated.` });
    planIds.add(plan.id);
    if (!provinces.has(plan.province))
      problems.push({ path: toPointer(["plans", pi, "province"]), message: `Không có tỉnh "${plan.province}". / Unknown province "${plan.province}".` });
    plan.targets.forEach((t, ti) => {
      if (targetIds.has(t.id))
        problems.push({ path: toPointer(["plans", pi, "targets", ti, "id"]), message: `Chỉ tiêu "${t.id}" lặp lại. / Target id "${t.id}" is repeated.` });
      targetIds.add(t.id);
      const seen = new Set<string>();
      t.facilities.forEach((fid, fi) => {
        const path = toPointer(["plans", pi, "targets", ti, "facilities", fi]);
        const f = registry.byId.get(fid);
        if (!f) problems.push({ path, message: `Không có cơ sở "${fid}". / Unknown facility "${fid}".` });
        else if (f.province !== plan.province)
          problems.push({ path, message: `Cơ sở "${fid}" không thuộc tỉnh "${plan.province}". / Facility "${fid}" is not in province "${plan.province}".` });
        if (seen.has(fid)) problems.push({ path, message: `Cơ sở "${fid}" lặp lại. / Facility "${fid}" is listed twice.` });
        seen.add(fid);
      });
    });
  });
  return problems.length ? { ok: false, problems } : { ok: true, document: doc };
}

/** A local calendar day, YYYY-MM-DD (a real date). */
export const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD")
  .refine((d) => new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d, "không có ngày này / no such date");

// ── tRPC inputs of `targets.*` ───────────────────────────────────────────────────────────────
export const TargetsYearInput = z.object({ year: TargetYear });
export const TargetUpdateInput = z.object({ id: slug, value: TargetValue });
export const TargetAssessInput = z.object({ id: slug, date: LocalDate, value: TargetValue, note: z.string().trim().max(2000).default("") });
export type TargetAssessInput = z.infer<typeof TargetAssessInput>;
/** The document is validated by `parseTargetsDocument` (readable problems), not by the input parser. */
export const TargetsImportInput = z.object({ document: z.unknown() });
