import { isReferralOpen, REFERRAL_STATUSES } from "@carewatch/domain";
import type postgres from "postgres";
import type { ReferralCountInputs, ReferralRecordFilter, ReferralRecords, ReferralReads, ReferralStep } from "../types.js";
import type { PgContext } from "./context.js";
import { pgRowToStep } from "./pg-steps.js";

/** Open referrals are few (those in progress today); a bound all the same, so no answer is unbounded. */
const OPEN_MAX = 20_000;

type Tx = postgres.TransactionSql;
type Filter = Omit<ReferralRecordFilter, "state">;

/**
 * The referrals of /referrals with their steps on PostgreSQL (referral-reads.ts on SQLite):
 * referrals picked from the `referrals` projection, their steps read from `referral_steps` by
 * primary key — never the event log. Every open referral that matches is returned; closed ones
 * newest first up to a limit. One `ctx.snapshot` for the whole answer.
 */
export function createPgReferralReads(ctx: PgContext): ReferralReads {
  // The domain says which statuses are open.
  const OPEN = REFERRAL_STATUSES.filter((s) => isReferralOpen(s)) as string[];

  // Absent filters are left out of the statement, so each plan uses the keys it can.
  const where = (tx: Tx, f: Filter) =>
    tx`${f.facilityIds === undefined ? tx`TRUE` : tx`r.facility_id = ANY(${f.facilityIds}::text[])`}
      AND ${f.destination === undefined ? tx`TRUE` : tx`r.destination = ${f.destination}`}
      AND ${f.urgency === undefined ? tx`TRUE` : tx`r.urgency = ${f.urgency}`}
      AND ${f.openedBefore === undefined ? tx`TRUE` : tx`r.opened_at < ${f.openedBefore}`}`;
  const period = (tx: Tx, f: Filter) =>
    tx`${f.from === undefined ? tx`TRUE` : tx`r.opened_at >= ${f.from}`} AND ${f.to === undefined ? tx`TRUE` : tx`r.opened_at < ${f.to}`}`;
  // The picked referrals' real moves, by the referral_steps key; no ORDER BY over the steps (the
  // order is put right in memory, as on SQLite).
  const steps = (tx: Tx, picked: postgres.PendingQuery<postgres.Row[]>) =>
    tx`WITH picked AS (${picked})
      SELECT p.opened_at, s.facility_id, s.referral_id, s.status, s.destination, s.urgency, s.at, s.event_id, s.seq
      FROM picked p JOIN referral_steps s ON s.facility_id = p.facility_id AND s.referral_id = p.referral_id AND s.moved = 1`;

  type Rec = { facilityId: string; referralId: string; openedAt: number; steps: ReferralStep[] };
  function group(rows: readonly postgres.Row[], into: Map<string, Rec>): void {
    for (const r of rows) {
      const key = `${r.facility_id}\u0000${r.referral_id}`;
      let rec = into.get(key);
      if (!rec) into.set(key, (rec = { facilityId: r.facility_id as string, referralId: r.referral_id as string, openedAt: Number(r.opened_at), steps: [] }));
      rec.steps.push(pgRowToStep(r));
    }
  }
  // Newest first, as the closed ones were picked (and the limit cut them).
  const newestFirst = (a: Rec, b: Rec) =>
    b.openedAt - a.openedAt ||
    (a.facilityId < b.facilityId ? -1 : a.facilityId > b.facilityId ? 1 : a.referralId < b.referralId ? -1 : a.referralId > b.referralId ? 1 : 0);
  const bare = ({ facilityId, referralId, steps }: Rec) => ({ facilityId, referralId, steps: steps.sort((a, b) => a.seq - b.seq) });

  async function openRecords(tx: Tx, f: Filter, openWhenever: boolean): Promise<Rec[]> {
    const open = new Map<string, Rec>();
    const picked = tx`SELECT r.facility_id, r.referral_id, r.opened_at FROM referrals r
        WHERE ${where(tx, f)} AND r.status = ANY(${OPEN}::text[]) AND ${openWhenever ? tx`TRUE` : period(tx, f)}
        ORDER BY r.opened_at DESC LIMIT ${OPEN_MAX}`;
    group(await steps(tx, picked), open);
    return [...open.values()].sort(newestFirst);
  }

  return {
    referralRecords: (f) =>
      ctx.snapshot(async (tx): Promise<ReferralRecords> => {
        const open = f.state === "closed" ? [] : await openRecords(tx, f, f.openWhenever === true);
        let closed: Rec[] = [];
        let closedTruncated = false;
        if (f.state !== "open") {
          const limit = f.closedLimit ?? 500;
          const m = new Map<string, Rec>();
          // One referral past the limit is read only to know there are more.
          const picked = tx`SELECT r.facility_id, r.referral_id, r.opened_at FROM referrals r
              WHERE ${where(tx, f)} AND NOT (r.status = ANY(${OPEN}::text[])) AND ${period(tx, f)}
              ORDER BY r.opened_at DESC, r.facility_id COLLATE "C", r.referral_id COLLATE "C" LIMIT ${limit + 1}`;
          group(await steps(tx, picked), m);
          closed = [...m.values()].sort(newestFirst);
          closedTruncated = closed.length > limit;
          closed = closed.slice(0, limit);
        }
        return { referrals: [...open, ...closed].map(bare), closedTruncated };
      }),

    referralCountInputs: (f) =>
      ctx.snapshot(async (tx): Promise<ReferralCountInputs> => {
        const open = (await openRecords(tx, f, true)).map(bare);
        // Closed referrals only add to a count's total: tallied here, their steps never read.
        const tally = await tx`SELECT r.facility_id, r.destination, COUNT(*)::bigint AS count FROM referrals r
            WHERE ${where(tx, f)} AND NOT (r.status = ANY(${OPEN}::text[])) AND ${period(tx, f)}
            GROUP BY r.facility_id, r.destination`;
        return {
          open,
          closedBegun: tally.map((r) => ({ facilityId: r.facility_id as string, destination: r.destination as string, count: Number(r.count) })),
        };
      }),
  };
}
