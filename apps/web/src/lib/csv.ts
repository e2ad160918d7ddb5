// CSV of any table on the page (issue 8: "CSV of any table"), as Excel opens it: UTF-8 with a
// byte-order mark (without one Excel reads the Vietnamese as Windows-1252), CRLF line ends and
// RFC 4180 quoting. Pure text building here; `downloadCsv` is the one DOM step.

export type CsvCell = string | number | null | undefined;

const BOM = "\uFEFF";

/**
 * A cell as text. Numbers are written as they are (a plain `12.5`, which a spreadsheet reads as
 * a number); a piece of text that a spreadsheet would run as a formula (starting with = + - @,
 * a tab or a carriage return) gets a leading apostrophe, since destinations and names come from
 * facilities' own systems (OWASP "CSV injection").
 */
function cell(v: CsvCell): string {
  if (v === null || v === undefined) return "";
  let text = typeof v === "number" ? (Number.isFinite(v) ? String(v) : "") : v;
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The whole file's text: BOM, a header row, then each row; every line ends with CRLF. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const lines = [header, ...rows].map((r) => r.map(cell).join(","));
  return BOM + lines.map((l) => `${l}\r\n`).join("");
}

/** Offer the text as a file download (a Blob link clicked once, then released). */
export function downloadCsv(filename: string, csv: string): void {
  const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  // Released after the click has been handled: revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
