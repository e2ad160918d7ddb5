import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";

/**
 * Login throttling: failures per account (5 in 15 min) and per address (20 in 15 min). In this
 * process's memory, or in Redis when several processes serve one address (a guesser spreading
 * attempts over the processes meets one count). Accounts are keyed by the lower-cased email
 * whether or not it exists, so the answer never tells which.
 */
export interface LoginThrottle {
  /** Seconds to wait when either limit is used up, else 0. */
  blockedFor(email: string, address: string): Promise<number>;
  failed(email: string, address: string): Promise<void>;
  succeeded(email: string): Promise<void>;
}

const WINDOW_S = 15 * 60;
const REDIS_WAIT_MS = 500;

export function createLoginThrottle(opts: { perAccount?: number; perAddress?: number; redis?: Redis; prefix?: string } = {}): LoginThrottle {
  const limiter = (keyPrefix: string, points: number): RateLimiterAbstract =>
    opts.redis
      ? new RateLimiterRedis({
          storeClient: opts.redis,
          keyPrefix: `${opts.prefix ?? "carewatch:"}${keyPrefix}`,
          points,
          duration: WINDOW_S,
          // Redis unreachable: count in this process meanwhile rather than refuse every login,
          // and at once (not after ioredis's reconnection attempts).
          rejectIfRedisNotReady: true,
          insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_S }),
        })
      : new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_S });
  const accounts = limiter("login-account", opts.perAccount ?? 5);
  const addresses = limiter("login-address", opts.perAddress ?? 20);
  const account = (email: string) => email.trim().toLowerCase();
  const wait = (res: RateLimiterRes | null, limit: number) => (res && res.consumedPoints >= limit ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 0);
  // Redis that went away a moment ago still looks "ready" to ioredis, which then holds commands
  // until it gives up reconnecting: a login never waits on it longer than this.
  const bounded = <T>(work: Promise<T>, otherwise: T): Promise<T> => {
    if (!opts.redis) return work;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(otherwise), REDIS_WAIT_MS)));
    return Promise.race([work.catch(() => otherwise), late]).finally(() => clearTimeout(timer));
  };
  const consume = async (limiter: RateLimiterAbstract, key: string) => {
    try {
      await limiter.consume(key);
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
    }
  };
  return {
    async blockedFor(email, address) {
      const [a, b] = await Promise.all([bounded(accounts.get(account(email)), null), bounded(addresses.get(address), null)]);
      return Math.max(wait(a, accounts.points), wait(b, addresses.points));
    },
    async failed(email, address) {
      await Promise.all([bounded(consume(accounts, account(email)), undefined), bounded(consume(addresses, address), undefined)]);
    },
    async succeeded(email) {
      await bounded(accounts.delete(account(email)), false);
    },
  };
}
