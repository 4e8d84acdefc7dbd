import { type Csr, transpose } from '../data/csr.js';
import { topKSparseImpl } from '../predict/topk_impl.js';
import { emptyNeighbors, type Neighbors, type SearchOptions } from './neighbors.js';

/**
 * Exact cosine k-nearest-neighbour search over sparse vectors through an inverted index
 * (the transpose of the indexed rows): a query touches only the points that share one of
 * its features, so the cost is Σ over its features of the feature's posting length.
 * Rows must already be ℓ2-normalised (dot product = cosine similarity).
 */
export class ExactIndex {
  readonly kind = 'exact' as const;
  private readonly postings: Csr;

  /** @param points ℓ2-normalised n×p rows to search. */
  constructor(readonly points: Csr) {
    this.postings = transpose(points);
  }

  get size(): number { return this.points.nRows; }
  get dim(): number { return this.points.nCols; }

  /**
   * The k most similar indexed points of every query row (ties: smaller id first).
   * Points with zero similarity are not returned.
   */
  search(queries: Csr, k: number, opts: SearchOptions = {}): Neighbors {
    const { onRow } = opts;
    if (queries.nCols > this.dim) {
      throw new RangeError(`ExactIndex.search(): queries have ${queries.nCols} features but the index has ${this.dim}`);
    }
    const out = emptyNeighbors(queries.nRows, k);
    const acc = new Float64Array(this.size);
    const touched = new Int32Array(this.size);
    const touchedVals = new Float64Array(this.size);
    const { rowPtr: pp, indices: pi, values: pv } = this.postings;
    for (let i = 0; i < queries.nRows; i++) {
      let nTouched = 0;
      for (let q = queries.rowPtr[i]!, qe = queries.rowPtr[i + 1]!; q < qe; q++) {
        const f = queries.indices[q]!, w = queries.values[q]!;
        for (let p = pp[f]!, pe = pp[f + 1]!; p < pe; p++) {
          const j = pi[p]!;
          if (acc[j] === 0) touched[nTouched++] = j;
          acc[j]! += w * pv[p]!;
        }
      }
      for (let t = 0; t < nTouched; t++) { const j = touched[t]!; touchedVals[t] = acc[j]!; acc[j] = 0; }
      // A point whose partial sums cancel to exactly 0 may be listed twice in `touched`;
      // its second entry then carries 0 and is dropped by onlyPositive.
      topKSparseImpl(touched, touchedVals, nTouched, k, out.ids, out.sims, i * k, true);
      onRow?.(i + 1);
    }
    for (let p = 0; p < out.ids.length; p++) if (out.ids[p]! < 0) out.sims[p] = 0;
    return out;
  }
}
