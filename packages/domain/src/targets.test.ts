import { describe, expect, it } from "vitest";
import { demoRegistryDocument } from "./demo-data.js";
import { parseRegistry, type Registry } from "./registry.js";
import { parseTargetsDocument, TargetAssessInput, type TargetsDocument } from "./targets.js";
import { demoTargetsDocument, illustrativeForYear } from "./targets-demo.js";

const reg = parseRegistry(demoRegistryDocument);
if (!reg.ok) throw new Error("demo registry");
const registry: Registry = reg.registry;

const clone = (): TargetsDocument => JSON.parse(JSON.stringify(demoTargetsDocument)) as TargetsDocument;
const paths = (input: unknown) => {
  const r = parseTargetsDocument(input, registry);
  if (r.ok) throw new Error("expected problems");
  return r.problems;
};

describe("targets document", () => {
  it("the bundled document is valid against the demo registry", () => {
    const r = parseTargetsDocument(demoTargetsDocument, registry);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.document.plans.flatMap((p) => p.targets)).toHaveLength(14);
  });

  it("names every problem by its JSON Pointer, in Vietnamese then English", () => {
    const doc = clone() as any;
    doc.plans[1].targets[0].facilities = ["lc-merit-nursing-sapa", "nowhere", "sl-drug-rehab", "lc-merit-nursing-sapa"];
    doc.plans[1].targets[1].id = doc.plans[1].targets[0].id;
    doc.plans[2].province = "ha-noi";
    const problems = paths(doc);
    expect(problems).toContainEqual({ path: "/plans/1/targets/0/facilities/1", message: 'Không có cơ sở "nowhere". / Unknown facility "nowhere".' });
    expect(problems.map((p) => p.path)).toEqual(
      expect.arrayContaining(["/plans/1/targets/0/facilities/2", "/plans/1/targets/0/facilities/3", "/plans/1/targets/1/id", "/plans/2/province"]),
    );
    expect(problems.find((p) => p.path === "/plans/1/targets/0/facilities/2")?.message).toMatch(/không thuộc tỉnh "lao-cai".*not in province/);
  });

  it("refuses shapes the schema does not allow, with readable messages", () => {
    const doc = clone() as any;
    delete doc.plans[1].targets[0].category;
    doc.plans[0].targets[0].value = 120;
    doc.plans[0].targets[1].resident_names = ["x"];
    doc.plans[1].targets[2].kind = "headcount";
    const problems = paths(doc);
    const at = (p: string) => problems.find((x) => x.path === p)?.message ?? "";
    expect(at("/plans/1/targets/0/category")).toBe("Cần loại điều trị (category). / A treatment target needs a category.");
    expect(at("/plans/0/targets/0/value")).toBe("Tỉ lệ phần trăm không quá 100. / A percentage is at most 100.");
    expect(at("/plans/0/targets/1/resident_names")).toMatch(/^Không hợp lệ: Unknown field "resident_names".* \/ Invalid: Unknown field/);
    expect(at("/plans/1/targets/2/kind")).not.toBe("");
    expect(paths({ version: 2, plans: [] }).map((p) => p.path)).toEqual(expect.arrayContaining(["/version", "/plans"]));
    expect(paths("not a document")[0]?.path).toBe("");
  });

  it("an assessment's date is a real YYYY-MM-DD date", () => {
    expect(TargetAssessInput.safeParse({ id: "a", date: "2026-02-30", value: 1 }).success).toBe(false);
    expect(TargetAssessInput.parse({ id: "a", date: "2026-02-28", value: 1 })).toEqual({ id: "a", date: "2026-02-28", value: 1, note: "" });
  });
});

describe("the demo's illustrative targets follow the current year", () => {
  it("moves illustrative targets (and the year in their ids and title) to the year; published ones stay", () => {
    const r = parseTargetsDocument(demoTargetsDocument, registry);
    if (!r.ok) throw new Error("bundled");
    const moved = illustrativeForYear(r.document, 2027);
    const demo = moved.plans.find((p) => p.source === "illustrative")!;
    expect(demo.id).toBe("lao-cai-2027-demo");
    expect(demo.title).toContain("năm 2027");
    expect(demo.targets.map((t) => [t.id, t.year])).toEqual([
      ["lc-convalescence-2027", 2027],
      ["lc-orthopedic-2027", 2027],
      ["lc-drug-treatment-2027", 2027],
      ["lc-social-work-2027", 2027],
    ]);
    expect(moved.plans.filter((p) => p.source === "published")).toEqual(r.document.plans.filter((p) => p.source === "published"));
    expect(parseTargetsDocument(moved, registry).ok).toBe(true);
    expect(illustrativeForYear(r.document, 2026)).toEqual(r.document);
  });
});
