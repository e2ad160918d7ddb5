import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FacilityEvent } from "./events.js";
import { censusSupersedes, EMPTY_LEDGER, foldLedger, ledgerOccupancy, movement, UnitFold, type UnitLedger } from "./occupancy.js";
import type { AcceptedEvent } from "./validate.js";

// ---------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------
const T0 = Date.UTC(2026, 10, 22, 1, 0, 0);
const common = (id: string, at: number) => ({ event_id: id, facility_id: "f", occurred_at: new Date(at).toISOString(), unit: "u" });
const accepted = (event: FacilityEvent, at: number): AcceptedEvent => ({ event, occurredAtMs: at });

const census = (id: string, at: number, occupied: number, capacity?: number): AcceptedEvent =>
  accepted({ ...common(id, at), type: "census", occupied, ...(capacity === undefined ? {} : { capacity }) }, at);
const admission = (id: string, at: number, count = 1): AcceptedEvent => accepted({ ...common(id, at), type: "admission", count }, at);
const discharge = (id: string, at: number, count = 1): AcceptedEvent => accepted({ ...common(id, at), type: "discharge", count }, at);
const treatment = (id: string, at: number, count = 1): AcceptedEvent => accepted({ ...common(id, at), type: "treatment", category: "methadone", count }, at);

// ---------------------------------------------------------------------------------------------
// Independent oracle: the contract's rule, written directly from the text.
// ---------------------------------------------------------------------------------------------
/** Byte order of ASCII strings (event ids are ASCII by schema), written without `<` on strings. */
function byteCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

interface Oracle {
  occupied: number;
  inconsistent: boolean;
  capacity: number | null;
}

function oracle(events: readonly AcceptedEvent[]): Oracle {
  const byTime = [...events].sort((x, y) => x.occurredAtMs - y.occurredAtMs || byteCompare(x.event.event_id, y.event.event_id));
  const censuses = byTime.filter((e) => e.event.type === "census");
  const latest = censuses.at(-1);
  const base = latest && latest.event.type === "census" ? latest.event.occupied : 0;
  // Walk strictly later movements in time order; those at one instant count together (their
  // order is unknown). A running count below zero anywhere flags the unit until the next census.
  const atInstant = new Map<number, number>();
  for (const e of byTime) {
    if (latest && e.occurredAtMs <= latest.occurredAtMs) continue; // strictly later only
    const d = e.event.type === "admission" ? e.event.count : e.event.type === "discharge" ? -e.event.count : 0;
    if (d !== 0) atInstant.set(e.occurredAtMs, (atInstant.get(e.occurredAtMs) ?? 0) + d);
  }
  let net = 0;
  let dipped = false;
  for (const d of atInstant.values()) {
    net += d;
    if (base + net < 0) dipped = true;
  }
  const raw = base + net;
  const withCapacity = censuses.filter((e) => e.event.type === "census" && e.event.capacity !== undefined);
  const capEvent = withCapacity.at(-1);
  const capacity = capEvent && capEvent.event.type === "census" ? (capEvent.event.capacity ?? null) : null;
  return { occupied: Math.max(0, raw), inconsistent: dipped, capacity };
}

function observed(ledger: UnitLedger): Oracle {
  const o = ledgerOccupancy(ledger);
  return { ...o, capacity: ledger.capacity?.value ?? null };
}

function dedupeById(events: readonly AcceptedEvent[]): AcceptedEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => (seen.has(e.event.event_id) ? false : (seen.add(e.event.event_id), true)));
}

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

// ---------------------------------------------------------------------------------------------
// Arbitraries: few distinct instants (so ties with censuses are common), ids that mix upper and
// lower case (so byte order matters), movements big enough to go below zero.
// ---------------------------------------------------------------------------------------------
const idChars = fc.constantFrom(..."ABZab9z0".split(""));
const idArb = fc.tuple(idChars, fc.string({ unit: idChars, maxLength: 2 })).map(([a, b]) => a + b);
const atArb = fc.integer({ min: 0, max: 4 }).map((k) => T0 + k * 60_000);

type Spec =
  { kind: "census"; at: number; occupied: number; capacity: number | undefined } | { kind: "admission" | "discharge" | "treatment"; at: number; count: number };

