import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { io, type Socket } from "socket.io-client";
import { judgePatch, mergeStatuses, type FacilityStatus, type ServerToClientEvents, type StatusPatch, type ClientToServerEvents, type Heartbeat } from "@carewatch/domain";
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

/**
 * A headless board: the same protocol the wall-board runs (domain judgePatch/mergeStatuses),
 * with a `deliver` hook so a test can drop and reorder what the hub sends.
 */
export class HeadlessBoard {
  seq = 0;
  facilities = new Map<string, FacilityStatus>();
  resyncs = 0;
  private resyncing: Promise<void> | null = null;

  constructor(private readonly trpc: ReturnType<typeof trpcFor>) {}

  async snapshot(): Promise<void> {
    const snap = await this.trpc.board.snapshot.query();
    mergeStatuses(this.facilities, snap.facilities);
    this.seq = Math.max(this.seq, snap.seq);
  }

  resync(): Promise<void> {
    this.resyncing ??= (async () => {
      this.resyncs++;
      const changes = await this.trpc.board.changesSince.query({ seq: this.seq });
      if (changes === null) await this.snapshot();
      else {
        mergeStatuses(this.facilities, changes.facilities);
        this.seq = Math.max(this.seq, changes.seq);
      }
    })().finally(() => (this.resyncing = null));
    return this.resyncing;
  }

  async onPatch(p: StatusPatch): Promise<void> {
    const verdict = judgePatch(this.seq, p);
    if (verdict === "gap") return this.resync();
    if (verdict === "apply") {
      mergeStatuses(this.facilities, p.facilities);
      this.seq = Math.max(this.seq, p.seq);
    }
  }

  async onHeartbeat(h: Heartbeat): Promise<void> {
    if (h.seq > this.seq) await this.resync();
  }
}
