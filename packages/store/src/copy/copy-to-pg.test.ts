import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  applyRegistryChange,
  demoTargetsDocument,
  facilityEditOf,
  parseTargetsDocument,
  TICKER_LENGTH,
  type AcceptedEvent,
  type Registry,
} from "@carewatch/domain";
import Database from "better-sqlite3";
import postgres from "postgres";
import { describe, expect, inject, it } from "vitest";
import { createPgStore } from "../pg/pg-store.js";
import { append, createTestStore, ev, iso, NO_UNITS, req, T0, WITH_UNITS } from "../test-helpers.js";
import { createTestSchema } from "../test-pg/schemas.js";
import type { AppendRequest, Store } from "../types.js";
import { CopyError } from "./copy-error.js";
import { COPIED_TABLES } from "./copy-tables.js";
import { connectTarget } from "./copy-target.js";
import { copyToPg, type CopyProgress } from "./copy-to-pg.js";

const pgUrl = inject("carewatchPgUrl");

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = T0 + 12 * HOUR;
const PSY_UNITS = ["acute", "long-term"];
const REHAB = "sl-drug-rehab"; // units compulsory, voluntary, female, medical
const REHAB_UNITS = ["compulsory", "voluntary", "female", "medical"];
const SAPA = "lc-merit-nursing-sapa";

