import { describe, expect, it } from "vitest";
import facilitiesJson from "../data/facilities.json" with { type: "json" };
import { demoRegistryDocument } from "./demo-data.js";
import { DEFAULT_THRESHOLDS, parseRegistry, type Registry } from "./registry.js";

const KNOWN_IDS = [
  "sl-drug-rehab",
  "sl-drug-rehab-song-ma",
  "sl-social-protection",
  "sl-psychiatric",
  "sl-merit-nursing",
  "lc-merit-nursing-sapa",
  "lc-social-work",
  "lc-drug-rehab-1",
  "lc-drug-rehab-2",
];

interface RawFacility {
  id: string;
  capacity: number;
  units?: { id: string; capacity: number }[];
  [k: string]: unknown;
}
interface RawRegistry {
  time_zone?: string;
  provinces: { id: string; name: string }[];
  facilities: RawFacility[];
  [k: string]: unknown;
}
/** A fresh, mutable copy of the bundled document. */
const doc = (): RawRegistry => JSON.parse(JSON.stringify(facilitiesJson)) as RawRegistry;

function parsedOk(d: unknown): Registry {
  const r = parseRegistry(d);
  if (!r.ok) throw new Error(r.problems.join("; "));
  return r.registry;
}
function problems(d: unknown): string[] {
  const r = parseRegistry(d);
  if (r.ok) throw new Error("expected the registry to be refused");
  return r.problems;
}

describe("the bundled registry", () => {
  const reg = parsedOk(demoRegistryDocument);

  it("is the data file", () => expect(demoRegistryDocument).toEqual(facilitiesJson));

  it("has the 9 facilities with the known ids, in file order", () => {
    expect(reg.facilities.map((f) => f.id)).toEqual(KNOWN_IDS);
    for (const id of KNOWN_IDS) expect(reg.byId.get(id)?.id).toBe(id);
    expect(reg.byId.size).toBe(9);
  });

  it("has Sơn La and Lào Cai, in Asia/Ho_Chi_Minh", () => {
    expect(reg.provinces.map((p) => p.id)).toEqual(["son-la", "lao-cai"]);
    expect(reg.timeZone).toBe("Asia/Ho_Chi_Minh");
    for (const f of reg.facilities) {
      expect(f.timeZone).toBe("Asia/Ho_Chi_Minh");
      expect(["son-la", "lao-cai"]).toContain(f.province);
      expect(f.provinceName).toBe(f.province === "son-la" ? "Sơn La" : "Lào Cai");
    }
  });

  it("unit capacities sum to the facility capacity (in the file and in the parsed registry)", () => {
    const withUnits = reg.facilities.filter((f) => f.units.length > 0).map((f) => f.id);
    expect(withUnits).toEqual(["sl-drug-rehab", "sl-psychiatric", "lc-drug-rehab-1"]);
    for (const raw of doc().facilities) {
      const f = reg.byId.get(raw.id)!;
      if (raw.units && raw.units.length > 0) {
        const sum = raw.units.reduce((s, u) => s + u.capacity, 0);
        expect(sum, raw.id).toBe(raw.capacity);
        expect(
          f.units.reduce((s, u) => s + u.capacity, 0),
          raw.id,
        ).toBe(f.capacity);
      }
      expect(f.capacity, raw.id).toBe(raw.capacity);
    }
    expect(reg.byId.get("sl-drug-rehab")!.units.map((u) => u.id)).toEqual(["compulsory", "voluntary", "female", "medical"]);
    expect(reg.byId.get("sl-drug-rehab-song-ma")!.capacity).toBe(150);
  });

  it("applies defaults: thresholds 85/95/100, English names, reporting intervals", () => {
    for (const f of reg.facilities) {
      expect(f.thresholds).toEqual(DEFAULT_THRESHOLDS);
      expect(f.nameEn.length).toBeGreaterThan(0);
      expect(f.reportingIntervalMinutes).toBeGreaterThan(0);
    }
    expect(reg.byId.get("sl-social-protection")!.reportingIntervalMinutes).toBe(30);
    expect(reg.byId.get("sl-merit-nursing")!.reportingIntervalMinutes).toBe(60);
  });
});

