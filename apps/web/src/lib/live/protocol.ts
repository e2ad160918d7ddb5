// The boundary between the board (state + resync protocol) and the network. The real
// implementation is `transport.ts` (tRPC + Socket.IO); tests use an in-memory fake.
import type { BoardSnapshot, FacilityStatus, Heartbeat, StatusPatch, TickerLine } from "@carewatch/domain";

/** What `board.changesSince` answers (null there means: too far behind, take a snapshot). */
export interface Changes {
  seq: number;
  facilities: FacilityStatus[];
  ticker: TickerLine[];
}

export interface LiveHandlers {
  /** The socket is connected (first time or after a reconnect). */
  connect(): void;
  disconnect(reason: string): void;
  patch(p: StatusPatch): void;
  heartbeat(h: Heartbeat): void;
  /** The display's token was revoked. */
  revoked(): void;
}

export interface BoardTransport {
  snapshot(): Promise<BoardSnapshot>;
  changesSince(seq: number): Promise<Changes | null>;
  /** Start delivering live events; the returned function stops them and frees every resource. */
  subscribe(handlers: LiveHandlers): () => void;
}

/** Thrown by a transport when the server answers 401: the display is not (or no longer) authorised. */
export class UnauthorizedError extends Error {
  constructor(message = "display not authorised") {
    super(message);
    this.name = "UnauthorizedError";
  }
}
