import { ndcgFromSums } from './ndcg.js';
import { precisionFromSums } from './precision.js';
import { psndcgFromSums } from './psndcg.js';
import { pspFromSums } from './psp.js';
import { recallFromSums } from './recall.js';
import { type RankingSums } from './ranking_sums.js';

/**
 * Names of the metric families, in report order: precision, nDCG, propensity-scored precision and
 * nDCG, recall. {@link evaluateRanking} reports each at every cut-off k as `'P@1'`, `'nDCG@3'`, ….
 */
export const METRIC_FAMILIES = Object.freeze(['P', 'nDCG', 'PSP', 'PSnDCG', 'R'] as const);

/** A metric family name: 'P', 'nDCG', 'PSP', 'PSnDCG' or 'R'. */
export type MetricFamily = (typeof METRIC_FAMILIES)[number];

/**
 * A metric family's function: its value at cut-off k (1 ≤ k ≤ sums.kMax) from the one-pass
 * sums of `accumulateRankingSums`, as a fraction in [0, 1].
 */
export type MetricFunction = (sums: RankingSums, k: number) => number;

/**
 * The metric registry: family name → its function. Frozen (and null-prototype, so only these
 * names are keys). `evaluateRanking` reports `${name}@${k}`.
 */
export const METRICS: Readonly<Record<MetricFamily, MetricFunction>> = Object.freeze(
  Object.assign(Object.create(null) as Record<MetricFamily, MetricFunction>, {
    P: precisionFromSums,
    nDCG: ndcgFromSums,
    PSP: pspFromSums,
    PSnDCG: psndcgFromSums,
    R: recallFromSums,
  }),
);

/**
 * Metric values keyed `${family}@${k}` (`P@1`, `nDCG@3`, `PSP@5`, …). Unit: every value is a
 * FRACTION in [0, 1] — the library never returns percentages; the CLI multiplies by 100 and
 * prints percent (`xmlc evaluate`'s table and `--json`).
 */
export type MetricScores = Record<string, number>;

/** Families that need label propensities. */
export const PROPENSITY_FAMILIES: ReadonlySet<MetricFamily> = new Set<MetricFamily>(['PSP', 'PSnDCG']);

/** Is `name` a key of {@link METRICS}? */
export function isMetricFamily(name: string): name is MetricFamily {
  return Object.prototype.hasOwnProperty.call(METRICS, name);
}
