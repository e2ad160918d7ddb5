import { TICKER_LENGTH } from "@carewatch/domain";
import { describe, expect, it } from "vitest";
import { append, ev, iso, NO_UNITS, req, T0 } from "../test-helpers.js";
import { ENGINES } from "./engines.js";

for (const engine of ENGINES) {
  describe(engine.name, () => {
    describe("opening and closing", () => {
      it("is ready once open, names its engine and registry, and is not ready after close", async () => {
        const t = await engine.create();
        expect(t.store.ready()).toBe(true);
        expect(t.store.engine).toBe(engine.name);
        expect(t.store.registry.facilities.map((f) => f.id)).toEqual(t.registry.facilities.map((f) => f.id));
        await t.store.close();
        expect(t.store.ready()).toBe(false);
        await t.store.close(); // twice is harmless
        expect(t.store.ready()).toBe(false);
      });

      it("keeps the log, projections and credentials across a reopen", async () => {
        const t = await engine.create();
        await append(t.store, req([ev({ type: "census", occurred_at: iso(T0), occupied: 9 })]));
        const { key, id } = await t.store.credentials.createKey(NO_UNITS, T0);
        const { token } = await t.store.credentials.createDisplay("Hall", T0);
        const before = await t.store.reads.facilityStatus(NO_UNITS, T0);
        const board = await t.store.reads.board(T0, TICKER_LENGTH);

        const store = await t.reopen();
        expect(store.ready()).toBe(true);
        expect(await store.reads.facilityStatus(NO_UNITS, T0)).toEqual(before);
        expect(await store.reads.board(T0, TICKER_LENGTH)).toEqual(board);
        expect(await store.credentials.authenticateKey(key, T0)).toEqual({ ok: true, principal: { kind: "facility_key", keyId: id, facilityId: NO_UNITS } });
        expect((await store.credentials.authenticateDisplay(token))?.name).toBe("Hall");
        expect((await append(store, req([ev({ type: "admission", occurred_at: iso(T0 + 1) })]))).ok).toBe(true);
        expect(await store.log.lastSeq()).toBe(2);
        expect((await store.reads.facilityStatus(NO_UNITS, T0 + 1))?.occupied).toBe(10);
        expect((await store.rebuild()).differences).toEqual([]);
        await store.close();
        expect(store.ready()).toBe(false);
      });

      it("two stores on the same data see each other's commits", async () => {
        const t = await engine.create();
        const other = await t.openAnother();
        await append(t.store, req([ev({ type: "census", occurred_at: iso(T0), occupied: 5 })]));
        await append(other, req([ev({ type: "admission", occurred_at: iso(T0 + 1), count: 2 })]));
        for (const s of [t.store, other]) {
          expect(await s.log.lastSeq()).toBe(2);
          expect((await s.reads.facilityStatus(NO_UNITS, T0 + 1))?.occupied).toBe(7);
        }
        const { key } = await other.credentials.createKey(NO_UNITS, T0);
        expect((await t.store.credentials.authenticateKey(key, T0)).ok).toBe(true);
      });
    });
  });
}
