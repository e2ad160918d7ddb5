import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCClientError } from "@trpc/client";
import { rmSync } from "node:fs";
import { applyRegistryChange, facilityEditOf, type FacilityStatus, type StatusPatch } from "@carewatch/domain";
import { createAccount, login, trpcWithCookie } from "../support/accounts.js";
import { census, post, SONG_MA, statusOf, uid } from "../support/contract-helpers.js";
import { socketFor } from "../support/live-client.js";
import { startTestServer, tempDataDir, type TestServer } from "../support/server.js";

/**
 * Issue 7, the registry in the store: an admin adds a facility or changes one in the console;
 * each change is a version in force from a chosen instant, never rewrites past events, is
 * audited, and reaches every open board live — a province's display gains the province's new
 * facility.
 */

let s: TestServer;
let admin: ReturnType<typeof trpcWithCookie>;

beforeAll(async () => {
  s = await startTestServer();
  await createAccount(s, { email: "admin@example.vn", role: "admin" });
  const r = await login(s.url, "admin@example.vn");
  admin = trpcWithCookie(s.url, r.cookie!);
});
afterAll(() => s?.stop());

const songMa = () => facilityEditOf(s.store.registry.byId.get(SONG_MA)!);

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TRPCClientError) return { code: (e.data as { code: string }).code, message: e.message };
    throw e;
  }
  throw new Error("expected a refusal");
}

/** Patches a socket receives, until `done` says so. */
function patchesUntil(socket: ReturnType<typeof socketFor>, done: (f: FacilityStatus[]) => boolean): Promise<FacilityStatus[]> {
  return new Promise((resolve) => {
    socket.on("patch", (p: StatusPatch) => {
      if (done(p.facilities)) resolve(p.facilities);
    });
  });
}

