// The one typed Socket.IO event map, shared by the hub and the web app.
export type { ClientToServerEvents, ServerToClientEvents, StatusPatch, Heartbeat, BoardSnapshot, TickerLine, TrendPoint } from "@carewatch/domain";
