import { rmSync } from "node:fs";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { rawQuery } from "../support/engine.js";
import { numbers } from "../support/contract-helpers.js";
import { cw, postEvents, startTestServer, tempDataDir } from "../support/server.js";

/**
 * `cw rebuild` recomputes every projection from the event log: after a random HTTP load it
 * finds nothing to repair; after a projection row is corrupted (server stopped) it reports the
 * difference with exit code 3, repairs it, and a second rebuild finds nothing.
 */

const SONG_MA = "sl-drug-rehab-song-ma";
const REHAB = "sl-drug-rehab";
const UNITS = ["compulsory", "voluntary", "female", "medical"];
const CATEGORIES = ["detox", "methadone", "psychosocial", "vocational", "health_check"];
const STATUSES = ["requested", "accepted", "transferred", "returned", "cancelled"];
const T0 = Date.parse("2026-11-22T10:00:00Z");

const dataDir = tempDataDir("carewatch-rebuild-");
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** A random but valid event (referrals may 409 when they would move backwards: that is fine). */
const eventArb = fc.record({
  facility: fc.constantFrom(SONG_MA, REHAB),
  kind: fc.constantFrom("census", "admission", "admission", "discharge", "treatment", "referral"),
  minutesAgo: fc.integer({ min: 0, max: 36 * 60 }), // crosses local midnights
  n: fc.integer({ min: 0, max: 120 }),
  unit: fc.constantFrom(...UNITS),
  category: fc.constantFrom(...CATEGORIES),
  referral: fc.integer({ min: 1, max: 8 }),
  status: fc.constantFrom(...STATUSES),
  capacity: fc.option(fc.integer({ min: 0, max: 300 }), { freq: 4 }),
});

function toEvent(x: any, i: number): Record<string, unknown> {
  const base: Record<string, unknown> = {
    event_id: `ev-${i}`,
    facility_id: x.facility,
    type: x.kind,
    occurred_at: new Date(T0 - x.minutesAgo * 60_000).toISOString(),
  };
  const unit = x.facility === REHAB ? { unit: x.unit } : {};
  switch (x.kind) {
    case "census":
      return { ...base, ...unit, occupied: x.n, ...(x.capacity === null ? {} : { capacity: x.capacity }) };
    case "admission":
    case "discharge":
      return { ...base, ...unit, count: 1 + (x.n % 9) };
    case "treatment":
      return { ...base, category: x.category, count: 1 + x.n };
    default:
      return { ...base, referral_id: `ref-${x.referral}`, status: x.status, destination: "Bệnh viện tỉnh" };
  }
}

describe("cw rebuild", () => {
  it("after a random load: no differences (exit 0); a corrupted projection row is reported (exit 3) and repaired", async () => {
    const specs = fc.sample(eventArb, { numRuns: 600, seed: 20261122 });
    const events = specs.map((x, i) => toEvent(x, i));

    let s = await startTestServer({ dataDir, now: () => T0 });
    const keys: Record<string, string> = { [SONG_MA]: await s.key(SONG_MA), [REHAB]: await s.key(REHAB) };
    // Random batch sizes, several requests in flight at once (group commit), arrival order shuffled.
    const shuffled = fc.sample(fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }), { numRuns: 1, seed: 7 })[0]!;
    let i = 0;
    let accepted = 0;
    while (i < shuffled.length) {
      const wave: Promise<void>[] = [];
      for (let k = 0; k < 4 && i < shuffled.length; k++) {
        const size = 1 + ((i * 7) % 9);
        const chunk = shuffled.slice(i, i + size);
        i += size;
        for (const f of [SONG_MA, REHAB]) {
          const mine = chunk.filter((e) => e.facility_id === f);
          if (mine.length === 0) continue;
          wave.push(
            postEvents(s.url, keys[f]!, mine.length === 1 ? mine[0] : { events: mine }).then(async (r) => {
              if (r.status === 202 || r.status === 200) {
                accepted += mine.length;
                return;
              }
              expect(r.status, r.text).toBe(409); // a referral moving backwards: the batch is refused
              // Post the rest one by one so most of the load still lands.
              for (const e of mine) {
                const one = await postEvents(s.url, keys[f]!, e);
                expect([200, 202, 409]).toContain(one.status);
                if (one.status !== 409) accepted++;
              }
            }),
          );
        }
      }
      await Promise.all(wave);
    }
    expect(accepted).toBeGreaterThan(300);
    const get = async (f: string) =>
      (await (await fetch(`${s.url}/api/v1/facilities/${f}/status`, { headers: { authorization: `Bearer ${keys[f]}` } })).json()) as any;
    const before = { song: numbers(await get(SONG_MA)), rehab: numbers(await get(REHAB)) };
    await s.stop();

    const first = await cw(dataDir, ["rebuild"]);
    expect(first.status, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(/no differences/);

    // Corrupt projection rows behind the server's back.
    const [row] = (
      await rawQuery<{ facility_id: string; unit: string }>(
        dataDir,
        "SELECT facility_id, unit FROM unit_state WHERE facility_id = ? AND census_occupied IS NOT NULL LIMIT 1",
        [REHAB],
      )
    ).rows;
    expect(row).toBeDefined();
    await rawQuery(dataDir, "UPDATE unit_state SET census_occupied = census_occupied + 37 WHERE facility_id = ? AND unit = ?", [row!.facility_id, row!.unit]);
    // One daily rollup row of the facility (the first by its key; both engines order it the same way).
    const { changes } = await rawQuery(
      dataDir,
      `UPDATE rollup_daily SET value = value + 5 WHERE (facility_id, day, metric) =
         (SELECT facility_id, day, metric FROM rollup_daily WHERE facility_id = ? ORDER BY day, metric LIMIT 1)`,
      [SONG_MA],
    );
    expect(changes).toBe(1);

    const second = await cw(dataDir, ["rebuild"]);
    expect(second.status, second.stdout + second.stderr).toBe(3);
    expect(second.stdout).toMatch(/unit_state/);
    expect(second.stdout).toMatch(/rollup_daily/);
    expect(second.stdout).not.toMatch(/no differences/);

    const third = await cw(dataDir, ["rebuild"]);
    expect(third.status, third.stdout + third.stderr).toBe(0);
    expect(third.stdout).toMatch(/no differences/);

    // The repaired projections give the same status as before the corruption.
    s = await startTestServer({ dataDir, now: () => T0 });
    try {
      const after = { song: numbers(await get(SONG_MA)), rehab: numbers(await get(REHAB)) };
      expect(after).toEqual(before);
    } finally {
      await s.stop();
    }
  });
});
