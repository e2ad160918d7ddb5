import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canonicalEvent } from "@carewatch/domain";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { defaultMigrationsDir, migrate } from "./migrate.js";
import { createStore } from "./sqlite-store.js";
import { ev, iso, loadRegistry, NO_UNITS, T0 } from "./test-helpers.js";

describe("sqlite: referral_steps on a store made before 0005", () => {
  it("the migration asks for a replay, which fills the steps from the log", async () => {
    const dir = mkdtempSync(join(tmpdir(), "carewatch-0005-"));
    const old = join(dir, "migrations-0004");
    const path = join(dir, "carewatch.db");
    try {
      // A store as schema 4 left it: its log holds referral moves, and no referral_steps exists.
      mkdirSync(old);
      for (const f of readdirSync(defaultMigrationsDir()).filter((f) => /^000[1-4]_/.test(f))) copyFileSync(join(defaultMigrationsDir(), f), join(old, f));
      const db = new Database(path);
      migrate(db, old);
      db.prepare("INSERT INTO facilities (id, config) VALUES (?, '{}')").run(NO_UNITS);
      const insert = db.prepare(`INSERT INTO events (facility_id, event_id, type, unit, occurred_at, occurred_at_ms, received_at_ms, delta, body)
          VALUES (?, ?, 'referral', NULL, ?, ?, ?, 0, ?)`);
      const move = (id: string, status: string, min: number) =>
        ev({ event_id: `${id}-${status}`, type: "referral", occurred_at: iso(T0 + min * 60_000), referral_id: id, status, destination: "Bệnh viện tỉnh" });
      for (const e of [move("R-1", "requested", 0), move("R-1", "accepted", 10), move("R-2", "requested", 5)])
        insert.run(NO_UNITS, e.event.event_id, e.event.occurred_at, e.occurredAtMs, T0, canonicalEvent(e.event));
      db.close();

      const store = createStore({ path, registry: loadRegistry() });
      try {
        expect((await store.reads.referralSteps({ facilityIds: [NO_UNITS] })).map((s) => [s.referralId, s.status])).toEqual([
          ["R-1", "requested"],
          ["R-1", "accepted"],
          ["R-2", "requested"],
        ]);
        expect((await store.reads.asOf(NO_UNITS, T0 + 7 * 60_000))?.status.today.referrals_open).toBe(2);
        expect((await store.rebuild()).differences).toEqual([]);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
