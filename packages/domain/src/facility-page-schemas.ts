import { z } from "zod";
import { HISTORY_RANGES } from "./history-buckets.js";

/**
 * Inputs of the facility page's reads (issue 8; tRPC `facility.*`): one source for the server's
 * validation and the web's types.
 */
const facilityId = z.string().trim().min(1).max(128);
const rfc3339 = z.iso.datetime({ offset: true, message: "must be an RFC 3339 date-time with an offset (Z or +07:00)" });

export const HistoryRangeSchema = z.enum(HISTORY_RANGES);

export const FacilityIdInputSchema = z.strictObject({ id: facilityId });
export const FacilityHistoryInputSchema = z.strictObject({ id: facilityId, range: HistoryRangeSchema.default("24h") });
export const FacilityAsOfInputSchema = z.strictObject({ id: facilityId, at: rfc3339 });
export const FacilityEventsInputSchema = z
  .strictObject({
    id: facilityId,
    from: z.number().int().nonnegative(),
    to: z.number().int().nonnegative(),
    limit: z.number().int().min(1).max(500).default(200),
  })
  .refine((v) => v.to > v.from, { message: "to must be after from", path: ["to"] })
  // A chart point is at most a day; a week leaves room and keeps the answer small.
  .refine((v) => v.to - v.from <= 8 * 86_400_000, { message: "at most 8 days at a time", path: ["to"] });

export type FacilityHistoryInput = z.infer<typeof FacilityHistoryInputSchema>;
export type FacilityAsOfInput = z.infer<typeof FacilityAsOfInputSchema>;
export type FacilityEventsInput = z.infer<typeof FacilityEventsInputSchema>;
