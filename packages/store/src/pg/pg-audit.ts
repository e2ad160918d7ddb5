import type postgres from "postgres";
import { auditLimit, toJson, toRecord, type AuditRow } from "../audit.js";
import type { Audit, AuditFilter } from "../types.js";

/**
 * The audit log on PostgreSQL: append-only, read newest first by id (the order of recording,
 * which paging by `beforeId` follows) — audit.ts's rules and row mapping, this engine's SQL.
 */
export function createPgAudit(ctx: { sql: postgres.Sql }): Audit {
  const { sql } = ctx;
  return {
    async record(e) {
      await sql`INSERT INTO audit (at, actor_kind, actor_id, actor_email, action, target, before, after)
        VALUES (${e.at}, ${e.actor.kind}, ${e.actor.id}, ${e.actor.email ?? null}, ${e.action}, ${e.target}, ${toJson(e.before)}, ${toJson(e.after)})`;
    },
    async list(filter: AuditFilter = {}) {
      const where: postgres.PendingQuery<postgres.Row[]>[] = [sql`TRUE`];
      if (filter.action) where.push(sql`action = ${filter.action}`);
      // An actor is named by id or by email (case-insensitively: emails are stored lower-cased).
      if (filter.actor) where.push(sql`(actor_id = ${filter.actor} OR actor_email = lower(${filter.actor}))`);
      if (filter.target) where.push(sql`target = ${filter.target}`);
      if (filter.from !== undefined) where.push(sql`at >= ${filter.from}`);
      if (filter.to !== undefined) where.push(sql`at < ${filter.to}`);
      if (filter.beforeId !== undefined) where.push(sql`id < ${filter.beforeId}`);
      const conditions = where.reduce((all, c) => sql`${all} AND ${c}`);
      const rows = await sql<AuditRow[]>`SELECT id, at, actor_kind, actor_id, actor_email, action, target, before, after FROM audit
        WHERE ${conditions} ORDER BY id DESC LIMIT ${auditLimit(filter)}`;
      return rows.map(toRecord);
    },
  };
}
