import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HEARTBEAT_MS } from "@carewatch/domain";
import { Board } from "../../apps/web/src/lib/live/board.svelte";
import type { BoardTransport } from "../../apps/web/src/lib/live/protocol";
import { createTransport } from "../../apps/web/src/lib/live/transport";
import { startCluster, startNginx, type Cluster, type Nginx } from "../support/cluster.js";
import { admission, census, discharge, MERIT, SOCIAL, SONG_MA, uid } from "../support/contract-helpers.js";
import { rawQueryAt } from "../support/engine.js";
import { postEvents } from "../support/server.js";
import { trpcFor } from "../support/live-client.js";

/**
 * Two processes behind nginx (the README's example configuration), wall displays connected
 * through it (each from its own loopback address, so nginx's sticky-by-address hash spreads them
 * over both) and a few straight to B; facility systems posting to both. A is SIGKILLed in the
 * middle: every acknowledged event is stored exactly once with its seq, the displays on B never
 * stall, the displays that were on A reconnect through nginx to B and converge.
 */
const FACILITIES = [SONG_MA, MERIT, SOCIAL, "lc-social-work"];
const THROUGH_NGINX = 16;
const DIRECT_TO_B = 4;

let cluster: Cluster;
let nginx: Nginx;
let token: string;
const keys: Record<string, string> = {};

beforeAll(async () => {
  cluster = await startCluster(2);
  nginx = await startNginx(cluster.servers.map((s) => s.url));
  for (const f of FACILITIES) {
    const r = await cluster.cw(["keys", "create", f]);
    if (r.status !== 0) throw new Error(`cw keys create ${f}: ${r.stderr}`);
    keys[f] = r.stdout.trim();
  }
  const d = await cluster.cw(["displays", "create", "failover wall"]);
  if (d.status !== 0) throw new Error(`cw displays create: ${d.stderr}`);
  token = new URL(d.stdout.trim()).searchParams.get("display")!;
});
afterAll(async () => {
  await nginx?.stop();
  await cluster?.stop();
});

/** A wall: the web app's Board on its real transport, with every live message's arrival noted. */
function wall(url: string, localAddress?: string) {
  // As a browser would: the page's Origin on the WebSocket handshake (the server checks it).
  const real = createTransport(url, {
    headers: { cookie: `cw_display=${token}`, origin: url },
    socket: localAddress ? { localAddress, transports: ["websocket"] } : {},
  });
  const log = { live: [] as number[], disconnects: 0, connects: 0 };
  const transport: BoardTransport = {
    snapshot: () => real.snapshot(),
    changesSince: (seq) => real.changesSince(seq),
    subscribe: (h) =>
      real.subscribe({
        ...h,
        connect: () => {
          log.connects++;
          h.connect();
        },
        disconnect: (reason) => {
          log.disconnects++;
          h.disconnect(reason);
        },
        patch: (p) => {
          log.live.push(Date.now());
          h.patch(p);
        },
        heartbeat: (hb) => {
          log.live.push(Date.now());
          h.heartbeat(hb);
        },
      }),
  };
  const board = new Board(transport, { fullResyncMs: 0, retryMinMs: 200 });
  board.start();
  return { board, log };
}

interface Ack {
  facility: string;
  event_id: string;
  seq: number;
}

/** A facility system: posts until told to stop; an unanswered post goes again, same event_id, to the other process. */
async function poster(n: number, urls: string[], stop: () => boolean, acks: Ack[]): Promise<void> {
  const facility = FACILITIES[n % FACILITIES.length]!;
  let i = 0;
  let target = n % urls.length;
  while (!stop()) {
    i++;
    const at = Date.now() - 60_000 - Math.floor(Math.random() * 3_600_000); // late and out of order
    const body =
      i % 7 === 0 ? census(facility, 20 + (i % 50), at) : i % 2 ? admission(facility, 1, at, { event_id: uid(`p${n}`) }) : discharge(facility, 1, at);
    for (let attempt = 0; ; attempt++) {
      const r = await postEvents(urls[target]!, keys[facility]!, body).catch(() => null);
      if (r && (r.status === 202 || r.status === 200)) {
        acks.push({ facility, event_id: body.event_id, seq: r.json.seq });
        break;
      }
      if (r && r.status !== 503) throw new Error(`post refused: ${r.status} ${r.text}`);
      target = (target + 1) % urls.length;
      if (attempt > 50) throw new Error("no process answered");
      await new Promise((res) => setTimeout(res, 50));
    }
  }
}

