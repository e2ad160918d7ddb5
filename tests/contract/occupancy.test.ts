import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { admission, census, discharge, iso, makeClock, MIN, numbers, post, REHAB, SONG_MA, statusOf, T0 } from "../support/contract-helpers.js";
import { startTestServer, type TestServer } from "../support/server.js";

/** Contract "Meaning of the numbers": the census rule, units, capacity, available, percent, level. */

describe("occupancy numbers", () => {
  const clock = makeClock(T0);
  let s: TestServer;
  let key: string;
  let rehabKey: string;

  beforeEach(async () => {
    clock.set(T0);
    s = await startTestServer({ now: clock.now });
    key = await s.key(SONG_MA);
    rehabKey = await s.key(REHAB);
  });
  afterEach(async () => {
    await s?.stop();
  });

  const send = async (...evs: object[]) => {
    for (const e of evs) await post(s.url, (e as any).facility_id === REHAB ? rehabKey : key, e, 202);
  };
  const song = () => statusOf(s.url, key, SONG_MA);

  it("a facility without events: configured capacity, occupied 0", async () => {
    const st = await song();
    expect(st).toMatchObject({
      facility_id: SONG_MA,
      type: "drug_rehab",
      capacity: 150,
      occupied: 0,
      available: 150,
      occupancy_pct: 0,
      level: "normal",
      data_quality: "ok",
    });
    expect(st.name).toBeTypeOf("string");
  });

  it("out-of-order census/admission/discharge → latest census + movements strictly after it", async () => {
    // Arrival order is scrambled; occurred_at order is: adm(-90) census(-60) adm(-30) dis(-10) adm(-5).
    await send(
      discharge(SONG_MA, 2, T0 - 10 * MIN),
      admission(SONG_MA, 5, T0 - 30 * MIN),
      census(SONG_MA, 100, T0 - 60 * MIN),
      admission(SONG_MA, 3, T0 - 5 * MIN),
      admission(SONG_MA, 7, T0 - 90 * MIN), // before the census: already in its head count
    );
    const st = await song();
    expect(st).toMatchObject({ capacity: 150, occupied: 106, available: 44, occupancy_pct: 70.7, level: "normal", data_quality: "ok" });
    // A late census older than the latest changes nothing.
    await send(census(SONG_MA, 10, T0 - 120 * MIN));
    expect((await song()).occupied).toBe(106);
    // A newer census resets the count; only movements after it add.
    await send(census(SONG_MA, 90, T0 - 7 * MIN));
    expect((await song()).occupied).toBe(93);
  });

  it("without any census: the movements are summed", async () => {
    await send(admission(SONG_MA, 4, T0 - 10 * MIN), discharge(SONG_MA, 1, T0 - 5 * MIN));
    expect((await song()).occupied).toBe(3);
  });

  it("an admission or discharge at the census instant is already counted in it (either arrival order)", async () => {
    const at = T0 - 30 * MIN;
    await send(admission(SONG_MA, 4, at), census(SONG_MA, 100, at), discharge(SONG_MA, 2, at));
    expect((await song()).occupied).toBe(100);
    // One millisecond later is after it.
    await send(admission(SONG_MA, 1, at + 1));
    expect((await song()).occupied).toBe(101);
  });

  it("two censuses at the same instant: the greater event_id (byte order) wins, whatever the arrival order", async () => {
    const at = T0 - 20 * MIN;
    // Byte order: "cen-a" > "cen-Z" (a locale compare would say the opposite).
    await send({ ...census(SONG_MA, 70, at), event_id: "cen-a" }, { ...census(SONG_MA, 50, at), event_id: "cen-Z" });
    expect((await song()).occupied).toBe(70);
    await send({ ...census(SONG_MA, 60, at), event_id: "cen-0" }); // "0" < "Z" < "a"
    expect((await song()).occupied).toBe(70);
    await send({ ...census(SONG_MA, 40, at), event_id: "cen-b" });
    expect((await song()).occupied).toBe(40);
  });

  it("over-discharge: accepted, occupied 0, data_quality inconsistent; the next census clears it", async () => {
    await send(census(SONG_MA, 3, T0 - 30 * MIN), discharge(SONG_MA, 5, T0 - 20 * MIN));
    const st = await song();
    expect(st).toMatchObject({ occupied: 0, available: 150, data_quality: "inconsistent" });
    await send(census(SONG_MA, 10, T0 - 10 * MIN));
    expect(await song()).toMatchObject({ occupied: 10, data_quality: "ok" });
  });

  it("over-discharge: the inconsistent flag stays until the next census (admissions alone do not clear it)", async () => {
    await send(census(SONG_MA, 3, T0 - 30 * MIN), discharge(SONG_MA, 5, T0 - 20 * MIN), admission(SONG_MA, 4, T0 - 15 * MIN));
    expect((await song()).data_quality).toBe("inconsistent");
    await send(census(SONG_MA, 8, T0 - 10 * MIN));
    expect(await song()).toMatchObject({ occupied: 8, data_quality: "ok" });
  });

  it("units: each unit by its own census rule, summed for the facility (sl-drug-rehab)", async () => {
    await send(
      census(REHAB, 200, T0 - 60 * MIN, { unit: "compulsory" }),
      census(REHAB, 50, T0 - 60 * MIN, { unit: "voluntary" }),
      census(REHAB, 30, T0 - 60 * MIN, { unit: "female" }),
      census(REHAB, 10, T0 - 60 * MIN, { unit: "medical" }),
      admission(REHAB, 5, T0 - 30 * MIN, { unit: "compulsory" }),
      discharge(REHAB, 2, T0 - 20 * MIN, { unit: "medical" }),
      // A newer census of one unit does not reset the others.
      census(REHAB, 55, T0 - 10 * MIN, { unit: "voluntary" }),
    );
    const st = await statusOf(s.url, rehabKey, REHAB);
    expect(st.occupied).toBe(205 + 55 + 30 + 8);
    expect(st.capacity).toBe(400);
    expect(st.available).toBe(400 - 298);
    expect(st.occupancy_pct).toBe(74.5);
    if (Array.isArray(st.units)) {
      const by = Object.fromEntries(st.units.map((u: any) => [u.unit_id, u.occupied]));
      expect(by).toEqual({ compulsory: 205, voluntary: 55, female: 30, medical: 8 });
    }
  });

  it("units: an over-discharged unit shows 0 and flags the facility inconsistent, the others still count", async () => {
    await send(
      census(REHAB, 100, T0 - 60 * MIN, { unit: "compulsory" }),
      census(REHAB, 1, T0 - 60 * MIN, { unit: "medical" }),
      discharge(REHAB, 3, T0 - 30 * MIN, { unit: "medical" }),
    );
    const st = await statusOf(s.url, rehabKey, REHAB);
    expect(st).toMatchObject({ occupied: 100, data_quality: "inconsistent" });
  });

  it("census capacity overrides the configured capacity from then on", async () => {
    await send(census(SONG_MA, 100, T0 - 60 * MIN, { capacity: 120 }));
    expect(await song()).toMatchObject({ capacity: 120, occupied: 100, available: 20, occupancy_pct: 83.3, level: "normal" });
    // A later census without capacity keeps it.
    await send(census(SONG_MA, 110, T0 - 50 * MIN));
    expect(await song()).toMatchObject({ capacity: 120, occupied: 110, available: 10 });
    // An older census's capacity (arriving late) does not replace the latest one.
    await send(census(SONG_MA, 90, T0 - 90 * MIN, { capacity: 200 }));
    expect((await song()).capacity).toBe(120);
    // A newer one does.
    await send(census(SONG_MA, 110, T0 - 40 * MIN, { capacity: 140 }));
    expect(await song()).toMatchObject({ capacity: 140, available: 30 });
  });

  it("available is never below 0; percent above 100 → level over", async () => {
    await send(census(SONG_MA, 160, T0 - 10 * MIN));
    expect(await song()).toMatchObject({ capacity: 150, occupied: 160, available: 0, occupancy_pct: 106.7, level: "over" });
  });

  it("occupancy_pct has one decimal", async () => {
    await send(census(SONG_MA, 1, T0 - 10 * MIN, { capacity: 3 }));
    expect((await song()).occupancy_pct).toBe(33.3);
    await send(census(SONG_MA, 2, T0 - 9 * MIN));
    expect((await song()).occupancy_pct).toBe(66.7);
    await send(census(SONG_MA, 112, T0 - 8 * MIN, { capacity: 150 }));
    expect((await song()).occupancy_pct).toBe(74.7);
  });

  it("capacity 0 → occupancy_pct null, available 0", async () => {
    await send(census(SONG_MA, 0, T0 - 10 * MIN, { capacity: 0 }));
    const st = await song();
    expect(st.capacity).toBe(0);
    expect(st.occupancy_pct).toBeNull();
    expect(st.available).toBe(0);
  });

  it("level boundaries through the API: <85 normal, 85–<95 high, 95–100 critical, >100 over", async () => {
    const cases: [number, number, string][] = [
      [84, 100, "normal"],
      [85, 100, "high"],
      [94, 100, "high"],
      [95, 100, "critical"],
      [100, 100, "critical"],
      [101, 100, "over"],
      [169, 200, "normal"], // 84.5
      [170, 200, "high"], // 85.0
      [189, 200, "high"], // 94.5
      [190, 200, "critical"], // 95.0
      [201, 200, "over"], // 100.5
      [0, 100, "normal"],
    ];
    let t = T0 - 100 * MIN;
    for (const [occ, cap, level] of cases) {
      t += MIN;
      await send(census(SONG_MA, occ, t, { capacity: cap }));
      const st = await song();
      expect({ occ, cap, level: st.level }).toEqual({ occ, cap, level });
    }
  });
});

