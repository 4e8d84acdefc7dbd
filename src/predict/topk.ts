import { topKDenseImpl } from './topk_impl.js';

/**
 * Ranked predictions. Row i's labels are `labels[i*k .. i*k + k)`, best first, with
 * `scores` parallel; rows with fewer than k candidates are padded with label −1 and score
 * −Infinity. Ties are broken by the smaller label id.
 */
export interface Ranked {
  readonly nRows: number;
  readonly k: number;
  readonly labels: Int32Array;
  readonly scores: Float32Array;
}

/**
 * Row-wise top-k of a dense row-major `nRows × nCols` score matrix.
 * @example topKRows(Float32Array.from([0.1, 0.9, 0.5]), 1, 3, 2) // labels [1, 2]
 */
export function topKRows(scores: Float32Array, nRows: number, nCols: number, k: number, opts: { onlyPositive?: boolean } = {}): Ranked {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`'k' passed to topKRows() must be an integer >= 1 but got ${k}`);
  if (scores.length !== nRows * nCols) {
    throw new RangeError(`'scores' passed to topKRows() must have nRows × nCols = ${nRows * nCols} entries but has ${scores.length}`);
  }
  const labels = new Int32Array(nRows * k);
  const out = new Float32Array(nRows * k);
  for (let i = 0; i < nRows; i++) {
    topKDenseImpl(scores.subarray(i * nCols, (i + 1) * nCols), nCols, k, labels, out, i * k, opts.onlyPositive ?? false);
  }
  return { nRows, k, labels, scores: out };
}

/** Build a `Ranked` from label lists (best first); scores are k, k−1, ... so the order is explicit. */
export function rankedFromLists(lists: readonly (readonly number[])[], k?: number): Ranked {
  const width = k ?? Math.max(1, ...lists.map((l) => l.length));
  const labels = new Int32Array(lists.length * width).fill(-1);
  const scores = new Float32Array(lists.length * width).fill(-Infinity);
  lists.forEach((list, i) => {
    for (let t = 0; t < Math.min(width, list.length); t++) {
      labels[i * width + t] = list[t]!;
      scores[i * width + t] = width - t;
    }
  });
  return { nRows: lists.length, k: width, labels, scores };
}
