import { z } from "zod";
import { REFERRAL_URGENCIES } from "./event-enums.js";
import { DEFAULT_OVERDUE_THRESHOLDS, type OverdueThresholds } from "./referral-timeline.js";

/**
 * The inputs of /referrals (tRPC `referrals.*`) and the overdue thresholds' setting, one schema
 * each. Shapes only: whether a facility exists, and who may see it, is the server's to say.
 */

const positiveMs = z.number().int().positive();
export const OverdueThresholdsSchema = z.strictObject({ emergency: positiveMs, urgent: positiveMs, routine: positiveMs });

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `CAREWATCH_REFERRAL_OVERDUE`: `emergency=2h,urgent=24h,routine=7d` (minutes, hours or days);
 * an urgency left out keeps its default. Every problem is named, so start-up can refuse the
 * whole setting with one message.
 */
export function parseOverdueThresholds(text: string): { ok: true; thresholds: OverdueThresholds } | { ok: false; problems: string[] } {
  const thresholds: OverdueThresholds = { ...DEFAULT_OVERDUE_THRESHOLDS };
  const problems: string[] = [];
  const seen = new Set<string>();
  const parts = text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) problems.push("expected urgency=duration pairs such as emergency=2h,urgent=24h,routine=7d");
  for (const part of parts) {
    const m = /^([a-z]+)\s*=\s*(\d+)\s*([mhd])$/.exec(part);
    const urgency = m?.[1] as (typeof REFERRAL_URGENCIES)[number] | undefined;
    if (!m || !urgency) {
      problems.push(`"${part}" is not urgency=duration (e.g. urgent=24h; units m, h, d)`);
      continue;
    }
    if (!REFERRAL_URGENCIES.includes(urgency)) {
      problems.push(`"${m[1]}" is not an urgency (${REFERRAL_URGENCIES.join(", ")})`);
      continue;
    }
    if (seen.has(urgency)) problems.push(`${urgency} is given twice`);
    seen.add(urgency);
    const ms = Number(m[2]) * UNIT_MS[m[3]!]!;
    if (!(ms > 0) || !Number.isSafeInteger(ms)) problems.push(`${urgency}: the duration must be more than zero`);
    else thresholds[urgency] = ms;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, thresholds };
}

const instant = z.number().int().nonnegative();
const facility = z.string().trim().min(1).max(128);
const destination = z.string().trim().min(1).max(200);

/** What both the list and the counts filter on. `from`/`to` bound when a referral began (`to` excluded), epoch ms. */
const ReferralScopeInput = {
  facility: facility.optional(),
  destination: destination.optional(),
  urgency: z.enum(REFERRAL_URGENCIES).optional(),
  from: instant.optional(),
  to: instant.optional(),
};

const periodInOrder = (v: { from?: number | undefined; to?: number | undefined }) => v.from === undefined || v.to === undefined || v.from < v.to;
const periodMessage = { message: "from must be before to / «từ» phải trước «đến»", path: ["to"] };

export const REFERRAL_STATES = ["open", "closed", "all"] as const;
export type ReferralState = (typeof REFERRAL_STATES)[number];

/** At most this many referrals in one list answer (newest and overdue first); the answer says when there were more. */
export const REFERRAL_LIST_MAX = 2000;

export const ReferralListInput = z
  .object({
    ...ReferralScopeInput,
    state: z.enum(REFERRAL_STATES).default("open"),
    overdueOnly: z.boolean().default(false),
    limit: z.number().int().min(1).max(REFERRAL_LIST_MAX).default(500),
  })
  .refine(periodInOrder, periodMessage);
export type ReferralListInput = z.infer<typeof ReferralListInput>;

export const ReferralCountsInput = z.object(ReferralScopeInput).refine(periodInOrder, periodMessage);
export type ReferralCountsInput = z.infer<typeof ReferralCountsInput>;

export const ReferralOverdueInput = z.object({ limit: z.number().int().min(1).max(100).default(10) }).default({ limit: 10 });