describe("the registry, edited by an admin", () => {
  it("a new capacity applies to reads from now on and to open boards, keeps past events, and is audited", async () => {
    const key = await s.key(SONG_MA);
    await post(s.url, key, census(SONG_MA, 120, Date.now() - 60_000, { event_id: uid() }), 202);
    const display = await s.display();
    const socket = socketFor(s.url, display);
    try {
      await new Promise<void>((resolve) => socket.on("connect", () => resolve()));
      const live = patchesUntil(socket, (fs) => fs.some((f) => f.facility_id === SONG_MA && f.capacity === 200));
      const { version } = await admin.admin.registry.facilities.query();
      const out = await admin.admin.registry.change.mutate({ mode: "update", facility: { ...songMa(), capacity: 200 }, based_on: version });
      expect(out).toEqual({ version: version + 1, facilityId: SONG_MA });
      const seen = (await live).find((f) => f.facility_id === SONG_MA)!;
      expect(seen).toMatchObject({ capacity: 200, occupied: 120, available: 80 });
      expect(await statusOf(s.url, key, SONG_MA)).toMatchObject({ capacity: 200, occupied: 120 });
      // The event log is as it was: one census.
      expect((await s.store.log.readFrom(0, 100)).filter((e) => e.facilityId === SONG_MA).map((e) => e.event.type)).toEqual(["census"]);
      const [entry] = await admin.admin.audit.list.query({ action: "registry.update", target: SONG_MA });
      expect(entry).toMatchObject({
        actor: { kind: "user", email: "admin@example.vn" },
        before: { capacity: 150 },
        after: { capacity: 200, version: version + 1 },
      });
    } finally {
      socket.close();
    }
  });

  it("a change in force from a past day leaves instants before it on the old version", async () => {
    const { version } = await admin.admin.registry.facilities.query();
    const from = Date.now() - 3 * 86_400_000;
    await admin.admin.registry.change.mutate({
      mode: "update",
      facility: { ...songMa(), reporting_interval_minutes: 45 },
      based_on: version,
      effective_from: from,
    });
    expect(s.store.registryVersions.at(from).byId.get(SONG_MA)?.reportingIntervalMinutes).toBe(45);
    expect(s.store.registryVersions.at(from - 1).byId.get(SONG_MA)?.reportingIntervalMinutes).not.toBe(45);
    const versions = await admin.admin.registry.versions.query();
    expect(versions.at(-1)).toMatchObject({ version: version + 1, effectiveFrom: from, createdBy: "admin@example.vn" });
  });

  it("a new facility joins its province's displays live, takes a key and events", async () => {
    const scoped = await s.store.credentials.createDisplay("Sơn La wall", Date.now(), ["son-la"]);
    const other = await s.store.credentials.createDisplay("Lào Cai wall", Date.now(), ["lao-cai"]);
    const a = socketFor(s.url, scoped.token);
    const b = socketFor(s.url, other.token);
    try {
      await Promise.all([a, b].map((x) => new Promise<void>((resolve) => x.on("connect", () => resolve()))));
      const joined = patchesUntil(a, (fs) => fs.some((f) => f.facility_id === "sl-new-centre"));
      // The change reaches every board as one full patch: Lào Cai's has Lào Cai's facilities only.
      const othersPatch = patchesUntil(b, (fs) => fs.length > 0);
      const { version } = await admin.admin.registry.facilities.query();
      await admin.admin.registry.change.mutate({
        mode: "add",
        based_on: version,
        facility: {
          id: "sl-new-centre",
          name: "Trung tâm Công tác xã hội mới",
          type: "social_work",
          province: "son-la",
          capacity: 40,
          units: [],
          reporting_interval_minutes: 60,
          thresholds: { high: 80, critical: 90, over: 100 },
        },
      });
      expect((await joined).find((f) => f.facility_id === "sl-new-centre")).toMatchObject({ capacity: 40, name: "Trung tâm Công tác xã hội mới" });
      const key = await s.key("sl-new-centre");
      await post(s.url, key, census("sl-new-centre", 12, Date.now() - 1000, { event_id: uid() }), 202);
      expect(await statusOf(s.url, key, "sl-new-centre")).toMatchObject({ occupied: 12, capacity: 40 });
      const seenByOther = (await othersPatch).map((f) => f.facility_id);
      expect(seenByOther.length).toBeGreaterThan(0);
      expect(seenByOther.every((id) => s.store.registry.byId.get(id)?.province === "lao-cai")).toBe(true);
    } finally {
      a.close();
      b.close();
    }
  });

  it("refuses a bad change with every reason, a stale version, and stores nothing", async () => {
    const before = await admin.admin.registry.versions.query();
    const bad = await refusal(
      admin.admin.registry.change.mutate({ mode: "update", facility: { ...songMa(), type: "psychiatric", thresholds: { high: 99, critical: 90, over: 100 } } }),
    );
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.message).toMatch(/type cannot change/);
    expect(bad.message).toMatch(/Thresholds must rise/);
    const stale = await refusal(admin.admin.registry.change.mutate({ mode: "update", facility: { ...songMa(), capacity: 10 }, based_on: 1 }));
    expect(stale).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/changed meanwhile/) });
    expect(await admin.admin.registry.versions.query()).toEqual(before);
    expect(s.store.registry.byId.get(SONG_MA)?.capacity).not.toBe(10);
  });

  it("survives a restart: the store's versions win over the registry the server starts with", async () => {
    const dataDir = tempDataDir();
    const first = await startTestServer({ dataDir });
    await first.store.registryVersions.change(
      (() => {
        const out = applyRegistryChange(
          first.store.registry,
          { mode: "update", facility: { ...facilityEditOf(first.store.registry.byId.get(SONG_MA)!), capacity: 77 } },
          Date.now(),
        );
        if (!out.ok) throw new Error(out.problems.join());
        return out.registry;
      })(),
      { basedOn: 1, effectiveFrom: Date.now(), at: Date.now(), by: "test" },
    );
    await first.close();
    const again = await startTestServer({ dataDir });
    try {
      expect(again.store.registry.byId.get(SONG_MA)?.capacity).toBe(77);
      expect(again.store.registryVersions.current()).toBe(2);
    } finally {
      await again.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
