import type Database from "better-sqlite3";

/**
 * When each event of a facility occurred, in memory: the index "as of" and "the events behind a
 * chart point" read (events of one facility within an hour or a day, the latest one by an
 * instant). An index on the log itself — `events (facility_id, occurred_at_ms)` — was measured
 * to halve shuffled batch ingest (a random page write per late event, 62,000 → 22,000 events/s),
 * the price 0002 refused for movements. So, like the movement indexes, this one is fed from the
 * log; unlike them it is loaded only for the facilities someone looks at (one pass over that
 * facility's events), and brought up to the log before each read.
 *
 * Entries are (occurred_at_ms, seq) in sorted chunks: a late event is one binary search and an
 * insert into a chunk of at most CHUNK entries, whatever its instant.
 */

const CHUNK = 512;

/** One facility's events by instant: chunks of parallel arrays, in (at, seq) order. */
class TimeList {
  private chunks: { at: number[]; seq: number[] }[] = [];
  size = 0;

  private static before(at: number, seq: number, bAt: number, bSeq: number): boolean {
    return at < bAt || (at === bAt && seq < bSeq);
  }

  add(at: number, seq: number): void {
    this.size++;
    const chunks = this.chunks;
    const last = chunks[chunks.length - 1];
    // Live events arrive in order: the end of the last chunk.
    if (!last || !TimeList.before(at, seq, last.at[last.at.length - 1]!, last.seq[last.seq.length - 1]!)) {
      if (!last || last.at.length >= CHUNK) chunks.push({ at: [at], seq: [seq] });
      else {
        last.at.push(at);
        last.seq.push(seq);
      }
      return;
    }
    // The first chunk whose last entry is not before (at, seq).
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = chunks[mid]!;
      if (TimeList.before(c.at[c.at.length - 1]!, c.seq[c.seq.length - 1]!, at, seq)) lo = mid + 1;
      else hi = mid;
    }
    const c = chunks[lo]!;
    let i = 0;
    let j = c.at.length;
    while (i < j) {
      const mid = (i + j) >> 1;
      if (TimeList.before(c.at[mid]!, c.seq[mid]!, at, seq)) i = mid + 1;
      else j = mid;
    }
    c.at.splice(i, 0, at);
    c.seq.splice(i, 0, seq);
    if (c.at.length > CHUNK * 2) {
      const half = c.at.length >> 1;
      chunks.splice(lo + 1, 0, { at: c.at.splice(half), seq: c.seq.splice(half) });
    }
  }

  /** Seqs of the events with from ≤ at ≤ upTo, in (at, seq) order. */
  between(from: number, upTo: number): { at: number; seq: number }[] {
    const out: { at: number; seq: number }[] = [];
    for (const c of this.chunks) {
      if (c.at[c.at.length - 1]! < from) continue;
      if (c.at[0]! > upTo) break;
      for (let k = 0; k < c.at.length; k++) {
        const at = c.at[k]!;
        if (at > upTo) return out;
        if (at >= from) out.push({ at, seq: c.seq[k]! });
      }
    }
    return out;
  }

  /** The latest instant at or before `t`, or null. */
  latestAtOrBefore(t: number): number | null {
    for (let ci = this.chunks.length - 1; ci >= 0; ci--) {
      const c = this.chunks[ci]!;
      if (c.at[0]! > t) continue;
      for (let k = c.at.length - 1; k >= 0; k--) if (c.at[k]! <= t) return c.at[k]!;
    }
    return null;
  }
}

export function createEventTimes(db: Database.Database) {
  const lists = new Map<string, TimeList>();
  let appliedSeq = 0;
  const q = {
    lastSeq: db.prepare("SELECT COALESCE(MAX(seq), 0) FROM events").pluck(),
    // A first load of one facility: its rows through the (facility_id, event_id) index.
    ofFacility: db.prepare("SELECT occurred_at_ms, seq FROM events WHERE facility_id = ? AND seq <= ?").raw(),
    after: db.prepare("SELECT seq, facility_id, occurred_at_ms FROM events WHERE seq > ? ORDER BY seq LIMIT 10000").raw(),
  };

  /** Brings the loaded facilities up to the log (call inside the read transaction). */
  function catchUp(): void {
    const last = q.lastSeq.get() as number;
    if (last <= appliedSeq) return;
    if (lists.size > 0) {
      for (;;) {
        const rows = q.after.all(appliedSeq) as [seq: number, facility: string, at: number][];
        for (const [seq, facility, at] of rows) {
          lists.get(facility)?.add(at, seq);
          appliedSeq = seq;
        }
        if (rows.length < 10000) break;
      }
    }
    appliedSeq = Math.max(appliedSeq, last);
  }

  /** The facility's list, loaded from the log at its first use (after catchUp). */
  function of(facilityId: string): TimeList {
    let list = lists.get(facilityId);
    if (!list) {
      list = new TimeList();
      const rows = q.ofFacility.all(facilityId, appliedSeq) as [at: number, seq: number][];
      rows.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      for (const [at, seq] of rows) list.add(at, seq);
      lists.set(facilityId, list);
    }
    return list;
  }

  return { catchUp, of };
}

export type EventTimes = ReturnType<typeof createEventTimes>;
