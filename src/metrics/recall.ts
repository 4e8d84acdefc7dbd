import { type Csr } from '../data/csr.js';
import { type Ranked } from '../ranking/topk.js';
import { accumulateRankingSums, checkRankingInputs, type RankingSums } from './ranking_sums.js';

/**
 * Recall at k: R@k = (1/N) Σ_i |top-k_i ∩ y_i| / |y_i|, averaged over ALL N rows, a row with
 * no true labels contributing 0 (Extreme Classification Repository / pyxclib convention).
 * A fraction in [0, 1].
 */
export function recallFromSums(sums: RankingSums, k: number): number {
  return sums.nRows > 0 ? sums.recall[k - 1]! / sums.nRows : 0;
}

/**
 * R@k of ranked predictions (`pred`, width ≥ k) against the ground truth (`truth`);
 * R@k = (1/N) Σ_i |top-k_i ∩ y_i| / |y_i| over ALL N rows (a row without true labels counts 0); a fraction in [0, 1].
 * @throws InvalidArgumentError if the row counts differ or k is not an integer in [1, pred.k].
 */
export function recallAtK(pred: Ranked, truth: Csr, k: number): number {
  checkRankingInputs('recallAtK', pred, truth, [k]);
  return recallFromSums(accumulateRankingSums(pred, truth, k), k);
}
