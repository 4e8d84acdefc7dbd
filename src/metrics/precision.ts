import { type Csr } from '../data/csr.js';
import { type Ranked } from '../ranking/topk.js';
import { accumulateRankingSums, checkRankingInputs, type RankingSums } from './ranking_sums.js';

/**
 * Precision at k: P@k = (1/N) Σ_i (1/k) Σ_{j≤k} [l_ij ∈ y_i], over ALL N rows (a row with no
 * true labels contributes 0; Extreme Classification Repository / pyxclib convention), as a
 * fraction in [0, 1]. The divisor is k even when a row has fewer than k predictions or true
 * labels.
 */
export function precisionFromSums(sums: RankingSums, k: number): number {
  return sums.nRows > 0 ? sums.hits[k - 1]! / (k * sums.nRows) : 0;
}

/**
 * P@k of ranked predictions (`pred`, width ≥ k) against the ground truth (`truth`, one row per
 * point, label ids as columns): P@k = (1/N) Σ_i (1/k) Σ_{j≤k} [l_ij ∈ y_i] over ALL N rows (a row
 * without true labels counts 0; the divisor is k even for shorter rows), a fraction in [0, 1].
 * @example precisionAtK(ranked, test.labels, 1) // 0.62 means 62% of the top-1 labels are true
 * @throws InvalidArgumentError if the row counts differ or k is not an integer in [1, pred.k].
 */
export function precisionAtK(pred: Ranked, truth: Csr, k: number): number {
  checkRankingInputs('precisionAtK', pred, truth, [k]);
  return precisionFromSums(accumulateRankingSums(pred, truth, k), k);
}
