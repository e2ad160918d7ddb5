import { describe, expect, it } from "vitest";
import { demoRegistryDocument } from "./demo-data.js";
import { parseRegistry, type Registry } from "./registry.js";
import { applyRegistryChange, facilityEditOf, versionAt, type FacilityEdit } from "./registry-edit.js";

const NOW = Date.parse("2026-11-22T07:30:00Z");

function demo(): Registry {
  const r = parseRegistry(JSON.parse(JSON.stringify(demoRegistryDocument)) as unknown);
  if (!r.ok) throw new Error(r.problems.join("\n"));
  return r.registry;
}

const edit = (r: Registry, id: string, patch: Partial<FacilityEdit>): FacilityEdit => ({ ...facilityEditOf(r.byId.get(id)!), ...patch });

describe("applyRegistryChange", () => {
  it("changes a unit's capacity, the facility's sum follows, and every other field of the document stays", () => {
    const r = demo();
    const f = r.byId.get("sl-drug-rehab")!;
    const units = facilityEditOf(f).units.map((u, i) => (i === 0 ? { ...u, capacity: u.capacity + 40 } : u));
    const out = applyRegistryChange(r, { mode: "update", facility: edit(r, f.id, { units }) }, NOW);
    if (!out.ok) throw new Error(out.problems.join("\n"));
    expect(out.registry.byId.get(f.id)!.capacity).toBe(f.capacity + 40);
    expect(out.effectiveFrom).toBe(NOW);
    expect(out.before?.units[0]?.capacity).toBe(f.units[0]!.capacity);
    expect(out.after.units[0]?.capacity).toBe(f.units[0]!.capacity + 40);
    // The agency, notes and coordinates the form does not edit are still in the stored document.
    const before = (r.document.facilities as Record<string, unknown>[]).find((d) => d.id === f.id)!;
    const after = (out.registry.document.facilities as Record<string, unknown>[]).find((d) => d.id === f.id)!;
    expect(after.agency).toEqual(before.agency);
    expect(after.location).toEqual(before.location);
    // The input registry is not changed.
    expect(r.byId.get(f.id)!.capacity).toBe(f.capacity);
  });

  it("adds a facility with units in a known province", () => {
    const r = demo();
    const facility: FacilityEdit = {
      id: "sl-new-centre",
      name: "Trung tâm mới",
      type: "social_work",
      province: "son-la",
      capacity: 0,
      units: [{ id: "a", name: "Khu A", capacity: 30 }],
      reporting_interval_minutes: 60,
      thresholds: { high: 80, critical: 90, over: 100 },
    };
    const out = applyRegistryChange(r, { mode: "add", facility }, NOW);
    if (!out.ok) throw new Error(out.problems.join("\n"));
    expect(out.before).toBeNull();
    expect(out.registry.facilities).toHaveLength(r.facilities.length + 1);
    expect(out.registry.byId.get("sl-new-centre")).toMatchObject({ capacity: 30, nameEn: "Trung tâm mới", timeZone: r.timeZone, reportingIntervalMinutes: 60 });
  });

  it.each<[string, (r: Registry) => Parameters<typeof applyRegistryChange>[1], RegExp]>([
    ["an existing id added again", (r) => ({ mode: "add", facility: edit(r, "sl-psychiatric", {}) }), /already exists/],
    ["an unknown province", (r) => ({ mode: "add", facility: edit(r, "sl-psychiatric", { id: "x-1", province: "ha-noi" }) }), /Unknown province/],
    ["an unknown facility updated", (r) => ({ mode: "update", facility: edit(r, "sl-psychiatric", { id: "nope" }) }), /Unknown facility/],
    ["a new type", (r) => ({ mode: "update", facility: edit(r, "sl-psychiatric", { type: "social_work" }) }), /type cannot change/],
    ["a new province", (r) => ({ mode: "update", facility: edit(r, "sl-psychiatric", { province: "lao-cai" }) }), /province cannot change/],
    [
      "falling thresholds",
      (r) => ({ mode: "update", facility: edit(r, "sl-psychiatric", { thresholds: { high: 95, critical: 90, over: 100 } }) }),
      /Thresholds must rise/,
    ],
    [
      "a removed unit",
      (r) => ({ mode: "update", facility: edit(r, "sl-drug-rehab", { units: facilityEditOf(r.byId.get("sl-drug-rehab")!).units.slice(1) }) }),
      /cannot be removed/,
    ],
    [
      "duplicate unit ids",
      (r) => {
        const units = facilityEditOf(r.byId.get("sl-drug-rehab")!).units;
        return { mode: "update", facility: edit(r, "sl-drug-rehab", { units: [...units, { ...units[0]! }] }) };
      },
      /Duplicate unit id/,
    ],
    ["a date in the future", (r) => ({ mode: "update", facility: edit(r, "sl-psychiatric", {}), effective_from: NOW + 60_000 }), /in the future/],
  ])("refuses %s, with a reason in both languages", (_, make, reason) => {
    const r = demo();
    const out = applyRegistryChange(r, make(r), NOW);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.problems.join("\n")).toMatch(reason);
  });

  it("does not give units to a facility that reports without them, nor take them all away", () => {
    const r = demo();
    const gain = applyRegistryChange(r, { mode: "update", facility: edit(r, "sl-social-protection", { units: [{ id: "a", name: "A", capacity: 5 }] }) }, NOW);
    expect(gain.ok).toBe(false);
    const lose = applyRegistryChange(r, { mode: "update", facility: edit(r, "sl-psychiatric", { units: [] }) }, NOW);
    expect(lose.ok).toBe(false);
  });
});

describe("versionAt", () => {
  const v = [
    { n: 1, effectiveFrom: 0 },
    { n: 2, effectiveFrom: 1_000 },
    { n: 3, effectiveFrom: 500 }, // backdated: overrides 2 from 500 on
  ];
  it.each([
    [-5, 1],
    [0, 1],
    [499, 1],
    [500, 3],
    [2_000, 3],
  ])("at %d the version in force is %d", (t, n) => expect(versionAt(v, t)?.n).toBe(n));
  it("is the first version before any, and undefined without versions", () => {
    expect(versionAt([{ effectiveFrom: 10 }], 5)).toEqual({ effectiveFrom: 10 });
    expect(versionAt([], 5)).toBeUndefined();
  });
});
