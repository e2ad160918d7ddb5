/**
 * The simulated facility model: pure, seeded, and driven by a clock that the caller passes in.
 *
 * Each facility keeps its own head count (per unit where units exist) and emits Facility API v1
 * events as time advances: censuses at its reporting interval (they report the model's own head
 * count, so the numbers on the board stay consistent), admissions (about 3× as many by day as by
 * night), discharges with outcomes, treatments that fit the facility type, and referrals
 * ("chuyển tuyến") that move forward through requested → accepted → transferred → returned, some
 * cancelled before transfer.
 *
 * Rates are realistic at `rate` 1 (the Sơn La 2017 report: ~3 admissions a day at the provincial
 * rehab). The live simulator raises `rate` so a board watcher sees something happen every few
 * seconds; treatment tallies are then split into smaller posts, so daily volumes stay plausible.
 */
import {
  DEFAULT_TIME_ZONE,
  toZonedIso,
  zoneOffsetMs,
  type Facility,
  type FacilityEventInput,
  type FacilityType,
  type TreatmentCategory,
} from "@carewatch/domain";

// ---------------------------------------------------------------------------------------------
// PRNG

/** mulberry32: a tiny, fast, seedable 32-bit PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stable 32-bit hash of a string (FNV-1a), to derive per-facility seeds. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Integer in [min, max], inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  uniform(min: number, max: number): number {
    return min + this.next() * (max - min);
  }
  /** Poisson-distributed count with mean `lambda` (Knuth; lambdas here are small). */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  /** Pick a key by weight. */
  weighted<T extends string>(weights: Readonly<Partial<Record<T, number>>>): T {
    const entries = Object.entries(weights) as [T, number][];
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [k, w] of entries) {
      r -= w;
      if (r < 0) return k;
    }
    return entries[entries.length - 1]![0];
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** `n` characters of [a-z0-9]. */
  token(n: number): string {
    const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }
}

// ---------------------------------------------------------------------------------------------
// Profiles: what happens at each facility type

type Cohort = "voluntary" | "compulsory" | "emergency" | "other";
type Outcome = "completed" | "transferred" | "absconded" | "deceased" | "other";
type Urgency = "routine" | "urgent" | "emergency";

interface TreatmentProfile {
  category: TreatmentCategory;
  /** Treatments delivered per resident per day (volume). */
  perResidentPerDay: number;
  /** Tallies posted per day at rate 1 (each one carries volume / tallies). */
  talliesPerDay: number;
  /** Mostly in office hours (true) or round the clock. */
  daytime: boolean;
}

interface FacilityProfile {
  /** Admissions per day per 100 capacity, at rate 1. */
  admissionsPerDayPer100: number;
  /** Admissions arrive in groups (convalescence rotations) of this size range. */
  groupSize: [number, number];
  cohorts: Partial<Record<Cohort, number>>;
  outcomes: Partial<Record<Outcome, number>>;
  treatments: TreatmentProfile[];
  /** New referrals per day per 100 residents, at rate 1. */
  referralsPerDayPer100: number;
  urgency: Partial<Record<Urgency, number>>;
  /** Starting occupancy, as a fraction of capacity. */
  startOccupancy: [number, number];
  /** Hospitals this kind of facility refers to (besides the provincial general hospital). */
  destinations: string[];
}

