/**
 * Worker thread of the fan-out and national sections: holds a share of the socket.io clients, so
 * receiving patches never delays the load generator on the main thread. Records, per client, the
 * running max of patch seq and when each patch arrived (absolute ms: timeOrigin + now, comparable
 * across threads); sends them back on "stop". A client given a `province` also checks its
 * patches: every facility in them must be of that province (`provinceOf`), and counts the
 * distinct facilities it was sent.
 */
import { parentPort, workerData } from "node:worker_threads";
import { io, type Socket } from "socket.io-client";

export interface ClientSpec {
  url: string;
  auth?: Record<string, string>;
  /** The display's province scope: patches must carry only its facilities. */
  province?: string;
}

export interface ScopeTally {
  /** Facility entries received of another province than the client's (must be 0). */
  foreign: number;
  /** Distinct facilities received. */
  distinct: number;
}

interface Init {
  clients: ClientSpec[];
  provinceOf?: Record<string, string>;
}

const { clients, provinceOf = {} } = workerData as Init;
const now = () => performance.timeOrigin + performance.now();
const sockets: Socket[] = [];
const seqs: number[][] = [];
const times: number[][] = [];
const tallies: { foreign: number; seen: Set<string> }[] = [];
let sampledBytes = 0;
let sampled = 0;
let received = 0;

function connect(spec: ClientSpec): Promise<void> {
  const s = io(spec.url, { transports: ["websocket"], forceNew: true, reconnection: false, ...(spec.auth ? { auth: spec.auth } : {}) });
  const mySeqs: number[] = [];
  const myTimes: number[] = [];
  const tally = { foreign: 0, seen: new Set<string>() };
  s.on("patch", (p: { seq: number; facilities?: { facility_id: string }[] }) => {
    const t = now();
    mySeqs.push(Math.max(mySeqs.length ? mySeqs[mySeqs.length - 1]! : 0, p.seq));
    myTimes.push(t);
    if (spec.province !== undefined && p.facilities) {
      for (const f of p.facilities) {
        tally.seen.add(f.facility_id);
        if (provinceOf[f.facility_id] !== spec.province) tally.foreign++;
      }
    }
    if (received++ % 97 === 0) {
      sampledBytes += JSON.stringify(p).length;
      sampled++;
    }
  });
  sockets.push(s);
  seqs.push(mySeqs);
  times.push(myTimes);
  tallies.push(tally);
  return new Promise<void>((resolve, reject) => {
    s.once("connect", () => resolve());
    s.once("connect_error", (e) => reject(new Error(`socket.io connect to ${spec.url} failed: ${e.message}`)));
  });
}

async function connectAll() {
  const WAVE = 25;
  for (let i = 0; i < clients.length; i += WAVE) await Promise.all(clients.slice(i, i + WAVE).map(connect));
}

parentPort!.on("message", (msg: { type: string }) => {
  if (msg.type === "lastSeqs") {
    parentPort!.postMessage({ type: "lastSeqs", lastSeqs: seqs.map((s) => s[s.length - 1] ?? 0) });
  } else if (msg.type === "stop") {
    for (const s of sockets) s.disconnect();
    const scope: ScopeTally[] = tallies.map((t) => ({ foreign: t.foreign, distinct: t.seen.size }));
    parentPort!.postMessage({ type: "receipts", seqs, times, scope, avgPatchBytes: sampled ? sampledBytes / sampled : NaN });
  }
});

connectAll().then(
  () => parentPort!.postMessage({ type: "ready" }),
  (e: Error) => parentPort!.postMessage({ type: "error", message: e.message }),
);
