import { describe, expect, it } from "vitest";
import {
  demoRegistryDocument,
  parseRegistry,
  referralMove,
  validateBody,
  type FacilityEventInput,
  type FacilityType,
  type ReferralStatus,
  type Registry,
} from "@carewatch/domain";
import { chunk, FacilityModel, isDaytimeHour, localHour, mulberry32, planBatches } from "./model.js";
import { LIVE_RATES } from "./simulator.js";

function registry(): Registry {
  const r = parseRegistry(demoRegistryDocument);
  if (!r.ok) throw new Error(r.problems.join("\n"));
  return r.registry;
}

const REG = registry();
const DAY = 86_400_000;
// Monday 00:00 in Hà Nội, aligned to every reporting interval.
const START = Date.parse("2026-03-02T00:00:00+07:00");

function run(days: number, seed = 42, opts: Parameters<FacilityModel["advance"]>[1] = {}): Map<string, FacilityEventInput[]> {
  const out = new Map<string, FacilityEventInput[]>();
  for (const f of REG.facilities) {
    const m = new FacilityModel(f, { seed, startMs: START, idSalt: "t" });
    out.set(f.id, m.advance(START + days * DAY, opts));
  }
  return out;
}

const WEEK = run(7);
const LIVE = run(0.5, 7, { rate: LIVE_RATES.movement, treatmentRate: LIVE_RATES.treatment, referralRate: LIVE_RATES.referral });

const ALLOWED: Record<FacilityType, string[]> = {
  drug_rehab: ["methadone", "detox", "psychosocial", "vocational", "health_check"],
  psychiatric: ["psychiatric_care", "physical_rehab", "health_check"],
  merit_nursing: ["convalescence", "orthopedic_device", "physical_rehab", "health_check"],
  social_protection: ["nurturing", "health_check", "physical_rehab", "psychosocial"],
  social_work: ["nurturing", "health_check", "physical_rehab", "psychosocial"],
};

describe("mulberry32", () => {
  it("is deterministic and in [0, 1)", () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });

  it("gives the same events for the same seed", () => {
    const again = run(1, 42);
    const first = run(1, 42);
    expect(again.get("sl-drug-rehab")).toEqual(first.get("sl-drug-rehab"));
  });
});

