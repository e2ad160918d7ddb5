import type { z } from "zod";

/** One thing wrong with a request, located by a JSON Pointer (RFC 6901) into the request body. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** Escape one reference token per RFC 6901 (`~` → `~0`, `/` → `~1`). */
export function pointerToken(token: string | number): string {
  return String(token).replace(/~/g, "~0").replace(/\//g, "~1");
}

export function toPointer(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => "/" + pointerToken(typeof p === "symbol" ? p.toString() : p)).join("");
}

/**
 * Zod issues → field problems. An unrecognized key is reported at the key itself, so an
 * integrator sees exactly which field to remove (the privacy rule: unknown fields are refused).
 */
export function problemsFromZod(error: z.ZodError, prefix: ReadonlyArray<string | number> = []): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const issue of error.issues) {
    const base = [...prefix, ...(issue.path as PropertyKey[])];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push({ path: toPointer([...base, key]), message: `Unknown field "${key}" is not allowed (carewatch accepts counts only)` });
      }
    } else {
      out.push({ path: toPointer(base), message: issue.message });
    }
  }
  return out;
}
