import { versionAt, type Facility, type Registry } from "@carewatch/domain";
import type postgres from "postgres";
import { liveRegistry, parseVersion, RegistryConflictError, type StoredVersion } from "../registry-versions.js";
import type { RegistryVersions } from "../types.js";

/**
 * Taken (for the transaction) by every open and every change: two processes opening at once
 * seed once, and a process writing the current version's `facilities` rows at its open cannot
 * overwrite a newer version's committed meanwhile. hashtext: a fixed key, no parameter to send.
 */
const lockRegistry = (tx: postgres.TransactionSql) => tx`SELECT pg_advisory_xact_lock(hashtext('carewatch.registry_versions'))`;

type Db = postgres.Sql | postgres.TransactionSql;

// The pool parses BIGINT as a number (context.ts); Number() keeps a bare client right as well.
const readAfter = async (db: Db, after: number): Promise<StoredVersion[]> =>
  (
    await db<{ version: number; effectiveFrom: number; createdAt: number; createdBy: string; document: string }[]>`
      SELECT version, effective_from AS "effectiveFrom", created_at AS "createdAt", created_by AS "createdBy", document
      FROM registry_versions WHERE version > ${after} ORDER BY version`
  ).map((r) => ({ ...r, version: Number(r.version), effectiveFrom: Number(r.effectiveFrom), createdAt: Number(r.createdAt) }));

/** The `facilities` rows (the registry entry as JSON, as SQLite keeps them) of one version. */
async function writeFacilities(tx: postgres.TransactionSql, r: Registry): Promise<void> {
  const rows = r.facilities.map((f: Facility) => ({ id: f.id, config: JSON.stringify(f) }));
  if (rows.length) await tx`INSERT INTO facilities ${tx(rows, "id", "config")} ON CONFLICT (id) DO UPDATE SET config = excluded.config`;
}

/**
 * The registry's versions on PostgreSQL, with the semantics of registry-versions.ts: seeded at
 * the first open, `live` answers with the current version synchronously (so the versions are
 * loaded here, and `refresh` picks up those another process wrote — the store calls it on a
 * notification and on its poll), `change` refuses a stale `basedOn`.
 */
export async function createPgRegistryVersions(sql: postgres.Sql, seed: Registry, now: number) {
  const versions: StoredVersion[] = [];
  const last = () => versions[versions.length - 1]!.version;
  // Two refreshes may overlap: only versions after the ones held are taken.
  const take = (rows: StoredVersion[]) => versions.push(...rows.filter((v) => versions.length === 0 || v.version > last()));

  await sql.begin(async (tx) => {
    await lockRegistry(tx);
    await tx`INSERT INTO registry_versions (version, effective_from, document, created_at, created_by)
      VALUES (1, 0, ${JSON.stringify(seed.document)}, ${now}, 'seed') ON CONFLICT (version) DO NOTHING`;
    take(await readAfter(tx, 0));
    await writeFacilities(tx, parseVersion(versions[versions.length - 1]!));
  });

  const current = (): Registry => parseVersion(versions[versions.length - 1]!);
  const live = liveRegistry(current);

  /** Reads versions added since ours (by any process); true when there were some. */
  async function refresh(): Promise<boolean> {
    const before = last();
    take(await readAfter(sql, before));
    return last() !== before;
  }

  const port: RegistryVersions = {
    current: last,
    at: (t) => parseVersion(versionAt(versions, t)!),
    async list() {
      await refresh();
      return versions.map(({ version, effectiveFrom, createdAt, createdBy }) => ({ version, effectiveFrom, createdAt, createdBy }));
    },
    async change(next, o) {
      const version = await sql.begin(async (tx) => {
        await lockRegistry(tx);
        // Under the lock, READ COMMITTED sees every version committed before it.
        take(await readAfter(tx, last()));
        if (last() !== o.basedOn) throw new RegistryConflictError(`the registry changed meanwhile (version ${last()}, the change was made on ${o.basedOn})`);
        await tx`INSERT INTO registry_versions (version, effective_from, document, created_at, created_by)
          VALUES (${last() + 1}, ${o.effectiveFrom}, ${JSON.stringify(next.document)}, ${o.at}, ${o.by})`;
        await writeFacilities(tx, next);
        return last() + 1;
      });
      await refresh();
      return { version };
    },
  };

  return { live, port, refresh };
}
