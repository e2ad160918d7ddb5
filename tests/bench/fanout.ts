/**
 * Section 3: live fan-out. N socket.io-client clients connect (in this process) while events are
 * posted at a steady rate; per event, latency = time from the POST's acknowledgement until the
 * LAST client has a patch with seq ≥ the event's seq (max over clients; 0 if a patch beat the
 * ack). Beside it, a bare Socket.IO server that broadcasts every POST at once, measured the same
 * way. Server CPU (utime+stime from /proc) is divided by events × clients.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { BENCH_FACILITY, eventFactory } from "./events.js";
import { cpuSeconds, machineJiffies, createDisplayToken, createKey, spawnBaseline, spawnCarewatch, type Child } from "./proc.js";
import { percentile, type BenchOptions, type SectionResult } from "./report.js";

const CLIENTS = 200;
const RATE = 200; // events per second
import { COALESCE_MS } from "@carewatch/domain";

/** One client's patches: running max of seq, and when each arrived (absolute ms). */
interface Receipts {
  seqs: number[];
  times: number[];
}

interface Ack {
  seq: number;
  /** When the POST was sent and when its acknowledgement arrived (absolute ms). */
  sent: number;
  at: number;
}

const WORKERS = 2;
/** Node 20 workers do not inherit tsx's loader: register it (tsx/esm/api), then load the TS module. */
const WORKER_BOOT = `import(${JSON.stringify(
  pathToFileURL(
    createRequire(import.meta.url)
      .resolve("tsx/esm/api")
      .replace(/\.cjs$/, ".mjs"),
  ).href,
)})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL("./fanout-clients.ts", import.meta.url).href)}); });`;
const now = () => performance.timeOrigin + performance.now();

type FromWorker =
  | { type: "ready" }
  | { type: "error"; message: string }
  | { type: "lastSeqs"; lastSeqs: number[] }
  | { type: "receipts"; seqs: number[][]; times: number[][]; avgPatchBytes: number };

/** The clients, split over worker threads (fanout-clients.ts). */
async function startClients(url: string, n: number, auth: Record<string, string> | undefined) {
  const workers = Array.from({ length: WORKERS }, (_, i) => {
    const clients = Math.floor(n / WORKERS) + (i < n % WORKERS ? 1 : 0);
    return new Worker(WORKER_BOOT, { eval: true, workerData: { url, clients, auth } });
  });
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
      const sizes = replies.map((m) => m.avgPatchBytes).filter(Number.isFinite);
      return { receipts, avgPatchBytes: sizes.length ? sizes.reduce((a, b) => a + b, 0) / sizes.length : NaN };
    },
    async kill() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** POSTs at a steady rate for `seconds`; each resolves with the seq the server gave. */
