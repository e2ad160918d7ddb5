import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Hono, type Context } from "hono";
import { setCookie } from "hono/cookie";
import { serveStatic } from "@hono/node-server/serve-static";
import { mayOpenPage } from "@carewatch/domain";
import { DISPLAY_COOKIE } from "../http/display-auth.js";
import { principalFromCookies, type SessionAuth } from "../auth/principal.js";

function page(title: string, body: string): string {
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>carewatch — ${title}</title>
<style>body{background:#0b0f14;color:#e8edf2;font:clamp(16px,2vw,32px)/1.4 system-ui,sans-serif;display:grid;place-items:center;min-height:100vh;margin:0;text-align:center}
.box{border:.2em solid #ff6b6b;padding:1.5em 2em;border-radius:.5em;max-width:40em}h1{font-size:1.5em;margin:0 0 .5em}p{margin:.3em 0;color:#aab4bf}a{color:#8ecbff}</style></head>
<body><div class="box" role="alert">${body}</div></body></html>`;
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
      if (!display) return c.html(refusalPage("Mã màn hình sai hoặc đã bị thu hồi · The display token is wrong or revoked."), 401);
      setCookie(c, DISPLAY_COOKIE, token, { httpOnly: true, sameSite: "Strict", path: "/", maxAge: 400 * 24 * 3600 });
      url.searchParams.delete("display");
      return c.redirect(url.pathname + url.search, 303);
    }
    const principal = await principalFromCookies(c.req.header("cookie"), auth);
    const verdict = mayOpenPage(principal, url.pathname);
    c.header("cache-control", "no-store");
    if (verdict === "ok") return null;
    if (verdict === "login") {
      if (wall) return c.html(refusalPage("Thiếu mã màn hình hoặc mã đã bị thu hồi · Missing or revoked display token."), 401);
      return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 302);
    }
    return c.html(forbiddenPage(), 403);
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
    if (!built || !indexFile) return c.text("carewatch: the web app is not built (run `pnpm build`). The API is at /api/v1/docs.", 503);
    c.header("cache-control", "no-cache");
    // Read each time (the OS caches it): a rebuilt web app is served without a restart.
    return c.html(readFileSync(indexFile, "utf8"));
  });
  return app;
}
