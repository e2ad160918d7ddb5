/**
 * Baseline "bare Hono + PostgreSQL": the least a durable, idempotent ingest server on PostgreSQL
 * can do, done well. Hono + @hono/node-server + postgres.js, at carewatch's durability
 * (synchronous_commit=on: the reply goes out after COMMIT is flushed), group commit by time and
 * size like bare-hono.ts: requests queue and a group is committed 2 ms after its first row or as
 * soon as it holds 200 rows, whichever comes first, in one transaction.
 *
 * The rows are carewatch's `events` rows (same columns, primary key seq, UNIQUE (facility_id,
 * event_id)), without what only carewatch's reads need (the foreign key to facilities, the census
 * indexes, projections). Idempotent: an event_id already stored for its facility is answered
 * "duplicate" with its original seq (200), as carewatch does; new ones 202 with their seq.
 *
 * seq is gap-free and in commit order through a single writer: one connection, one group at a
 * time (what queues meanwhile forms the next group), so nobody else numbers rows while a group
 * does, and a failed group rolls back whole (no gap). Chosen over carewatch's approach (a
 * transaction-scoped advisory lock around the append, needed because several processes write)
 * because it is the strongest simple thing for one process: the whole group is ONE autocommit
 * statement — NOT EXISTS skips what is stored (exact: no other writer), row_number() numbers the
 * new rows from max(seq), INSERT … ON CONFLICT DO NOTHING RETURNING seq, stored seqs come back
 * for the duplicates — so a group costs one round trip and one WAL flush, where BEGIN, lock +
 * statement, COMMIT costs three round trips (measured here: about half the commit time under
 * load). carewatch on PostgreSQL is held to this stronger baseline.
 *
 *   node --import tsx bare-hono-pg.ts        (BENCH_DATABASE_URL=postgres://…, PORT)
 *
 * A body may be one event or {"events":[…]}. Minimal checks only (event_id and facility_id are
 * strings, occurred_at parses): the baseline measures storage, not validation.
 */
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import postgres from "postgres";

const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error("BENCH_DATABASE_URL is required");
// One connection: the single writer. synchronous_commit=on is the server's setting too; said here so the baseline never depends on it.
const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { synchronous_commit: "on" } });

await sql`CREATE TABLE IF NOT EXISTS events (
  seq            BIGINT  PRIMARY KEY,
  facility_id    TEXT    NOT NULL,
  event_id       TEXT    NOT NULL,
  type           TEXT    NOT NULL,
  unit           TEXT,
  occurred_at    TEXT    NOT NULL,
  occurred_at_ms BIGINT  NOT NULL,
  received_at_ms BIGINT  NOT NULL,
  delta          INTEGER NOT NULL DEFAULT 0,
  body           TEXT    NOT NULL,
  UNIQUE (facility_id, event_id)
)`;

interface Row {
  facility_id: string;
  event_id: string;
  type: string;
  unit: string | null;
  occurred_at: string;
  occurred_at_ms: number;
  delta: number;
  body: string;
}
interface Outcome {
  seq: number;
  duplicate: boolean;
}
interface Pending {
  rows: Row[];
  resolve: (o: Outcome[]) => void;
  reject: (e: unknown) => void;
}

const GROUP_MS = 2;
const GROUP_ROWS = 200;
let queue: Pending[] = [];
let queuedRows = 0;
let timer: NodeJS.Timeout | null = null;
let writing = false;
let due = false;

