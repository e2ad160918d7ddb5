import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canonicalEvent, movement, TICKER_LENGTH, type AcceptedEvent } from "@carewatch/domain";
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { sha256Hex } from "./credentials.js";
import { defaultMigrationsDir, migrate } from "./migrate.js";
import { createStore } from "./sqlite-store.js";
import { append, createTestStore, ev, iso, loadRegistry, NO_UNITS, req, T0, WITH_UNITS } from "./test-helpers.js";

/** SQLite-specific rules: what is in the file (rows, PRAGMAs, hashes, migrations), and repairs of planted damage. */

const MIN = 60_000;
/** Every migration file, in order (the tests below hold for whatever the latest schema is). */
const MIGRATIONS = readdirSync(defaultMigrationsDir())
  .filter((f) => /^\d{4}_.*\.sql$/.test(f))
  .sort();
const NOW = T0 + 12 * 3_600_000;

function raw(path: string, opts?: Database.Options): Database.Database {
  const db = new Database(path, opts);
  onTestFinished(() => {
    if (db.open) db.close();
  });
  return db;
}

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("sqlite: opening the database", () => {
  it("applies the migrations once, sets WAL, loads the registry, and asks for no replay on a fresh file", async () => {
    const t = await createTestStore();
    expect(t.store.engine).toBe("sqlite");
    await append(t.store, req([ev({ type: "census", occurred_at: iso(T0), occupied: 9 })]));
    await t.reopen();
    const db = raw(t.path, { readonly: true });
    expect(db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all()).toEqual(MIGRATIONS.map((name, i) => ({ version: i + 1, name })));
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.prepare("SELECT COUNT(*) FROM facilities").pluck().get()).toBe(t.registry.facilities.length);
    expect(JSON.parse(db.prepare("SELECT config FROM facilities WHERE id = ?").pluck().get(NO_UNITS) as string)).toMatchObject({ id: NO_UNITS });
    // The 0002 replay request was served at the first open (an empty log) and not repeated.
    expect(db.prepare("SELECT * FROM store_meta").all()).toEqual([]);
    // The fast-path columns went with schema 2.
    const columns = (db.prepare("PRAGMA table_info(unit_state)").all() as { name: string }[]).map((c) => c.name);
    expect(columns).not.toContain("low_before_last");
    expect(columns).not.toContain("last_move_at");
    // Nothing is stored per movement beside the event (the index is in memory), and the index over
    // every event's instant is gone.
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'events_unit_time'").get()).toBeUndefined();
  });

  it("logs the migrations it applies", () => {
    const dir = tempDir("carewatch-store-");
    const log = { info: vi.fn(), error: vi.fn() };
    const store = createStore({ path: join(dir, "x.db"), registry: loadRegistry(), log });
    onTestFinished(() => store.close());
    expect(log.info).toHaveBeenCalledWith({ migrations: MIGRATIONS }, "store: migrations applied");
  });

  it("stores the event as sent: occurred_at text, NULL unit, canonical body", async () => {
    const t = await createTestStore();
    await append(t.store, req([ev({ event_id: "x", type: "admission", occurred_at: "2026-11-22T08:00:00+07:00" })], 7));
    const db = raw(t.path, { readonly: true });
    expect(db.prepare("SELECT * FROM events").get()).toEqual({
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
    // The unit's ledger ('' = a facility without units) counts it.
    expect(db.prepare("SELECT facility_id, unit, net_after, low_water FROM unit_state").all()).toEqual([
      { facility_id: NO_UNITS, unit: "", net_after: 1, low_water: 0 },
    ]);
  });

  it("applies only the new migration files on a later open", async () => {
    const t = await createTestStore();
    await append(t.store, req([ev({ type: "census", occurred_at: iso(T0), occupied: 4 })]));
    await t.store.close();
    const dir = tempDir("carewatch-migrations-");
    for (const f of MIGRATIONS) copyFileSync(join(defaultMigrationsDir(), f), join(dir, f));
    const extra = `${String(MIGRATIONS.length + 1).padStart(4, "0")}_extra.sql`;
    writeFileSync(join(dir, extra), "CREATE TABLE extra (x INTEGER);");
    t.store = createStore({ path: t.path, registry: t.registry, migrationsDir: dir });
    expect((await t.store.reads.facilityStatus(NO_UNITS, T0))?.occupied).toBe(4);
    const db = raw(t.path);
    expect(db.prepare("SELECT name FROM schema_migrations ORDER BY version").pluck().all()).toEqual([...MIGRATIONS, extra]);
    expect(migrate(db, dir)).toEqual([]); // nothing left to apply
  });
});

describe("sqlite: credentials in the file", () => {
  it("stores only the sha256 of a key, never the key", async () => {
    const t = await createTestStore();
    const { id, key } = await t.store.credentials.createKey(NO_UNITS, T0);
    const db = raw(t.path, { readonly: true });
    const row = db.prepare("SELECT * FROM api_keys WHERE id = ?").get(id) as Record<string, unknown>;
    expect(row.key_hash).toBe(sha256Hex(key));
    expect(row.facility_id).toBe(NO_UNITS);
    expect(JSON.stringify(db.prepare("SELECT * FROM api_keys").all())).not.toContain(key.slice(3));
  });

  it("stores only the sha256 of a display token", async () => {
    const t = await createTestStore();
    const { token } = await t.store.credentials.createDisplay("Lobby screen", T0);
    const db = raw(t.path, { readonly: true });
    expect(db.prepare("SELECT token_hash FROM displays").pluck().get()).toBe(sha256Hex(token));
    expect(JSON.stringify(db.prepare("SELECT * FROM displays").all())).not.toContain(token.slice(4));
  });
});

describe("sqlite: accounts in the file", () => {
  /** Every byte SQLite wrote for the store: the database file and its write-ahead log. */
  function fileBytes(path: string): string {
    return [path, `${path}-wal`].map((f) => (existsSync(f) ? readFileSync(f).toString("latin1") : "")).join("");
  }

  it("stores session and invitation tokens as sha256 only: no token anywhere in the file or its WAL", async () => {
    const t = await createTestStore();
    const c = t.store.credentials;
    const { id } = await c.createUser({ email: "m@example.vn", role: "manager", provinces: ["son-la"], facilityId: null }, T0);
    const session = await c.createSession(id, T0);
    const invitation = await c.createInvitation(id, T0, 3_600_000);
    const db = raw(t.path, { readonly: true });
    expect(db.prepare("SELECT token_hash FROM sessions").pluck().get()).toBe(sha256Hex(session.token));
    expect(db.prepare("SELECT token_hash FROM invitations").pluck().get()).toBe(sha256Hex(invitation.token));
    const bytes = fileBytes(t.path);
    expect(bytes).toContain(sha256Hex(session.token)); // the scan does see the rows
    for (const token of [session.token, invitation.token]) expect(bytes).not.toContain(token.slice(4));
  });

  it("keeps the password hash it is given and no other trace of a person than the email", async () => {
    const t = await createTestStore();
    const c = t.store.credentials;
    const { id } = await c.createUser({ email: "Clerk@Example.vn", role: "facility", provinces: [], facilityId: NO_UNITS }, T0);
    await c.setPassword(id, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA");
    const db = raw(t.path, { readonly: true });
    expect(db.prepare("SELECT * FROM users").all()).toEqual([
      {
        id,
        email: "clerk@example.vn",
        role: "facility",
        provinces: "[]",
        facility_id: NO_UNITS,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
        created_at: T0,
        disabled_at: null,
      },
    ]);
  });

  it("refuses a session for a user that is not there, by foreign key too", async () => {
    const t = await createTestStore();
    const db = raw(t.path);
    db.pragma("foreign_keys = ON");
    expect(() => db.prepare("INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at) VALUES ('s', 'h', 'u_missing', 0, 0)").run()).toThrow(
      /FOREIGN KEY/,
    );
  });

  it("displays made before schema 3 keep working, scoped to every province", async () => {
    const dir = tempDir("carewatch-schema2-");
    for (const f of ["0001_init.sql", "0002_movement_index.sql"]) copyFileSync(join(defaultMigrationsDir(), f), join(dir, f));
    const path = join(dir, "carewatch.db");
    const registry = loadRegistry();
    const old = raw(path);
    migrate(old, dir);
    old.prepare("INSERT INTO displays (id, name, token_hash, created_at) VALUES ('d_old', 'Old hall', ?, ?)").run(sha256Hex("cwd_old-token"), T0);
    old.close();
    const store = createStore({ path, registry });
    onTestFinished(() => store.close());
    expect(await store.credentials.authenticateDisplay("cwd_old-token")).toEqual({ kind: "display", displayId: "d_old", name: "Old hall", provinces: [] });
  });
});

describe("sqlite: log watchers", () => {
  it("are called after COMMIT: another connection already sees the events", async () => {
    const t = await createTestStore();
    const other = raw(t.path, { readonly: true });
    const watcher = vi.fn(() => expect(other.prepare("SELECT COUNT(*) FROM events").pluck().get()).toBe(1));
    t.store.log.watch(watcher);
    await append(t.store, req([ev({ type: "admission", occurred_at: iso(T0) })]));
    expect(watcher).toHaveBeenCalledOnce();
    // The expectation inside ran (and passed): a failing one would have been swallowed as a broken watcher.
    expect(watcher).toHaveReturned();
  });

  it("hear a commit by a plain connection to the file (another process), through data_version", async () => {
    const t = await createTestStore({ pollMs: 20 });
    const onGrown = vi.fn();
    t.store.log.watch(onGrown);
    const db = raw(t.path);
    db.prepare("INSERT INTO displays (id, name, token_hash, created_at) VALUES ('d_x', 'x', 'h', 0)").run();
    await vi.waitFor(() => expect(onGrown).toHaveBeenCalled(), { timeout: 5_000, interval: 10 });
  });
});

describe("sqlite: rebuild repairs planted damage", () => {
  it("reports corrupted projection rows, repairs them, and then finds nothing", async () => {
    const t = await createTestStore();
    await append(
      t.store,
      req(
        [
          ev({ type: "census", occurred_at: iso(T0), occupied: 10 }),
          ev({ type: "admission", occurred_at: iso(T0 + MIN), count: 2 }),
          ev({ type: "treatment", occurred_at: iso(T0 + MIN), category: "methadone", count: 40 }),
          ev({ type: "referral", occurred_at: iso(T0 + MIN), referral_id: "R-1", status: "requested", destination: "Bệnh viện tỉnh" }),
        ],
        NOW - MIN,
      ),
    );
    const good = await t.store.reads.facilityStatus(NO_UNITS, NOW);
    expect(good?.occupied).toBe(12);

    const db = raw(t.path);
    db.prepare("UPDATE unit_state SET net_after = net_after + 5").run();
    db.prepare("DELETE FROM rollup_daily WHERE metric = 'treatment:methadone'").run();
    db.prepare("INSERT INTO referrals VALUES (?, 'R-x', 'requested', 'Nowhere', NULL, 0, 0, 99)").run(NO_UNITS);
    db.close();
    expect((await t.store.reads.facilityStatus(NO_UNITS, NOW))?.occupied).toBe(17);

    const report = await t.store.rebuild();
    expect(report.events).toBe(4);
    expect(report.differences).toEqual([
      `unit_state [${NO_UNITS} / ]: net_after stored 7, log gives 2`,
      `referrals [${NO_UNITS} / R-x]: stored row not produced by the log`,
      `rollup_daily [${NO_UNITS} / 2026-11-22 / treatment:methadone]: missing (the log gives one)`,
    ]);
    expect(await t.store.reads.facilityStatus(NO_UNITS, NOW)).toEqual(good);
    expect((await t.store.rebuild()).differences).toEqual([]);
  });

  it("replays at the next open when a replay was asked for and not done (a crash between migration and replay)", async () => {
    const t = await createTestStore();
    await append(
      t.store,
      req([ev({ type: "census", occurred_at: iso(T0), occupied: 10 }), ev({ type: "admission", occurred_at: iso(T0 + MIN), count: 2 })], NOW - MIN),
    );
    const good = await t.store.reads.facilityStatus(NO_UNITS, NOW);
    await t.store.close();
    const db = raw(t.path);
    db.prepare("UPDATE unit_state SET net_after = 77, low_water = -3").run();
    db.prepare("INSERT INTO store_meta (key, value) VALUES ('projections_need_rebuild', '0002')").run();
    db.close();
    await t.reopen();
    expect(await t.store.reads.facilityStatus(NO_UNITS, NOW)).toEqual(good);
    expect(raw(t.path, { readonly: true }).prepare("SELECT COUNT(*) FROM store_meta").pluck().get()).toBe(0);
    expect((await t.store.rebuild()).differences).toEqual([]);
  });
});

describe("sqlite: upgrade from schema 1", () => {
  it("applies 0002 to a schema-1 file, replays the projections from the log, and rebuild then finds nothing", async () => {
    const dir = tempDir("carewatch-upgrade-");
    const path = join(dir, "carewatch.db");
    const registry = loadRegistry();
    const received = NOW - 10 * MIN;
    const u = (input: Record<string, unknown>) => ev({ facility_id: WITH_UNITS, ...input });
    const events: AcceptedEvent[] = [
      ev({ type: "census", occurred_at: iso(T0), occupied: 10 }),
      ev({ type: "admission", occurred_at: iso(T0 + MIN), count: 3 }),
      ev({ type: "discharge", occurred_at: iso(T0 + 30 * MIN), count: 1 }),
      ev({ type: "admission", occurred_at: iso(T0 - MIN), count: 5 }), // before the census: inside it
      ev({ type: "treatment", occurred_at: iso(T0 + MIN), category: "methadone", count: 40 }),
      ev({ type: "referral", occurred_at: iso(T0 + MIN), referral_id: "R-1", status: "requested", destination: "Bệnh viện tỉnh" }),
      u({ type: "census", unit: "acute", occurred_at: iso(T0), occupied: 50 }),
      u({ type: "admission", unit: "acute", occurred_at: iso(T0 + 2 * MIN), count: 4 }),
      u({ type: "discharge", unit: "long-term", occurred_at: iso(T0 + 2 * MIN), count: 2 }), // no census: inconsistent
    ];

    // A file as schema 1 left it: the 0001 tables, its schema_migrations row, a log, stale projections.
    const old = raw(path);
    old.exec(readFileSync(join(defaultMigrationsDir(), "0001_init.sql"), "utf8"));
    old.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
    old.prepare("INSERT INTO schema_migrations VALUES (1, '0001_init.sql', ?)").run(T0);
    const fac = old.prepare("INSERT INTO facilities (id, config) VALUES (?, ?)");
    for (const f of registry.facilities) fac.run(f.id, JSON.stringify(f));
    const insert = old.prepare(`INSERT INTO events (seq, facility_id, event_id, type, unit, occurred_at, occurred_at_ms, received_at_ms, delta, body)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    events.forEach((a, i) => {
      const e = a.event;
      insert.run(i + 1, e.facility_id, e.event_id, e.type, e.unit ?? null, e.occurred_at, a.occurredAtMs, received, movement(a), canonicalEvent(e));
    });
    // Garbage in the old projection, including the columns 0002 drops.
    old
      .prepare(
        `INSERT INTO unit_state (facility_id, unit, census_at, census_event_id, census_occupied, net_after, low_water, low_before_last, last_move_at, cap_at, cap_event_id, cap_value)
        VALUES (?, '', 0, 'nope', 999, 42, -7, -3, 12345, NULL, NULL, NULL)`,
      )
      .run(NO_UNITS);
    old.close();

    // The same events appended through the store: what the upgraded file must show.
    const ref = await createTestStore();
    for (const a of events) await append(ref.store, { facilityId: a.event.facility_id, events: [a], receivedAt: received });
    const expected = await ref.store.reads.board(NOW, TICKER_LENGTH);

    const log = { info: vi.fn(), error: vi.fn() };
    const store = createStore({ path, registry, log });
    onTestFinished(() => store.close());
    expect(log.info).toHaveBeenCalledWith({ migrations: MIGRATIONS.slice(1) }, "store: migrations applied");
    expect(log.info).toHaveBeenCalledWith({ events: events.length, millis: expect.any(Number) }, "store: projections replayed from the log for the new schema");

    const db = raw(path, { readonly: true });
    expect(db.prepare("SELECT version FROM schema_migrations ORDER BY version").pluck().all()).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(db.prepare("SELECT * FROM store_meta").all()).toEqual([]); // the replay cleared its request
    expect(db.prepare("SELECT unit, census_occupied, net_after, low_water FROM unit_state WHERE facility_id = ? ORDER BY unit").all(NO_UNITS)).toEqual([
      { unit: "", census_occupied: 10, net_after: 2, low_water: 0 },
    ]);
    const columns = (db.prepare("PRAGMA table_info(unit_state)").all() as { name: string }[]).map((c) => c.name);
    expect(columns).not.toContain("low_before_last");
    expect(columns).not.toContain("last_move_at");

    const board = await store.reads.board(NOW, TICKER_LENGTH);
    expect(board).toEqual(expected);
    const byId = new Map(board.facilities.map((f) => [f.facility_id, f]));
    expect(byId.get(NO_UNITS)).toMatchObject({
      occupied: 12,
      data_quality: "ok",
      as_of_seq: 6,
      today: { admissions: 8, discharges: 1, treatments: { methadone: 40 }, referrals_open: 1 },
    });
    expect(byId.get(WITH_UNITS)).toMatchObject({ occupied: 54, data_quality: "inconsistent", as_of_seq: 9 });
    expect(await store.reads.trend(WITH_UNITS, NOW)).toEqual(await ref.store.reads.trend(WITH_UNITS, NOW));
    expect(await store.log.readFrom(0, 100)).toEqual(await ref.store.log.readFrom(0, 100));

    const report = await store.rebuild();
    expect(report).toMatchObject({ events: events.length, differences: [] });
    // And the upgraded file goes on like any other.
    expect((await append(store, req([ev({ type: "admission", occurred_at: iso(T0 + 40 * MIN) })], received))).ok).toBe(true);
    expect((await store.reads.facilityStatus(NO_UNITS, NOW))?.occupied).toBe(13);
  });
});
