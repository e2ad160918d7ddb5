import { referralMove, type ReferralStatus, type Registry, type UnitLedger } from "@carewatch/domain";
import type postgres from "postgres";
import { Layered } from "../layered.js";
import type { MovementIndexes } from "../movement-indexes.js";
import type { StepRow as ReadStepRow } from "../history.js";
import { ledgerColumns, ProjectionGather, type ProjectionTables } from "../projection-gather.js";
import { rowToLedger, type ProjectResult, type UnitStateRow } from "../projections.js";
import type { CommittedEvent } from "../types.js";

/**
 * The projections on PostgreSQL: the same gathering as the SQLite projector (projections.ts) —
 * ledgers, rollups and facility state held in two layers (the request over the kept ones) —
 * and, here, referrals and their steps too: what a group reads is loaded first (`prefetch`, a
 * few statements for the whole group), `project` is then synchronous, and `flush` writes every
 * kept row in a few multi-row statements sent together (pipelined). A round trip per statement
 * is what an async driver pays, so a group costs a handful whatever its size; a request that is
 * dropped never wrote anything. Every rule is the domain's. `t` are the tables to write (the live
 * ones for append, fresh ones for rebuild).
 */

export interface PgProjector {
  /** Loads what projecting these events will read: their facilities' ledgers, their referrals' statuses. */
  prefetch(tx: postgres.TransactionSql, events: readonly { facilityId: string; event: CommittedEvent["event"] }[]): Promise<void>;
  /** Apply one event (prefetched) to every projection, in the current request. */
  project(e: CommittedEvent): ProjectResult;
  keepRequest(): void;
  dropRequest(): void;
  flush(tx: postgres.TransactionSql): Promise<void>;
  committed(): void;
  reset(): void;
}

interface ReferralRow {
  facility_id: string;
  referral_id: string;
  status: ReferralStatus;
  destination: string;
  urgency: string | null;
  opened_at: number;
  updated_at: number;
  updated_seq: number;
  /** False for a row as stored (clean), true once a move of the group changed it. */
  moved: boolean;
}

/** A referral_steps row as written: the reads' row, and whether the step was a real move. */
interface StepRow extends ReadStepRow {
  moved: number;
}

/** Rows in chunks: one multi-row statement per chunk keeps the parameters under PostgreSQL's 65,535. */
const CHUNK = 5000;
function* chunks<T>(xs: T[]): Generator<T[]> {
  for (let i = 0; i < xs.length; i += CHUNK) yield xs.slice(i, i + CHUNK);
}

