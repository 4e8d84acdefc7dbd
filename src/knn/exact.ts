import { type Csr, transpose } from '../data/csr.js';
import { topKSparseImpl } from '../ranking/topk_impl.js';
import { nativeAddon } from '../engine/addon.js';
import { csrMatDense } from '../engine/sparse.js';
import { transposeDense } from '../linalg/dense.js';
import { topKRows } from '../ranking/topk.js';
import { emptyNeighbors, type Neighbors, type SearchOptions } from '../ranking/neighbors.js';
import { InvalidArgumentError } from '../errors.js';

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
      throw new InvalidArgumentError('ExactIndex.search', `ExactIndex.search(): queries have ${queries.nCols} features but the index has ${this.dim}`);
    }
    return nativeAddon().addon ? this.searchNative(queries, k, onRow) : this.searchInverted(queries, k, onRow);
  }

  /** The search in JavaScript through the inverted index (the fallback without the addon). */
  searchInverted(queries: Csr, k: number, onRow?: (done: number) => void): Neighbors {
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

  /**
   * The same search on the native kernels, a batch of queries at a time: similarities
   * S = P·Q_bᵀ (sparse points × dense query batch, one CSR × dense product), then a row-wise
   * top-k of Sᵀ. Points with similarity ≤ 0 are dropped, as in the inverted-index path.
   */
  searchNative(queries: Csr, k: number, onRow?: (done: number) => void): Neighbors {
    const out = emptyNeighbors(queries.nRows, k);
    const n = this.size, p = this.dim;
    // Batch size: keep the n × batch similarity block near 32 MB.
    const batch = Math.max(1, Math.min(queries.nRows, Math.floor((8 << 20) / Math.max(1, n))));
    const qt = new Float32Array(p * batch);
    const st = new Float32Array(batch * n);
    for (let start = 0; start < queries.nRows; start += batch) {
      const bs = Math.min(batch, queries.nRows - start);
      // Q_bᵀ: p × bs, dense.
      qt.fill(0, 0, p * bs);
      for (let i = 0; i < bs; i++) {
        for (let q = queries.rowPtr[start + i]!, e = queries.rowPtr[start + i + 1]!; q < e; q++) qt[queries.indices[q]! * bs + i] = queries.values[q]!;
      }
      const s = csrMatDense(this.points, bs === batch ? qt : qt.subarray(0, p * bs), bs); // n × bs
      transposeDense(s, n, bs, st);
      const top = topKRows(st.subarray(0, bs * n), bs, n, k);
      for (let i = 0; i < bs; i++) {
        for (let t = 0; t < k; t++) {
          const sim = top.scores[i * k + t]!;
          if (!(sim > 0)) break;
          out.ids[(start + i) * k + t] = top.labels[i * k + t]!;
          out.sims[(start + i) * k + t] = sim;
        }
      }
      onRow?.(start + bs);
    }
    return out;
  }
}