const PROFILES: Record<FacilityType, FacilityProfile> = {
  drug_rehab: {
    // Sơn La 2017: 1,149 admissions in the year at the provincial rehab ≈ 3 a day for ~400 places.
    admissionsPerDayPer100: 0.78,
    groupSize: [1, 2],
    cohorts: { compulsory: 70, voluntary: 27, other: 3 },
    outcomes: { completed: 86, transferred: 9, absconded: 4, deceased: 0.5, other: 0.5 },
    treatments: [
      { category: "methadone", perResidentPerDay: 0.25, talliesPerDay: 2, daytime: true },
      { category: "detox", perResidentPerDay: 0.03, talliesPerDay: 3, daytime: false },
      { category: "psychosocial", perResidentPerDay: 0.15, talliesPerDay: 3, daytime: true },
      { category: "vocational", perResidentPerDay: 0.3, talliesPerDay: 2, daytime: true },
      // 14,650 medical examinations a year at the Sơn La facility ≈ 40 a day.
      { category: "health_check", perResidentPerDay: 0.1, talliesPerDay: 3, daytime: true },
    ],
    referralsPerDayPer100: 0.25,
    urgency: { routine: 60, urgent: 30, emergency: 10 },
    startOccupancy: [0.75, 1.05],
    destinations: ["Bệnh viện Phổi", "Bệnh viện Tâm thần", "Bệnh viện Bạch Mai"],
  },
  psychiatric: {
    admissionsPerDayPer100: 0.5,
    groupSize: [1, 1],
    cohorts: { voluntary: 45, compulsory: 20, emergency: 30, other: 5 },
    outcomes: { completed: 84, transferred: 12, absconded: 1.5, deceased: 1.5, other: 1 },
    treatments: [
      { category: "psychiatric_care", perResidentPerDay: 0.9, talliesPerDay: 3, daytime: true },
      { category: "physical_rehab", perResidentPerDay: 0.2, talliesPerDay: 2, daytime: true },
      { category: "health_check", perResidentPerDay: 0.1, talliesPerDay: 2, daytime: true },
    ],
    referralsPerDayPer100: 0.35,
    urgency: { routine: 55, urgent: 35, emergency: 10 },
    startOccupancy: [0.6, 0.95],
    destinations: ["Bệnh viện Tâm thần Trung ương I", "Bệnh viện Tâm thần", "Bệnh viện Bạch Mai"],
  },
  social_protection: {
    admissionsPerDayPer100: 0.25,
    groupSize: [1, 1],
    cohorts: { emergency: 25, voluntary: 35, other: 40 },
    outcomes: { completed: 78, transferred: 14, absconded: 1, deceased: 5, other: 2 },
    treatments: [
      { category: "nurturing", perResidentPerDay: 1, talliesPerDay: 3, daytime: true },
      { category: "health_check", perResidentPerDay: 0.08, talliesPerDay: 1, daytime: true },
      { category: "physical_rehab", perResidentPerDay: 0.15, talliesPerDay: 2, daytime: true },
      { category: "psychosocial", perResidentPerDay: 0.1, talliesPerDay: 1, daytime: true },
    ],
    referralsPerDayPer100: 0.3,
    urgency: { routine: 65, urgent: 28, emergency: 7 },
    startOccupancy: [0.6, 0.95],
    destinations: ["Bệnh viện Nhi Trung ương", "Bệnh viện Lão khoa Trung ương"],
  },
  social_work: {
    admissionsPerDayPer100: 0.3,
    groupSize: [1, 1],
    cohorts: { emergency: 30, voluntary: 40, other: 30 },
    outcomes: { completed: 82, transferred: 13, absconded: 2, deceased: 2, other: 1 },
    treatments: [
      { category: "nurturing", perResidentPerDay: 1, talliesPerDay: 3, daytime: true },
      { category: "psychosocial", perResidentPerDay: 0.2, talliesPerDay: 2, daytime: true },
      { category: "health_check", perResidentPerDay: 0.08, talliesPerDay: 1, daytime: true },
      { category: "physical_rehab", perResidentPerDay: 0.1, talliesPerDay: 1, daytime: true },
    ],
    referralsPerDayPer100: 0.25,
    urgency: { routine: 65, urgent: 28, emergency: 7 },
    startOccupancy: [0.6, 0.95],
    destinations: ["Bệnh viện Nhi Trung ương", "Bệnh viện Bạch Mai"],
  },
  merit_nursing: {
    // Sa Pa 2023 plan: convalescence for 1,151 people with merit a year, in rotating groups.
    // Stays of about ten days: ~8–10 arrivals a day at a 120-place centre.
    admissionsPerDayPer100: 8,
    groupSize: [1, 5],
    cohorts: { voluntary: 92, other: 8 },
    outcomes: { completed: 95, transferred: 4, deceased: 0.7, other: 0.3 },
    treatments: [
      { category: "convalescence", perResidentPerDay: 1, talliesPerDay: 2, daytime: true },
      { category: "physical_rehab", perResidentPerDay: 0.25, talliesPerDay: 2, daytime: true },
      { category: "health_check", perResidentPerDay: 0.15, talliesPerDay: 2, daytime: true },
      // 28 orthopaedic devices a year at Sa Pa: rare.
      { category: "orthopedic_device", perResidentPerDay: 0.0007, talliesPerDay: 0.08, daytime: true },
    ],
    referralsPerDayPer100: 0.4,
    urgency: { routine: 50, urgent: 40, emergency: 10 },
    startOccupancy: [0.6, 0.95],
    destinations: ["Bệnh viện Bạch Mai", "Bệnh viện Hữu Nghị"],
  },
};

