import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

/**
 * Login throttling: failures per account (5 in 15 min) and per address (20 in 15 min). Memory
 * now (one process); the same interface over Redis when there are several. Accounts are keyed
 * by the lower-cased email whether or not it exists, so the answer never tells which.
 */
export interface LoginThrottle {
  /** Seconds to wait when either limit is used up, else 0. */
  blockedFor(email: string, address: string): Promise<number>;
  failed(email: string, address: string): Promise<void>;
  succeeded(email: string): Promise<void>;
}

const WINDOW_S = 15 * 60;

export function createLoginThrottle(opts: { perAccount?: number; perAddress?: number } = {}): LoginThrottle {
  const accounts = new RateLimiterMemory({ keyPrefix: "login-account", points: opts.perAccount ?? 5, duration: WINDOW_S });
  const addresses = new RateLimiterMemory({ keyPrefix: "login-address", points: opts.perAddress ?? 20, duration: WINDOW_S });
  const account = (email: string) => email.trim().toLowerCase();
  const wait = (res: RateLimiterRes | null, limit: number) => (res && res.consumedPoints >= limit ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 0);
  const consume = async (limiter: RateLimiterMemory, key: string) => {
    try {
      await limiter.consume(key);
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
    }
  };
  return {
    async blockedFor(email, address) {
      const [a, b] = await Promise.all([accounts.get(account(email)), addresses.get(address)]);
      return Math.max(wait(a, accounts.points), wait(b, addresses.points));
    },
    async failed(email, address) {
      await Promise.all([consume(accounts, account(email)), consume(addresses, address)]);
    },
    async succeeded(email) {
      await accounts.delete(account(email));
    },
  };
}
