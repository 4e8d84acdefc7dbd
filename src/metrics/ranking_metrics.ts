import { type Csr } from '../data/csr.js';
import { type Ranked } from '../ranking/topk.js';
import { isMetricFamily, METRIC_FAMILIES, METRICS, PROPENSITY_FAMILIES, type MetricFamily, type MetricScores } from './registry.js';
import { accumulateRankingSums, checkRankingInputs } from './ranking_sums.js';
import { InvalidArgumentError } from '../errors.js';

/** What {@link evaluateRanking} computes. */
export interface EvaluateRankingOptions {
  /** Cut-offs, each an integer in [1, pred.k]. */
  readonly ks: readonly number[];
  /**
   * Families to report, names of the registry `METRICS` ('P', 'nDCG', 'PSP', 'PSnDCG', 'R').
   * Default: P, nDCG, R, plus PSP and PSnDCG when propensities are given.
   */
  readonly metrics?: readonly string[];
  /** Label propensities p_l (length ≥ truth.nCols, finite, > 0), needed by PSP and PSnDCG. */
  readonly propensities?: Float64Array;
}

/**
 * Score ranked predictions against the ground truth with several metric families at several
 * cut-offs, in ONE pass over the rows (no per-row allocation).
 *
 * `pred` holds row i's ranked labels at `labels[i*k .. i*k + k)` (−1 = padding, never a hit);
 * `truth` is an nRows × nLabels CSR matrix whose row i lists the true label ids y_i (values
 * ignored). Every metric averages over ALL rows, rows with no true labels contributing 0 —
 * the Extreme Classification Repository / pyxclib convention — and PSP / PSnDCG are
 * normalised as pyxclib's `psprecision` / `psndcg` (see psp.ts, psndcg.ts).
 *
 * @returns fractions in [0, 1] (not percent; see {@link MetricScores}) keyed `${family}@${k}`, e.g. `P@1`, `nDCG@3`, `PSP@5`,
 *   `PSnDCG@5`, `R@5`, families in the order asked, then cut-offs in the order given.
 * @throws InvalidArgumentError for an unknown family, a PS family without propensities, mismatched row
 *   counts, or a cut-off that is not an integer in [1, pred.k].
 * @example evaluateRanking(ranked, test.labels, { ks: [1, 3, 5], propensities: propensitiesFromLabels(train.labels) })
 */
export function evaluateRanking(pred: Ranked, truth: Csr, opts: EvaluateRankingOptions): MetricScores {
  const prop = opts.propensities;
  const requested = opts.metrics ?? METRIC_FAMILIES.filter((f) => prop || !PROPENSITY_FAMILIES.has(f));
  const families: MetricFamily[] = [];
  for (const f of requested) {
    if (!isMetricFamily(f)) throw new InvalidArgumentError('evaluateRanking', `evaluateRanking(): unknown metric '${f}' (known: ${METRIC_FAMILIES.join(', ')})`);
    if (PROPENSITY_FAMILIES.has(f) && !prop) throw new InvalidArgumentError('evaluateRanking', `evaluateRanking(): metric '${f}' needs 'propensities'`);
    families.push(f);
  }
  checkRankingInputs('evaluateRanking', pred, truth, opts.ks, prop);
  const kMax = opts.ks.reduce((a, b) => Math.max(a, b), 0);
  // Propensity sums only if a PS family is asked for.
  const needPs = families.some((f) => PROPENSITY_FAMILIES.has(f));
  const sums = accumulateRankingSums(pred, truth, kMax, needPs ? prop : undefined);
  const out: MetricScores = {};
  for (const f of families) for (const k of opts.ks) out[`${f}@${k}`] = METRICS[f](sums, k);
  return out;
}
