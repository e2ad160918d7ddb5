/**
 * What `cw copy` moves from an SQLite store to PostgreSQL, table by table, in an order that
 * satisfies the foreign keys (facilities before the events, keys and users that name them; users
 * before their sessions and invitations; plans before targets before assessments). The columns
 * are the same on both engines (migrations-pg mirror migrations/); copy-to-pg.ts checks that
 * table by table, so a later migration on one side only is an error, never a silent loss.
 */
export type TableRole =
  /** The registry as loaded (rewritten from the current version at every open). */
  | "registry"
  /** The event log: the source of truth, seq kept exactly (displays resume from it). */
  | "log"
  /** State of its own, not derived from the log: accounts, keys, displays, audit, versions, targets. */
  | "state"
  /** Derived from the log: copied, then checked against a replay on the target. */
  | "projection";

export interface CopiedTable {
  name: string;
  role: TableRole;
}

export const COPIED_TABLES: readonly CopiedTable[] = [
  { name: "facilities", role: "registry" },
  { name: "registry_versions", role: "state" },
  { name: "events", role: "log" },
  { name: "api_keys", role: "state" },
  { name: "displays", role: "state" },
  { name: "users", role: "state" },
  // Sessions too (token hashes only): people stay logged in across the move, as across a restart.
  { name: "sessions", role: "state" },
  { name: "invitations", role: "state" },
  { name: "audit", role: "state" },
  { name: "target_plans", role: "state" },
  { name: "targets", role: "state" },
  { name: "target_assessments", role: "state" },
  { name: "unit_state", role: "projection" },
  { name: "facility_state", role: "projection" },
  { name: "referrals", role: "projection" },
  { name: "referral_steps", role: "projection" },
  { name: "rollup_hourly", role: "projection" },
  { name: "rollup_daily", role: "projection" },
];

/** In the SQLite store but not copied: each engine keeps its own migration records and bookkeeping. */
export const NOT_COPIED: readonly string[] = ["schema_migrations", "store_meta"];

/**
 * A row in any of these means the target already holds a store: the copy refuses it. (A store
 * opened once and never used holds only its seeded registry version and facilities rows: those
 * the copy replaces with the source's.)
 */
export const DATA_TABLES: readonly string[] = COPIED_TABLES.filter((t) => t.role === "log" || t.role === "state")
  .map((t) => t.name)
  .filter((n) => n !== "registry_versions");
