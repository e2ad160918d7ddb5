import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FacilityEventSchema, parseRegistry, type AcceptedEvent, type Registry } from "@carewatch/domain";
import { onTestFinished } from "vitest";
import { createStore } from "./sqlite-store.js";
import type { AppendOutcome, AppendRequest, Store } from "./types.js";

/** The real demo registry, loaded the way the server loads it. */
export function loadRegistry(): Registry {
  const file = fileURLToPath(new URL("../../domain/data/facilities.json", import.meta.url));
  const parsed = parseRegistry(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.ok) throw new Error(`registry: ${parsed.problems.join("; ")}`);
  return parsed.registry;
}

/** Options a test may ask of an engine's store. */
export interface TestStoreOptions {
  /** How often watchers look for commits made by other processes (ms). */
  pollMs?: number;
}

export interface TestStore {
  store: Store;
  /** Where the data lives (SQLite: the database file). */
  path: string;
  registry: Registry;
  /** Close and open the same data again (a restart). */
  reopen(): Promise<Store>;
  /** Another store on the same data, as another process would open it; closed by dispose. */
  openAnother(opts?: TestStoreOptions): Promise<Store>;
  dispose(): Promise<void>;
}

/** How an engine opens a store on some data, for `testStoreOn`. */
export interface TestStoreSource {
  path: string;
  registry: Registry;
  /** Opening may be asynchronous (a PostgreSQL engine connects and migrates). */
  open(opts: TestStoreOptions): Store | Promise<Store>;
  /** Remove the data (after every store on it is closed). */
  cleanup(): void | Promise<void>;
}

/**
 * A TestStore over any engine: reopen, further stores on the same data, and disposal when the
 * test finishes (stores closed first, then the data removed).
 */
export async function testStoreOn(src: TestStoreSource, opts: TestStoreOptions = {}): Promise<TestStore> {
  let disposed = false;
  const others: Store[] = [];
  let first: Store;
  try {
    first = await src.open(opts);
  } catch (err) {
    await src.cleanup();
    throw err;
  }
  const t: TestStore = {
    store: first,
    path: src.path,
    registry: src.registry,
    async reopen() {
      await t.store.close();
      t.store = await src.open(opts);
      return t.store;
    },
    async openAnother(o = opts) {
      const s = await src.open(o);
      others.push(s);
      return s;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      for (const s of others) await s.close();
      await t.store.close();
      await src.cleanup();
    },
  };
  try {
    onTestFinished(() => t.dispose());
  } catch {
    // outside a test (e.g. in a fast-check run's setup): the caller disposes
  }
  return t;
}

/** A SQLite store on a real file in a fresh temp dir, removed when the test finishes. */
export function createTestStore(opts: TestStoreOptions = {}): Promise<TestStore> {
  const dir = mkdtempSync(join(tmpdir(), "carewatch-store-"));
  const path = join(dir, "carewatch.db");
  const registry = loadRegistry();
  return testStoreOn(
    {
      path,
      registry,
      open: (o) => createStore({ path, registry, pollMs: o.pollMs }),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    },
    opts,
  );
}

/** Facilities of the demo registry used by the tests. */
export const NO_UNITS = "sl-drug-rehab-song-ma"; // capacity 150, no units
export const WITH_UNITS = "sl-psychiatric"; // units acute (60) and long-term (120)

let counter = 0;

/** A validated event (schema defaults applied), like the transport hands to the store. */
export function ev(input: Record<string, unknown>): AcceptedEvent {
  const event = FacilityEventSchema.parse({
    facility_id: NO_UNITS,
    event_id: `e-${++counter}`,
    ...input,
  });
  return { event, occurredAtMs: Date.parse(event.occurred_at) };
}

export const T0 = Date.parse("2026-11-22T01:00:00Z"); // 08:00 in Hà Nội

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function req(events: AcceptedEvent[], receivedAt = T0 + 3_600_000): AppendRequest {
  return { facilityId: events[0]?.event.facility_id ?? NO_UNITS, events, receivedAt };
}

/** One request appended on its own (a group of one), as most tests want it. */
export async function append(store: Store, r: AppendRequest): Promise<AppendOutcome> {
  const [outcome] = await store.log.append([r]);
  return outcome!;
}
