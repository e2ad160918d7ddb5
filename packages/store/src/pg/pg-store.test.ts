import { TICKER_LENGTH } from "@carewatch/domain";
import postgres from "postgres";
import { describe, expect, inject, it, vi } from "vitest";
import { ev, iso, loadRegistry, NO_UNITS, req, T0, WITH_UNITS } from "../test-helpers.js";
import { createTestSchema } from "../test-pg/schemas.js";
import { createPgTestStore } from "../test-pg/test-store.js";
import type { Store } from "../types.js";
import { createPgStore } from "./pg-store.js";

// What the conformance suite cannot show with one writer at a time: several processes (stores,
// each with its own pool and movement indexes) writing the same units at once, opening a new
// schema at once, and hearing each other's commits through NOTIFY. Runs when the run has a
// PostgreSQL server (CAREWATCH_TEST_ENGINES=postgres or CAREWATCH_TEST_DATABASE_URL; see src/test-pg).
const url = inject("carewatchPgUrl");
const H = 3_600_000;

describe.skipIf(!url)("the PostgreSQL engine with several processes", () => {
  it("writers interleaving on the same units keep projections equal to a replay of the log, and agree on every status", async () => {
    const t = await createPgTestStore(url);
    const others = [await t.openAnother(), await t.openAnother()];
    const stores: Store[] = [t.store, ...others];
    // Censuses and movements, late ones included, spread over the writers in any order: each
    // writer must first catch its indexes up with the others' commits (under the append lock).
    let n = 0;
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 90; i++) {
      const at = T0 + ((i * 7_919) % 40) * 60_000;
      const facility = i % 2 ? NO_UNITS : WITH_UNITS;
      const unit = facility === WITH_UNITS ? { unit: i % 4 ? "acute" : "long-term" } : {};
      const e =
        i % 7 === 0
          ? ev({ facility_id: facility, ...unit, event_id: `w-${++n}`, type: "census", occupied: 20 + (i % 5), occurred_at: iso(at) })
          : ev({ facility_id: facility, ...unit, event_id: `w-${++n}`, type: i % 3 ? "admission" : "discharge", count: 1 + (i % 2), occurred_at: iso(at) });
      calls.push(stores[i % 3]!.log.append([{ ...req([e]), facilityId: facility }]));
    }
    await Promise.all(calls);
    const statuses = await Promise.all(stores.map((s) => s.reads.board(T0 + 2 * H, TICKER_LENGTH)));
    expect(statuses[0]!.seq).toBe(n);
    for (const b of statuses.slice(1)) expect(b).toEqual(statuses[0]);
    const report = await others[1]!.rebuild();
    expect(report.events).toBe(n);
    expect(report.differences).toEqual([]);
  });

  it("stores opening a fresh schema at the same moment migrate it once", async () => {
    const schema = await createTestSchema(url);
    const registry = loadRegistry();
    const stores = await Promise.all(Array.from({ length: 4 }, () => createPgStore({ url, registry, schema: schema.name, max: 2 })));
    try {
      expect(stores.every((s) => s.ready())).toBe(true);
      expect(await stores[0]!.log.lastSeq()).toBe(0);
      await stores[1]!.log.append([req([ev({ type: "admission", occurred_at: iso(T0) })])]);
      expect(await stores[3]!.log.lastSeq()).toBe(1);
    } finally {
      for (const s of stores) await s.close();
      await schema.drop();
    }
  });

  it("a watcher hears another store's commit through NOTIFY, long before its poll would", async () => {
    const t = await createPgTestStore(url, { pollMs: 600_000 });
    const other = await t.openAnother();
    const onGrown = vi.fn();
    const off = t.store.log.watch(onGrown);
    try {
      // The LISTEN connects in the background: keep committing until one is heard.
      let i = 0;
      await vi.waitFor(
        async () => {
          await other.log.append([req([ev({ event_id: `n-${++i}`, type: "admission", occurred_at: iso(T0 + i) })])]);
          expect(onGrown).toHaveBeenCalled();
        },
        { timeout: 10_000, interval: 50 },
      );
      expect((await t.store.log.readFrom(0, 100)).length).toBeGreaterThan(0);
    } finally {
      off();
    }
  });

  it("replays the log into the projections at open when a migration asked for it, and clears the request", async () => {
    const t = await createPgTestStore(url);
    await t.store.log.append([
      req([ev({ type: "census", occupied: 40, occurred_at: iso(T0) }), ev({ type: "admission", count: 3, occurred_at: iso(T0 + 60_000) })]),
    ]);
    const before = await t.store.reads.facilityStatus(NO_UNITS, T0 + H);
    await t.store.close();
    // What a migration that reshapes the projections does: record the request (here with a
    // projection left wrong, so the replay is seen to run).
    const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { search_path: t.path } });
    try {
      await sql`UPDATE unit_state SET net_after = 999`;
      await sql`INSERT INTO store_meta (key, value) VALUES ('projections_need_rebuild', 'test')`;
      const reopened = await t.reopen();
      expect(await reopened.reads.facilityStatus(NO_UNITS, T0 + H)).toEqual(before);
      expect(await sql`SELECT key FROM store_meta WHERE key = 'projections_need_rebuild'`).toEqual([]);
    } finally {
      await sql.end();
    }
  });
});
