import type { Context, MiddlewareHandler } from "hono";
import { problem } from "../http/problem.js";

/** Whether a request's `Origin` (when a browser sends one) is our own: the public URL or the Host it came to. */
export function sameOrigin(c: Context, publicOrigin: string): boolean {
  const origin = c.req.header("origin");
  if (origin === undefined) return true;
  const host = c.req.header("host");
  return origin === publicOrigin || origin === `http://${host}` || origin === `https://${host}`;
}

/**
 * CSRF for cookie-authenticated POSTs: JSON from our own origin only. A cross-site form can send
 * neither the content type nor, in today's browsers, a same-origin Origin; on top of SameSite=Lax.
 */
export function jsonFromOwnOrigin(publicOrigin: string): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== "POST") return next();
    if (!sameOrigin(c, publicOrigin)) return problem(c, "forbidden", { detail: "Yêu cầu từ nguồn khác bị từ chối · Cross-origin request refused." });
    if (!/^application\/json\b/i.test(c.req.header("content-type") ?? ""))
      return problem(c, "unsupported-media-type", { detail: "Cần gửi Content-Type: application/json · Send Content-Type: application/json." });
    return next();
  };
}
