import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { defaultMigrationsDir, migrate } from "./migrate.js";
import { createStore } from "./sqlite-store.js";
import { createTestStore, ev, iso, NO_UNITS, req, T0 } from "./test-helpers.js";

describe("opening the database", () => {
  it("applies migrations once, sets durable PRAGMAs, and keeps everything across a reopen", () => {
    const t = createTestStore();
    expect(t.store.ready()).toBe(true);
    t.store.append(req([ev({ type: "census", occurred_at: iso(T0), occupied: 9 })]));
    const { key } = t.store.createKey(NO_UNITS, T0);
    const before = t.store.facilityStatus(NO_UNITS, T0);

    const store = t.reopen();
    expect(store.facilityStatus(NO_UNITS, T0)).toEqual(before);
    expect(store.checkKey(key, T0).ok).toBe(true);
    expect(store.append(req([ev({ type: "admission", occurred_at: iso(T0 + 1) })])).ok).toBe(true);
    expect(store.lastSeq()).toBe(2);

    const raw = new Database(t.path, { readonly: true });
    const migrations = raw.prepare("SELECT version, name FROM schema_migrations").all();
    expect(migrations).toEqual([{ version: 1, name: "0001_init.sql" }]);
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(raw.prepare("SELECT COUNT(*) FROM facilities").pluck().get()).toBe(t.registry.facilities.length);
    raw.close();
    store.close();
    expect(store.ready()).toBe(false);
  });

  it("stores the event as sent: occurred_at text, NULL unit, canonical body", () => {
    const t = createTestStore();
    t.store.append(req([ev({ event_id: "x", type: "admission", occurred_at: "2026-11-22T08:00:00+07:00" })], 7));
    const raw = new Database(t.path, { readonly: true });
    expect(raw.prepare("SELECT * FROM events").get()).toEqual({
      seq: 1,
      facility_id: NO_UNITS,
      event_id: "x",
      type: "admission",
      unit: null,
      occurred_at: "2026-11-22T08:00:00+07:00",
      occurred_at_ms: T0,
      received_at_ms: 7,
      delta: 1,
      body: `{"count":1,"event_id":"x","facility_id":"${NO_UNITS}","occurred_at":"2026-11-22T08:00:00+07:00","type":"admission"}`,
    });
    raw.close();
  });

  it("applies only the new migration files on a later open", () => {
    const t = createTestStore();
    t.store.append(req([ev({ type: "census", occurred_at: iso(T0), occupied: 4 })]));
    t.store.close();
    const dir = mkdtempSync(join(tmpdir(), "carewatch-migrations-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    copyFileSync(join(defaultMigrationsDir(), "0001_init.sql"), join(dir, "0001_init.sql"));
    writeFileSync(join(dir, "0002_extra.sql"), "CREATE TABLE extra (x INTEGER);");
    t.store = createStore({ path: t.path, registry: t.registry, migrationsDir: dir });
    expect(t.store.facilityStatus(NO_UNITS, T0)?.occupied).toBe(4);
    const raw = new Database(t.path);
    expect(raw.prepare("SELECT name FROM schema_migrations ORDER BY version").pluck().all()).toEqual(["0001_init.sql", "0002_extra.sql"]);
    expect(migrate(raw, dir)).toEqual([]); // nothing left to apply
    raw.close();
  });
});
