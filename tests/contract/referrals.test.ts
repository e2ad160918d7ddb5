import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expectProblem, makeClock, MIN, post, referral, SONG_MA, statusOf, T0 } from "../support/contract-helpers.js";
import { postEvents, startTestServer, type TestServer } from "../support/server.js";

/**
 * Contract: referrals move forward only, requested → accepted → transferred → returned;
 * `cancelled` ends one not yet transferred; first appearance at any status; backwards or
 * after returned/cancelled → 409.
 */

const ORDER = ["requested", "accepted", "transferred", "returned"] as const;

describe("referral lifecycle", () => {
  const clock = makeClock(T0);
  let s: TestServer;
  let key: string;
  let n = 0;
  const rid = () => `ref-${++n}`;
  let t = T0 - 60 * MIN;
  const at = () => (t += 1000);

  beforeEach(async () => {
    s = await startTestServer({ now: clock.now });
    key = await s.key(SONG_MA);
  });
  afterEach(async () => {
    await s?.stop();
  });

  const move = (id: string, status: string) => postEvents(s.url, key, referral(SONG_MA, id, status, at()));
  const open = async () => (await statusOf(s.url, key, SONG_MA)).today.referrals_open;

  it("every forward move is accepted (each step, and skipping steps)", async () => {
    const a = rid();
    for (const st of ORDER) expect((await move(a, st)).status).toBe(202);
    const b = rid();
    expect((await move(b, "requested")).status).toBe(202);
    expect((await move(b, "transferred")).status).toBe(202);
    const c = rid();
    expect((await move(c, "requested")).status).toBe(202);
    expect((await move(c, "returned")).status).toBe(202);
    const d = rid();
    expect((await move(d, "accepted")).status).toBe(202);
    expect((await move(d, "cancelled")).status).toBe(202);
    const e = rid();
    expect((await move(e, "requested")).status).toBe(202);
    expect((await move(e, "cancelled")).status).toBe(202);
  });

  it("a referral may first appear at any status", async () => {
    for (const st of [...ORDER, "cancelled"]) expect((await move(rid(), st)).status).toBe(202);
  });

  it("backwards moves → 409 problem, and the status does not change", async () => {
    for (let i = 1; i < ORDER.length - 1; i++) {
      for (let j = 0; j < i; j++) {
        const id = rid();
        expect((await move(id, ORDER[i]!)).status).toBe(202);
        const before = await open();
        expectProblem(await move(id, ORDER[j]!), 409);
        expect(await open()).toBe(before);
      }
    }
  });

  it("any move after returned or cancelled → 409", async () => {
    const ret = rid();
    await move(ret, "returned");
    for (const st of ["requested", "accepted", "transferred", "cancelled"]) expectProblem(await move(ret, st), 409);
    const can = rid();
    await move(can, "cancelled");
    for (const st of ["requested", "accepted", "transferred", "returned"]) expectProblem(await move(can, st), 409);
  });

  it("cancel after transferred → 409", async () => {
    const id = rid();
    await move(id, "requested");
    await move(id, "transferred");
    expectProblem(await move(id, "cancelled"), 409);
    expect((await move(id, "returned")).status).toBe(202);
  });

  it("the same status repeated (new event_id) is accepted and changes nothing", async () => {
    const id = rid();
    expect((await move(id, "accepted")).status).toBe(202);
    const before = await statusOf(s.url, key, SONG_MA);
    const again = await move(id, "accepted");
    expect(again.status).toBe(202);
    expect(again.json.status).toBe("accepted");
    const after = await statusOf(s.url, key, SONG_MA);
    expect(after.today.referrals_open).toBe(before.today.referrals_open);
    // Still at accepted: forward allowed, backward refused.
    expectProblem(await move(id, "requested"), 409);
    expect((await move(id, "transferred")).status).toBe(202);
    // A closed referral repeating its final status is also not a move.
    expect((await move(id, "returned")).status).toBe(202);
    expect((await move(id, "returned")).status).toBe(202);
  });

  it("a batch with one conflicting move → 409 for the whole batch, nothing stored", async () => {
    const id = rid();
    await move(id, "transferred");
    const fresh = rid();
    const before = await statusOf(s.url, key, SONG_MA);
    const r = await postEvents(s.url, key, { events: [referral(SONG_MA, fresh, "requested", at()), referral(SONG_MA, id, "accepted", at())] });
    expectProblem(r, 409);
    expect(r.json.type).toBe("/problems/conflict");
    const after = await statusOf(s.url, key, SONG_MA);
    expect(after.as_of_seq).toBe(before.as_of_seq);
    expect(after.today.referrals_open).toBe(before.today.referrals_open);
    // The fresh referral was not stored: it can still first appear as "accepted" (no history).
    const again = await move(fresh, "accepted");
    expect(again.status).toBe(202);
  });

  it("a batch moving one referral forward step by step is accepted; a batch going backwards within itself is 409", async () => {
    const id = rid();
    const ok = await post(
      s.url,
      key,
      { events: [referral(SONG_MA, id, "requested", at()), referral(SONG_MA, id, "accepted", at()), referral(SONG_MA, id, "transferred", at())] },
      202,
    );
    expect(ok.json.accepted).toBe(3);
    const id2 = rid();
    const before = await statusOf(s.url, key, SONG_MA);
    expectProblem(await postEvents(s.url, key, { events: [referral(SONG_MA, id2, "accepted", at()), referral(SONG_MA, id2, "requested", at())] }), 409);
    expect((await statusOf(s.url, key, SONG_MA)).as_of_seq).toBe(before.as_of_seq);
  });

  it("referrals_open follows the moves", async () => {
    expect(await open()).toBe(0);
    const a = rid();
    const b = rid();
    await move(a, "requested");
    await move(b, "requested");
    expect(await open()).toBe(2);
    await move(a, "accepted");
    expect(await open()).toBe(2);
    await move(a, "cancelled");
    expect(await open()).toBe(1);
    await move(b, "transferred");
    expect(await open()).toBe(1);
    await move(b, "returned");
    expect(await open()).toBe(0);
  });
});
