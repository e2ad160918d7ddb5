import { createHash, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { Hono, type Context } from "hono";
import { parse as parseCsv } from "csv-parse";
import ExcelJS from "exceljs";
import { canonicalEvent, validateBody, zoneOffsetMs, toZonedIso, type AcceptedEvent, type UserPrincipal } from "@carewatch/domain";
import type { GroupCommitter, Store } from "@carewatch/store";
import { sameOrigin } from "../auth/csrf.js";
import { principalFromCookies, type SessionAuth } from "../auth/principal.js";
import { problem } from "../http/problem.js";

export interface ImportRouteDeps {
  store: Store;
  committer: GroupCommitter;
  now: () => number;
  auth: SessionAuth;
  publicOrigin: string;
}

/** The template's columns: Vietnamese header (written in the template), English header (accepted too). */
export const COLUMNS = [
  { key: "event_id", vi: "Mã sự kiện" },
  { key: "type", vi: "Loại" },
  { key: "unit", vi: "Khu" },
  { key: "occurred_at", vi: "Thời điểm" },
  { key: "occupied", vi: "Số đang điều trị" },
  { key: "capacity", vi: "Sức chứa" },
  { key: "count", vi: "Số lượng" },
  { key: "cohort", vi: "Đối tượng" },
  { key: "outcome", vi: "Kết quả ra viện" },
  { key: "category", vi: "Loại điều trị" },
  { key: "referral_id", vi: "Mã chuyển tuyến" },
  { key: "status", vi: "Trạng thái" },
  { key: "destination", vi: "Nơi chuyển đến" },
  { key: "urgency", vi: "Mức khẩn" },
] as const;
type Key = (typeof COLUMNS)[number]["key"];
const NUMERIC: ReadonlySet<string> = new Set(["occupied", "capacity", "count"]);
const CHUNK = 1000;
export const MAX_IMPORT_BYTES = 32 * 1024 * 1024;
const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const fold = (s: string) => s.normalize("NFC").trim().toLowerCase().replace(/\s+/g, " ");
const HEADER: ReadonlyMap<string, Key> = new Map(COLUMNS.flatMap((c) => [[fold(c.vi), c.key] as const, [fold(c.key), c.key] as const]));
const VI_OF: Record<string, string> = Object.fromEntries(COLUMNS.map((c) => [c.key, c.vi]));

export interface RowProblem {
  row: number;
  column: string;
  message: string;
}
interface Parsed {
  rows: number;
  events: unknown[];
  /** The file's row number of each event. */
  rowOf: number[];
  problems: RowProblem[];
}

/** The cells of a file as rows of strings, with their 1-based row number in the file. */
type Cells = { row: number; cells: string[] }[];

async function csvCells(body: Buffer): Promise<Cells> {
  const out: Cells = [];
  // Fed in 64 KiB slices so the parser yields between them (one buffer would parse in one go).
  const slices = function* () {
    for (let i = 0; i < body.length; i += 65536) yield body.subarray(i, i + 65536);
  };
  const parser = Readable.from(slices()).pipe(parseCsv({ bom: true, relax_column_count: true, skip_empty_lines: false, info: true }));
  for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    out.push({ row: rec.info.lines, cells: rec.record });
  }
  return out;
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return "";
  if (v instanceof Date) {
    // exceljs gives a date cell as the wall-clock time written in UTC: keep it as local time.
    const p = (n: number) => String(n).padStart(2, "0");
    return `${p(v.getUTCDate())}/${p(v.getUTCMonth() + 1)}/${v.getUTCFullYear()} ${p(v.getUTCHours())}:${p(v.getUTCMinutes())}`;
  }
  if (typeof v === "object") {
    if ("richText" in v) return v.richText.map((t) => t.text).join("");
    if ("text" in v) return String(v.text);
    if ("result" in v) return cellText(v.result as ExcelJS.CellValue);
    return "";
  }
  return String(v);
}

