import { type Csr } from '../data/csr.js';
import { nativeAddon } from '../engine/addon.js';
import { InvalidArgumentError } from '../errors.js';
import { type Neighbors } from '../ranking/neighbors.js';
import { type Ranked } from '../ranking/topk.js';
import { topKSparseImpl } from '../ranking/topk_impl.js';

/** Labels first touched by {@link addRowVotes}: a byte mask over the labels and the list of touched ids. */
export interface Touched { readonly seen: Uint8Array; readonly list: Int32Array; n: number }

/** An empty {@link Touched} over `nLabels` labels. */
export function touchedLabels(nLabels: number): Touched {
  return { seen: new Uint8Array(nLabels), list: new Int32Array(nLabels), n: 0 };
}

/** Record label `l` in `t` if it is not there yet. */
export function touch(t: Touched, l: number): void {
  if (!t.seen[l]) { t.seen[l] = 1; t.list[t.n++] = l; }
}

/** Forget every label of `t` (cost: the labels it holds). */
export function clearTouched(t: Touched): void {
  for (let c = 0; c < t.n; c++) t.seen[t.list[c]!] = 0;
  t.n = 0;
}

/**
 * The kNN vote, defined once: add query row `i`'s similarity-weighted vote of its first `useK`
 * neighbours to `acc`, acc[base + l] += Σ_j sim(i, j)·y_jl (padding ids −1 end the list). With
 * `touched`, every label voted for the first time is recorded (for sparse accumulation).
 * `acc` is float64 (sparse path) or float32 (dense score blocks, rounded at every addition).
 */
function addRowVotes(nb: Neighbors, i: number, useK: number, trainLabels: Csr, acc: Float64Array | Float32Array, base: number, touched?: Touched): void {
  const { rowPtr, indices, values } = trainLabels;
  for (let t = 0; t < useK; t++) {
    const j = nb.ids[i * nb.k + t]!;
    if (j < 0) break;
    const s = nb.sims[i * nb.k + t]!;
    for (let p = rowPtr[j]!, e = rowPtr[j + 1]!; p < e; p++) {
      const l = indices[p]!;
      if (touched) touch(touched, l);
      acc[base + l]! += s * values[p]!;
    }
  }
}

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
  const touched = touchedLabels(nLabels);
  const candVals = new Float64Array(nLabels);
  for (let i = 0; i < nb.nRows; i++) {
    touched.n = 0;
    addRowVotes(nb, i, useK, trainLabels, acc, 0, touched);
    const { list: cand, seen, n: nCand } = touched;
    for (let c = 0; c < nCand; c++) { const l = cand[c]!; candVals[c] = acc[l]!; acc[l] = 0; seen[l] = 0; }
    topKSparseImpl(cand, candVals, nCand, topK, labels, scores, i * topK, true);
  }
  return { nRows: nb.nRows, k: topK, labels, scores };
}

/**
 * The same vote into a dense block: add the vote of the first `k` neighbours of every query row
 * to `out` (nRows × nLabels, row-major): out[i, l] += Σ_j sim(i, j)·y_jl.
 */
export function addKnnVotes(nb: Neighbors, k: number, trainLabels: Csr, out: Float32Array): void {
  const L = trainLabels.nCols, useK = Math.min(k, nb.k);
  if (out.length !== nb.nRows * L) throw new RangeError(`addKnnVotes(): out must have ${nb.nRows} × ${L} entries but has ${out.length}`);
  for (let i = 0; i < nb.nRows; i++) addRowVotes(nb, i, useK, trainLabels, out, i * L);
}

/** Scratch of {@link addRowVoteMaxScaled}: a float32 accumulator over the labels (kept all zero between calls) and its touched labels. */
export interface VoteScratch { readonly acc: Float32Array; readonly touched: Touched }

/** A {@link VoteScratch} over `nLabels` labels. */
export function voteScratch(nLabels: number): VoteScratch {
  return { acc: new Float32Array(nLabels), touched: touchedLabels(nLabels) };
}

/**
 * Sparse form of one row of {@link addKnnVotes} → normalizeRowsMax → addScaled (src/predict/scores.ts):
 * out[base + l] += w·v_l for the labels l that query row `i`'s first `useK` neighbours vote for,
 * where v is the row's float32 vote scaled to a maximum of 1 (unscaled when no vote is positive).
 * The float32 roundings are the dense path's, so the results are the same bits; labels without a
 * vote are not touched (the dense path adds w·0 to them). With `outTouched`, the labels written
 * are recorded there. Cost: the neighbours' label counts, not the number of labels.
 */
export function addRowVoteMaxScaled(nb: Neighbors, i: number, useK: number, trainLabels: Csr, s: VoteScratch, w: number, out: Float32Array, base: number, outTouched?: Touched): void {
  const { acc, touched } = s;
  addRowVotes(nb, i, useK, trainLabels, acc, 0, touched);
  const list = touched.list, n = touched.n;
  let mx = 0;
  for (let c = 0; c < n; c++) { const v = acc[list[c]!]!; if (v > mx) mx = v; }
  const inv = 1 / mx;
  for (let c = 0; c < n; c++) {
    const l = list[c]!;
    const v = mx > 0 ? Math.fround(acc[l]! * inv) : acc[l]!;
    acc[l] = 0;
    if (outTouched) touch(outTouched, l);
    out[base + l]! += w * v;
  }
  clearTouched(touched);
}

/**
 * {@link addRowVoteMaxScaled} for every query row of `nb` into the dense block `out` (nb.nRows ×
 * nLabels, row-major): the same bits, on the native addon (rows split over the cores) when it is
 * loaded.
 */
export function addKnnVoteRowsMaxScaled(nb: Neighbors, useK: number, trainLabels: Csr, w: number, out: Float32Array, scratch: VoteScratch): void {
  const L = trainLabels.nCols, k = Math.min(useK, nb.k);
  if (out.length < nb.nRows * L) throw new InvalidArgumentError('addKnnVoteRowsMaxScaled', `addKnnVoteRowsMaxScaled(): out needs ${nb.nRows} × ${L} entries but has ${out.length}`);
  const { addon } = nativeAddon();
  if (typeof addon?.addKnnVoteRows === 'function') {
    addon.addKnnVoteRows(nb.ids, nb.sims, nb.nRows, nb.k, k, trainLabels.rowPtr, trainLabels.indices, trainLabels.values, L, w, out);
    return;
  }
  for (let i = 0; i < nb.nRows; i++) addRowVoteMaxScaled(nb, i, k, trainLabels, scratch, w, out, i * L);
}