describe("the numbers depend only on the set of events, never on arrival order (fast-check)", () => {
  type Ev = Record<string, any>;
  const UNITS = ["compulsory", "voluntary", "female", "medical"];

  /** A small set of events over few instants (to force ties), some with event_ids that tie-break. */
  const eventSet = fc
    .array(
      fc.record({
        facility: fc.constantFrom(SONG_MA, REHAB),
        kind: fc.constantFrom("census", "census", "admission", "discharge"),
        minute: fc.integer({ min: 1, max: 6 }),
        n: fc.integer({ min: 0, max: 40 }),
        unit: fc.constantFrom(...UNITS),
        idHead: fc.constantFrom("a", "B", "c", "Z", "0", "m"),
        capacity: fc.option(fc.integer({ min: 0, max: 300 }), { freq: 3 }),
      }),
      { minLength: 1, maxLength: 14 },
    )
    .map((specs) =>
      specs.map((x, i): Ev => {
        const base: Ev = { event_id: `${x.idHead}-${i}`, facility_id: x.facility, type: x.kind, occurred_at: iso(T0 - x.minute * 10 * MIN) };
        if (x.facility === REHAB) base.unit = x.unit;
        if (x.kind === "census") return { ...base, occupied: x.n, ...(x.capacity === null ? {} : { capacity: x.capacity }) };
        return { ...base, count: Math.max(1, x.n % 12) };
      }),
    );

  /** Reference: the contract's census rule per unit, independent of the server. */
  function referenceOccupied(events: Ev[], facility: string): number | null {
    const byUnit = new Map<string, Ev[]>();
    for (const e of events.filter((x) => x.facility_id === facility)) byUnit.set(e.unit ?? "", [...(byUnit.get(e.unit ?? "") ?? []), e]);
    let total = 0;
    for (const evs of byUnit.values()) {
      const at = (e: Ev) => Date.parse(e.occurred_at);
      const censuses = evs.filter((e) => e.type === "census").sort((a, b) => at(a) - at(b) || (a.event_id < b.event_id ? -1 : 1));
      const latest = censuses[censuses.length - 1];
      const after = evs.filter((e) => e.type !== "census" && (!latest || at(e) > at(latest))).sort((a, b) => at(a) - at(b));
      let n = latest ? latest.occupied : 0;
      for (const m of after) {
        n += m.type === "admission" ? m.count : -m.count;
        if (n < 0) return null; // below zero on the way: the contract's clamping is not modelled here
      }
      total += n;
    }
    return total;
  }

  it("random events posted in two random orders to two fresh servers give identical status numbers", async () => {
    await fc.assert(
      fc.asyncProperty(
        eventSet,
        fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
        fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
        async (events, r1, r2) => {
          const shuffle = (rs: typeof r1) => {
            const it = rs[Symbol.iterator]();
            return events
              .map((e) => ({ e, k: it.next().value as number }))
              .sort((a, b) => a.k - b.k)
              .map((x) => x.e);
          };
          const orders = [shuffle(r1), shuffle(r2)];
          const results: any[] = [];
          for (const order of orders) {
            const srv = await startTestServer({ now: () => T0 });
            try {
              const keys: Record<string, string> = { [SONG_MA]: await srv.key(SONG_MA), [REHAB]: await srv.key(REHAB) };
              for (const e of order) await post(srv.url, keys[e.facility_id]!, e, 202);
              results.push({
                song: numbers(await statusOf(srv.url, keys[SONG_MA]!, SONG_MA)),
                rehab: numbers(await statusOf(srv.url, keys[REHAB]!, REHAB)),
              });
            } finally {
              await srv.stop();
            }
          }
          expect(results[1]).toEqual(results[0]);
          for (const [f, k] of [
            [SONG_MA, "song"],
            [REHAB, "rehab"],
          ] as const) {
            const ref = referenceOccupied(events, f);
            if (ref !== null) expect(results[0][k].occupied).toBe(ref);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
