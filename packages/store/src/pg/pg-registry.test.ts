import { applyRegistryChange, facilityEditOf, type Registry } from "@carewatch/domain";
import { describe, expect, inject, it } from "vitest";
import { RegistryConflictError } from "../registry-versions.js";
import { loadRegistry, NO_UNITS, T0 } from "../test-helpers.js";
import { createPgRegistryVersions } from "./pg-registry.js";
import { testPools } from "./test-pools.js";

// What the conformance suite cannot show with one store at a time: several processes (pools)
// opening and changing the registry at the same moment. Runs when the run has a PostgreSQL
// server (CAREWATCH_TEST_ENGINES=postgres or CAREWATCH_TEST_DATABASE_URL; see src/test-pg).
const url = inject("carewatchPgUrl");

function withCapacity(r: Registry, capacity: number): Registry {
  const out = applyRegistryChange(r, { mode: "update", facility: { ...facilityEditOf(r.byId.get(NO_UNITS)!), capacity } }, T0);
  if (!out.ok) throw new Error(out.problems.join("\n"));
  return out.registry;
}

describe.skipIf(!url)("registry versions on PostgreSQL, several processes at once", () => {
  it("seeds version 1 once when many processes open at the same moment, each with its facilities rows", async () => {
    const ps = await testPools(url, 6);
    const registry = loadRegistry();
    const opened = await Promise.all(ps.map((p, i) => createPgRegistryVersions(p, registry, T0 + i)));
    expect(opened.map((o) => o.port.current())).toEqual([1, 1, 1, 1, 1, 1]);
    expect(await ps[0]!`SELECT version, effective_from, created_by FROM registry_versions`).toEqual([{ version: 1, effective_from: 0, created_by: "seed" }]);
    const [{ n }] = (await ps[0]!`SELECT count(*)::int AS n FROM facilities`) as unknown as [{ n: number }];
    expect(n).toBe(registry.facilities.length);
  });

  it("of two changes made on the same version at once, one is stored and the other refused; the rest catch up on refresh", async () => {
    const ps = await testPools(url, 3);
    const registry = loadRegistry();
    const [a, b, c] = await Promise.all(ps.map((p) => createPgRegistryVersions(p, registry, T0)));
    const results = await Promise.allSettled([
      a!.port.change(withCapacity(registry, 161), { basedOn: 1, effectiveFrom: T0, at: T0, by: "a@example.vn" }),
      b!.port.change(withCapacity(registry, 162), { basedOn: 1, effectiveFrom: T0, at: T0, by: "b@example.vn" }),
    ]);
    const won = results.findIndex((r) => r.status === "fulfilled");
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((results[1 - won] as PromiseRejectedResult).reason).toBeInstanceOf(RegistryConflictError);
    const capacity = [161, 162][won];

    // The third process still answers with version 1 until it refreshes; the past keeps version 1.
    expect(c!.port.current()).toBe(1);
    expect(await c!.refresh()).toBe(true);
    expect(await c!.refresh()).toBe(false);
    expect(c!.port.current()).toBe(2);
    expect(c!.live.byId.get(NO_UNITS)?.capacity).toBe(capacity);
    expect(c!.port.at(T0 - 1).byId.get(NO_UNITS)?.capacity).toBe(150);
    // The facilities rows are the new version's, written in the change's transaction.
    const [row] = (await ps[0]!`SELECT config FROM facilities WHERE id = ${NO_UNITS}`) as unknown as [{ config: string }];
    expect((JSON.parse(row.config) as { capacity: number }).capacity).toBe(capacity);
    // A process opening later keeps the stored versions, whatever registry it is given.
    const late = await createPgRegistryVersions(ps[2]!, withCapacity(registry, 999), T0 + 5);
    expect((await late.port.list()).map((v) => [v.version, v.createdBy])).toEqual([
      [1, "seed"],
      [2, ["a@example.vn", "b@example.vn"][won]],
    ]);
    expect(late.live.byId.get(NO_UNITS)?.capacity).toBe(capacity);
  });
});
