import { columnCounts, type Csr } from '../data/csr.js';
import { InvalidArgumentError } from '../errors.js';

/** Constants of the propensity model of Jain, Prabhu & Varma (2016). */
export interface PropensityOptions {
  /** A ({@link PROPENSITY_DEFAULTS}); the paper uses 0.6 for Amazon-type sets and 0.5 for Wikipedia-type sets. */
  readonly a?: number;
  /** B ({@link PROPENSITY_DEFAULTS}); the paper uses 2.6 for Amazon-type sets and 0.4 for Wikipedia-type sets. Must be > 0. */
  readonly b?: number;
}

/**
 * The general constants A = 0.55, B = 1.5 of Jain, Prabhu & Varma (KDD 2016) for data sets other than
 * the Amazon and Wikipedia families, defined once (the CLI's `--propensity-a`/`-b` defaults read them).
 */
export const PROPENSITY_DEFAULTS: Readonly<{
  /** A of the propensity model. */
  a: number;
  /** B of the propensity model. */
  b: number;
}> = Object.freeze({ a: 0.55, b: 1.5 });

/**
 * Label propensities of Jain, Prabhu & Varma (KDD 2016), "Extreme Multi-label Loss Functions
 * for Recommendation, Tagging, Ranking & Other Missing Label Applications":
 *
 *   p_l = 1 / (1 + C·exp(−A·log(N_l + B))),   C = (log N − 1)·(B + 1)^A,
 *
 * natural logarithms, N = `nPoints` (training points) and N_l = `labelCounts[l]` (training
 * points carrying label l; 0 for a label never seen). p_l grows with N_l. For N > e every
 * p_l is in (0, 1); for 2 ≤ N < e, C < 0 and p_l may exceed 1; at N = 1 the model has a pole
 * (N_l = 1 gives 1/0), so N ≥ 2 is required. (p_l is 1 / `compute_inv_propesity` of pyxclib.)
 * @returns a new Float64Array, p_l for every label l < labelCounts.length.
 * @throws InvalidArgumentError if nPoints < 2, A is not finite, B is not finite and > 0, a count is
 *   negative or NaN, or the model gives a p_l that is not finite and > 0 (possible for N < e
 *   with unusual A, B).
 */
export function propensities(labelCounts: ArrayLike<number>, nPoints: number, opts: PropensityOptions = {}): Float64Array {
  const a = opts.a ?? PROPENSITY_DEFAULTS.a, b = opts.b ?? PROPENSITY_DEFAULTS.b;
  if (!(nPoints >= 2)) throw new InvalidArgumentError('propensities', `'nPoints' passed to propensities() must be >= 2 but got ${nPoints}`);
  if (!Number.isFinite(a)) throw new InvalidArgumentError('propensities', `'a' passed to propensities() must be finite but got ${a}`);
  if (!(b > 0 && b < Infinity)) throw new InvalidArgumentError('propensities', `'b' passed to propensities() must be finite and > 0 but got ${b}`);
  const c = (Math.log(nPoints) - 1) * Math.pow(b + 1, a);
  const out = new Float64Array(labelCounts.length);
  for (let l = 0; l < labelCounts.length; l++) {
    const nl = labelCounts[l]!;
    if (!(nl >= 0)) throw new InvalidArgumentError('propensities', `propensities(): label count ${l} must be >= 0 but is ${nl}`);
    const p = 1 / (1 + c * Math.exp(-a * Math.log(nl + b)));
    if (!(p > 0 && p < Infinity)) {
      throw new InvalidArgumentError('propensities', `propensities(): the model gives p_${l} = ${p} (N = ${nPoints}, N_l = ${nl}); it needs more training points`);
    }
    out[l] = p;
  }
  return out;
}

/**
 * {@link propensities} from a training label matrix (nPoints × nLabels CSR): N = its rows,
 * N_l = the number of its rows holding label l (its column counts).
 * @returns p_l for every label l < trainLabels.nCols.
 */
export function propensitiesFromLabels(trainLabels: Csr, opts: PropensityOptions = {}): Float64Array {
  return propensities(columnCounts(trainLabels), trainLabels.nRows, opts);
}