describe("SIGKILL one of two processes behind nginx, under load", () => {
  it("loses no acknowledged event; displays on B never stall; displays on A reconnect to B and converge", async () => {
    const [A, B] = cluster.servers as [(typeof cluster.servers)[0], (typeof cluster.servers)[0]];
    const walls = [
      ...Array.from({ length: THROUGH_NGINX }, (_, i) => ({ via: "nginx", ...wall(nginx.url, `127.0.0.${10 + i}`) })),
      ...Array.from({ length: DIRECT_TO_B }, () => ({ via: "B", ...wall(B.url) })),
    ];
    await expect.poll(() => walls.every((w) => w.board.connection === "live" && w.board.loaded), { timeout: 20_000 }).toBe(true);

    let stopping = false;
    const acks: Ack[] = [];
    const posters = Array.from({ length: 6 }, (_, n) => poster(n, [A.url, B.url], () => stopping, acks));
    await expect.poll(() => acks.length, { timeout: 10_000 }).toBeGreaterThan(100);
    const killedAt = Date.now();
    A.child.kill("SIGKILL");
    await A.exited;
    const ackedAtKill = acks.length;
    await expect.poll(() => acks.length, { timeout: 15_000 }).toBeGreaterThan(ackedAtKill + 100);
    stopping = true;
    await Promise.all(posters);

    // 1. Every acknowledged event is stored once, with the seq it was acknowledged with; no seq twice, none missing.
    const { rows } = await rawQueryAt<{ facility_id: string; event_id: string; seq: number }>(
      cluster.databaseUrl,
      "SELECT facility_id, event_id, seq FROM events ORDER BY seq",
    );
    const stored = new Map(rows.map((r) => [`${r.facility_id}/${r.event_id}`, r.seq]));
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect(acks.filter((a) => stored.get(`${a.facility}/${a.event_id}`) !== a.seq)).toEqual([]);

    // 2. Which walls were on A: those that lost their socket. nginx spread them over both.
    const wereOnA = walls.filter((w) => w.log.disconnects > 0);
    const stayed = walls.filter((w) => w.log.disconnects === 0);
    expect(wereOnA.length, "walls through nginx that were on A").toBeGreaterThan(0);
    expect(wereOnA.every((w) => w.via === "nginx")).toBe(true);
    expect(stayed.filter((w) => w.via === "nginx").length, "walls through nginx that were on B").toBeGreaterThan(0);

    // 3. The walls on B never stalled: a heartbeat or a patch at least every 2.5 heartbeats, kill included.
    for (const w of stayed) {
      const gaps = w.log.live.slice(1).map((t, i) => t - w.log.live[i]!);
      expect(Math.max(...gaps.filter((_, i) => w.log.live[i + 1]! > killedAt - 5_000))).toBeLessThan(2.5 * HEARTBEAT_MS);
    }

    // 4. The walls that were on A reconnected (through nginx, to B) and every wall converges on the log.
    const truth = await trpcFor(B.url, token).board.snapshot.query();
    const want = Object.fromEntries(truth.facilities.map((f) => [f.facility_id, { occupied: f.occupied, seq: f.as_of_seq }]));
    await expect
      .poll(
        () =>
          walls.every(
            (w) =>
              w.board.connection === "live" &&
              FACILITIES.every((f) => w.board.facilities[f]?.occupied === want[f]!.occupied && w.board.facilities[f]?.as_of_seq === want[f]!.seq),
          ),
        { timeout: 20_000, interval: 100 },
      )
      .toBe(true);
    for (const w of wereOnA) expect(w.log.connects).toBeGreaterThanOrEqual(2);
    for (const w of walls) w.board.destroy();
  });
});
