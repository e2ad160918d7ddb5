import { countedAfter, EMPTY_LEDGER, hourStart, localDay, movement, settleLedger, withCensus, type Registry, type UnitLedger } from "@carewatch/domain";
import { Layered, Tally } from "./layered.js";
import type { MovementIndexes } from "./movement-indexes.js";
import type { CommittedEvent } from "./types.js";

/** The projection tables (read models kept in step with the log), the same in every engine. */
export interface ProjectionTables {
  unitState: string;
  facilityState: string;
  referrals: string;
  rollupHourly: string;
  rollupDaily: string;
  /** Every real move of every referral (issue 8: timelines, open referrals as of an instant). */
  referralSteps: string;
}

export const LIVE_TABLES: ProjectionTables = {
  unitState: "unit_state",
  facilityState: "facility_state",
  referrals: "referrals",
  rollupHourly: "rollup_hourly",
  rollupDaily: "rollup_daily",
  referralSteps: "referral_steps",
};

/** Each projection table's key columns, for `rebuild`'s row-by-row comparison. */
export const PROJECTION_KEYS: Record<keyof ProjectionTables, string[]> = {
  unitState: ["facility_id", "unit"],
  facilityState: ["facility_id"],
  referrals: ["facility_id", "referral_id"],
  rollupHourly: ["facility_id", "hour_start_ms", "metric"],
  rollupDaily: ["facility_id", "day", "metric"],
  referralSteps: ["facility_id", "referral_id", "at", "event_id"],
};

/** Ledger key of an event: its unit, or '' for a facility without units (the events row has NULL). */
export function ledgerKey(unit: string | undefined | null): string {
  return unit ?? "";
}

/** A `unit_state` row's values for a ledger (the same columns in every engine). */
export function ledgerColumns(facility: string, unit: string, ledger: UnitLedger) {
  return {
    facility_id: facility,
    unit,
    census_at: ledger.census?.at ?? null,
    census_event_id: ledger.census?.eventId ?? null,
    census_occupied: ledger.census?.occupied ?? null,
    net_after: ledger.netAfter,
    low_water: ledger.lowWater,
    cap_at: ledger.capacity?.at ?? null,
    cap_event_id: ledger.capacity?.eventId ?? null,
    cap_value: ledger.capacity?.value ?? null,
  };
}

interface Held<T> {
  facility: string;
  unit: string;
  value: T;
}

/**
 * What a projector gathers in memory between two flushes, whatever the engine: the units'
 * ledgers, the rollup counts, the facilities touched, and the movements it added to the indexes
 * — in two layers, the current request over the requests kept (layered.ts). Every rule is the
 * domain's; the engines only load the stored ledgers (`load`) and write what `flush` hands them.
 */
export class ProjectionGather {
  private readonly ledgers = new Layered<Held<UnitLedger> & { settle: boolean }>();
  private readonly hourly = new Tally<{ facility: string; hour: number; metric: string }>();
  private readonly daily = new Tally<{ facility: string; day: string; metric: string }>();
  private readonly touched = new Layered<{ receivedAt: number; seq: number }>();
  // Movements added to the indexes by the current request and by the kept ones, to take back.
  private requestMoves: { facility: string; unit: string; at: number; delta: number }[] = [];
  private groupMoves: { facility: string; unit: string; at: number; delta: number }[] = [];
  // Rollup keys per (zone, quarter hour): every zone offset in use is a whole number of quarter
  // hours, so an hour and a day never change inside one, and a backfill over 30 days needs 2,880.
  private readonly bucketCache = new Map<string, Map<number, { hour: number; day: string }>>();

  /**
   * `load` returns a unit's stored ledger (undefined when it has no row yet); `registry` is read
   * at each event (a live registry stays current).
   */
  constructor(
    private readonly registry: () => Registry,
    private readonly indexes: MovementIndexes,
    private readonly load: (facility: string, unit: string) => UnitLedger | undefined,
  ) {}

  private timeZoneOf(facilityId: string): string {
    const r = this.registry();
    return r.byId.get(facilityId)?.timeZone ?? r.timeZone;
  }

  private buckets(at: number, tz: string) {
    let zone = this.bucketCache.get(tz);
    if (!zone) this.bucketCache.set(tz, (zone = new Map()));
    const quarter = Math.floor(at / 900_000);
    let b = zone.get(quarter);
    if (!b) {
      if (zone.size > 50_000) zone.clear();
      zone.set(quarter, (b = { hour: hourStart(at, tz), day: localDay(at, tz) }));
    }
    return b;
  }

  /** Counts `n` of `metric` in the event's local hour and day. */
  rollup(e: CommittedEvent, metric: string, n: number): void {
    const { hour, day } = this.buckets(e.occurredAtMs, this.timeZoneOf(e.facilityId));
    const facility = e.facilityId;
    this.hourly.add(`${facility}\u0000${hour}\u0000${metric}`, () => ({ facility, hour, metric }), n);
    this.daily.add(`${facility}\u0000${day}\u0000${metric}`, () => ({ facility, day, metric }), n);
  }

