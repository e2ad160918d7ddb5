import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ExcelJS from "exceljs";
import { expectProblem, makeClock, REHAB, SOCIAL, SONG_MA, T0 } from "../support/contract-helpers.js";
import { readResponse, startTestServer, type TestServer } from "../support/server.js";
import { createAccount, login } from "../support/accounts.js";

/**
 * `/import`: a clerk (own facility) or an admin (chosen facility) uploads CSV or XLSX; a preview
 * stores nothing; the import is all or nothing through the same committer; the same file again
 * is all duplicates. Real server, real SQLite.
 */
const clock = makeClock(T0);
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
let s: TestServer;
let clerk: string;
let admin: string;
let n = 0;

async function account(role: "admin" | "manager" | "facility", facilityId: string | null = null): Promise<string> {
  const email = `import${++n}.${process.pid}@sldtbxh.gov.vn`;
  await createAccount(s, { email, role, facilityId });
  const r = await login(s.url, email);
  expect(r.status, r.text).toBe(200);
  return r.cookie!;
}

async function send(path: string, cookie: string | null, body: string | Buffer, type = "text/csv", headers: Record<string, string> = {}) {
  return readResponse(
    await fetch(`${s.url}/import/${path}`, {
      method: "POST",
      headers: { "content-type": type, ...(cookie ? { cookie } : {}), ...headers },
      body: typeof body === "string" ? body : new Uint8Array(body),
    }),
  );
}

/** Start an import and poll its job until done (no timing: it waits for the state). */
async function runImport(cookie: string, body: string | Buffer, type = "text/csv", query = "") {
  const started = await send(`jobs${query}`, cookie, body, type);
  expect(started.status, started.text).toBe(202);
  for (;;) {
    const r = await readResponse(await fetch(`${s.url}/import/jobs/${started.json.job_id}`, { headers: { cookie } }));
    expect(r.status, r.text).toBe(200);
    expect(r.json.done).toBeLessThanOrEqual(r.json.total);
    if (r.json.state === "done") return r.json;
    await new Promise((res) => setTimeout(res, 20));
  }
}

const status = async (id: string) => (await s.store.reads.facilityStatus(id, clock.now()))!;
const eventCount = () => s.store.reads.countEvents();

const HEAD_VI =
  "Mã sự kiện,Loại,Khu,Thời điểm,Số đang điều trị,Sức chứa,Số lượng,Đối tượng,Kết quả ra viện,Loại điều trị,Mã chuyển tuyến,Trạng thái,Nơi chuyển đến,Mức khẩn";
// T0 is 22/11/2026 08:00 in Asia/Ho_Chi_Minh.
const GOOD_CSV = [
  HEAD_VI,
  ",census,compulsory,22/11/2026 06:00,150,,,,,,,,,",
  ",admission,compulsory,22/11/2026 06:30,,,4,voluntary,,,,,,",
  ",discharge,compulsory,22/11/2026 07:00,,,1,,completed,,,,,",
  ",treatment,,22/11/2026 07:10,,,6,,,detox,,,,",
  ",referral,,2026-11-22T07:20:00+07:00,,,,,,,imp-ref-1,requested,Bệnh viện Đa khoa tỉnh Sơn La,urgent",
].join("\r\n");

beforeAll(async () => {
  s = await startTestServer({ now: clock.now });
  clerk = await account("facility", REHAB);
  admin = await account("admin");
});
afterAll(async () => {
  await s?.stop();
});

