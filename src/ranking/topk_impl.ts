/**
 * Top-k selection over typed arrays: the loops behind {@link topKRows} and the kNN predictors.
 *
 * Conventions shared by every function here:
 * - order: higher score first; equal scores → smaller label id first, so rankings are
 *   deterministic and independent of the order in which candidates are offered;
 * - NaN and −Infinity are never selected; with `onlyPositive`, neither is any score ≤ 0;
 * - the output slots `[offset, offset + k)` of `outLabels` / `outScores` are always all
 *   written: the selected entries best first, then padding with label −1 and score −Infinity;
 * - scores are compared in float64 and written as float32 (exact when the input is float32).
 *
 * Cost: O(n log k) time for n candidates, with one bounded binary heap of k entries that is
 * shared module scratch (grown on demand, never shrunk), so a call allocates nothing once the
 * heap is large enough. The functions are synchronous and not re-entrant by design.
 *
 * These are internal-grade functions: they check only what is O(1) to check (that the output
 * window and the input length fit), and trust the rest; {@link topKRows} validates fully.
 */
import { InvalidArgumentError } from '../errors.js';

/** Label written into padding slots. */
export const PAD_LABEL = -1;
/** Score written into padding slots. */
export const PAD_SCORE = -Infinity;

// The heap keeps the k best candidates seen so far with the WORST of them at the root, so a
// new candidate is compared with the root only (the common, cheap case is a rejection).
let heapIds = new Int32Array(64);
let heapVals = new Float64Array(64);
let heapSize = 0;

/** Is candidate (sa, la) ranked below (sb, lb)? Lower score, or equal score and larger id. */
function ranksBelow(sa: number, la: number, sb: number, lb: number): boolean {
  return sa < sb || (sa === sb && la > lb);
}

function heapReset(k: number): void {
  if (heapIds.length < k) {
    const cap = Math.max(k, 2 * heapIds.length);
    heapIds = new Int32Array(cap);
    heapVals = new Float64Array(cap);
  }
  heapSize = 0;
}

/** Put (id, v) at the root's place and restore the heap order downwards. */
function heapSiftDown(id: number, v: number): void {
  const ids = heapIds, vals = heapVals, size = heapSize;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= size) break;
    let child = left;
    const right = left + 1;
    if (right < size && ranksBelow(vals[right]!, ids[right]!, vals[left]!, ids[left]!)) child = right;
    if (!ranksBelow(vals[child]!, ids[child]!, v, id)) break;
    ids[i] = ids[child]!;
    vals[i] = vals[child]!;
    i = child;
  }
  ids[i] = id;
  vals[i] = v;
}

/** Offer a candidate to a heap holding at most k (≥ 1) entries. */
function heapOffer(id: number, v: number, k: number): void {
  const ids = heapIds, vals = heapVals;
  if (heapSize < k) {
    let i = heapSize++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!ranksBelow(v, id, vals[parent]!, ids[parent]!)) break;
      ids[i] = ids[parent]!;
      vals[i] = vals[parent]!;
      i = parent;
    }
    ids[i] = id;
    vals[i] = v;
  } else if (ranksBelow(vals[0]!, ids[0]!, v, id)) {
    heapSiftDown(id, v); // replaces the current worst
  }
}

/**
 * Empty the heap into `out*[offset .. offset + k)`: entries best first, then padding.
 * @returns the number of real entries.
 */
function heapDrain(k: number, outLabels: Int32Array, outScores: Float32Array, offset: number): number {
  const count = heapSize;
  for (let t = count; t < k; t++) {
    outLabels[offset + t] = PAD_LABEL;
    outScores[offset + t] = PAD_SCORE;
  }
  // The root is the worst remaining entry: it goes to the last unfilled slot.
  for (let t = count - 1; t >= 0; t--) {
    outLabels[offset + t] = heapIds[0]!;
    outScores[offset + t] = heapVals[0]!;
    heapSize--;
    if (heapSize > 0) heapSiftDown(heapIds[heapSize]!, heapVals[heapSize]!);
  }
  return count;
}

function checkWindow(fn: string, k: number, outLabels: Int32Array, outScores: Float32Array, offset: number): void {
  if (!(k >= 0) || !(offset >= 0) || offset + k > outLabels.length || offset + k > outScores.length) {
    throw new InvalidArgumentError(fn, 
      `${fn}(): the output window [offset, offset + k) = [${offset}, ${offset + k}) must lie within outLabels (length ${outLabels.length}) and outScores (length ${outScores.length})`,
    );
  }
}

