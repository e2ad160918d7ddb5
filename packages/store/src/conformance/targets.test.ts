import {
  dayStart,
  demoTargetsDocument,
  foldLedger,
  ledgerOccupancy,
  localDay,
  parseTargetsDocument,
  targetProgress,
  yearDays,
  type AcceptedEvent,
  type Target,
  type TargetsDocument,
} from "@carewatch/domain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { append, ev, iso, loadRegistry, req } from "../test-helpers.js";
import type { Store } from "../types.js";
import { ENGINES } from "./engines.js";

const HCM = "Asia/Ho_Chi_Minh";
const SAPA = "lc-merit-nursing-sapa";
const REHAB2 = "lc-drug-rehab-2";
const SOCIAL = "lc-social-work";
const registry = loadRegistry();

function bundled(): TargetsDocument {
  const r = parseTargetsDocument(demoTargetsDocument, registry);
  if (!r.ok) throw new Error("bundled targets");
  return r.document;
}

/** A document of three 2026 targets over facilities without units. */
function doc2026(): TargetsDocument {
  const t = (x: Partial<Target> & Pick<Target, "id" | "kind">): Target => ({ year: 2026, value: 100, vi: x.id, en: x.id, facilities: [SAPA], ...x }) as Target;
  return {
    version: 1,
    plans: [
      {
        id: "test-2026",
        title: "Kế hoạch thử",
        province: "lao-cai",
        source: "published",
        targets: [
          t({ id: "conv", kind: "event_sum", event: "treatment", category: "convalescence", facilities: [SAPA, REHAB2] }),
          t({ id: "adm", kind: "event_sum", event: "admission", facilities: [REHAB2] }),
          t({ id: "served", kind: "people_served", facilities: [REHAB2, SAPA] }),
          t({ id: "avg", kind: "average_occupied", facilities: [SOCIAL] }),
        ],
      },
    ],
  };
}

async function postAll(store: Store, events: AcceptedEvent[], chunk = 7) {
  const byFacility = new Map<string, AcceptedEvent[]>();
  for (const e of events) byFacility.set(e.event.facility_id, [...(byFacility.get(e.event.facility_id) ?? []), e]);
  for (const list of byFacility.values()) {
    for (let i = 0; i < list.length; i += chunk) {
      const outcome = await append(store, req(list.slice(i, i + chunk)));
      if (!outcome.ok) throw new Error(JSON.stringify(outcome.conflicts));
    }
  }
}

const occupiedBefore = (events: readonly AcceptedEvent[], facility: string, t: number) =>
  ledgerOccupancy(foldLedger(events.filter((e) => e.event.facility_id === facility && e.occurredAtMs < t))).occupied;

