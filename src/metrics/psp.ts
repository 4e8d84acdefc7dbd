import { type Csr } from '../data/csr.js';
import { type Ranked } from '../ranking/topk.js';
import { accumulateRankingSums, checkRankingInputs, type RankingSums } from './ranking_sums.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * Propensity-scored precision at k (Jain, Prabhu & Varma, KDD 2016), normalised as the
 * Extreme Classification Repository's reference code does it, pyxclib
 * `xclib/evaluation/xc_metrics.py`, `psprecision` (which returns
 * `_precision(eval_flags, k) / _precision(ps_eval_flags, k)`, each `_precision` being a mean
 * over all rows): a ratio of dataset-wide sums, NOT a mean of per-row ratios:
 *
 *   PSP@k = Σ_i Σ_{j≤k} [l_ij ∈ y_i] / p_{l_ij}  ÷  Σ_i (sum of the k largest 1/p_l, l ∈ y_i),
 *
 * the denominator being the gain of the best possible ranking (true labels by decreasing
 * 1/p). Rows with no true labels add 0 to both sums. A fraction in [0, 1]; 0 when no row has a
 * true label.
 * @throws InvalidArgumentError if the sums were accumulated without propensities.
 */
export function pspFromSums(sums: RankingSums, k: number): number {
  if (!sums.ps) throw new InvalidArgumentError('pspFromSums', `PSP@${k} needs propensities`);
  const d = sums.ps.idealGain[k - 1]!;
  return d > 0 ? sums.ps.gain[k - 1]! / d : 0;
}

/**
 * PSP@k of ranked predictions (`pred`, width ≥ k) against the ground truth (`truth`), with
 * label propensities p_l (length ≥ truth.nCols, e.g. from `propensities()`) (Jain, Prabhu & Varma,
 * KDD 2016), normalised as the Extreme Classification Repository's pyxclib does it — a ratio of
 * dataset-wide sums: PSP@k = Σ_i Σ_{j≤k} [l_ij ∈ y_i] / p_{l_ij} ÷ Σ_i (sum of the k largest 1/p_l, l ∈ y_i).
 * A fraction in [0, 1]; 0 when no row has a true label.
 * @throws InvalidArgumentError if the row counts differ, k is not an integer in [1, pred.k], or the
 *   propensities are too short or not finite and > 0.
 */
export function pspAtK(pred: Ranked, truth: Csr, k: number, propensities: Float64Array): number {
  checkRankingInputs('pspAtK', pred, truth, [k], propensities);
  return pspFromSums(accumulateRankingSums(pred, truth, k, propensities), k);
}
