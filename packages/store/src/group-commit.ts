import type { AppendOutcome, AppendRequest, EventLog } from "./types.js";

interface Pending {
  req: AppendRequest;
  resolve: (o: AppendOutcome) => void;
  reject: (e: unknown) => void;
}

export interface GroupCommitOptions {
  /**
   * How long the first request of a group may wait for others (ms). One fsync then serves every
   * request that arrived meanwhile; at 2 ms a lone request still answers far below a human's notice.
   */
  maxDelayMs?: number;
  /**
   * A group goes at once when it holds this many events (a request may carry up to 1,000): two
   * full batches share a commit, and a group's synchronous work stays near 40 ms.
   */
  maxEvents?: number;
  /** Most requests per group. */
  maxRequests?: number;
}

/**
 * Group commit: requests are gathered for up to `maxDelayMs` after the first, or until
 * `maxEvents` events, and appended together in one transaction, so one fsync serves all of them
 * — the way a database's own group commit batches by time and size. Only one group is in the
 * log at a time; what arrives meanwhile forms the next group. Each promise resolves with its own
 * outcome only after COMMIT, so an acknowledgement is always durable.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private queuedEvents = 0;
  private timer: NodeJS.Timeout | null = null;
  private committing = false;
  private idle: (() => void)[] = [];
  private readonly maxDelayMs: number;
  private readonly maxEvents: number;
  private readonly maxRequests: number;

  constructor(
    private readonly log: Pick<EventLog, "append">,
    opts: GroupCommitOptions = {},
  ) {
    this.maxDelayMs = opts.maxDelayMs ?? 2;
    this.maxEvents = opts.maxEvents ?? 2000;
    this.maxRequests = opts.maxRequests ?? 2000;
  }

  submit(req: AppendRequest): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      this.queuedEvents += req.events.length;
      this.schedule();
    });
  }

  /** Resolves once everything submitted so far has been committed (graceful shutdown). */
  drain(): Promise<void> {
    if (this.queue.length === 0 && !this.committing) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Requests waiting for a group. */
  get pending(): number {
    return this.queue.length;
  }

  private full(): boolean {
    return this.queuedEvents >= this.maxEvents || this.queue.length >= this.maxRequests;
  }

  private schedule() {
    if (this.committing || this.queue.length === 0) return;
    if (this.full()) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      void this.commit();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.commit();
      }, this.maxDelayMs);
    }
  }

  private takeGroup(): Pending[] {
    let n = 0;
    let events = 0;
    while (n < this.queue.length && n < this.maxRequests) {
      const size = this.queue[n]?.req.events.length ?? 0;
      if (n > 0 && events + size > this.maxEvents) break;
      events += size;
      n++;
    }
    this.queuedEvents -= events;
    return this.queue.splice(0, n);
  }

  private async commit() {
    if (this.committing) return;
    this.committing = true;
    const group = this.takeGroup();
    try {
      const outcomes = await this.log.append(group.map((p) => p.req));
      group.forEach((p, i) => p.resolve(outcomes[i] as AppendOutcome));
    } catch (err) {
      // Nothing of this group was committed (one transaction): every caller gets the error.
      for (const p of group) p.reject(err);
    } finally {
      this.committing = false;
    }
    if (this.queue.length) this.schedule();
    else for (const done of this.idle.splice(0)) done();
  }
}
