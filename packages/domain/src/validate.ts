import { EventBatchSchema, FacilityEventSchema, type FacilityEvent } from "./events.js";
import { problemsFromZod, toPointer, type FieldProblem } from "./problems.js";
import type { Facility } from "./registry.js";

/** How far ahead of the server clock an event may claim to have happened (contract: 5 minutes). */
export const MAX_FUTURE_MS = 5 * 60_000;
export const EARLIEST_MS = Date.UTC(2000, 0, 1);
const UNIT_TYPES = new Set(["census", "admission", "discharge"]);

/** A validated event with its instant resolved; what the store appends. */
export interface AcceptedEvent {
  event: FacilityEvent;
  occurredAtMs: number;
}

export type BodyValidation = { ok: true; batch: boolean; events: AcceptedEvent[] } | { ok: false; problems: FieldProblem[] };

export interface ValidationContext {
  /** Looks up a facility; undefined for ids not in the registry. */
  facility: (id: string) => Facility | undefined;
  now: number;
}

/** Rules that need the registry or the clock, beyond what the schema says. */
function contextProblems(event: FacilityEvent, at: (string | number)[], ctx: ValidationContext): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const ms = Date.parse(event.occurred_at);
  if (!Number.isFinite(ms)) {
    problems.push({ path: toPointer([...at, "occurred_at"]), message: "is not a valid date-time" });
  } else if (ms > ctx.now + MAX_FUTURE_MS) {
    problems.push({ path: toPointer([...at, "occurred_at"]), message: "is more than 5 minutes ahead of the server clock" });
  } else if (ms < EARLIEST_MS) {
    problems.push({ path: toPointer([...at, "occurred_at"]), message: "is before 2000-01-01" });
  }
  const facility = ctx.facility(event.facility_id);
  if (facility) {
    const unitIds = facility.units.map((u) => u.id);
    if (unitIds.length === 0 && event.unit !== undefined) {
      problems.push({ path: toPointer([...at, "unit"]), message: `facility ${facility.id} has no units: leave "unit" out` });
    } else if (unitIds.length > 0 && event.unit !== undefined && !unitIds.includes(event.unit)) {
      problems.push({ path: toPointer([...at, "unit"]), message: `unknown unit; expected one of ${unitIds.join(", ")}` });
    } else if (unitIds.length > 0 && event.unit === undefined && UNIT_TYPES.has(event.type)) {
      problems.push({ path: toPointer([...at, "unit"]), message: `required for ${event.type} events; one of ${unitIds.join(", ")}` });
    }
  }
  return problems;
}

/**
 * Validate a request body: one event, or `{ "events": [...] }` with 1–1,000 events. All
 * problems are listed with JSON Pointer paths into the body. Facility ownership is not checked
 * here: that is authorisation (403), decided by the transport with the key's facility.
 */
export function validateBody(body: unknown, ctx: ValidationContext): BodyValidation {
  const batch = typeof body === "object" && body !== null && !Array.isArray(body) && "events" in body;
  if (batch) {
    const parsed = EventBatchSchema.safeParse(body);
    if (!parsed.success) {
      // List every problem (contract): events that are valid on their own still get the
      // registry/clock checks, so one bad event does not hide another's unknown unit.
      const problems = problemsFromZod(parsed.error);
      const raw = (body as { events?: unknown }).events;
      if (Array.isArray(raw)) {
        raw.forEach((e, i) => {
          const one = FacilityEventSchema.safeParse(e);
          if (one.success) problems.push(...contextProblems(one.data, ["events", i], ctx));
        });
      }
      const eventIndex = (p: FieldProblem) => {
        const m = /^\/events\/(\d+)(?:\/|$)/.exec(p.path);
        return m ? Number(m[1]) : -1;
      };
      return { ok: false, problems: problems.sort((a, b) => eventIndex(a) - eventIndex(b)) };
    }
    const problems = parsed.data.events.flatMap((e, i) => contextProblems(e, ["events", i], ctx));
    if (problems.length) return { ok: false, problems };
    return { ok: true, batch: true, events: parsed.data.events.map((e) => ({ event: e, occurredAtMs: Date.parse(e.occurred_at) })) };
  }
  const parsed = FacilityEventSchema.safeParse(body);
  if (!parsed.success) return { ok: false, problems: problemsFromZod(parsed.error) };
  const problems = contextProblems(parsed.data, [], ctx);
  if (problems.length) return { ok: false, problems };
  return { ok: true, batch: false, events: [{ event: parsed.data, occurredAtMs: Date.parse(parsed.data.occurred_at) }] };
}
