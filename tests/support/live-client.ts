import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@carewatch/domain";
import type { AppRouter } from "@carewatch/server";

export function trpcFor(url: string, displayToken: string) {
  return createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${url}/trpc`, headers: { cookie: `cw_display=${displayToken}` } })] });
}

export function socketFor(url: string, displayToken: string, extra: { origin?: string } = {}): Socket<ServerToClientEvents, ClientToServerEvents> {
  return io(url, {
    transports: ["websocket"],
    auth: { token: displayToken },
    extraHeaders: extra.origin ? { origin: extra.origin } : {},
    reconnection: true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    forceNew: true,
  });
}
