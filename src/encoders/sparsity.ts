/**
 * Sparsity measures of code vectors, pure functions over typed arrays.
 *
 * The Gini index is the measure Hurley & Rickard recommend ("Comparing measures of sparsity",
 * IEEE Trans. Information Theory 55(10), 2009, eq. for S_Gini in Section III): with the
 * magnitudes sorted ascending, c(1) ≤ … ≤ c(N),
 *
 *   G(c) = 1 − 2 Σ_k (c(k) / ‖c‖₁) · (N − k + ½) / N.
 *
 * It is 0 for a vector with all magnitudes equal, 1 − 1/N for a single nonzero, invariant to
 * scaling, and — unlike the fraction of exact zeros — it also sees "nearly zero" entries, so it
 * measures the sparsity of logistic codes that are never exactly 0.
 */
import { InvalidArgumentError } from '../errors.js';

/**
 * The Gini index of the magnitudes of `v` (Hurley & Rickard 2009). An all-zero (or empty)
 * vector has no defined index; it gets 0 (no sparsity claimed for a dead code).
 *
 * @example giniIndex([0, 0, 0, 1]) // 0.75 = 1 − 1/4
 */
export function giniIndex(v: ArrayLike<number>): number {
  const n = v.length;
  const a = new Float64Array(n);
  let l1 = 0;
  for (let i = 0; i < n; i++) { const x = Math.abs(v[i]!); a[i] = x; l1 += x; }
  if (!(l1 > 0)) return 0;
  a.sort();
  let s = 0;
  for (let k = 0; k < n; k++) s += a[k]! * (n - k - 0.5); // 0-based k: (N − (k+1) + ½)
  return 1 - (2 * s) / (l1 * n);
}

/** The mean Gini index of the rows of a row-major `n × m` matrix (the sparsity of each code vector, averaged). */
export function meanRowGini(a: Float32Array, n: number, m: number): number {
  if (a.length !== n * m) throw new InvalidArgumentError('meanRowGini', `meanRowGini(): expected ${n} × ${m} = ${n * m} entries but got ${a.length}`);
  if (n === 0) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += giniIndex(a.subarray(i * m, (i + 1) * m));
  return s / n;
}

/** Fraction of entries of `a` with magnitude at most `tol`. */
export function fractionNearZero(a: ArrayLike<number>, tol: number): number {
  if (a.length === 0) return NaN;
  let c = 0;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]!) <= tol) c++;
  return c / a.length;
}
