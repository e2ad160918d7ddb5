import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { trpcServer } from "@hono/trpc-server";
import type { Logger } from "pino";
import type { GroupCommitter, Store } from "@carewatch/store";
import type { OverdueThresholds } from "@carewatch/domain";
import type { EndedCredential } from "./admin/admin-actions.js";
import { authRoutes } from "./auth/auth-routes.js";
import { refuseCrossSite } from "./auth/csrf.js";
import { principalFromCookies, type SessionAuth } from "./auth/principal.js";
import type { LoginThrottle } from "./auth/throttle.js";
import { entryRoutes } from "./entry/entry-route.js";
import { importRoutes } from "./import/import-route.js";
import { reportRoutes } from "./reports/reports-route.js";
import { ingestRoute } from "./http/ingest-route.js";
import { PROBLEMS, problem, problemKind } from "./http/problem.js";
import type { RateLimiter } from "./http/rate-limit.js";
import { statusRoute } from "./http/status-route.js";
import { apiPageHtml } from "./openapi/api-page.js";
import { openApiDocument } from "./openapi/openapi.js";
import { logTrpcError } from "./trpc/log-error.js";
import { createAppRouter } from "./trpc/router.js";
import { webRoutes } from "./web/web-routes.js";

export interface AppDeps {
  store: Store;
  committer: GroupCommitter;
  log: Logger;
  now: () => number;
  /** The Facility API's per-key limit (this process's memory, or Redis shared by every process). */
  limiter: RateLimiter;
  webDir: string | null;
  buildId: () => string;
  /** False while shutting down: /readyz turns 503 so a balancer stops sending traffic. */
  accepting: () => boolean;
  /** Development mode (CAREWATCH_ENV=development): tRPC errors carry stack traces. */
  dev: boolean;
  /** Sessions: the cookie's name and flags (from CAREWATCH_PUBLIC_URL) and the lifetimes. */
  auth: Pick<SessionAuth, "cookie" | "session"> & { publicOrigin: string; throttle: LoginThrottle; trustedProxies: readonly string[] };
  /** A display or account ended: the live hub drops its sockets on every process. */
  ended: (credential: EndedCredential) => void;
  /** CAREWATCH_REFERRAL_OVERDUE (the domain's defaults when absent). */
  referralOverdue?: OverdueThresholds;
}

/** The whole HTTP surface on one origin: Facility API, tRPC, health, docs, the web app. */
export function createApp(d: AppDeps) {
  const app = new Hono();
  const sessionAuth: SessionAuth = { store: d.store, now: d.now, cookie: d.auth.cookie, session: d.auth.session };

  app.use("*", requestId());
  // One line per request; never the body (counts only, but bodies are the integrator's business).
  app.use("*", async (c, next) => {
    const started = performance.now();
    await next();
    d.log.info(
      { req_id: c.get("requestId"), method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10 },
      "request",
    );
  });

  // CSRF: no state-changing request from another site on any route a cookie authenticates (tRPC
  // mutations, /auth, /entry, /import). The Facility API takes a bearer key, which a browser
  // never sends on its own (and no CORS lets another origin's script add it).
  const crossSite = refuseCrossSite(d.auth.publicOrigin);
  app.use("*", (c, next) => (c.req.path.startsWith("/api/") ? next() : crossSite(c, next)));

  app.get("/healthz", (c) => c.json({ status: "alive" }));
  app.get("/readyz", async (c) =>
    d.store.ready() && d.accepting() ? c.json({ status: "ready", seq: await d.store.log.lastSeq() }) : c.json({ status: "not ready" }, 503),
  );

  app.get("/api/v1/openapi.json", (c) => c.json(openApiDocument(new URL(c.req.url).origin)));
  app.get("/api/v1/docs", (c) => c.html(apiPageHtml()));
  app.get("/problems/:name", (c) => {
    const kind = problemKind(c.req.param("name"));
    if (!kind) return problem(c, "not-found");
    const p = PROBLEMS[kind];
    return c.text(`${p.status} ${p.title}\n\n${p.doc}\n`);
  });
  app.use("/api/v1/events", async (c, next) =>
    d.accepting() ? next() : problem(c, "unavailable", { detail: "The server is shutting down", headers: { "retry-after": "2" } }),
  );
  app.route("/api/v1/events", ingestRoute({ store: d.store, committer: d.committer, limiter: d.limiter, now: d.now }));
  app.route("/api/v1/facilities", statusRoute({ store: d.store, now: d.now, auth: sessionAuth }));
  app.all("/api/*", (c) => problem(c, "not-found", { detail: `No route ${c.req.method} ${c.req.path}` }));

  app.route(
    "/auth",
    authRoutes({
      ...sessionAuth,
      throttle: d.auth.throttle,
      publicOrigin: d.auth.publicOrigin,
      trustedProxies: d.auth.trustedProxies,
      ended: d.ended,
      log: d.log,
    }),
  );

  app.route("/entry", entryRoutes({ store: d.store, committer: d.committer, now: d.now, auth: sessionAuth, publicOrigin: d.auth.publicOrigin }));

  app.route("/import", importRoutes({ store: d.store, committer: d.committer, now: d.now, auth: sessionAuth, publicOrigin: d.auth.publicOrigin }));

  // The workbook only; every other /reports path is a page of the web app.
  app.route("/reports", reportRoutes({ store: d.store, now: d.now, auth: sessionAuth }));

  const appRouter = createAppRouter({ isDev: d.dev, publicUrl: d.auth.publicOrigin, referralOverdue: d.referralOverdue });
  // The adapter's onError sees no Hono context, so the handler is made per request to log with its id.
  app.use("/trpc/*", (c, next) =>
    trpcServer({
      endpoint: "/trpc",
      router: appRouter,
      createContext: async (_opts, c) => ({
        store: d.store,
        now: d.now,
        buildId: d.buildId(),
        principal: await principalFromCookies(c.req.header("cookie"), sessionAuth),
        ended: d.ended,
      }),
      onError: (o) => logTrpcError(d.log, c.get("requestId"), o),
    })(c, next),
  );

  app.route("/", webRoutes({ auth: sessionAuth, webDir: d.webDir }));

  // Faults in carewatch itself: logged with the request id; a busy database is a 503 to retry.
  app.onError((err, c) => {
    const busy = /SQLITE_BUSY|SQLITE_LOCKED|database is locked/i.test(String((err as { code?: string }).code ?? err.message));
    d.log.error({ req_id: c.get("requestId"), err }, "request failed");
    return busy ? problem(c, "unavailable", { headers: { "retry-after": "1" } }) : problem(c, "internal");
  });
  return app;
}
