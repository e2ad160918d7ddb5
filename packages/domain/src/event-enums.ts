// The Facility API's enumerations as plain constants (no zod), so a browser form can offer the
// same choices the schemas in events.ts accept without bundling the schemas.

export const EVENT_TYPES = ["census", "admission", "discharge", "treatment", "referral"] as const;
export const ADMISSION_COHORTS = ["voluntary", "compulsory", "emergency", "other"] as const;
export const DISCHARGE_OUTCOMES = ["completed", "transferred", "absconded", "deceased", "other"] as const;
export const TREATMENT_CATEGORIES = [
  "detox",
  "methadone",
  "psychosocial",
  "vocational",
  "psychiatric_care",
  "physical_rehab",
  "convalescence",
  "orthopedic_device",
  "nurturing",
  "health_check",
  "other",
] as const;
export const REFERRAL_STATUSES = ["requested", "accepted", "transferred", "returned", "cancelled"] as const;
export const REFERRAL_URGENCIES = ["routine", "urgent", "emergency"] as const;
