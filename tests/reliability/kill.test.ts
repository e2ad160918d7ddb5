import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { rawQuery } from "../support/engine.js";
import { cw, postEvents, spawnServer, tempDataDir, type SpawnedServer } from "../support/server.js";

/**
 * Contract: "A 200/202 means the event is durably committed: it survives the server process being
 * killed (SIGKILL) the instant after the response is sent." Eight posters hammer the built server,
 * it is SIGKILLed mid-load, and every acknowledged event must be in the log with its seq.
 */

const SONG_MA = "sl-drug-rehab-song-ma";
const MERIT = "sl-merit-nursing";

interface Ack {
  facility: string;
  event_id: string;
  seq: number;
  body: Record<string, unknown>;
}

const dataDir = tempDataDir("carewatch-kill-");
const servers: SpawnedServer[] = [];

afterAll(async () => {
  for (const s of servers) {
    if (s.child.exitCode === null && s.child.signalCode === null) {
      s.child.kill("SIGKILL");
      await s.exited;
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

function makeEvent(facility: string, id: string, i: number): Record<string, unknown> {
  const occurred_at = new Date(Date.now() - 60_000 - (i % 600) * 1000).toISOString();
  switch (i % 4) {
    case 0:
      return { event_id: id, facility_id: facility, type: "admission", occurred_at, count: 1 + (i % 3) };
    case 1:
      return { event_id: id, facility_id: facility, type: "discharge", occurred_at, count: 1 };
    case 2:
      return { event_id: id, facility_id: facility, type: "treatment", occurred_at, category: "detox", count: 1 + (i % 7) };
    default:
      return { event_id: id, facility_id: facility, type: "census", occurred_at, occupied: 50 + (i % 40) };
  }
}

describe("SIGKILL mid-load", () => {
  it("every acknowledged event survives with its seq; no seq twice; rebuild finds no difference", async () => {
    const keys: Record<string, string> = {};
    for (const f of [SONG_MA, MERIT]) {
      const r = await cw(dataDir, ["keys", "create", f]);
      expect(r.status, r.stderr).toBe(0);
      keys[f] = r.stdout.trim();
    }
    const srv = await spawnServer(dataDir);
    servers.push(srv);

    const acked: Ack[] = [];
    let killed = false;

    async function poster(w: number) {
      const facility = w % 2 === 0 ? SONG_MA : MERIT;
      for (let i = 0; !killed; i++) {
        const batch = i % 3 === 2;
        const evs = batch
          ? Array.from({ length: 2 + (i % 4) }, (_, j) => makeEvent(facility, `w${w}-i${i}-b${j}`, i + j))
          : [makeEvent(facility, `w${w}-i${i}`, i)];
        let r;
        try {
          r = await postEvents(srv.url, keys[facility]!, batch ? { events: evs } : evs[0]);
        } catch {
          if (killed) return;
          throw new Error(`poster ${w}: request failed before the kill`);
        }
        if (r.status === 202 || r.status === 200) {
          if (batch)
            r.json.results.forEach((x: { event_id: string; seq: number }, j: number) =>
              acked.push({ facility, event_id: x.event_id, seq: x.seq, body: evs[j]! }),
            );
          else acked.push({ facility, event_id: r.json.event_id, seq: r.json.seq, body: evs[0]! });
        } else if (!killed) {
          throw new Error(`poster ${w}: unexpected ${r.status} ${r.text}`);
        } else return;
      }
    }

    const posters = Array.from({ length: 8 }, (_, w) => poster(w));
    await new Promise((r) => setTimeout(r, 1500));
    const ackedAtKill = acked.length;
    srv.child.kill("SIGKILL");
    killed = true;
    await srv.exited;
    await Promise.all(posters);
    expect(srv.child.signalCode).toBe("SIGKILL");
    expect(ackedAtKill).toBeGreaterThan(50); // the load really ran

    // 1. Straight from the store (the server is dead; SQLite replays its WAL on open, as a restart would).
    const { rows } = await rawQuery<{ facility_id: string; event_id: string; seq: number }>(
      dataDir,
      "SELECT facility_id, event_id, seq FROM events ORDER BY seq",
    );
    const bySeq = new Map<number, string>();
    for (const r of rows) {
      expect(bySeq.has(r.seq), `seq ${r.seq} appears twice`).toBe(false);
      bySeq.set(r.seq, `${r.facility_id}/${r.event_id}`);
    }
    const stored = new Map(rows.map((r) => [`${r.facility_id}/${r.event_id}`, r.seq]));
    const lost = acked.filter((a) => stored.get(`${a.facility}/${a.event_id}`) !== a.seq);
    expect(lost.map((a) => `${a.facility}/${a.event_id} seq ${a.seq} → ${stored.get(`${a.facility}/${a.event_id}`)}`)).toEqual([]);
    expect(new Set(acked.map((a) => a.seq)).size).toBe(acked.length);

    // 2. Through the API after a restart: retries are duplicates with the original seq.
    const again = await spawnServer(dataDir);
    servers.push(again);
    const sample = acked.filter((_, i) => i % Math.max(1, Math.floor(acked.length / 150)) === 0 || i >= acked.length - 20);
    for (const a of sample) {
      const r = await postEvents(again.url, keys[a.facility]!, a.body);
      expect(r.status, `${a.event_id}: ${r.text}`).toBe(200);
      expect(r.json).toEqual({ status: "duplicate", event_id: a.event_id, seq: a.seq });
    }
    // New events continue after the highest seq ever handed out.
    const next = await postEvents(again.url, keys[SONG_MA]!, makeEvent(SONG_MA, "after-restart-1", 2));
    expect(next.status).toBe(202);
    expect(next.json.seq).toBeGreaterThan(Math.max(...rows.map((r) => r.seq)));
    again.child.kill("SIGTERM");
    expect(await again.exited).toBe(0);

    // 3. The projections written before the kill agree with the log.
    const rb = await cw(dataDir, ["rebuild"]);
    expect(rb.status, rb.stdout + rb.stderr).toBe(0);
    expect(rb.stdout).toMatch(/no differences/);
  });
});
