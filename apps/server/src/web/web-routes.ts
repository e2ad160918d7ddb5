import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Hono } from "hono";
import { setCookie } from "hono/cookie";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Store } from "@carewatch/store";
import { DISPLAY_COOKIE, displayFromContext } from "../http/display-auth.js";

/** Pages that only an authorised viewer may open (today: a display token; later: accounts). */
const GUARDED = /^\/wall(\/|$)/;

function refusalPage(reason: string): string {
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>carewatch — không được phép</title>
<style>body{background:#0b0f14;color:#e8edf2;font:2vw/1.4 system-ui,sans-serif;display:grid;place-items:center;height:100vh;margin:0;text-align:center}
.box{border:.3vw solid #ff6b6b;padding:3vw 4vw;border-radius:1vw}h1{font-size:3vw;margin:0 0 1vw}p{margin:.5vw 0;color:#aab4bf}</style></head>
<body><div class="box" role="alert"><h1>✖ Màn hình này chưa được cấp quyền</h1><p>This display is not authorised.</p>
<p>${reason}</p><p><small>Quản trị viên: <code>pnpm --silent cw displays create "Tên màn hình"</code> rồi mở đường dẫn được in ra.</small></p></div></body></html>`;
}

/**
 * The built SvelteKit app (adapter-static, SPA fallback) on the API's origin. Guarded pages
 * check the display token first: `?display=<token>` sets an HttpOnly cookie and redirects to
 * the clean URL, so the token does not stay in the address bar of a wall in a public room.
 */
export function webRoutes(deps: { store: Store; webDir: string | null }) {
  const app = new Hono();
  const { webDir, store } = deps;
  const indexFile = webDir ? path.join(webDir, "index.html") : null;

  app.use("*", async (c, next) => {
    if (!GUARDED.test(c.req.path)) return next();
    const url = new URL(c.req.url);
    const token = url.searchParams.get("display");
    if (token !== null) {
      const display = await store.credentials.authenticateDisplay(token);
      if (!display) return c.html(refusalPage("Mã màn hình sai hoặc đã bị thu hồi · The display token is wrong or revoked."), 401);
      setCookie(c, DISPLAY_COOKIE, token, { httpOnly: true, sameSite: "Strict", path: "/", maxAge: 400 * 24 * 3600 });
      url.searchParams.delete("display");
      return c.redirect(url.pathname + url.search, 303);
    }
    if (!(await displayFromContext(c, store))) return c.html(refusalPage("Thiếu mã màn hình hoặc mã đã bị thu hồi · Missing or revoked display token."), 401);
    return next();
  });

  if (!webDir || !indexFile || !existsSync(indexFile)) {
    app.get("*", (c) => c.text("carewatch: the web app is not built (run `pnpm build`). The API is at /api/v1/docs.", 503));
    return app;
  }
  app.use(
    "/_app/immutable/*",
    async (c, next) => {
      await next();
      c.header("cache-control", "public, max-age=31536000, immutable");
    },
    serveStatic({ root: webDir }),
  );
  app.use("*", serveStatic({ root: webDir }));
  // Every other path is a client-side route of the single-page app.
  app.get("*", (c) => {
    c.header("cache-control", "no-cache");
    // Read each time (the OS caches it): a rebuilt web app is served without a restart.
    return c.html(readFileSync(indexFile, "utf8"));
  });
  return app;
}
