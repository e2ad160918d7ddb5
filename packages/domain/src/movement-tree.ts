/**
 * The movements of one unit as a summary tree over time, so that the census rule costs the same
 * for the 1st and the 10,000,000th event, in order or late, with or without a census.
 *
 * What the rule needs of a stretch of movements is two numbers (a `Span`): their net (`sum`) and
 * the lowest running total walking them in time order, movements at the same instant together
 * (`min`). Two adjacent stretches combine in O(1): the later one's running totals start where
 * the earlier one's net ends. So a tree whose every node keeps the spans of its children answers
 * "net and low-water mark of every movement in (a, b]" from the two paths to a and b alone.
 *
 * The tree is fixed by the clock, not by the data: a node at level L covers 2^SHIFT[L] ms, its
 * entries are the non-empty children (at level 0: the instants themselves, each with the sum of
 * the deltas at it). With 64 children per node and seven levels from 4 s to the root, a movement
 * touches seven nodes and a query reads at most fourteen, whatever the history holds. Nodes are
 * plain data: the store keeps them (one row each) and hands the ones `pathIds` names back in;
 * nothing here does I/O or calls back into storage.
 */

/** A stretch of movements: its net, and its lowest running total (+Infinity when empty). */
export interface Span {
  sum: number;
  min: number;
}

export const EMPTY_SPAN: Span = { sum: 0, min: Number.POSITIVE_INFINITY };

/** The later stretch's running totals start where the earlier one's net ends. */
export function combineSpans(a: Span, b: Span): Span {
  return { sum: a.sum + b.sum, min: Math.min(a.min, a.sum + b.min) };
}

/**
 * ms covered by a node of each level: 4 s, 4.4 min, 4.7 h, 12 days, 2.2 years, 139 years; the
 * root (the last level) holds every level-5 node, past and future, at index 0.
 */
export const TREE_SHIFTS = [12, 18, 24, 30, 36, 42] as const;
export const ROOT_LEVEL = TREE_SHIFTS.length;

export interface NodeId {
  level: number;
  index: number;
}

/** A node: its non-empty children (instants at level 0) in ascending key order, with their spans. */
export interface TreeNode extends NodeId {
  keys: number[];
  sums: number[];
  mins: number[];
}

export const nodeKey = (id: NodeId): string => `${id.level}:${id.index}`;

/** Nodes as the store hands them in (absent = empty). */
export type NodeSet = ReadonlyMap<string, TreeNode>;

function indexAt(level: number, at: number): number {
  return level >= ROOT_LEVEL ? 0 : Math.floor(at / 2 ** TREE_SHIFTS[level]!);
}

/** The nodes from the bottom to the root that hold instant `at` (±Infinity: none; those bounds are open). */
export function pathIds(at: number): NodeId[] {
  const out: NodeId[] = [];
  if (!Number.isFinite(at)) return out;
  for (let level = 0; level <= ROOT_LEVEL; level++) out.push({ level, index: indexAt(level, at) });
  return out;
}

/** Every node a range query over (after, upTo] or a movement at those instants needs (the root always). */
export function nodesFor(...instants: number[]): NodeId[] {
  const seen = new Map<string, NodeId>([[`${ROOT_LEVEL}:0`, { level: ROOT_LEVEL, index: 0 }]]);
  for (const at of instants) for (const id of pathIds(at)) seen.set(nodeKey(id), id);
  return [...seen.values()];
}

/** The key an instant has in a node of `level` (the instant itself at level 0, else its child's index). */
function keyAt(level: number, at: number): number {
  if (!Number.isFinite(at)) return at;
  return level === 0 ? at : indexAt(level - 1, at);
}

