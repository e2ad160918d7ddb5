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

  async function today(tx: Tx, f: Facility, now: number): Promise<TodayCounts> {
    const t: TodayCounts = { admissions: 0, discharges: 0, treatments: {}, referrals_open: 0 };
    for (const r of await tx`SELECT metric, value FROM rollup_daily WHERE facility_id = ${f.id} AND day = ${localDay(now, f.timeZone)}`) {
      const metric = r.metric as string;
      const value = Number(r.value);
      if (metric === "admissions") t.admissions = value;
      else if (metric === "discharges") t.discharges = value;
      else if (metric.startsWith("treatment:")) t.treatments[metric.slice("treatment:".length) as TreatmentCategory] = value;
    }
    for (const r of await tx`SELECT status, COUNT(*)::int AS n FROM referrals WHERE facility_id = ${f.id} GROUP BY status`) {
      if (isReferralOpen(r.status as ReferralStatus)) t.referrals_open += Number(r.n);
    }
    return t;
  }

  async function statusOf(tx: Tx, f: Facility, now: number): Promise<FacilityStatus> {
    const ledgers = new Map<string, UnitLedger>();
    for (const r of (await tx`SELECT * FROM unit_state WHERE facility_id = ${f.id}`) as unknown as UnitStateRow[]) ledgers.set(r.unit, rowToLedger(r));
    const [fs] = await tx`SELECT last_received_at, last_seq FROM facility_state WHERE facility_id = ${f.id}`;
    return buildStatus({
      facility: f,
      ledgers,
      today: await today(tx, f, now),
      lastAcceptedAt: fs ? Number(fs.last_received_at) : null,
      asOfSeq: fs ? Number(fs.last_seq) : 0,
      now,
    });
  }

  const statuses = async (tx: Tx, fs: readonly Facility[], now: number) => {
    const out: FacilityStatus[] = [];
    for (const f of fs) out.push(await statusOf(tx, f, now));
    return out;
  };

  return {
    countEvents: () => ctx.snapshot(async (tx) => Number((await tx`SELECT COUNT(*)::bigint AS n FROM events`)[0]!.n)),

    facilityStatus: (facilityId, now) =>
      ctx.snapshot(async (tx) => {
        const f = ctx.registry.byId.get(facilityId);
        return f ? statusOf(tx, f, now) : undefined;
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
