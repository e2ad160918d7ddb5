import { z } from "zod";

/**
 * Facility API v1 event schemas — the single source for validation, TypeScript types and the
 * OpenAPI document (contract: shared facility-api-v1.md, "Posting events"). Every object is
 * strict: an unknown field is a 422, so personal data cannot slip in.
 */

import { ADMISSION_COHORTS, DISCHARGE_OUTCOMES, EVENT_TYPES, REFERRAL_STATUSES, REFERRAL_URGENCIES, TREATMENT_CATEGORIES } from "./event-enums.js";

export { ADMISSION_COHORTS, DISCHARGE_OUTCOMES, EVENT_TYPES, REFERRAL_STATUSES, REFERRAL_URGENCIES, TREATMENT_CATEGORIES };

export type EventType = (typeof EVENT_TYPES)[number];
export type TreatmentCategory = (typeof TREATMENT_CATEGORIES)[number];
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

export const MAX_BATCH = 1000;

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
export const SenderIdSchema = z.string().min(1).max(128).regex(ID_PATTERN, "must be 1–128 characters of A-Z a-z 0-9 . _ : - starting with a letter or digit");

const common = {
  event_id: SenderIdSchema.meta({ description: "Unique per facility, chosen by the sender. A retry with the same id and body is a duplicate." }),
  facility_id: z.string().min(1).max(128).meta({ description: "Must be the API key's facility." }),
  occurred_at: z.iso
    .datetime({ offset: true, message: "must be an RFC 3339 date-time with an offset (Z or +07:00)" })
    .meta({ description: "RFC 3339 with offset; at most 5 minutes ahead of the server clock; not before 2000-01-01." }),
  unit: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .meta({ description: "Unit (ward/zone). Required on census/admission/discharge when the facility has units; must be absent when it has none." }),
};

export const CensusEventSchema = z
  .strictObject({
    ...common,
    type: z.literal("census"),
    occupied: z.number().int().min(0).max(1_000_000).meta({ description: "Absolute head count at occurred_at." }),
    capacity: z.number().int().min(0).max(1_000_000).optional().meta({ description: "Operational capacity from then on." }),
  })
  .meta({ id: "CensusEvent", title: "census" });

export const AdmissionEventSchema = z
  .strictObject({
    ...common,
    type: z.literal("admission"),
    count: z.number().int().min(1).max(1000).default(1),
    cohort: z.enum(ADMISSION_COHORTS).optional(),
  })
  .meta({ id: "AdmissionEvent", title: "admission" });

export const DischargeEventSchema = z
  .strictObject({
    ...common,
    type: z.literal("discharge"),
    count: z.number().int().min(1).max(1000).default(1),
    outcome: z.enum(DISCHARGE_OUTCOMES).optional(),
  })
  .meta({ id: "DischargeEvent", title: "discharge" });

export const TreatmentEventSchema = z
  .strictObject({
    ...common,
    type: z.literal("treatment"),
    category: z.enum(TREATMENT_CATEGORIES),
    count: z.number().int().min(1).max(10_000),
  })
  .meta({ id: "TreatmentEvent", title: "treatment" });

export const ReferralEventSchema = z
  .strictObject({
    ...common,
    type: z.literal("referral"),
    referral_id: SenderIdSchema,
    status: z.enum(REFERRAL_STATUSES),
    destination: z.string().min(1).max(200),
    urgency: z.enum(REFERRAL_URGENCIES).optional(),
  })
  .meta({ id: "ReferralEvent", title: "referral ('chuyển tuyến')" });

export const FacilityEventSchema = z
  .discriminatedUnion("type", [CensusEventSchema, AdmissionEventSchema, DischargeEventSchema, TreatmentEventSchema, ReferralEventSchema])
  .meta({ id: "FacilityEvent" });

export const EventBatchSchema = z.strictObject({ events: z.array(FacilityEventSchema).min(1).max(MAX_BATCH) }).meta({ id: "EventBatch" });

export type FacilityEvent = z.output<typeof FacilityEventSchema>;
export type CensusEvent = z.output<typeof CensusEventSchema>;
export type AdmissionEvent = z.output<typeof AdmissionEventSchema>;
export type DischargeEvent = z.output<typeof DischargeEventSchema>;
export type TreatmentEvent = z.output<typeof TreatmentEventSchema>;
export type ReferralEvent = z.output<typeof ReferralEventSchema>;
export type FacilityEventInput = z.input<typeof FacilityEventSchema>;

/**
 * The canonical text of a validated event: keys sorted, defaults applied. Two posts are "the
 * same body" (a retry → 200 duplicate) exactly when their canonical texts are equal, so
 * `"count": 1` and an omitted count are the same event; a different value is a 409.
 */
export function canonicalEvent(event: FacilityEvent): string {
  // Copy into a fresh object in sorted key order, then one plain JSON.stringify (V8's fast path;
  // a replacer or a sort per event costs several times more at batch-ingest rates).
  const sorted: Record<string, unknown> = {};
  for (const k of CANONICAL_KEYS) {
    const v = (event as Record<string, unknown>)[k];
    if (v !== undefined) sorted[k] = v;
  }
  return JSON.stringify(sorted);
}

const CANONICAL_KEYS: string[] = [
  ...new Set([CensusEventSchema, AdmissionEventSchema, DischargeEventSchema, TreatmentEventSchema, ReferralEventSchema].flatMap((s) => Object.keys(s.shape))),
].sort();
