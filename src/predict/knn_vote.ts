import { type Csr } from '../data/csr.js';
import { type Neighbors } from '../ranking/neighbors.js';
import { type Ranked } from '../ranking/topk.js';
import { topKSparseImpl } from '../ranking/topk_impl.js';

/**
 * Similarity-weighted label vote: score(l) = Σ_{j ∈ N(x)} sim(x, x_j) · y_jl over the
 * neighbours N(x) of each query, using the first `k` neighbours of each row; returns the
 * `topK` best labels per row (ties: smaller label id). Labels with score ≤ 0 are not ranked.
 * Sparse accumulation: cost O(Σ neighbour label counts) per row, no dense nLabels vector scan.
 */
export function knnVote(nb: Neighbors, trainLabels: Csr, k: number, topK: number): Ranked {
  const useK = Math.min(k, nb.k);
  const nLabels = trainLabels.nCols;
  const labels = new Int32Array(nb.nRows * topK).fill(-1);
  const scores = new Float32Array(nb.nRows * topK);
  const acc = new Float64Array(nLabels);
  const seen = new Uint8Array(nLabels);
  const cand = new Int32Array(nLabels);
  const candVals = new Float64Array(nLabels);
  const { rowPtr, indices, values } = trainLabels;
  for (let i = 0; i < nb.nRows; i++) {
    let nCand = 0;
    for (let t = 0; t < useK; t++) {
      const j = nb.ids[i * nb.k + t]!;
      if (j < 0) break;
      const s = nb.sims[i * nb.k + t]!;
      for (let p = rowPtr[j]!, e = rowPtr[j + 1]!; p < e; p++) {
        const l = indices[p]!;
        if (!seen[l]) { seen[l] = 1; cand[nCand++] = l; }
        acc[l]! += s * values[p]!;
      }
    }
    for (let c = 0; c < nCand; c++) { const l = cand[c]!; candVals[c] = acc[l]!; acc[l] = 0; seen[l] = 0; }
    topKSparseImpl(cand, candVals, nCand, topK, labels, scores, i * topK, true);
  }
  return { nRows: nb.nRows, k: topK, labels, scores };
}