async function xlsxCells(body: Buffer): Promise<Cells> {
  const out: Cells = [];
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([body]), {
    sharedStrings: "cache",
    worksheets: "emit",
    hyperlinks: "ignore",
    styles: "cache",
  });
  for await (const sheet of reader) {
    for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
      const values = row.values as ExcelJS.CellValue[];
      const cells: string[] = [];
      for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
      // The streaming reader skips blank rows: row.number is the row in the sheet.
      out.push({ row: row.number, cells });
    }
    break; // the first sheet only
  }
  return out;
}

const DMY = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/** dd/mm/yyyy hh:mm in the facility's zone → RFC 3339 with the zone's offset; ISO passes through. */
export function occurredAt(text: string, timeZone: string): string | null {
  const m = DMY.exec(text.trim());
  if (!m) return /^\d{4}-\d{2}-\d{2}T/.test(text.trim()) ? text.trim() : null;
  const [d, mo, y, h, mi, s] = [m[1], m[2], m[3], m[4] ?? "0", m[5] ?? "0", m[6] ?? "0"].map(Number) as number[];
  const wall = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  const check = new Date(wall);
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo! - 1 || h! > 23 || mi! > 59) return null;
  const instant = wall - zoneOffsetMs(wall - zoneOffsetMs(wall, timeZone), timeZone);
  return toZonedIso(instant, timeZone);
}

/**
 * A file's cells → Facility API events for `facilityId`, with every problem by row and column
 * (the domain's validation, run in chunks of 1,000 with a yield between, so a large file does
 * not hold the event loop).
 */
export async function parseRows(cells: Cells, facilityId: string, store: Store, now: number): Promise<Parsed> {
  const f = store.registry.byId.get(facilityId)!;
  const problems: RowProblem[] = [];
  const header = cells[0];
  if (!header) return { rows: 0, events: [], rowOf: [], problems: [{ row: 1, column: "", message: "Tệp trống · The file is empty" }] };
  const keys = header.cells.map((h) => HEADER.get(fold(h)) ?? null);
  header.cells.forEach((h, i) => {
    if (keys[i] === null && h.trim() !== "") problems.push({ row: header.row, column: h, message: `Cột không rõ "${h}" · Unknown column "${h}"` });
  });
  for (const need of ["type", "occurred_at"] as const)
    if (!keys.includes(need)) problems.push({ row: header.row, column: VI_OF[need]!, message: `Thiếu cột "${VI_OF[need]}" · Missing column "${need}"` });
  if (problems.length) return { rows: 0, events: [], rowOf: [], problems };

  const events: Record<string, unknown>[] = [];
  const rowOf: number[] = [];
  const columnOf = (key: string) => {
    const i = keys.indexOf(key as Key);
    return i < 0 ? key : (header.cells[i] ?? key);
  };
  for (const [n, r] of cells.entries()) {
    if (n === 0) continue;
    if (n % CHUNK === 0) await new Promise((res) => setImmediate(res));
    if (r.cells.every((c) => c.trim() === "")) continue;
    const e: Record<string, unknown> = { facility_id: facilityId };
    let bad = false;
    keys.forEach((k, i) => {
      const v = (r.cells[i] ?? "").trim();
      if (k === null || v === "") return;
      if (NUMERIC.has(k)) {
        const n = Number(v);
        if (!/^\d+$/.test(v)) {
          problems.push({ row: r.row, column: columnOf(k), message: `"${v}" không phải số nguyên · not a whole number` });
          bad = true;
        } else e[k] = n;
      } else if (k === "occurred_at") {
        const iso = occurredAt(v, f.timeZone);
        if (iso === null) {
          problems.push({ row: r.row, column: columnOf(k), message: `"${v}" không phải ngày giờ dd/mm/yyyy hh:mm hoặc ISO 8601 · not a date-time` });
          bad = true;
        } else e[k] = iso;
      } else e[k] = v;
    });
    if (bad) continue;
    if (e.event_id === undefined) {
      // Stable id from the row's content: the same row imported again is a duplicate.
      const content = JSON.stringify(
        Object.keys(e)
          .sort()
          .map((k) => [k, e[k]]),
      );
      e.event_id = `imp-${createHash("sha256").update(content).digest("hex").slice(0, 32)}`;
    }
    events.push(e);
    rowOf.push(r.row);
  }

  for (let start = 0; start < events.length; start += CHUNK) {
    const chunk = events.slice(start, start + CHUNK);
    const checked = validateBody({ events: chunk }, { facility: (id) => store.registry.byId.get(id), now });
    if (!checked.ok) {
      for (const p of checked.problems) {
        const m = /^\/events\/(\d+)(?:\/([^/]+))?/.exec(p.path);
        const i = m ? start + Number(m[1]) : start;
        const key = m?.[2] ?? "";
        const col = keys.includes(key as Key) ? header.cells[keys.indexOf(key as Key)]! : (VI_OF[key] ?? key);
        problems.push({ row: rowOf[i] ?? 0, column: col, message: `Giá trị không hợp lệ · ${p.message}` });
      }
    }
    await new Promise((r) => setImmediate(r));
  }
  problems.sort((a, b) => a.row - b.row);
  return { rows: events.length, events, rowOf, problems };
}

