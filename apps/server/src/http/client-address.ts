import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is 10.0.0.1. */
const plain = (a: string) => a.trim().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1");

/**
 * The client's address as far as we can trust it. Behind a reverse proxy every request comes
 * from the proxy, so per-address login throttling would lump everyone together; a proxy listed
 * in CAREWATCH_TRUSTED_PROXIES appends the address it saw to X-Forwarded-For. Walk that list
 * from the right, past our own proxies: the first other address is the one a proxy we trust
 * saw. Anything left of it was written by the client and proves nothing, so it is never used.
 */
export function clientAddressOf(remote: string | undefined, forwardedFor: string | undefined, trusted: readonly string[]): string {
  if (!remote) return "unknown";
  const peer = plain(remote);
  if (!trusted.includes(peer) || !forwardedFor) return peer;
  const hops = forwardedFor.split(",").map(plain).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) if (!trusted.includes(hops[i]!)) return hops[i]!;
  return hops[0] ?? peer;
}

export function clientAddress(c: Context, trusted: readonly string[]): string {
  let remote: string | undefined;
  try {
    remote = getConnInfo(c).remote.address;
  } catch {
    remote = undefined;
  }
  return clientAddressOf(remote, c.req.header("x-forwarded-for"), trusted);
}
