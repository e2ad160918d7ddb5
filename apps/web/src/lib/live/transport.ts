// The real transport: tRPC over HTTP for snapshots and resyncs, Socket.IO for live events,
// both on the page's own origin (the display cookie goes along with each).
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@carewatch/domain";
import type { AppRouter } from "@carewatch/server/router";
import { UnauthorizedError, type BoardTransport, type LiveHandlers } from "./protocol";

const REQUEST_TIMEOUT_MS = 12_000;
/** After the server refused or dropped the socket for good, try again after this (growing). */
const RECONNECT_MIN_MS = 2_000;
const RECONNECT_MAX_MS = 30_000;

function isUnauthorized(e: unknown): boolean {
  if (!(e instanceof TRPCClientError)) return false;
  const data = (e as TRPCClientError<AppRouter>).data;
  return data?.code === "UNAUTHORIZED" || data?.httpStatus === 401;
}

async function call<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  try {
    return await fn(AbortSignal.timeout(REQUEST_TIMEOUT_MS));
  } catch (e) {
    if (isUnauthorized(e)) throw new UnauthorizedError();
    throw e;
  }
}

export interface TransportOptions {
  /**
   * Headers for every request and the socket's handshake. A browser sends the display cookie
   * by itself; a client outside one (Node: the tests that drive this transport against a real
   * server) passes it here.
   */
  headers?: Record<string, string>;
  /**
   * More Socket.IO client options, for clients outside a browser: the multi-process tests give
   * each display its own loopback address (`localAddress`) so a balancer that is sticky by
   * address spreads them over the processes.
   */
  socket?: Record<string, unknown>;
}

export function createTransport(base = "", options: TransportOptions = {}): BoardTransport {
  const { headers, socket: socketOptions } = options;
  const trpc = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${base}/trpc`, ...(headers ? { headers } : {}) })] });

  const transport: BoardTransport = {
    snapshot: () => call((signal) => trpc.board.snapshot.query(undefined, { signal })),
    changesSince: (seq) => call((signal) => trpc.board.changesSince.query({ seq }, { signal })),

    subscribe(h: LiveHandlers) {
      const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(base || undefined, {
        transports: ["websocket", "polling"],
        // A wall on a hostile network: fall back to long-polling when WebSockets are blocked.
        tryAllTransports: true,
        withCredentials: true,
        reconnectionDelay: 1_000,
        reconnectionDelayMax: 5_000,
        timeout: 10_000,
        ...(headers ? { extraHeaders: headers } : {}),
        ...socketOptions,
      });
      let stopped = false;
      let retry: ReturnType<typeof setTimeout> | null = null;
      let retryDelay = RECONNECT_MIN_MS;

      // Socket.IO does not reconnect by itself after the server refused the handshake or closed
      // the socket; a wall must, unless the display was revoked (then tRPC answers 401).
      const reconnectLater = () => {
        if (stopped || retry) return;
        const delay = retryDelay;
        retryDelay = Math.min(RECONNECT_MAX_MS, retryDelay * 2);
        retry = setTimeout(() => {
          retry = null;
          if (stopped || socket.connected) return;
          transport.snapshot().then(
            () => !stopped && socket.connect(),
            (e: unknown) => {
              if (stopped) return;
              if (e instanceof UnauthorizedError) h.revoked();
              else reconnectLater();
            },
          );
        }, delay);
      };

      socket.on("connect", () => {
        retryDelay = RECONNECT_MIN_MS;
        h.connect();
      });
      socket.on("disconnect", (reason) => {
        h.disconnect(reason);
        if (!socket.active) reconnectLater();
      });
      socket.on("connect_error", () => {
        if (!socket.active) reconnectLater();
      });
      socket.on("patch", (p) => h.patch(p));
      socket.on("heartbeat", (hb) => h.heartbeat(hb));
      socket.on("revoked", () => h.revoked());

      return () => {
        stopped = true;
        if (retry) clearTimeout(retry);
        socket.removeAllListeners();
        socket.disconnect();
      };
    },
  };
  return transport;
}
