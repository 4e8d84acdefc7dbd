import { type Csr } from '../data/csr.js';
import { type Neighbors } from '../ranking/neighbors.js';

/**
 * Dense label-score blocks of the embedding pipeline's strategies (kNN vote, decoder, their
 * average; Wu et al., ICML 2019, Section 5: "ℓ1-AE 1/2/3"), for a block of query rows.
 */

/**
 * Add the similarity-weighted vote of the first `k` neighbours of every query row to `out`
 * (nRows × nLabels, row-major): out[i, l] += Σ_j sim(i, j)·y_jl.
 */
export function addKnnVotes(nb: Neighbors, k: number, trainLabels: Csr, out: Float32Array): void {
  const L = trainLabels.nCols, useK = Math.min(k, nb.k);
  if (out.length !== nb.nRows * L) throw new RangeError(`addKnnVotes(): out must have ${nb.nRows} × ${L} entries but has ${out.length}`);
  const { rowPtr, indices, values } = trainLabels;
  for (let i = 0; i < nb.nRows; i++) {
    const base = i * L;
    for (let t = 0; t < useK; t++) {
      const j = nb.ids[i * nb.k + t]!;
      if (j < 0) break;
      const s = nb.sims[i * nb.k + t]!;
      for (let p = rowPtr[j]!, e = rowPtr[j + 1]!; p < e; p++) out[base + indices[p]!]! += s * values[p]!;
    }
  }
}

/** Scale every row of a row-major nRows × nCols block so that its largest entry is 1 (rows with no positive entry are left alone). */
export function normalizeRowsMax(a: Float32Array, nRows: number, nCols: number): Float32Array {
  for (let i = 0; i < nRows; i++) {
    let mx = 0;
    for (let j = i * nCols, e = j + nCols; j < e; j++) if (a[j]! > mx) mx = a[j]!;
    if (mx > 0) {
      const inv = 1 / mx;
      for (let j = i * nCols, e = j + nCols; j < e; j++) a[j]! *= inv;
    }
  }
  return a;
}

/** out += w·a, element-wise. */
export function addScaled(out: Float32Array, a: Float32Array, w: number): void {
  if (out.length !== a.length) throw new RangeError(`addScaled(): lengths differ (${out.length} vs ${a.length})`);
  for (let i = 0; i < a.length; i++) out[i]! += w * a[i]!;
}
