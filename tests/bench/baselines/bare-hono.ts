/**
 * Baseline "bare Hono": the least a durable ingest server can do. Hono + @hono/node-server +
 * better-sqlite3, one table, the same PRAGMAs as carewatch (WAL, synchronous=FULL).
 *
 *   node --import tsx bare-hono.ts single   one INSERT (autocommit, one fsync) per request
 *   node --import tsx bare-hono.ts group    group commit done well: requests queue and a group is
 *                                           committed every 2 ms or every 200 rows, whichever comes
 *                                           first, in one transaction; replies after COMMIT
 *
 * (An earlier baseline committed once per event-loop turn, with setImmediate; batching by time
 * and size is about twice as fast here, so that is the one carewatch is held to.)
 *
 * A body may be one event or {"events":[…]} (each event one row, one transaction per request
 * in "single" mode). Replies 202 JSON. PORT and BENCH_DATA_DIR come from the environment.
 */
import path from "node:path";
import { serve } from "@hono/node-server";
import Database from "better-sqlite3";
import { Hono } from "hono";

const mode = process.argv[2] === "group" ? "group" : "single";
const db = new Database(path.join(process.env.BENCH_DATA_DIR ?? ".", "bare.db"));
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.exec("CREATE TABLE IF NOT EXISTS events(id INTEGER PRIMARY KEY, body TEXT)");
const insert = db.prepare("INSERT INTO events(body) VALUES (?)");

/** Inserts one request's rows; returns the last rowid. */
const insertRows = (rows: string[]): number => {
  let last = 0;
  for (const r of rows) last = Number(insert.run(r).lastInsertRowid);
  return last;
};
const insertOne = db.transaction(insertRows);

interface Pending {
  rows: string[];
  resolve: (seq: number) => void;
  reject: (e: unknown) => void;
}
const GROUP_MS = 2;
const GROUP_ROWS = 200;
let queue: Pending[] = [];
let queuedRows = 0;
let timer: NodeJS.Timeout | null = null;
const flushAll = db.transaction((batch: Pending[]) => batch.map((p) => insertRows(p.rows)));
function flush() {
  if (timer) clearTimeout(timer);
  timer = null;
  const batch = queue;
  queue = [];
  queuedRows = 0;
  try {
    const seqs = flushAll(batch);
    batch.forEach((p, i) => p.resolve(seqs[i]!));
  } catch (e) {
    for (const p of batch) p.reject(e);
  }
}
const submit = (rows: string[]) =>
  new Promise<number>((resolve, reject) => {
    queue.push({ rows, resolve, reject });
    queuedRows += rows.length;
    if (queuedRows >= GROUP_ROWS) flush();
    else timer ??= setTimeout(flush, GROUP_MS);
  });

const app = new Hono();
app.get("/healthz", (c) => c.json({ ok: true }));
app.post("/api/v1/events", async (c) => {
  const text = await c.req.text();
  let body: { events?: unknown[] };
  try {
    body = JSON.parse(text) as { events?: unknown[] };
  } catch {
    return c.json({ status: "malformed" }, 400);
  }
  const rows = Array.isArray(body.events) ? body.events.map((e) => JSON.stringify(e)) : [text];
  const seq = mode === "group" ? await submit(rows) : rows.length === 1 ? Number(insert.run(rows[0]).lastInsertRowid) : insertOne(rows);
  return c.json({ status: "accepted", seq, accepted: rows.length }, 202);
});

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: process.env.HOST ?? "127.0.0.1" });
const stop = () => server.close(() => (db.close(), process.exit(0)));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
