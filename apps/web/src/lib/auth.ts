// The web app's side of accounts: JSON calls to the server's /auth routes and the few rules the
// pages share. Pure (fetch aside) and free of runes, so it is unit-tested in Node. Every check
// that matters is the server's; these only spare a round trip and keep messages readable.
import { fmtDuration, type Lang, type Messages } from "./i18n";

/** The domain's minimum password length (the server checks it, and more, again). */
export { PASSWORD_MIN_LENGTH } from "@carewatch/domain/client";

/** What `GET /auth/me` answers for a logged-in user. */
export interface Me {
  email: string;
  role: string;
  provinces: string[];
  facilityId: string | null;
}

export type ApiResult<T> = { ok: true; status: number; data: T } | ApiFailure;

/** A refused or failed call: status 0 when the server could not be reached at all. */
export interface ApiFailure {
  ok: false;
  status: number;
  /** The problem+json `detail` (Vietnamese first, English after), when the server gave one. */
  detail: string | null;
  /** Retry-After in seconds (429). */
  retryAfter: number | null;
}

/**
 * Where to go after logging in: only a path on this origin (never `//evil.example` or
 * `https://…`), never back to /login or an invitation; `/` otherwise.
 */
export function safeNext(raw: string | null | undefined, origin: string): string {
  if (!raw || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return "/";
  let url: URL;
  try {
    url = new URL(raw, origin);
  } catch {
    return "/";
  }
  if (url.origin !== origin) return "/";
  if (url.pathname === "/login" || url.pathname.startsWith("/login/") || url.pathname.startsWith("/invite")) return "/";
  return url.pathname + url.search + url.hash;
}

/** A plausible email address: something@something, no spaces. The server decides the rest. */
export function looksLikeEmail(v: string): boolean {
  return /^[^\s@]+@[^\s@]+$/.test(v);
}

async function call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, detail: null, retryAfter: null };
  }
  let json: unknown = null;
  try {
    json = await res.json();
  } catch {
    // an empty or non-JSON body (204, a proxy's error page)
  }
  if (res.ok) return { ok: true, status: res.status, data: json as T };
  const detail = json && typeof json === "object" && typeof (json as { detail?: unknown }).detail === "string" ? (json as { detail: string }).detail : null;
  const retry = Number(res.headers.get("retry-after"));
  return { ok: false, status: res.status, detail: detail?.trim() || null, retryAfter: Number.isFinite(retry) && retry > 0 ? retry : null };
}

export const api = {
  login: (email: string, password: string, next?: string | null) =>
    call<{ user: { email: string; role: string }; next?: string }>("POST", "/auth/login", next ? { email, password, next } : { email, password }),
  redeemInvitation: (token: string, password: string) =>
    call<{ user?: { email: string; role: string }; next?: string }>("POST", `/auth/invite/${encodeURIComponent(token)}`, { password }),
  me: () => call<Me>("GET", "/auth/me"),
  logout: () => call<unknown>("POST", "/auth/logout", {}),
  logoutAll: () => call<unknown>("POST", "/auth/logout-all", {}),
};

/**
 * The sentence to show for a failed call: the server's own words when it gave some, else one of
 * ours by status (`refused` for a plain refusal such as a wrong password).
 */
export function failureText(f: ApiFailure, m: Messages, lang: Lang, refused: string): string {
  if (f.status === 0) return m.networkError;
  if (f.detail) return f.detail;
  if (f.status === 429) return m.throttled(f.retryAfter === null ? null : fmtDuration(f.retryAfter * 1000, lang));
  if (f.status >= 400 && f.status < 500) return refused;
  return m.serverError(f.status);
}
