import { canonicalEvent, movement } from "@carewatch/domain";
import type postgres from "postgres";
import type { AppendOutcome, AppendRequest, AppendResult, CommittedEvent, Conflict } from "../types.js";
import type { PgContext } from "./context.js";
import { createPgProjector, PG_LIVE_TABLES } from "./pg-projections.js";

/** The key of the transaction-scoped advisory lock every append takes first (any constant, one per database). */
export const APPEND_LOCK = 0x63770002;

/** Thrown inside a request's savepoint to roll back just that request. */
class RequestConflict extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super("request has conflicts");
  }
}

export interface PgAppender {
  /** Runs every request in one transaction; returns the outcomes and the events committed. */
  appendMany(reqs: readonly AppendRequest[]): Promise<{ outcomes: AppendOutcome[]; committed: CommittedEvent[] }>;
}

/**
 * `EventLog.append` on PostgreSQL, with append.ts's semantics: one transaction per group; the
 * advisory lock first, so appends from every process are serialised and seq = max+1 is
 * gap-free and in commit order; under it the movement indexes catch up with the log (other
 * processes' commits); then each request all-or-nothing in its own savepoint; projections in the
 * same transaction; `NOTIFY channel` delivered at COMMIT.
 */
export function createPgAppender(ctx: PgContext, channel: string): PgAppender {
  const { sql, indexes } = ctx;
  const projector = createPgProjector(PG_LIVE_TABLES, () => ctx.registry, indexes);

  async function appendOne(tx: postgres.TransactionSql, req: AppendRequest, next: { seq: number }, committed: CommittedEvent[]): Promise<AppendOutcome> {
    const results: AppendResult[] = [];
    const conflicts: Conflict[] = [];
    const mine: CommittedEvent[] = [];
    const known = ctx.registry.byId.has(req.facilityId);
    // Under the lock nobody else inserts: the ids already in the log, in one query.
    const ids = [...new Set(req.events.map((a) => a.event.event_id))];
    const existing = new Map<string, { seq: number; body: string }>();
    if (known && ids.length) {
      for (const r of await tx`SELECT event_id, seq, body FROM events WHERE facility_id = ${req.facilityId} AND event_id = ANY(${ids})`) {
        existing.set(r.event_id as string, { seq: Number(r.seq), body: r.body as string });
      }
    }
    const rows: Record<string, unknown>[] = [];
    const fresh: CommittedEvent[] = [];
    const indexOf = new Map<CommittedEvent, number>();
    req.events.forEach((accepted, index) => {
      const ev = accepted.event;
      const conflict = (message: string) => conflicts.push({ index, event_id: ev.event_id, message });
      // Defensive: the transport checks both, but a wrong facility must never reach the log.
      if (!known) return conflict(`unknown facility ${req.facilityId}`);
      if (ev.facility_id !== req.facilityId) return conflict(`event belongs to ${ev.facility_id}, not ${req.facilityId}`);
      const body = canonicalEvent(ev);
      const seen = existing.get(ev.event_id);
      if (seen) {
        // In the log, or earlier in this same request: a duplicate (or a conflict) of the first.
        if (seen.body === body) results.push({ event_id: ev.event_id, status: "duplicate", seq: seen.seq });
        else conflict("event_id already used with a different body");
        return;
      }
      const c: CommittedEvent = { ...accepted, seq: next.seq++, facilityId: req.facilityId, receivedAt: req.receivedAt };
      existing.set(ev.event_id, { seq: c.seq, body });
      rows.push({
        seq: c.seq,
        facility_id: req.facilityId,
        event_id: ev.event_id,
        type: ev.type,
        unit: ev.unit ?? null,
        occurred_at: ev.occurred_at,
        occurred_at_ms: accepted.occurredAtMs,
        received_at_ms: req.receivedAt,
        delta: movement(accepted),
        body,
      });
      fresh.push(c);
      indexOf.set(c, index);
      results.push({ event_id: ev.event_id, status: "accepted", seq: c.seq });
    });
    // Keep checking every event (referral moves too) so the 409 lists every conflict.
    for (let i = 0; i < rows.length; i += 5000) await tx`INSERT INTO events ${tx(rows.slice(i, i + 5000))}`;
    // A refused referral move rolls the request's savepoint back with the insert above.
    for (const c of fresh) {
      const projected = await projector.project(tx, c);
      if (!projected.ok) conflicts.push({ index: indexOf.get(c)!, event_id: c.event.event_id, message: projected.reason });
      else mine.push(c);
    }
    if (conflicts.length) throw new RequestConflict(conflicts.sort((a, b) => a.index - b.index));
    committed.push(...mine);
    const accepted = results.filter((r) => r.status === "accepted").length;
    return { ok: true, results, accepted, duplicates: results.length - accepted };
  }

  return {
    appendMany(reqs) {
      if (reqs.length === 0) return Promise.resolve({ outcomes: [], committed: [] });
      return ctx.exclusive(async () => {
        try {
          const result = await sql.begin(async (tx) => {
            await tx`SELECT pg_advisory_xact_lock(${APPEND_LOCK})`;
            // Under the lock (READ COMMITTED: each statement sees every commit before it):
            // first apply what other processes committed, so the indexes hold the whole log.
            await ctx.catchUp(tx);
            const [top] = await tx`SELECT COALESCE(MAX(seq), 0)::bigint AS last FROM events`;
            const next = { seq: Number(top!.last) + 1 };
            await projector.prefetch(
              tx,
              reqs.map((r) => r.facilityId),
            );
            const committed: CommittedEvent[] = [];
            const outcomes: AppendOutcome[] = [];
            for (const req of reqs) {
              const firstSeq = next.seq;
              try {
                outcomes.push(await tx.savepoint((sp) => appendOne(sp, req, next, committed)));
                projector.keepRequest();
              } catch (err) {
                projector.dropRequest();
                next.seq = firstSeq;
                if (err instanceof RequestConflict) outcomes.push({ ok: false, conflicts: err.conflicts });
                else throw err; // a real failure: the whole group fails and nothing commits
              }
            }
            await projector.flush(tx);
            if (committed.length) await tx`SELECT pg_notify(${channel}, ${String(committed.at(-1)!.seq)})`;
            return { outcomes, committed };
          });
          projector.committed();
          const last = result.committed.at(-1);
          if (last) indexes.appliedSeq = last.seq;
          return result;
        } catch (err) {
          projector.reset();
          throw err;
        }
      });
    },
  };
}
