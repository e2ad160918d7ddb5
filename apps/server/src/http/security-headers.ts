import { createHash } from "node:crypto";

/**
 * The security headers on every response — Hono's and Socket.IO's (which answers outside Hono)
 * alike. HSTS belongs to whoever terminates TLS (a province-wide includeSubDomains is not ours to
 * set). Pages (HTML) replace the bare `frame-ancestors 'none'` below with a full policy: the web
 * app's from its build (`webAppPolicy`), the server's own small pages their own (`inlineStylePolicy`).
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

/** A meta tag cannot carry frame-ancestors (browsers ignore it there), so the header adds it. */
const FRAME_ANCESTORS = "frame-ancestors 'none'";

const META_CSP = /<meta\s+http-equiv=["']content-security-policy["']\s+content=(?:"([^"]*)"|'([^']*)')\s*\/?>/i;

/**
 * The policy SvelteKit wrote into the built index.html (`kit.csp` in svelte.config.js, with the
 * hash of the bootstrap script), plus frame-ancestors: the header for every page of the web app.
 * One source of truth — the build — so the header and the meta tag cannot disagree (a browser
 * enforces both; any difference would block what one of them allows). Null when the build has
 * no such meta tag.
 */
export function webAppPolicy(indexHtml: string): string | null {
  const m = META_CSP.exec(indexHtml);
  const policy = (m?.[1] ?? m?.[2] ?? "")
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .trim();
  if (!policy) return null;
  return `${policy.replace(/;\s*$/, "")}; ${FRAME_ANCESTORS}`;
}

/**
 * The policy of an HTML page the server writes itself (refusal and 403 pages, the API docs): no
 * script at all, links only, and its one inline `<style>` allowed by its hash (not 'unsafe-inline').
 * For a `<meta>` tag, without frame-ancestors (browsers ignore it there, with a console error; the
 * header every response carries says it).
 */
export function inlineStylePolicy(css: string, delivery: "header" | "meta" = "header"): string {
  const hash = createHash("sha256").update(css, "utf8").digest("base64");
  const policy = `default-src 'none'; style-src 'sha256-${hash}'; img-src 'self'; base-uri 'none'; form-action 'self'`;
  return delivery === "header" ? `${policy}; ${FRAME_ANCESTORS}` : policy;
}
