import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  admission,
  census,
  discharge,
  expectProblem,
  makeClock,
  MIN,
  post,
  problemPaths,
  SONG_MA,
  statusOf,
  T0,
  treatment,
  uid,
} from "../support/contract-helpers.js";
import { postEvents, startTestServer, type TestServer } from "../support/server.js";

/** Contract "Posting events" → "Responses": accepted/duplicate/conflict, batches all-or-nothing, seq. */

describe("ingest responses", () => {
  const clock = makeClock(T0);
  let s: TestServer;
  let key: string;

  beforeAll(async () => {
    s = await startTestServer({ now: clock.now });
    key = await s.key(SONG_MA);
  });
  afterAll(async () => {
    await s?.stop();
  });

  it("one event accepted: 202 {status:'accepted', event_id, seq}", async () => {
    const ev = census(SONG_MA, 100, T0 - 30 * MIN);
    const r = await post(s.url, key, ev, 202);
    expect(r.headers.get("content-type")).toMatch(/^application\/json/);
    expect(r.json).toEqual({ status: "accepted", event_id: ev.event_id, seq: expect.any(Number) });
    expect(Number.isInteger(r.json.seq)).toBe(true);
    expect(r.json.seq).toBeGreaterThan(0);
  });

  it("identical retry → 200 duplicate with the original seq, and nothing changes", async () => {
    const ev = admission(SONG_MA, 3, T0 - 20 * MIN);
    const first = await post(s.url, key, ev, 202);
    const before = await statusOf(s.url, key, SONG_MA);
    const again = await post(s.url, key, ev, 200);
    expect(again.json).toEqual({ status: "duplicate", event_id: ev.event_id, seq: first.json.seq });
    // The same object with its keys in another order is the same body.
    const reordered = Object.fromEntries(Object.entries(ev).reverse());
    const third = await post(s.url, key, reordered, 200);
    expect(third.json).toEqual({ status: "duplicate", event_id: ev.event_id, seq: first.json.seq });
    const after = await statusOf(s.url, key, SONG_MA);
    expect(after.occupied).toBe(before.occupied);
    expect(after.as_of_seq).toBe(before.as_of_seq);
    expect(after.today).toEqual(before.today);
  });

  it("same event_id with a different body → 409 problem, nothing changes", async () => {
    const ev = admission(SONG_MA, 2, T0 - 19 * MIN);
    await post(s.url, key, ev, 202);
    const before = await statusOf(s.url, key, SONG_MA);
    const r = await postEvents(s.url, key, { ...ev, count: 5 });
    expectProblem(r, 409);
    // Another field differing (time) is a conflict too.
    expectProblem(await postEvents(s.url, key, { ...ev, occurred_at: new Date(T0 - 18 * MIN).toISOString() }), 409);
    const after = await statusOf(s.url, key, SONG_MA);
    expect(after.occupied).toBe(before.occupied);
    expect(after.as_of_seq).toBe(before.as_of_seq);
  });

  it("`count` omitted and `count: 1` are the same body (duplicate, both ways)", async () => {
    const base = admission(SONG_MA, 1, T0 - 17 * MIN);
    const { count: _omit, ...withoutCount } = base;
    const a = await post(s.url, key, withoutCount, 202);
    const b = await post(s.url, key, { ...withoutCount, count: 1 }, 200);
    expect(b.json).toEqual({ status: "duplicate", event_id: base.event_id, seq: a.json.seq });

    const d = discharge(SONG_MA, 1, T0 - 16 * MIN);
    const c1 = await post(s.url, key, d, 202);
    const { count: _c, ...dWithout } = d;
    const c2 = await post(s.url, key, dWithout, 200);
    expect(c2.json.seq).toBe(c1.json.seq);
  });

  it("batch is all-or-nothing: one 422 lists every problem with JSON Pointer paths, nothing is stored", async () => {
    const good1 = admission(SONG_MA, 4, T0 - 15 * MIN);
    const good2 = treatment(SONG_MA, "methadone", 7, T0 - 15 * MIN);
    const badOccupied = { ...census(SONG_MA, 10, T0 - 15 * MIN), occupied: -1 };
    const badType = { ...admission(SONG_MA, 1, T0 - 15 * MIN), type: "transfer" };
    const badUnit = { ...census(SONG_MA, 10, T0 - 15 * MIN), unit: "ward-a" }; // song-ma has no units
    const personal = { ...discharge(SONG_MA, 1, T0 - 15 * MIN), patient_name: "Nguyễn Văn A" };
    const badCount = { ...treatment(SONG_MA, "detox", 1, T0 - 15 * MIN), count: 10_001 };
    const before = await statusOf(s.url, key, SONG_MA);
    const r = await postEvents(s.url, key, { events: [badOccupied, good1, badType, badUnit, good2, personal, badCount] });
    expectProblem(r, 422);
    expect(r.json.type).toBe("/problems/validation");
    const paths = problemPaths(r);
    for (const p of ["/events/0/occupied", "/events/2/type", "/events/3/unit", "/events/5/patient_name", "/events/6/count"]) expect(paths).toContain(p);
    // Valid events are not blamed.
    expect(paths.some((p) => p.startsWith("/events/1/") || p.startsWith("/events/4/"))).toBe(false);
    for (const e of r.json.errors) expect(e.message).toBeTypeOf("string");

    const after = await statusOf(s.url, key, SONG_MA);
    expect(after.as_of_seq).toBe(before.as_of_seq);
    expect(after.occupied).toBe(before.occupied);
    expect(after.today).toEqual(before.today);

    // The valid ones were never stored: posting them now gets fresh accepts (not duplicates).
    const ok = await post(s.url, key, { events: [good1, good2] }, 202);
    expect(ok.json.accepted).toBe(2);
    expect(ok.json.duplicates).toBe(0);
    expect(ok.json.results.map((x: any) => x.status)).toEqual(["accepted", "accepted"]);
    expect(ok.json.results[0].seq).toBeGreaterThan(before.as_of_seq);
  });

  it("batch response: {accepted, duplicates, results} in request order, seq increasing within the batch", async () => {
    const evs = [
      census(SONG_MA, 90, T0 - 14 * MIN),
      admission(SONG_MA, 2, T0 - 13 * MIN),
      treatment(SONG_MA, "detox", 3, T0 - 12 * MIN),
      discharge(SONG_MA, 1, T0 - 11 * MIN),
    ];
    const r = await post(s.url, key, { events: evs }, 202);
    expect(Object.keys(r.json).sort()).toEqual(["accepted", "duplicates", "results"]);
    expect(r.json.accepted).toBe(4);
    expect(r.json.duplicates).toBe(0);
    expect(r.json.results.map((x: any) => x.event_id)).toEqual(evs.map((e) => e.event_id));
    for (const x of r.json.results) {
      expect(x).toEqual({ event_id: expect.any(String), status: "accepted", seq: expect.any(Number) });
    }
    const seqs = r.json.results.map((x: any) => x.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
  });

  it("batch with duplicates: duplicates carry their original seq, new ones are accepted", async () => {
    const a = admission(SONG_MA, 1, T0 - 10 * MIN);
    const b = admission(SONG_MA, 1, T0 - 10 * MIN);
    const first = await post(s.url, key, { events: [a, b] }, 202);
    const c = discharge(SONG_MA, 1, T0 - 9 * MIN);
    const r = await post(s.url, key, { events: [c, b, a] }, 202);
    expect(r.json.accepted).toBe(1);
    expect(r.json.duplicates).toBe(2);
    expect(r.json.results).toEqual([
      { event_id: c.event_id, status: "accepted", seq: expect.any(Number) },
      { event_id: b.event_id, status: "duplicate", seq: first.json.results[1].seq },
      { event_id: a.event_id, status: "duplicate", seq: first.json.results[0].seq },
    ]);
    expect(r.json.results[0].seq).toBeGreaterThan(first.json.results[1].seq);
    // A whole batch of duplicates is still a 202 batch result, changing nothing.
    const before = await statusOf(s.url, key, SONG_MA);
    const all = await post(s.url, key, { events: [a, b, c] }, 202);
    expect(all.json.accepted).toBe(0);
    expect(all.json.duplicates).toBe(3);
    expect((await statusOf(s.url, key, SONG_MA)).as_of_seq).toBe(before.as_of_seq);
  });

  it("a batch with one conflicting event_id (different body) → 409 and nothing of it is stored", async () => {
    const stored = admission(SONG_MA, 2, T0 - 8 * MIN);
    await post(s.url, key, stored, 202);
    const fresh = treatment(SONG_MA, "vocational", 5, T0 - 8 * MIN);
    const before = await statusOf(s.url, key, SONG_MA);
    const r = await postEvents(s.url, key, { events: [fresh, { ...stored, count: 3 }] });
    expectProblem(r, 409);
    const after = await statusOf(s.url, key, SONG_MA);
    expect(after.as_of_seq).toBe(before.as_of_seq);
    expect(after.today).toEqual(before.today);
    expect((await post(s.url, key, fresh, 202)).json.status).toBe("accepted");
  });

  it("seq is strictly increasing across requests", async () => {
    const seqs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await post(s.url, key, treatment(SONG_MA, "health_check", 1, T0 - 7 * MIN), 202);
      seqs.push(r.json.seq);
    }
    const batch = await post(s.url, key, { events: [treatment(SONG_MA, "other", 1, T0 - 7 * MIN), treatment(SONG_MA, "other", 1, T0 - 7 * MIN)] }, 202);
    seqs.push(...batch.json.results.map((x: any) => x.seq));
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
    expect((await statusOf(s.url, key, SONG_MA)).as_of_seq).toBe(seqs[seqs.length - 1]);
  });

  it("0 events and 1,001 events → 422 at /events; 1,000 events → 202", async () => {
    const before = await statusOf(s.url, key, SONG_MA);
    const empty = await postEvents(s.url, key, { events: [] });
    expectProblem(empty, 422);
    expect(problemPaths(empty)).toContain("/events");
    const tooMany = await postEvents(s.url, key, { events: Array.from({ length: 1001 }, () => treatment(SONG_MA, "detox", 1, T0 - 6 * MIN)) });
    expectProblem(tooMany, 422);
    expect(problemPaths(tooMany)).toContain("/events");
    expect((await statusOf(s.url, key, SONG_MA)).as_of_seq).toBe(before.as_of_seq);
    const max = await post(s.url, key, { events: Array.from({ length: 1000 }, () => treatment(SONG_MA, "detox", 1, T0 - 6 * MIN)) }, 202);
    expect(max.json.accepted).toBe(1000);
  });

  it("`events` not an array, and extra top-level fields beside `events`, → 422", async () => {
    expectProblem(await postEvents(s.url, key, { events: "nope" }), 422);
    const extra = await postEvents(s.url, key, { events: [treatment(SONG_MA, "detox", 1, T0 - 6 * MIN)], patient_name: "x" });
    expectProblem(extra, 422);
    expect(problemPaths(extra)).toContain("/patient_name");
  });

  it("50 concurrent posts get distinct, strictly increasing seqs (all committed)", async () => {
    const before = await statusOf(s.url, key, SONG_MA);
    const evs = Array.from({ length: 50 }, (_, i) => treatment(SONG_MA, "psychosocial", 1, T0 - 5 * MIN, { event_id: uid(`conc${i}`) }));
    const rs = await Promise.all(evs.map((e) => postEvents(s.url, key, e)));
    for (const r of rs) expect(r.status, r.text).toBe(202);
    const seqs = rs.map((r) => r.json.seq as number);
    expect(new Set(seqs).size).toBe(50);
    for (const q of seqs) expect(q).toBeGreaterThan(before.as_of_seq);
    const after = await statusOf(s.url, key, SONG_MA);
    expect(after.as_of_seq).toBe(Math.max(...seqs));
    expect(after.today.treatments.psychosocial - (before.today.treatments.psychosocial ?? 0)).toBe(50);
    // Retrying all of them concurrently gives each its own original seq.
    const again = await Promise.all(evs.map((e) => postEvents(s.url, key, e)));
    again.forEach((r, i) => {
      expect(r.status).toBe(200);
      expect(r.json.seq).toBe(seqs[i]);
    });
  });
});
