import { canonicalEvent, movement, type Registry } from "@carewatch/domain";
import type Database from "better-sqlite3";
import { movementFollower, type MovementIndexes } from "./movement-indexes.js";
import { LIVE_TABLES } from "./projection-gather.js";
import { createProjector } from "./projections.js";
import type { AppendOutcome, AppendRequest, AppendResult, CommittedEvent, Conflict } from "./types.js";

/** Thrown inside a request's savepoint to roll back just that request. */
class RequestConflict extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super("request has conflicts");
  }
}

export interface Appender {
  /** Runs every request in one transaction; returns the outcomes and the events committed. */
  appendMany(reqs: readonly AppendRequest[]): { outcomes: AppendOutcome[]; committed: CommittedEvent[] };
}

export function createAppender(db: Database.Database, registry: Registry, indexes: MovementIndexes): Appender {
  const projector = createProjector(db, LIVE_TABLES, registry, indexes);
  const catchUp = movementFollower(db, indexes);
  const findEvent = db.prepare("SELECT seq, body FROM events WHERE facility_id = ? AND event_id = ?");
  // New events are the common case: insert first, and look the event up only when its
  // (facility_id, event_id) already exists — one statement per new event instead of two.
  const insertEvent = db.prepare(`INSERT INTO events
      (facility_id, event_id, type, unit, occurred_at, occurred_at_ms, received_at_ms, delta, body)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (facility_id, event_id) DO NOTHING`);

  /** One request, inside its own savepoint: everything or nothing. */
  const appendOneInSavepoint = db.transaction((req: AppendRequest, committed: CommittedEvent[]): AppendOutcome => {
    const results: AppendResult[] = [];
    const conflicts: Conflict[] = [];
    const mine: CommittedEvent[] = [];
    const known = registry.byId.has(req.facilityId);
    req.events.forEach((accepted, index) => {
      const ev = accepted.event;
      const conflict = (message: string) => conflicts.push({ index, event_id: ev.event_id, message });
      // Defensive: the transport checks both, but a wrong facility must never reach the log.
      if (!known) return conflict(`unknown facility ${req.facilityId}`);
      if (ev.facility_id !== req.facilityId) return conflict(`event belongs to ${ev.facility_id}, not ${req.facilityId}`);

      const body = canonicalEvent(ev);
      const info = insertEvent.run(
        req.facilityId,
        ev.event_id,
        ev.type,
        ev.unit ?? null,
        ev.occurred_at,
        accepted.occurredAtMs,
        req.receivedAt,
        movement(accepted),
        body,
      );
      if (info.changes === 0) {
        // The id exists — in the log, or earlier in this same request (same savepoint), which
        // makes a repeated event_id within one request a duplicate (or a conflict) of the first.
        const existing = findEvent.get(req.facilityId, ev.event_id) as { seq: number; body: string };
        if (existing.body === body) results.push({ event_id: ev.event_id, status: "duplicate", seq: existing.seq });
        else conflict("event_id already used with a different body");
        return;
      }
      const c: CommittedEvent = { ...accepted, seq: Number(info.lastInsertRowid), facilityId: req.facilityId, receivedAt: req.receivedAt };
      // A refused referral move rolls the request's savepoint back with the insert above.
      const projected = projector.project(c);
      if (!projected.ok) return conflict(projected.reason);
      mine.push(c);
      results.push({ event_id: ev.event_id, status: "accepted", seq: c.seq });
    });
    // Keep checking every event first so the 409 lists every conflict; then roll back.
    if (conflicts.length) throw new RequestConflict(conflicts);
    committed.push(...mine);
    const accepted = results.filter((r) => r.status === "accepted").length;
    return { ok: true, results, accepted, duplicates: results.length - accepted };
  });

  /** Whatever ends a request's savepoint early (conflict or fault) also drops what it gathered. */
  const appendOne = (req: AppendRequest, committed: CommittedEvent[]): AppendOutcome => {
    try {
      const outcome = appendOneInSavepoint(req, committed);
      projector.keepRequest();
      return outcome;
    } catch (err) {
      projector.dropRequest();
      throw err;
    }
  };

  const appendAll = db.transaction((reqs: readonly AppendRequest[]) => {
    // Under the write lock (BEGIN IMMEDIATE, below): first apply what other writers committed,
    // so the indexes hold the whole log before this group adds to it.
    catchUp();
    const committed: CommittedEvent[] = [];
    const outcomes = reqs.map((req): AppendOutcome => {
      try {
        return appendOne(req, committed);
      } catch (err) {
        if (err instanceof RequestConflict) return { ok: false, conflicts: err.conflicts };
        throw err; // a real failure (disk full, bug): the whole group fails and nothing commits
      }
    });
    // Every kept request's ledgers, tree nodes and rollups, written once for the group.
    projector.flush();
    return { outcomes, committed };
  });

  return {
    appendMany(reqs) {
      if (reqs.length === 0) return { outcomes: [], committed: [] };
      try {
        const result = appendAll.immediate(reqs);
        projector.committed();
        const last = result.committed.at(-1);
        if (last) indexes.appliedSeq = last.seq;
        return result;
      } catch (err) {
        // The group rolled back: nothing it gathered may leak into the next one.
        projector.reset();
        throw err;
      }
    },
  };
}
