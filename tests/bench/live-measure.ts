/**
 * What the fan-out and national sections share: socket.io clients in worker threads
 * (fanout-clients.ts), POSTs at a steady rate, and per event the time until the last client
 * that should have it holds a patch with seq ≥ the event's (patches carry the log's seq, so a
 * patch at or past it reflects the event, whichever process sent it).
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { ClientSpec, ScopeTally } from "./fanout-clients.js";

export type { ClientSpec, ScopeTally };

/** One client's patches: running max of seq, and when each arrived (absolute ms). */
export interface Receipts {
  seqs: number[];
  times: number[];
}

export interface Ack {
  seq: number;
  /** When the POST was sent and when its acknowledgement arrived (absolute ms). */
  sent: number;
  at: number;
  /** Which clients must receive it (indexes into the client list; undefined: all). */
  group?: number;
}

export const WORKERS = 2;
/** Node 20 workers do not inherit tsx's loader: register it (tsx/esm/api), then load the TS module. */
const WORKER_BOOT = `import(${JSON.stringify(
  pathToFileURL(
    createRequire(import.meta.url)
      .resolve("tsx/esm/api")
      .replace(/\.cjs$/, ".mjs"),
  ).href,
)})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL("./fanout-clients.ts", import.meta.url).href)}); });`;
export const now = () => performance.timeOrigin + performance.now();

type FromWorker =
  | { type: "ready" }
  | { type: "error"; message: string }
  | { type: "lastSeqs"; lastSeqs: number[] }
  | { type: "receipts"; seqs: number[][]; times: number[][]; scope: ScopeTally[]; avgPatchBytes: number };

/** The clients, split over worker threads in contiguous shares (results come back in the same order). */
export async function startClients(specs: ClientSpec[], provinceOf?: Record<string, string>) {
  const shares: ClientSpec[][] = [];
  for (let i = 0, at = 0; i < WORKERS; i++) {
    const n = Math.floor(specs.length / WORKERS) + (i < specs.length % WORKERS ? 1 : 0);
    shares.push(specs.slice(at, (at += n)));
  }
  const workers = shares.map((clients) => new Worker(WORKER_BOOT, { eval: true, workerData: { clients, provinceOf } }));
  const next = (w: Worker) =>
    new Promise<FromWorker>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      w.once("error", onError);
      w.once("message", (m: FromWorker) => {
        w.off("error", onError);
        if (m.type === "error") reject(new Error(m.message));
        else resolve(m);
      });
    });
  const ask = async <T extends FromWorker["type"]>(type: "lastSeqs" | "stop", want: T) =>
    Promise.all(
      workers.map(async (w) => {
        const reply = next(w);
        w.postMessage({ type });
        const m = await reply;
        if (m.type !== want) throw new Error(`worker replied ${m.type}, expected ${want}`);
        return m as Extract<FromWorker, { type: T }>;
      }),
    );
  try {
    await Promise.all(workers.map(next));
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw e;
  }
  return {
    async lastSeqs(): Promise<number[]> {
      return (await ask("lastSeqs", "lastSeqs")).flatMap((m) => m.lastSeqs);
    },
    async stop() {
      const replies = await ask("stop", "receipts");
      await Promise.all(workers.map((w) => w.terminate()));
      const receipts: Receipts[] = replies.flatMap((m) => m.seqs.map((seqs, i) => ({ seqs, times: m.times[i]! })));
      const scope = replies.flatMap((m) => m.scope);
      const sizes = replies.map((m) => m.avgPatchBytes).filter(Number.isFinite);
      return { receipts, scope, avgPatchBytes: sizes.length ? sizes.reduce((a, b) => a + b, 0) / sizes.length : NaN };
    },
    async kill() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** POSTs at a steady rate for `seconds`; each resolves with the seq the server gave (and the client group that must get it). */
export async function postSteady(rate: number, seconds: number, post: (i: number) => Promise<{ seq: number; group?: number }>) {
  const acks: Ack[] = [];
  let failures = 0;
  let firstError = "";
  const inflight = new Set<Promise<void>>();
  const start = now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = now() - start;
      const due = Math.min(Math.floor((elapsed / 1000) * rate), rate * seconds);
      while (sent < due) {
        const t = now();
        const p = post(sent++).then(
          ({ seq, group }) => void acks.push({ seq, sent: t, at: now(), group }),
          (e: Error) => {
            failures++;
            firstError ||= `${e.message}${e.cause ? ` (${(e.cause as Error).message})` : ""}`;
          },
        );
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      }
      if (sent >= rate * seconds) {
        clearInterval(tick);
        resolve();
      }
    }, 2);
  });
  await Promise.all(inflight);
  return { acks, failures, firstError, sent, start, sendSeconds: (now() - start) / 1000 };
}

function firstAtLeast(seqs: number[], seq: number): number {
  let lo = 0;
  let hi = seqs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (seqs[mid]! >= seq) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Per event, when the last client that must have it got it: minus the ack time (floored at 0),
 * and minus the send time. `groups[g]` lists the clients of group g (an ack without a group: every client).
 */
export function latencies(acks: Ack[], receipts: Receipts[], groups?: number[][]) {
  const fromAck: number[] = [];
  const fromSend: number[] = [];
  const everyone = receipts.map((_, i) => i);
  let missing = 0;
  for (const a of acks) {
    let last = -Infinity;
    for (const c of a.group === undefined || !groups ? everyone : groups[a.group]!) {
      const r = receipts[c]!;
      const i = firstAtLeast(r.seqs, a.seq);
      if (i === r.seqs.length) {
        last = NaN;
        break;
      }
      last = Math.max(last, r.times[i]!);
    }
    if (Number.isNaN(last)) missing++;
    else {
      fromAck.push(Math.max(0, last - a.at));
      fromSend.push(last - a.sent);
    }
  }
  return { fromAck, fromSend, missing };
}

export async function waitDelivered(lastSeqs: () => Promise<number[]>, seq: number, ms: number) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !(await lastSeqs()).every((s) => s >= seq)) await new Promise((r) => setTimeout(r, 50));
}

/** POST one JSON body; the seq of a 202. */
export async function postJson(url: string, headers: Record<string, string>, body: string): Promise<number> {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const j = (await r.json()) as { seq?: number };
  if (r.status !== 202 || typeof j.seq !== "number") throw new Error(`POST ${url}: ${r.status}`);
  return j.seq;
}
