import { z } from "zod";
import { FacilityTypeSchema, parseRegistry, ThresholdsSchema, type Facility, type Registry, type RegistryDocument } from "./registry.js";

/**
 * Changes to the facility registry made in the admin console: add a facility or a unit, change
 * capacities, thresholds, the reporting interval and names. Pure: the current registry and the
 * change in, the next document (or every problem) out; the store keeps each result as a new
 * version in force from `effective_from`, so past events are never rewritten.
 *
 * What a change may not do, and why: a facility's type, province and time zone stay (the
 * rollups' local days and every scope were computed with them — a different one is a new
 * facility); no facility or unit is removed (events refer to them); a facility reporting
 * without units does not gain units, nor the reverse (its events' unit column would stop
 * counting).
 */

const name = z.string().trim().min(1).max(200);

export const UnitEditSchema = z.object({
  id: z.string().trim().min(1).max(64),
  name,
  name_en: z.string().trim().max(200).optional(),
  capacity: z.number().int().min(0).max(100_000),
});

export const FacilityEditSchema = z.object({
  id: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]*$/, "ids are lower-case letters, digits and '-'")
    .max(64),
  name,
  name_en: z.string().trim().max(200).optional(),
  type: FacilityTypeSchema,
  province: z.string().trim().min(1).max(100),
  /** Ignored when the facility has units: its capacity is their sum. */
  capacity: z.number().int().min(0).max(100_000),
  units: z.array(UnitEditSchema).max(50).default([]),
  reporting_interval_minutes: z
    .number()
    .positive()
    .max(7 * 24 * 60),
  thresholds: ThresholdsSchema,
});
export type FacilityEdit = z.infer<typeof FacilityEditSchema>;

/** One change: a new facility, or new values for an existing one; in force from `effective_from` (epoch ms; default now). */
export const RegistryChangeInput = z.object({
  mode: z.enum(["add", "update"]),
  facility: FacilityEditSchema,
  effective_from: z.number().int().nonnegative().optional(),
  /** The registry version the form showed: refused when someone changed it since (no silent overwrite). */
  based_on: z.number().int().positive().optional(),
});
export type RegistryChangeInput = z.infer<typeof RegistryChangeInput>;

export type RegistryChangeResult =
  { ok: true; registry: Registry; effectiveFrom: number; before: FacilityEdit | null; after: FacilityEdit } | { ok: false; problems: string[] };

/** A facility as the edit form shows it (the registry's own fields, snake_case as in the document). */
export function facilityEditOf(f: Facility): FacilityEdit {
  return {
    id: f.id,
    name: f.name,
    name_en: f.nameEn,
    type: f.type,
    province: f.province,
    capacity: f.capacity,
    units: f.units.map((u) => ({ id: u.id, name: u.name, name_en: u.nameEn, capacity: u.capacity })),
    reporting_interval_minutes: f.reportingIntervalMinutes,
    thresholds: { ...f.thresholds },
  };
}

type DocFacility = RegistryDocument["facilities"][number] & Record<string, unknown>;

/** Problems are Vietnamese, then English: the admin reads them as they are. */
function problemsOf(current: Registry, change: RegistryChangeInput, now: number): string[] {
  const f = change.facility;
  const problems: string[] = [];
  const existing = current.byId.get(f.id);
  const t = f.thresholds;
  if (!(t.high <= t.critical && t.critical <= t.over))
    problems.push("Ngưỡng phải tăng dần: cao ≤ nguy cấp ≤ quá tải. / Thresholds must rise: high ≤ critical ≤ over.");
  const unitIds = new Set<string>();
  for (const u of f.units) {
    if (unitIds.has(u.id)) problems.push(`Trùng mã khu "${u.id}". / Duplicate unit id "${u.id}".`);
    unitIds.add(u.id);
  }
  if (change.effective_from !== undefined && change.effective_from > now)
    problems.push("Chưa thể áp dụng từ một thời điểm trong tương lai. / A change cannot take effect in the future.");
  if (change.mode === "add") {
    if (existing) problems.push(`Đã có cơ sở "${f.id}". / Facility "${f.id}" already exists.`);
    if (!current.provinces.some((p) => p.id === f.province)) problems.push(`Không có tỉnh "${f.province}". / Unknown province "${f.province}".`);
    return problems;
  }
  if (!existing) return [`Không có cơ sở "${f.id}". / Unknown facility "${f.id}".`];
  if (f.type !== existing.type) problems.push("Không đổi được loại cơ sở. / A facility's type cannot change.");
  if (f.province !== existing.province) problems.push("Không đổi được tỉnh của cơ sở. / A facility's province cannot change.");
  if (existing.units.length > 0 !== f.units.length > 0)
    problems.push("Không thêm khu cho cơ sở báo cáo không theo khu, và ngược lại. / A facility keeps reporting with units, or without.");
  for (const u of existing.units) {
    if (!unitIds.has(u.id)) problems.push(`Không xoá được khu "${u.id}" (đã có sự kiện). / Unit "${u.id}" cannot be removed (events refer to it).`);
  }
  return problems;
}

/** The registry after `change`, or why not. `now` bounds `effective_from` (no change takes effect in the future). */
export function applyRegistryChange(current: Registry, change: RegistryChangeInput, now: number): RegistryChangeResult {
  const problems = problemsOf(current, change, now);
  if (problems.length) return { ok: false, problems };
  const f = change.facility;
  const docFacilities = current.document.facilities as DocFacility[];
  const old = docFacilities.find((d) => d.id === f.id);
  const oldUnits = new Map(((old?.units ?? []) as Record<string, unknown>[]).map((u) => [u.id, u]));
  const next: DocFacility = {
    // Fields the form does not edit (commune, location, agency, notes…) are kept as they were.
    ...(old ?? {}),
    id: f.id,
    name: f.name,
    ...(f.name_en ? { name_en: f.name_en } : {}),
    type: f.type,
    province: f.province,
    capacity: f.units.length > 0 ? f.units.reduce((s, u) => s + u.capacity, 0) : f.capacity,
    units: f.units.map((u) => ({ ...(oldUnits.get(u.id) ?? {}), id: u.id, name: u.name, ...(u.name_en ? { name_en: u.name_en } : {}), capacity: u.capacity })),
    reporting_interval_minutes: f.reporting_interval_minutes,
    thresholds: { ...f.thresholds },
  };
  const document: RegistryDocument = {
    ...current.document,
    facilities: old ? docFacilities.map((d) => (d.id === f.id ? next : d)) : [...docFacilities, next],
  };
  const parsed = parseRegistry(document);
  if (!parsed.ok) return { ok: false, problems: parsed.problems };
  const before = current.byId.get(f.id);
  const after = parsed.registry.byId.get(f.id)!;
  return {
    ok: true,
    registry: parsed.registry,
    effectiveFrom: change.effective_from ?? now,
    before: before ? facilityEditOf(before) : null,
    after: facilityEditOf(after),
  };
}

/**
 * The version of a registry in force at instant `t`, from versions in number order: the last
 * one whose effective_from is at or before `t` (a later change with an earlier date overrides),
 * or the first one for instants before any.
 */
export function versionAt<V extends { effectiveFrom: number }>(versions: readonly V[], t: number): V | undefined {
  for (let i = versions.length - 1; i >= 0; i--) {
    const v = versions[i]!;
    if (v.effectiveFrom <= t) return v;
  }
  return versions[0];
}
