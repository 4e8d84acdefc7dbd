/**
 * Ranking metrics of extreme multi-label classification: P@k, nDCG@k, R@k, and the
 * propensity-scored PSP@k and PSnDCG@k (Jain et al. 2016), all averaged over ALL rows with
 * rows lacking true labels contributing 0 (Extreme Classification Repository / pyxclib
 * convention). Unit: every function returns a FRACTION in [0, 1] (see {@link MetricScores});
 * the CLI prints percent (×100).
 */
export { PROPENSITY_DEFAULTS, propensities, propensitiesFromLabels, type PropensityOptions } from './propensity.js';
export { precisionAtK, precisionFromSums } from './precision.js';
export { ndcgAtK, ndcgFromSums } from './ndcg.js';
export { recallAtK, recallFromSums } from './recall.js';
export { pspAtK, pspFromSums } from './psp.js';
export { psndcgAtK, psndcgFromSums } from './psndcg.js';
export { accumulateRankingSums, checkRankingInputs, type RankingSums } from './ranking_sums.js';
export { METRICS, METRIC_FAMILIES, PROPENSITY_FAMILIES, isMetricFamily, type MetricFamily, type MetricFunction, type MetricScores } from './registry.js';
export { evaluateRanking, type EvaluateRankingOptions } from './ranking_metrics.js';
export { evaluateAgainstTraining } from './against_training.js';
export { rankedFromLists } from '../ranking/topk.js';
