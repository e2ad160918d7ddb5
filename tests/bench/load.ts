/** One autocannon run of POSTs, each with a fresh body, reduced to the figures the tables show. */
import autocannon from "autocannon";

export interface LoadResult {
  seconds: number;
  ok: number;
  non2xx: number;
  errors: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  max: number;
  statusCodes: Record<string, number>;
}

export interface LoadOptions {
  /** One address, or several: autocannon spreads the connections round-robin over them. */
  url: string | string[];
  headers: Record<string, string>;
  body: () => string;
  connections: number;
  /** Seconds of measured load. */
  seconds: number;
  /** Requests sent (and discarded) first, so the JIT and the page cache are warm. */
  warmup: number;
}

async function fire(o: LoadOptions, limit: { duration: number } | { amount: number }) {
  return autocannon({
    url: o.url,
    connections: o.connections,
    timeout: 30,
    ...limit,
    requests: [{ method: "POST", headers: { "content-type": "application/json", ...o.headers }, setupRequest: (req) => ({ ...req, body: o.body() }) }],
  });
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  if (o.warmup > 0) await fire(o, { amount: o.warmup });
  const r = await fire(o, { duration: o.seconds });
  const statusCodes = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, v.count]));
  return {
    seconds: r.duration,
    ok: r["2xx"],
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    reqPerSec: r["2xx"] / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    statusCodes,
  };
}