describe("/import", () => {
  it("serves the template as CSV and XLSX with Vietnamese headers", async () => {
    const csv = await fetch(`${s.url}/import/template.csv`, { headers: { cookie: clerk } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(csv.headers.get("content-disposition")).toMatch(/attachment; filename=".+\.csv"/);
    const text = (await csv.text()).replace(/^\uFEFF/, "");
    expect(text.split("\r\n")[0]).toBe(HEAD_VI);

    const x = await fetch(`${s.url}/import/template.xlsx`, { headers: { cookie: clerk } });
    expect(x.status).toBe(200);
    expect(x.headers.get("content-type")).toBe(XLSX);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await x.arrayBuffer());
    const header = (wb.worksheets[0]!.getRow(1).values as unknown[]).slice(1);
    expect(header.join(",")).toBe(HEAD_VI);
  });

  it("a preview lists every problem by row and column, Vietnamese first, and stores nothing", async () => {
    const before = await eventCount();
    const csv = [
      HEAD_VI,
      ",census,compulsory,22/11/2026 06:00,150,,,,,,,,,",
      ",census,compulsory,31/02/2026 06:00,10,,,,,,,,,",
      ",admission,compulsory,22/11/2026 06:30,,,abc,,,,,,,",
      ",treatment,,22/11/2026 07:10,,,6,,,sauna,,,,",
      ",census,,22/11/2026 06:00,5,,,,,,,,,",
    ].join("\n");
    const r = await send("preview", clerk, csv);
    expect(r.status, r.text).toBe(200);
    expect(r.json.facility_id).toBe(REHAB);
    const where = r.json.problems.map((p: { row: number; column: string }) => `${p.row}:${p.column}`);
    expect(where).toEqual(["3:Thời điểm", "4:Số lượng", "5:Loại điều trị", "6:Khu"]);
    expect(r.json.problems[0].message).toMatch(/^"31\/02\/2026 06:00" không phải ngày giờ/);
    // The domain's own message, after a Vietnamese lead.
    expect(r.json.problems[2].message).toMatch(/^Giá trị không hợp lệ · /);
    expect(await eventCount()).toBe(before);
    // An import of that file stores nothing either.
    const job = await runImport(clerk, csv);
    expect(job.result.ok).toBe(false);
    expect(job.result.problems).toHaveLength(4);
    expect(await eventCount()).toBe(before);
  });

  it("CSV with Vietnamese headers and dd/mm/yyyy: preview counts, import, status reflects it; again → all duplicates", async () => {
    const preview = await send("preview", clerk, GOOD_CSV);
    expect(preview.status, preview.text).toBe(200);
    expect(preview.json).toEqual({
      facility_id: REHAB,
      rows: 5,
      by_type: { census: 1, admission: 1, discharge: 1, treatment: 1, referral: 1 },
      problems: [],
      problem_count: 0,
    });
    const before = await eventCount();
    const job = await runImport(clerk, GOOD_CSV);
    expect(job.result).toMatchObject({ ok: true, rows: 5, accepted: 5, duplicates: 0 });
    expect(await eventCount()).toBe(before + 5);
    const st = await status(REHAB);
    expect(st.units.find((u) => u.unit_id === "compulsory")!.occupied).toBe(153);
    expect(st.today.admissions).toBe(4);
    expect(st.today.discharges).toBe(1);
    expect(st.today.treatments.detox).toBe(6);
    expect(st.today.referrals_open).toBe(1);

    const again = await runImport(clerk, GOOD_CSV);
    expect(again.result).toMatchObject({ ok: true, rows: 5, accepted: 0, duplicates: 5 });
    expect(await eventCount()).toBe(before + 5);

    const audit = (await s.store.audit.list({ action: "import", target: REHAB, limit: 50 })).map((a) => a.after);
    expect(audit).toEqual(
      expect.arrayContaining([
        { rows: 5, accepted: 5, duplicates: 0 },
        { rows: 5, accepted: 0, duplicates: 5 },
      ]),
    );
  });

  it("XLSX with Vietnamese headers, a dd/mm/yyyy text cell and a date cell, English headers accepted in CSV", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Số liệu");
    ws.addRow(["Mã sự kiện", "Loại", "Khu", "Thời điểm", "Số lượng", "Đối tượng"]);
    ws.addRow(["x-adm-1", "admission", "female", "22/11/2026 07:30", 2, "voluntary"]);
    ws.addRow([]);
    // A date cell: the wall-clock time the clerk typed (exceljs stores it as UTC fields).
    ws.addRow(["x-adm-2", "admission", "female", new Date(Date.UTC(2026, 10, 22, 7, 40)), 3, ""]);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const preview = await send("preview", clerk, buf, XLSX);
    expect(preview.status, preview.text).toBe(200);
    expect(preview.json).toMatchObject({ rows: 2, by_type: { admission: 2 }, problems: [] });
    const job = await runImport(clerk, buf, XLSX);
    expect(job.result).toMatchObject({ ok: true, accepted: 2, duplicates: 0 });
    expect((await status(REHAB)).units.find((u) => u.unit_id === "female")!.occupied).toBe(5);

    const english = "event_id,type,unit,occurred_at,count\nx-en-1,admission,medical,22/11/2026 07:45,1\n";
    const r = await runImport(clerk, english);
    expect(r.result).toMatchObject({ ok: true, accepted: 1 });
    // A bad row in XLSX is reported with its row number in the sheet (blank rows counted).
    const bad = new ExcelJS.Workbook();
    const b = bad.addWorksheet("x");
    b.addRow(["Loại", "Khu", "Thời điểm", "Số lượng"]);
    b.addRow([]);
    b.addRow(["admission", "nowhere", "22/11/2026 07:30", 1]);
    const p = await send("preview", clerk, Buffer.from(await bad.xlsx.writeBuffer()), XLSX);
    expect(p.json.problems.map((x: { row: number; column: string }) => `${x.row}:${x.column}`)).toEqual(["3:Khu"]);
  });

  it("a conflicting row is reported and nothing of the file is stored", async () => {
    const first = `${HEAD_VI}\nc-1,admission,voluntary,22/11/2026 07:00,,,1,,,,,,,\n`;
    expect((await runImport(clerk, first)).result).toMatchObject({ ok: true, accepted: 1 });
    const before = await eventCount();
    const voluntary = (await status(REHAB)).units.find((u) => u.unit_id === "voluntary")!.occupied;
    const conflicting = [HEAD_VI, "c-2,admission,voluntary,22/11/2026 07:05,,,1,,,,,,,", "c-1,admission,voluntary,22/11/2026 07:00,,,9,,,,,,,"].join("\n");
    const job = await runImport(clerk, conflicting);
    expect(job.result.ok).toBe(false);
    expect(job.result.problems).toEqual([expect.objectContaining({ row: 3, column: "Mã sự kiện" })]);
    expect(job.result.problems[0].message).toMatch(/^Xung đột/);
    expect(await eventCount()).toBe(before);
    expect((await status(REHAB)).units.find((u) => u.unit_id === "voluntary")!.occupied).toBe(voluntary);
  });

  it("an event_id twice in the file with different rows is a conflict; nothing stored", async () => {
    const before = await eventCount();
    const csv = [
      HEAD_VI,
      "d-1,admission,voluntary,22/11/2026 07:05,,,1,,,,,,,",
      "d-2,admission,voluntary,22/11/2026 07:06,,,1,,,,,,,",
      "d-1,admission,voluntary,22/11/2026 07:05,,,2,,,,,,,",
    ].join("\n");
    const job = await runImport(clerk, csv);
    expect(job.result.ok).toBe(false);
    expect(job.result.problems.map((p: { row: number; column: string }) => `${p.row}:${p.column}`)).toEqual(["4:Mã sự kiện"]);
    expect(await eventCount()).toBe(before);
  });

  it("a referral move the store refuses stores nothing of the file", async () => {
    const before = await eventCount();
    const csv = [
      HEAD_VI,
      ",admission,voluntary,22/11/2026 07:01,,,1,,,,,,,",
      ",referral,,22/11/2026 07:02,,,,,,,imp-ref-9,transferred,Bệnh viện Đa khoa tỉnh Sơn La,",
      ",referral,,22/11/2026 07:03,,,,,,,imp-ref-9,cancelled,Bệnh viện Đa khoa tỉnh Sơn La,",
    ].join("\n");
    expect((await send("preview", clerk, csv)).json.problems).toEqual([]);
    const job = await runImport(clerk, csv);
    expect(job.result.ok).toBe(false);
    expect(job.result.problems).toEqual([expect.objectContaining({ row: 4, column: "Mã sự kiện" })]);
    expect(job.result.problems[0].message).toMatch(/^Xung đột: .*cannot be cancelled/);
    expect(await eventCount()).toBe(before);
  });

  it("a clerk is refused another facility; an admin chooses one", async () => {
    const other = await send(`preview?facility=${SONG_MA}`, clerk, GOOD_CSV);
    expectProblem(other, 403);
    expect(other.json.detail).toMatch(/^Tài khoản thuộc cơ sở/);
    const noChoice = await send("preview", admin, GOOD_CSV);
    expectProblem(noChoice, 422);
    const csv = "Loại,Thời điểm,Số đang điều trị\ncensus,22/11/2026 07:00,40\n";
    const job = await runImport(admin, csv, "text/csv", `?facility=${SONG_MA}`);
    expect(job.result).toMatchObject({ ok: true, accepted: 1 });
    expect((await status(SONG_MA)).occupied).toBe(40);
    const audit = await s.store.audit.list({ action: "import", target: SONG_MA, limit: 10 });
    expect(audit[0]!.actor.email).toMatch(/^import2\./);
  });

  it("managers, displays and anonymous visitors are refused; cross-site and form posts too", async () => {
    const before = await eventCount();
    expectProblem(await send("preview", null, GOOD_CSV), 401);
    expectProblem(await send("jobs", null, GOOD_CSV), 401);
    expect((await fetch(`${s.url}/import/template.csv`)).status).toBe(401);
    const manager = await account("manager");
    expectProblem(await send("preview", manager, GOOD_CSV), 403);
    expectProblem(await send("jobs", manager, GOOD_CSV), 403);
    const display = `cw_display=${await s.display()}`;
    expectProblem(await send("jobs", display, GOOD_CSV), 403);
    expectProblem(await send("jobs", clerk, GOOD_CSV, "text/csv", { origin: "https://evil.example" }), 403);
    expectProblem(await send("jobs", clerk, GOOD_CSV, "text/plain"), 415);
    expect(await eventCount()).toBe(before);
    const page = (cookie: string | null) => fetch(`${s.url}/import`, { headers: cookie ? { cookie } : {}, redirect: "manual" });
    expect((await page(null)).headers.get("location")).toBe("/login?next=%2Fimport");
    expect((await page(clerk)).status).toBe(200);
    expect((await page(admin)).status).toBe(200);
    expect((await page(manager)).status).toBe(403);
  });

  it("a file with a problem on every row: the first 1,000 listed (in row order), problem_count says how many; nothing stored", async () => {
    const lines = ["Loại,Thời điểm,Số lượng,Loại điều trị"];
    for (let i = 0; i < 1500; i++) lines.push(`treatment,22/11/2026 07:00,${i % 2 ? "hai" : "2"},${i % 2 ? "detox" : "sauna"}`);
    const before = await eventCount();
    const r = await send("preview", clerk, lines.join("\n"));
    expect(r.status, r.text).toBe(200);
    expect(r.json.problem_count).toBe(1500);
    expect(r.json.problems).toHaveLength(1000);
    expect(r.json.problems[0].row).toBe(2);
    expect(r.json.problems[999].row).toBe(1001);
    const job = await runImport(clerk, lines.join("\n"));
    expect(job.result).toMatchObject({ ok: false, problem_count: 1500 });
    expect(job.result.problems).toHaveLength(1000);
    expect(await eventCount()).toBe(before);
  });

  it("10,000 rows import through the committer; the same file again is 10,000 duplicates", async () => {
    const lines = ["Mã sự kiện,Loại,Thời điểm,Loại điều trị,Số lượng"];
    for (let i = 0; i < 10_000; i++) lines.push(`bulk-${i},treatment,${i % 2 ? "22/11/2026 07:00" : "2026-11-22T06:00:00+07:00"},psychosocial,1`);
    const csv = lines.join("\n");
    const before = await eventCount();
    const job = await runImport(admin, csv, "text/csv", `?facility=${SOCIAL}`);
    expect(job.result).toMatchObject({ ok: true, rows: 10_000, accepted: 10_000, duplicates: 0 });
    expect(await eventCount()).toBe(before + 10_000);
    expect((await status(SOCIAL)).today.treatments.psychosocial).toBe(10_000);
    const again = await runImport(admin, csv, "text/csv", `?facility=${SOCIAL}`);
    expect(again.result).toMatchObject({ ok: true, accepted: 0, duplicates: 10_000 });
    expect(await eventCount()).toBe(before + 10_000);
  });
});
