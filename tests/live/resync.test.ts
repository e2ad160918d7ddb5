import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Heartbeat, StatusPatch } from "@carewatch/domain";
import { Board } from "../../apps/web/src/lib/live/board.svelte";
import type { BoardTransport, LiveHandlers } from "../../apps/web/src/lib/live/protocol";
import { createTransport } from "../../apps/web/src/lib/live/transport";
import { postEvents, startTestServer, type TestServer } from "../support/server.js";
import { socketFor, trpcFor } from "../support/live-client.js";

/**
 * The resync protocol against the real hub: the wall-board's own Board class, on its real
 * transport (tRPC over HTTP and Socket.IO), with the live events it receives intercepted so
 * that some patches are dropped and the rest delivered in a shuffled order; after the next
 * heartbeat the board must equal the server's.
 */
let server: TestServer;
let display: string;
const keys: Record<string, string> = {};
const FACILITIES = ["sl-drug-rehab-song-ma", "lc-social-work", "sl-merit-nursing"];

beforeAll(async () => {
  server = await startTestServer();
  display = await server.display();
  for (const f of FACILITIES) keys[f] = await server.key(f);
});
afterAll(() => server.stop());

const until = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
};

/**
 * The real transport with its live events held back: patches collect in `inbox` for the test
 * to deliver (or not) in its own order; heartbeats reach the board only once `released`.
 */
function interceptingTransport(real: BoardTransport) {
  const self = {
    inbox: [] as StatusPatch[],
    /** The seq of the latest heartbeat the board was given (after `released`). */
    deliveredHeartbeatSeq: -1,
    released: false,
    handlers: null as LiveHandlers | null,
    transport: {
      snapshot: () => real.snapshot(),
      changesSince: (seq) => real.changesSince(seq),
      subscribe(h) {
        self.handlers = h;
        return real.subscribe({
          ...h,
          patch: (p) => self.inbox.push(p),
          heartbeat: (hb: Heartbeat) => {
            if (!self.released) return;
            h.heartbeat(hb);
            self.deliveredHeartbeatSeq = hb.seq;
          },
        });
      },
    } satisfies BoardTransport,
  };
  return self;
}

describe("live resync", () => {
  it("converges to the server's statuses whatever patches are dropped or reordered", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ facility: fc.constantFrom(...FACILITIES), occupied: fc.nat(120), pause: fc.nat(250) }), { minLength: 3, maxLength: 12 }),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        async (posts, drops, shuffleSeed) => {
          run++;
          const live = interceptingTransport(createTransport(server.url, { headers: { cookie: `cw_display=${display}` } }));
          // No silence or hourly re-anchoring within a run: only patches, resyncs and heartbeats.
          const board = new Board(live.transport, { silenceMs: 60_000, fullResyncMs: 0, retryMinMs: 100 });
          board.start();
          await until(() => board.loaded && board.connection === "live");

          let lastSeq = 0;
          try {
            for (const [i, p] of posts.entries()) {
              const res = await postEvents(server.url, keys[p.facility]!, {
                event_id: `r${run}-${i}`,
                facility_id: p.facility,
                type: "census",
                occurred_at: new Date(Date.now() - 1000).toISOString(),
                occupied: p.occupied,
              });
              expect(res.status).toBe(202);
              lastSeq = res.json.seq;
              await new Promise((r) => setTimeout(r, p.pause));
            }
            await until(() => live.inbox.some((p) => p.seq >= lastSeq));

            // Drop some, deliver the rest shuffled (deterministically from the seed).
            const kept = live.inbox.filter((_, i) => !drops[i % drops.length]);
            let s = shuffleSeed;
            for (let i = kept.length - 1; i > 0; i--) {
              s = (s * 1103515245 + 12345) % 2 ** 31;
              const j = s % (i + 1);
              [kept[i], kept[j]] = [kept[j]!, kept[i]!];
            }
            for (const p of kept) live.handlers!.patch(p);
            // A heartbeat ahead of the board's seq is the protocol's last line of defence.
            live.released = true;
            await until(() => live.deliveredHeartbeatSeq >= lastSeq);
            await board.settled();
          } finally {
            board.destroy();
          }

          const truth = (await server.store.reads.board(Date.now(), 0)).facilities;
          for (const f of truth) {
            const mine = board.facilities[f.facility_id];
            expect(mine?.occupied, f.facility_id).toBe(f.occupied);
            expect(mine?.as_of_seq, f.facility_id).toBe(f.as_of_seq);
          }
          expect(board.seq).toBeGreaterThanOrEqual(lastSeq);
          expect(board.connection).toBe("live");
        },
      ),
      { numRuns: 6 },
    );
  });

  it("refuses a socket from a foreign origin and one without a valid display token", async () => {
    const foreign = socketFor(server.url, display, { origin: "https://evil.example" });
    const bad = socketFor(server.url, "cwd_wrong");
    const errors = await Promise.all([foreign, bad].map((s) => new Promise<string>((r) => s.once("connect_error", (e) => r(String(e.message))))));
    foreign.close();
    bad.close();
    expect(errors[1]).toMatch(/unauthorized/);
    expect(errors[0]).not.toBe("");
  });

  it("drops a socket within seconds when its display is revoked", async () => {
    const token = await server.display("to revoke");
    const socket = socketFor(server.url, token);
    await new Promise<void>((r) => socket.once("connect", () => r()));
    const revoked = new Promise<void>((r) => socket.once("revoked", () => r()));
    const id = (await server.store.credentials.listDisplays()).find((d) => d.name === "to revoke")!.id;
    await server.store.credentials.revokeDisplay(id, Date.now());
    await revoked;
    await until(() => !socket.connected, 3000);
    socket.close();
    await expect(trpcFor(server.url, token).board.snapshot.query()).rejects.toThrow(/UNAUTHORIZED|display token/i);
  });
});
