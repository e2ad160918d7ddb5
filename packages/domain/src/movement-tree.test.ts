import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addMovement, combineSpans, decodeNode, EMPTY_SPAN, encodeNode, nodeKey, nodesFor, pathIds, ROOT_LEVEL, spanBetweenInstants, type Span, type TreeNode } from "./movement-tree.js";

const T0 = Date.UTC(2026, 10, 22, 1, 0, 0);

/** The definition, walked directly: movements in (after, upTo], same instant together. */
function naive(moves: readonly { at: number; delta: number }[], after: number, upTo: number): Span {
  const byInstant = new Map<number, number>();
  for (const m of moves) if (m.at > after && m.at <= upTo) byInstant.set(m.at, (byInstant.get(m.at) ?? 0) + m.delta);
  let span = EMPTY_SPAN;
  for (const at of [...byInstant.keys()].sort((a, b) => a - b)) span = combineSpans(span, { sum: byInstant.get(at)!, min: byInstant.get(at)! });
  return span;
}

function build(moves: readonly { at: number; delta: number }[]): Map<string, TreeNode> {
  const nodes = new Map<string, TreeNode>();
  for (const m of moves) for (const n of addMovement(nodes, m.at, m.delta)) nodes.set(nodeKey(n), n);
  return nodes;
}

// Instants from a millisecond to years apart, so both bounds and movements land at every level.
const scale = fc.constantFrom(1, 997, 4_096, 65_536, 3_600_000, 86_400_000, 31 * 86_400_000, 3 * 365 * 86_400_000);
const atArb = fc.tuple(scale, fc.integer({ min: -40, max: 40 })).map(([s, k]) => T0 + s * k);
const moveArb = fc.record({ at: atArb, delta: fc.integer({ min: -6, max: 6 }) });
const boundArb = fc.oneof({ weight: 6, arbitrary: atArb }, fc.constant(Number.NEGATIVE_INFINITY), fc.constant(Number.POSITIVE_INFINITY));

describe("movement tree", () => {
  it("a range's net and low-water mark equal the definition walked directly, for any bounds", () => {
    fc.assert(
      fc.property(fc.array(moveArb, { maxLength: 300 }), boundArb, boundArb, (moves, a, b) => {
        const nodes = build(moves);
        expect(spanBetweenInstants(nodes, a, b)).toEqual(naive(moves, a, b));
      }),
      { numRuns: 400 },
    );
  });

  it("is a function of the set of movements: any insertion order gives the same nodes", () => {
    fc.assert(
      fc.property(fc.array(moveArb, { maxLength: 100 }).chain((m) => fc.tuple(fc.constant(m), fc.shuffledSubarray(m, { minLength: m.length }))), ([moves, shuffled]) => {
        const a = build(moves);
        const b = build(shuffled);
        expect(new Map([...b].sort())).toEqual(new Map([...a].sort()));
      }),
      { numRuns: 200 },
    );
  });

  it("bounded work: a movement rewrites one node per level and a query needs at most two paths, whatever the history", () => {
    const moves = Array.from({ length: 20_000 }, (_, i) => ({ at: T0 - ((i * 7_919_317) % (400 * 86_400_000)), delta: 1 }));
    const nodes = build(moves);
    expect(addMovement(nodes, T0 - 123_456_789, 1)).toHaveLength(ROOT_LEVEL + 1);
    expect(nodesFor(T0 - 5e9, T0).length).toBeLessThanOrEqual(2 * (ROOT_LEVEL + 1));
    // No node holds more than 64 children (level 0 holds instants within 4 096 ms).
    for (const n of nodes.values()) expect(n.keys.length).toBeLessThanOrEqual(n.level === 0 ? 4_096 : 64);
    // The query reads only the nodes named by nodesFor: hand it just those and it answers the same.
    const only = (...at: number[]) => new Map(nodesFor(...at).flatMap((id) => (nodes.has(nodeKey(id)) ? [[nodeKey(id), nodes.get(nodeKey(id))!] as const] : [])));
    for (const [a, b] of [[T0 - 5e9, T0], [Number.NEGATIVE_INFINITY, T0 - 1e9], [T0 - 7e9, Number.POSITIVE_INFINITY], [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]] as const) {
      expect(spanBetweenInstants(only(a, b), a, b)).toEqual(naive(moves, a, b));
    }
  });

  it("paths run from the bottom to a single root; infinite bounds have none", () => {
    const p = pathIds(T0);
    expect(p.map((x) => x.level)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(p.at(-1)).toEqual({ level: ROOT_LEVEL, index: 0 });
    expect(pathIds(Number.POSITIVE_INFINITY)).toEqual([]);
  });

  it("encodes and decodes a node without loss", () => {
    const [leaf] = addMovement(new Map(), T0 + 5, -3);
    expect(decodeNode(leaf!, encodeNode(leaf!))).toEqual(leaf);
  });
});
