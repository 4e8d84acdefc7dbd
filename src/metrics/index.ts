export { propensities, propensitiesFromLabels, type PropensityOptions } from './propensity.js';
export { evaluateRanking, METRIC_FAMILIES, type MetricFamily, type EvaluateRankingOptions } from './ranking_metrics.js';
export { rankedFromLists } from '../predict/topk.js';
export { evaluateAgainstTraining } from './against_training.js';