  /** The event's census and movement, on its unit's ledger and movement index. */
  ledger(e: CommittedEvent): void {
    const unit = ledgerKey(e.event.unit);
    const facility = e.facilityId;
    const id = `${facility}\u0000${unit}`;
    let held = this.ledgers.get(id);
    if (!held) {
      const stored = this.load(facility, unit);
      held = { facility, unit, value: stored ?? EMPTY_LEDGER, settle: !stored };
    }
    let ledger = held.value;
    let settle = held.settle;
    if (e.event.type === "census") {
      const next = withCensus(ledger, e);
      if (next.census !== ledger.census) settle = true; // the census mark moved: a new span to read
      ledger = next;
    }
    const delta = movement(e);
    if (delta !== 0) {
      this.indexes.get(facility, unit).add(e.occurredAtMs, delta);
      this.requestMoves.push({ facility, unit, at: e.occurredAtMs, delta });
      // Movements at or before the census are already in it: the span after it does not change.
      if (e.occurredAtMs > countedAfter(ledger)) settle = true;
    }
    // `settle` also marks a unit without a row yet: it is written at the flush either way.
    if (ledger !== held.value || settle) this.ledgers.set(id, { facility, unit, value: ledger, settle });
  }

  /** The facility's latest receipt and seq. */
  /** What every accepted event adds, whichever engine: its move in the ledger, its counts in the rollups, its facility's last report. */
  event(e: CommittedEvent): void {
    const ev = e.event;
    if (ev.type === "census" || movement(e) !== 0) this.ledger(e);
    if (ev.type === "admission") this.rollup(e, "admissions", ev.count);
    else if (ev.type === "discharge") this.rollup(e, "discharges", ev.count);
    else if (ev.type === "treatment") this.rollup(e, `treatment:${ev.category}`, ev.count);
    this.touch(e);
  }

  touch(e: CommittedEvent): void {
    const seen = this.touched.get(e.facilityId);
    this.touched.set(e.facilityId, { receivedAt: Math.max(seen?.receivedAt ?? 0, e.receivedAt), seq: Math.max(seen?.seq ?? 0, e.seq) });
  }

  keepRequest(): void {
    this.ledgers.keep();
    this.hourly.keep();
    this.daily.keep();
    this.touched.keep();
    this.groupMoves.push(...this.requestMoves);
    this.requestMoves = [];
  }

  dropRequest(): void {
    this.ledgers.drop();
    this.hourly.drop();
    this.daily.drop();
    this.touched.drop();
    this.takeBack(this.requestMoves);
    this.requestMoves = [];
  }

  /** Keeps the current request, then hands over every kept change to write, and forgets them. */
  flush(): {
    ledgers: Held<UnitLedger>[];
    hourly: { facility: string; hour: number; metric: string; n: number }[];
    daily: { facility: string; day: string; metric: string; n: number }[];
    facilities: { facility: string; receivedAt: number; seq: number }[];
  } {
    this.keepRequest();
    const ledgers: Held<UnitLedger>[] = [];
    // Settle each changed ledger once per group, from its movements as the group left them.
    for (const [, h] of this.ledgers.dirty()) {
      const value = h.settle
        ? settleLedger(h.value, this.indexes.get(h.facility, h.unit).spanBetween(countedAfter(h.value), Number.POSITIVE_INFINITY))
        : h.value;
      ledgers.push({ facility: h.facility, unit: h.unit, value });
    }
    const hourly = [...this.hourly.counts()].map(({ row, n }) => ({ ...row, n }));
    const daily = [...this.daily.counts()].map(({ row, n }) => ({ ...row, n }));
    const facilities = [...this.touched.dirty()].map(([facility, s]) => ({ facility, ...s }));
    this.clear();
    return { ledgers, hourly, daily, facilities };
  }

  /** The transaction committed: its movements stay in the indexes. */
  committed(): void {
    this.groupMoves = [];
  }

  /** Forget everything gathered and take back its movements (the whole transaction rolled back). */
  reset(): void {
    this.clear();
    this.takeBack(this.requestMoves);
    this.takeBack(this.groupMoves);
    this.requestMoves = [];
    this.groupMoves = [];
  }

  private clear(): void {
    this.ledgers.clear();
    this.hourly.clear();
    this.daily.clear();
    this.touched.clear();
  }

  private takeBack(moves: { facility: string; unit: string; at: number; delta: number }[]): void {
    for (let i = moves.length - 1; i >= 0; i--) {
      const m = moves[i]!;
      this.indexes.get(m.facility, m.unit).add(m.at, -m.delta);
    }
  }
}