// ---------------------------------------------------------------------------------------------
// Time of day

/** Day hours (local 07:00–18:59) carry 3× the night rate; the weights average to 1 over a day. */
const DAY_WEIGHT = 1.5;
const NIGHT_WEIGHT = 0.5;
export function isDaytimeHour(hour: number): boolean {
  return hour >= 7 && hour <= 18;
}

const offsetCache = new Map<string, number>();
/** Local clock hour of an instant in a zone (cached per UTC hour; UTC+7 has no DST anyway). */
export function localHour(instantMs: number, timeZone: string = DEFAULT_TIME_ZONE): number {
  const bucket = Math.floor(instantMs / 3_600_000);
  const key = `${timeZone}|${bucket}`;
  let off = offsetCache.get(key);
  if (off === undefined) {
    off = zoneOffsetMs(bucket * 3_600_000, timeZone);
    if (offsetCache.size > 10_000) offsetCache.clear();
    offsetCache.set(key, off);
  }
  return new Date(instantMs + off).getUTCHours();
}

// ---------------------------------------------------------------------------------------------
// The facility model

export interface AdvanceOptions {
  /** Multiplies admission and discharge rates (live liveliness × speed). Default 1. */
  rate?: number;
  /** Multiplies how many treatment tallies are posted; volumes stay the same. Default `rate`. */
  treatmentRate?: number;
  /** Multiplies new referrals and shortens referral steps. Default `rate`. */
  referralRate?: number;
  /** Divides the census interval and referral delays (the simulator's speed). Default 1. */
  timeScale?: number;
}

interface FacilityModelOptions {
  seed: number;
  /** Instant the model starts at; an opening census is emitted at this instant. */
  startMs: number;
  /** Extra characters in every event and referral id, so separate runs never reuse an id. */
  idSalt?: string;
  /** Emit a census for every unit at startMs (default true). */
  openingCensus?: boolean;
}

interface Rates {
  movement: number;
  treatment: number;
  referral: number;
}

interface UnitState {
  id: string | undefined;
  capacity: number;
  occupied: number;
  /** Mean-reversion target for this unit's head count. */
  target: number;
}

interface OpenReferral {
  id: string;
  status: "requested" | "accepted" | "transferred";
  destination: string;
  urgency: Urgency;
  nextAt: number;
  unit: string | undefined;
}

interface Pending {
  at: number;
  /** Census after movements at the same instant (the contract counts those in the census). */
  order: number;
  make: () => FacilityEventInput | FacilityEventInput[] | null;
}

const SLICE_MS = 60_000;

export class FacilityModel {
  readonly facility: Facility;
  readonly profile: FacilityProfile;
  private readonly rng: Rng;
  private readonly salt: string;
  private readonly units: UnitState[];
  private counter = 0;
  private referralCounter = 0;
  private cursor: number;
  private lastCensusAt: number;
  private referrals: OpenReferral[] = [];
  private pendingOpening: boolean;

