import { TargetSchema, type AssessmentRecord, type FacilityYearFacts, type PlanSource, type Target } from "@carewatch/domain";
import type postgres from "postgres";
import { SUM_METRICS, yearFactsReads } from "../targets.js";
import type { StoredPlan, TargetsStore } from "../types.js";
import type { PgContext } from "./context.js";
import { createPgOccupiedAt } from "./pg-occupied-at.js";

type Tx = postgres.TransactionSql;

// Every stored definition passed TargetSchema before it was written.
const toTarget = (definition: string): Target => TargetSchema.parse(JSON.parse(definition));

/**
 * The PostgreSQL engine's targets port (targets.ts on SQLite; tables in migrations-pg/
 * 0003_targets.sql). Writes are READ COMMITTED transactions that lock the target row they change
 * (FOR UPDATE), so two admins' edits never lose one another; `year` reads everything in one
 * `ctx.snapshot`.
 */
export function createPgTargets(ctx: PgContext): TargetsStore {
  const occupiedAt = createPgOccupiedAt(ctx.indexes);

  /** One facility's facts for the year at `now`. */
  async function factsOf(tx: Tx, facilityId: string, year: number, now: number, dayEnds: boolean): Promise<FacilityYearFacts | null> {
    const f = ctx.registry.byId.get(facilityId);
    if (!f) return null;
    const read = yearFactsReads(year, now, f.timeZone, dayEnds);
    const daily: Record<string, Record<string, number>> = {};
    if (read.daily) {
      const rows = await tx`SELECT metric, day, value FROM rollup_daily
          WHERE facility_id = ${f.id} AND day >= ${read.daily.from} AND day <= ${read.daily.to} AND ${tx.unsafe(SUM_METRICS)}`;
      for (const r of rows) (daily[r.metric as string] ??= {})[r.day as string] = Number(r.value);
    }
    const [occupiedAtStart = 0, ...occupiedAtDayEnds] = await occupiedAt(tx, f, read.instants);
    return { facilityId: f.id, timeZone: f.timeZone, daily, occupiedAtStart, occupiedAtDayEnds };
  }

  return {
    importDocument: (doc, now) =>
      ctx.sql.begin(async (tx) => {
        const created: string[] = [];
        const updated: string[] = [];
        let unchanged = 0;
        for (const [pi, plan] of doc.plans.entries()) {
          await tx`INSERT INTO target_plans (id, province, title, source, position, updated_at)
              VALUES (${plan.id}, ${plan.province}, ${plan.title}, ${plan.source}, ${pi}, ${now})
              ON CONFLICT (id) DO UPDATE SET province = excluded.province, title = excluded.title, source = excluded.source,
                position = excluded.position, updated_at = excluded.updated_at`;
          for (const [ti, t] of plan.targets.entries()) {
            const definition = JSON.stringify(t);
            const [old] = await tx`SELECT definition FROM targets WHERE id = ${t.id} FOR UPDATE`;
            if (old && old.definition === definition) {
              unchanged++;
              await tx`UPDATE targets SET plan_id = ${plan.id}, position = ${ti} WHERE id = ${t.id}`;
              continue;
            }
            (old ? updated : created).push(t.id);
            await tx`INSERT INTO targets (id, plan_id, year, definition, position, updated_at)
                VALUES (${t.id}, ${plan.id}, ${t.year}, ${definition}, ${ti}, ${now})
                ON CONFLICT (id) DO UPDATE SET plan_id = excluded.plan_id, year = excluded.year, definition = excluded.definition,
                  position = excluded.position, updated_at = excluded.updated_at`;
          }
        }
        return { plans: doc.plans.length, created, updated, unchanged };
      }),

    get: (id) =>
      ctx.snapshot(async (tx) => {
        const [row] = await tx`SELECT t.plan_id, t.definition, p.province FROM targets t JOIN target_plans p ON p.id = t.plan_id WHERE t.id = ${id}`;
        return row ? { planId: row.plan_id as string, province: row.province as string, target: toTarget(row.definition as string) } : null;
      }),

    setValue: (id, value, now) =>
      ctx.sql.begin(async (tx) => {
        const [row] = await tx`SELECT definition FROM targets WHERE id = ${id} FOR UPDATE`;
        if (!row) return null;
        const before = toTarget(row.definition as string);
        // Through the schema again: a value a kind does not allow (a percentage over 100) throws.
        const after = TargetSchema.parse({ ...before, value });
        await tx`UPDATE targets SET definition = ${JSON.stringify(after)}, updated_at = ${now} WHERE id = ${id}`;
        return { before, after };
      }),

    addAssessment: (a) =>
      ctx.sql.begin(async (tx): Promise<AssessmentRecord> => {
        // FOR SHARE: the target cannot go between the check and the insert.
        const [target] = await tx`SELECT 1 FROM targets WHERE id = ${a.targetId} FOR SHARE`;
        if (!target) throw new Error(`no target "${a.targetId}"`);
        await tx`INSERT INTO target_assessments (target_id, day, value, note, recorded_by, recorded_at)
            VALUES (${a.targetId}, ${a.date}, ${a.value}, ${a.note}, ${a.by}, ${a.at})`;
        return { targetId: a.targetId, date: a.date, value: a.value, note: a.note, by: a.by, recordedAt: a.at };
      }),

    years: async () => (await ctx.sql`SELECT DISTINCT year FROM targets ORDER BY year`).map((r) => Number(r.year)),

    year: (y, now) =>
      ctx.snapshot(async (tx) => {
        const targets = (await tx`SELECT id, plan_id, definition FROM targets WHERE year = ${y} ORDER BY position, id COLLATE "C"`).map((r) => ({
          planId: r.plan_id as string,
          target: toTarget(r.definition as string),
        }));
        const planRows = await tx`SELECT p.id, p.province, p.title, p.source FROM target_plans p
            WHERE EXISTS (SELECT 1 FROM targets t WHERE t.plan_id = p.id AND t.year = ${y}) ORDER BY p.position, p.id COLLATE "C"`;
        const plans: StoredPlan[] = planRows.map((p) => ({
          id: p.id as string,
          province: p.province as string,
          title: p.title as string,
          source: p.source as PlanSource,
          targets: targets.filter((t) => t.planId === p.id).map((t) => t.target),
        }));
        const needsDayEnds = new Set(targets.filter((t) => t.target.kind === "average_occupied").flatMap((t) => t.target.facilities));
        const facilityIds = [...new Set(targets.flatMap((t) => t.target.facilities))];
        const facts: FacilityYearFacts[] = [];
        for (const id of facilityIds) {
          const f = await factsOf(tx, id, y, now, needsDayEnds.has(id));
          if (f) facts.push(f);
        }
        const assessments = (
          await tx`SELECT a.target_id, a.day, a.value, a.note, a.recorded_by, a.recorded_at FROM target_assessments a
              JOIN targets t ON t.id = a.target_id WHERE t.year = ${y} ORDER BY a.day, a.recorded_at, a.id`
        ).map((r): AssessmentRecord => ({
          targetId: r.target_id as string,
          date: r.day as string,
          value: Number(r.value),
          note: r.note as string,
          by: r.recorded_by as string,
          recordedAt: Number(r.recorded_at),
        }));
        return { year: y, now, plans, assessments, facts };
      }),
  };
}
