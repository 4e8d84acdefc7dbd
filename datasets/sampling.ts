/**
 * Seeded sampling primitives of the synthetic dataset generators: discrete distributions by
 * inverse CDF, Zipf weights, Poisson and log-normal counts, random permutations and ℓ2 row
 * normalisation of CSR arrays in place. Every function takes the {@link Rng} it draws from.
 */
import { type Rng } from '../src/util/rng.js';
import { InvalidArgumentError } from '../src/errors.js';

/**
 * A discrete distribution over 0..n−1 sampled by inverse CDF (binary search over the
 * cumulative weights, O(log n) per draw).
 */
export class DiscreteSampler {
  private readonly cdf: Float64Array;
  private readonly total: number;

  /** @param weights non-negative, finite, with a positive sum. */
  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    this.cdf = new Float64Array(n);
    let s = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i]!;
      if (!(w >= 0 && Number.isFinite(w))) throw new InvalidArgumentError('DiscreteSampler', `DiscreteSampler: weight ${i} must be finite and >= 0 but is ${w}`);
      s += w;
      this.cdf[i] = s;
    }
    if (!(s > 0)) throw new InvalidArgumentError('DiscreteSampler', `DiscreteSampler: the weights must have a positive sum but sum to ${s}`);
    this.total = s;
  }

  /** One draw: the first i with cdf[i] > u·total (zero-weight outcomes are never drawn). */
  sample(rng: Rng): number {
    const u = rng.next() * this.total;
    const cdf = this.cdf;
    let lo = 0, hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! > u) hi = mid; else lo = mid + 1;
    }
    return lo;
  }
}

/**
 * Zipf–Mandelbrot weights w_r = (r + 1 + offset)^(−exponent) for ranks r = 0..n−1
 * (Mandelbrot's generalisation of Zipf's law; offset 0 is Zipf's law itself).
 */
export function zipfWeights(n: number, exponent: number, offset = 0): Float64Array {
  const w = new Float64Array(n);
  for (let r = 0; r < n; r++) w[r] = Math.pow(r + 1 + offset, -exponent);
  return w;
}

/**
 * A Poisson(mean) draw. Knuth's multiplication method for means up to 30; larger means are
 * split in halves (the sum of independent Poissons is Poisson), which keeps exp(−mean)
 * far from underflow.
 */
export function poisson(rng: Rng, mean: number): number {
  if (!(mean >= 0 && Number.isFinite(mean))) throw new InvalidArgumentError('poisson', `poisson(): mean must be finite and >= 0 but got ${mean}`);
  if (mean > 30) return poisson(rng, mean / 2) + poisson(rng, mean / 2);
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit) { k++; p *= rng.next(); }
  return k;
}

/**
 * A positive integer count with a log-normal spread around `mean`: round(exp(μ + σ·z)) with
 * μ = ln(mean) − σ²/2 (so the unrounded mean is `mean`), clipped to [min, max].
 */
export function logNormalCount(rng: Rng, mean: number, sigma: number, min: number, max: number): number {
  const mu = Math.log(mean) - (sigma * sigma) / 2;
  const c = Math.round(Math.exp(mu + sigma * rng.normal()));
  return c < min ? min : c > max ? max : c;
}

/** A uniformly random permutation of 0..n−1. */
export function permutation(rng: Rng, n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return rng.shuffle(p);
}

/** Scale every row of CSR arrays to unit ℓ2 norm in place (float64 accumulation; zero rows stay zero). */
export function normalizeRowsInPlace(rowPtr: Int32Array, values: Float32Array): void {
  for (let i = 0; i + 1 < rowPtr.length; i++) {
    const s = rowPtr[i]!, e = rowPtr[i + 1]!;
    let sum = 0;
    for (let p = s; p < e; p++) sum += values[p]! * values[p]!;
    if (sum === 0) continue;
    const inv = 1 / Math.sqrt(sum);
    for (let p = s; p < e; p++) values[p] = values[p]! * inv;
  }
}
