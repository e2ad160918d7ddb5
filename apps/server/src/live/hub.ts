import type { Server as HttpServer, IncomingMessage } from "node:http";
import { createAdapter } from "@socket.io/redis-streams-adapter";
import type { Redis } from "ioredis";
import { Server } from "socket.io";
import type { Logger } from "pino";
import {
  COALESCE_MS,
  HEARTBEAT_MS,
  TICKER_LENGTH,
  type ClientToServerEvents,
  type DisplayPrincipal,
  type ServerToClientEvents,
  type UserPrincipal,
  type StatusPatch,
} from "@carewatch/domain";
import type { Store } from "@carewatch/store";
import type { EndedCredential } from "../admin/admin-actions.js";
import { authenticateCredential, credentialFromCookies, type BrowserCredential, type SessionAuth } from "../auth/principal.js";
import { mayWatchBoard, scoped, scopeOf, type Scope } from "../auth/scope.js";

export interface HubOptions {
  httpServer: HttpServer;
  store: Store;
  now: () => number;
  buildId: () => string;
  allowedOrigins: string[];
  log: Logger;
  /** Session cookies: their name and lifetimes (a logged-in admin or manager may watch too). */
  auth: Pick<SessionAuth, "cookie" | "session">;
  /** How often revoked displays, ended sessions and disabled users are looked for and every status is re-sent (staleness, midnight). */
  sweepMs?: number;
  refreshMs?: number;
  /**
   * Several processes: their Socket.IO servers meet in this Redis (a stream per deployment,
   * `streamName`), so a broadcast to a room or a disconnect reaches sockets on every process.
   */
  redis?: Redis | null;
  streamName?: string;
}

interface SocketData {
  credential: BrowserCredential;
  principal: DisplayPrincipal | UserPrincipal;
  scope: Scope;
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
 * here. Every process runs one and follows the log itself (commits by any process reach every
 * hub), and sends patches and heartbeats to its own sockets only (`io.local`): with several
 * processes joined by the Redis adapter a display still gets exactly one stream, never a copy
 * per process, and its heartbeats carry the seq of the process it is connected to. It is woken
 * by the log's watch (a commit by this process at once, by any other process within a poll or a
 * notification), and builds each patch with the same read path a reconnecting client uses
 * (`changesSince`), so a live patch and a resync can never disagree. Displays get at most one
 * patch per COALESCE_MS; the first commit after a quiet spell goes out at once, and the final
 * state always follows.
 */
