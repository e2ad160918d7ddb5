import { isReferralOpen, REFERRAL_STATUSES, type ReferralStatus } from "@carewatch/domain";
import type Database from "better-sqlite3";
import type { ReferralRecordFilter, ReferralRecords, ReferralReads, ReferralStep, ReferralUrgency } from "./types.js";

interface Row {
  facility_id: string;
  referral_id: string;
  status: string;
  destination: string;
  urgency: string | null;
  at: number;
  event_id: string;
  seq: number;
}

/** Open referrals are few (those in progress today); a bound all the same, so no answer is unbounded. */
const OPEN_MAX = 20_000;

/**
 * The referrals of /referrals with their steps (issue 8). Referrals are picked from the
 * `referrals` projection (current status, destination, urgency, opened_at) and their steps read
 * from `referral_steps` by primary key — never the event log. Every open referral that matches is
 * returned (they age, and any may be overdue); closed ones newest first up to a limit, since
 * they only grow. One read transaction for the whole answer.
 */
export function createReferralReads(db: Database.Database): ReferralReads {
  // The domain says which statuses are open.
  const OPEN = JSON.stringify(REFERRAL_STATUSES.filter((s) => isReferralOpen(s)));
  // NULL parameters switch a filter off; facility ids and statuses come as JSON arrays.
  const where = `(@facilities IS NULL OR r.facility_id IN (SELECT value FROM json_each(@facilities)))
      AND (@destination IS NULL OR r.destination = @destination)
      AND (@urgency IS NULL OR r.urgency = @urgency)
      AND (@openedBefore IS NULL OR r.opened_at < @openedBefore)`;
  const period = `(@from IS NULL OR r.opened_at >= @from) AND (@to IS NULL OR r.opened_at < @to)`;
  const steps = `SELECT s.facility_id, s.referral_id, s.status, s.destination, s.urgency, s.at, s.event_id, s.seq
      FROM picked p JOIN referral_steps s ON s.facility_id = p.facility_id AND s.referral_id = p.referral_id AND s.moved = 1
      ORDER BY p.opened_at DESC, p.facility_id, p.referral_id, s.seq`;
  const q = {
    open: db.prepare(`WITH picked AS (
        SELECT r.facility_id, r.referral_id, r.opened_at FROM referrals r
        WHERE ${where} AND r.status IN (SELECT value FROM json_each('${OPEN}')) AND (@openWhenever = 1 OR (${period}))
        ORDER BY r.opened_at DESC LIMIT ${OPEN_MAX})
      ${steps}`),
    closed: db.prepare(`WITH picked AS (
        SELECT r.facility_id, r.referral_id, r.opened_at FROM referrals r
        WHERE ${where} AND r.status NOT IN (SELECT value FROM json_each('${OPEN}')) AND ${period}
        ORDER BY r.opened_at DESC, r.facility_id, r.referral_id LIMIT @limit)
      ${steps}`),
  };

  function group(rows: Row[], into: Map<string, { facilityId: string; referralId: string; steps: ReferralStep[] }>): number {
    let referrals = 0;
    for (const r of rows) {
      const key = `${r.facility_id}\u0000${r.referral_id}`;
      let rec = into.get(key);
      if (!rec) {
        into.set(key, (rec = { facilityId: r.facility_id, referralId: r.referral_id, steps: [] }));
        referrals += 1;
      }
      rec.steps.push({
        facilityId: r.facility_id,
        referralId: r.referral_id,
        status: r.status as ReferralStatus,
        destination: r.destination,
        urgency: r.urgency as ReferralUrgency | null,
        at: r.at,
        eventId: r.event_id,
        seq: r.seq,
      });
    }
    return referrals;
  }

  const read = db.transaction((f: ReferralRecordFilter): ReferralRecords => {
    const params = {
      facilities: f.facilityIds === undefined ? null : JSON.stringify(f.facilityIds),
      destination: f.destination ?? null,
      urgency: f.urgency ?? null,
      openedBefore: f.openedBefore ?? null,
      from: f.from ?? null,
      to: f.to ?? null,
    };
    const out = new Map<string, { facilityId: string; referralId: string; steps: ReferralStep[] }>();
    if (f.state !== "closed") group(q.open.all({ ...params, openWhenever: f.openWhenever ? 1 : 0 }) as Row[], out);
    let closedTruncated = false;
    if (f.state !== "open") {
      const limit = f.closedLimit ?? 500;
      const before = out.size;
      const rows = q.closed.all({ ...params, limit: limit + 1 }) as Row[];
      const seen = group(rows, out);
      if (seen > limit) {
        // One referral past the limit was read only to know there are more: drop it.
        closedTruncated = true;
        const lastKey = [...out.keys()].pop();
        if (lastKey !== undefined && out.size > before) out.delete(lastKey);
      }
    }
    return { referrals: [...out.values()], closedTruncated };
  });

  return {
    referralRecords: async (filter) => read(filter),
  };
}