/** A small deterministic generator: the same load every run. */
function rng(seed: number) {
  let s = seed;
  return () => (s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
}

/**
 * Ten days of a realistic mix over four facilities (two with units): censuses with and without a
 * capacity, admissions and discharges, treatments, referrals moving through their statuses (a
 * repeated status among them), destinations holding tabs, newlines, quotes and backslashes
 * (COPY's escapes). Posted in shuffled batches, so most events arrive after later ones.
 */
function mixedLoad(): AppendRequest[] {
  const rand = rng(7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const events: AcceptedEvent[] = [];
  const facilities: [string, readonly string[]][] = [
    [NO_UNITS, []],
    [WITH_UNITS, PSY_UNITS],
    [REHAB, REHAB_UNITS],
    [SAPA, []],
  ];
  let n = 0;
  for (const [facility, units] of facilities) {
    for (let day = 10; day >= 0; day--) {
      for (const unit of units.length ? units : [undefined]) {
        const base = { facility_id: facility, ...(unit ? { unit } : {}) };
        const dayStart = T0 - day * DAY;
        events.push(
          ev({
            ...base,
            event_id: `c-${++n}`,
            type: "census",
            occurred_at: iso(dayStart),
            occupied: 20 + Math.floor(rand() * 20),
            ...(day % 4 === 0 ? { capacity: 80 + day } : {}),
          }),
        );
        for (let i = 0; i < 6; i++) {
          const at = iso(dayStart + Math.floor(rand() * 20 * HOUR));
          events.push(
            ev({ ...base, event_id: `m-${++n}`, type: rand() < 0.55 ? "admission" : "discharge", occurred_at: at, count: 1 + Math.floor(rand() * 3) }),
          );
        }
      }
      events.push(
        ev({
          facility_id: facility,
          event_id: `t-${++n}`,
          type: "treatment",
          category: pick(["detox", "methadone", "psychosocial", "health_check"] as const),
          count: 1 + Math.floor(rand() * 30),
          occurred_at: iso(T0 - day * DAY + 5 * HOUR),
        }),
      );
    }
  }
  // Shuffled into batches of up to 9 events of one facility: out of order within and across.
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [events[i], events[j]] = [events[j]!, events[i]!];
  }
  const reqs: AppendRequest[] = [];
  const byFacility = new Map<string, AcceptedEvent[]>();
  for (const e of events) byFacility.set(e.event.facility_id, [...(byFacility.get(e.event.facility_id) ?? []), e]);
  for (const list of byFacility.values()) for (let i = 0; i < list.length; i += 9) reqs.push(req(list.slice(i, i + 9), NOW - HOUR + i));
  // Referrals in their own order (a move after a closed status is refused), late against the rest.
  const moves: [string, string, string, Record<string, unknown>][] = [
    ["R-1", "requested", 'Bệnh viện tỉnh "A"\tkhoa\\nội', { urgency: "urgent" }],
    ["R-1", "requested", 'Bệnh viện tỉnh "A"\tkhoa\\nội', {}], // a repeated status: moved = 0
    ["R-1", "accepted", 'Bệnh viện tỉnh "A"\tkhoa\\nội', {}],
    ["R-1", "transferred", 'Bệnh viện tỉnh "A"\tkhoa\\nội', { urgency: "emergency" }],
    ["R-2", "requested", "Trung tâm y tế\nhuyện", {}],
    ["R-2", "cancelled", "Trung tâm y tế\nhuyện", {}],
    ["R-3", "requested", "Bệnh viện Tâm thần tỉnh", { urgency: "routine" }],
  ];
  moves.forEach(([referral_id, status, destination, extra], i) =>
    reqs.push(
      req(
        [
          ev({
            facility_id: i % 2 ? NO_UNITS : SAPA,
            event_id: `r-${i}`,
            type: "referral",
            referral_id,
            status,
            destination,
            occurred_at: iso(T0 - 3 * DAY + i * HOUR),
            ...extra,
          }),
        ],
        NOW - HOUR / 2,
      ),
    ),
  );
  return reqs;
}

/** The registry with NO_UNITS's capacity changed, as the admin console does it. */
function withCapacity(r: Registry, capacity: number): Registry {
  const out = applyRegistryChange(r, { mode: "update", facility: { ...facilityEditOf(r.byId.get(NO_UNITS)!), capacity } }, NOW);
  if (!out.ok) throw new Error(out.problems.join("\n"));
  return out.registry;
}

/** Everything that is not the log: keys, displays, accounts, a registry change, audit, targets. */
async function adminLoad(store: Store) {
  const c = store.credentials;
  const key = await c.createKey(NO_UNITS, T0 - 5 * DAY);
  const revoked = await c.createKey(SAPA, T0 - 5 * DAY);
  await c.revokeKey(revoked.id, T0 - 2 * DAY);
  await c.authenticateKey(key.key, T0 - HOUR); // last_used_at
  const display = await c.createDisplay("Màn hình sở\tLao Cai", T0 - 4 * DAY, ["lao-cai"]);
  const gone = await c.createDisplay("old wall", T0 - 4 * DAY);
  await c.revokeDisplay(gone.id, T0 - DAY);
  const admin = await c.createUser({ email: "admin@example.vn", role: "admin", provinces: [], facilityId: null }, T0 - 6 * DAY);
  await c.setPassword(admin.id, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA");
  const clerk = await c.createUser({ email: "clerk@example.vn", role: "facility", provinces: [], facilityId: NO_UNITS }, T0 - 6 * DAY);
  const invitation = await c.createInvitation(clerk.id, T0 - 6 * DAY, 72 * HOUR);
  const manager = await c.createUser({ email: "manager@example.vn", role: "manager", provinces: ["son-la"], facilityId: null }, T0 - 6 * DAY);
  await c.setPassword(manager.id, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$bWFuYWdlcg");
  const session = await c.createSession(admin.id, NOW - HOUR);
  const ended = await c.createSession(manager.id, NOW - 2 * HOUR);
  await c.endSession(ended.token, NOW - HOUR);
  await c.disableUser("manager@example.vn", NOW - HOUR / 2);
  for (let i = 0; i < 5; i++)
    await store.audit.record({
      at: T0 - DAY + i,
      actor: { kind: "user", id: admin.id, email: "admin@example.vn" },
      action: "users.invite",
      target: `x${i}@example.vn`,
      before: null,
      after: { note: "dòng một\ndòng\thai \\ ba" },
    });
  await store.registryVersions.change(withCapacity(store.registry, 175), { basedOn: 1, effectiveFrom: T0 - 2 * DAY, at: T0 - 2 * DAY, by: "admin@example.vn" });
  const parsed = parseTargetsDocument(demoTargetsDocument, store.registry);
  if (!parsed.ok) throw new Error("demo targets");
  await store.targets.importDocument(parsed.document, T0 - 3 * DAY);
  const [target] = parsed.document.plans.flatMap((p) => p.targets).filter((t) => t.year === 2026);
  await store.targets.setValue(target!.id, 321, T0 - 2 * DAY);
  await store.targets.addAssessment({ targetId: target!.id, date: "2026-11-20", value: 12.5, note: "ước tính\tquý", by: "admin@example.vn", at: T0 - DAY });
  await store.targets.addAssessment({ targetId: target!.id, date: "2026-11-21", value: 0.1, note: "", by: "cw", at: T0 - HOUR });
  return { key: key.key, display: display.token, session: session.token, invitation: invitation.token, target: target!.id };
}

/** What a reader gets from a store: every read port over the load's facilities. */
async function answers(store: Store, secrets: Awaited<ReturnType<typeof adminLoad>>) {
  const out: Record<string, unknown> = {};
  const r = store.reads;
  out.board = await r.board(NOW, TICKER_LENGTH);
  out.count = await r.countEvents();
  out.changes = await r.changesSince((await store.log.lastSeq()) - 20, NOW);
  for (const f of [NO_UNITS, WITH_UNITS, REHAB, SAPA]) {
    out[`status ${f}`] = await r.facilityStatus(f, NOW);
    out[`trend ${f}`] = await r.trend(f, NOW, 48);
    for (const range of ["24h", "7d", "30d", "1y"] as const) out[`history ${f} ${range}`] = await r.history(f, range, NOW);
    out[`days ${f}`] = await r.days(f, ["2026-11-14", "2026-11-20", "2026-11-22"], NOW);
    out[`asOf ${f}`] = await r.asOf(f, T0 - 3 * DAY + 2 * HOUR);
    out[`between ${f}`] = await r.eventsBetween(f, T0 - 4 * DAY, T0 - 2 * DAY, 50);
  }
  out.steps = await r.referralSteps({});
  out.records = await r.referralRecords({ state: "all" });
  out.countInputs = await r.referralCountInputs({ from: T0 - 10 * DAY, to: NOW });
  out.years = await store.targets.years();
  out.targets2026 = await store.targets.year(2026, NOW);
  out.target = await store.targets.get(secrets.target);
  // The checks first: they record last use, which the lists then show (the same on both sides).
  out.keyCheck = await store.credentials.authenticateKey(secrets.key, NOW);
  out.displayCheck = await store.credentials.authenticateDisplay(secrets.display);
  out.sessionCheck = await store.credentials.authenticateSession(secrets.session, NOW, { idleMs: 7 * DAY, absoluteMs: 30 * DAY });
  out.keys = await store.credentials.listKeys();
  out.displays = await store.credentials.listDisplays();
  out.users = await store.credentials.listUsers();
  out.login = await store.credentials.findLogin("admin@example.vn");
  out.audit = await store.audit.list({ limit: 500 });
  out.versions = await store.registryVersions.list();
  out.registry = store.registry.document;
  out.registryThen = store.registryVersions.at(T0 - 5 * DAY).document;
  return out;
}

/** A table's rows with their keys in one order, sorted: equal as sets of rows, whatever the engine's column order. */
const normal = (rows: Record<string, unknown>[]) =>
  rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b))))).sort();

