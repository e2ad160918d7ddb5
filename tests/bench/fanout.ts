/**
 * Section 3: live fan-out. N socket.io-client clients connect (in this process) while events are
 * posted at a steady rate; per event, latency = time from the POST's acknowledgement until the
 * LAST client has a patch with seq ≥ the event's seq (max over clients; 0 if a patch beat the
 * ack). Beside it, a bare Socket.IO server that broadcasts every POST at once, measured the same
 * way. Server CPU (utime+stime from /proc) is divided by events × clients. With `--store postgres
 * --procs N`, also carewatch on PostgreSQL behind N processes: clients connect round-robin to
 * them and POSTs go round-robin too, so an event posted to A counts until the last display on B
 * has it. Shared helpers: live-measure.ts.
 */
import { COALESCE_MS } from "@carewatch/domain";
import { deployCarewatch, SQLITE_1, type StoreChoice } from "./deploy.js";
import { BENCH_FACILITY, eventFactory } from "./events.js";
import { latencies, postJson, postSteady, startClients, waitDelivered, WORKERS, type ClientSpec } from "./live-measure.js";
import { cpuSeconds, machineJiffies, createDisplayToken, createKey, spawnBaseline, withServerState } from "./proc.js";
import { percentile, type BenchOptions, type Check, type SectionResult } from "./report.js";

const CLIENTS = 200;
const RATE = 200; // events per second

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

/** Server CPU seconds so far, summed over the processes under test. */
const cpuOf = (pids: number[]) => pids.reduce((s, pid) => s + cpuSeconds(pid), 0);

async function measure(name: string, pids: number[], specs: ClientSpec[], post: () => Promise<number>, seconds: number): Promise<FanoutRun> {
  const clients = await startClients(specs);
  try {
    await new Promise((r) => setTimeout(r, 500)); // let the connection burst settle
    const cpu0 = cpuOf(pids);
    const m0 = machineJiffies();
    const run = await postSteady(RATE, seconds, async () => ({ seq: await post() }));
    const maxSeq = Math.max(0, ...run.acks.map((a) => a.seq));
    await waitDelivered(() => clients.lastSeqs(), maxSeq, 5_000);
    const cpu = cpuOf(pids) - cpu0;
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

export async function runFanout(o: BenchOptions): Promise<SectionResult> {
  const seconds = o.quick ? 3 : 10;
  const runs: FanoutRun[] = [];

  const carewatch = async (store: StoreChoice, name: string) => {
    o.log(`fanout: ${name} (${CLIENTS} clients, ${RATE} events/s for ${seconds} s)`);
    const d = await deployCarewatch(store, o.infra);
    try {
      const key = createKey(d, BENCH_FACILITY);
      const token = createDisplayToken(d, "bench wall");
      const events = eventFactory("fanout");
      // Clients and POSTs round-robin over the processes: an event posted to one reaches displays on all.
      const specs = Array.from({ length: CLIENTS }, (_, i) => ({ url: d.urls[i % d.urls.length]!, auth: { token } }));
      let n = 0;
      runs.push(
        await measure(
          name,
          d.children.map((c) => c.pid),
          specs,
          () => postJson(`${d.urls[n++ % d.urls.length]!}/api/v1/events`, { authorization: `Bearer ${key}` }, events.oneJson()),
          seconds,
        ),
      );
    } catch (e) {
      throw withServerState(e, d.children);
    } finally {
      await d.stop();
    }
  };
  await carewatch(SQLITE_1, "carewatch (display token, coalesced patches)");

  o.log(`fanout: bare Socket.IO baseline`);
  const bare = await spawnBaseline("bare-socketio.ts");
  try {
    const events = eventFactory("fanout");
    const specs = Array.from({ length: CLIENTS }, () => ({ url: bare.url }));
    runs.push(await measure("bare Socket.IO, one emit per POST", [bare.pid], specs, () => postJson(`${bare.url}/emit`, {}, events.oneJson()), seconds));
  } finally {
    await bare.stop();
  }
  if (o.scale) await carewatch(o.scale, `carewatch, PostgreSQL ${o.scale.procs} proc${o.scale.procs === 1 ? "" : "s"} (clients and POSTs round-robin)`);

  const b = runs.find((r) => r.name.startsWith("bare"))!;
  const limit = 2 * b.p99 + COALESCE_MS;
  const notes = [
    "latency: POST acknowledged (in the bench process) → the last of the clients holds a patch with seq ≥ the event's; negative (patch before ack) counts as 0",
    "from-send: the same, counted from when the POST was sent (the baseline emits before it replies, so its from-ack figure is ~0); POST p99: request → acknowledgement",
    "machine busy %: all cores, server + clients + load generator (near 100% = the machine, not the server under test, limits the figures)",
    "CPU per update = server utime+stime (all its processes) over the send window and drain ÷ (events acknowledged × clients); 'messages' = patch messages the clients received",
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
    checks: runs
      .filter((r) => r !== b)
      .map((c): Check => ({
        section: "fanout",
        target: `${c.name.startsWith("carewatch (") ? "carewatch" : c.name.replace(/ \(.*$/, "")} p99 ≤ 2 × baseline p99 + ${COALESCE_MS} ms`,
        measured: `${c.p99.toFixed(0)} ms vs limit ${limit.toFixed(0)} ms (baseline p99 ${b.p99.toFixed(0)} ms)`,
        pass: Number.isFinite(c.p99) && c.p99 <= limit && c.missing === 0,
      })),
    notes,
  };
}
