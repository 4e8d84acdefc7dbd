import { type Csr } from '../data/csr.js';
import { type Ranked } from '../ranking/topk.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * The one pass over the rows behind every ranking metric: per-cut-off sums over rows, from
 * which each metric family is finished in O(1) (see `registry.ts`).
 *
 * Conventions, those of the Extreme Classification Repository and of its reference code,
 * pyxclib `xclib/evaluation/xc_metrics.py`, so that numbers compare with published ones:
 * - the ground truth is a set: row i's true labels y_i are the column ids stored in row i of
 *   the truth matrix (the stored values are ignored);
 * - every sum runs over ALL rows; a row with y_i = ∅ contributes 0 to every numerator but
 *   still counts in the number of rows;
 * - a predicted label is a hit if it is in y_i; padding (−1), ids outside the truth's columns,
 *   and a repeat of a label already listed higher in the same row are never hits.
 */

/**
 * Sums over all rows, per cut-off. Every array has length `kMax`; entry j is for the
 * cut-off k = j + 1. Write d_j = 1 / log2(j + 1) for the discount of rank j (1-based),
 * IDCG(m) = Σ_{j≤m} d_j, and g_l = 1 / p_l for the propensity-scored gain of label l.
 */
export interface RankingSums {
  /** Number of rows (all of them, with or without true labels). */
  readonly nRows: number;
  /** Largest cut-off summed. */
  readonly kMax: number;
  /** Σ_i |top-k_i ∩ y_i|: hits within the first k. */
  readonly hits: Float64Array;
  /** Σ_i DCG_i@k / IDCG(min(k, |y_i|)), rows with y_i = ∅ adding 0. */
  readonly ndcg: Float64Array;
  /** Σ_i |top-k_i ∩ y_i| / |y_i|, rows with y_i = ∅ adding 0. */
  readonly recall: Float64Array;
  /** Propensity-scored sums, or undefined when no propensities were given. */
  readonly ps?: {
    /** Σ_i Σ_{j≤k} [l_ij ∈ y_i]·g_{l_ij}: gain of the predictions. */
    readonly gain: Float64Array;
    /** Σ_i of the largest k values of {g_l : l ∈ y_i}, summed: the best achievable gain. */
    readonly idealGain: Float64Array;
    /** Σ_i PSDCG_i@k / IDCG(min(k, |y_i|)), PSDCG_i@k = Σ_{j≤k} [l_ij ∈ y_i]·g_{l_ij}·d_j. */
    readonly dcg: Float64Array;
    /** The same as `dcg` for the best ranking (y_i by decreasing g_l), same count-based normaliser. */
    readonly idealDcg: Float64Array;
  };
}

/**
 * Check a prediction / truth pair and cut-offs for `fn`. Public functions call this so that
 * their messages name them.
 * @throws InvalidArgumentError on a row-count mismatch, a malformed `Ranked`, a cut-off that is not an
 *   integer in [1, pred.k], or propensities that are too short or not in (0, ∞).
 */
export function checkRankingInputs(fn: string, pred: Ranked, truth: Csr, ks: readonly number[], propensities?: Float64Array): void {
  if (!Number.isInteger(pred.k) || pred.k < 1) throw new InvalidArgumentError(fn, `${fn}(): the predictions' width k must be an integer >= 1 but is ${pred.k}`);
  if (pred.labels.length !== pred.nRows * pred.k) {
    throw new InvalidArgumentError(fn, `${fn}(): the predictions' labels must have nRows × k = ${pred.nRows * pred.k} entries but have ${pred.labels.length}`);
  }
  if (pred.nRows !== truth.nRows) throw new InvalidArgumentError(fn, `${fn}(): predictions have ${pred.nRows} rows but the ground truth has ${truth.nRows}`);
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 1 || k > pred.k) {
      throw new InvalidArgumentError(fn, `${fn}(): each k must be an integer in [1, ${pred.k}] (the ranking's width) but got ${k}`);
    }
  }
  if (propensities) {
    if (propensities.length < truth.nCols) {
      throw new InvalidArgumentError(fn, `${fn}(): 'propensities' has ${propensities.length} entries but the ground truth has ${truth.nCols} labels`);
    }
    for (let l = 0; l < truth.nCols; l++) {
      const p = propensities[l]!;
      if (!(p > 0 && p < Infinity)) throw new InvalidArgumentError(fn, `${fn}(): propensity ${l} must be finite and > 0 but is ${p}`);
    }
  }
}

