import type { Redis } from "ioredis";

/**
 * Per-key token bucket (contract: `CAREWATCH_RATE_LIMIT` requests per second sustained, bursts
 * up to ten times that; 0 turns it off). A batch counts as one request. One rule, two homes: this
 * process's memory (one server), or Redis (several servers behind one address share each key's
 * bucket, so a key cannot get N times its rate by spreading its requests).
 */
export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until one request would be allowed (for Retry-After). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  take(key: string, now: number): Promise<RateDecision>;
}

export interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date (ms). */
  at: number;
}

/** The rule: refill at `perSecond` up to `burst`, then take one token if there is one. */
export function takeToken(b: Bucket | undefined, now: number, perSecond: number, burst: number): { bucket: Bucket; allowed: boolean } {
  const tokens = Math.min(burst, (b?.tokens ?? burst) + ((now - (b?.at ?? now)) / 1000) * perSecond);
  return tokens >= 1 ? { bucket: { tokens: tokens - 1, at: now }, allowed: true } : { bucket: { tokens, at: now }, allowed: false };
}

function decision(allowed: boolean, tokens: number, perSecond: number): RateDecision {
  return allowed ? { allowed, retryAfterSeconds: 0 } : { allowed, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perSecond)) };
}

const OFF: RateLimiter = { take: () => Promise.resolve({ allowed: true, retryAfterSeconds: 0 }) };

/**
 * This process's buckets. Buckets idle long enough to be full again are dropped, so memory is
 * bounded by the keys active recently.
 */
export function memoryRateLimiter(perSecond: number, burstFactor = 10): RateLimiter {
  if (perSecond <= 0) return OFF;
  const burst = perSecond * burstFactor;
  const buckets = new Map<string, Bucket>();
  const sweep = (now: number) => {
    for (const [k, b] of buckets) if (b.tokens + ((now - b.at) / 1000) * perSecond >= burst) buckets.delete(k);
  };
  return {
    take(key, now) {
      const { bucket, allowed } = takeToken(buckets.get(key), now, perSecond, burst);
      buckets.set(key, bucket);
      if (buckets.size > 10_000) sweep(now);
      return Promise.resolve(decision(allowed, bucket.tokens, perSecond));
    },
  };
}

/**
 * `takeToken` as one Lua script, so the read-refill-write of a bucket is atomic however many
 * servers take from it at once. The caller's clock is passed in (as for the memory buckets);
 * a bucket expires once it would be full again. Tokens travel as strings: Redis turns a Lua
 * number reply into an integer.
 */
const TAKE_TOKEN_LUA = `
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local now, rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tokens = math.min(burst, (tonumber(b[1]) or burst) + ((now - (tonumber(b[2]) or now)) / 1000) * rate)
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
local text = string.format('%.17g', tokens)
redis.call('HSET', KEYS[1], 'tokens', text, 'at', ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return { allowed, text }
`;

/**
 * Redis unreachable, or slower than `timeoutMs`: this process's own buckets meanwhile — never a
 * 5xx, never unlimited, never a request held up waiting for Redis to come back (ioredis would
 * queue the command until it reconnects).
 */
export function redisRateLimiter(
  redis: Redis,
  perSecond: number,
  opts: { burstFactor?: number; prefix?: string; timeoutMs?: number; onError?: (err: unknown) => void } = {},
): RateLimiter {
  if (perSecond <= 0) return OFF;
  const burst = perSecond * (opts.burstFactor ?? 10);
  const prefix = opts.prefix ?? "carewatch:rate:";
  const fallback = memoryRateLimiter(perSecond, opts.burstFactor);
  const timeoutMs = opts.timeoutMs ?? 500;
  return {
    async take(key, now) {
      if (redis.status !== "ready") {
        opts.onError?.(new Error(`Redis is ${redis.status}`));
        return fallback.take(key, now);
      }
      let timer: NodeJS.Timeout | undefined;
      try {
        const reply = redis.eval(TAKE_TOKEN_LUA, 1, prefix + key, String(now), String(perSecond), String(burst)) as Promise<[number, string]>;
        const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs)));
        const [allowed, tokens] = await Promise.race([reply, late]);
        return decision(allowed === 1, Number(tokens), perSecond);
      } catch (err) {
        opts.onError?.(err);
        return fallback.take(key, now);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