async function pgTables(target: { url: string; schema: string }) {
  const sql = connectTarget(target);
  try {
    const out: Record<string, string[]> = {};
    for (const t of COPIED_TABLES) out[t.name] = normal((await sql`SELECT * FROM ${sql(t.name)}`) as unknown as Record<string, unknown>[]);
    return out;
  } finally {
    await sql.end();
  }
}

async function pgRows(target: { url: string; schema: string }, text: string) {
  const sql = connectTarget(target);
  try {
    return (await sql.unsafe(text)) as unknown as Record<string, unknown>[];
  } finally {
    await sql.end();
  }
}

function sqliteTables(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    return Object.fromEntries(COPIED_TABLES.map((t) => [t.name, normal(db.prepare(`SELECT * FROM ${t.name}`).all() as Record<string, unknown>[])]));
  } finally {
    db.close();
  }
}

describe.skipIf(!pgUrl)("cw copy: an SQLite store into PostgreSQL (skipped when the run has no PostgreSQL: CAREWATCH_TEST_ENGINES=sqlite,postgres)", () => {
  it("copies every table row for row, seqs kept; the target answers as the source, continues the log and refuses a second copy", async () => {
    const source = await createTestStore();
    for (const r of mixedLoad()) {
      const outcome = await append(source.store, r);
      if (!outcome.ok) throw new Error(JSON.stringify(outcome.conflicts));
    }
    const secrets = await adminLoad(source.store);
    const before = await answers(source.store, secrets);
    const lastSeq = await source.store.log.lastSeq();
    expect(lastSeq).toBeGreaterThan(400);

    const schema = await createTestSchema(pgUrl);
    const target = { url: pgUrl, schema: schema.name };
    try {
      const progress: CopyProgress[] = [];
      // The source stays open, as beside a running server: the copy reads one snapshot of it.
      const report = await copyToPg({ sourcePath: source.path, target, registry: source.registry, onProgress: (p) => progress.push(p) });
      expect(report.verify.differences).toEqual([]);
      expect(report).toMatchObject({ events: lastSeq, lastSeq });
      expect(report.verify.events).toBe(lastSeq);
      expect(report.tables.map((t) => t.table)).toEqual(COPIED_TABLES.map((t) => t.name));
      const events = progress.filter((p) => p.phase === "events");
      expect(events.at(-1)).toEqual({ phase: "events", done: lastSeq, total: lastSeq });
      expect(progress.filter((p) => p.phase === "table").map((p) => p.phase === "table" && p.table)).toEqual(COPIED_TABLES.map((t) => t.name));
      expect(progress.some((p) => p.phase === "verify" && p.done === lastSeq)).toBe(true);

      // Row for row, every table (projections after the target's rebuild: it changed none).
      const copied = await pgTables(target);
      const original = sqliteTables(source.path);
      for (const t of COPIED_TABLES) expect(copied[t.name], t.name).toEqual(original[t.name]);
      for (const t of ["events", "users", "sessions", "invitations", "audit", "target_assessments", "referral_steps", "rollup_hourly"])
        expect(copied[t]!.length, t).toBeGreaterThan(0);

      const store = await createPgStore({ ...target, registry: source.registry });
      try {
        expect(await answers(store, secrets)).toEqual(before);
        expect(await store.credentials.redeemInvitation(secrets.invitation, NOW)).toBe(
          await source.store.credentials.redeemInvitation(secrets.invitation, NOW),
        );

        // The log goes on after the copied seq; a copied event sent again is the same duplicate.
        const [again] = await store.log.readFrom(lastSeq - 1, 1);
        const dup = await append(store, req([{ event: again!.event, occurredAtMs: again!.occurredAtMs }]));
        expect(dup).toMatchObject({ ok: true, accepted: 0, duplicates: 1, results: [{ status: "duplicate", seq: lastSeq }] });
        const next = await append(store, req([ev({ type: "admission", occurred_at: iso(NOW - 60_000) })], NOW));
        expect(next).toMatchObject({ ok: true, results: [{ status: "accepted", seq: lastSeq + 1 }] });
        // Identity columns continue after the copied ids.
        const topAudit = Math.max(...(await source.store.audit.list({ limit: 500 })).map((a) => a.id));
        await store.audit.record({ at: NOW, actor: { kind: "cli", id: "cw" }, action: "keys.create", target: "k" });
        expect((await store.audit.list({ limit: 1 }))[0]!.id).toBe(topAudit + 1);
        await store.targets.addAssessment({ targetId: secrets.target, date: "2026-11-22", value: 3, note: "", by: "cw", at: NOW });
        const ids = (await pgRows(target, "SELECT id FROM target_assessments ORDER BY id")).map((r) => r.id);
        expect(ids).toEqual([1, 2, 3]);
      } finally {
        await store.close();
      }

      // A second copy into the same, now non-empty target: refused, nothing changed.
      const held = await pgTables(target);
      const refused = copyToPg({ sourcePath: source.path, target, registry: source.registry });
      await expect(refused).rejects.toThrow(CopyError);
      await expect(refused).rejects.toMatchObject({ kind: "refused", message: expect.stringMatching(/already holds a store \(rows in events, api_keys/) });
      expect(await pgTables(target)).toEqual(held);
    } finally {
      await schema.drop();
    }
  });

  it("takes a store opened once and never used (only its seeded registry); refuses one with a single user", async () => {
    const source = await createTestStore();
    await append(source.store, req([ev({ type: "census", occurred_at: iso(T0), occupied: 3 })]));
    const schema = await createTestSchema(pgUrl);
    const target = { url: pgUrl, schema: schema.name };
    try {
      // A server started once on the target: version 1 seeded, facilities written.
      await (await createPgStore({ ...target, registry: withCapacity(source.registry, 99) })).close();
      const report = await copyToPg({ sourcePath: source.path, target, registry: source.registry });
      expect(report).toMatchObject({ events: 1, lastSeq: 1, verify: { differences: [] } });
      expect((await pgTables(target)).registry_versions).toEqual(sqliteTables(source.path).registry_versions);
    } finally {
      await schema.drop();
    }

    const other = await createTestSchema(pgUrl);
    try {
      const t = { url: pgUrl, schema: other.name };
      const s = await createPgStore({ ...t, registry: source.registry });
      await s.credentials.createUser({ email: "a@example.vn", role: "admin", provinces: [], facilityId: null }, T0);
      await s.close();
      const held = await pgTables(t);
      await expect(copyToPg({ sourcePath: source.path, target: t, registry: source.registry })).rejects.toMatchObject({
        kind: "refused",
        message: /rows in users/,
      });
      expect(await pgTables(t)).toEqual(held);
    } finally {
      await other.drop();
    }
  });

  it("refuses a source that is not a carewatch SQLite store, and changes nothing on the target", async () => {
    const { path, registry } = await createTestStore();
    const dir = dirname(path);
    const junk = join(dir, "notes.txt");
    writeFileSync(junk, "not a database at all, just some text long enough to be read as a header.".repeat(10));
    const other = join(dir, "other.db");
    new Database(other).exec("CREATE TABLE things (id INTEGER PRIMARY KEY)");
    const schema = await createTestSchema(pgUrl);
    const target = { url: pgUrl, schema: schema.name };
    try {
      await expect(copyToPg({ sourcePath: join(dir, "missing.db"), target, registry })).rejects.toMatchObject({
        kind: "source",
        message: /no SQLite store at/,
      });
      await expect(copyToPg({ sourcePath: junk, target, registry })).rejects.toMatchObject({ kind: "source", message: /is not an SQLite database/ });
      await expect(copyToPg({ sourcePath: other, target, registry })).rejects.toMatchObject({ kind: "source", message: /not a carewatch store/ });
      const sql = postgres(pgUrl, { max: 1, onnotice: () => {} });
      try {
        const tables = await sql`SELECT table_name FROM information_schema.tables WHERE table_schema = ${schema.name}`;
        expect(tables).toHaveLength(0);
      } finally {
        await sql.end();
      }
    } finally {
      await schema.drop();
    }
  });

  it("is all or nothing: a copy that fails after the log leaves the target empty, and the next one succeeds", async () => {
    const source = await createTestStore();
    await append(source.store, req([ev({ type: "census", occurred_at: iso(T0), occupied: 3 }), ev({ type: "admission", occurred_at: iso(T0 + HOUR) })]));
    await source.store.audit.record({ at: T0, actor: { kind: "cli", id: "cw" }, action: "keys.create", target: "k" });
    await source.store.close();
    // A column PostgreSQL does not have, on a table copied after the events: found mid-copy.
    const db = new Database(source.path);
    db.exec("ALTER TABLE audit ADD COLUMN extra TEXT");
    const schema = await createTestSchema(pgUrl);
    const target = { url: pgUrl, schema: schema.name };
    try {
      await expect(copyToPg({ sourcePath: source.path, target, registry: source.registry })).rejects.toMatchObject({
        kind: "schema",
        message: /table audit differs between the engines \(only in SQLite: extra/,
      });
      const after = await pgTables(target);
      for (const t of COPIED_TABLES) expect(after[t.name], t.name).toEqual([]);
      db.exec("ALTER TABLE audit DROP COLUMN extra");
      expect(await copyToPg({ sourcePath: source.path, target, registry: source.registry })).toMatchObject({ events: 2, verify: { differences: [] } });
    } finally {
      db.close();
      await schema.drop();
    }
  });

  it("brings a source an older carewatch left (a replay pending) up to date first, as the server's start would", async () => {
    const source = await createTestStore();
    await append(source.store, req([ev({ type: "census", occurred_at: iso(T0), occupied: 7 })]));
    await source.store.close();
    const db = new Database(source.path);
    try {
      db.exec("INSERT INTO store_meta (key, value) VALUES ('projections_need_rebuild', '0005')");
      db.exec("DELETE FROM unit_state");
    } finally {
      db.close();
    }
    const schema = await createTestSchema(pgUrl);
    try {
      const report = await copyToPg({ sourcePath: source.path, target: { url: pgUrl, schema: schema.name }, registry: source.registry });
      expect(report).toMatchObject({ events: 1, verify: { differences: [] } });
      expect((await pgTables({ url: pgUrl, schema: schema.name })).unit_state).toHaveLength(1);
    } finally {
      await schema.drop();
    }
  });
});
