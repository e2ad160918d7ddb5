import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { getRequestListener } from "@hono/node-server";
import pino, { type Logger } from "pino";
import { describeLocation, GroupCommitter, openStore, type Store } from "@carewatch/store";
import { createApp } from "./app.js";
import { SECURITY_HEADERS } from "./http/security-headers.js";
import type { Config } from "./env.js";
import { createHub, type Hub } from "./live/hub.js";
import { sessionCookieFor } from "./auth/session-cookie.js";
import { createLoginThrottle } from "./auth/throttle.js";
import { connectRedis, redacted } from "./cluster/redis.js";
import { memoryRateLimiter, redisRateLimiter } from "./http/rate-limit.js";

export interface RunningServer {
  url: string;
  /** Where people reach it (CAREWATCH_PUBLIC_URL, or this machine on the bound port). */
  publicUrl: string;
  port: number;
  store: Store;
  hub: Hub;
  log: Logger;
  close(): Promise<void>;
}

/** The web build's version (SvelteKit writes it), so open wall displays reload after a deploy. */
function readBuildId(webDir: string | null, fallback: string): string {
  const file = webDir ? path.join(webDir, "_app", "version.json") : null;
  if (file && existsSync(file)) {
    try {
      return String((JSON.parse(readFileSync(file, "utf8")) as { version?: unknown }).version ?? fallback);
    } catch {
      return fallback;
    }
  }
  return fallback;
}

export async function startServer(config: Config, opts: { now?: () => number; log?: Logger } = {}): Promise<RunningServer> {
  const log = opts.log ?? pino({ level: config.logLevel, base: { service: "carewatch" } });
  const now = opts.now ?? Date.now;
  // Several processes behind one address share Redis (sockets, rate limits, login throttles).
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, log) : null;
  const store = await openStore(config.database, config.registry, log).catch(async (err: unknown) => {
    redis?.disconnect();
    throw err;
  });
  // Under a prefix that is the store's own, so deployments (or test runs) sharing one Redis stay
  // apart, and processes of one store meet however their URLs are spelled: the store's first
  // registry version (written once, when the store was made; `cw copy` carries it over).
  const [seed] = await store.registryVersions.list();
  const namespace = `carewatch:${createHash("sha256")
    .update(`${store.engine}:${seed?.createdAt ?? 0}`)
    .digest("hex")
    .slice(0, 12)}:`;
  const committer = new GroupCommitter(store.log);
  let rateErrorLoggedAt = 0;
  // Read on every heartbeat and snapshot (a tiny file): a web build deployed under a running
  // server, or a restart on a new build, reloads every open wall.
  const fallbackBuildId = `server-${Date.now()}`;
  const buildId = () => readBuildId(config.webDir, fallbackBuildId);
  let accepting = true;
  const httpServer = createServer();
  // Timeouts chosen, not inherited. Node's 5 s keep-alive races clients that reuse an idle
  // connection just as the server closes it ("other side closed"). Keep idle connections longer
  // than common client and balancer idle timeouts (60 s for nginx and cloud load balancers), so
  // the other side closes first; headers must be allowed longer than the keep-alive; and a whole
  // request (up to 1 MiB of events on a slow provincial link) gets two minutes, so a slow or
  // stalled body cannot hold a connection forever.
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  httpServer.requestTimeout = 120_000;
  const startSeq = await store.log.lastSeq();
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://localhost:${port}`;
  // The address people open (invitation and display links, the session cookie's Secure flag):
  // as configured, or by default this machine on the port actually bound (PORT=0 lets the system choose).
  const publicUrl = config.publicUrlGiven ? config.publicUrl : url;

  const cookie = sessionCookieFor(publicUrl);
  if (!cookie.secure) {
    log.warn(
      { public_url: publicUrl, cookie: cookie.name },
      "CAREWATCH_PUBLIC_URL is plain http: session cookies are not Secure. This is for localhost development only; serve people over https",
    );
  }
  const sessionAuth = { cookie, session: config.session };

  const app = createApp({
    store,
    committer,
    log,
    now,
    limiter: redis
      ? redisRateLimiter(redis, config.rateLimit, {
          prefix: `${namespace}rate:`,
          onError: (err) => {
            // Once a minute at most: during an outage every request would say it.
            if (Date.now() - rateErrorLoggedAt < 60_000) return;
            rateErrorLoggedAt = Date.now();
            log.warn({ err }, "rate limit: Redis unreachable; this process's buckets meanwhile");
          },
        })
      : memoryRateLimiter(config.rateLimit),
    webDir: config.webDir,
    buildId,
    accepting: () => accepting,
    dev: config.dev,
    auth: {
      ...sessionAuth,
      publicOrigin: new URL(publicUrl).origin,
      throttle: createLoginThrottle({ redis: redis ?? undefined, prefix: namespace }),
      trustedProxies: config.trustedProxies,
    },
    referralOverdue: config.referralOverdue,
    // The hub is made after the app (it needs the listening HTTP server); nothing ends before then.
    ended: (credential) => hub.endCredential(credential),
  });
  // Attached in the same turn as the listen callback: no request can arrive before it.
  httpServer.on("request", getRequestListener(app.fetch));
  const hub = createHub(
    {
      httpServer,
      store,
      now,
      buildId,
      // The address people open is always allowed: behind a proxy the Host the server sees may not be it.
      allowedOrigins: [...config.allowedOrigins, new URL(publicUrl).origin],
      log,
      auth: sessionAuth,
      redis,
      streamName: `${namespace}socket.io`,
    },
    startSeq,
  );
  // Security headers on every response, set before anyone answers: Hono's routes and Socket.IO's
  // handshake, polling and errors alike (Socket.IO answers outside Hono).
  // After the hub: Socket.IO moves the listeners it finds behind its own, so this goes in front.
  httpServer.prependListener("request", (_req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  });
  log.info(
    {
      url,
      public_url: publicUrl,
      store: store.engine,
      redis: config.redisUrl ? redacted(config.redisUrl) : null,
      data: describeLocation(config.database),
      registry_seed: config.registrySource,
      facilities: store.registry.facilities.length,
      registry_version: store.registryVersions.current(),
      seq: startSeq,
    },
    "carewatch listening",
  );

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      // Stop taking requests, let in-flight ones finish and commit, then close cleanly.
      accepting = false;
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      // Keep-alive connections that go idle later (a long-poll the hub ends, a request that
      // finishes) would otherwise stay open for the 65 s keep-alive: close them as they idle, and
      // force the rest after 5 s. Both start before the hub closes, because Socket.IO's close
      // waits for the HTTP server's, which waits for every connection.
      httpServer.closeIdleConnections();
      const idle = setInterval(() => httpServer.closeIdleConnections(), 100);
      const force = setTimeout(() => httpServer.closeAllConnections(), 5_000);
      await committer.drain();
      await hub.close();
      await closed;
      clearInterval(idle);
      clearTimeout(force);
      await store.close();
      await redis?.quit().catch(() => redis.disconnect());
      log.info("carewatch stopped");
    })());

  return { url, publicUrl, port, store, hub, log, close };
}
