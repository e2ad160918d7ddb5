import {
  dayStart,
  TargetSchema,
  yearClock,
  yearDays,
  type AssessmentRecord,
  type FacilityYearFacts,
  type PlanSource,
  type Registry,
  type Target,
} from "@carewatch/domain";
import type Database from "better-sqlite3";
import { movementFollower, type MovementIndexes } from "./movement-indexes.js";
import { createOccupiedAt } from "./occupied-at.js";
import type { StoredPlan, TargetsStore } from "./types.js";

interface PlanRow {
  id: string;
  province: string;
  title: string;
  source: PlanSource;
}
interface TargetRow {
  id: string;
  plan_id: string;
  definition: string;
}
interface AssessmentRow {
  target_id: string;
  day: string;
  value: number;
  note: string;
  recorded_by: string;
  recorded_at: number;
}

// Every stored definition passed TargetSchema before it was written.
const toTarget = (r: TargetRow): Target => TargetSchema.parse(JSON.parse(r.definition));
const toAssessment = (r: AssessmentRow): AssessmentRecord => ({
  targetId: r.target_id,
  date: r.day,
  value: r.value,
  note: r.note,
  by: r.recorded_by,
  recordedAt: r.recorded_at,
});

/** Metrics the targets add up (rollup_daily names them so). */
/** The rollup_daily metrics the targets add up (the same SQL in both engines). */
export const SUM_METRICS = "(metric = 'admissions' OR metric LIKE 'treatment:%')";

/** The SQLite engine's targets port (tables in migrations/0005_managers.sql, "Plan targets"). */
/**
 * What a facility's facts for a year need from the store, in both engines: its daily rollups
 * from the year's first day to today (none before the year starts), and its occupancy at the
 * year's start and, when asked, at the end of each completed day. occupiedAt(t) counts events
 * at t itself, and the rollups put an event at 00:00 in the day it opens: so a day "ends" 1 ms
 * before the next one starts, and the year's start figure is that of the end of 31 December — an
 * admission at 00:00 on 1 January counts once, as an admission.
 */
export function yearFactsReads(
  year: number,
  now: number,
  timeZone: string,
  dayEnds: boolean,
): { daily: { from: string; to: string } | null; instants: number[] } {
  const clock = yearClock(year, now, timeZone);
  const days = yearDays(year);
  const daily = clock.state === "not_started" ? null : { from: days[0] ?? "", to: clock.today ?? days[days.length - 1] ?? "" };
  const start = dayStart(days[0] ?? "", timeZone) - 1;
  const ends = dayEnds ? [...days.slice(1), `${year + 1}-01-01`].slice(0, clock.completedDays).map((d) => dayStart(d, timeZone) - 1) : [];
  return { daily, instants: [start, ...ends] };
}

