import { type Csr } from '../data/csr.js';
import { type Ranked } from '../ranking/topk.js';
import { accumulateRankingSums, checkRankingInputs, type RankingSums } from './ranking_sums.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * Propensity-scored nDCG at k, normalised as the Extreme Classification Repository's
 * reference code does it, pyxclib `xclib/evaluation/xc_metrics.py`, `psndcg` (which returns
 * `_ndcg(eval_flags, n, k) / _ndcg(ps_eval_flags, n, k)`; `_ndcg` is the mean over all rows
 * of a row's DCG@k divided by the COUNT-based min(n_i, Σ_{j≤k} 1/log2(j+1)), n_i being
 * IDCG(|y_i|)): with d_j = 1/log2(j + 1) and IDCG_i = Σ_{j≤min(k,|y_i|)} d_j,
 *
 *   PSnDCG@k = Σ_i PSDCG_i@k / IDCG_i  ÷  Σ_i PSDCG*_i@k / IDCG_i,
 *   PSDCG_i@k = Σ_{j≤k} [l_ij ∈ y_i]·d_j / p_{l_ij},
 *
 * PSDCG* being the same for the best ranking (true labels by decreasing 1/p). So a ratio of
 * dataset-wide sums of per-row count-normalised PSDCGs. Rows with no true labels add 0 to both.
 * A fraction in [0, 1]; 0 when no row has a true label.
 * @throws InvalidArgumentError if the sums were accumulated without propensities.
 */
export function psndcgFromSums(sums: RankingSums, k: number): number {
  if (!sums.ps) throw new InvalidArgumentError('psndcgFromSums', `PSnDCG@${k} needs propensities`);
  const d = sums.ps.idealDcg[k - 1]!;
  return d > 0 ? sums.ps.dcg[k - 1]! / d : 0;
}

/**
 * PSnDCG@k of ranked predictions (`pred`, width ≥ k) against the ground truth (`truth`), with
 * label propensities p_l (length ≥ truth.nCols, e.g. from `propensities()`), normalised as the
 * Extreme Classification Repository's pyxclib does it: with d_j = 1/log2(j + 1), IDCG_i = Σ_{j≤min(k,|y_i|)} d_j
 * and PSDCG_i@k = Σ_{j≤k} [l_ij ∈ y_i]·d_j / p_{l_ij}, PSnDCG@k = Σ_i PSDCG_i@k / IDCG_i ÷ Σ_i PSDCG*_i@k / IDCG_i,
 * PSDCG* being the same for the best ranking. A fraction in [0, 1]; 0 when no row has a true label.
 * @throws InvalidArgumentError if the row counts differ, k is not an integer in [1, pred.k], or the
 *   propensities are too short or not finite and > 0.
 */
export function psndcgAtK(pred: Ranked, truth: Csr, k: number, propensities: Float64Array): number {
  checkRankingInputs('psndcgAtK', pred, truth, [k], propensities);
  return psndcgFromSums(accumulateRankingSums(pred, truth, k, propensities), k);
}
