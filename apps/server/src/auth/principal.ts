import type { DisplayPrincipal, UserPrincipal } from "@carewatch/domain";
import type { Store } from "@carewatch/store";
import { cookieFromHeader, DISPLAY_COOKIE } from "../http/display-auth.js";
import type { SessionCookie } from "./session-cookie.js";

/** What resolving a browser's cookies needs: the store, the clock, the cookie's name, the lifetimes. */
export interface SessionAuth {
  store: Store;
  now: () => number;
  cookie: SessionCookie;
  session: { idleMs: number; absoluteMs: number };
}

/** A browser's credential as found in its cookies: a session (a person) first, else a display token. */
export type BrowserCredential = { kind: "session"; token: string } | { kind: "display"; token: string };

export function credentialFromCookies(cookieHeader: string | undefined, auth: Pick<SessionAuth, "cookie">): BrowserCredential | null {
  const session = cookieFromHeader(cookieHeader, auth.cookie.name);
  if (session) return { kind: "session", token: session };
  const display = cookieFromHeader(cookieHeader, DISPLAY_COOKIE);
  return display ? { kind: "display", token: display } : null;
}

/** The principal a credential stands for now, or null (ended, expired, revoked, disabled, unknown). */
export function authenticateCredential(cred: BrowserCredential, auth: SessionAuth): Promise<UserPrincipal | DisplayPrincipal | null> {
  return cred.kind === "session"
    ? auth.store.credentials.authenticateSession(cred.token, auth.now(), auth.session)
    : auth.store.credentials.authenticateDisplay(cred.token);
}

/** The principal of a request's cookies: a logged-in person, a wall display, or null. */
export async function principalFromCookies(cookieHeader: string | undefined, auth: SessionAuth): Promise<UserPrincipal | DisplayPrincipal | null> {
  const cred = credentialFromCookies(cookieHeader, auth);
  if (!cred) return null;
  const p = await authenticateCredential(cred, auth);
  // A stale session cookie beside a valid display cookie (a shared wall): the display still counts.
  if (!p && cred.kind === "session") {
    const display = cookieFromHeader(cookieHeader, DISPLAY_COOKIE);
    if (display) return auth.store.credentials.authenticateDisplay(display);
  }
  return p;
}
