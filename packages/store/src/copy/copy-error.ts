/**
 * Why a copy did not happen: `source` (not a carewatch SQLite store, or one from a newer
 * carewatch), `refused` (the target already holds a store), `schema` (the two engines' tables do
 * not match: a migration on one side only). Nothing was written to the target in any case.
 */
export class CopyError extends Error {
  constructor(
    message: string,
    readonly kind: "source" | "refused" | "schema",
  ) {
    super(message);
    this.name = "CopyError";
  }
}