/** One group in one statement (its own transaction): number-and-insert; returns each row's outcome, in order. */
async function commit(rows: Row[], receivedAt: number): Promise<Outcome[]> {
  // A row repeated within the group is a duplicate of its first copy: only first copies go to the database.
  const first = new Map<string, number>();
  const unique: Row[] = [];
  const repeat: boolean[] = [];
  const copyOf = rows.map((r) => {
    const k = `${r.facility_id}\u0000${r.event_id}`;
    let i = first.get(k);
    repeat.push(i !== undefined);
    if (i === undefined) first.set(k, (i = unique.push(r) - 1));
    return i;
  });
  const col = <K extends keyof Row>(k: K) => unique.map((r) => r[k]);
  const found = await sql`WITH input AS (
        SELECT * FROM unnest(${col("facility_id")}::text[], ${col("event_id")}::text[], ${col("type")}::text[], ${col("unit") as string[]}::text[],
                             ${col("occurred_at")}::text[], ${col("occurred_at_ms")}::bigint[], ${col("delta")}::int[], ${col("body")}::text[])
          WITH ORDINALITY AS t(facility_id, event_id, type, unit, occurred_at, occurred_at_ms, delta, body, ord)
      ), fresh AS (
        SELECT i.*, (SELECT coalesce(max(seq), 0) FROM events) + row_number() OVER (ORDER BY i.ord) AS seq
        FROM input i
        WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.facility_id = i.facility_id AND e.event_id = i.event_id)
      ), ins AS (
        INSERT INTO events (seq, facility_id, event_id, type, unit, occurred_at, occurred_at_ms, received_at_ms, delta, body)
        SELECT seq, facility_id, event_id, type, unit, occurred_at, occurred_at_ms, ${receivedAt}, delta, body FROM fresh
        ON CONFLICT DO NOTHING
        RETURNING seq, facility_id, event_id
      )
      SELECT i.ord, coalesce(ins.seq, e.seq) AS seq, ins.seq IS NULL AS duplicate
      FROM input i
      LEFT JOIN ins ON ins.facility_id = i.facility_id AND ins.event_id = i.event_id
      LEFT JOIN events e ON e.facility_id = i.facility_id AND e.event_id = i.event_id
      ORDER BY i.ord`;
  const byOrd = found.map((r) => ({ seq: Number(r.seq), duplicate: r.duplicate as boolean }));
  return copyOf.map((j, i) => (repeat[i] ? { seq: byOrd[j]!.seq, duplicate: true } : byOrd[j]!));
}

function flush() {
  if (timer) clearTimeout(timer);
  timer = null;
  if (writing) {
    due = true; // the writer is busy: this group commits as soon as it is free, with what queued meanwhile
    return;
  }
  const batch = queue;
  queue = [];
  queuedRows = 0;
  if (batch.length === 0) return;
  writing = true;
  commit(
    batch.flatMap((p) => p.rows),
    Date.now(),
  )
    .then(
      (outcomes) => {
        let at = 0;
        for (const p of batch) p.resolve(outcomes.slice(at, (at += p.rows.length)));
      },
      (e: unknown) => {
        for (const p of batch) p.reject(e);
      },
    )
    .finally(() => {
      writing = false;
      if (due || queuedRows >= GROUP_ROWS) {
        due = false;
        flush();
      }
    });
}

const submit = (rows: Row[]) =>
  new Promise<Outcome[]>((resolve, reject) => {
    queue.push({ rows, resolve, reject });
    queuedRows += rows.length;
    if (queuedRows >= GROUP_ROWS) flush();
    else timer ??= setTimeout(flush, GROUP_MS);
  });

const MOVES: Record<string, number> = { admission: 1, discharge: -1 };
function toRow(e: unknown): Row | null {
  if (typeof e !== "object" || e === null) return null;
  const ev = e as Record<string, unknown>;
  const at = typeof ev.occurred_at === "string" ? Date.parse(ev.occurred_at) : NaN;
  if (typeof ev.event_id !== "string" || typeof ev.facility_id !== "string" || typeof ev.type !== "string" || !Number.isFinite(at)) return null;
  return {
    facility_id: ev.facility_id,
    event_id: ev.event_id,
    type: ev.type,
    unit: typeof ev.unit === "string" ? ev.unit : null,
    occurred_at: ev.occurred_at as string,
    occurred_at_ms: at,
    delta: (MOVES[ev.type] ?? 0) * (typeof ev.count === "number" ? ev.count : 0),
    body: JSON.stringify(e),
  };
}

const app = new Hono();
app.get("/healthz", (c) => c.json({ ok: true }));
app.post("/api/v1/events", async (c) => {
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    return c.json({ status: "malformed" }, 400);
  }
  const batch = typeof body === "object" && body !== null && Array.isArray((body as { events?: unknown }).events);
  const rows = (batch ? (body as { events: unknown[] }).events : [body]).map(toRow);
  if (rows.length === 0 || rows.some((r) => r === null)) return c.json({ status: "invalid" }, 422);
  const outcomes = await submit(rows as Row[]);
  if (!batch) {
    const o = outcomes[0]!;
    return c.json({ status: o.duplicate ? "duplicate" : "accepted", seq: o.seq }, o.duplicate ? 200 : 202);
  }
  const accepted = outcomes.filter((o) => !o.duplicate).length;
  return c.json({ status: "accepted", accepted, duplicates: outcomes.length - accepted, seq: outcomes.at(-1)!.seq }, accepted ? 202 : 200);
});

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: process.env.HOST ?? "127.0.0.1" });
const stop = () => server.close(() => void sql.end().then(() => process.exit(0)));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
