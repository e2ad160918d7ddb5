/** last_used_at is a hint for admins; writing it on every request would turn reads into writes. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * A key's last use, written in batches rather than by the request that used it. The request path
 * of the Facility API would otherwise commit (and, on SQLite, fsync on the event loop) once per
 * key and minute — after an outage, when every facility's system comes back within a second, as
 * many commits as facilities before their events. Pending uses are written together within
 * `delayMs`, before `listKeys` answers and when the store closes; a crash loses at most that much
 * of a hint, never an event.
 */
export class KeyTouches {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private written: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (uses: [keyId: string, at: number][]) => void | Promise<void>,
    private readonly onError: (err: unknown) => void = () => {},
    private readonly delayMs = 1_000,
  ) {}

  /** A use of `keyId` at `now`, given its stored last use: recorded when that (or a pending one) is a minute old. */
  used(keyId: string, stored: number | null, now: number): void {
    const last = Math.max(stored ?? -Infinity, this.pending.get(keyId) ?? -Infinity);
    if (now - last < LAST_USED_RESOLUTION_MS) return;
    this.pending.set(keyId, now);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.delayMs);
      this.timer.unref();
    }
  }

  /** Writes what is pending (one transaction); resolves once every earlier batch is written too. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size > 0) {
      const batch = [...this.pending];
      this.pending.clear();
      this.written = this.written.then(() => this.write(batch)).catch(this.onError);
    }
    return this.written;
  }
}
