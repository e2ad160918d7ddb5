import { randomUUID } from "node:crypto";
import { Hono, type Context } from "hono";
import ExcelJS from "exceljs";
import { IMPORT_COLUMNS, type SheetRow, type UserPrincipal } from "@carewatch/domain";
import type { GroupCommitter, Store } from "@carewatch/store";
import { sameOrigin } from "../auth/csrf.js";
import { principalFromCookies, type SessionAuth } from "../auth/principal.js";
import { problem } from "../http/problem.js";
import { listed, mapSheet, runImportJob, type Job } from "./import-job.js";
import { csvRows, XLSX_TYPE, xlsxRows } from "./read-sheet.js";

export interface ImportRouteDeps {
  store: Store;
  committer: GroupCommitter;
  now: () => number;
  auth: SessionAuth;
  publicOrigin: string;
}

export const MAX_IMPORT_BYTES = 32 * 1024 * 1024;

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
 * The route reads the file (read-sheet.ts) and keeps the jobs; the rows become events in the
 * domain (packages/domain/src/import-rows.ts); the import's all-or-nothing order is runImportJob's
 * (import-job.ts). Every step over the rows goes a chunk at a time with a yield to the event loop
 * between, so a 100,000-row file does not stall the live board (tests/bench/import.ts).
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

  const readFile = async (c: Context): Promise<SheetRow[] | Response> => {
    const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "text/csv" && type !== XLSX_TYPE)
      return problem(c, "unsupported-media-type", { detail: "Gửi tệp CSV (text/csv) hoặc XLSX · Send a CSV (text/csv) or XLSX file." });
    const buf = Buffer.from(await c.req.arrayBuffer());
    if (buf.length > MAX_IMPORT_BYTES) return problem(c, "body-too-large", { detail: "Tệp quá 32 MiB · The file exceeds 32 MiB" });
    try {
      return type === "text/csv" ? await csvRows(buf) : await xlsxRows(buf);
    } catch (e) {
      return problem(c, "validation", {
        detail: "Không đọc được tệp · The file could not be read",
        errors: [{ path: "/file", message: (e as Error).message }],
      });
    }
  };

  app.get("/facilities", (c) => {
    const u = c.get("user");
    const all = d.store.registry.facilities;
    return c.json(all.filter((f) => u.role === "admin" || f.id === u.facilityId).map((f) => ({ id: f.id, name: f.name, name_en: f.nameEn })));
  });

  app.get("/template.csv", (c) => {
    const header = IMPORT_COLUMNS.map((x) => x.vi).join(",");
    const example = ["", "census", "", "01/12/2026 07:00", "0", "", "", "", "", "", "", "", "", ""].join(",");
    return c.body(`\uFEFF${header}\r\n${example}\r\n`, 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": 'attachment; filename="mau-nhap-so-lieu.csv"',
    });
  });

  app.get("/template.xlsx", async (c) => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Số liệu");
    ws.addRow(IMPORT_COLUMNS.map((x) => x.vi));
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
    const mapped = await mapSheet(cells, facilityId, d.store, d.now());
    return c.json({ facility_id: facilityId, rows: mapped.rows, by_type: mapped.byType, ...listed(mapped.problems) });
  });

  app.post("/jobs", async (c) => {
    const facilityId = facilityOf(c);
    if (facilityId instanceof Response) return facilityId;
    const cells = await readFile(c);
    if (cells instanceof Response) return cells;
    const user = c.get("user");
    const job: Job = { id: randomUUID(), owner: user.userId, state: "checking", done: 0, total: Math.max(0, cells.length - 1) };
    jobs.set(job.id, job);
    void runImportJob(d, job, cells, facilityId, user)
      .catch((e: unknown) => {
        job.result = { ok: false, rows: 0, ...listed([{ row: 0, column: "", message: `Lỗi máy chủ · Server fault: ${(e as Error).message}` }]) };
      })
      .finally(() => {
        job.done = job.total;
        job.state = "done";
        // Kept a while for the page to read, then forgotten.
        setTimeout(() => jobs.delete(job.id), 10 * 60_000).unref();
      });
    return c.json({ job_id: job.id }, 202);
  });

  app.get("/jobs/:id", (c) => {
    const job = jobs.get(c.req.param("id"));
    if (!job || job.owner !== c.get("user").userId) return problem(c, "not-found", { detail: "Không có lần nhập này · No such import" });
    return c.json({ state: job.state, done: job.done, total: job.total, result: job.result ?? null });
  });

  return app;
}
