import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Hono, type Context } from "hono";
import { setCookie } from "hono/cookie";
import { serveStatic } from "@hono/node-server/serve-static";
import { mayOpenPage, mayReadFacility } from "@carewatch/domain";
import { DISPLAY_COOKIE } from "../http/display-auth.js";
import { principalFromCookies, type SessionAuth } from "../auth/principal.js";
import { inlineStylePolicy, webAppPolicy } from "../http/security-headers.js";

// The refusal and 403 pages' one stylesheet, inline (they must show without the web build) and
// allowed by its hash in their own policy.
const PAGE_CSS = `body{background:#0b0f14;color:#e8edf2;font:clamp(16px,2vw,32px)/1.4 system-ui,sans-serif;display:grid;place-items:center;min-height:100vh;margin:0;text-align:center}
.box{border:.2em solid #ff6b6b;padding:1.5em 2em;border-radius:.5em;max-width:40em}h1{font-size:1.5em;margin:0 0 .5em}p{margin:.3em 0;color:#aab4bf}a{color:#8ecbff}`;
const PAGE_POLICY = inlineStylePolicy(PAGE_CSS);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>carewatch — ${title}</title>
<style>${PAGE_CSS}</style></head>
<body><div class="box" role="alert">${body}</div></body></html>`;
}

/** A server-written page with its own policy. */
function htmlPage(c: Context, html: string, status: 401 | 403 | 404): Response {
  c.header("content-security-policy", PAGE_POLICY);
  return c.html(html, status);
}

function refusalPage(reason: string): string {
  return page(
    "không được phép",
    `<h1>✖ Màn hình này chưa được cấp quyền</h1><p>This display is not authorised.</p>
<p>${reason}</p><p><small>Quản trị viên: <code>pnpm --silent cw displays create "Tên màn hình"</code> rồi mở đường dẫn được in ra.</small></p>
<p><a href="/login?next=%2Fwall">Đăng nhập</a> · <a href="/login?next=%2Fwall">Log in</a></p>`,
  );
}

function forbiddenPage(): string {
  return page(
    "không có quyền",
    `<h1>✖ Bạn không có quyền mở trang này</h1><p>Tài khoản của bạn không được phép xem trang này.</p>
<p>You may not open this page: your account is not allowed to see it.</p><p><a href="/">Trang chủ · Home</a></p>`,
  );
}

function notFoundPage(): string {
  return page(
    "không tìm thấy",
    `<h1>✖ Không có cơ sở này</h1><p>Mã cơ sở trong đường dẫn không có trong danh mục.</p>
<p>No such facility: the id in the address is not in the registry.</p><p><a href="/">Trang chủ · Home</a></p>`,
  );
}

/**
 * index.html and the policy its meta tag carries, read at start and again only when the file
 * changes: a web app rebuilt under a running server is served without a restart, and with the
 * policy of the new build (its bootstrap script's hash changes with every build; an old header
 * would block the new page).
 */
function indexReader(file: string): () => { html: string; policy: string | null } {
  let cached: { mtimeMs: number; size: number; html: string; policy: string | null } | null = null;
  return () => {
    const st = statSync(file);
    if (!cached || cached.mtimeMs !== st.mtimeMs || cached.size !== st.size) {
      const html = readFileSync(file, "utf8");
      cached = { mtimeMs: st.mtimeMs, size: st.size, html, policy: webAppPolicy(html) };
    }
    return cached;
  };
}

/**
 * The built SvelteKit app (adapter-static, SPA fallback) on the API's origin. Static assets
 * (files of the build other than index.html) are public; every other path is a page, opened
 * only when the domain's `mayOpenPage` says so: nobody logged in → /login?next=…, anyone else
 * not listed for it → 403. The wall keeps its kiosk behaviour: `?display=<token>` sets an
 * HttpOnly cookie and redirects to the clean URL (the token does not stay in the address bar
 * of a wall in a public room), and a wall without a valid token says so (401) instead of
 * showing a login form.
 */
export function webRoutes(deps: { auth: SessionAuth; webDir: string | null }) {
  const app = new Hono();
  const { webDir, auth } = deps;
  const indexFile = webDir ? path.join(webDir, "index.html") : null;
  const built = !!(webDir && indexFile && existsSync(indexFile));
  const readIndex = built && indexFile ? indexReader(indexFile) : null;
  readIndex?.();

  /** A file of the build (not a page): under /_app/, or an existing file other than index.html. */
  const isAsset = (p: string): boolean => {
    if (!built || !webDir) return false;
    if (p.startsWith("/_app/")) return true;
    const last = p.slice(p.lastIndexOf("/") + 1);
    if (!last.includes(".") || last === "index.html") return false;
    let file: string;
    try {
      file = path.resolve(webDir, "." + decodeURIComponent(p));
    } catch {
      return false;
    }
    if (!file.startsWith(webDir + path.sep)) return false;
    try {
      return statSync(file).isFile();
    } catch {
      return false;
    }
  };

  const guard = async (c: Context): Promise<Response | null> => {
    const url = new URL(c.req.url);
    const wall = /^\/wall(\/|$)/.test(url.pathname);
    const token = wall ? url.searchParams.get("display") : null;
    if (token !== null) {
      const display = await auth.store.credentials.authenticateDisplay(token);
      if (!display) return htmlPage(c, refusalPage("Mã màn hình sai hoặc đã bị thu hồi · The display token is wrong or revoked."), 401);
      setCookie(c, DISPLAY_COOKIE, token, { httpOnly: true, sameSite: "Strict", path: "/", maxAge: 400 * 24 * 3600 });
      url.searchParams.delete("display");
      return c.redirect(url.pathname + url.search, 303);
    }
    const principal = await principalFromCookies(c.req.header("cookie"), auth);
    const verdict = mayOpenPage(principal, url.pathname);
    c.header("cache-control", "no-store");
    // /facilities/<id> (issue 8): the role may open the page, and the person must be allowed to read that facility.
    const facility = verdict === "ok" && principal ? /^\/facilities\/([^/]+)\/?$/.exec(url.pathname) : null;
    if (facility && principal) {
      let f;
      try {
        f = auth.store.registry.byId.get(decodeURIComponent(facility[1]!));
      } catch {
        f = undefined; // a malformed %-escape names no facility
      }
      if (!f) return htmlPage(c, notFoundPage(), 404);
      if (!mayReadFacility(principal, f)) return htmlPage(c, forbiddenPage(), 403);
    }
    if (verdict === "ok") return null;
    if (verdict === "login") {
      if (wall) return htmlPage(c, refusalPage("Thiếu mã màn hình hoặc mã đã bị thu hồi · Missing or revoked display token."), 401);
      return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 302);
    }
    return htmlPage(c, forbiddenPage(), 403);
  };

  if (built && webDir) {
    app.use(
      "/_app/immutable/*",
      async (c, next) => {
        await next();
        c.header("cache-control", "public, max-age=31536000, immutable");
      },
      serveStatic({ root: webDir }),
    );
    app.use("*", async (c, next) => (isAsset(c.req.path) ? serveStatic({ root: webDir })(c, next) : next()));
  }

  // Every other path is a page (a client-side route of the single-page app), behind the guard.
  app.get("*", async (c) => {
    const refused = await guard(c);
    if (refused) return refused;
    if (!readIndex) return c.text("carewatch: the web app is not built (run `pnpm build`). The API is at /api/v1/docs.", 503);
    c.header("cache-control", "no-cache");
    const index = readIndex();
    if (index.policy) c.header("content-security-policy", index.policy);
    return c.html(index.html);
  });
  return app;
}
