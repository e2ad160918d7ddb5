import { z } from "zod";
import { TREATMENT_CATEGORIES } from "./events.js";
import { LEVELS } from "./levels.js";
import { FACILITY_TYPES } from "./registry.js";

/**
 * The status a facility reads back (`GET /api/v1/facilities/{id}/status`), which is also what
 * the board shows per tile. One schema: the TypeScript types below and the OpenAPI document
 * both come from it.
 */
export const DataQualitySchema = z.enum(["ok", "inconsistent"]);

export const TodayCountsSchema = z.object({
  admissions: z.number().int(),
  discharges: z.number().int(),
  treatments: z.partialRecord(z.enum(TREATMENT_CATEGORIES), z.number().int()),
  referrals_open: z.number().int().meta({ description: "referrals requested, accepted or transferred (not yet returned or cancelled)" }),
});

export const UnitStatusSchema = z.object({
  unit_id: z.string(),
  name: z.string(),
  name_en: z.string(),
  capacity: z.number().int(),
  occupied: z.number().int(),
  available: z.number().int(),
  occupancy_pct: z.number().nullable(),
  level: z.enum(LEVELS),
  data_quality: DataQualitySchema,
});

export const FacilityStatusSchema = z
  .object({
    facility_id: z.string(),
    name: z.string(),
    name_en: z.string(),
    type: z.enum(FACILITY_TYPES),
    province: z.string(),
    capacity: z.number().int(),
    occupied: z.number().int(),
    available: z.number().int().meta({ description: "capacity − occupied, never below 0" }),
    occupancy_pct: z.number().nullable().meta({ description: "one decimal; null when capacity is 0" }),
    level: z.enum(LEVELS).meta({ description: "below 85 % normal; 85 to below 95 high; 95 to 100 critical; above 100 over (per-facility thresholds)" }),
    stale: z.boolean().meta({ description: "no event accepted for longer than twice the reporting interval" }),
    data_quality: DataQualitySchema.meta({ description: "inconsistent: discharges took a count below zero since the latest census" }),
    last_event_at: z.string().nullable().meta({ description: "when the facility's latest event was accepted, in its time zone" }),
    as_of_seq: z.number().int().meta({ description: "the server-wide seq this status reflects" }),
    reporting_interval_minutes: z.number(),
    time_zone: z.string().meta({ description: "the facility's IANA time zone: its days and chart hours are local to it" }),
    today: TodayCountsSchema,
    units: z.array(UnitStatusSchema),
  })
  .meta({ id: "FacilityStatus" });

export type DataQuality = z.infer<typeof DataQualitySchema>;
export type TodayCounts = z.infer<typeof TodayCountsSchema>;
export type UnitStatus = z.infer<typeof UnitStatusSchema>;
export type FacilityStatus = z.infer<typeof FacilityStatusSchema>;
