import { Readable } from "node:stream";
import { parse as parseCsv } from "csv-parse";
import ExcelJS from "exceljs";
import type { SheetRow } from "@carewatch/domain";

export const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** Let the event loop run (sockets, the live board, other requests) before the next slice of work. */
export const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** CSV bytes fed to the parser at a time: about 1,000 rows of a typical sheet, a few ms of parsing. */
const CSV_SLICE = 64 * 1024;

/**
 * A CSV file's rows as text, with their 1-based line number in the file (csv-parse, streaming).
 * The parser is written a slice at a time with a yield to the event loop between slices: piped
 * from a stream instead, it runs the whole file in one go (stream callbacks are microtasks and
 * ticks, never a turn of the loop) — 0.85 s for 100,000 rows, a stall of the live board.
 */
export async function csvRows(body: Buffer): Promise<SheetRow[]> {
  const out: SheetRow[] = [];
  const parser = parseCsv({ bom: true, relax_column_count: true, skip_empty_lines: false, info: true });
  let failed: Error | null = null;
  parser.on("data", (rec: { record: string[]; info: { lines: number } }) => out.push({ row: rec.info.lines, cells: rec.record }));
  parser.on("error", (e: Error) => (failed = e));
  for (let i = 0; i < body.length && !failed; i += CSV_SLICE) {
    parser.write(body.subarray(i, i + CSV_SLICE));
    await yieldToLoop();
  }
  if (!failed) {
    const ended = new Promise<void>((resolve) => parser.once("end", resolve).once("error", () => resolve()));
    parser.end();
    await ended;
  }
  if (failed) throw failed;
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

/**
 * The first worksheet of an XLSX file as rows of text (exceljs's streaming reader, shared strings
 * cached). The reader skips blank rows, so each row keeps `row.number`, its row in the sheet.
 * A yield every 1,000 rows: the reader itself hands rows over in small batches.
 */
export async function xlsxRows(body: Buffer): Promise<SheetRow[]> {
  const out: SheetRow[] = [];
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
      out.push({ row: row.number, cells });
      if (out.length % 1000 === 0) await yieldToLoop();
    }
    break; // the first sheet only
  }
  return out;
}
