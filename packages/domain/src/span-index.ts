/**
 * The movements of one unit, indexed so that the census rule costs the same for the 1st and the
 * 10,000,000th event, in order or late, with or without a census.
 *
 * What the rule needs of a stretch of movements is two numbers (a `Span`): their net (`sum`) and
 * the lowest running total walking them in time order, movements at the same instant together
 * (`min`). Two adjacent stretches combine in O(1): the later one's running totals start where
 * the earlier one's net ends. So an index that keeps the span of each of its parts answers "net
 * and low-water mark of every movement in (a, b]" without walking the movements.
 *
 * Shape: instants in sorted chunks of at most 64 (one entry per instant, its deltas summed),
 * chunks in blocks of at most 64, and a segment tree over the blocks' spans. Adding a movement
 * touches one chunk, one block and one path of the segment tree; a range reads two chunks, two
 * blocks and two paths — bounded work however many movements came before and in whatever order
 * (a chunk or block split, once per 32 or 1,024 additions, rebuilds only what it splits or the
 * small segment tree). It is plain data in memory, with no I/O: the store keeps one per unit and
 * feeds it the log.
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

const CHUNK = 64;
const BLOCK = 64;

/**
 * Up to BLOCK chunks (ids into the index's slabs). Their first keys and spans sit in the block's
 * own typed arrays, so a block is summed and searched in contiguous memory.
 */
interface Block {
  chunks: Int32Array;
  n: number;
  firsts: Float64Array;
  sums: Float64Array;
  mins: Float64Array;
  sum: number;
  min: number;
}

const STRIDE = CHUNK + 1; // one spare slot for the insert before a split

const newBlock = (): Block => ({
  chunks: new Int32Array(BLOCK + 1),
  n: 0,
  firsts: new Float64Array(BLOCK + 1),
  sums: new Float64Array(BLOCK + 1),
  mins: new Float64Array(BLOCK + 1),
  sum: 0,
  min: Number.POSITIVE_INFINITY,
});

/** Index of the last of the values in [from, from + n) that is ≤ k, relative to `from` (−1 when none). */
function lastAtOrBefore(values: ArrayLike<number>, n: number, k: number, from = 0): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[from + mid]! <= k) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

function summarizeBlock(b: Block): void {
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < b.n; i++) {
    if (sum + b.mins[i]! < min) min = sum + b.mins[i]!;
    sum += b.sums[i]!;
  }
  b.sum = sum;
  b.min = min;
}

export class SpanIndex {
  // Every chunk's instants and deltas in two slabs (chunk c at [c·STRIDE, c·STRIDE + count[c])):
  // one allocation each, grown by doubling, instead of two small typed arrays per chunk.
  private keys = new Float64Array(16 * STRIDE);
  private vals = new Float64Array(16 * STRIDE);
  private counts = new Int32Array(16);
  private chunkCount = 0;
  private blocks: Block[] = [];
  private blockFirsts: number[] = [];
  /** Segment tree over the blocks' spans: leaves at [size, 2·size). */
  private segSum = new Float64Array(2);
  private segMin = new Float64Array(2).fill(Number.POSITIVE_INFINITY);
  private size = 1;
  /** Distinct instants held. */
  instants = 0;
  /** Entries, chunks and segments visited so far: the work done, to show it stays bounded. */
  steps = 0;

  private newChunk(): number {
    if (this.chunkCount === this.counts.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.keys = grow(this.keys);
      this.vals = grow(this.vals);
      const counts = new Int32Array(this.counts.length * 2);
      counts.set(this.counts);
      this.counts = counts;
    }
    return this.chunkCount++;
  }

  /** Span of chunk c's entries with after < key ≤ upTo. */
  private chunkSpan(c: number, after = Number.NEGATIVE_INFINITY, upTo = Number.POSITIVE_INFINITY): Span {
    const base = c * STRIDE;
    const end = base + this.counts[c]!;
    let sum = 0;
    let min = Number.POSITIVE_INFINITY;
    for (let i = base; i < end; i++) {
      const k = this.keys[i]!;
      if (k <= after) continue;
      if (k > upTo) break;
      sum += this.vals[i]!;
      if (sum < min) min = sum;
    }
    return { sum, min };
  }

  /** Store chunk i of block b's first key and span in the block. */
  private noteChunk(b: Block, i: number): void {
    const c = b.chunks[i]!;
    const span = this.chunkSpan(c);
    b.firsts[i] = this.keys[c * STRIDE]!;
    b.sums[i] = span.sum;
    b.mins[i] = span.min;
  }

  /** Add `delta` at instant `at` (a movement; movements at one instant are taken together). */
  add(at: number, delta: number): void {
    if (this.blocks.length === 0) {
      const b = newBlock();
      b.chunks[0] = this.newChunk();
      b.n = 1;
      this.blocks.push(b);
      this.blockFirsts.push(at);
      this.rebuildSegments();
    }
    const bi = Math.max(0, lastAtOrBefore(this.blockFirsts, this.blocks.length, at));
    const block = this.blocks[bi]!;
    const ci = Math.max(0, lastAtOrBefore(block.firsts, block.n, at));
    const c = block.chunks[ci]!;
    const base = c * STRIDE;
    const n = this.counts[c]!;
    const pos = lastAtOrBefore(this.keys, n, at, base);
    if (pos >= 0 && this.keys[base + pos] === at) {
      this.vals[base + pos] = this.vals[base + pos]! + delta;
    } else {
      // Insert after `pos` (an empty chunk exists only in an empty index).
      this.keys.copyWithin(base + pos + 2, base + pos + 1, base + n);
      this.vals.copyWithin(base + pos + 2, base + pos + 1, base + n);
      this.keys[base + pos + 1] = at;
      this.vals[base + pos + 1] = delta;
      this.counts[c] = n + 1;
      this.instants++;
    }
    if (this.counts[c]! > CHUNK) this.splitChunk(block, ci);
    else this.noteChunk(block, ci);
    if (ci === 0) this.blockFirsts[bi] = block.firsts[0]!;
    summarizeBlock(block);
    this.steps += 2 * this.counts[c]! + block.n;
    if (block.n > BLOCK) this.splitBlock(bi);
    else this.updateSegment(bi);
  }

