/**
 * Top-k selection over typed arrays: pure functions, no allocation per call beyond a heap
 * of k entries. Order: higher score first; equal scores → smaller label id first, so
 * rankings are deterministic. NaN and −Infinity are never selected.
 */

/** Is candidate (sa, la) ranked after (sb, lb)? Lower score, or equal score and larger id. */
function worse(sa: number, la: number, sb: number, lb: number): boolean {
  return sa < sb || (sa === sb && la > lb);
}

/**
 * A bounded min-heap (the worst kept candidate at the root) over parallel arrays.
 * Shared scratch for the two impl functions; k ≤ capacity.
 */
class KHeap {
  ids: Int32Array;
  vals: Float64Array;
  size = 0;
  constructor(cap: number) { this.ids = new Int32Array(cap); this.vals = new Float64Array(cap); }
  reset(k: number): void {
    if (this.ids.length < k) { this.ids = new Int32Array(k); this.vals = new Float64Array(k); }
    this.size = 0;
  }
  /** Offer a candidate to a heap of at most k entries. */
  offer(id: number, v: number, k: number): void {
    const { ids, vals } = this;
    if (this.size < k) {
      let i = this.size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!worse(v, id, vals[p]!, ids[p]!)) break;
        ids[i] = ids[p]!; vals[i] = vals[p]!; i = p;
      }
      ids[i] = id; vals[i] = v;
    } else if (worse(vals[0]!, ids[0]!, v, id)) {
      this.siftDownFromRoot(id, v);
    }
  }
  private siftDownFromRoot(id: number, v: number): void {
    const { ids, vals, size } = this;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      const r = l + 1;
      let c = l;
      if (r < size && worse(vals[r]!, ids[r]!, vals[l]!, ids[l]!)) c = r;
      if (!worse(vals[c]!, ids[c]!, v, id)) break;
      ids[i] = ids[c]!; vals[i] = vals[c]!; i = c;
    }
    ids[i] = id; vals[i] = v;
  }
  /** Pop everything into the outputs, best first; returns the count. */
  drain(outLabels: Int32Array, outScores: Float32Array, offset: number): number {
    const n = this.size;
    for (let t = n - 1; t >= 0; t--) {
      // The root is the worst remaining: it goes to the last free slot.
      const id = this.ids[0]!, v = this.vals[0]!;
      const lastId = this.ids[this.size - 1]!, lastV = this.vals[this.size - 1]!;
      this.size--;
      if (this.size > 0) this.siftDownFromRoot(lastId, lastV);
      outLabels[offset + t] = id;
      outScores[offset + t] = v;
    }
    return n;
  }
}

const heap = new KHeap(64);

/** Pads slots [offset + written, offset + k) with label −1 and score −Infinity. */
function pad(outLabels: Int32Array, outScores: Float32Array, offset: number, written: number, k: number): void {
  for (let t = written; t < k; t++) { outLabels[offset + t] = -1; outScores[offset + t] = -Infinity; }
}

/**
 * Top-k of a dense score vector `scores[0..n)` written to `outLabels/outScores[offset ..
 * offset + k)`, best first, padded with label −1 / score −Infinity.
 * @param onlyPositive keep only scores > 0.
 * @returns the number of real entries written.
 */
export function topKDenseImpl(scores: ArrayLike<number>, n: number, k: number, outLabels: Int32Array, outScores: Float32Array, offset: number, onlyPositive = false): number {
  heap.reset(k);
  for (let i = 0; i < n; i++) {
    const v = scores[i]!;
    if (!(v > -Infinity) || (onlyPositive && !(v > 0))) continue; // drops NaN and −∞
    heap.offer(i, v, k);
  }
  const written = heap.drain(outLabels, outScores, offset);
  pad(outLabels, outScores, offset, written, k);
  return written;
}

/**
 * Top-k of sparse candidates: `ids[c]` with score `vals[c]` for c < count (ids distinct),
 * written like {@link topKDenseImpl}.
 */
export function topKSparseImpl(ids: ArrayLike<number>, vals: ArrayLike<number>, count: number, k: number, outLabels: Int32Array, outScores: Float32Array, offset: number, onlyPositive = false): number {
  heap.reset(k);
  for (let c = 0; c < count; c++) {
    const v = vals[c]!;
    if (!(v > -Infinity) || (onlyPositive && !(v > 0))) continue;
    heap.offer(ids[c]!, v, k);
  }
  const written = heap.drain(outLabels, outScores, offset);
  pad(outLabels, outScores, offset, written, k);
  return written;
}
