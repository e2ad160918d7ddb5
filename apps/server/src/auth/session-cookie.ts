import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

/**
 * The session cookie. Behind https (CAREWATCH_PUBLIC_URL) it is `__Host-cw_session`: Secure,
 * Path=/ and no Domain, so no other host or plain-http page can set or read it. Over plain http
 * (localhost development only) browsers refuse `__Host-` and `Secure`, so it is `cw_session`.
 * Always HttpOnly and SameSite=Lax (a link from elsewhere opens the page logged in; a form
 * posted from elsewhere carries no cookie).
 */
export interface SessionCookie {
  name: string;
  secure: boolean;
}

export const SESSION_COOKIE_SECURE = "__Host-cw_session";
export const SESSION_COOKIE_PLAIN = "cw_session";

export function sessionCookieFor(publicUrl: string): SessionCookie {
  const secure = new URL(publicUrl).protocol === "https:";
  return { name: secure ? SESSION_COOKIE_SECURE : SESSION_COOKIE_PLAIN, secure };
}

export function readSessionCookie(c: Context, cookie: SessionCookie): string | undefined {
  return getCookie(c, cookie.name);
}

/** Session lifetime in the browser: the absolute limit (the server ends idle sessions sooner). */
export function writeSessionCookie(c: Context, cookie: SessionCookie, token: string, maxAgeMs: number): void {
  setCookie(c, cookie.name, token, { httpOnly: true, sameSite: "Lax", path: "/", secure: cookie.secure, maxAge: Math.floor(maxAgeMs / 1000) });
}

export function clearSessionCookie(c: Context, cookie: SessionCookie): void {
  deleteCookie(c, cookie.name, { path: "/", secure: cookie.secure, httpOnly: true, sameSite: "Lax" });
}
