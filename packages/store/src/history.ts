import type { ReferralStatus, Registry } from "@carewatch/domain";
import type Database from "better-sqlite3";
import type { MovementIndexes } from "./movement-indexes.js";
import type { PastReads, ReferralStep, ReferralStepFilter, ReferralUrgency } from "./types.js";

interface StepRow {
  facility_id: string;
  referral_id: string;
  status: string;
  destination: string;
  urgency: string | null;
  at: number;
  event_id: string;
  seq: number;
}

const rowToStep = (r: StepRow): ReferralStep => ({
  facilityId: r.facility_id,
  referralId: r.referral_id,
  status: r.status as ReferralStatus,
  destination: r.destination,
  urgency: r.urgency as ReferralUrgency | null,
  at: r.at,
  eventId: r.event_id,
  seq: r.seq,
});

/**
 * Reads of the past (issue 8): referral timelines, a facility's history per bucket, the facility
 * as of an instant, and the events behind a chart point. From projections, rollups and the
 * movement indexes — never a scan of the log — each in one read transaction.
 */
export function createHistoryReads(db: Database.Database, _registry: Registry, _indexes: MovementIndexes): PastReads {
  const q = {
    // NULL parameters switch a filter off; facility ids come as a JSON array.
    steps: db.prepare(`SELECT facility_id, referral_id, status, destination, urgency, at, event_id, seq FROM referral_steps
        WHERE (@facilities IS NULL OR facility_id IN (SELECT value FROM json_each(@facilities)))
          AND (@from IS NULL OR at >= @from) AND (@to IS NULL OR at < @to)
          AND (@referral IS NULL OR referral_id = @referral) AND moved = 1
        ORDER BY facility_id, referral_id, at, event_id`),
  };
  const snapshot = <A extends unknown[], R>(fn: (...args: A) => R) => {
    const tx = db.transaction(fn);
    return async (...args: A): Promise<R> => tx(...args);
  };

  return {
    referralSteps: snapshot((filter: ReferralStepFilter): ReferralStep[] =>
      (
        q.steps.all({
          facilities: filter.facilityIds === undefined ? null : JSON.stringify(filter.facilityIds),
          from: filter.from ?? null,
          to: filter.to ?? null,
          referral: filter.referralId ?? null,
        }) as StepRow[]
      ).map(rowToStep),
    ),
  };
}
