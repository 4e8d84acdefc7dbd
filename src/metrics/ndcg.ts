import { type Csr } from '../data/csr.js';
import { type Ranked } from '../ranking/topk.js';
import { accumulateRankingSums, checkRankingInputs, type RankingSums } from './ranking_sums.js';

/**
 * Normalised discounted cumulative gain at k, averaged over ALL N rows (a row with no true
 * labels contributes 0; Extreme Classification Repository / pyxclib convention):
 * nDCG@k = (1/N) Σ_i DCG_i@k / IDCG_i@k with DCG_i@k = Σ_{j≤k} [l_ij ∈ y_i] / log2(j + 1) and
 * IDCG_i@k = Σ_{j=1}^{min(k, |y_i|)} 1 / log2(j + 1). A fraction in [0, 1].
 */
export function ndcgFromSums(sums: RankingSums, k: number): number {
  return sums.nRows > 0 ? sums.ndcg[k - 1]! / sums.nRows : 0;
}

/**
 * nDCG@k of ranked predictions (`pred`, width ≥ k) against the ground truth (`truth`);
 * nDCG@k = (1/N) Σ_i DCG_i@k / IDCG_i@k over ALL N rows, with DCG_i@k = Σ_{j≤k} [l_ij ∈ y_i] / log2(j + 1)
 * and IDCG_i@k = Σ_{j ≤ min(k, |y_i|)} 1 / log2(j + 1) (a row without true labels counts 0); a fraction in [0, 1].
 * @throws InvalidArgumentError if the row counts differ or k is not an integer in [1, pred.k].
 */
export function ndcgAtK(pred: Ranked, truth: Csr, k: number): number {
  checkRankingInputs('ndcgAtK', pred, truth, [k]);
  return ndcgFromSums(accumulateRankingSums(pred, truth, k), k);
}
