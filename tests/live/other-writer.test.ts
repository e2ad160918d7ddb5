import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FacilityEventSchema, type StatusPatch } from "@carewatch/domain";
import { openStore, type Store } from "@carewatch/store";
import { storeLocation } from "../support/engine.js";
import { socketFor } from "../support/live-client.js";
import { postEvents, startTestServer, type TestServer } from "../support/server.js";

/**
 * The hub follows the log, not an in-process event: a commit made through another connection to
 * the same database (another process, as a second server will be) reaches the displays, and the
 * server's own next append builds on it (its movement indexes catch up with the log first).
 */
const FACILITY = "lc-social-work";

describe("a commit made by another writer", () => {
  let server: TestServer;
  let other: Store;
  beforeAll(async () => {
    server = await startTestServer();
    other = await openStore(await storeLocation(server.dataDir), server.store.registry);
  });
  afterAll(async () => {
    await other?.close();
    await server?.stop();
  });

  it("reaches a live display, and the server's next append counts it", async () => {
    const socket = socketFor(server.url, await server.display());
    const patches: StatusPatch[] = [];
    socket.on("patch", (p) => patches.push(p));
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));

    const at = Date.now() - 60_000;
    const event = FacilityEventSchema.parse({
      facility_id: FACILITY,
      event_id: "other-1",
      type: "admission",
      count: 3,
      occurred_at: new Date(at).toISOString(),
    });
    const [outcome] = await other.log.append([{ facilityId: FACILITY, events: [{ event, occurredAtMs: at }], receivedAt: Date.now() }]);
    expect(outcome?.ok).toBe(true);
    const seq = outcome?.ok ? outcome.results[0]!.seq : 0;

    await expect
      .poll(() => patches.find((p) => p.seq >= seq && p.facilities.some((f) => f.facility_id === FACILITY && f.occupied === 3)), {
        timeout: 5_000,
        interval: 50,
      })
      .toBeTruthy();

    // A late discharge through the server's own API: the ledger is the sum of both writers' movements.
    const key = await server.key(FACILITY);
    const res = await postEvents(server.url, key, {
      event_id: "own-1",
      facility_id: FACILITY,
      type: "discharge",
      count: 1,
      occurred_at: new Date(at - 30_000).toISOString(),
    });
    expect(res.status).toBe(202);
    const status = await server.store.reads.facilityStatus(FACILITY, Date.now());
    expect(status?.occupied).toBe(2);
    expect(status?.as_of_seq).toBe(seq + 1);
    socket.close();
  });
});
