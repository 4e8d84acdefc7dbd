import { type Csr } from '../data/csr.js';
import { type Ranked } from '../predict/topk.js';

/**
 * Ranking metrics of extreme classification, computed in one pass over the rows.
 *
 * Conventions (those of the Extreme Classification Repository's reference code, pyxclib
 * `xclib/evaluation/xc_metrics.py`, which we follow so numbers compare with published ones):
 * - every metric averages over ALL rows; a row without true labels contributes 0;
 * - P@k = (1/k)·Σ_{j≤k} [l_j ∈ y];
 * - nDCG@k = DCG@k / IDCG@min(k, |y|), DCG@k = Σ_{j≤k} [l_j ∈ y] / log2(j + 1);
 * - R@k = |top-k ∩ y| / |y|;
 * - PSP@k = Σ_rows Σ_{j≤k} [l_j ∈ y]/p_{l_j}  ÷  Σ_rows (the same for the best ranking of the
 *   true labels by 1/p): a ratio of dataset sums (pyxclib `psprecision`);
 * - PSnDCG@k = mean over rows of PSDCG@k / IDCG@min(k,|y|)  ÷  the same for the best ranking
 *   (pyxclib `psndcg`; the per-row normaliser is the count-based IDCG, as there).
 * Padding (label −1) never counts as a hit.
 */

/** Metric families, by name. */
export const METRIC_FAMILIES = Object.freeze(['P', 'nDCG', 'PSP', 'PSnDCG', 'R'] as const);
export type MetricFamily = (typeof METRIC_FAMILIES)[number];

/** What {@link evaluateRanking} computes. */
export interface EvaluateRankingOptions {
  /** Cut-offs, each ≤ the ranking's width. */
  readonly ks: readonly number[];
  /** Families to report (default: P, nDCG, R, plus PSP and PSnDCG when propensities are given). */
  readonly metrics?: readonly string[];
  /** Label propensities p_l (length ≥ truth.nCols), needed by PSP and PSnDCG. */
  readonly propensities?: Float64Array;
}

/**
 * Score ranked predictions against ground truth.
 * @returns fractions in [0, 1] keyed `P@1`, `nDCG@3`, `PSP@5`, `PSnDCG@5`, `R@5`, ...
 */
export function evaluateRanking(pred: Ranked, truth: Csr, opts: EvaluateRankingOptions): Record<string, number> {
  const prop = opts.propensities;
  const families = (opts.metrics ?? (prop ? METRIC_FAMILIES : ['P', 'nDCG', 'R'])) as readonly string[];
  for (const f of families) {
    if (!(METRIC_FAMILIES as readonly string[]).includes(f)) throw new RangeError(`evaluateRanking(): unknown metric '${f}' (known: ${METRIC_FAMILIES.join(', ')})`);
    if ((f === 'PSP' || f === 'PSnDCG') && !prop) throw new RangeError(`evaluateRanking(): metric '${f}' needs 'propensities'`);
  }
  if (pred.nRows !== truth.nRows) throw new RangeError(`evaluateRanking(): predictions have ${pred.nRows} rows but the ground truth has ${truth.nRows}`);
  if (prop && prop.length < truth.nCols) throw new RangeError(`evaluateRanking(): 'propensities' has ${prop.length} entries but the ground truth has ${truth.nCols} labels`);
  for (const k of opts.ks) {
    if (!Number.isInteger(k) || k < 1 || k > pred.k) throw new RangeError(`evaluateRanking(): each k must be an integer in [1, ${pred.k}] (the ranking's width) but got ${k}`);
  }
  const K = Math.max(0, ...opts.ks);
  const n = pred.nRows;
  // Per-rank sums over rows (index j = rank j+1).
  const hitSum = new Float64Array(K);      // Σ_rows [l_j ∈ y]
  const ndcgSum = new Float64Array(K);     // Σ_rows nDCG@(j+1)
  const recallSum = new Float64Array(K);   // Σ_rows R@(j+1)
  const psGain = new Float64Array(K);      // Σ_rows [l_j ∈ y]/p
  const psIdeal = new Float64Array(K);     // Σ_rows ideal gain at rank j
  const psNdcg = new Float64Array(K);      // Σ_rows PSDCG@(j+1)/IDCG
  const psNdcgIdeal = new Float64Array(K);
  // disc[j] = 1/log2(j+2); idcg[c] = Σ_{j<c} disc[j].
  const disc = new Float64Array(K), idcg = new Float64Array(K + 1);
  for (let j = 0; j < K; j++) { disc[j] = 1 / Math.log2(j + 2); idcg[j + 1] = idcg[j]! + disc[j]!; }
  const inTruth = new Uint8Array(Math.max(truth.nCols, 1));
  const ideal = new Float64Array(Math.max(truth.nCols, 1));
  for (let i = 0; i < n; i++) {
    const s = truth.rowPtr[i]!, e = truth.rowPtr[i + 1]!;
    const ny = e - s;
    if (ny === 0) continue;
    for (let p = s; p < e; p++) inTruth[truth.indices[p]!] = 1;
    let hits = 0, dcg = 0, psd = 0;
    for (let j = 0; j < K; j++) {
      const l = pred.labels[i * pred.k + j]!;
      const hit = l >= 0 && l < truth.nCols && inTruth[l] === 1;
      if (hit) {
        inTruth[l] = 2; // a label listed twice counts once
        hits++;
        dcg += disc[j]!;
        hitSum[j]! += 1;
        if (prop) { const g = 1 / prop[l]!; psGain[j]! += g; psd += g * disc[j]!; }
      }
      const norm = idcg[Math.min(j + 1, ny)]!;
      ndcgSum[j]! += dcg / norm;
      recallSum[j]! += hits / ny;
      if (prop) psNdcg[j]! += psd / norm;
    }
    if (prop) {
      // Best achievable ranking: true labels by decreasing 1/p.
      for (let p = s; p < e; p++) ideal[p - s] = 1 / prop[truth.indices[p]!]!;
      const best = ideal.subarray(0, ny).sort().reverse();
      let ipsd = 0;
      for (let j = 0; j < K; j++) {
        const g = j < ny ? best[j]! : 0;
        psIdeal[j]! += g;
        ipsd += g * disc[j]!;
        psNdcgIdeal[j]! += ipsd / idcg[Math.min(j + 1, ny)]!;
      }
    }
    for (let p = s; p < e; p++) inTruth[truth.indices[p]!] = 0;
  }
  const out: Record<string, number> = {};
  const cum = (a: Float64Array, k: number): number => { let t = 0; for (let j = 0; j < k; j++) t += a[j]!; return t; };
  for (const f of families) {
    for (const k of opts.ks) {
      let v: number;
      switch (f as MetricFamily) {
        case 'P': v = n > 0 ? cum(hitSum, k) / (k * n) : 0; break;
        case 'nDCG': v = n > 0 ? ndcgSum[k - 1]! / n : 0; break;
        case 'R': v = n > 0 ? recallSum[k - 1]! / n : 0; break;
        case 'PSP': { const d = cum(psIdeal, k); v = d > 0 ? cum(psGain, k) / d : 0; break; }
        case 'PSnDCG': { const d = psNdcgIdeal[k - 1]!; v = d > 0 ? psNdcg[k - 1]! / d : 0; break; }
      }
      out[`${f}@${k}`] = v;
    }
  }
  return out;
}
