import type { Server as HttpServer, IncomingMessage } from "node:http";
import { Server } from "socket.io";
import type { Logger } from "pino";
import { COALESCE_MS, HEARTBEAT_MS, type ClientToServerEvents, type ServerToClientEvents, type StatusPatch } from "@carewatch/domain";
import type { Store } from "@carewatch/store";
import { cookieFromHeader, DISPLAY_COOKIE } from "../http/display-auth.js";

export interface HubOptions {
  httpServer: HttpServer;
  store: Store;
  now: () => number;
  buildId: () => string;
  allowedOrigins: string[];
  log: Logger;
  /** How often revoked displays are looked for and every status is re-sent (staleness, midnight). */
  sweepMs?: number;
  refreshMs?: number;
}

interface SocketData {
  token: string;
  displayId: string;
}

/** Same-origin pages, the configured extra origins, or non-browser clients (no Origin header at all). */
export function originAllowed(req: IncomingMessage, allowed: string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const host = req.headers.host;
  return origin === `http://${host}` || origin === `https://${host}` || allowed.includes(origin);
}

/**
 * The live hub: subscribes to store commits and forwards them; no business rule lives here.
 * Patches are built by the same read path a reconnecting client uses (`changesSince`), so a
 * live patch and a resync can never disagree. Displays get at most one patch per COALESCE_MS;
 * the first commit after a quiet spell goes out at once, and the final state always follows.
 */
export function createHub(o: HubOptions) {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(o.httpServer, {
    serveClient: false,
    allowRequest: (req, cb) => cb(originAllowed(req, o.allowedOrigins) ? null : "origin not allowed", originAllowed(req, o.allowedOrigins)),
  });

  io.use((socket, next) => {
    const token = cookieFromHeader(socket.handshake.headers.cookie, DISPLAY_COOKIE) ?? (socket.handshake.auth as { token?: unknown }).token;
    const display = typeof token === "string" ? o.store.checkDisplay(token) : null;
    if (!display || typeof token !== "string") return next(new Error("unauthorized: display token missing, wrong or revoked"));
    socket.data = { token, displayId: display.id };
    next();
  });

  let sentSeq = o.store.lastSeq();
  let lastFlushAt = 0;
  let timer: NodeJS.Timeout | null = null;

  const flush = () => {
    timer = null;
    lastFlushAt = Date.now();
    // Nobody watching (an ingest-only server): nothing to build, just move the mark forward.
    if (io.engine.clientsCount === 0) {
      sentSeq = o.store.lastSeq();
      return;
    }
    const now = o.now();
    const changes = o.store.changesSince(sentSeq, now);
    const patch: StatusPatch = changes
      ? { fromSeq: sentSeq, seq: changes.seq, facilities: changes.facilities, ticker: changes.ticker }
      : { fromSeq: sentSeq, seq: o.store.lastSeq(), facilities: o.store.boardStatuses(now), ticker: o.store.ticker(30) };
    if (patch.seq === sentSeq && patch.facilities.length === 0) return;
    sentSeq = patch.seq;
    io.emit("patch", patch);
  };

  const unsubscribe = o.store.onCommit(() => {
    if (timer) return;
    const wait = Math.max(0, COALESCE_MS - (Date.now() - lastFlushAt));
    timer = setTimeout(flush, wait);
  });

  const heartbeat = setInterval(() => io.emit("heartbeat", { seq: sentSeq, serverTime: o.now(), buildId: o.buildId() }), HEARTBEAT_MS);

  // Staleness and "today" change with the clock, not only with events: re-send every status now and then.
  const refresh = setInterval(() => {
    if (io.engine.clientsCount === 0) return;
    io.emit("patch", { fromSeq: sentSeq, seq: sentSeq, facilities: o.store.boardStatuses(o.now()), ticker: [] });
  }, o.refreshMs ?? 15_000);

  // A revoked display drops off within seconds, even when the CLI revoked it from another process.
  const sweep = setInterval(() => {
    const verdicts = new Map<string, boolean>();
    for (const socket of io.of("/").sockets.values()) {
      const { token } = socket.data;
      if (!verdicts.has(token)) verdicts.set(token, o.store.checkDisplay(token) !== null);
      if (!verdicts.get(token)) {
        o.log.info({ display: socket.data.displayId }, "display revoked: disconnecting");
        socket.emit("revoked");
        socket.disconnect(true);
      }
    }
  }, o.sweepMs ?? 2_000);

  return {
    io,
    async close() {
      unsubscribe();
      clearInterval(heartbeat);
      clearInterval(refresh);
      clearInterval(sweep);
      if (timer) clearTimeout(timer);
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}

export type Hub = ReturnType<typeof createHub>;
