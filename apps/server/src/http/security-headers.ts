/**
 * The security headers on every response — Hono's and Socket.IO's (which answers outside Hono)
 * alike. Only what is decided today; a full Content-Security-Policy comes with accounts, and HSTS
 * belongs to whoever terminates TLS (a province-wide includeSubDomains is not ours to set).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  // Never framed (clickjacking): the legacy header and its CSP successor.
  "X-Frame-Options": "DENY",
  "Content-Security-Policy": "frame-ancestors 'none'",
  // Not no-referrer: under it browsers send `Origin: null` on same-origin POSTs (Socket.IO's
  // polling transport), which the hub's origin check refuses. This one sends other origins the
  // origin only, never a path or query (a wall's first URL carries its display token).
  "Referrer-Policy": "strict-origin-when-cross-origin",
};
