import { columnCounts, type Csr } from '../data/csr.js';

/** Constants of the propensity model. */
export interface PropensityOptions {
  /** A: 0.55 by default; 0.6 for Amazon-type sets, 0.5 for Wikipedia-type sets. */
  readonly a?: number;
  /** B: 1.5 by default; 2.6 for Amazon-type sets, 0.4 for Wikipedia-type sets. */
  readonly b?: number;
}

/**
 * Label propensities of Jain, Prabhu & Varma (KDD 2016), "Extreme Multi-label Loss Functions
 * for Recommendation, Tagging, Ranking & Other Missing Label Applications":
 * p_l = 1 / (1 + C·exp(−A·log(N_l + B))), C = (log N − 1)·(B + 1)^A,
 * N the number of training points and N_l the number of them carrying label l.
 * @returns p_l for every label, in (0, 1].
 */
export function propensities(labelCounts: ArrayLike<number>, nPoints: number, opts: PropensityOptions = {}): Float64Array {
  const a = opts.a ?? 0.55, b = opts.b ?? 1.5;
  if (!(nPoints > 0)) throw new RangeError(`'nPoints' passed to propensities() must be > 0 but got ${nPoints}`);
  if (!Number.isFinite(a) || !(b > 0)) throw new RangeError(`propensities(): need finite A and B > 0 but got A = ${a}, B = ${b}`);
  const c = (Math.log(nPoints) - 1) * Math.pow(b + 1, a);
  const out = new Float64Array(labelCounts.length);
  for (let l = 0; l < labelCounts.length; l++) {
    const n = labelCounts[l]!;
    if (!(n >= 0)) throw new RangeError(`propensities(): label count ${l} must be >= 0 but is ${n}`);
    out[l] = 1 / (1 + c * Math.exp(-a * Math.log(n + b)));
  }
  return out;
}

/** {@link propensities} from a training label matrix (N = its rows, N_l = its column counts). */
export function propensitiesFromLabels(trainLabels: Csr, opts: PropensityOptions = {}): Float64Array {
  return propensities(columnCounts(trainLabels), trainLabels.nRows, opts);
}
