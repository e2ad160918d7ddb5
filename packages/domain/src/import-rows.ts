import type { FieldProblem } from "./problems.js";
import type { Facility } from "./registry.js";
import { toZonedIso, zoneOffsetMs } from "./time.js";
import { validateBody, type AcceptedEvent } from "./validate.js";

/**
 * A spreadsheet's rows → Facility API events (the /import page's CSV and XLSX files): the
 * template's columns and their Vietnamese or English headers, each cell's value, dates as
 * dd/mm/yyyy hh:mm in the facility's zone or ISO 8601, and every problem by row and column. Pure:
 * the transport reads the file into rows of strings, and chooses how many rows to map at a time
 * (it yields to the event loop between chunks); an event id for a row without one comes from a
 * hash the transport supplies (this package has no crypto).
 */

/** The template's columns: the Vietnamese header (written in the template); the English field name is accepted too. */
export const IMPORT_COLUMNS = [
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
export type ImportColumnKey = (typeof IMPORT_COLUMNS)[number]["key"];

/** The Vietnamese header of each column (what a problem names when the file has no such column). */
export const IMPORT_HEADER_VI: Readonly<Record<ImportColumnKey, string>> = Object.freeze(
  Object.fromEntries(IMPORT_COLUMNS.map((c) => [c.key, c.vi])) as Record<ImportColumnKey, string>,
);

const NUMERIC: ReadonlySet<string> = new Set(["occupied", "capacity", "count"]);
/** Headers compared as a person reads them: Unicode-normalised, case and spacing ignored. */
const fold = (s: string) => s.normalize("NFC").trim().toLowerCase().replace(/\s+/g, " ");
const HEADER: ReadonlyMap<string, ImportColumnKey> = new Map(IMPORT_COLUMNS.flatMap((c) => [[fold(c.vi), c.key] as const, [fold(c.key), c.key] as const]));

/** One row of a sheet: its 1-based row number in the file and its cells as text. */
export interface SheetRow {
  row: number;
  cells: string[];
}

/** A problem of the file, by row (1-based, as the spreadsheet shows it) and column (the file's header). */
export interface RowProblem {
  row: number;
  column: string;
  message: string;
}

/** The file's header row, read: which column each cell is (null: not one of ours, or blank). */
export interface ImportHeader {
  row: number;
  names: string[];
  keys: (ImportColumnKey | null)[];
}

export type HeaderReading = { ok: true; header: ImportHeader } | { ok: false; problems: RowProblem[] };

/** The first row as the header: every unknown column and every missing required one is a problem. */
export function readImportHeader(first: SheetRow | undefined): HeaderReading {
  if (!first) return { ok: false, problems: [{ row: 1, column: "", message: "Tệp trống · The file is empty" }] };
  const keys = first.cells.map((h) => HEADER.get(fold(h)) ?? null);
  const problems: RowProblem[] = [];
  first.cells.forEach((h, i) => {
    if (keys[i] === null && h.trim() !== "") problems.push({ row: first.row, column: h, message: `Cột không rõ "${h}" · Unknown column "${h}"` });
  });
  for (const need of ["type", "occurred_at"] as const)
    if (!keys.includes(need))
      problems.push({ row: first.row, column: IMPORT_HEADER_VI[need], message: `Thiếu cột "${IMPORT_HEADER_VI[need]}" · Missing column "${need}"` });
  return problems.length ? { ok: false, problems } : { ok: true, header: { row: first.row, names: first.cells, keys } };
}

const DMY = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * A cell's date-time → RFC 3339 with the zone's offset: `dd/mm/yyyy [hh:mm[:ss]]` is a wall-clock
 * time in the facility's zone (Vietnamese order: day first); ISO 8601 passes through for the
 * domain's validation to judge. Null when it is neither, or no such day or time.
 */
export function importOccurredAt(text: string, timeZone: string): string | null {
  const t = text.trim();
  const m = DMY.exec(t);
  if (!m) return /^\d{4}-\d{2}-\d{2}T/.test(t) ? t : null;
  const [d, mo, y, h, mi, s] = [m[1], m[2], m[3], m[4] ?? "0", m[5] ?? "0", m[6] ?? "0"].map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(wall);
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1 || h > 23 || mi > 59 || s > 59) return null;
  // Two passes settle a zone whose offset changes near the time (DST).
  const instant = wall - zoneOffsetMs(wall - zoneOffsetMs(wall, timeZone), timeZone);
  const off = zoneOffsetMs(instant, timeZone);
  // The usual case, the wall time exists: written from its own fields (Intl per row was most of
  // the mapping's cost); a time a DST gap skips is written as the instant it resolves to.
  if (instant + off !== wall) return toZonedIso(instant, timeZone);
  const mins = Math.round(off / 60_000);
  const abs = Math.abs(mins);
  return `${y}-${pad2(mo)}-${pad2(d)}T${pad2(h)}:${pad2(mi)}:${pad2(s)}${mins >= 0 ? "+" : "-"}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

export interface ImportContext {
  /** The facility every row is for (the clerk's own, or the one an admin chose). */
  facility: Facility;
  /** The registry, for the domain's validation. */
  lookup: (id: string) => Facility | undefined;
  now: number;
  /** A stable hash of a row's content (hex), for a row without an event_id. */
  hash: (content: string) => string;
}

/** Rows mapped: the events, the file's row of each, the validated events when there was no problem, and every problem. */
export interface MappedRows {
  events: Record<string, unknown>[];
  rowOf: number[];
  /** Null when any row of these had a problem. */
  accepted: AcceptedEvent[] | null;
  problems: RowProblem[];
}

/** A row's cells → a Facility API event for the facility, or the problems of its cells; null for a blank row. */
function rowToEvent(header: ImportHeader, r: SheetRow, ctx: ImportContext, problems: RowProblem[]): Record<string, unknown> | null {
  if (r.cells.every((c) => c.trim() === "")) return null;
  const e: Record<string, unknown> = { facility_id: ctx.facility.id };
  let bad = false;
  header.keys.forEach((k, i) => {
    const v = (r.cells[i] ?? "").trim();
    if (k === null || v === "") return;
    const column = header.names[i] ?? k;
    if (NUMERIC.has(k)) {
      if (!/^\d+$/.test(v)) {
        problems.push({ row: r.row, column, message: `"${v}" không phải số nguyên · not a whole number` });
        bad = true;
      } else e[k] = Number(v);
    } else if (k === "occurred_at") {
      const iso = importOccurredAt(v, ctx.facility.timeZone);
      if (iso === null) {
        problems.push({ row: r.row, column, message: `"${v}" không phải ngày giờ dd/mm/yyyy hh:mm hoặc ISO 8601 · not a date-time` });
        bad = true;
      } else e[k] = iso;
    } else e[k] = v;
  });
  if (bad) return null;
  if (e.event_id === undefined) {
    // A stable id from the row's content: the same row imported again is a duplicate, not a new event.
    const content = JSON.stringify(
      Object.keys(e)
        .sort()
        .map((k) => [k, e[k]]),
    );
    e.event_id = `imp-${ctx.hash(content).slice(0, 32)}`;
  }
  return e;
}

/** The column a validation problem's JSON Pointer names, as the file heads it. */
function columnOf(header: ImportHeader, field: string): string {
  const i = header.keys.indexOf(field as ImportColumnKey);
  if (i >= 0) return header.names[i] ?? field;
  return (IMPORT_HEADER_VI as Record<string, string>)[field] ?? field;
}

/**
 * Map some rows of the file (at most 1,000: the domain validates them as one batch, whose limit
 * that is) to events and validate them with the same rules as the Facility API. Problems carry
 * the row and the file's column; a row with a problem in a cell is not validated further.
 */
export function mapImportRows(header: ImportHeader, rows: readonly SheetRow[], ctx: ImportContext): MappedRows {
  const problems: RowProblem[] = [];
  const events: Record<string, unknown>[] = [];
  const rowOf: number[] = [];
  for (const r of rows) {
    const e = rowToEvent(header, r, ctx, problems);
    if (e === null) continue;
    events.push(e);
    rowOf.push(r.row);
  }
  if (events.length === 0) return { events, rowOf, accepted: problems.length ? null : [], problems };
  const checked = validateBody({ events }, { facility: ctx.lookup, now: ctx.now });
  if (!checked.ok) problems.push(...checked.problems.map((p) => validationProblem(header, rowOf, p)));
  problems.sort((a, b) => a.row - b.row);
  return { events, rowOf, accepted: checked.ok && problems.length === 0 ? checked.events : null, problems };
}

/**
 * The domain's validation messages a clerk meets most, said in Vietnamese first (a clerk reads
 * Vietnamese; the English after the dot is the domain's own message, as the API gives it).
 */
const VI_MESSAGES: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [/^unknown unit; expected one of (.+)$/, (m) => `Cơ sở không có khu này; dùng một trong: ${m[1]}`],
  [/^required for (\w+) events; one of (.+)$/, (m) => `Cần ghi Khu cho loại ${m[1]}; một trong: ${m[2]}`],
  [/has no units: leave "unit" out$/, () => "Cơ sở không chia khu: để trống cột Khu"],
  [/^is more than 5 minutes ahead of the server clock$/, () => "Thời điểm ở tương lai (quá 5 phút so với giờ máy chủ)"],
  [/^is before 2000-01-01$/, () => "Thời điểm trước 01/01/2000"],
  [/^is not a valid date-time$/, () => "Thời điểm không hợp lệ"],
];

function vietnamese(message: string): string {
  for (const [re, vi] of VI_MESSAGES) {
    const m = re.exec(message);
    if (m) return vi(m);
  }
  return "Giá trị không hợp lệ";
}

function validationProblem(header: ImportHeader, rowOf: readonly number[], p: FieldProblem): RowProblem {
  const m = /^\/events\/(\d+)(?:\/([^/]+))?/.exec(p.path);
  const i = m ? Number(m[1]) : 0;
  return { row: rowOf[i] ?? 0, column: columnOf(header, m?.[2] ?? ""), message: `${vietnamese(p.message)} · ${p.message}` };
}
