import type { Registry } from "@carewatch/domain";

/**
 * A province scope as stored: a JSON array of the registry's province ids, sorted and without
 * repeats. An unknown id is refused — a typo would otherwise scope a manager or a board to
 * nothing, silently.
 */
export function provincesToStore(registry: Registry, provinces: readonly string[]): string {
  const known = new Set(registry.provinces.map((p) => p.id));
  const unknown = provinces.filter((p) => !known.has(p));
  if (unknown.length)
    throw new Error(
      `unknown province${unknown.length > 1 ? "s" : ""} ${unknown.map((p) => `"${p}"`).join(", ")}: not in the registry (have ${[...known].join(", ")})`,
    );
  return JSON.stringify([...new Set(provinces)].sort());
}

export function provincesFromStore(json: string): string[] {
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === "string")) throw new Error(`store: malformed province list ${json}`);
  return parsed;
}