export function createPgProjector(t: ProjectionTables, registry: () => Registry, indexes: MovementIndexes): PgProjector {
  // The stored ledgers read by prefetch (the state before the group), by facility.
  let stored = new Map<string, UnitLedger>();
  const prefetched = new Set<string>();
  // Ledgers, rollups, facility state and the indexes' movements: gathered as in every engine.
  const gather = new ProjectionGather(registry, indexes, (facility, unit) => {
    if (!prefetched.has(facility)) throw new Error(`projector: facility ${facility} was not prefetched`);
    return stored.get(`${facility}\u0000${unit}`);
  });
  // Referrals: the stored status (clean) under the moves of the group, folded into one row each.
  const referrals = new Layered<ReferralRow>();
  // Steps are new rows only: the request's, then the kept ones.
  let requestSteps: StepRow[] = [];
  let groupSteps: StepRow[] = [];

  const referralKey = (facility: string, referral: string) => `${facility}\u0000${referral}`;

  async function prefetch(tx: postgres.TransactionSql, events: readonly { facilityId: string; event: CommittedEvent["event"] }[]) {
    const wanted = [...new Set(events.map((e) => e.facilityId))].filter((f) => !prefetched.has(f));
    const refFacilities: string[] = [];
    const refIds: string[] = [];
    const seen = new Set<string>();
    for (const e of events) {
      if (e.event.type !== "referral") continue;
      const k = referralKey(e.facilityId, e.event.referral_id);
      if (seen.has(k) || referrals.get(k)) continue;
      seen.add(k);
      refFacilities.push(e.facilityId);
      refIds.push(e.event.referral_id);
    }
    const [ledgerRows, referralRows] = await Promise.all([
      wanted.length ? (tx`SELECT * FROM ${tx(t.unitState)} WHERE facility_id = ANY(${wanted})` as unknown as Promise<UnitStateRow[]>) : Promise.resolve([]),
      refIds.length
        ? (tx`SELECT r.* FROM ${tx(t.referrals)} r JOIN unnest(${refFacilities}::text[], ${refIds}::text[]) AS k(f, id)
              ON r.facility_id = k.f AND r.referral_id = k.id` as unknown as Promise<Omit<ReferralRow, "moved">[]>)
        : Promise.resolve([]),
    ]);
    for (const r of ledgerRows) stored.set(`${r.facility_id}\u0000${r.unit}`, rowToLedger(r));
    for (const f of wanted) prefetched.add(f);
    for (const r of referralRows) referrals.setClean(referralKey(r.facility_id, r.referral_id), { ...r, moved: false });
  }

  const clearGathered = () => {
    referrals.clear();
    requestSteps = [];
    groupSteps = [];
    stored = new Map();
    prefetched.clear();
  };

  return {
    prefetch,

    project(e) {
      const ev = e.event;
      if (ev.type === "referral") {
        const k = referralKey(e.facilityId, ev.referral_id);
        const prev = referrals.get(k);
        const move = referralMove(prev?.status, ev.status);
        if (!move.ok) return { ok: false, reason: move.reason };
        const urgency = ev.urgency ?? null;
        requestSteps.push({
          facility_id: e.facilityId,
          referral_id: ev.referral_id,
          status: ev.status,
          destination: ev.destination,
          urgency,
          at: e.occurredAtMs,
          event_id: ev.event_id,
          seq: e.seq,
          moved: move.changed ? 1 : 0,
        });
        if (move.changed) {
          // As SQLite's upsert: opened at the first move, the urgency kept when a move gives none.
          referrals.set(k, {
            facility_id: e.facilityId,
            referral_id: ev.referral_id,
            status: ev.status,
            destination: ev.destination,
            urgency: urgency ?? prev?.urgency ?? null,
            opened_at: prev?.opened_at ?? e.occurredAtMs,
            updated_at: e.occurredAtMs,
            updated_seq: e.seq,
            moved: true,
          });
          // Only real moves are counted; a repeated status "changes nothing" (domain).
          gather.rollup(e, `referral:${ev.status}`, 1);
        }
      }
      gather.event(e);
      return { ok: true };
    },

    keepRequest() {
      gather.keepRequest();
      referrals.keep();
      groupSteps.push(...requestSteps);
      requestSteps = [];
    },

    dropRequest() {
      gather.dropRequest();
      referrals.drop();
      requestSteps = [];
    },

    async flush(tx) {
      this.keepRequest();
      const gathered = gather.flush();
      const units = gathered.ledgers.map((h) => ledgerColumns(h.facility, h.unit, h.value));
      const hours = gathered.hourly.map((r) => ({ facility_id: r.facility, hour_start_ms: r.hour, metric: r.metric, value: r.n }));
      const days = gathered.daily.map((r) => ({ facility_id: r.facility, day: r.day, metric: r.metric, value: r.n }));
      const facilities = gathered.facilities.map((f) => ({ facility_id: f.facility, last_received_at: f.receivedAt, last_seq: f.seq }));
      const moved = [...referrals.dirty()].map(([, { moved: _, ...row }]) => row);
      const steps = groupSteps;
      // Sent together: the connection pipelines them, one round trip for the lot.
      const writes: Promise<unknown>[] = [];
      for (const rows of chunks(units)) {
        writes.push(tx`INSERT INTO ${tx(t.unitState)} ${tx(rows)}
            ON CONFLICT (facility_id, unit) DO UPDATE SET
              census_at = excluded.census_at, census_event_id = excluded.census_event_id,
              census_occupied = excluded.census_occupied, net_after = excluded.net_after, low_water = excluded.low_water,
              cap_at = excluded.cap_at, cap_event_id = excluded.cap_event_id, cap_value = excluded.cap_value`);
      }
      for (const rows of chunks(hours)) {
        writes.push(tx`INSERT INTO ${tx(t.rollupHourly)} ${tx(rows)}
            ON CONFLICT (facility_id, hour_start_ms, metric) DO UPDATE SET value = ${tx(t.rollupHourly)}.value + excluded.value`);
      }
      for (const rows of chunks(days)) {
        writes.push(tx`INSERT INTO ${tx(t.rollupDaily)} ${tx(rows)}
            ON CONFLICT (facility_id, day, metric) DO UPDATE SET value = ${tx(t.rollupDaily)}.value + excluded.value`);
      }
      for (const rows of chunks(facilities)) {
        writes.push(tx`INSERT INTO ${tx(t.facilityState)} ${tx(rows)}
            ON CONFLICT (facility_id) DO UPDATE SET
              last_received_at = GREATEST(${tx(t.facilityState)}.last_received_at, excluded.last_received_at),
              last_seq = GREATEST(${tx(t.facilityState)}.last_seq, excluded.last_seq)`);
      }
      for (const rows of chunks(moved)) {
        // Each row is the referral after the group's last move of it (opened_at kept from the stored row).
        writes.push(tx`INSERT INTO ${tx(t.referrals)} ${tx(rows)}
            ON CONFLICT (facility_id, referral_id) DO UPDATE SET
              status = excluded.status, destination = excluded.destination, urgency = excluded.urgency,
              updated_at = excluded.updated_at, updated_seq = excluded.updated_seq`);
      }
      for (const rows of chunks(steps)) writes.push(tx`INSERT INTO ${tx(t.referralSteps)} ${tx(rows)}`);
      clearGathered();
      await Promise.all(writes);
    },

    committed() {
      gather.committed();
    },

    reset() {
      clearGathered();
      gather.reset();
    },
  };
}
