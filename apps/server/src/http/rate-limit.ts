/**
 * Per-key token bucket (contract: `CAREWATCH_RATE_LIMIT` requests per second sustained, bursts
 * up to ten times that; 0 turns it off). A batch counts as one request. Buckets idle long
 * enough to be full again are dropped, so memory is bounded by the keys active recently.
 */
export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until one request would be allowed (for Retry-After). */
  retryAfterSeconds: number;
}

export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();
  private readonly burst: number;

  constructor(
    private readonly perSecond: number,
    burstFactor = 10,
  ) {
    this.burst = perSecond * burstFactor;
  }

  take(key: string, now: number): RateDecision {
    if (this.perSecond <= 0) return { allowed: true, retryAfterSeconds: 0 };
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    this.buckets.set(key, b);
    if (this.buckets.size > 10_000) this.sweep(now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond)) };
  }

  private sweep(now: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.perSecond >= this.burst) this.buckets.delete(k);
    }
  }
}
