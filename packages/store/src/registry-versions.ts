import { parseRegistry, versionAt, type Facility, type Registry, type RegistryDocument } from "@carewatch/domain";
import type Database from "better-sqlite3";
import type { RegistryVersionInfo, RegistryVersions } from "./types.js";

/** A stored version as read (either engine): its document is RegistrySchema's JSON, parsed once on first use. */
export interface StoredVersion extends RegistryVersionInfo {
  document: string;
  parsed?: Registry;
}

export function parseVersion(v: StoredVersion): Registry {
  if (!v.parsed) {
    const r = parseRegistry(JSON.parse(v.document) as unknown);
    // Every stored version passed the same check before it was written.
    if (!r.ok) throw new Error(`carewatch store: registry version ${v.version} no longer parses: ${r.problems.join("; ")}`);
    v.parsed = r.registry;
  }
  return v.parsed;
}

/** Thrown when a change was based on a version that is no longer the current one (another admin, another process). */
export class RegistryConflictError extends Error {}

/** A registry that always answers with `current()`: held once as `store.registry`, it follows every change. */
export function liveRegistry(current: () => Registry): Registry {
  return {
    get document(): RegistryDocument {
      return current().document;
    },
    get timeZone(): string {
      return current().timeZone;
    },
    get provinces(): Registry["provinces"] {
      return current().provinces;
    },
    get facilities(): Facility[] {
      return current().facilities;
    },
    get byId(): Map<string, Facility> {
      return current().byId;
    },
  };
}

/**
 * The store's registry: the versions in `registry_versions`, seeded at the first open. The
 * `live` object is what the rest of the store and the server hold as `store.registry`: it
 * always answers with the current version, so a change reaches every reader without handing
 * out a new object. Versions written by another process are picked up by `refresh`, which the
 * store calls when the database changed (the log's watch) and before each write.
 */
export function createRegistryVersions(db: Database.Database, seed: Registry, now: number) {
  const q = {
    all: db.prepare(
      "SELECT version, effective_from AS effectiveFrom, created_at AS createdAt, created_by AS createdBy, document FROM registry_versions ORDER BY version",
    ),
    after: db.prepare(
      "SELECT version, effective_from AS effectiveFrom, created_at AS createdAt, created_by AS createdBy, document FROM registry_versions WHERE version > ? ORDER BY version",
    ),
    last: db.prepare("SELECT COALESCE(MAX(version), 0) FROM registry_versions").pluck(),
    insert: db.prepare("INSERT INTO registry_versions (version, effective_from, document, created_at, created_by) VALUES (?, ?, ?, ?, ?)"),
    upsertFacility: db.prepare("INSERT INTO facilities (id, config) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config"),
  };

  const writeFacilities = (r: Registry) => {
    for (const f of r.facilities) q.upsertFacility.run(f.id, JSON.stringify(f));
  };

  db.transaction(() => {
    if ((q.last.get() as number) === 0) q.insert.run(1, 0, JSON.stringify(seed.document), now, "seed");
  }).immediate();

  const versions: StoredVersion[] = q.all.all() as StoredVersion[];
  const current = (): Registry => parseVersion(versions[versions.length - 1]!);
  db.transaction(() => writeFacilities(current()))();

  /** Reads versions added since ours (by any connection); true when there were some. */
  function refresh(): boolean {
    const last = versions[versions.length - 1]!.version;
    if ((q.last.get() as number) === last) return false;
    versions.push(...(q.after.all(last) as StoredVersion[]));
    return true;
  }

  const live = liveRegistry(current);

  const port: RegistryVersions = {
    current: () => versions[versions.length - 1]!.version,
    at: (t) => parseVersion(versionAt(versions, t)!),
    async list() {
      refresh();
      return versions.map(({ version, effectiveFrom, createdAt, createdBy }) => ({ version, effectiveFrom, createdAt, createdBy }));
    },
    async change(next, o) {
      const version = db
        .transaction(() => {
          refresh();
          const last = versions[versions.length - 1]!.version;
          if (last !== o.basedOn) throw new RegistryConflictError(`the registry changed meanwhile (version ${last}, the change was made on ${o.basedOn})`);
          q.insert.run(last + 1, o.effectiveFrom, JSON.stringify(next.document), o.at, o.by);
          writeFacilities(next);
          return last + 1;
        })
        .immediate();
      refresh();
      return { version };
    },
  };

  return { live, port, refresh };
}
