import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StatusPatch } from "@carewatch/domain";
import { login, STRONG_PASSWORD, trpcWithCookie } from "../support/accounts.js";
import { startCluster, type Cluster } from "../support/cluster.js";
import { admission, census, SONG_MA, MERIT, uid } from "../support/contract-helpers.js";
import { socketFor } from "../support/live-client.js";
import { postEvents } from "../support/server.js";

/**
 * Two carewatch processes, A and B, on one PostgreSQL database and one Redis, as behind a load
 * balancer (tests/cluster/failover.test.ts puts nginx in front and kills one).
 */
let cluster: Cluster;
let A: string;
let B: string;
const keys: Record<string, string> = {};

const displayToken = (url: string) => new URL(url).searchParams.get("display")!;

beforeAll(async () => {
  cluster = await startCluster(2);
  [A, B] = cluster.servers.map((s) => s.url) as [string, string];
  for (const f of [SONG_MA, MERIT]) {
    const r = await cluster.cw(["keys", "create", f]);
    expect(r.status, r.stderr).toBe(0);
    keys[f] = r.stdout.trim();
  }
});
afterAll(() => cluster?.stop());

async function newDisplay(name: string): Promise<{ id: string; token: string }> {
  const r = await cluster.cw(["displays", "create", name]);
  expect(r.status, r.stderr).toBe(0);
  const token = displayToken(r.stdout.trim());
  const list = await cluster.cw(["displays", "list"]);
  const id = list.stdout
    .split("\n")
    .find((l) => l.split("\t")[1] === name)!
    .split("\t")[0]!;
  return { id, token };
}

function watch(url: string, token: string) {
  const socket = socketFor(url, token);
  const patches: { at: number; patch: StatusPatch }[] = [];
  const heartbeats: { at: number; seq: number }[] = [];
  let revoked = false;
  socket.on("patch", (patch) => patches.push({ at: Date.now(), patch }));
  socket.on("heartbeat", (h) => heartbeats.push({ at: Date.now(), seq: h.seq }));
  socket.on("revoked", () => (revoked = true));
  const connected = new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  return { socket, patches, heartbeats, connected, revoked: () => revoked };
}

