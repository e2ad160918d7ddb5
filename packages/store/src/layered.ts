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