export function createTargets(db: Database.Database, registry: Registry, indexes: MovementIndexes): TargetsStore {
  const q = {
    upsertPlan: db.prepare(`INSERT INTO target_plans (id, province, title, source, position, updated_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET province = excluded.province, title = excluded.title, source = excluded.source, position = excluded.position, updated_at = excluded.updated_at`),
    targetById: db.prepare("SELECT id, plan_id, definition FROM targets WHERE id = ?"),
    upsertTarget: db.prepare(`INSERT INTO targets (id, plan_id, year, definition, position, updated_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET plan_id = excluded.plan_id, year = excluded.year, definition = excluded.definition, position = excluded.position, updated_at = excluded.updated_at`),
    setPosition: db.prepare("UPDATE targets SET plan_id = ?, position = ? WHERE id = ?"),
    setDefinition: db.prepare("UPDATE targets SET definition = ?, updated_at = ? WHERE id = ?"),
    plan: db.prepare("SELECT id, province, title, source FROM target_plans WHERE id = ?"),
    plansOfYear: db.prepare(`SELECT DISTINCT p.id, p.province, p.title, p.source, p.position FROM target_plans p JOIN targets t ON t.plan_id = p.id
      WHERE t.year = ? ORDER BY p.position, p.id`),
    targetsOfYear: db.prepare("SELECT id, plan_id, definition FROM targets WHERE year = ? ORDER BY position, id"),
    assessmentsOfYear: db.prepare(`SELECT a.target_id, a.day, a.value, a.note, a.recorded_by, a.recorded_at FROM target_assessments a
      JOIN targets t ON t.id = a.target_id WHERE t.year = ? ORDER BY a.day, a.recorded_at, a.id`),
    addAssessment: db.prepare("INSERT INTO target_assessments (target_id, day, value, note, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)"),
    years: db.prepare("SELECT DISTINCT year FROM targets ORDER BY year").pluck(),
    daily: db.prepare(`SELECT metric, day, value FROM rollup_daily WHERE facility_id = ? AND day >= ? AND day <= ? AND ${SUM_METRICS}`),
  };
  const catchUp = movementFollower(db, indexes);
  const occupiedAt = createOccupiedAt(db, indexes);

  const importDocument = db.transaction((doc: Parameters<TargetsStore["importDocument"]>[0], now: number) => {
    const created: string[] = [];
    const updated: string[] = [];
    let unchanged = 0;
    doc.plans.forEach((plan, pi) => {
      q.upsertPlan.run(plan.id, plan.province, plan.title, plan.source, pi, now);
      plan.targets.forEach((t, ti) => {
        const definition = JSON.stringify(t);
        const old = q.targetById.get(t.id) as TargetRow | undefined;
        if (old && old.definition === definition) {
          unchanged++;
          q.setPosition.run(plan.id, ti, t.id);
          return;
        }
        (old ? updated : created).push(t.id);
        q.upsertTarget.run(t.id, plan.id, t.year, definition, ti, now);
      });
    });
    return { plans: doc.plans.length, created, updated, unchanged };
  });

  const get = db.transaction((id: string) => {
    const row = q.targetById.get(id) as TargetRow | undefined;
    if (!row) return null;
    const plan = q.plan.get(row.plan_id) as PlanRow;
    return { planId: plan.id, province: plan.province, target: toTarget(row) };
  });

  const setValue = db.transaction((id: string, value: number, now: number) => {
    const row = q.targetById.get(id) as TargetRow | undefined;
    if (!row) return null;
    const before = toTarget(row);
    // Through the schema again: a value a kind does not allow (a percentage over 100) throws.
    const after = TargetSchema.parse({ ...before, value });
    q.setDefinition.run(JSON.stringify(after), now, id);
    return { before, after };
  });

  const addAssessment = db.transaction((a: Parameters<TargetsStore["addAssessment"]>[0]) => {
    if (!q.targetById.get(a.targetId)) throw new Error(`no target "${a.targetId}"`);
    q.addAssessment.run(a.targetId, a.date, a.value, a.note, a.by, a.at);
    return { targetId: a.targetId, date: a.date, value: a.value, note: a.note, by: a.by, recordedAt: a.at };
  });

  /** One facility's facts for the year at `now`. */
  function factsOf(facilityId: string, year: number, now: number, dayEnds: boolean): FacilityYearFacts | null {
    const f = registry.byId.get(facilityId);
    if (!f) return null;
    const read = yearFactsReads(year, now, f.timeZone, dayEnds);
    const daily: Record<string, Record<string, number>> = {};
    if (read.daily) {
      for (const r of q.daily.all(f.id, read.daily.from, read.daily.to) as { metric: string; day: string; value: number }[])
        (daily[r.metric] ??= {})[r.day] = r.value;
    }
    const [occupiedAtStart = 0, ...occupiedAtDayEnds] = occupiedAt(f, read.instants);
    return { facilityId: f.id, timeZone: f.timeZone, daily, occupiedAtStart, occupiedAtDayEnds };
  }

  const year = db.transaction((y: number, now: number) => {
    catchUp();
    const targets = (q.targetsOfYear.all(y) as TargetRow[]).map((r) => ({ planId: r.plan_id, target: toTarget(r) }));
    const plans: StoredPlan[] = (q.plansOfYear.all(y) as PlanRow[]).map((p) => ({
      id: p.id,
      province: p.province,
      title: p.title,
      source: p.source,
      targets: targets.filter((t) => t.planId === p.id).map((t) => t.target),
    }));
    const needsDayEnds = new Set(targets.filter((t) => t.target.kind === "average_occupied").flatMap((t) => t.target.facilities));
    const facilityIds = [...new Set(targets.flatMap((t) => t.target.facilities))];
    const facts = facilityIds.map((id) => factsOf(id, y, now, needsDayEnds.has(id))).filter((f): f is FacilityYearFacts => f !== null);
    return { year: y, now, plans, assessments: (q.assessmentsOfYear.all(y) as AssessmentRow[]).map(toAssessment), facts };
  });

  return {
    // Writes take the write lock at BEGIN (IMMEDIATE): a deferred transaction that reads first
    // could not upgrade after another process committed (SQLITE_BUSY_SNAPSHOT).
    importDocument: async (doc, now) => importDocument.immediate(doc, now),
    get: async (id) => get(id),
    setValue: async (id, value, now) => setValue.immediate(id, value, now),
    addAssessment: async (a) => addAssessment.immediate(a),
    years: async () => q.years.all() as number[],
    year: async (y, now) => year(y, now),
  };
}
