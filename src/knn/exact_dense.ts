import * as tf from '@tensorflow/tfjs-core';
import { tidyData } from '../engine/tidy_data.js';
import { topKRows } from '../ranking/topk.js';
import { emptyNeighbors, type Neighbors, type SearchOptions } from '../ranking/neighbors.js';
import { InvalidArgumentError } from '../errors.js';

/** Query rows per similarity block (bounds the block's memory to QUERY_BLOCK × n floats). */
const QUERY_BLOCK = 256;

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
    const pts = tf.tensor2d(this.points, [this.size, this.dim]);
    try {
      for (let s = 0; s < nq; s += QUERY_BLOCK) {
        const e = Math.min(nq, s + QUERY_BLOCK);
        const sims = tidyData(() => tf.matMul(tf.tensor2d(queries.subarray(s * this.dim, e * this.dim), [e - s, this.dim]), pts, false, true));
        const top = topKRows(sims, e - s, this.size, k);
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
}
