// The demo's plan targets, bundled with carewatch (a copy of the province data given to the
// project; ids unchanged). Static data, not I/O: bundlers inline the JSON.
import targets from "../data/targets.json" with { type: "json" };
import type { TargetsDocument } from "./targets.js";

export const demoTargetsDocument: unknown = targets;

/**
 * The demo's illustrative targets follow the current year: each target of a plan whose source is
 * "illustrative" is moved to `year`, and the year it was written for is replaced by `year` in
 * its id and in the plan's id and title ("lc-convalescence-2026" → "lc-convalescence-2027"), so
 * that each year's illustrative targets are their own rows and last year's stay as they were
 * (final). Published plans are quoted as they are. The demo applies this before importing
 * (apps/demo); an administrator's own import is never rewritten.
 */
export function illustrativeForYear(doc: TargetsDocument, year: number): TargetsDocument {
  return {
    ...doc,
    plans: doc.plans.map((plan) => {
      if (plan.source !== "illustrative") return plan;
      const years = new Set(plan.targets.map((t) => t.year));
      const swap = (s: string) => [...years].reduce((acc, y) => acc.replace(new RegExp(`\\b${y}\\b`, "g"), String(year)), s);
      return { ...plan, id: swap(plan.id), title: swap(plan.title), targets: plan.targets.map((t) => ({ ...t, id: swap(t.id), year })) };
    }),
  };
}