/**
 * Accumulate {@link RankingSums} for cut-offs 1..kMax in one pass over the rows.
 * Allocation is O(kMax + truth.nCols) up front and none per row; time is
 * O(nRows·kMax + nnz(truth)·(1 + [propensities]·kMax)) in the worst case (the best-gain
 * selection is an insertion into a sorted buffer of kMax, usually rejected at once).
 * Call {@link checkRankingInputs} first; this trusts its arguments.
 */
export function accumulateRankingSums(pred: Ranked, truth: Csr, kMax: number, propensities?: Float64Array): RankingSums {
  const K = kMax, n = pred.nRows, width = pred.k, nLabels = truth.nCols;
  const { rowPtr, indices } = truth;
  const labels = pred.labels;
  const hits = new Float64Array(K), ndcg = new Float64Array(K), recall = new Float64Array(K);
  const prop = propensities;
  const psGain = new Float64Array(prop ? K : 0), psIdealGain = new Float64Array(prop ? K : 0);
  const psDcg = new Float64Array(prop ? K : 0), psIdealDcg = new Float64Array(prop ? K : 0);
  // disc[j] = d_{j+1} = 1/log2(j + 2); idcg[m] = IDCG(m) = Σ_{j<m} disc[j].
  const disc = new Float64Array(K), idcg = new Float64Array(K + 1);
  for (let j = 0; j < K; j++) { disc[j] = 1 / Math.log2(j + 2); idcg[j + 1] = idcg[j]! + disc[j]!; }
  // Membership marker: 0 = not in y_i, 1 = in y_i, 2 = in y_i and already hit in this row.
  const mark = new Uint8Array(nLabels);
  // The row's largest gains, decreasing (first `nBest` entries used).
  const best = new Float64Array(K);

  for (let i = 0; i < n; i++) {
    const s = rowPtr[i]!, e = rowPtr[i + 1]!;
    const ny = e - s;
    if (ny === 0) continue; // contributes 0 everywhere
    for (let q = s; q < e; q++) mark[indices[q]!] = 1;
    const invNy = 1 / ny;
    const base = i * width;
    let h = 0, dcg = 0, psAcc = 0, psd = 0;
    for (let j = 0; j < K; j++) {
      const l = labels[base + j]!;
      if (l >= 0 && l < nLabels && mark[l] === 1) {
        mark[l] = 2;
        h++;
        dcg += disc[j]!;
        if (prop) { const g = 1 / prop[l]!; psAcc += g; psd += g * disc[j]!; }
      }
      const norm = idcg[j + 1 < ny ? j + 1 : ny]!; // IDCG(min(k, |y_i|))
      hits[j]! += h;
      ndcg[j]! += dcg / norm;
      recall[j]! += h * invNy;
      if (prop) { psGain[j]! += psAcc; psDcg[j]! += psd / norm; }
    }
    if (prop) {
      // Largest min(K, ny) gains of y_i, decreasing, by insertion.
      let nBest = 0;
      for (let q = s; q < e; q++) {
        const g = 1 / prop[indices[q]!]!;
        if (nBest === K && !(g > best[K - 1]!)) continue;
        let t = nBest < K ? nBest++ : K - 1;
        while (t > 0 && best[t - 1]! < g) { best[t] = best[t - 1]!; t--; }
        best[t] = g;
      }
      let ig = 0, ipsd = 0;
      for (let j = 0; j < K; j++) {
        if (j < nBest) { ig += best[j]!; ipsd += best[j]! * disc[j]!; }
        psIdealGain[j]! += ig;
        psIdealDcg[j]! += ipsd / idcg[j + 1 < ny ? j + 1 : ny]!;
      }
    }
    for (let q = s; q < e; q++) mark[indices[q]!] = 0;
  }
  const sums: RankingSums = { nRows: n, kMax: K, hits, ndcg, recall };
  return prop ? { ...sums, ps: { gain: psGain, idealGain: psIdealGain, dcg: psDcg, idealDcg: psIdealDcg } } : sums;
}
