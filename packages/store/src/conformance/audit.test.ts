import { describe, expect, it } from "vitest";
import { T0 } from "../test-helpers.js";
import { ENGINES } from "./engines.js";

const ADMIN = { kind: "user", id: "u_admin", email: "admin@example.vn" };
const CLI = { kind: "cli", id: "cw" };

for (const engine of ENGINES) {
  describe(engine.name, () => {
    describe("audit log", () => {
      it("records entries with before/after as JSON and lists them newest first", async () => {
        const { store } = await engine.create();
        await store.audit.record({ at: T0, actor: CLI, action: "keys.create", target: "k_1", after: { facilityId: "f1" } });
        await store.audit.record({
          at: T0 + 1,
          actor: ADMIN,
          action: "users.disable",
          target: "a@b.vn",
          before: { disabledAt: null, provinces: ["sl"] },
          after: { disabledAt: T0 + 1 },
        });
        const all = await store.audit.list({});
        expect(all.map((r) => r.action)).toEqual(["users.disable", "keys.create"]);
        expect(all[0]).toEqual({
          id: all[0]!.id,
          at: T0 + 1,
          actor: ADMIN,
          action: "users.disable",
          target: "a@b.vn",
          before: { disabledAt: null, provinces: ["sl"] },
          after: { disabledAt: T0 + 1 },
        });
        expect(all[1]).toEqual({ id: all[1]!.id, at: T0, actor: { ...CLI, email: null }, action: "keys.create", target: "k_1", after: { facilityId: "f1" } });
        expect(all[0]!.id).toBeGreaterThan(all[1]!.id);
      });

      it("filters by action, actor (id or email), target and time, and pages with beforeId", async () => {
        const { store } = await engine.create();
        for (let i = 0; i < 7; i++) {
          await store.audit.record({ at: T0 + i * 1000, actor: i % 2 ? ADMIN : CLI, action: i < 4 ? "keys.create" : "displays.create", target: `t${i}` });
        }
        const targets = async (f: Parameters<typeof store.audit.list>[0]) => (await store.audit.list(f)).map((r) => r.target);
        expect(await targets({ action: "keys.create" })).toEqual(["t3", "t2", "t1", "t0"]);
        expect(await targets({ actor: "u_admin" })).toEqual(["t5", "t3", "t1"]);
        expect(await targets({ actor: "ADMIN@example.vn" })).toEqual(["t5", "t3", "t1"]);
        expect(await targets({ actor: "cw", action: "displays.create" })).toEqual(["t6", "t4"]);
        expect(await targets({ target: "t2" })).toEqual(["t2"]);
        expect(await targets({ from: T0 + 2000, to: T0 + 4000 })).toEqual(["t3", "t2"]);
        expect(await targets({ actor: "nobody" })).toEqual([]);

        const page1 = await store.audit.list({ limit: 3 });
        expect(page1.map((r) => r.target)).toEqual(["t6", "t5", "t4"]);
        const page2 = await store.audit.list({ limit: 3, beforeId: page1.at(-1)!.id });
        expect(page2.map((r) => r.target)).toEqual(["t3", "t2", "t1"]);
        const page3 = await store.audit.list({ limit: 3, beforeId: page2.at(-1)!.id });
        expect(page3.map((r) => r.target)).toEqual(["t0"]);
      });

      it("survives reopening the store (another connection reads what was recorded)", async () => {
        const t = await engine.create();
        await t.store.audit.record({ at: T0, actor: CLI, action: "displays.revoke", target: "d_1", before: { revokedAt: null }, after: { revokedAt: T0 } });
        const other = await t.openAnother();
        try {
          expect((await other.audit.list({ target: "d_1" })).map((r) => [r.action, r.before, r.after])).toEqual([
            ["displays.revoke", { revokedAt: null }, { revokedAt: T0 }],
          ]);
        } finally {
          await other.close();
        }
      });
    });
  });
}
