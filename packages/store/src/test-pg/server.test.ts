import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { append, ev, req } from "../test-helpers.js";
import { createTestSchema } from "./schemas.js";
import { findPgBin, startPgServer, type PgTestServer } from "./server.js";
import { createPgTestStore } from "./test-store.js";

// The test infrastructure itself, on a real server of its own (not the run's shared one).
// Skipped where no PostgreSQL is installed.
describe.skipIf(!findPgBin())("a throwaway PostgreSQL server", () => {
  let server: PgTestServer;
  let stopped = false;
  beforeAll(async () => {
    server = await startPgServer();
  }, 60_000);
  afterAll(async () => {
    if (!stopped) await server.stop();
  });

  it("accepts a connection, with production durability (fsync, synchronous_commit)", async () => {
    const sql = postgres(server.url, { max: 1 });
    try {
      const [row] = await sql<{ fsync: string; sync: string; one: number }[]>`
        SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync, 1 AS one`;
      expect(row).toEqual({ fsync: "on", sync: "on", one: 1 });
    } finally {
      await sql.end();
    }
  });

  it("gives two test schemas that do not see each other, and drops them", async () => {
    const a = await createTestSchema(server.url);
    const b = await createTestSchema(server.url);
    expect(a.name).not.toBe(b.name);
    const inA = postgres(server.url, { max: 1, connection: { search_path: a.name } });
    const inB = postgres(server.url, { max: 1, connection: { search_path: b.name } });
    try {
      await inA`CREATE TABLE events (seq BIGINT PRIMARY KEY)`;
      await inA`INSERT INTO events VALUES (1), (2)`;
      await inB`CREATE TABLE events (seq BIGINT PRIMARY KEY)`;
      expect(await inA`SELECT seq FROM events ORDER BY seq`).toEqual([{ seq: "1" }, { seq: "2" }]);
      expect(await inB`SELECT seq FROM events`).toEqual([]);
    } finally {
      await inA.end();
      await inB.end();
    }
    await a.drop();
    await b.drop();
    const sql = postgres(server.url, { max: 1 });
    try {
      const left = await sql`SELECT nspname FROM pg_namespace WHERE nspname IN (${a.name}, ${b.name})`;
      expect(left).toEqual([]);
    } finally {
      await sql.end();
    }
  });

  it("gives two test stores that do not see each other's events, and drops their schemas at dispose", async () => {
    const a = await createPgTestStore(server.url);
    const b = await createPgTestStore(server.url);
    expect(a.path).not.toBe(b.path);
    const outcome = await append(a.store, req([ev({ type: "admission", occurred_at: "2026-11-22T01:05:00Z" })]));
    expect(outcome).toMatchObject({ ok: true, accepted: 1 });
    expect(await a.store.log.lastSeq()).toBe(1);
    expect(await b.store.log.lastSeq()).toBe(0);
    expect(await b.store.reads.countEvents()).toBe(0);
    await a.dispose();
    await b.dispose();
    const sql = postgres(server.url, { max: 1 });
    try {
      expect(await sql`SELECT nspname FROM pg_namespace WHERE nspname IN (${a.path}, ${b.path})`).toEqual([]);
    } finally {
      await sql.end();
    }
  });

  it("is gone after stop: no process, no connection, no files", async () => {
    const pid = Number(readFileSync(join(server.dir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
    expect(pid).toBeGreaterThan(0);
    await server.stop();
    stopped = true;
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    expect(existsSync(server.dir)).toBe(false);
    const sql = postgres(server.url, { max: 1, connect_timeout: 2 });
    try {
      await expect(sql`SELECT 1`).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await sql.end();
    }
  });
});
