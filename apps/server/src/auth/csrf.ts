import type { Context, MiddlewareHandler } from "hono";
import { problem } from "../http/problem.js";

const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);
const CROSS_ORIGIN = "Yêu cầu từ nguồn khác bị từ chối · Cross-origin request refused.";

/**
 * Whether a request comes from our own origin, as far as a browser tells: its `Origin` (when it
 * sends one) is the public URL or the Host it came to, and its `Sec-Fetch-Site` (when it sends
 * one) is not another site's. A client that is not a browser (curl, the cw CLI, a test) sends
 * neither and is judged by its credentials alone — CSRF is an attack through a browser.
 */
export function sameOrigin(c: Context, publicOrigin: string): boolean {
  // same-origin, or none (typed in the address bar, a bookmark); cross-site and same-site (a
  // sibling subdomain) are another origin. Browsers send it on every request since 2023.
  const site = c.req.header("sec-fetch-site");
  if (site !== undefined && site !== "same-origin" && site !== "none") return false;
  const origin = c.req.header("origin");
  if (origin === undefined) return true;
  const host = c.req.header("host");
  return origin === publicOrigin || origin === `http://${host}` || origin === `https://${host}`;
}

/**
 * CSRF for every state-changing request (any method but GET, HEAD and OPTIONS): refused when it
 * comes from another origin, whatever its content type. `hono/csrf` alone is not enough: it
 * checks only form content types, so a cross-site `fetch` with an `application/json` body (or
 * `text/plain`, which needs no preflight) would pass it. Mounted on the whole app in front of
 * every route that takes a cookie (tRPC mutations, /auth, /entry, /import); on top of the
 * session cookie's SameSite=Lax.
 */
export function refuseCrossSite(publicOrigin: string): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method) || sameOrigin(c, publicOrigin)) return next();
    return problem(c, "forbidden", { detail: CROSS_ORIGIN });
  };
}

/**
 * CSRF for cookie-authenticated JSON POSTs: our own origin, and JSON only (a cross-site form can
 * send neither the content type nor, in today's browsers, a same-origin Origin).
 */
export function jsonFromOwnOrigin(publicOrigin: string): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== "POST") return next();
    if (!sameOrigin(c, publicOrigin)) return problem(c, "forbidden", { detail: CROSS_ORIGIN });
    if (!/^application\/json\b/i.test(c.req.header("content-type") ?? ""))
      return problem(c, "unsupported-media-type", { detail: "Cần gửi Content-Type: application/json · Send Content-Type: application/json." });
    return next();
  };
}
