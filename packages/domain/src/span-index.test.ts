import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { combineSpans, EMPTY_SPAN, SpanIndex, type Span } from "./span-index.js";

const T0 = Date.UTC(2026, 10, 22, 1, 0, 0);

/** The definition, walked directly: movements in (after, upTo], same instant together. */
function naive(moves: readonly { at: number; delta: number }[], after: number, upTo: number): Span {
  const byInstant = new Map<number, number>();
  for (const m of moves) if (m.at > after && m.at <= upTo) byInstant.set(m.at, (byInstant.get(m.at) ?? 0) + m.delta);
  let span = EMPTY_SPAN;
  for (const at of [...byInstant.keys()].sort((a, b) => a - b)) span = combineSpans(span, { sum: byInstant.get(at)!, min: byInstant.get(at)! });
  return span;
}

function build(moves: readonly { at: number; delta: number }[]): SpanIndex {
  const index = new SpanIndex();
  for (const m of moves) index.add(m.at, m.delta);
  return index;
}

// Instants from a millisecond to years apart, many equal; enough of them to split chunks and blocks.
const scale = fc.constantFrom(1, 997, 65_536, 3_600_000, 86_400_000, 3 * 365 * 86_400_000);
const atArb = fc.tuple(scale, fc.integer({ min: -3000, max: 3000 })).map(([s, k]) => T0 + s * k);
const moveArb = fc.record({ at: atArb, delta: fc.integer({ min: -6, max: 6 }) });
const boundArb = fc.oneof({ weight: 6, arbitrary: atArb }, fc.constant(Number.NEGATIVE_INFINITY), fc.constant(Number.POSITIVE_INFINITY));

describe("SpanIndex", () => {
  it("a range's net and low-water mark equal the definition walked directly, for any bounds", () => {
    fc.assert(
      fc.property(fc.array(moveArb, { maxLength: 300 }), fc.array(fc.tuple(boundArb, boundArb), { minLength: 1, maxLength: 8 }), (moves, bounds) => {
        const index = build(moves);
        for (const [a, b] of bounds) expect(index.spanBetween(a, b)).toEqual(naive(moves, a, b));
      }),
      { numRuns: 300 },
    );
  });

  it("holds across many chunk and block splits (10,000 movements in random order)", () => {
    fc.assert(
      fc.property(
        fc.array(moveArb, { minLength: 5_000, maxLength: 10_000 }),
        fc.array(fc.tuple(boundArb, boundArb), { minLength: 20, maxLength: 20 }),
        (moves, bounds) => {
          const index = build(moves);
          for (const [a, b] of bounds) expect(index.spanBetween(a, b)).toEqual(naive(moves, a, b));
          expect(index.instants).toBe(new Set(moves.map((m) => m.at)).size);
        },
      ),
      { numRuns: 15 },
    );
  });

  it("is a function of the set of movements: any insertion order answers the same", () => {
    fc.assert(
      fc.property(
        fc.array(moveArb, { maxLength: 400 }).chain((m) => fc.tuple(fc.constant(m), fc.shuffledSubarray(m, { minLength: m.length }))),
        fc.array(fc.tuple(boundArb, boundArb), { minLength: 1, maxLength: 5 }),
        ([moves, shuffled], bounds) => {
          const a = build(moves);
          const b = build(shuffled);
          for (const [x, y] of bounds) expect(b.spanBetween(x, y)).toEqual(a.spanBetween(x, y));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("taking a movement back (a rolled-back request) leaves every span as before", () => {
    fc.assert(
      fc.property(fc.array(moveArb, { maxLength: 200 }), fc.array(moveArb, { minLength: 1, maxLength: 50 }), boundArb, boundArb, (kept, undone, a, b) => {
        const index = build(kept);
        for (const m of undone) index.add(m.at, m.delta);
        for (const m of [...undone].reverse()) index.add(m.at, -m.delta);
        const got = index.spanBetween(a, b);
        const want = naive(kept, a, b);
        // A taken-back instant stays as an entry of 0: the net is the same, and the low-water mark
        // the same wherever it can matter (the rule reads min(0, min)).
        expect(got.sum).toBe(want.sum);
        expect(Math.min(0, got.min)).toBe(Math.min(0, want.min));
      }),
      { numRuns: 200 },
    );
  });

  it("an empty index and an empty range have no movements", () => {
    expect(new SpanIndex().spanBetween(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY)).toEqual(EMPTY_SPAN);
    expect(build([{ at: T0, delta: 3 }]).spanBetween(T0, T0)).toEqual(EMPTY_SPAN);
    expect(build([{ at: T0, delta: 3 }]).spanBetween(T0 - 1, T0)).toEqual({ sum: 3, min: 3 });
  });
});
