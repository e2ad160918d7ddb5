/**
 * Section 3: live fan-out. N socket.io-client clients connect (in this process) while events are
 * posted at a steady rate; per event, latency = time from the POST's acknowledgement until the
 * LAST client has a patch with seq ≥ the event's seq (max over clients; 0 if a patch beat the
 * ack). Beside it, a bare Socket.IO server that broadcasts every POST at once, measured the same
 * way. Server CPU (utime+stime from /proc) is divided by events × clients.
 */
import { io, type Socket } from "socket.io-client";
import { BENCH_FACILITY, eventFactory } from "./events.js";
import { cpuSeconds, createDisplayToken, createKey, spawnBaseline, spawnCarewatch, type Child } from "./proc.js";
import { percentile, type BenchOptions, type SectionResult } from "./report.js";

const CLIENTS = 200;
const RATE = 200; // events per second
const COALESCE_MS = 200; // packages/domain/src/live.ts

/** One client's patches: running max of seq, and when each arrived (performance.now()). */
interface Receipts {
  seqs: number[];
  times: number[];
}

interface Ack {
  seq: number;
  at: number;
}

async function connectClients(url: string, n: number, auth: Record<string, string> | undefined) {
  const sockets: Socket[] = [];
  const receipts: Receipts[] = [];
  const WAVE = 25;
  for (let i = 0; i < n; i += WAVE) {
    await Promise.all(
      Array.from({ length: Math.min(WAVE, n - i) }, () => {
        const rec: Receipts = { seqs: [], times: [] };
        const s = io(url, { transports: ["websocket"], forceNew: true, reconnection: false, ...(auth ? { auth } : {}) });
        s.on("patch", (p: { seq: number }) => {
          const t = performance.now();
          const last = rec.seqs.length ? rec.seqs[rec.seqs.length - 1]! : 0;
          rec.seqs.push(Math.max(last, p.seq));
          rec.times.push(t);
        });
        sockets.push(s);
        receipts.push(rec);
        return new Promise<void>((resolve, reject) => {
          s.once("connect", () => resolve());
          s.once("connect_error", (e) => reject(new Error(`socket.io connect failed: ${e.message}`)));
        });
      }),
    );
  }
  return { sockets, receipts };
}

/** POSTs at a steady rate for `seconds`; each resolves with the seq the server gave. */
async function postSteady(rate: number, seconds: number, post: () => Promise<number>) {
  const acks: Ack[] = [];
  let failures = 0;
  const inflight = new Set<Promise<void>>();
  const start = performance.now();
  let sent = 0;
  let maxInflight = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - start;
      const due = Math.min(Math.floor((elapsed / 1000) * rate), rate * seconds);
      while (sent < due) {
        sent++;
        const p = post().then(
          (seq) => void acks.push({ seq, at: performance.now() }),
          () => void failures++,
        );
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      }
      maxInflight = Math.max(maxInflight, inflight.size);
      if (sent >= rate * seconds) {
        clearInterval(tick);
        resolve();
      }
    }, 2);
  });
  await Promise.all(inflight);
  return { acks, failures, sent, sendSeconds: (performance.now() - start) / 1000, maxInflight };
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

function latencies(acks: Ack[], receipts: Receipts[]) {
  const perEvent: number[] = [];
  let missing = 0;
  for (const a of acks) {
    let worst = 0;
    let complete = true;
    for (const r of receipts) {
      const i = firstAtLeast(r.seqs, a.seq);
      if (i === r.seqs.length) {
        complete = false;
        break;
      }
      worst = Math.max(worst, r.times[i]! - a.at);
    }
    if (complete) perEvent.push(worst);
    else missing++;
  }
  return { perEvent, missing };
}

async function waitDelivered(receipts: Receipts[], seq: number, ms: number) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !receipts.every((r) => (r.seqs[r.seqs.length - 1] ?? 0) >= seq)) await new Promise((r) => setTimeout(r, 20));
}

interface FanoutRun {
  name: string;
  events: number;
  failures: number;
  rate: number;
  p50: number;
  p99: number;
  max: number;
  missing: number;
  messages: number;
  cpuSeconds: number;
}

async function measure(name: string, child: Child, auth: Record<string, string> | undefined, post: () => Promise<number>, seconds: number): Promise<FanoutRun> {
  const { sockets, receipts } = await connectClients(child.url, CLIENTS, auth);
  try {
    await new Promise((r) => setTimeout(r, 500)); // let the connection burst settle
    const before = receipts.map((r) => r.seqs.length);
    const cpu0 = cpuSeconds(child.pid);
    const run = await postSteady(RATE, seconds, post);
    const maxSeq = Math.max(0, ...run.acks.map((a) => a.seq));
    await waitDelivered(receipts, maxSeq, 5_000);
    const cpu = cpuSeconds(child.pid) - cpu0;
    const { perEvent, missing } = latencies(run.acks, receipts);
    const messages = receipts.reduce((s, r, i) => s + r.seqs.length - before[i]!, 0);
    return {
      name,
      events: run.acks.length,
      failures: run.failures,
      rate: run.acks.length / run.sendSeconds,
      p50: percentile(perEvent, 50),
      p99: percentile(perEvent, 99),
      max: percentile(perEvent, 100),
      missing,
      messages,
      cpuSeconds: cpu,
    };
  } finally {
    for (const s of sockets) s.disconnect();
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
    runs.push(await measure("carewatch (display token, coalesced patches)", cw, { token }, () => postJson(`${cw.url}/api/v1/events`, { authorization: `Bearer ${key}` }, events.oneJson()), seconds));
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
    "CPU per update = server utime+stime over the send window and drain ÷ (events acknowledged × clients); 'messages' = patch messages the clients received",
    `the ${CLIENTS} clients and the load generator share the bench process: the baseline's ${RATE * CLIENTS} messages/s load it far more than carewatch's coalesced patches`,
  ];
  for (const r of runs) {
    if (r.missing) notes.push(`${r.name}: ${r.missing} event(s) never reached every client`);
    if (r.failures) notes.push(`${r.name}: ${r.failures} POST(s) failed`);
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
      messages: r.messages,
      "server CPU s": r.cpuSeconds,
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
