import type { Server as HttpServer, IncomingMessage } from "node:http";
import { Server } from "socket.io";
import type { Logger } from "pino";
import {
  COALESCE_MS,
  HEARTBEAT_MS,
  TICKER_LENGTH,
  type ClientToServerEvents,
  type DisplayPrincipal,
  type ServerToClientEvents,
  type StatusPatch,
} from "@carewatch/domain";
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
  principal: DisplayPrincipal;
}

/** Same-origin pages, the configured extra origins, or non-browser clients (no Origin header at all). */
export function originAllowed(req: IncomingMessage, allowed: string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const host = req.headers.host;
  return origin === `http://${host}` || origin === `https://${host}` || allowed.includes(origin);
}

/**
 * The live hub: follows the event log from its own seq and forwards; no business rule lives
 * here. It is woken by the log's watch (a commit by this process at once, by any other process
 * within a poll), and builds each patch with the same read path a reconnecting client uses
 * (`changesSince`), so a live patch and a resync can never disagree. Displays get at most one
 * patch per COALESCE_MS; the first commit after a quiet spell goes out at once, and the final
 * state always follows.
 */
export function createHub(o: HubOptions, startSeq: number) {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(o.httpServer, {
    serveClient: false,
    allowRequest: (req, cb) => cb(originAllowed(req, o.allowedOrigins) ? null : "origin not allowed", originAllowed(req, o.allowedOrigins)),
  });

  io.use((socket, next) => {
    const token = cookieFromHeader(socket.handshake.headers.cookie, DISPLAY_COOKIE) ?? (socket.handshake.auth as { token?: unknown }).token;
    const refuse = () => next(new Error("unauthorized: display token missing, wrong or revoked"));
    if (typeof token !== "string") return refuse();
    o.store.credentials.authenticateDisplay(token).then(
      (principal) => {
        if (!principal) return refuse();
        socket.data = { token, principal };
        next();
      },
      (err: unknown) => {
        o.log.error({ err }, "hub: display check failed");
        refuse();
      },
    );
  });

  // The seq every display has been sent up to: the hub's place in the log.
  let sentSeq = startSeq;
  let lastFlushAt = 0;
  let timer: NodeJS.Timeout | null = null;
  let flushing: Promise<void> | null = null;
  let again = false;
  let closed = false;

  const build = async (): Promise<StatusPatch | null> => {
    const now = o.now();
    const changes = await o.store.reads.changesSince(sentSeq, now);
    if (changes) return { fromSeq: sentSeq, seq: changes.seq, facilities: changes.facilities, ticker: changes.ticker };
    // Too far behind for a patch (or the log was replaced): the whole board.
    const board = await o.store.reads.board(now, TICKER_LENGTH);
    return { fromSeq: sentSeq, seq: board.seq, facilities: board.facilities, ticker: board.ticker };
  };

  const flush = async () => {
    lastFlushAt = Date.now();
    // Nobody watching (an ingest-only server): nothing to build, just move the mark forward.
    if (io.engine.clientsCount === 0) {
      sentSeq = Math.max(sentSeq, await o.store.log.lastSeq());
      return;
    }
    const patch = await build();
    if (!patch || closed || (patch.seq === sentSeq && patch.facilities.length === 0)) return;
    sentSeq = patch.seq;
    io.emit("patch", patch);
  };

  // One flush at a time; a wake during one asks for another right after it.
  const run = () => {
    timer = null;
    if (flushing) {
      again = true;
      return;
    }
    flushing = flush()
      .catch((err: unknown) => o.log.error({ err }, "hub: patch failed"))
      .finally(() => {
        flushing = null;
        if (again && !closed) {
          again = false;
          wake();
        }
      });
  };

  const wake = () => {
    if (timer || closed) return;
    timer = setTimeout(run, Math.max(0, COALESCE_MS - (Date.now() - lastFlushAt)));
  };

  const unwatch = o.store.log.watch(wake);

  const heartbeat = setInterval(() => io.emit("heartbeat", { seq: sentSeq, serverTime: o.now(), buildId: o.buildId() }), HEARTBEAT_MS);

  // Staleness and "today" change with the clock, not only with events: re-send every status now and then.
  const refresh = setInterval(() => {
    if (io.engine.clientsCount === 0) return;
    o.store.reads.board(o.now(), 0).then(
      (board) => {
        if (!closed) io.emit("patch", { fromSeq: sentSeq, seq: sentSeq, facilities: board.facilities, ticker: [] });
      },
      (err: unknown) => o.log.error({ err }, "hub: refresh failed"),
    );
  }, o.refreshMs ?? 15_000);

  // A revoked display drops off within seconds, even when the CLI revoked it from another process.
  const sweep = setInterval(() => {
    const verdicts = new Map<string, Promise<boolean>>();
    for (const socket of io.of("/").sockets.values()) {
      const { token, principal } = socket.data;
      if (!verdicts.has(token))
        verdicts.set(
          token,
          o.store.credentials.authenticateDisplay(token).then(
            (p) => p !== null,
            () => true,
          ),
        );
      void verdicts.get(token)!.then((ok) => {
        if (ok || !socket.connected) return;
        o.log.info({ display: principal.displayId }, "display revoked: disconnecting");
        socket.emit("revoked");
        socket.disconnect(true);
      });
    }
  }, o.sweepMs ?? 2_000);

  return {
    io,
    async close() {
      closed = true;
      unwatch();
      clearInterval(heartbeat);
      clearInterval(refresh);
      clearInterval(sweep);
      if (timer) clearTimeout(timer);
      await flushing;
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}

export type Hub = ReturnType<typeof createHub>;