  /** Net and low-water mark of the movements in (after, upTo]; either bound may be infinite. */
  spanBetween(after: number, upTo: number): Span {
    if (!(upTo > after) || this.blocks.length === 0) return { ...EMPTY_SPAN };
    const first = Math.max(0, lastAtOrBefore(this.blockFirsts, this.blocks.length, after));
    const last = lastAtOrBefore(this.blockFirsts, this.blocks.length, upTo);
    if (last < first) return { ...EMPTY_SPAN };
    if (first === last) return this.blockSpan(this.blocks[first]!, after, upTo);
    let span = this.blockSpan(this.blocks[first]!, after, upTo);
    if (last > first + 1) span = combineSpans(span, this.segmentSpan(first + 1, last - 1));
    return combineSpans(span, this.blockSpan(this.blocks[last]!, after, upTo));
  }

  /** Span of a block's entries within (after, upTo]: whole chunks from their spans, the two ends scanned. */
  private blockSpan(b: Block, after: number, upTo: number): Span {
    const first = Math.max(0, lastAtOrBefore(b.firsts, b.n, after));
    const last = lastAtOrBefore(b.firsts, b.n, upTo);
    this.steps += Math.max(0, last - first + 1) + 2 * CHUNK;
    let span: Span = { ...EMPTY_SPAN };
    for (let i = first; i <= last; i++) {
      span = combineSpans(span, i === first || i === last ? this.chunkSpan(b.chunks[i]!, after, upTo) : { sum: b.sums[i]!, min: b.mins[i]! });
    }
    return span;
  }

  private splitChunk(b: Block, ci: number): void {
    const c = b.chunks[ci]!;
    const n = this.counts[c]!;
    const half = n >>> 1;
    const right = this.newChunk(); // may grow (replace) the slabs: index them afresh below
    const from = c * STRIDE;
    const to = right * STRIDE;
    this.keys.copyWithin(to, from + half, from + n);
    this.vals.copyWithin(to, from + half, from + n);
    this.counts[right] = n - half;
    this.counts[c] = half;
    for (const a of [b.chunks, b.firsts, b.sums, b.mins]) a.copyWithin(ci + 2, ci + 1, b.n);
    b.chunks[ci + 1] = right;
    b.n++;
    this.noteChunk(b, ci);
    this.noteChunk(b, ci + 1);
  }

  private splitBlock(bi: number): void {
    const b = this.blocks[bi]!;
    const half = b.n >>> 1;
    const right = newBlock();
    right.n = b.n - half;
    right.chunks.set(b.chunks.subarray(half, b.n));
    right.firsts.set(b.firsts.subarray(half, b.n));
    right.sums.set(b.sums.subarray(half, b.n));
    right.mins.set(b.mins.subarray(half, b.n));
    b.n = half;
    summarizeBlock(b);
    summarizeBlock(right);
    this.blocks.splice(bi + 1, 0, right);
    this.blockFirsts.splice(bi + 1, 0, right.firsts[0]!);
    this.rebuildSegments();
  }

  private rebuildSegments(): void {
    let size = 1;
    while (size < this.blocks.length) size *= 2;
    this.size = size;
    this.segSum = new Float64Array(2 * size);
    this.segMin = new Float64Array(2 * size).fill(Number.POSITIVE_INFINITY);
    this.steps += 2 * size;
    this.blocks.forEach((b, i) => {
      this.segSum[size + i] = b.sum;
      this.segMin[size + i] = b.min;
    });
    for (let i = size - 1; i >= 1; i--) this.pull(i);
  }

  private pull(i: number): void {
    const l = 2 * i;
    const r = l + 1;
    this.segSum[i] = this.segSum[l]! + this.segSum[r]!;
    this.segMin[i] = Math.min(this.segMin[l]!, this.segSum[l]! + this.segMin[r]!);
  }

  private updateSegment(bi: number): void {
    let i = this.size + bi;
    this.steps += Math.log2(this.size) + 1;
    this.segSum[i] = this.blocks[bi]!.sum;
    this.segMin[i] = this.blocks[bi]!.min;
    for (i >>= 1; i >= 1; i >>= 1) this.pull(i);
  }

  /** Span of whole blocks [from, to], in order (the combine is not commutative). */
  private segmentSpan(from: number, to: number): Span {
    let left: Span = { ...EMPTY_SPAN };
    let right: Span = { ...EMPTY_SPAN };
    let l = from + this.size;
    let r = to + this.size + 1;
    while (l < r) {
      this.steps++;
      if (l & 1) {
        left = combineSpans(left, { sum: this.segSum[l]!, min: this.segMin[l]! });
        l++;
      }
      if (r & 1) {
        r--;
        right = combineSpans({ sum: this.segSum[r]!, min: this.segMin[r]! }, right);
      }
      l >>= 1;
      r >>= 1;
    }
    return combineSpans(left, right);
  }
}