async function postSteady(rate: number, seconds: number, post: () => Promise<number>) {
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
        sent++;
        const t = now();
        const p = post().then(
          (seq) => void acks.push({ seq, sent: t, at: now() }),
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

/** Per event, when the last client got it: minus the ack time (floored at 0), and minus the send time. */
function latencies(acks: Ack[], receipts: Receipts[]) {
  const fromAck: number[] = [];
  const fromSend: number[] = [];
  let missing = 0;
  for (const a of acks) {
    let last = -Infinity;
    for (const r of receipts) {
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

async function waitDelivered(lastSeqs: () => Promise<number[]>, seq: number, ms: number) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !(await lastSeqs()).every((s) => s >= seq)) await new Promise((r) => setTimeout(r, 50));
}

interface FanoutRun {
  name: string;
  events: number;
  failures: number;
  firstError: string;
  rate: number;
  p50: number;
  p99: number;
  max: number;
  sendP99: number;
  ackP99: number;
  missing: number;
  messages: number;
  avgPatchBytes: number;
  machineBusyPct: number;
  cpuSeconds: number;
}

async function measure(name: string, child: Child, auth: Record<string, string> | undefined, post: () => Promise<number>, seconds: number): Promise<FanoutRun> {
  const clients = await startClients(child.url, CLIENTS, auth);
  try {
    await new Promise((r) => setTimeout(r, 500)); // let the connection burst settle
    const cpu0 = cpuSeconds(child.pid);
    const m0 = machineJiffies();
    const run = await postSteady(RATE, seconds, post);
    const maxSeq = Math.max(0, ...run.acks.map((a) => a.seq));
    await waitDelivered(() => clients.lastSeqs(), maxSeq, 5_000);
    const cpu = cpuSeconds(child.pid) - cpu0;
    const m1 = machineJiffies();
    const { receipts, avgPatchBytes } = await clients.stop();
    const { fromAck, fromSend, missing } = latencies(run.acks, receipts);
    const messages = receipts.reduce((n, r) => n + r.times.filter((t) => t >= run.start).length, 0);
    return {
      name,
      events: run.acks.length,
      failures: run.failures,
      firstError: run.firstError,
      rate: run.acks.length / run.sendSeconds,
      p50: percentile(fromAck, 50),
      p99: percentile(fromAck, 99),
      max: percentile(fromAck, 100),
      sendP99: percentile(fromSend, 99),
      ackP99: percentile(
        run.acks.map((a) => a.at - a.sent),
        99,
      ),
      missing,
      messages,
      avgPatchBytes,
      cpuSeconds: cpu,
      machineBusyPct: (100 * (m1.busy - m0.busy)) / (m1.total - m0.total),
    };
  } catch (e) {
    await clients.kill();
    throw e;
  }
}

async function postJson(url: string, headers: Record<string, string>, body: string): Promise<number> {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const j = (await r.json()) as { seq?: number };
  if (r.status !== 202 || typeof j.seq !== "number") throw new Error(`POST ${url}: ${r.status}`);
  return j.seq;
}

export async function runFanout(o: BenchOptions): Promise<SectionResult> {
  const seconds = o.quick ? 3 : 10;
  const runs: FanoutRun[] = [];

  o.log(`fanout: carewatch (${CLIENTS} clients, ${RATE} events/s for ${seconds} s)`);
  const cw = await spawnCarewatch();
  try {
    const key = createKey(cw, BENCH_FACILITY);
    const token = createDisplayToken(cw, "bench wall");
    const events = eventFactory("fanout");
    runs.push(
      await measure(
        "carewatch (display token, coalesced patches)",
        cw,
        { token },
        () => postJson(`${cw.url}/api/v1/events`, { authorization: `Bearer ${key}` }, events.oneJson()),
        seconds,
      ),
    );
  } finally {
    await cw.stop();
  }

  o.log(`fanout: bare Socket.IO baseline`);
  const bare = await spawnBaseline("bare-socketio.ts");
  try {
    const events = eventFactory("fanout");
    runs.push(await measure("bare Socket.IO, one emit per POST", bare, undefined, () => postJson(`${bare.url}/emit`, {}, events.oneJson()), seconds));
  } finally {
    await bare.stop();
  }

  const [c, b] = runs as [FanoutRun, FanoutRun];
  const limit = 2 * b.p99 + COALESCE_MS;
  const notes = [
    "latency: POST acknowledged (in the bench process) → the last of the clients holds a patch with seq ≥ the event's; negative (patch before ack) counts as 0",
    "from-send: the same, counted from when the POST was sent (the baseline emits before it replies, so its from-ack figure is ~0); POST p99: request → acknowledgement",
    "machine busy %: all cores, server + clients + load generator (near 100% = the machine, not the server under test, limits the figures)",
    "CPU per update = server utime+stime over the send window and drain ÷ (events acknowledged × clients); 'messages' = patch messages the clients received",
    `the ${CLIENTS} clients run in ${WORKERS} worker threads of the bench process, the load generator on its main thread; the baseline's ${RATE * CLIENTS} messages/s load them far more than carewatch's coalesced patches`,
  ];
  for (const r of runs) {
    if (r.missing) notes.push(`${r.name}: ${r.missing} event(s) never reached every client`);
    if (r.failures) notes.push(`${r.name}: ${r.failures} POST(s) failed, first: ${r.firstError}`);
    if (r.rate < 0.95 * RATE)
      notes.push(`${r.name}: only ${r.rate.toFixed(0)} of ${RATE} events/s acknowledged (first send → last ack): the server or the machine could not keep up`);
  }
  return {
    name: "fanout",
    title: `3. Live fan-out (${CLIENTS} socket.io clients, ${RATE} events/s for ${seconds} s)`,
    rows: runs.map((r) => ({
      server: r.name,
      events: r.events,
      "events/s": r.rate,
      "p50 ms": r.p50,
      "p99 ms": r.p99,
      "max ms": r.max,
      "POST p99 ms": r.ackP99,
      "from-send p99 ms": r.sendP99,
      messages: r.messages,
      "avg patch KB": r.avgPatchBytes / 1024,
      "server CPU s": r.cpuSeconds,
      "machine busy %": r.machineBusyPct,
      "CPU µs per event×client": (r.cpuSeconds * 1e6) / (r.events * CLIENTS),
      "CPU µs per message": (r.cpuSeconds * 1e6) / r.messages,
    })),
    checks: [
      {
        section: "fanout",
        target: `carewatch p99 ≤ 2 × baseline p99 + ${COALESCE_MS} ms`,
        measured: `${c.p99.toFixed(0)} ms vs limit ${limit.toFixed(0)} ms (baseline p99 ${b.p99.toFixed(0)} ms)`,
        pass: Number.isFinite(c.p99) && c.p99 <= limit && c.missing === 0,
      },
    ],
    notes,
  };
}