describe("small valid registries", () => {
  const minimal = () => ({
    version: 1,
    provinces: [{ id: "p", name: "P" }],
    facilities: [{ id: "f-1", name: "Cơ sở", type: "psychiatric", province: "p", capacity: 10 }],
  });

  it("defaults: zone Asia/Ho_Chi_Minh, interval 15, no units, name_en = name, thresholds", () => {
    const f = parsedOk(minimal()).facilities[0]!;
    expect(f).toMatchObject({ timeZone: "Asia/Ho_Chi_Minh", reportingIntervalMinutes: 15, units: [], nameEn: "Cơ sở", formerDistrict: null });
    expect(f.thresholds).toEqual(DEFAULT_THRESHOLDS);
  });

  it("per-facility time zone and thresholds are kept", () => {
    const d = minimal();
    Object.assign(d.facilities[0]!, { time_zone: "Europe/Berlin", thresholds: { high: 70, critical: 90, over: 110 } });
    const f = parsedOk(d).facilities[0]!;
    expect(f.timeZone).toBe("Europe/Berlin");
    expect(f.thresholds).toEqual({ high: 70, critical: 90, over: 110 });
  });

  it("with units, the facility's capacity is the sum of its units'", () => {
    const d = minimal();
    Object.assign(d.facilities[0]!, {
      units: [
        { id: "a", name: "A", capacity: 3 },
        { id: "b", name: "B", name_en: "Bee", capacity: 4 },
      ],
    });
    const f = parsedOk(d).facilities[0]!;
    expect(f.capacity).toBe(7);
    expect(f.units).toEqual([
      { id: "a", name: "A", nameEn: "A", capacity: 3 },
      { id: "b", name: "B", nameEn: "Bee", capacity: 4 },
    ]);
  });
});

describe("malformed registries are refused, naming the path", () => {
  const expectProblem = (d: unknown, prefix: string) => {
    const ps = problems(d);
    expect(
      ps.some((p) => p.startsWith(prefix)),
      `${prefix} in ${JSON.stringify(ps)}`,
    ).toBe(true);
    return ps;
  };

  it("duplicate facility id", () => {
    const d = doc();
    d.facilities[4]!.id = d.facilities[1]!.id;
    const ps = expectProblem(d, "facilities.4.id:");
    expect(ps.join("\n")).toContain("sl-drug-rehab-song-ma");
  });

  it("duplicate unit id", () => {
    const d = doc();
    d.facilities[0]!.units![2]!.id = "compulsory";
    expectProblem(d, "facilities.0.units.2.id:");
  });

  it("unknown province", () => {
    const d = doc();
    d.facilities[6]!.province = "yen-bai";
    const ps = expectProblem(d, "facilities.6.province:");
    expect(ps.join("\n")).toContain("yen-bai");
  });

  it("bad facility type", () => {
    const d = doc();
    d.facilities[2]!.type = "hospital";
    expectProblem(d, "facilities.2.type:");
  });

  it.each(["id", "name", "type", "province", "capacity"])("missing facility field %s", (field) => {
    const d = doc();
    delete d.facilities[3]![field];
    expectProblem(d, `facilities.3.${field}:`);
  });

  it("bad values", () => {
    const cases: [(d: RawRegistry) => void, string][] = [
      [(d) => (d.facilities[0]!.capacity = -1), "facilities.0.capacity:"],
      [(d) => (d.facilities[1]!.capacity = 1.5), "facilities.1.capacity:"],
      [(d) => (d.facilities[1]!.id = "Upper-Case"), "facilities.1.id:"],
      [(d) => (d.facilities[1]!.reporting_interval_minutes = 0), "facilities.1.reporting_interval_minutes:"],
      [(d) => (d.facilities[0]!.units![1]!.capacity = -3), "facilities.0.units.1.capacity:"],
      [(d) => (d.facilities[1]!.thresholds = { high: 85, critical: 95 }), "facilities.1.thresholds.over:"],
      [(d) => (d.version = 2), "version:"],
      [(d) => (d.provinces = []), "provinces:"],
      [(d) => (d.facilities = []), "facilities:"],
    ];
    for (const [mutate, prefix] of cases) {
      const d = doc();
      mutate(d);
      expectProblem(d, prefix);
    }
  });

  it("unknown time zone, per facility or registry-wide", () => {
    const d = doc();
    d.facilities[5]!.time_zone = "Asia/Hanoi_Nowhere";
    const ps = expectProblem(d, "facilities.5.time_zone:");
    expect(ps.join("\n")).toContain("Asia/Hanoi_Nowhere");

    const all = doc();
    all.time_zone = "Mars/Olympus";
    const allPs = problems(all);
    expect(allPs).toHaveLength(9);
    for (let i = 0; i < 9; i++) expect(allPs).toContain(`facilities.${i}.time_zone: unknown time zone "Mars/Olympus"`);
  });

  it("lists several problems at once", () => {
    const d = doc();
    d.facilities[1]!.id = "sl-drug-rehab";
    d.facilities[7]!.province = "ha-noi";
    const ps = problems(d);
    expect(ps.some((p) => p.startsWith("facilities.1.id:"))).toBe(true);
    expect(ps.some((p) => p.startsWith("facilities.7.province:"))).toBe(true);
  });

  it.each([null, 42, "registry", []])("a non-object document %j", (d) => {
    expect(problems(d).length).toBeGreaterThan(0);
    expect(problems(d)[0]).toMatch(/^\(root\): /);
  });
});
