import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, Role, ServerToClientEvents } from "@carewatch/domain";
import { hashPassword, type AppRouter } from "@carewatch/server";
import { readResponse, type TestServer } from "./server.js";

/**
 * Accounts for tests: users made through the store (the CLI and the invitation page are
 * tested on their own), logins over real HTTP, and tRPC/socket clients carrying a cookie.
 */

/** Passes the server's password rules (long, not a common password or pattern). */
export const STRONG_PASSWORD = "mây trắng bay qua đèo Pha Đin";

export interface NewAccount {
  email: string;
  role: Role;
  provinces?: string[];
  facilityId?: string | null;
  /** Null: invited, no password yet. */
  password?: string | null;
}

/** Create a user with a password through the store; returns its id. */
export async function createAccount(s: TestServer, a: NewAccount): Promise<string> {
  const { id } = await s.store.credentials.createUser(
    { email: a.email, role: a.role, provinces: a.provinces ?? [], facilityId: a.facilityId ?? null },
    Date.now(),
  );
  const password = a.password === undefined ? STRONG_PASSWORD : a.password;
  if (password !== null) await s.store.credentials.setPassword(id, await hashPassword(password));
  return id;
}

/** `name=value` of the first Set-Cookie that sets `name` (any flags), or null. */
export function cookieFrom(res: { headers: Headers }, name: string): string | null {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(";");
    if (pair?.startsWith(`${name}=`)) return pair;
  }
  return null;
}

/** POST JSON to /auth/… (same-origin by default: no Origin header, like curl). */
export async function authPost(url: string, route: string, body: unknown, headers: Record<string, string> = {}) {
  return readResponse(
    await fetch(`${url}/auth/${route}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
      redirect: "manual",
    }),
  );
}

/** Log in; `cookie` is the `name=value` to send back (null when refused). */
export async function login(url: string, email: string, password = STRONG_PASSWORD, opts: { next?: string; cookieName?: string } = {}) {
  const r = await authPost(url, "login", { email, password, ...(opts.next === undefined ? {} : { next: opts.next }) });
  return { ...r, cookie: cookieFrom(r, opts.cookieName ?? "cw_session") };
}

export async function me(url: string, cookie: string | null) {
  return readResponse(await fetch(`${url}/auth/me`, { headers: cookie ? { cookie } : {} }));
}

/** GET a page without following redirects. */
export async function getPage(url: string, pathname: string, cookie: string | null) {
  return readResponse(await fetch(`${url}${pathname}`, { headers: cookie ? { cookie } : {}, redirect: "manual" }));
}

export function trpcWithCookie(url: string, cookie: string | null, headers: Record<string, string> = {}) {
  return createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${url}/trpc`, headers: { ...(cookie ? { cookie } : {}), ...headers } })] });
}

/** A live socket authenticated by a cookie (session or display), no reconnection. */
export function socketWithCookie(url: string, cookie: string | null, auth: Record<string, string> = {}): Socket<ServerToClientEvents, ClientToServerEvents> {
  return io(url, { transports: ["websocket"], extraHeaders: cookie ? { cookie } : {}, auth, reconnection: false, forceNew: true });
}

/**
 * Whether a socket connects ("connected") or is refused (the server's message). Call it as the
 * socket is made: an outcome that happened before is not heard (except a connection already up).
 */
export function connectOutcome(socket: Socket): Promise<"connected" | string> {
  return new Promise((resolve) => {
    if (socket.connected) return resolve("connected");
    socket.once("connect", () => resolve("connected"));
    socket.once("connect_error", (e) => resolve(e.message));
  });
}
