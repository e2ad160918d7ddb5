import type Database from "better-sqlite3";
import type { Audit, AuditFilter, AuditRecord } from "./types.js";

export interface AuditRow {
  id: number;
  at: number;
  actor_kind: string;
  actor_id: string;
  actor_email: string | null;
  action: string;
  target: string;
  before: string | null;
  after: string | null;
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

export const toJson = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
const fromJson = (s: string | null): unknown => (s === null ? undefined : (JSON.parse(s) as unknown));

export function toRecord(r: AuditRow): AuditRecord {
  const rec: AuditRecord = {
    id: r.id,
    at: r.at,
    actor: { kind: r.actor_kind, id: r.actor_id, email: r.actor_email },
    action: r.action,
    target: r.target,
  };
  if (r.before !== null) rec.before = fromJson(r.before);
  if (r.after !== null) rec.after = fromJson(r.after);
  return rec;
}

/** A page's size: the filter's limit, 1 to MAX_LIMIT, DEFAULT_LIMIT when none was asked for. */
export const auditLimit = (filter: AuditFilter): number => Math.max(1, Math.min(MAX_LIMIT, Math.floor(filter.limit ?? DEFAULT_LIMIT)));

/** The audit log: append-only, read newest first (by id, the order of recording, which paging by `beforeId` follows). */
export function createAudit(db: Database.Database): Audit {
  const insert = db.prepare(
    "INSERT INTO audit (at, actor_kind, actor_id, actor_email, action, target, before, after) VALUES (@at, @kind, @id, @email, @action, @target, @before, @after)",
  );
  return {
    async record(e) {
      insert.run({
        at: e.at,
        kind: e.actor.kind,
        id: e.actor.id,
        email: e.actor.email ?? null,
        action: e.action,
        target: e.target,
        before: toJson(e.before),
        after: toJson(e.after),
      });
    },
    async list(filter: AuditFilter = {}) {
      const where: string[] = [];
      const params: Record<string, string | number> = {};
      if (filter.action) {
        where.push("action = @action");
        params.action = filter.action;
      }
      if (filter.actor) {
        // An actor is named by id or by email (case-insensitively: emails are stored lower-cased).
        where.push("(actor_id = @actor OR actor_email = lower(@actor))");
        params.actor = filter.actor;
      }
      if (filter.target) {
        where.push("target = @target");
        params.target = filter.target;
      }
      if (filter.from !== undefined) {
        where.push("at >= @from");
        params.from = filter.from;
      }
      if (filter.to !== undefined) {
        where.push("at < @to");
        params.to = filter.to;
      }
      if (filter.beforeId !== undefined) {
        where.push("id < @beforeId");
        params.beforeId = filter.beforeId;
      }
      const limit = auditLimit(filter);
      const sql = `SELECT id, at, actor_kind, actor_id, actor_email, action, target, before, after FROM audit
        ${where.length ? "WHERE " + where.join(" AND ") : ""} ORDER BY id DESC LIMIT ${limit}`;
      return (db.prepare(sql).all(params) as AuditRow[]).map(toRecord);
    },
  };
}
