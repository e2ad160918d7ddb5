import { z } from "zod";
import { DEFAULT_TIME_ZONE } from "./time.js";

export const FACILITY_TYPES = ["drug_rehab", "psychiatric", "social_protection", "social_work", "merit_nursing"] as const;
export const FacilityTypeSchema = z.enum(FACILITY_TYPES);
export type FacilityType = z.infer<typeof FacilityTypeSchema>;

/** Occupancy-percent thresholds for levels (contract: 85 / 95 / 100 by default, per facility configurable). */
export const ThresholdsSchema = z.strictObject({
  high: z.number().min(0),
  critical: z.number().min(0),
  over: z.number().min(0),
});
export type Thresholds = z.infer<typeof ThresholdsSchema>;
export const DEFAULT_THRESHOLDS: Thresholds = { high: 85, critical: 95, over: 100 };

const idSchema = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "ids are lower-case letters, digits and '-'");

export const UnitSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().min(1),
  name_en: z.string().optional(),
  capacity: z.number().int().min(0),
});

export const FacilitySchema = z.object({
  id: idSchema,
  name: z.string().min(1),
  name_en: z.string().optional(),
  type: FacilityTypeSchema,
  province: idSchema,
  commune: z.string().nullable().optional(),
  former_district: z.string().nullable().optional(),
  capacity: z.number().int().min(0),
  capacity_source: z.string().optional(),
  units: z.array(UnitSchema).default([]),
  reporting_interval_minutes: z.number().positive().default(15),
  time_zone: z.string().optional(),
  thresholds: ThresholdsSchema.optional(),
  location: z.object({ lat: z.number(), lon: z.number() }).passthrough().optional(),
});

export const RegistrySchema = z.object({
  version: z.literal(1),
  time_zone: z.string().default(DEFAULT_TIME_ZONE),
  provinces: z.array(z.object({ id: idSchema, name: z.string().min(1), note: z.string().optional() })).min(1),
  facility_types: z.record(z.string(), z.object({ vi: z.string(), en: z.string() })).optional(),
  facilities: z.array(FacilitySchema).min(1),
});

export interface Unit {
  id: string;
  name: string;
  nameEn: string;
  capacity: number;
}

/** A facility as the rest of carewatch sees it: defaults applied, names in both languages. */
export interface Facility {
  id: string;
  name: string;
  nameEn: string;
  type: FacilityType;
  province: string;
  provinceName: string;
  formerDistrict: string | null;
  capacity: number;
  units: Unit[];
  reportingIntervalMinutes: number;
  timeZone: string;
  thresholds: Thresholds;
}

/** A registry document as given (the JSON RegistrySchema validates, extra fields kept): what the store versions. */
export type RegistryDocument = z.input<typeof RegistrySchema> & Record<string, unknown>;

export interface Registry {
  /** The document this registry was parsed from, unchanged: edits apply to it (registry-edit.ts). */
  document: RegistryDocument;
  timeZone: string;
  provinces: { id: string; name: string }[];
  facilities: Facility[];
  byId: Map<string, Facility>;
}

export type RegistryResult = { ok: true; registry: Registry } | { ok: false; problems: string[] };

/** Validate a registry document (already JSON-parsed). Problems name the offending path. */
export function parseRegistry(doc: unknown): RegistryResult {
  const parsed = RegistrySchema.safeParse(doc);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`),
    };
  }
  const r = parsed.data;
  const problems: string[] = [];
  const provinces = new Map(r.provinces.map((p) => [p.id, p.name]));
  const seen = new Set<string>();
  const facilities: Facility[] = r.facilities.map((f, i) => {
    if (seen.has(f.id)) problems.push(`facilities.${i}.id: duplicate facility id "${f.id}"`);
    seen.add(f.id);
    if (!provinces.has(f.province)) problems.push(`facilities.${i}.province: unknown province "${f.province}"`);
    const unitIds = new Set<string>();
    for (const [j, u] of f.units.entries()) {
      if (unitIds.has(u.id)) problems.push(`facilities.${i}.units.${j}.id: duplicate unit id "${u.id}"`);
      unitIds.add(u.id);
    }
    const tz = f.time_zone ?? r.time_zone;
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz });
    } catch {
      problems.push(`facilities.${i}.time_zone: unknown time zone "${tz}"`);
    }
    return {
      id: f.id,
      name: f.name,
      nameEn: f.name_en ?? f.name,
      type: f.type,
      province: f.province,
      provinceName: provinces.get(f.province) ?? f.province,
      formerDistrict: f.former_district ?? null,
      // With units, the facility's capacity is the sum of its units' (what the census rule sums).
      capacity: f.units.length > 0 ? f.units.reduce((s, u) => s + u.capacity, 0) : f.capacity,
      units: f.units.map((u) => ({ id: u.id, name: u.name, nameEn: u.name_en ?? u.name, capacity: u.capacity })),
      reportingIntervalMinutes: f.reporting_interval_minutes,
      timeZone: tz,
      thresholds: f.thresholds ?? DEFAULT_THRESHOLDS,
    };
  });
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    registry: {
      document: doc as RegistryDocument,
      timeZone: r.time_zone,
      provinces: r.provinces.map((p) => ({ id: p.id, name: p.name })),
      facilities,
      byId: new Map(facilities.map((f) => [f.id, f])),
    },
  };
}