describe("facility model", () => {
  it("posts censuses at each facility's interval, one per unit (units only where they exist)", () => {
    for (const f of REG.facilities) {
      const events = WEEK.get(f.id)!;
      const censuses = events.filter((e) => e.type === "census");
      const unitIds = f.units.map((u) => u.id);
      const perUnit = new Map<string | undefined, number[]>();
      for (const c of censuses) {
        perUnit.set(c.unit, [...(perUnit.get(c.unit) ?? []), Date.parse(c.occurred_at)]);
      }
      if (unitIds.length) {
        expect([...perUnit.keys()].sort()).toEqual([...unitIds].sort());
      } else {
        expect([...perUnit.keys()]).toEqual([undefined]);
      }
      for (const times of perUnit.values()) {
        expect(times[0]).toBe(START);
        for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(f.reportingIntervalMinutes * 60_000);
        expect(times.length).toBe((7 * 24 * 60) / f.reportingIntervalMinutes + 1);
      }
      for (const e of events) {
        if (unitIds.length === 0) expect(e.unit).toBeUndefined();
        else if (e.type === "census" || e.type === "admission" || e.type === "discharge") expect(unitIds).toContain(e.unit);
      }
    }
  });

  it("produces events that pass the domain's validateBody, in time order, with valid unique ids", () => {
    const ctx = { facility: (id: string) => REG.byId.get(id), now: START + 8 * DAY };
    for (const sample of [WEEK, LIVE]) {
      for (const [id, events] of sample) {
        for (const batch of chunk(events, 1000)) {
          const v = validateBody({ events: batch }, ctx);
          if (!v.ok) throw new Error(`${id}: ${JSON.stringify(v.problems.slice(0, 3))}`);
        }
        const ids = new Set<string>();
        let last = 0;
        for (const e of events) {
          expect(e.facility_id).toBe(id);
          expect(e.event_id).toMatch(/^sim-[a-z0-9-]+-\d+-[a-z0-9]+$/);
          expect(e.event_id.length).toBeLessThanOrEqual(128);
          expect(e.occurred_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$/);
          ids.add(e.event_id);
          const t = Date.parse(e.occurred_at);
          expect(t).toBeGreaterThanOrEqual(last);
          last = t;
        }
        expect(ids.size).toBe(events.length);
      }
    }
  });

  it("never dates an event after the time it was advanced to", () => {
    const f = REG.byId.get("sl-drug-rehab")!;
    const m = new FacilityModel(f, { seed: 1, startMs: START });
    let now = START;
    for (let i = 0; i < 500; i++) {
      now += 1234;
      for (const e of m.advance(now, { rate: 500, treatmentRate: 500 })) expect(Date.parse(e.occurred_at)).toBeLessThanOrEqual(now);
    }
  });

  it("has about three times as many admissions by day (07–18 local) as by night", () => {
    let day = 0;
    let night = 0;
    for (const events of WEEK.values()) {
      for (const e of events) {
        if (e.type !== "admission") continue;
        if (isDaytimeHour(localHour(Date.parse(e.occurred_at), "Asia/Ho_Chi_Minh"))) day++;
        else night++;
      }
    }
    expect(day + night).toBeGreaterThan(50);
    expect(day / Math.max(night, 1)).toBeGreaterThan(1.5);
  });

  it("reports treatments that fit the facility type", () => {
    for (const f of REG.facilities) {
      const cats = new Set<string>();
      for (const e of [...WEEK.get(f.id)!, ...LIVE.get(f.id)!]) if (e.type === "treatment") cats.add(e.category);
      expect(cats.size).toBeGreaterThan(0);
      for (const c of cats) expect(ALLOWED[f.type]).toContain(c);
    }
  });

  it("moves every referral forward only", () => {
    let referrals = 0;
    const seen = new Set<ReferralStatus>();
    for (const sample of [WEEK, LIVE]) {
      for (const events of sample.values()) {
        const status = new Map<string, ReferralStatus>();
        for (const e of events) {
          if (e.type !== "referral") continue;
          const move = referralMove(status.get(e.referral_id), e.status);
          expect(move).toEqual({ ok: true, changed: true });
          if (!status.has(e.referral_id)) {
            referrals++;
            expect(e.status).toBe("requested");
          }
          status.set(e.referral_id, e.status);
          seen.add(e.status);
          expect(e.destination.length).toBeGreaterThan(0);
        }
      }
    }
    expect(referrals).toBeGreaterThan(5);
    expect([...seen].sort()).toEqual(["accepted", "cancelled", "requested", "returned", "transferred"]);
  });

  it("keeps occupancy plausible and the censuses consistent with the movements", () => {
    for (const f of REG.facilities) {
      const events = WEEK.get(f.id)!;
      const count = new Map<string | undefined, number>();
      for (const e of events) {
        if (e.type === "census") {
          const before = count.get(e.unit);
          if (before !== undefined) expect(e.occupied).toBe(before);
          count.set(e.unit, e.occupied);
        } else if (e.type === "admission") count.set(e.unit, count.get(e.unit)! + (e.count ?? 1));
        else if (e.type === "discharge") count.set(e.unit, count.get(e.unit)! - (e.count ?? 1));
      }
      const total = [...count.values()].reduce((s, n) => s + n, 0);
      const pct = total / f.capacity;
      expect(pct).toBeGreaterThan(0.45);
      expect(pct).toBeLessThanOrEqual(f.type === "drug_rehab" ? 1.1 : 1);
      // Opening head count: 60–95% (drug rehab up to 105%).
      const opening = events.filter((e) => e.type === "census" && e.occurred_at === events[0]!.occurred_at);
      const start = opening.reduce((s, e) => s + (e.type === "census" ? e.occupied : 0), 0) / f.capacity;
      expect(start).toBeGreaterThanOrEqual(0.58);
      expect(start).toBeLessThanOrEqual(f.type === "drug_rehab" ? 1.06 : 0.96);
    }
  });

  it("uses discharge outcomes: mostly completed, rarely absconded or deceased", () => {
    const outcomes: Record<string, number> = {};
    for (const events of run(30, 3).values()) {
      for (const e of events) if (e.type === "discharge") outcomes[e.outcome ?? "none"] = (outcomes[e.outcome ?? "none"] ?? 0) + 1;
    }
    const total = Object.values(outcomes).reduce((s, n) => s + n, 0);
    expect(outcomes.completed! / total).toBeGreaterThan(0.7);
    expect((outcomes.transferred ?? 0) / total).toBeGreaterThan(0.02);
    expect((outcomes.absconded ?? 0) / total).toBeLessThan(0.08);
    expect((outcomes.deceased ?? 0) / total).toBeLessThan(0.04);
  });

  it("plans a 2-day backfill in time order, in batches of at most 1,000", () => {
    const history = run(2, 9);
    const batches = planBatches(history, 1000);
    const total = [...history.values()].reduce((s, l) => s + l.length, 0);
    expect(batches.reduce((s, b) => s + b.events.length, 0)).toBe(total);
    const lastByFacility = new Map<string, number>();
    let lastFirst = 0;
    for (const b of batches) {
      expect(b.events.length).toBeGreaterThan(0);
      expect(b.events.length).toBeLessThanOrEqual(1000);
      const first = Date.parse(b.events[0]!.occurred_at);
      expect(first).toBeGreaterThanOrEqual(lastFirst);
      lastFirst = first;
      let last = lastByFacility.get(b.facilityId) ?? 0;
      for (const e of b.events) {
        expect(e.facility_id).toBe(b.facilityId);
        const t = Date.parse(e.occurred_at);
        expect(t).toBeGreaterThanOrEqual(last);
        last = t;
      }
      lastByFacility.set(b.facilityId, last);
    }
    // Small batches force chunking across the same facility.
    expect(planBatches(history, 100).every((b) => b.events.length <= 100)).toBe(true);
  });
});
