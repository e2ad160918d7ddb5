import { isReferralOpen, REFERRAL_STATUSES } from "@carewatch/domain";
import type Database from "better-sqlite3";
import { rowToStep, type StepRow } from "./history.js";
import type { ReferralCountFilter, ReferralCountInputs, ReferralRecordFilter, ReferralRecords, ReferralReads, ReferralStep } from "./types.js";

type Row = StepRow & { opened_at: number };

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
  // Picked referrals first (CROSS JOIN keeps that order of the loops: a search of referral_steps
  // by key per referral, never a scan of it); no ORDER BY over the steps — a sort of every step
  // cost more than the whole read — the order is put right in memory.
  const steps = `SELECT p.opened_at, s.facility_id, s.referral_id, s.status, s.destination, s.urgency, s.at, s.event_id, s.seq
      FROM picked p CROSS JOIN referral_steps s ON s.facility_id = p.facility_id AND s.referral_id = p.referral_id AND s.moved = 1`;
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
    // Closed referrals only add to a count's total: tallied here, their steps never read.
    closedTally: db.prepare(`SELECT r.facility_id AS facilityId, r.destination, COUNT(*) AS count FROM referrals r
        WHERE ${where} AND r.status NOT IN (SELECT value FROM json_each('${OPEN}')) AND ${period}
        GROUP BY r.facility_id, r.destination`),
  };

  type Rec = { facilityId: string; referralId: string; openedAt: number; steps: ReferralStep[] };
  function group(rows: Row[], into: Map<string, Rec>): void {
    for (const r of rows) {
      const key = `${r.facility_id}\u0000${r.referral_id}`;
      let rec = into.get(key);
      if (!rec) into.set(key, (rec = { facilityId: r.facility_id, referralId: r.referral_id, openedAt: r.opened_at, steps: [] }));
      rec.steps.push(rowToStep(r));
    }
  }
  // Newest first, as the closed ones were picked (and the limit cut them).
  const newestFirst = (a: Rec, b: Rec) =>
    b.openedAt - a.openedAt ||
    (a.facilityId < b.facilityId ? -1 : a.facilityId > b.facilityId ? 1 : a.referralId < b.referralId ? -1 : a.referralId > b.referralId ? 1 : 0);

  const paramsOf = (f: Omit<ReferralRecordFilter, "state">) => ({
    facilities: f.facilityIds === undefined ? null : JSON.stringify(f.facilityIds),
    destination: f.destination ?? null,
    urgency: f.urgency ?? null,
    openedBefore: f.openedBefore ?? null,
    from: f.from ?? null,
    to: f.to ?? null,
  });
  const openRecords = (params: ReturnType<typeof paramsOf>, openWhenever: boolean) => {
    const open = new Map<string, Rec>();
    group(q.open.all({ ...params, openWhenever: openWhenever ? 1 : 0 }) as Row[], open);
    return [...open.values()].sort(newestFirst);
  };
  const bare = ({ facilityId, referralId, steps }: Rec) => ({ facilityId, referralId, steps: steps.sort((a, b) => a.seq - b.seq) });

  const read = db.transaction((f: ReferralRecordFilter): ReferralRecords => {
    const params = paramsOf(f);
    const open = f.state === "closed" ? [] : openRecords(params, f.openWhenever === true);
    let closed: Rec[] = [];
    let closedTruncated = false;
    if (f.state !== "open") {
      const limit = f.closedLimit ?? 500;
      const m = new Map<string, Rec>();
      // One referral past the limit is read only to know there are more.
      group(q.closed.all({ ...params, limit: limit + 1 }) as Row[], m);
      closed = [...m.values()].sort(newestFirst);
      closedTruncated = closed.length > limit;
      closed = closed.slice(0, limit);
    }
    return { referrals: [...open, ...closed].map(bare), closedTruncated };
  });

  const countInputs = db.transaction((f: ReferralCountFilter): ReferralCountInputs => {
    const params = paramsOf(f);
    return { open: openRecords(params, true).map(bare), closedBegun: q.closedTally.all(params) as ReferralCountInputs["closedBegun"] };
  });

  return {
    referralRecords: async (filter) => read(filter),
    referralCountInputs: async (filter) => countInputs(filter),
  };
}
