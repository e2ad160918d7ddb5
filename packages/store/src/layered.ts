/**
 * What a group commit gathers in memory before it writes, in two layers: the request being
 * applied over the requests already kept. A request that fails (a conflict rolls its savepoint
 * back) drops its own layer and leaves the others' untouched; the group writes the kept layer
 * once, just before COMMIT. Values read from the database and not changed are remembered as
 * clean (they are the state before the group, valid for every request in it) and never written.
 */
export class Layered<V> {
  private readonly clean = new Map<string, V>();
  private readonly kept = new Map<string, V>();
  private readonly current = new Map<string, V>();

  get(k: string): V | undefined {
    return this.current.get(k) ?? this.kept.get(k) ?? this.clean.get(k);
  }

  /** A change made by the current request. */
  set(k: string, v: V): void {
    this.current.set(k, v);
  }

  /** A value as the database holds it. */
  setClean(k: string, v: V): void {
    this.clean.set(k, v);
  }

  keep(): void {
    for (const [k, v] of this.current) this.kept.set(k, v);
    this.current.clear();
  }

  drop(): void {
    this.current.clear();
  }

  /** The kept changes, to write. */
  dirty(): IterableIterator<[string, V]> {
    return this.kept.entries();
  }

  clear(): void {
    this.clean.clear();
    this.kept.clear();
    this.current.clear();
  }
}

/**
 * Counts gathered the same way (rollups: only increments, written as `value = value + n`), with
 * one map lookup per increment: the request's own tally, added into the kept one when the
 * request is kept, dropped when it is not.
 */
export class Tally<R> {
  private readonly kept = new Map<string, { row: R; n: number }>();
  private current = new Map<string, { row: R; n: number }>();

  add(k: string, row: () => R, n: number): void {
    const t = this.current.get(k);
    if (t) t.n += n;
    else this.current.set(k, { row: row(), n });
  }

  keep(): void {
    for (const [k, t] of this.current) {
      const into = this.kept.get(k);
      if (into) into.n += t.n;
      else this.kept.set(k, t);
    }
    this.current = new Map();
  }

  drop(): void {
    this.current.clear();
  }

  /** The kept counts, to write. */
  counts(): IterableIterator<{ row: R; n: number }> {
    return this.kept.values();
  }

  clear(): void {
    this.kept.clear();
    this.current.clear();
  }
}
