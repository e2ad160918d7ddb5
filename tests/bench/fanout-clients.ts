/**
 * Worker thread of the fan-out section: holds a share of the socket.io clients, so receiving
 * patches never delays the load generator on the main thread. Records, per client, the running
 * max of patch seq and when each patch arrived (absolute ms: timeOrigin + now, comparable across
 * threads); sends them back on "stop".
 */
import { parentPort, workerData } from "node:worker_threads";
import { io, type Socket } from "socket.io-client";

interface Init {
  url: string;
  clients: number;
  auth?: Record<string, string>;
}

const { url, clients, auth } = workerData as Init;
const now = () => performance.timeOrigin + performance.now();
const sockets: Socket[] = [];
const seqs: number[][] = [];
const times: number[][] = [];
let sampledBytes = 0;
let sampled = 0;
let received = 0;

async function connectAll() {
  const WAVE = 25;
  for (let i = 0; i < clients; i += WAVE) {
    await Promise.all(
      Array.from({ length: Math.min(WAVE, clients - i) }, () => {
        const s = io(url, { transports: ["websocket"], forceNew: true, reconnection: false, ...(auth ? { auth } : {}) });
        const mySeqs: number[] = [];
        const myTimes: number[] = [];
        s.on("patch", (p: { seq: number }) => {
          const t = now();
          mySeqs.push(Math.max(mySeqs.length ? mySeqs[mySeqs.length - 1]! : 0, p.seq));
          myTimes.push(t);
          if (received++ % 97 === 0) {
            sampledBytes += JSON.stringify(p).length;
            sampled++;
          }
        });
        sockets.push(s);
        seqs.push(mySeqs);
        times.push(myTimes);
        return new Promise<void>((resolve, reject) => {
          s.once("connect", () => resolve());
          s.once("connect_error", (e) => reject(new Error(`socket.io connect failed: ${e.message}`)));
        });
      }),
    );
  }
}

parentPort!.on("message", (msg: { type: string; seq?: number }) => {
  if (msg.type === "lastSeqs") {
    parentPort!.postMessage({ type: "lastSeqs", lastSeqs: seqs.map((s) => s[s.length - 1] ?? 0) });
  } else if (msg.type === "stop") {
    for (const s of sockets) s.disconnect();
    parentPort!.postMessage({ type: "receipts", seqs, times, avgPatchBytes: sampled ? sampledBytes / sampled : NaN });
  }
});

connectAll().then(
  () => parentPort!.postMessage({ type: "ready" }),
  (e: Error) => parentPort!.postMessage({ type: "error", message: e.message }),
);