interface Job {
  id: string;
  owner: string;
  /** checking: `done` rows validated; storing: `done` rows appended; done: `result` holds the answer. */
  state: "checking" | "storing" | "done";
  done: number;
  total: number;
  result?: unknown;
}

type User = UserPrincipal & { role: "facility" | "admin" };

const NOT_LOGGED_IN = "Chưa đăng nhập hoặc phiên đã hết hạn · Not logged in, or the session has ended.";
const NOT_ALLOWED = "Chỉ tài khoản cơ sở hoặc quản trị mới nhập tệp · Only a facility's account or an admin may import.";

/**
 * `/import/*`: a facility's clerk (own facility) or an admin (the facility chosen with
 * `?facility=`) uploads a CSV or XLSX file as the raw body (Content-Type text/csv or the XLSX
 * type: not one a cross-site form can send; and Origin must be ours).
 *
 * - `GET /import/template.csv|.xlsx`: the template, Vietnamese headers.
 * - `POST /import/preview`: counts by type and every problem by row and column; stores nothing.
 * - `POST /import/jobs`: starts the import; `GET /import/jobs/:id` its progress and result.
 *
 * Guarantee: all or nothing, as far as this process can know. Every row is validated first (any
 * problem → nothing stored); then every event_id is checked against the log and the file (one
 * reused with a different body → reported, nothing stored); then referral rows (the only ones the
 * store may still refuse) go as one request, and the rest in chunks of 1,000 through the same
 * group committer, so the live board is not held behind one long transaction. Only a concurrent
 * post of the same event_id with another body, between the check and its chunk, can leave the
 * earlier chunks stored; the result then says so.
 */
