import type postgres from "postgres";
import { rowToStep, type StepRow } from "../history.js";
import type { ReferralStep } from "../types.js";

/** A referral_steps row as both referral reads select it, with its BIGINT columns as numbers. */
export const pgRowToStep = (r: postgres.Row): ReferralStep => rowToStep({ ...(r as StepRow), at: Number(r.at), seq: Number(r.seq) });
