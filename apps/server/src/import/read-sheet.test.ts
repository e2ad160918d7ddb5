import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { csvRows, xlsxRows } from "./read-sheet.js";

describe("csvRows", () => {
  it("reads rows with their line in the file: a BOM, quoted commas, a blank line, ragged rows", async () => {
    const csv = '\uFEFFLoại,Thời điểm,Nơi chuyển đến\r\nreferral,22/11/2026 07:00,"Bệnh viện A, Sơn La"\r\n\r\ncensus,22/11/2026 08:00\r\n';
    expect(await csvRows(Buffer.from(csv))).toEqual([
      { row: 1, cells: ["Loại", "Thời điểm", "Nơi chuyển đến"] },
      { row: 2, cells: ["referral", "22/11/2026 07:00", "Bệnh viện A, Sơn La"] },
      { row: 3, cells: [""] },
      { row: 4, cells: ["census", "22/11/2026 08:00"] },
    ]);
  });

  it("a row split across two 64 KiB slices is read whole, and the event loop runs between slices", async () => {
    const lines = ["Loại,Thời điểm,Số lượng"];
    for (let i = 0; i < 20_000; i++) lines.push(`admission,22/11/2026 07:00,${i}`);
    let turns = 0;
    let counting = true;
    const count = () => {
      turns++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const rows = await csvRows(Buffer.from(lines.join("\n")));
    counting = false;
    expect(rows).toHaveLength(20_001);
    expect(rows.map((r) => r.cells[2])).toEqual(["Số lượng", ...Array.from({ length: 20_000 }, (_, i) => String(i))]);
    expect(rows[20_000]!.row).toBe(20_001);
    // About 400 kB: several slices, and a turn of the loop after each.
    expect(turns).toBeGreaterThanOrEqual(5);
  });

  it("a malformed file is an error to report, not a crash", async () => {
    await expect(csvRows(Buffer.from('Loại,Thời điểm\n"census,22/11/2026\n'))).rejects.toThrow(/quote/i);
  });
});

describe("xlsxRows", () => {
  it("reads the first sheet as text, keeping each row's number across blank rows; dates as dd/mm/yyyy hh:mm", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Số liệu");
    ws.getCell("A1").value = "Loại";
    ws.getCell("B1").value = "Thời điểm";
    ws.getCell("C1").value = "Số lượng";
    ws.getCell("A2").value = "admission";
    // exceljs writes a Date as the wall-clock time it shows in UTC.
    ws.getCell("B2").value = new Date(Date.UTC(2026, 10, 22, 7, 5));
    ws.getCell("C2").value = 3;
    ws.getCell("A5").value = { richText: [{ text: "cen" }, { text: "sus" }] };
    ws.getCell("B5").value = "22/11/2026 08:00";
    wb.addWorksheet("Ghi chú").getCell("A1").value = "not read";
    const rows = await xlsxRows(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(rows).toEqual([
      { row: 1, cells: ["Loại", "Thời điểm", "Số lượng"] },
      { row: 2, cells: ["admission", "22/11/2026 07:05", "3"] },
      { row: 5, cells: ["census", "22/11/2026 08:00"] },
    ]);
  });
});
