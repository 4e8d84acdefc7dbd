import { nativeAddon } from '../engine/addon.js';
import { PAD_LABEL, PAD_SCORE, topKDenseRowsImpl } from './topk_impl.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * Ranked predictions of `nRows` points, `k` labels each.
 *
 * Row i's labels are `labels[i*k .. i*k + k)`, best first, with their scores at the same
 * positions of `scores`. Rows with fewer than k candidates are padded at the end with
 * label −1 and score −Infinity (never NaN). Producers in xmlc break score ties by the
 * smaller label id.
 */
export interface Ranked {
  /** Number of points (rows). */
  readonly nRows: number;
  /** Width: labels per row, ≥ 1. */
  readonly k: number;
  /** Length nRows·k; label ids ≥ 0, or −1 for padding. */
  readonly labels: Int32Array;
  /** Length nRows·k; −Infinity for padding; non-increasing within a row as produced by topKRows. */
  readonly scores: Float32Array;
}

function checkCount(fn: string, name: string, v: number): void {
  if (!Number.isInteger(v)) throw new InvalidArgumentError(fn, `'${name}' passed to ${fn}() must be an integer but got ${v}`);
  if (v < 0) throw new InvalidArgumentError(fn, `'${name}' passed to ${fn}() must be >= 0 but got ${v}`);
}

function checkK(fn: string, k: number): void {
  if (!Number.isInteger(k)) throw new InvalidArgumentError(fn, `'k' passed to ${fn}() must be an integer but got ${k}`);
  if (k < 1) throw new InvalidArgumentError(fn, `'k' passed to ${fn}() must be >= 1 but got ${k}`);
}

/**
 * Row-wise top-k of a dense row-major `nRows × nCols` score matrix
 * (row i is `scores[i*nCols .. (i+1)*nCols)`, the label of a column is its index).
 *
 * Ties go to the smaller label; NaN and −Infinity are never selected; with `onlyPositive`
 * only scores > 0 are. k > nCols is fine: rows are padded with −1 / −Infinity.
 * O(nRows·nCols·log k). Runs on the native addon (both cores) when it is loaded and
 * `onlyPositive` is off; the JavaScript implementation otherwise, with identical results.
 * @example topKRows(Float32Array.from([0.1, 0.9, 0.5]), 1, 3, 2) // labels [1, 2], scores [0.9, 0.5]
 * @throws InvalidArgumentError if k is not an integer ≥ 1, nRows or nCols is not a non-negative
 *   integer, or `scores` does not have nRows·nCols entries.
 */
export function topKRows(scores: Float32Array, nRows: number, nCols: number, k: number, opts: { onlyPositive?: boolean } = {}): Ranked {
  checkK('topKRows', k);
  checkCount('topKRows', 'nRows', nRows);
  checkCount('topKRows', 'nCols', nCols);
  if (!(scores instanceof Float32Array)) throw new InvalidArgumentError('topKRows', `'scores' passed to topKRows() must be a Float32Array`);
  if (scores.length !== nRows * nCols) {
    throw new InvalidArgumentError('topKRows', `'scores' passed to topKRows() must have nRows × nCols = ${nRows * nCols} entries but has ${scores.length}`);
  }
  const labels = new Int32Array(nRows * k);
  const out = new Float32Array(nRows * k);
  const onlyPositive = opts.onlyPositive ?? false;
  const { addon } = nativeAddon();
  if (addon && !onlyPositive && nRows > 0) addon.topkRows(scores, nRows, nCols, k, labels, out);
  else topKDenseRowsImpl(scores, nRows, nCols, k, labels, out, onlyPositive);
  return { nRows, k, labels, scores: out };
}

/**
 * Build a {@link Ranked} from label lists, best first (for tests, and for predictions made
 * elsewhere). Row i is `lists[i]`; lists longer than k are cut to their first k labels,
 * shorter ones are padded with −1. Real entries get the scores k, k−1, …, 1 so that the
 * order is explicit; padding gets −Infinity. An explicit −1 in a list is padding as well.
 * @param k the width; by default the longest list's length (at least 1).
 * @example rankedFromLists([[3, 1], [2]]) // k = 2, labels [3, 1, 2, -1]
 * @throws InvalidArgumentError if k is not an integer ≥ 1, or a label is not an integer in [−1, 2³¹).
 */
export function rankedFromLists(lists: readonly (readonly number[])[], k?: number): Ranked {
  let width = 1;
  if (k === undefined) {
    for (const list of lists) width = Math.max(width, list.length);
  } else {
    checkK('rankedFromLists', k);
    width = k;
  }
  const labels = new Int32Array(lists.length * width).fill(PAD_LABEL);
  const scores = new Float32Array(lists.length * width).fill(PAD_SCORE);
  for (let i = 0; i < lists.length; i++) {
    const list = lists[i]!;
    const m = Math.min(width, list.length);
    for (let t = 0; t < m; t++) {
      const l = list[t]!;
      if (!Number.isInteger(l) || l < -1 || l > 0x7fffffff) {
        throw new InvalidArgumentError('rankedFromLists', `'lists' passed to rankedFromLists() must hold integer labels in [-1, 2^31) but lists[${i}][${t}] is ${l}`);
      }
      if (l === PAD_LABEL) continue;
      labels[i * width + t] = l;
      scores[i * width + t] = width - t;
    }
  }
  return { nRows: lists.length, k: width, labels, scores };
}

/**
 * `r` padded (label −1, score −Infinity) to width `k` when narrower: a model ranks at most its
 * number of labels, and metrics at a cut-off beyond that count the missing places as misses.
 */
export function widenRanked(r: Ranked, k: number): Ranked {
  if (r.k >= k) return r;
  const labels = new Int32Array(r.nRows * k).fill(-1), scores = new Float32Array(r.nRows * k).fill(-Infinity);
  for (let i = 0; i < r.nRows; i++) {
    labels.set(r.labels.subarray(i * r.k, (i + 1) * r.k), i * k);
    scores.set(r.scores.subarray(i * r.k, (i + 1) * r.k), i * k);
  }
  return { nRows: r.nRows, k, labels, scores };
}

/**
 * Rows of a dense block of scores (rows × nLabels) that hold about `entries` scores, at least one:
 * how the rankers that score many labels per row (the re-ranker, mixed ensembles, one-vs-rest
 * classifiers) bound their memory.
 */
export function scoreBlockRows(nLabels: number, entries = 2 ** 22): number {
  return Math.max(1, Math.floor(entries / Math.max(1, nLabels)));
}
