import { describe, expect, inject, it } from "vitest";
import { loadRegistry, T0 } from "../test-helpers.js";
import { createPgCredentials } from "./pg-credentials.js";
import { testPools } from "./test-pools.js";

// What the conformance suite cannot show with one store at a time: several processes (pools)
// racing on one account. Runs when the run has a PostgreSQL server (see src/test-pg).
const url = inject("carewatchPgUrl");
const HOUR = 3_600_000;

describe.skipIf(!url)("credentials on PostgreSQL, several processes at once", () => {
  it("one email created by several processes at once: one user, the others the same clear error", async () => {
    const registry = loadRegistry();
    const pools = await testPools(url, 4);
    // Connected before the race, so the processes check and insert at the same moment.
    await Promise.all(pools.map((sql) => sql`SELECT 1`));
    const all = pools.map((sql) => createPgCredentials({ sql, registry }));
    const user = { role: "admin" as const, provinces: [], facilityId: null };
    const results = await Promise.allSettled(all.map((c, i) => c.createUser({ ...user, email: i % 2 ? "Same@Example.vn" : "same@example.vn " }, T0)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) expect(String(r.reason)).toMatch(/a user with email "same@example.vn" already exists/);
    expect((await all[0]!.listUsers()).map((u) => u.email)).toEqual(["same@example.vn"]);
  });

  it("an invitation redeemed by several processes at once is accepted exactly once", async () => {
    const registry = loadRegistry();
    const all = (await testPools(url, 4)).map((sql) => createPgCredentials({ sql, registry }));
    const { id } = await all[0]!.createUser({ email: "m@example.vn", role: "manager", provinces: ["son-la"], facilityId: null }, T0);
    const { token } = await all[0]!.createInvitation(id, T0, 24 * HOUR);
    const redeemed = await Promise.all(all.map((c) => c.redeemInvitation(token, T0 + HOUR)));
    expect(redeemed.filter((r) => r !== null)).toEqual([id]);
  });

  it("disabling a user in one process ends the sessions another process authenticates", async () => {
    const registry = loadRegistry();
    const [a, b] = (await testPools(url, 2)).map((sql) => createPgCredentials({ sql, registry }));
    const { id } = await a!.createUser({ email: "m@example.vn", role: "manager", provinces: [], facilityId: null }, T0);
    const { token } = await a!.createSession(id, T0);
    const limits = { idleMs: 8 * HOUR, absoluteMs: 7 * 24 * HOUR };
    expect(await b!.authenticateSession(token, T0 + 1, limits)).toMatchObject({ userId: id, email: "m@example.vn" });
    expect(await a!.disableUser("M@example.vn", T0 + 2)).toBe(true);
    expect(await b!.authenticateSession(token, T0 + 3, limits)).toBeNull();
    expect(await b!.disableUser("m@example.vn", T0 + 4)).toBe(false);
    await expect(b!.createSession(id, T0 + 5)).rejects.toThrow(/is disabled/);
  });
});