/** First entry with key ≥ k (binary search). */
function lowerBound(keys: readonly number[], k: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Span of a node's entries [from, to) in key order. */
function spanOf(n: TreeNode | undefined, from = 0, to = n?.keys.length ?? 0): Span {
  if (!n) return EMPTY_SPAN;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  for (let i = from; i < to; i++) {
    const m = sum + n.mins[i]!;
    if (m < min) min = m;
    sum += n.sums[i]!;
  }
  return { sum, min };
}

/** Entries of `n` with key in the open/closed interval given (lo exclusive, hi inclusive or exclusive). */
function spanBetween(n: TreeNode | undefined, lo: number, hi: number, hiInclusive: boolean): Span {
  if (!n) return EMPTY_SPAN;
  const from = lowerBound(n.keys, lo) + (n.keys[lowerBound(n.keys, lo)] === lo ? 1 : 0);
  let to = lowerBound(n.keys, hi);
  if (hiInclusive && n.keys[to] === hi) to++;
  return spanOf(n, from, Math.max(from, to));
}

/**
 * Add a movement of `delta` at instant `at`. `nodes` must hold `pathIds(at)` (absent = empty);
 * returns the new versions of those nodes (the inputs are not modified).
 */
export function addMovement(nodes: NodeSet, at: number, delta: number): TreeNode[] {
  const out: TreeNode[] = [];
  let child: Span | null = null;
  for (const id of pathIds(at)) {
    const old = nodes.get(nodeKey(id));
    const n: TreeNode = old
      ? { level: id.level, index: id.index, keys: old.keys.slice(), sums: old.sums.slice(), mins: old.mins.slice() }
      : { level: id.level, index: id.index, keys: [], sums: [], mins: [] };
    const k = keyAt(id.level, at);
    const i = lowerBound(n.keys, k);
    const present = n.keys[i] === k;
    if (child === null) {
      // Level 0: the instant's own entry; movements at one instant are taken together.
      const sum = (present ? n.sums[i]! : 0) + delta;
      if (present) {
        n.sums[i] = sum;
        n.mins[i] = sum;
      } else {
        n.keys.splice(i, 0, k);
        n.sums.splice(i, 0, sum);
        n.mins.splice(i, 0, sum);
      }
    } else if (present) {
      n.sums[i] = child.sum;
      n.mins[i] = child.min;
    } else {
      n.keys.splice(i, 0, k);
      n.sums.splice(i, 0, child.sum);
      n.mins.splice(i, 0, child.min);
    }
    child = spanOf(n);
    out.push(n);
  }
  return out;
}

/**
 * Net and low-water mark of every movement in (after, upTo], in time order. `nodes` must hold
 * `nodesFor(after, upTo)`; either bound may be infinite (−Infinity: from the beginning;
 * +Infinity: to the end).
 */
export function spanBetweenInstants(nodes: NodeSet, after: number, upTo: number): Span {
  if (!(upTo > after)) return EMPTY_SPAN;
  const get = (level: number, at: number) => (Number.isFinite(at) ? nodes.get(`${level}:${indexAt(level, at)}`) : undefined);
  // The lowest level at which both bounds fall in the same node (the root at the latest).
  let top = 0;
  while (top < ROOT_LEVEL && !(Number.isFinite(after) && Number.isFinite(upTo) && indexAt(top, after) === indexAt(top, upTo))) top++;
  // Below `top`: the part of after's path to the right of it (earlier levels are earlier in time) …
  let left = EMPTY_SPAN;
  for (let level = 0; level < top; level++) {
    left = combineSpans(left, spanBetween(get(level, after), keyAt(level, after), Number.POSITIVE_INFINITY, false));
  }
  // … the entries of the common node strictly between the two paths …
  const middle = spanBetween(
    top === ROOT_LEVEL ? nodes.get(`${ROOT_LEVEL}:0`) : get(top, after),
    keyAt(top, after),
    keyAt(top, upTo),
    top === 0,
  );
  // … and the part of upTo's path to the left of it, from the top down (later levels are later in time).
  let right = EMPTY_SPAN;
  for (let level = top - 1; level >= 0; level--) {
    right = combineSpans(right, spanBetween(get(level, upTo), Number.NEGATIVE_INFINITY, keyAt(level, upTo), level === 0));
  }
  return combineSpans(combineSpans(left, middle), right);
}

/** A node's entries as a flat Float64 list (key, sum, min)… — the store's row format. */
export function encodeNode(n: TreeNode): Float64Array {
  const out = new Float64Array(n.keys.length * 3);
  for (let i = 0; i < n.keys.length; i++) {
    out[3 * i] = n.keys[i]!;
    out[3 * i + 1] = n.sums[i]!;
    out[3 * i + 2] = n.mins[i]!;
  }
  return out;
}

export function decodeNode(id: NodeId, flat: Float64Array): TreeNode {
  const n = flat.length / 3;
  const keys = new Array<number>(n);
  const sums = new Array<number>(n);
  const mins = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    keys[i] = flat[3 * i]!;
    sums[i] = flat[3 * i + 1]!;
    mins[i] = flat[3 * i + 2]!;
  }
  return { level: id.level, index: id.index, keys, sums, mins };
}