const specArb: fc.Arbitrary<Spec> = fc.oneof(
  fc.record({
    kind: fc.constant("census" as const),
    at: atArb,
    occupied: fc.integer({ min: 0, max: 20 }),
    capacity: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
  }),
  fc.record({ kind: fc.constantFrom("admission" as const, "discharge" as const, "treatment" as const), at: atArb, count: fc.integer({ min: 1, max: 8 }) }),
);

function build(id: string, s: Spec): AcceptedEvent {
  switch (s.kind) {
    case "census":
      return census(id, s.at, s.occupied, s.capacity);
    case "admission":
      return admission(id, s.at, s.count);
    case "discharge":
      return discharge(id, s.at, s.count);
    case "treatment":
      return treatment(id, s.at, s.count);
  }
}

/** A set of events of one unit: unique event ids. */
const eventSetArb = (maxLength: number) =>
  fc.uniqueArray(idArb, { maxLength }).chain((ids) => fc.tuple(...ids.map(() => specArb)).map((specs) => ids.map((id, i) => build(id, specs[i]!))));

const setAndShuffleArb = (maxLength: number) =>
  eventSetArb(maxLength).chain((set) => fc.tuple(fc.constant(set), fc.shuffledSubarray(set, { minLength: set.length, maxLength: set.length })));

// ---------------------------------------------------------------------------------------------