/** Select among `scores[start .. start + n)`, labels being positions relative to `start`. */
function selectDense(scores: ArrayLike<number>, start: number, n: number, k: number, onlyPositive: boolean): void {
  heapReset(k);
  if (k === 0) return;
  const floor = onlyPositive ? 0 : -Infinity;
  for (let i = 0; i < n; i++) {
    const v = scores[start + i]!;
    // `v > floor` is false for NaN, for −Infinity, and (onlyPositive) for v ≤ 0.
    if (!(v > floor)) continue;
    // Fast rejection when full: v strictly below the worst kept (a tie may still win on id,
    // but ids only grow here, so a tie with the root always loses).
    if (heapSize === k && !(v > heapVals[0]!)) continue;
    heapOffer(i, v, k);
  }
}

/**
 * Top-k of a dense score vector `scores[0 .. n)`: label = position.
 *
 * Writes `outLabels[offset .. offset + k)` and `outScores[offset .. offset + k)`: the best
 * min(k, eligible) labels, best first (ties → smaller label), then padding (−1, −Infinity).
 * NaN and −Infinity are never selected; with `onlyPositive`, only scores > 0 are.
 * k > n is allowed (padding); k = 0 writes nothing.
 * @returns the number of real (non-padding) entries written.
 * @throws InvalidArgumentError if `n > scores.length` or the output window does not fit.
 */
export function topKDenseImpl(
  scores: ArrayLike<number>, n: number, k: number,
  outLabels: Int32Array, outScores: Float32Array, offset: number, onlyPositive = false,
): number {
  if (!(n >= 0) || n > scores.length) throw new InvalidArgumentError('topKDenseImpl', `topKDenseImpl(): n must be in [0, scores.length = ${scores.length}] but got ${n}`);
  checkWindow('topKDenseImpl', k, outLabels, outScores, offset);
  selectDense(scores, 0, n, k, onlyPositive);
  return heapDrain(k, outLabels, outScores, offset);
}

/**
 * Row-wise {@link topKDenseImpl} over a dense row-major `nRows × nCols` matrix, without
 * creating per-row views: row i's result goes to `out*[i*k .. i*k + k)`.
 * @returns nothing; the outputs must have length ≥ nRows·k (checked).
 */
export function topKDenseRowsImpl(
  scores: ArrayLike<number>, nRows: number, nCols: number, k: number,
  outLabels: Int32Array, outScores: Float32Array, onlyPositive = false,
): void {
  if (nRows * nCols > scores.length) throw new InvalidArgumentError('topKDenseRowsImpl', `topKDenseRowsImpl(): scores must have nRows × nCols = ${nRows * nCols} entries but has ${scores.length}`);
  checkWindow('topKDenseRowsImpl', nRows * k, outLabels, outScores, 0);
  for (let i = 0; i < nRows; i++) {
    selectDense(scores, i * nCols, nCols, k, onlyPositive);
    heapDrain(k, outLabels, outScores, i * k);
  }
}

/**
 * Top-k of sparse candidates: candidate c < count has label `ids[c]` and score `vals[c]`
 * (ids should be distinct; a repeated id is ranked as separate candidates). Candidates may come
 * in any order. Output, filtering and padding as in {@link topKDenseImpl}.
 * @returns the number of real (non-padding) entries written.
 * @throws InvalidArgumentError if `count` exceeds `ids.length` or `vals.length`, or the output window does not fit.
 */
export function topKSparseImpl(
  ids: ArrayLike<number>, vals: ArrayLike<number>, count: number, k: number,
  outLabels: Int32Array, outScores: Float32Array, offset: number, onlyPositive = false,
): number {
  if (!(count >= 0) || count > ids.length || count > vals.length) {
    throw new InvalidArgumentError('topKSparseImpl', `topKSparseImpl(): count must be in [0, min(ids.length, vals.length) = ${Math.min(ids.length, vals.length)}] but got ${count}`);
  }
  checkWindow('topKSparseImpl', k, outLabels, outScores, offset);
  heapReset(k);
  if (k > 0) {
    const floor = onlyPositive ? 0 : -Infinity;
    for (let c = 0; c < count; c++) {
      const v = vals[c]!;
      if (!(v > floor)) continue;
      if (heapSize === k && v < heapVals[0]!) continue;
      heapOffer(ids[c]!, v, k);
    }
  }
  return heapDrain(k, outLabels, outScores, offset);
}
