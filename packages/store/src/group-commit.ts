import type { AppendOutcome, AppendRequest, Store } from "./types.js";

interface Pending {
  req: AppendRequest;
  resolve: (o: AppendOutcome) => void;
  reject: (e: unknown) => void;
}

export interface GroupCommitOptions {
  /** Most requests per transaction. */
  maxRequests?: number;
  /** Most events per transaction (a request may carry up to 1,000); at least one request always goes. */
  maxEvents?: number;
}

/**
 * Group commit: requests submitted during one turn of the event loop are appended together in
 * one transaction by a `setImmediate`, so one fsync serves all of them. Each promise resolves
 * with its own outcome only after the COMMIT, so an acknowledgement is always durable.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private scheduled = false;
  private idle: (() => void)[] = [];
  private readonly maxRequests: number;
  private readonly maxEvents: number;

  constructor(
    private readonly store: Pick<Store, "appendMany">,
    opts: GroupCommitOptions = {},
  ) {
    this.maxRequests = opts.maxRequests ?? 2000;
    this.maxEvents = opts.maxEvents ?? 20_000;
  }

  submit(req: AppendRequest): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything submitted so far has been committed (graceful shutdown). */
  drain(): Promise<void> {
    if (this.queue.length === 0 && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Requests waiting for the next flush. */
  get pending(): number {
    return this.queue.length;
  }

  private schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private takeBatch(): Pending[] {
    let n = 0;
    let events = 0;
    while (n < this.queue.length && n < this.maxRequests) {
      const size = this.queue[n]?.req.events.length ?? 0;
      if (n > 0 && events + size > this.maxEvents) break;
      events += size;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private flush() {
    this.scheduled = false;
    const batch = this.takeBatch();
    if (batch.length) {
      try {
        const outcomes = this.store.appendMany(batch.map((p) => p.req));
        batch.forEach((p, i) => p.resolve(outcomes[i] as AppendOutcome));
      } catch (err) {
        // Nothing of this batch was committed (one transaction): every caller gets the error.
        for (const p of batch) p.reject(err);
      }
    }
    if (this.queue.length) this.schedule();
    else for (const done of this.idle.splice(0)) done();
  }
}