describe("two processes on one PostgreSQL and one Redis", () => {
  it("a post through A reaches a display connected to B within a second, every time", async () => {
    const d = await newDisplay("wall on B");
    const onB = watch(B, d.token);
    await onB.connected;
    const lags: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await postEvents(A, keys[SONG_MA]!, census(SONG_MA, 40 + i, Date.now() - 1000));
      const acked = Date.now();
      expect(r.status, r.text).toBe(202);
      const seq = r.json.seq as number;
      await expect
        .poll(() => onB.patches.find((p) => p.patch.seq >= seq && p.patch.facilities.some((f) => f.facility_id === SONG_MA && f.occupied === 40 + i)), {
          timeout: 5_000,
          interval: 10,
        })
        .toBeTruthy();
      const got = onB.patches.find((p) => p.patch.seq >= seq)!;
      lags.push(got.at - acked);
    }
    expect(Math.max(...lags), `ack → display on B, ms: ${lags.join(", ")}`).toBeLessThan(1_000);
    // One stream, not one per process: each stretch of the log arrives once, and heartbeats come
    // from B alone (every 2 s; a copy from A would arrive in between).
    const changes = onB.patches.filter((p) => p.patch.seq > p.patch.fromSeq).map((p) => [p.patch.fromSeq, p.patch.seq] as const);
    for (let i = 1; i < changes.length; i++) expect(changes[i]![0], `patches ${JSON.stringify(changes)}`).toBeGreaterThanOrEqual(changes[i - 1]![1]);
    await expect.poll(() => onB.heartbeats.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
    const gaps = onB.heartbeats.slice(1).map((h, i) => h.at - onB.heartbeats[i]!.at);
    expect(Math.min(...gaps), `heartbeat gaps ${gaps.join(", ")} ms`).toBeGreaterThan(1_000);
    // B's heartbeats carry the log's seq, which includes A's commits.
    const last = onB.patches.at(-1)!.patch.seq;
    await expect.poll(() => onB.heartbeats.at(-1)?.seq ?? 0, { timeout: 5_000 }).toBeGreaterThanOrEqual(last);
    onB.socket.close();
  });

  it("the same event_id posted to A and B at once: one accepted (202), one duplicate (200) with the same seq", async () => {
    for (let round = 0; round < 20; round++) {
      const event = admission(MERIT, 1 + (round % 3), Date.now() - 60_000, { event_id: uid("race") });
      const [ra, rb] = await Promise.all([postEvents(A, keys[MERIT]!, event), postEvents(B, keys[MERIT]!, event)]);
      expect([ra.status, rb.status].sort(), `${ra.text} / ${rb.text}`).toEqual([200, 202]);
      expect(ra.json.seq).toBe(rb.json.seq);
      expect([ra.json.status, rb.json.status].sort()).toEqual(["accepted", "duplicate"]);
    }
  });

  it("a display revoked from the CLI drops on both processes", async () => {
    const d = await newDisplay("revoked wall");
    const onA = watch(A, d.token);
    const onB = watch(B, d.token);
    await Promise.all([onA.connected, onB.connected]);
    const r = await cluster.cw(["displays", "revoke", d.id]);
    expect(r.status, r.stderr).toBe(0);
    await expect.poll(() => onA.revoked() && onB.revoked(), { timeout: 10_000, interval: 50 }).toBe(true);
    await expect.poll(() => !onA.socket.connected && !onB.socket.connected, { timeout: 5_000 }).toBe(true);
    onA.socket.close();
    onB.socket.close();
  });

  it("a display revoked in /admin on A drops on B at once (the Socket.IO adapter), not at B's next sweep", async () => {
    const email = "admin@example.vn";
    expect((await cluster.cw(["users", "create", email, "--role", "admin", "--password-stdin"], STRONG_PASSWORD)).status).toBe(0);
    const { cookie } = await login(A, email);
    const admin = trpcWithCookie(A, cookie, { origin: A });
    // B's sweep runs every 2 s: four drops each well under a second are the adapter's doing.
    for (let i = 0; i < 4; i++) {
      const d = await newDisplay(`admin-revoked ${i}`);
      const onB = watch(B, d.token);
      await onB.connected;
      const started = Date.now();
      await admin.admin.displays.revoke.mutate({ id: d.id });
      await expect.poll(() => onB.revoked() && !onB.socket.connected, { timeout: 5_000, interval: 10 }).toBe(true);
      expect(Date.now() - started).toBeLessThan(800);
      onB.socket.close();
    }
  });

  it("login throttling counts failures on every process together", async () => {
    const email = "throttle@example.vn";
    const made = await cluster.cw(["users", "create", email, "--role", "admin", "--password-stdin"], STRONG_PASSWORD);
    expect(made.status, made.stderr).toBe(0);
    // Five failures for the account, alternating between the processes…
    for (let i = 0; i < 5; i++) expect((await login(i % 2 ? B : A, email, "wrong password")).status).toBe(401);
    // …and the right password is now refused on both, with Retry-After.
    for (const url of [A, B]) {
      const r = await login(url, email);
      expect(r.status, r.text).toBe(429);
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
  });
});

describe("the Facility API rate limit across processes", () => {
  let limited: Cluster;
  beforeAll(async () => {
    limited = await startCluster(2, { CAREWATCH_RATE_LIMIT: "2" });
  });
  afterAll(() => limited?.stop());

  it("is one bucket per key whichever process a request reaches: a burst of 20 in all, then 429", async () => {
    const key = (await limited.cw(["keys", "create", SONG_MA])).stdout.trim();
    const [a, b] = limited.servers.map((s) => s.url) as [string, string];
    // 40 at once, half to each process: one shared bucket lets the burst of 20 through (and what
    // refills meanwhile, 2 a second); a bucket per process would let all 40 through.
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => postEvents(i % 2 ? b : a, key, census(SONG_MA, i, Date.now() - 1000))));
    const refill = Math.ceil(((Date.now() - started) / 1000) * 2);
    const accepted = answers.filter((r) => r.status === 202).length;
    expect(accepted).toBeGreaterThanOrEqual(20);
    expect(accepted).toBeLessThanOrEqual(20 + refill);
    for (const r of answers.filter((r) => r.status !== 202)) {
      expect(r.status).toBe(429);
      expect(r.headers.get("content-type")).toMatch(/problem\+json/);
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
  });
});
