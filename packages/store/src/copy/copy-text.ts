/**
 * PostgreSQL's COPY text format (the default of `COPY … FROM STDIN`): one line per row, fields
 * separated by a tab, NULL as `\N`, and backslash, newline, carriage return and tab escaped in
 * values. Event bodies are canonical JSON, whose strings may hold a backslash (JSON escapes):
 * without this each one would change meaning on the way in.
 */
export function copyField(v: unknown): string {
  if (v === null || v === undefined) return "\\N";
  if (typeof v === "number") {
    // SQLite never stores NaN or ±Infinity in our tables; if one came, COPY would mis-read it.
    if (!Number.isFinite(v)) throw new Error(`cannot copy the number ${v}`);
    // String() is the shortest text that reads back as the same double (REAL → DOUBLE PRECISION).
    return String(v);
  }
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "string") return v.replace(/[\\\n\r\t]/g, (c) => ESCAPES[c]!);
  throw new Error(`cannot copy a value of type ${typeof v} (the store holds numbers and text only)`);
}

const ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** One row (values in the COPY's column order) as a line of COPY text. */
export const copyLine = (row: readonly unknown[]): string => row.map(copyField).join("\t") + "\n";