  constructor(facility: Facility, opts: FacilityModelOptions) {
    this.facility = facility;
    this.profile = PROFILES[facility.type];
    this.rng = new Rng((opts.seed ^ hashString(facility.id)) >>> 0);
    this.salt = opts.idSalt ?? "";
    const [lo, hi] = this.profile.startOccupancy;
    const specs = facility.units.length
      ? facility.units.map((u) => ({ id: u.id as string | undefined, capacity: u.capacity }))
      : [{ id: undefined, capacity: facility.capacity }];
    this.units = specs.map((u) => {
      const occupied = Math.round(u.capacity * this.rng.uniform(lo, hi));
      return { id: u.id, capacity: u.capacity, occupied, target: Math.max(1, occupied) };
    });
    this.cursor = Math.floor(opts.startMs / 1000) * 1000;
    this.pendingOpening = opts.openingCensus ?? true;
    this.lastCensusAt = this.pendingOpening ? this.cursor : Number.NEGATIVE_INFINITY;
  }

  /** Current head count (of a unit, or of the whole facility). */
  occupied(unit?: string): number {
    if (unit !== undefined) return this.units.find((u) => u.id === unit)?.occupied ?? 0;
    return this.units.reduce((s, u) => s + u.occupied, 0);
  }

  /** Instant up to which events have been generated. */
  get time(): number {
    return this.cursor;
  }

  openReferrals(): number {
    return this.referrals.length;
  }

  private intervalMs(timeScale: number): number {
    return (this.facility.reportingIntervalMinutes * 60_000) / timeScale;
  }

  private nextId(): string {
    this.counter++;
    return `sim-${this.facility.id}-${this.counter}-${this.salt}${this.rng.token(6)}`;
  }

  private base(at: number, unit: string | undefined) {
    const e: { event_id: string; facility_id: string; occurred_at: string; unit?: string } = {
      event_id: this.nextId(),
      facility_id: this.facility.id,
      occurred_at: toZonedIso(at, this.facility.timeZone),
    };
    if (unit !== undefined) e.unit = unit;
    return e;
  }

  private censusEvents(at: number): FacilityEventInput[] {
    return this.units.map((u) => ({ ...this.base(at, u.id), type: "census" as const, occupied: u.occupied }));
  }

  private diurnal(at: number, daytimeOnly = true): number {
    const day = isDaytimeHour(localHour(at, this.facility.timeZone));
    if (daytimeOnly) return day ? DAY_WEIGHT : NIGHT_WEIGHT;
    return 1;
  }

