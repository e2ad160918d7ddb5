import { Hono, type Context } from "hono";
import { z } from "zod";
import type { Logger } from "pino";
import { problem } from "../http/problem.js";
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from "./passwords.js";
import { authenticateCredential, credentialFromCookies, type SessionAuth } from "./principal.js";
import { jsonFromOwnOrigin } from "./csrf.js";
import { clearSessionCookie, writeSessionCookie } from "./session-cookie.js";
import type { EndedCredential } from "../admin/admin-actions.js";
import { clientAddress } from "../http/client-address.js";
import type { LoginThrottle } from "./throttle.js";

export interface AuthRouteDeps extends SessionAuth {
  throttle: LoginThrottle;
  /** The origin people open (CAREWATCH_PUBLIC_URL): a POST from it is same-origin. */
  publicOrigin: string;
  /** CAREWATCH_TRUSTED_PROXIES: whose X-Forwarded-For names the client (throttling is per address). */
  trustedProxies: readonly string[];
  /** "Log out everywhere" drops the account's live sockets too, on every process. */
  ended: (credential: EndedCredential) => void;
  log: Logger;
}

const LoginBody = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1024),
  next: z.string().max(2048).optional(),
});
const InviteBody = z.object({ password: z.string().min(1).max(1024) });

const WRONG = "Email hoặc mật khẩu không đúng · Wrong email or password.";
const NOT_LOGGED_IN = "Chưa đăng nhập hoặc phiên đã hết hạn · Not logged in, or the session has ended.";

/** Where to go after logging in: a same-origin path only (never `//host` or `/\host`), else `/`. */
export function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return "/";
  // Never back to the login or an invitation (a loop, or a spent token).
  if (/^\/(login|invite)([/?#]|$)/.test(next)) return "/";
  return next;
}

async function readJson(c: Context): Promise<{ ok: true; body: unknown } | { ok: false; res: Response }> {
  try {
    return { ok: true, body: await c.req.json() };
  } catch {
    return { ok: false, res: problem(c, "malformed-json", { detail: "Dữ liệu gửi lên không phải JSON hợp lệ · The body is not valid JSON." }) };
  }
}

const minutes = (seconds: number) => Math.max(1, Math.ceil(seconds / 60));

/**
 * `/auth/*`: login, logout (here or everywhere), who am I, and setting a password from an
 * invitation. Thin: the store checks sessions and invitations, passwords.ts the password. POSTs
 * are JSON from our own origin only (a cross-site form can send neither the content type nor,
 * in today's browsers, a same-origin Origin), on top of the cookie's SameSite=Lax.
 */
export function authRoutes(d: AuthRouteDeps) {
  const app = new Hono();
  const absoluteMs = d.session.absoluteMs;

  app.use("*", jsonFromOwnOrigin(d.publicOrigin));

  app.post("/login", async (c) => {
    const read = await readJson(c);
    if (!read.ok) return read.res;
    const parsed = LoginBody.safeParse(read.body);
    if (!parsed.success) return problem(c, "validation", { detail: "Cần email và mật khẩu · An email and a password are required." });
    const { email, password } = parsed.data;
    const from = clientAddress(c, d.trustedProxies);
    const wait = await d.throttle.blockedFor(email, from);
    if (wait > 0) {
      return problem(c, "rate-limited", {
        detail: `Quá nhiều lần đăng nhập sai; hãy thử lại sau ${minutes(wait)} phút · Too many failed logins; try again in ${minutes(wait)} minute(s).`,
        headers: { "retry-after": String(wait) },
      });
    }
    const login = await d.store.credentials.findLogin(email.toLowerCase());
    // Unknown, disabled and password-less accounts are verified against a decoy: same answer, same time.
    const ok = await verifyPassword(login?.passwordHash ?? (await decoyHash()), password);
    if (!login || login.disabled || !login.passwordHash || !ok) {
      await d.throttle.failed(email, from);
      d.log.info({ req_id: c.get("requestId" as never) }, "login refused");
      return problem(c, "unauthorized", { detail: WRONG });
    }
    await d.throttle.succeeded(email);
    const { token } = await d.store.credentials.createSession(login.userId, d.now());
    const user = await d.store.credentials.authenticateSession(token, d.now(), d.session);
    if (!user) return problem(c, "unauthorized", { detail: WRONG });
    writeSessionCookie(c, d.cookie, token, absoluteMs);
    return c.json({ user: { email: user.email, role: user.role }, next: safeNext(parsed.data.next) });
  });

  app.post("/logout", async (c) => {
    const cred = credentialFromCookies(c.req.header("cookie"), d);
    if (cred?.kind === "session") await d.store.credentials.endSession(cred.token, d.now());
    clearSessionCookie(c, d.cookie);
    return c.json({ status: "logged out" });
  });

  app.post("/logout-all", async (c) => {
    const cred = credentialFromCookies(c.req.header("cookie"), d);
    const user = cred?.kind === "session" ? await authenticateCredential(cred, d) : null;
    if (user?.kind !== "user") return problem(c, "unauthorized", { detail: NOT_LOGGED_IN });
    const ended = await d.store.credentials.endAllSessions(user.userId, d.now());
    d.ended({ kind: "user", id: user.userId });
    clearSessionCookie(c, d.cookie);
    return c.json({ status: "logged out everywhere", ended });
  });

  app.get("/me", async (c) => {
    c.header("cache-control", "no-store");
    const cred = credentialFromCookies(c.req.header("cookie"), d);
    const user = cred?.kind === "session" ? await authenticateCredential(cred, d) : null;
    if (user?.kind !== "user") return problem(c, "unauthorized", { detail: NOT_LOGGED_IN });
    return c.json({ email: user.email, role: user.role, provinces: user.provinces, facilityId: user.facilityId });
  });

  app.post("/invite/:token", async (c) => {
    const read = await readJson(c);
    if (!read.ok) return read.res;
    const parsed = InviteBody.safeParse(read.body);
    if (!parsed.success) return problem(c, "validation", { detail: "Cần mật khẩu · A password is required." });
    const { password } = parsed.data;
    // Checked before the invitation is used, so a refused password leaves it valid for another try.
    const weak = passwordProblem(password, "");
    if (weak) return problem(c, "validation", { detail: weak });
    const passwordHash = await hashPassword(password);
    const userId = await d.store.credentials.redeemInvitation(c.req.param("token"), d.now());
    if (!userId)
      return problem(c, "not-found", { detail: "Lời mời không hợp lệ, đã dùng hoặc đã hết hạn · The invitation is invalid, already used or expired." });
    await d.store.credentials.setPassword(userId, passwordHash);
    const { token } = await d.store.credentials.createSession(userId, d.now());
    const user = await d.store.credentials.authenticateSession(token, d.now(), d.session);
    if (!user) return problem(c, "forbidden", { detail: "Tài khoản đã bị khoá · The account is disabled." });
    writeSessionCookie(c, d.cookie, token, absoluteMs);
    return c.json({ user: { email: user.email, role: user.role }, next: "/" });
  });

  app.all("*", (c) => problem(c, "not-found", { detail: `No route ${c.req.method} ${c.req.path}` }));
  return app;
}