export function createHub(o: HubOptions, startSeq: number) {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(o.httpServer, {
    serveClient: false,
    ...(o.redis ? { adapter: createAdapter(o.redis, { streamName: o.streamName ?? "carewatch:socket.io" }) } : {}),
    allowRequest: (req, cb) => cb(originAllowed(req, o.allowedOrigins) ? null : "origin not allowed", originAllowed(req, o.allowedOrigins)),
  });

  const auth: SessionAuth = { store: o.store, now: o.now, ...o.auth };
  // The scopes of the rooms sockets are in (one room per set of readable facilities).
  const scopes = new Map<string, Scope>();

  // A session cookie (a logged-in person) or a display token (cookie, or `auth.token` for non-browser clients).
  io.use((socket, next) => {
    const fromToken = (socket.handshake.auth as { token?: unknown }).token;
    const credential: BrowserCredential | null =
      credentialFromCookies(socket.handshake.headers.cookie, auth) ?? (typeof fromToken === "string" ? { kind: "display", token: fromToken } : null);
    const refuse = (why = "unauthorized: not logged in, or the display token is missing, wrong or revoked") => next(new Error(why));
    if (!credential) return refuse();
    authenticateCredential(credential, auth).then(
      (principal) => {
        if (!principal) return refuse();
        if (!mayWatchBoard(principal)) return refuse("forbidden: this account may not watch the board");
        const scope = scopeOf(principal, o.store.registry);
        if (!scopes.has(scope.key)) scopes.set(scope.key, scope);
        socket.data = { credential, principal, scope };
        next();
      },
      (err: unknown) => {
        o.log.error({ err }, "hub: credential check failed");
        refuse();
      },
    );
  });
  // Each socket is also in its credential's room, so ending a display or an account reaches its
  // sockets on every process through the adapter (`endCredential`).
  const credentialRoom = (c: EndedCredential) => `${c.kind}:${c.id}`;
  io.on("connection", (socket) => {
    const p = socket.data.principal;
    void socket.join([socket.data.scope.key, credentialRoom(p.kind === "display" ? { kind: "display", id: p.displayId } : { kind: "user", id: p.userId })]);
  });

  /** Each room gets the part of a patch its scope may see; rooms nobody is in are forgotten. */
  const emitPatch = (patch: StatusPatch) => {
    const rooms = io.of("/").adapter.rooms;
    for (const [key, scope] of scopes) {
      if (!rooms.get(key)?.size) {
        scopes.delete(key);
        continue;
      }
      io.local.to(key).emit("patch", scoped(scope, patch));
    }
  };

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

  // A registry change (a new facility, a capacity, a name) reaches open boards as a full patch;
  // sockets move to the room of their new scope first (a province's new facility joins its displays).
  let registryVersion = o.store.registryVersions.current();
  const followRegistry = async () => {
    const version = o.store.registryVersions.current();
    if (version === registryVersion) return;
    registryVersion = version;
    for (const socket of io.of("/").sockets.values()) {
      const scope = scopeOf(socket.data.principal, o.store.registry);
      if (scope.key === socket.data.scope.key) continue;
      if (!scopes.has(scope.key)) scopes.set(scope.key, scope);
      void socket.leave(socket.data.scope.key);
      void socket.join(scope.key);
      socket.data.scope = scope;
    }
    // A room's key is its set of facilities, so a room's scope never changes: rooms nobody is in
    // any more are dropped by emitPatch.
    const board = await o.store.reads.board(o.now(), 0);
    if (!closed) emitPatch({ fromSeq: sentSeq, seq: sentSeq, facilities: board.facilities, ticker: [] });
  };

  const flush = async () => {
    lastFlushAt = Date.now();
    await followRegistry();
    // Nobody watching (an ingest-only server): nothing to build, just move the mark forward.
    if (io.engine.clientsCount === 0) {
      sentSeq = Math.max(sentSeq, await o.store.log.lastSeq());
      return;
    }
    const patch = await build();
    if (!patch || closed || (patch.seq === sentSeq && patch.facilities.length === 0)) return;
    sentSeq = patch.seq;
    emitPatch(patch);
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

  const heartbeat = setInterval(() => io.local.emit("heartbeat", { seq: sentSeq, serverTime: o.now(), buildId: o.buildId() }), HEARTBEAT_MS);

  // Staleness and "today" change with the clock, not only with events: re-send every status now and then.
  const refresh = setInterval(() => {
    if (io.engine.clientsCount === 0) return;
    o.store.reads.board(o.now(), 0).then(
      (board) => {
        if (!closed) emitPatch({ fromSeq: sentSeq, seq: sentSeq, facilities: board.facilities, ticker: [] });
      },
      (err: unknown) => o.log.error({ err }, "hub: refresh failed"),
    );
  }, o.refreshMs ?? 15_000);

  // A revoked display, an ended session or a disabled user drops off within seconds, even when
  // the CLI did it from another process.
  const sweep = setInterval(() => {
    const verdicts = new Map<string, Promise<boolean>>();
    for (const socket of io.of("/").sockets.values()) {
      const { credential, principal } = socket.data;
      const id = `${credential.kind}:${credential.token}`;
      if (!verdicts.has(id))
        verdicts.set(
          id,
          authenticateCredential(credential, auth).then(
            (p) => p !== null,
            () => true,
          ),
        );
      void verdicts.get(id)!.then((ok) => {
        if (ok || !socket.connected) return;
        o.log.info(principal.kind === "display" ? { display: principal.displayId } : { user: principal.userId }, "credential ended: disconnecting");
        socket.emit("revoked");
        socket.disconnect(true);
      });
    }
  }, o.sweepMs ?? 2_000);

  return {
    io,
    /** Every socket of this display or account, on every process: told, then dropped. */
    endCredential(c: EndedCredential) {
      if (closed) return;
      io.to(credentialRoom(c)).emit("revoked");
      io.in(credentialRoom(c)).disconnectSockets(true);
    },
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
