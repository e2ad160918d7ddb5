/** Result shapes, plain-text tables, the PASS/FAIL summary and the JSON artifact. */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Infra, StoreChoice } from "./deploy.js";

export interface BenchOptions {
  quick: boolean;
  log: (msg: string) => void;
  /** `--store postgres --procs N`: the scale-out deployment measured beside SQLite in one process (null: SQLite only). */
  scale: StoreChoice | null;
  /** The run's throwaway PostgreSQL and Redis (started on first use, stopped at the end). */
  infra: Infra;
}

export type Cell = string | number | null | undefined;

export interface Check {
  section: string;
  target: string;
  measured: string;
  pass: boolean | null; // null: could not be measured
}

export interface SectionResult {
  name: string;
  title: string;
  rows: Record<string, Cell>[];
  checks: Check[];
  notes: string[];
  error?: string;
}

export function fmt(v: Cell, digits = 1): string {
  if (v === null || v === undefined || (typeof v === "number" && !Number.isFinite(v))) return "—";
  if (typeof v === "string") return v;
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function table(rows: Record<string, Cell>[]): string {
  if (rows.length === 0) return "  (no rows)";
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cells = rows.map((r) => cols.map((c) => fmt(r[c])));
  const width = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  // Numbers right-aligned, text left-aligned.
  const right = cols.map((c) => rows.every((r) => typeof r[c] !== "string"));
  const pad = (v: string, i: number) => (right[i] ? v.padStart(width[i]!) : v.padEnd(width[i]!));
  const line = (vals: string[]) => ("  " + vals.map(pad).join("  ")).trimEnd();
  return [line(cols), "  " + width.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

export function printSection(s: SectionResult): void {
  console.log(`\n== ${s.title} ==`);
  if (s.rows.length) console.log(table(s.rows));
  for (const n of s.notes) console.log(`  note: ${n}`);
  if (s.error) console.log(`  ERROR: ${s.error}`);
}

export function printSummary(sections: SectionResult[]): void {
  const checks = sections.flatMap((s) =>
    s.error && s.checks.length === 0 ? [{ section: s.name, target: "section ran", measured: s.error.split("\n")[0]!.slice(0, 80), pass: null }] : s.checks,
  );
  console.log("\n== Summary ==");
  console.log(
    table(
      checks.map((c) => ({
        section: c.section,
        target: c.target,
        measured: c.measured,
        verdict: c.pass === null ? "ERROR" : c.pass ? "PASS" : "FAIL",
      })),
    ),
  );
}

export function writeArtifact(root: string, doc: unknown): string {
  const dir = path.join(root, "tests/artifacts");
  mkdirSync(dir, { recursive: true });
  const stamp = new Date()
    .toISOString()
    .replace(/:/g, "-")
    .replace(/\.\d+Z$/, "Z");
  const file = path.join(dir, `bench-${stamp}.json`);
  writeFileSync(file, JSON.stringify(doc, null, 2) + "\n");
  return file;
}

/** Percentile (nearest rank) of an unsorted list; NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