for (const engine of ENGINES) {
  describe(`${engine.name}: targets`, () => {
    it("imports a document: new, unchanged and changed definitions; never deletes; get, years, value and assessments", async () => {
      const { store } = await engine.create();
      const first = await store.targets.importDocument(bundled(), 1000);
      expect(first).toMatchObject({ plans: 3, updated: [], unchanged: 0 });
      expect(first.created).toHaveLength(14);
      expect(await store.targets.years()).toEqual([2023, 2025, 2026, 2030]);
      expect(await store.targets.importDocument(bundled(), 2000)).toMatchObject({ created: [], updated: [], unchanged: 14 });

      const changed = bundled();
      changed.plans[1]!.targets[0]!.value = 1200;
      changed.plans = [changed.plans[1]!];
      expect(await store.targets.importDocument(changed, 3000)).toMatchObject({ plans: 1, created: [], updated: ["lc-convalescence-2023"], unchanged: 3 });
      // Targets of plans left out of a later document stay.
      expect((await store.targets.get("sl-primary-care-2025"))?.province).toBe("son-la");
      expect((await store.targets.get("lc-convalescence-2023"))?.target.value).toBe(1200);
      expect(await store.targets.get("nowhere")).toBeNull();

      const set = await store.targets.setValue("lc-orthopedic-2026", 30, 4000);
      expect(set?.before.value).toBe(28);
      expect(set?.after).toMatchObject({ id: "lc-orthopedic-2026", value: 30, category: "orthopedic_device" });
      expect(await store.targets.setValue("nowhere", 1, 4000)).toBeNull();
      // A percentage target refuses a value over 100 and stays as it was.
      await expect(store.targets.setValue("sl-primary-care-2025", 120, 4000)).rejects.toThrow();
      expect((await store.targets.get("sl-primary-care-2025"))?.target.value).toBe(80);

      const a = await store.targets.addAssessment({
        targetId: "sl-primary-care-2025",
        date: "2025-06-30",
        value: 50,
        note: "2 trên 4 cơ sở",
        by: "m@x.vn",
        at: 5000,
      });
      expect(a).toEqual({ targetId: "sl-primary-care-2025", date: "2025-06-30", value: 50, note: "2 trên 4 cơ sở", by: "m@x.vn", recordedAt: 5000 });
      await expect(store.targets.addAssessment({ targetId: "nowhere", date: "2025-06-30", value: 1, note: "", by: "x", at: 1 })).rejects.toThrow(/no target/);

      const y2025 = await store.targets.year(2025, Date.parse("2026-01-10T00:00:00+07:00"));
      expect(y2025.plans.map((p) => [p.id, p.targets.length])).toEqual([["son-la-300-2021", 3]]);
      expect(y2025.assessments).toEqual([a]);
      expect(y2025.facts.map((f) => f.facilityId).sort()).toEqual(["sl-drug-rehab", "sl-drug-rehab-song-ma", "sl-psychiatric", "sl-social-protection"]);

      // Definitions and assessments are state of their own: a rebuild and a restart leave them alone.
      expect((await store.rebuild()).differences).toEqual([]);
      expect((await store.targets.year(2025, Date.parse("2026-01-10T00:00:00+07:00"))).assessments).toEqual([a]);
    });

    it("survives a restart", async () => {
      const t = await engine.create();
      await t.store.targets.importDocument(bundled(), 1);
      await t.store.targets.addAssessment({ targetId: "sl-primary-care-2030", date: "2030-01-02", value: 10, note: "", by: "cw", at: 2 });
      const reopened = await t.reopen();
      expect((await reopened.targets.year(2030, Date.parse("2030-02-01T00:00:00Z"))).assessments).toHaveLength(1);
      expect((await reopened.targets.get("lc-social-work-2026"))?.target.kind).toBe("average_occupied");
    });

    it("gathers the year's facts: sums of its local days up to today, occupied as the year begins and at each day's end", async () => {
      const { store } = await engine.create();
      await store.targets.importDocument(doc2026(), 1);
      const at = (s: string) => Date.parse(s);
      await postAll(store, [
        ev({ facility_id: SAPA, type: "treatment", category: "convalescence", count: 5, occurred_at: "2025-12-31T23:59:59.999+07:00" }), // last year
        ev({ facility_id: SAPA, type: "treatment", category: "convalescence", count: 2, occurred_at: "2026-01-01T00:00:00+07:00" }),
        ev({ facility_id: REHAB2, type: "treatment", category: "convalescence", count: 3, occurred_at: "2026-01-02T10:00:00+07:00" }),
        ev({ facility_id: SAPA, type: "treatment", category: "detox", count: 9, occurred_at: "2026-01-02T10:00:00+07:00" }),
        ev({ facility_id: SAPA, type: "treatment", category: "convalescence", count: 4, occurred_at: "2026-01-03T09:00:00+07:00" }), // today
        ev({ facility_id: REHAB2, type: "census", occupied: 40, occurred_at: "2025-12-20T08:00:00+07:00" }),
        ev({ facility_id: REHAB2, type: "admission", count: 1, occurred_at: "2026-01-01T00:00:00+07:00" }), // the year's, not the start's
        ev({ facility_id: SAPA, type: "census", occupied: 10, occurred_at: "2025-12-31T12:00:00+07:00" }),
        ev({ facility_id: SOCIAL, type: "census", occupied: 100, occurred_at: "2025-12-31T12:00:00+07:00" }),
        ev({ facility_id: SOCIAL, type: "admission", count: 2, occurred_at: "2026-01-02T00:00:00+07:00" }), // 00:00 on the 2nd: day 2's
        ev({ facility_id: SOCIAL, type: "discharge", count: 1, occurred_at: "2026-01-02T23:59:59.999+07:00" }),
      ]);
      const now = at("2026-01-03T12:00:00+07:00");
      const y = await store.targets.year(2026, now);
      const facts = new Map(y.facts.map((f) => [f.facilityId, f]));
      expect(facts.get(SAPA)).toMatchObject({
        timeZone: HCM,
        occupiedAtStart: 10,
        daily: { "treatment:convalescence": { "2026-01-01": 2, "2026-01-03": 4 }, "treatment:detox": { "2026-01-02": 9 } },
      });
      expect(facts.get(REHAB2)).toMatchObject({ occupiedAtStart: 40, daily: { admissions: { "2026-01-01": 1 } } });
      expect(facts.get(SOCIAL)?.occupiedAtDayEnds).toEqual([100, 101]);
      expect(facts.get(SAPA)?.occupiedAtDayEnds).toEqual([]); // no average target on it

      const progress = Object.fromEntries(y.plans[0]!.targets.map((t) => [t.id, targetProgress(t, y.facts, y.assessments, now)]));
      expect(progress.conv?.actual).toBe(9);
      expect(progress.adm?.actual).toBe(1);
      expect(progress.served?.actual).toBe(51); // 40 + 10 at the start, + 1 admission
      expect(progress.avg?.actual).toBe(100.5);
      // A year not begun has no sums; the past year's facts stop at 31 December.
      expect((await store.targets.year(2027, now)).facts).toEqual([]);
      const later = await store.targets.year(2026, at("2027-02-01T00:00:00+07:00"));
      expect(later.facts.find((f) => f.facilityId === SOCIAL)?.occupiedAtDayEnds).toHaveLength(365);
    });

    it("the actual equals a recomputation straight from the events posted, whatever their order and lateness", async () => {
      const yearStart = dayStart("2026-01-01", HCM);
      const span = 75 * 86_400_000; // mid-December 2025 to late February 2026
      const from = yearStart - 15 * 86_400_000;
      const facilities = [SAPA, REHAB2, SOCIAL] as const;
      const row = fc.record({
        f: fc.integer({ min: 0, max: 2 }),
        kind: fc.constantFrom("census", "admission", "discharge", "conv", "detox"),
        t: fc.integer({ min: 0, max: span }),
        n: fc.integer({ min: 1, max: 6 }),
        key: fc.double({ min: 0, max: 1, noNaN: true }),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(row, { minLength: 1, maxLength: 60 }),
          fc.integer({ min: 0, max: 50 }),
          fc.integer({ min: 1, max: 9 }),
          async (rows, nowDay, chunk) => {
            const t = await engine.create();
            try {
              await t.store.targets.importDocument(doc2026(), 1);
              const events = rows.map((r, i) => {
                const facility_id = facilities[r.f]!;
                const occurred_at = iso(from + r.t);
                const base = { event_id: `p-${i}`, facility_id, occurred_at };
                if (r.kind === "census") return ev({ ...base, type: "census", occupied: r.n * 10 });
                if (r.kind === "admission") return ev({ ...base, type: "admission", count: r.n });
                if (r.kind === "discharge") return ev({ ...base, type: "discharge", count: r.n });
                return ev({ ...base, type: "treatment", category: r.kind === "conv" ? "convalescence" : "detox", count: r.n });
              });
              // Arrival order: shuffled by each row's key, so late and out-of-order events mix.
              const arrival = events.map((e, i) => ({ e, k: rows[i]!.key })).sort((a, b) => a.k - b.k);
              await postAll(
                t.store,
                arrival.map((x) => x.e),
                chunk,
              );
              const now = yearStart + nowDay * 86_400_000 + 5 * 3_600_000;
              const today = localDay(now, HCM);
              const y = await t.store.targets.year(2026, now);
              const got = Object.fromEntries(y.plans[0]!.targets.map((tg) => [tg.id, targetProgress(tg, y.facts, y.assessments, now).actual]));

              const inYear = (e: AcceptedEvent) => {
                const d = localDay(e.occurredAtMs, HCM);
                return d >= "2026-01-01" && d <= today;
              };
              const sum = (pred: (e: AcceptedEvent) => boolean) =>
                events.filter((e) => inYear(e) && pred(e)).reduce((s, e) => s + ("count" in e.event ? (e.event.count as number) : 0), 0);
              const isConv = (e: AcceptedEvent) => e.event.type === "treatment" && e.event.category === "convalescence";
              expect(got.conv).toBe(sum((e) => isConv(e) && [SAPA, REHAB2].includes(e.event.facility_id)));
              expect(got.adm).toBe(sum((e) => e.event.type === "admission" && e.event.facility_id === REHAB2));
              const start = occupiedBefore(events, REHAB2, yearStart) + occupiedBefore(events, SAPA, yearStart);
              expect(got.served).toBe(start + sum((e) => e.event.type === "admission" && [SAPA, REHAB2].includes(e.event.facility_id)));
              const ends = yearDays(2026)
                .slice(1, nowDay + 1)
                .map((d) => occupiedBefore(events, SOCIAL, dayStart(d, HCM)));
              expect(got.avg).toBe(ends.length ? ends.reduce((s, n) => s + n, 0) / ends.length : null);
            } finally {
              await t.dispose();
            }
          },
        ),
        { numRuns: 25 },
      );
    });
  });
}
