import * as tf from '@tensorflow/tfjs-core';
import { nativeAddon, type NativeKernels } from '../engine/addon.js';
import { ROW_BLOCK } from '../engine/row_block.js';
import { tidyData } from '../engine/tidy_data.js';
import { topKRows } from '../ranking/topk.js';
import { emptyNeighbors, type Neighbors, type SearchOptions } from '../ranking/neighbors.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * Query rows per similarity block (bounds the block's memory to QUERY_BLOCK × n floats). Every
 * product has this many rows, the last block padded with zero queries: a query's similarities do
 * not depend on the rows searched with it (see ROW_BLOCK).
 */
const QUERY_BLOCK = ROW_BLOCK;
/** Queries per call of the addon's exact search (a multiple of QUERY_BLOCK; progress is reported after each). */
const SEARCH_BLOCK = 16 * QUERY_BLOCK;

/**
 * Exact cosine k-nearest-neighbour search over dense ℓ2-normalised vectors (embeddings):
 * similarities of a block of queries to every point as one matrix product on the active
 * tfjs backend (sgemm on `native`), then the row-wise top-k.
 */
export class ExactDenseIndex {
  readonly kind = 'exact' as const;

  /** @param points ℓ2-normalised row-major n × dim. */
  constructor(readonly points: Float32Array, readonly size: number, readonly dim: number) {
    if (points.length !== size * dim) throw new InvalidArgumentError('ExactDenseIndex', `ExactDenseIndex: expected ${size} × ${dim} values but got ${points.length}`);
  }

  /** The k most similar points of every query row (nq × dim), best first (ties: smaller id). */
  searchDense(queries: Float32Array, nq: number, k: number, opts: SearchOptions = {}): Neighbors {
    if (queries.length !== nq * this.dim) throw new InvalidArgumentError('ExactDenseIndex.searchDense', `ExactDenseIndex.searchDense(): expected ${nq} × ${this.dim} values but got ${queries.length}`);
    const out = emptyNeighbors(nq, k);
    if (this.size === 0 || nq === 0) return out;
    const { addon } = nativeAddon();
    if (addon && tf.getBackend() === 'native') return this.searchNative(addon, queries, nq, k, out, opts.onRow);
    const pts = tf.tensor2d(this.points, [this.size, this.dim]);
    try {
      for (let s = 0; s < nq; s += QUERY_BLOCK) {
        const e = Math.min(nq, s + QUERY_BLOCK);
        const q = paddedBlock(queries, s, e, this.dim);
        const sims = tidyData(() => tf.matMul(tf.tensor2d(q, [QUERY_BLOCK, this.dim]), pts, false, true));
        const top = topKRows(sims.subarray(0, (e - s) * this.size), e - s, this.size, k);
        for (let i = 0; i < (e - s) * k; i++) {
          const id = top.labels[i]!;
          out.ids[s * k + i] = id;
          out.sims[s * k + i] = id < 0 ? 0 : top.scores[i]!;
        }
        opts.onRow?.(e);
      }
    } finally {
      pts.dispose();
    }
    return out;
  }

  /**
   * {@link searchDense} straight on the addon: its exactKnnDense kernel (query blocks of
   * QUERY_BLOCK rows over the cores, products over chunks of the points and a running top-k, no
   * similarity matrix kept), SEARCH_BLOCK queries per call for progress; an addon built before
   * that kernel computes one similarity block at a time and ranks it with topkRows. Both are
   * exact; they may round a similarity differently (the products have other shapes).
   */
  private searchNative(addon: NativeKernels, queries: Float32Array, nq: number, k: number, out: Neighbors, onRow?: (done: number) => void): Neighbors {
    const n = this.size, dim = this.dim;
    if (typeof addon.exactKnnDense === 'function') {
      for (let s = 0; s < nq; s += SEARCH_BLOCK) {
        const e = Math.min(nq, s + SEARCH_BLOCK);
        addon.exactKnnDense(this.points, n, dim, queries.subarray(s * dim, e * dim), e - s, k, out.ids.subarray(s * k, e * k), out.sims.subarray(s * k, e * k));
        onRow?.(e);
      }
      for (let i = 0; i < nq * k; i++) if (out.ids[i]! < 0) out.sims[i] = 0;
      return out;
    }
    const rows = QUERY_BLOCK;
    const sims = new Float32Array(rows * n), ids = new Int32Array(rows * k), best = new Float32Array(rows * k);
    for (let s = 0; s < nq; s += QUERY_BLOCK) {
      const e = Math.min(nq, s + QUERY_BLOCK), b = e - s;
      addon.sgemmBatched(1, false, true, QUERY_BLOCK, n, dim, 1, paddedBlock(queries, s, e, dim), 0, this.points, 0, 0, sims, QUERY_BLOCK * n);
      addon.topkRows(sims, b, n, k, ids, best);
      for (let i = 0; i < b * k; i++) {
        const id = ids[i]!;
        out.ids[s * k + i] = id;
        out.sims[s * k + i] = id < 0 ? 0 : best[i]!;
      }
      onRow?.(e);
    }
    return out;
  }
}

/** Query rows [s, e) as a block of QUERY_BLOCK rows (zero rows after them). */
function paddedBlock(queries: Float32Array, s: number, e: number, dim: number): Float32Array {
  if (e - s === QUERY_BLOCK) return queries.subarray(s * dim, e * dim);
  const block = new Float32Array(QUERY_BLOCK * dim);
  block.set(queries.subarray(s * dim, e * dim));
  return block;
}