describe("foldLedger — properties", () => {
  it("agrees with the naive oracle (latest census + strictly later movements, clamp at 0)", () => {
    fc.assert(
      fc.property(eventSetArb(12), (set) => {
        expect(observed(foldLedger(set))).toEqual(oracle(set));
      }),
      { numRuns: 500 },
    );
  });

  it("is order independent: a random permutation gives the same ledger, occupancy and capacity", () => {
    fc.assert(
      fc.property(setAndShuffleArb(12), ([set, shuffled]) => {
        const a = foldLedger(set);
        const b = foldLedger(shuffled);
        expect(b).toEqual(a);
        expect(ledgerOccupancy(b)).toEqual(ledgerOccupancy(a));
        expect(b.capacity?.value).toEqual(a.capacity?.value);
      }),
      { numRuns: 500 },
    );
  });

  it("is order independent over every permutation of small sets", () => {
    fc.assert(
      fc.property(eventSetArb(5), (set) => {
        const expected = oracle(set);
        for (const p of permutations(set)) expect(observed(foldLedger(p))).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it("replaying a duplicate changes nothing once deduplicated by event_id", () => {
    fc.assert(
      fc.property(
        eventSetArb(10).filter((s) => s.length > 0),
        fc.nat(),
        fc.nat(),
        (set, pick, pos) => {
          const dup = set[pick % set.length]!;
          const withDup = [...set];
          withDup.splice(pos % (set.length + 1), 0, { event: { ...dup.event }, occurredAtMs: dup.occurredAtMs });
          expect(foldLedger(dedupeById(withDup))).toEqual(foldLedger(set));
          expect(observed(foldLedger(dedupeById(withDup)))).toEqual(oracle(set));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("applied one event at a time, as the store does, the settled ledger after each step equals the oracle of the events so far", () => {
    fc.assert(
      fc.property(eventSetArb(12), (set) => {
        const fold = new UnitFold();
        set.forEach((e, i) => {
          fold.apply(e);
          expect(observed(fold.settled())).toEqual(oracle(set.slice(0, i + 1)));
        });
      }),
      { numRuns: 300 },
    );
  });

  // Long histories across every level of the movement tree: instants from milliseconds to years
  // apart (many equal), few or no censuses, movements late by any amount.
  const scaleArb = fc.constantFrom(1, 1_000, 60_000, 3_600_000, 86_400_000, 40 * 86_400_000, 400 * 86_400_000);
  const longAtArb = fc.tuple(scaleArb, fc.integer({ min: -30, max: 30 })).map(([scale, k]) => T0 + scale * k);
  const longSpecArb = (censusWeight: number): fc.Arbitrary<Spec> =>
    fc.oneof(
      {
        weight: censusWeight,
        arbitrary: fc.record({
          kind: fc.constant("census" as const),
          at: longAtArb,
          occupied: fc.integer({ min: 0, max: 40 }),
          capacity: fc.constant(undefined),
        }),
      },
      {
        weight: 20,
        arbitrary: fc.record({ kind: fc.constantFrom("admission" as const, "discharge" as const), at: longAtArb, count: fc.integer({ min: 1, max: 5 }) }),
      },
    );
  const longHistoryArb = (censusWeight: number) =>
    fc.array(longSpecArb(censusWeight), { minLength: 50, maxLength: 400 }).map((specs) => specs.map((s, i) => build(`L${i}`, s)));

  for (const [name, weight] of [
    ["no census", 0],
    ["a rare census", 1],
  ] as const) {
    it(`long random histories with ${name}: the fold in arrival order equals the oracle, and so does any other order`, () => {
      fc.assert(
        fc.property(longHistoryArb(weight), fc.infiniteStream(fc.nat()), (set, rnd) => {
          const expected = oracle(set);
          expect(observed(foldLedger(set))).toEqual(expected);
          const shuffled = [...set];
          const r = rnd[Symbol.iterator]();
          for (let i = shuffled.length - 1; i > 0; i--) {
            const j = (r.next().value as number) % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
          }
          expect(observed(foldLedger(shuffled))).toEqual(expected);
        }),
        { numRuns: 150 },
      );
    });
  }
});

describe("foldLedger — contract examples", () => {
  it("an admission at the same instant as the census is already counted in it", () => {
    const c = census("c1", T0, 10);
    const same = admission("a1", T0, 3);
    const later = admission("a2", T0 + 1, 2);
    for (const p of permutations([c, same, later])) {
      expect(ledgerOccupancy(foldLedger(p))).toEqual({ occupied: 12, inconsistent: false });
    }
    // and a discharge at the same instant likewise
    for (const p of permutations([c, discharge("d1", T0, 4)])) {
      expect(ledgerOccupancy(foldLedger(p)).occupied).toBe(10);
    }
  });

  it("a movement after the census counts once, whichever is folded first", () => {
    const c = census("c1", T0, 5);
    const a = admission("a1", T0 + 60_000, 1);
    expect(ledgerOccupancy(foldLedger([c, a])).occupied).toBe(6);
    expect(ledgerOccupancy(foldLedger([a, c])).occupied).toBe(6);
  });

  it("movements before the latest census are ignored", () => {
    const events = [admission("a0", T0 - 1, 50), discharge("d0", T0 - 2, 7), census("c1", T0, 10)];
    for (const p of permutations(events)) expect(ledgerOccupancy(foldLedger(p)).occupied).toBe(10);
  });

  it("two censuses at the same instant: the greater event_id in byte order wins ('B' < 'a')", () => {
    const upper = census("B", T0, 5, 50);
    const lower = census("a", T0, 9, 90);
    for (const p of [
      [upper, lower],
      [lower, upper],
    ]) {
      const l = foldLedger(p);
      expect(l.census?.eventId).toBe("a");
      expect(ledgerOccupancy(l).occupied).toBe(9);
      expect(l.capacity?.value).toBe(90);
    }
    // digits sort before upper case; "Z" before "a"; a prefix before its extension
    const pairs: [string, string][] = [
      ["9", "A"],
      ["Z", "a"],
      ["ab", "abc"],
      ["A-1", "A.1"],
      ["A:1", "A_1"],
    ];
    for (const [lo, hi] of pairs) {
      expect(censusSupersedes({ at: T0, eventId: hi }, { at: T0, eventId: lo })).toBe(true);
      expect(censusSupersedes({ at: T0, eventId: lo }, { at: T0, eventId: hi })).toBe(false);
      const events = [census(lo, T0, 1), census(hi, T0, 2)];
      for (const p of permutations(events)) expect(ledgerOccupancy(foldLedger(p)).occupied).toBe(2);
    }
  });

  it("a later census wins over a greater event_id at an earlier instant", () => {
    const events = [census("zzz", T0, 40), census("AAA", T0 + 1, 7)];
    for (const p of permutations(events)) expect(ledgerOccupancy(foldLedger(p)).occupied).toBe(7);
  });

  it("discharges below zero show 0 and inconsistent; the next census clears it", () => {
    const c1 = census("c1", T0, 2);
    const d = discharge("d1", T0 + 60_000, 5);
    for (const p of permutations([c1, d])) {
      expect(ledgerOccupancy(foldLedger(p))).toEqual({ occupied: 0, inconsistent: true });
    }
    const c2 = census("c2", T0 + 120_000, 4);
    const after = discharge("d2", T0 + 180_000, 1);
    for (const p of permutations([c1, d, c2])) {
      expect(ledgerOccupancy(foldLedger(p))).toEqual({ occupied: 4, inconsistent: false });
    }
    for (const p of permutations([c1, d, c2, after])) {
      expect(ledgerOccupancy(foldLedger(p))).toEqual({ occupied: 3, inconsistent: false });
    }
    // exactly zero is consistent
    expect(ledgerOccupancy(foldLedger([c1, discharge("d3", T0 + 1, 2)]))).toEqual({ occupied: 0, inconsistent: false });
  });

  it("without any census, occupancy is admissions minus discharges", () => {
    const events = [admission("a1", T0, 5), discharge("d1", T0 + 1, 2), admission("a2", T0 - 1, 1), treatment("t1", T0, 99)];
    for (const p of permutations(events)) expect(ledgerOccupancy(foldLedger(p))).toEqual({ occupied: 4, inconsistent: false });
    expect(ledgerOccupancy(foldLedger([]))).toEqual({ occupied: 0, inconsistent: false });
    expect(foldLedger([])).toEqual(EMPTY_LEDGER);
  });

  it("capacity is the latest census that carries one; censuses without capacity keep it", () => {
    const events = [census("c1", T0, 10, 120), census("c2", T0 + 1, 11), admission("a1", T0 + 2, 1)];
    for (const p of permutations(events)) {
      const l = foldLedger(p);
      expect(l.capacity?.value).toBe(120);
      expect(ledgerOccupancy(l).occupied).toBe(12);
    }
    const more = [...events, census("c0", T0 - 1, 3, 999), census("c3", T0 + 3, 12, 100)];
    for (const p of permutations(more)) expect(foldLedger(p).capacity?.value).toBe(100);
    expect(foldLedger([census("c1", T0, 1)]).capacity).toBeNull();
    // capacity 0 is a real value, not "absent"
    expect(foldLedger([census("c1", T0, 0, 0)]).capacity?.value).toBe(0);
  });

  it("treatments and referrals never move the head count", () => {
    const ref = accepted({ ...common("r1", T0 + 1), type: "referral", referral_id: "R1", status: "requested", destination: "Bệnh viện tỉnh" }, T0 + 1);
    expect(movement(ref)).toBe(0);
    expect(movement(treatment("t1", T0, 5))).toBe(0);
    expect(movement(admission("a", T0, 3))).toBe(3);
    expect(movement(discharge("d", T0, 3))).toBe(-3);
    expect(ledgerOccupancy(foldLedger([census("c", T0, 7), ref, treatment("t", T0 + 1, 40)])).occupied).toBe(7);
  });
});

describe("the inconsistent flag is sticky until the next census", () => {
  const ev = (id: string, min: number, body: Record<string, unknown>): AcceptedEvent =>
    ({ event: { event_id: id, facility_id: "f", occurred_at: "", ...body }, occurredAtMs: Date.UTC(2026, 10, 22, 1, min) }) as unknown as AcceptedEvent;
  it("an admission after an over-discharge does not clear it; a census does", () => {
    const census3 = ev("c1", 0, { type: "census", occupied: 3 });
    const dis5 = ev("d1", 10, { type: "discharge", count: 5 });
    const adm4 = ev("a1", 15, { type: "admission", count: 4 });
    for (const order of [
      [census3, dis5, adm4],
      [adm4, dis5, census3],
      [dis5, adm4, census3],
    ]) {
      expect(ledgerOccupancy(foldLedger(order))).toEqual({ occupied: 2, inconsistent: true });
    }
    const census8 = ev("c2", 20, { type: "census", occupied: 8 });
    expect(ledgerOccupancy(foldLedger([census3, dis5, adm4, census8]))).toEqual({ occupied: 8, inconsistent: false });
  });
  it("movements at one instant count together: +1 and −1 at once never dip", () => {
    const c = ev("c", 0, { type: "census", occupied: 0 });
    const a = ev("a", 5, { type: "admission", count: 1 });
    const d = ev("d", 5, { type: "discharge", count: 1 });
    expect(ledgerOccupancy(foldLedger([c, d, a]))).toEqual({ occupied: 0, inconsistent: false });
    expect(ledgerOccupancy(foldLedger([c, a, d]))).toEqual({ occupied: 0, inconsistent: false });
  });
});
