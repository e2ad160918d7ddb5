import { applyRegistryChange, facilityEditOf, type Registry } from "@carewatch/domain";
import { describe, expect, it } from "vitest";
import { RegistryConflictError } from "../registry-versions.js";
import { append, ev, iso, NO_UNITS, req, T0 } from "../test-helpers.js";
import { ENGINES } from "./engines.js";

/** The registry with NO_UNITS's capacity set to `capacity` (through the domain's rule, as the admin console does). */
function withCapacity(r: Registry, capacity: number): Registry {
  const out = applyRegistryChange(r, { mode: "update", facility: { ...facilityEditOf(r.byId.get(NO_UNITS)!), capacity } }, T0 + 10 * 3_600_000);
  if (!out.ok) throw new Error(out.problems.join("\n"));
  return out.registry;
}

for (const engine of ENGINES) {
  describe(engine.name, () => {
    describe("registry versions", () => {
      it("seeds version 1 at the first open, in force from the beginning", async () => {
        const { store } = await engine.create();
        expect(await store.registryVersions.list()).toEqual([{ version: 1, effectiveFrom: 0, createdAt: expect.any(Number), createdBy: "seed" }]);
        expect(store.registryVersions.current()).toBe(1);
        expect(store.registry.byId.get(NO_UNITS)?.capacity).toBe(150);
      });

      it("a change is a new version: reads now use it, past instants keep theirs, past events are not rewritten", async () => {
        const { store } = await engine.create();
        await append(store, req([ev({ type: "census", occupied: 120, occurred_at: iso(T0) })]));
        const before = await store.reads.facilityStatus(NO_UNITS, T0 + 3_600_000);
        const from = T0 + 2 * 3_600_000;
        const out = await store.registryVersions.change(withCapacity(store.registry, 200), {
          basedOn: 1,
          effectiveFrom: from,
          at: from,
          by: "admin@example.vn",
        });
        expect(out).toEqual({ version: 2 });
        expect(store.registryVersions.current()).toBe(2);
        expect(store.registry.byId.get(NO_UNITS)?.capacity).toBe(200);
        const after = await store.reads.facilityStatus(NO_UNITS, from + 1);
        expect(before).toMatchObject({ capacity: 150, occupied: 120 });
        expect(after).toMatchObject({ capacity: 200, occupied: 120, available: 80 });
        expect(store.registryVersions.at(from - 1).byId.get(NO_UNITS)?.capacity).toBe(150);
        expect(store.registryVersions.at(from).byId.get(NO_UNITS)?.capacity).toBe(200);
        expect((await store.log.readFrom(0, 10)).map((e) => e.event)).toEqual([expect.objectContaining({ type: "census", occupied: 120 })]);
        const rebuilt = await store.rebuild();
        expect(rebuilt.differences).toEqual([]);
      });

      it("as of an instant and in history, capacity is the version's in force then", async () => {
        const { store } = await engine.create();
        await append(store, req([ev({ type: "census", occupied: 120, occurred_at: iso(T0) })]));
        const from = T0 + 2 * 3_600_000;
        await store.registryVersions.change(withCapacity(store.registry, 200), { basedOn: 1, effectiveFrom: from, at: from, by: "a" });
        expect((await store.reads.asOf(NO_UNITS, from - 1))?.status).toMatchObject({ capacity: 150, occupied: 120 });
        expect((await store.reads.asOf(NO_UNITS, from + 1))?.status).toMatchObject({ capacity: 200, occupied: 120 });
        const points = (await store.reads.history(NO_UNITS, "24h", from + 3 * 3_600_000))!.points;
        expect(points.find((p) => p.at < from && p.at >= T0)?.capacity).toBe(150);
        expect(points.at(-1)?.capacity).toBe(200);
      });

      it("refuses a change made on a version that is no longer current, and stores nothing", async () => {
        const { store } = await engine.create();
        await store.registryVersions.change(withCapacity(store.registry, 160), { basedOn: 1, effectiveFrom: T0, at: T0, by: "a" });
        await expect(
          store.registryVersions.change(withCapacity(store.registry, 170), { basedOn: 1, effectiveFrom: T0, at: T0, by: "b" }),
        ).rejects.toBeInstanceOf(RegistryConflictError);
        expect((await store.registryVersions.list()).map((v) => v.version)).toEqual([1, 2]);
        expect(store.registry.byId.get(NO_UNITS)?.capacity).toBe(160);
      });

      it("keeps its versions across a restart, whatever registry the new process is started with", async () => {
        const t = await engine.create();
        await t.store.registryVersions.change(withCapacity(t.store.registry, 180), { basedOn: 1, effectiveFrom: T0, at: T0, by: "a" });
        const again = await t.openAnother();
        expect(again.registryVersions.current()).toBe(2);
        expect(again.registry.byId.get(NO_UNITS)?.capacity).toBe(180);
      });

      it("a change made through another connection reaches this store's readers and its log watchers", async () => {
        const t = await engine.create({ pollMs: 20 });
        const other = await t.openAnother({ pollMs: 20 });
        let woken = 0;
        const unwatch = t.store.log.watch(() => woken++);
        await other.registryVersions.change(withCapacity(other.registry, 190), { basedOn: 1, effectiveFrom: T0, at: T0, by: "a" });
        await expect.poll(() => t.store.registryVersions.current(), { timeout: 5_000 }).toBe(2);
        expect(t.store.registry.byId.get(NO_UNITS)?.capacity).toBe(190);
        expect(woken).toBeGreaterThan(0);
        unwatch();
      });
    });
  });
}
