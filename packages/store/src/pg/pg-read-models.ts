import {
  facilityStatus as buildStatus,
  hourStart,
  isReferralOpen,
  localDay,
  TICKER_LENGTH,
  type Facility,
  type FacilityStatus,
  type ReferralStatus,
  type TodayCounts,
  type TreatmentCategory,
  type UnitLedger,
} from "@carewatch/domain";
import type postgres from "postgres";
import { rowToTicker, type EventRow } from "../event-rows.js";
import { rowToLedger, type UnitStateRow } from "../projections.js";
import type { ReadModels } from "../types.js";
import type { PgContext } from "./context.js";
import { createPgOccupiedAt } from "./pg-occupied-at.js";

type Tx = postgres.TransactionSql;

/** The events columns of EventRow, for postgres.js's select helper (BIGINTs arrive as numbers: see pg-store.ts). */
export const PG_EVENT_COLUMNS = ["seq", "facility_id", "event_id", "type", "unit", "occurred_at", "occurred_at_ms", "received_at_ms", "delta", "body"];

/** The read models of read-models.ts, each answer from one `ctx.snapshot` (REPEATABLE READ). */
export function createPgReadModels(ctx: PgContext): ReadModels {
  const occupiedAt = createPgOccupiedAt(ctx.indexes);
  const cols = (tx: Tx) => tx(PG_EVENT_COLUMNS);
  const lastSeq = async (tx: Tx) => Number((await tx`SELECT COALESCE(MAX(seq), 0)::bigint AS n FROM events`)[0]!.n);

  /**
   * The statuses of `fs`, from four statements whatever their number (the board reads every
   * facility): ledgers, facility state, today's rollups (each facility's own local day) and open
   * referral counts, all within the caller's snapshot.
   */
  async function statuses(tx: Tx, fs: readonly Facility[], now: number): Promise<FacilityStatus[]> {
    if (fs.length === 0) return [];
    const ids = fs.map((f) => f.id);
    const days = fs.map((f) => localDay(now, f.timeZone));
    const [ledgerRows, stateRows, dailyRows, referralRows] = await Promise.all([
      tx`SELECT * FROM unit_state WHERE facility_id = ANY(${ids})` as unknown as Promise<UnitStateRow[]>,
      tx`SELECT facility_id, last_received_at, last_seq FROM facility_state WHERE facility_id = ANY(${ids})`,
      tx`SELECT d.facility_id, d.metric, d.value FROM rollup_daily d
          JOIN unnest(${ids}::text[], ${days}::text[]) AS k(f, day) ON d.facility_id = k.f AND d.day = k.day`,
      tx`SELECT facility_id, status, COUNT(*)::int AS n FROM referrals WHERE facility_id = ANY(${ids}) GROUP BY facility_id, status`,
    ]);
    const ledgers = new Map<string, Map<string, UnitLedger>>(ids.map((id) => [id, new Map()]));
    for (const r of ledgerRows) ledgers.get(r.facility_id)?.set(r.unit, rowToLedger(r));
    const state = new Map(stateRows.map((r) => [r.facility_id as string, { receivedAt: Number(r.last_received_at), seq: Number(r.last_seq) }]));
    const today = new Map<string, TodayCounts>(ids.map((id) => [id, { admissions: 0, discharges: 0, treatments: {}, referrals_open: 0 }]));
    for (const r of dailyRows) {
      const t = today.get(r.facility_id as string)!;
      const metric = r.metric as string;
      const value = Number(r.value);
      if (metric === "admissions") t.admissions = value;
      else if (metric === "discharges") t.discharges = value;
      else if (metric.startsWith("treatment:")) t.treatments[metric.slice("treatment:".length) as TreatmentCategory] = value;
    }
    for (const r of referralRows) {
      if (isReferralOpen(r.status as ReferralStatus)) today.get(r.facility_id as string)!.referrals_open += Number(r.n);
    }
    return fs.map((f) => {
      const st = state.get(f.id);
      return buildStatus({
        facility: f,
        ledgers: ledgers.get(f.id)!,
        today: today.get(f.id)!,
        lastAcceptedAt: st ? st.receivedAt : null,
        // The facility's own latest seq: the status reflects every event up to it.
        asOfSeq: st ? st.seq : 0,
        now,
      });
    });
  }

  return {
    countEvents: () => ctx.snapshot(async (tx) => Number((await tx`SELECT COUNT(*)::bigint AS n FROM events`)[0]!.n)),

    facilityStatus: (facilityId, now) =>
      ctx.snapshot(async (tx) => {
        const f = ctx.registry.byId.get(facilityId);
        return f ? (await statuses(tx, [f], now))[0] : undefined;
      }),

    board: (now, tickerLength) =>
      ctx.snapshot(async (tx) => {
        const registry = ctx.registry;
        return {
          seq: await lastSeq(tx),
          facilities: await statuses(tx, registry.facilities, now),
          ticker: ((await tx`SELECT ${cols(tx)} FROM events ORDER BY seq DESC LIMIT ${tickerLength}`) as unknown as EventRow[]).map(rowToTicker),
        };
      }),

    trend: (facilityId, now, hours = 24) =>
      ctx.snapshot(async (tx) => {
        const f = ctx.registry.byId.get(facilityId);
        if (!f) return [];
        // Ends of the last `hours` local clock hours (an hour ends where the next one starts), then now.
        const ends: number[] = [];
        let end = hourStart(now, f.timeZone);
        for (let h = 0; h < hours; h++) {
          ends.unshift(end);
          end = hourStart(end - 1, f.timeZone);
        }
        const instants = [...ends, now];
        const occupied = await occupiedAt(tx, f, instants);
        return instants.map((t, i) => ({ t, occupied: occupied[i] ?? 0 }));
      }),

    changesSince: (seq, now, maxEvents = 5000) =>
      ctx.snapshot(async (tx) => {
        const last = await lastSeq(tx);
        // Behind by too much (a patch would be huge), or ahead of us (the database was replaced).
        if (last - seq > maxEvents || seq > last) return null;
        const touched = new Set((await tx`SELECT DISTINCT facility_id FROM events WHERE seq > ${seq}`).map((r) => r.facility_id as string));
        const registry = ctx.registry;
        return {
          seq: last,
          facilities: await statuses(
            tx,
            registry.facilities.filter((f) => touched.has(f.id)),
            now,
          ),
          ticker: ((await tx`SELECT ${cols(tx)} FROM events WHERE seq > ${seq} ORDER BY seq DESC LIMIT ${TICKER_LENGTH}`) as unknown as EventRow[]).map(
            rowToTicker,
          ),
        };
      }),
  };
}
