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
export class TimeList {
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

/**
 * The loaded facilities' lists and the log position they reflect: the engine-independent half of
 * the event times. An engine's loader reads rows from its database and hands them here — the
 * log after `appliedSeq` in seq order (`apply`), a facility's events up to `appliedSeq` at its
 * first use (`load`).
 */
export class EventTimeLists {
  private readonly lists = new Map<string, TimeList>();
  /** The log position the loaded lists reflect. */
  appliedSeq = 0;

  /** Whether a catch-up must read the log's rows (otherwise it only moves `appliedSeq`). */
  get anyLoaded(): boolean {
    return this.lists.size > 0;
  }

  get(facilityId: string): TimeList | undefined {
    return this.lists.get(facilityId);
  }

  /** Rows of the log after `appliedSeq`, in seq order; rows at or before it are skipped. */
  apply(rows: readonly (readonly [seq: number, facility: string, at: number])[]): void {
    for (const [seq, facility, at] of rows) {
      if (seq <= this.appliedSeq) continue;
      this.lists.get(facility)?.add(at, seq);
      this.appliedSeq = seq;
    }
  }

  /** The log has been read up to `last`. */
  reached(last: number): void {
    this.appliedSeq = Math.max(this.appliedSeq, last);
  }

  /** A facility's first load: its events with seq ≤ appliedSeq, in any order. */
  load(facilityId: string, rows: [at: number, seq: number][]): TimeList {
    const list = new TimeList();
    rows.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [at, seq] of rows) list.add(at, seq);
    this.lists.set(facilityId, list);
    return list;
  }
}
