import { columnCounts, type Csr } from '../data/csr.js';
import { type Ranked } from '../ranking/topk.js';
import { propensities, type PropensityOptions } from './propensity.js';
import { evaluateRanking } from './ranking_metrics.js';
import { type MetricScores } from './registry.js';

/**
 * Score ranked predictions against test labels with propensities (Jain et al. 2016) taken
 * from the training labels' frequencies — what the CLI and the eval scripts report.
 *
 * `ranked`: nTest rows of width ≥ max(ks); `truth`: nTest × nLabels test labels;
 * `trainLabels`: nTrain × nLabels' training labels (nTrain ≥ 2). The label space is the wider of
 * the two; a test label never seen in training has N_l = 0 (lowest propensity, largest gain).
 * @returns fractions in [0, 1] (not percent) keyed `P@1`, `PSP@3`, ... (see {@link evaluateRanking}); by default all
 *   five families.
 * @throws InvalidArgumentError as {@link evaluateRanking} and {@link propensities} do.
 */
export function evaluateAgainstTraining(
  ranked: Ranked, truth: Csr, trainLabels: Csr,
  opts: { ks: readonly number[]; metrics?: readonly string[] } & PropensityOptions,
): MetricScores {
  const counts = new Float64Array(Math.max(truth.nCols, trainLabels.nCols));
  counts.set(columnCounts(trainLabels));
  const prop = propensities(counts, trainLabels.nRows, opts);
  return evaluateRanking(ranked, { ...truth, nCols: counts.length }, { ks: opts.ks, propensities: prop, ...(opts.metrics ? { metrics: opts.metrics } : {}) });
}