  /** Place `n` instants uniformly in (from, to], whole seconds. */
  private instants(n: number, from: number, to: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = Math.floor((from + this.rng.float() * (to - from)) / 1000) * 1000 + 1000;
      out.push(Math.min(t, Math.floor(to / 1000) * 1000));
    }
    return out;
  }

  /**
   * Generate the events that occur in (time, toMs], in time order (ties: movements before the
   * census at the same instant). toMs is the caller's "now": no event is ever later than it.
   */
  advance(toMs: number, opts: AdvanceOptions = {}): FacilityEventInput[] {
    const rates: Rates = {
      movement: opts.rate ?? 1,
      treatment: opts.treatmentRate ?? opts.rate ?? 1,
      referral: opts.referralRate ?? opts.rate ?? 1,
    };
    const timeScale = opts.timeScale ?? 1;
    const out: FacilityEventInput[] = [];
    if (this.pendingOpening) {
      this.pendingOpening = false;
      out.push(...this.censusEvents(this.cursor));
    }
    const end = Math.floor(toMs / 1000) * 1000;
    while (this.cursor < end) {
      const from = this.cursor;
      const to = Math.min(end, from + SLICE_MS);
      this.slice(from, to, rates, timeScale, out);
      this.cursor = to;
    }
    return out;
  }

  private slice(from: number, to: number, rates: Rates, timeScale: number, out: FacilityEventInput[]): void {
    const rate = rates.movement;
    const days = (to - from) / 86_400_000;
    const mid = (from + to) / 2;
    const p = this.profile;
    const pending: Pending[] = [];
    const dayWeight = this.diurnal(mid);

    // Admissions: a Poisson stream, day ≈ 3× night.
    const admPerDay = (p.admissionsPerDayPer100 * this.facility.capacity) / 100;
    const groupMean = (p.groupSize[0] + p.groupSize[1]) / 2;
    const nAdm = this.rng.poisson(((admPerDay * rate) / groupMean) * days * dayWeight);
    for (const at of this.instants(nAdm, from, to)) {
      pending.push({ at, order: 0, make: () => this.admit(at) });
    }

    // Discharges: each unit reverts to its target, so admissions and discharges balance.
    for (const u of this.units) {
      const unitShare = this.facility.capacity > 0 ? u.capacity / this.facility.capacity : 1;
      const perDay = (admPerDay * unitShare * u.occupied) / u.target;
      const nDis = this.rng.poisson(((perDay * rate) / groupMean) * days * dayWeight);
      for (const at of this.instants(nDis, from, to)) {
        pending.push({ at, order: 0, make: () => this.discharge(at, u) });
      }
    }

    // Treatments: daily volume per resident, posted as tallies.
    const residents = this.occupied();
    for (const t of p.treatments) {
      const weight = t.daytime ? this.diurnal(mid) : 1;
      const nTally = this.rng.poisson(t.talliesPerDay * rates.treatment * days * weight);
      if (nTally === 0) continue;
      const perTally = (t.perResidentPerDay * residents) / (t.talliesPerDay * rates.treatment);
      for (const at of this.instants(nTally, from, to)) {
        const count = Math.max(1, Math.min(10_000, Math.round(perTally * this.rng.uniform(0.6, 1.4))));
        pending.push({ at, order: 0, make: () => ({ ...this.base(at, undefined), type: "treatment", category: t.category, count }) });
      }
    }

    // New referrals, any time of day (emergencies do not wait for office hours).
    const refPerDay = (p.referralsPerDayPer100 * Math.max(residents, 1)) / 100;
    const nRef = this.rng.poisson(refPerDay * rates.referral * days);
    for (const at of this.instants(nRef, from, to)) {
      pending.push({ at, order: 0, make: () => this.newReferral(at, rates.referral * timeScale) });
    }
    // Progress of open referrals (one overdue from an earlier slice moves at this slice's start).
    for (const r of this.referrals) {
      if (r.nextAt <= to) {
        const at = Math.max(r.nextAt, from + 1000);
        pending.push({ at, order: 0, make: () => this.progressReferral(r, at, rates.referral * timeScale) });
      }
    }

    // Censuses at the reporting interval (one per unit).
    const interval = this.intervalMs(timeScale);
    for (let slot = Math.floor(from / interval); slot <= Math.ceil(to / interval); slot++) {
      const at = Math.ceil((slot * interval) / 1000) * 1000;
      if (at <= from || at > to || at <= this.lastCensusAt) continue;
      this.lastCensusAt = at;
      pending.push({ at, order: 1, make: () => this.censusEvents(at) });
    }

    pending.sort((a, b) => a.at - b.at || a.order - b.order);
    for (const item of pending) {
      const made = item.make();
      if (made === null) continue;
      if (Array.isArray(made)) out.push(...made);
      else out.push(made);
    }
    this.referrals = this.referrals.filter((r) => r.nextAt !== Number.POSITIVE_INFINITY);
  }

  private pickUnitForAdmission(): UnitState {
    if (this.units.length === 1) return this.units[0]!;
    const weights: Record<string, number> = {};
    for (const u of this.units) weights[u.id!] = u.capacity;
    const id = this.rng.weighted(weights);
    return this.units.find((u) => u.id === id)!;
  }

  private admit(at: number): FacilityEventInput | null {
    const u = this.pickUnitForAdmission();
    const count = this.rng.int(this.profile.groupSize[0], this.profile.groupSize[1]);
    // Full centres turn people away; public drug rehab runs overloaded, up to about 110%.
    const ceiling = this.facility.type === "drug_rehab" ? Math.floor(u.capacity * 1.1) : u.capacity;
    if (u.occupied + count > ceiling) return null;
    let cohort: Cohort = this.rng.weighted(this.profile.cohorts);
    if (this.facility.type === "drug_rehab" && u.id === "compulsory") cohort = "compulsory";
    if (this.facility.type === "drug_rehab" && u.id === "voluntary") cohort = "voluntary";
    if (this.facility.type === "drug_rehab" && u.id === "medical") cohort = this.rng.chance(0.7) ? "compulsory" : "emergency";
    u.occupied += count;
    return { ...this.base(at, u.id), type: "admission", count, cohort };
  }

  private discharge(at: number, u: UnitState): FacilityEventInput | null {
    if (u.occupied <= 0) return null;
    const count = Math.min(u.occupied, this.rng.int(this.profile.groupSize[0], this.profile.groupSize[1]));
    const outcome: Outcome = this.rng.weighted(this.profile.outcomes);
    u.occupied -= count;
    return { ...this.base(at, u.id), type: "discharge", count, outcome: count > 1 && outcome !== "completed" ? "completed" : outcome };
  }

  private destinations(): string[] {
    const province = this.facility.provinceName;
    const local = this.profile.destinations.map((d) => (d === "Bệnh viện Phổi" || d === "Bệnh viện Tâm thần" ? `${d} tỉnh ${province}` : d));
    return [`Bệnh viện Đa khoa tỉnh ${province}`, `Bệnh viện Đa khoa tỉnh ${province}`, ...local];
  }

  private newReferral(at: number, speedup: number): FacilityEventInput {
    this.referralCounter++;
    const r: OpenReferral = {
      id: `ref-${this.facility.id}-${this.referralCounter}-${this.salt}${this.rng.token(4)}`,
      status: "requested",
      destination: this.rng.pick(this.destinations()),
      urgency: this.rng.weighted(this.profile.urgency),
      nextAt: 0,
      unit: undefined,
    };
    r.nextAt = at + this.delay(r, speedup);
    this.referrals.push(r);
    return this.referralEvent(r, at);
  }

  /** How long until a referral's next step, by status and urgency. */
  private delay(r: OpenReferral, speedup: number): number {
    const min = 60_000;
    const factor = r.urgency === "emergency" ? 0.2 : r.urgency === "urgent" ? 0.5 : 1;
    let ms: number;
    if (r.status === "requested") ms = this.rng.uniform(20, 180) * min * factor;
    else if (r.status === "accepted") ms = this.rng.uniform(30, 360) * min * factor;
    else ms = this.rng.uniform(1, 8) * 86_400_000; // at the hospital, then back
    return Math.max(1000, Math.round(ms / Math.max(speedup, 1e-9) / 1000) * 1000);
  }

  private progressReferral(r: OpenReferral, at: number, speedup: number): FacilityEventInput {
    if (r.status === "requested" || r.status === "accepted") {
      // Some referrals are cancelled before transfer (the person improved, or no bed upstream).
      if (this.rng.chance(r.status === "requested" ? 0.08 : 0.06)) {
        r.nextAt = Number.POSITIVE_INFINITY;
        return this.referralEvent(r, at, "cancelled");
      }
      r.status = r.status === "requested" ? "accepted" : "transferred";
      r.nextAt = at + this.delay(r, speedup);
      return this.referralEvent(r, at);
    }
    r.nextAt = Number.POSITIVE_INFINITY;
    return this.referralEvent(r, at, "returned");
  }

  private referralEvent(r: OpenReferral, at: number, status?: "returned" | "cancelled"): FacilityEventInput {
    return {
      ...this.base(at, undefined),
      type: "referral",
      referral_id: r.id,
      status: status ?? r.status,
      destination: r.destination,
      urgency: r.urgency,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Province-level helpers

/** Instant of an event, in ms. */
export function eventTime(e: FacilityEventInput): number {
  return Date.parse(e.occurred_at);
}

/** Split a facility's events into batches of at most `size`, keeping their order. */
export function chunk<T>(items: readonly T[], size = 1000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Order per-facility batches for posting: each facility's batches stay in order, and batches of
 * different facilities are interleaved by their first event's time.
 */
export function planBatches(perFacility: Map<string, FacilityEventInput[]>, size = 1000): { facilityId: string; events: FacilityEventInput[] }[] {
  const batches: { facilityId: string; events: FacilityEventInput[]; first: number }[] = [];
  for (const [facilityId, events] of perFacility) {
    for (const b of chunk(events, size)) batches.push({ facilityId, events: b, first: eventTime(b[0]!) });
  }
  batches.sort((a, b) => a.first - b.first);
  return batches.map(({ facilityId, events }) => ({ facilityId, events }));
}