export function importRoutes(d: ImportRouteDeps) {
  const app = new Hono<{ Variables: { user: User } }>();
  const jobs = new Map<string, Job>();

  // Only these paths: `/import` itself is the page (the web routes serve it).
  const guard = async (c: Context<{ Variables: { user: User } }>, next: () => Promise<void>) => {
    if (c.req.method === "POST" && !sameOrigin(c, d.publicOrigin))
      return problem(c, "forbidden", { detail: "Yêu cầu từ nguồn khác bị từ chối · Cross-origin request refused." });
    const p = await principalFromCookies(c.req.header("cookie"), d.auth);
    if (p === null) return problem(c, "unauthorized", { detail: NOT_LOGGED_IN });
    if (p.kind !== "user" || (p.role !== "admin" && (p.role !== "facility" || p.facilityId === null))) return problem(c, "forbidden", { detail: NOT_ALLOWED });
    c.set("user", p as User);
    return next();
  };
  for (const route of ["/facilities", "/template.csv", "/template.xlsx", "/preview", "/jobs", "/jobs/*"]) app.use(route, guard);

  /** The facility of the request, or the problem to answer. */
  const facilityOf = (c: Context<{ Variables: { user: User } }>): string | Response => {
    const u = c.get("user");
    const asked = c.req.query("facility");
    if (u.role === "facility") {
      if (asked !== undefined && asked !== u.facilityId)
        return problem(c, "forbidden", { detail: `Tài khoản thuộc cơ sở ${u.facilityId} · The account belongs to ${u.facilityId}` });
      return u.facilityId!;
    }
    if (!asked || !d.store.registry.byId.has(asked))
      return problem(c, "validation", {
        detail: "Chọn cơ sở · Choose a facility",
        errors: [{ path: "/facility", message: "không có cơ sở này · unknown facility" }],
      });
    return asked;
  };

  const readFile = async (c: Context): Promise<Cells | Response> => {
    const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "text/csv" && type !== XLSX_TYPE)
      return problem(c, "unsupported-media-type", { detail: "Gửi tệp CSV (text/csv) hoặc XLSX · Send a CSV (text/csv) or XLSX file." });
    const buf = Buffer.from(await c.req.arrayBuffer());
    if (buf.length > MAX_IMPORT_BYTES) return problem(c, "body-too-large", { detail: "Tệp quá 32 MiB · The file exceeds 32 MiB" });
    try {
      return type === "text/csv" ? await csvCells(buf) : await xlsxCells(buf);
    } catch (e) {
      return problem(c, "validation", {
        detail: "Không đọc được tệp · The file could not be read",
        errors: [{ path: "/file", message: (e as Error).message }],
      });
    }
  };

  const counts = (events: unknown[]) => {
    const by: Record<string, number> = {};
    for (const e of events) {
      const t = String((e as { type?: unknown }).type ?? "");
      by[t] = (by[t] ?? 0) + 1;
    }
    return by;
  };

  app.get("/facilities", (c) => {
    const u = c.get("user");
    const all = d.store.registry.facilities;
    return c.json(all.filter((f) => u.role === "admin" || f.id === u.facilityId).map((f) => ({ id: f.id, name: f.name, name_en: f.nameEn })));
  });

  app.get("/template.csv", (c) => {
    const header = COLUMNS.map((x) => x.vi).join(",");
    const example = ["", "census", "", "01/12/2026 07:00", "0", "", "", "", "", "", "", "", "", ""].join(",");
    return c.body(`\uFEFF${header}\r\n${example}\r\n`, 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": 'attachment; filename="mau-nhap-so-lieu.csv"',
    });
  });

  app.get("/template.xlsx", async (c) => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Số liệu");
    ws.addRow(COLUMNS.map((x) => x.vi));
    ws.addRow(["", "census", "", "01/12/2026 07:00", 0]);
    ws.getRow(1).font = { bold: true };
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    return c.body(buf, 200, { "content-type": XLSX_TYPE, "content-disposition": 'attachment; filename="mau-nhap-so-lieu.xlsx"' });
  });

  app.post("/preview", async (c) => {
    const facilityId = facilityOf(c);
    if (facilityId instanceof Response) return facilityId;
    const cells = await readFile(c);
    if (cells instanceof Response) return cells;
    const parsed = await parseRows(cells, facilityId, d.store, d.now());
    return c.json({ facility_id: facilityId, rows: parsed.rows, by_type: counts(parsed.events), problems: parsed.problems });
  });

  app.post("/jobs", async (c) => {
    const facilityId = facilityOf(c);
    if (facilityId instanceof Response) return facilityId;
    const cells = await readFile(c);
    if (cells instanceof Response) return cells;
    const user = c.get("user");
    const job: Job = { id: randomUUID(), owner: user.userId, state: "checking", done: 0, total: Math.max(0, cells.length - 1) };
    jobs.set(job.id, job);
    void (async () => {
      try {
        const now = d.now();
        const parsed = await parseRows(cells, facilityId, d.store, now);
        job.total = parsed.rows;
        if (parsed.problems.length) {
          job.result = { ok: false, rows: parsed.rows, problems: parsed.problems };
          return;
        }
        const accepted: AcceptedEvent[] = [];
        for (let s = 0; s < parsed.events.length; s += CHUNK) {
          const checked = validateBody({ events: parsed.events.slice(s, s + CHUNK) }, { facility: (id) => d.store.registry.byId.get(id), now });
          if (checked.ok) accepted.push(...checked.events);
          job.done = Math.min(parsed.rows, s + CHUNK);
          await new Promise((r) => setImmediate(r));
        }
        // Conflicts first, before anything is stored: an event_id already in the log (or twice in
        // the file) with a different body.
        const conflicts: RowProblem[] = [];
        const conflict = (i: number, message: string) =>
          conflicts.push({ row: parsed.rowOf[i] ?? 0, column: VI_OF.event_id!, message: `Xung đột: ${message} · Conflict: ${message}` });
        const bodies = accepted.map((a) => canonicalEvent(a.event));
        const stored = new Map<string, string>();
        for (let s = 0; s < accepted.length; s += CHUNK) {
          const ids = accepted.slice(s, s + CHUNK).map((a) => a.event.event_id);
          for (const [id, body] of await d.store.log.bodiesOf(facilityId, ids)) stored.set(id, body);
          await new Promise((r) => setImmediate(r));
        }
        const seen = new Map<string, string>();
        accepted.forEach((a, i) => {
          const id = a.event.event_id;
          const before = stored.get(id) ?? seen.get(id);
          if (before !== undefined && before !== bodies[i]) conflict(i, "event_id already used with a different body");
          if (!seen.has(id)) seen.set(id, bodies[i]!);
        });
        if (conflicts.length) {
          job.result = { ok: false, rows: parsed.rows, problems: conflicts };
          return;
        }
        // Then the append. Referral rows are the only ones the store may still refuse (a move their
        // referral cannot make): they go first, as one request, so such a refusal stores nothing.
        // The rest cannot conflict any more and go in chunks of 1,000, each its own request to the
        // group committer, so the live board's posts commit between them. The one gap: a sender
        // posting one of these event_ids with a different body between the check above and its
        // chunk; that chunk is refused and reported, and the chunks before it stay stored.
        job.state = "storing";
        job.done = 0;
        const order = [...accepted.keys()].sort((x, y) => Number(accepted[y]!.event.type === "referral") - Number(accepted[x]!.event.type === "referral"));
        const referrals = order.filter((i) => accepted[i]!.event.type === "referral").length;
        const groups: number[][] = referrals ? [order.slice(0, referrals)] : [];
        for (let s = referrals; s < order.length; s += CHUNK) groups.push(order.slice(s, s + CHUNK));
        let acceptedCount = 0;
        let duplicates = 0;
        for (const [g, idx] of groups.entries()) {
          const outcome = await d.committer.submit({ facilityId, events: idx.map((i) => accepted[i]!), receivedAt: now });
          if (!outcome.ok) {
            const storedNote = g === 0 ? "" : ` ${job.done} dòng trước đó đã được lưu · ${job.done} earlier rows were stored`;
            job.result = {
              ok: false,
              rows: parsed.rows,
              accepted: acceptedCount,
              duplicates,
              problems: outcome.conflicts.map((x) => {
                const i = idx[x.index]!;
                return {
                  row: parsed.rowOf[i] ?? 0,
                  column: VI_OF.event_id!,
                  message: `Xung đột: ${x.message} · Conflict: ${x.message}.${storedNote}`,
                };
              }),
            };
            return;
          }
          acceptedCount += outcome.accepted;
          duplicates += outcome.duplicates;
          job.done += idx.length;
        }
        const outcome = { accepted: acceptedCount, duplicates };
        await d.store.audit.record({
          at: d.now(),
          actor: { kind: "user", id: user.userId, email: user.email },
          action: "import",
          target: facilityId,
          after: { rows: parsed.rows, accepted: outcome.accepted, duplicates: outcome.duplicates },
        });
        job.result = { ok: true, rows: parsed.rows, accepted: outcome.accepted, duplicates: outcome.duplicates, by_type: counts(parsed.events) };
      } catch (e) {
        job.result = { ok: false, rows: 0, problems: [{ row: 0, column: "", message: `Lỗi máy chủ · Server fault: ${(e as Error).message}` }] };
      } finally {
        job.done = job.total;
        job.state = "done";
        // Kept a while for the page to read, then forgotten.
        setTimeout(() => jobs.delete(job.id), 10 * 60_000).unref();
      }
    })();
    return c.json({ job_id: job.id }, 202);
  });

  app.get("/jobs/:id", (c) => {
    const job = jobs.get(c.req.param("id"));
    if (!job || job.owner !== c.get("user").userId) return problem(c, "not-found", { detail: "Không có lần nhập này · No such import" });
    return c.json({ state: job.state, done: job.done, total: job.total, result: job.result ?? null });
  });

  return app;
}
