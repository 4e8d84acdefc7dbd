/**
 * Iterative and greedy sparse recovery from y = A·x (A: m × d row-major float64; batches of n
 * measurement vectors, n × m; results n × d):
 *
 * - CoSaMP (Needell & Tropp, "CoSaMP: Iterative signal recovery from incomplete and inaccurate
 *   samples", Appl. Comput. Harmon. Anal. 2009) and model-based CoSaMP (Baraniuk, Cevher,
 *   Duarte, Hegde, "Model-based compressive sensing", IEEE Trans. Inf. Theory 2010): the model's
 *   approximation replaces "keep the k largest" — block sparsity and one-hot sparsity below —
 *   with the positivity variant of the ℓ1-AE paper's baselines (Wu et al., ICML 2019; the
 *   authors' utils.py clips the least-squares estimate at 0 before pruning).
 * - OMP (Pati, Rezaiifar & Krishnaprasad 1993; Tropp & Gilbert, IEEE Trans. Inf. Theory 2007).
 * - ISTA / FISTA for the LASSO ½‖Ax − y‖² + λ‖x‖₁ (Daubechies, Defrise & De Mol 2004; Beck &
 *   Teboulle, "A fast iterative shrinkage-thresholding algorithm", SIAM J. Imaging Sci. 2009).
 *
 * Least squares on a support is solved in float64 through the Cholesky factor of A_Sᵀ·A_S with
 * one step of iterative refinement, so a correctly found support gives x to ~1e-15.
 */
import { choleskyFactorUpper, choleskySolveUpper } from '../linalg/cholesky.js';
import { aMul, atMul, norm2 as norm, spectralNormSquared } from '../linalg/dense.js';
import { InvalidArgumentError } from '../errors.js';

/** A structured sparsity model: its approximation keeps the best `fold`-times-larger model-sparse part. */
export type SparsityModel =
  | {
    /** Plain k-sparse vectors. */
    readonly kind: 'sparse';
    /** Nonzeros at most. */
    readonly k: number;
  }
  | {
    /** Block-sparse vectors (Baraniuk et al., IEEE Trans. Inf. Theory 2010): nonzeros in a few aligned blocks. */
    readonly kind: 'block';
    /** Entries per block (the last block may be shorter). */
    readonly blockSize: number;
    /** Nonzero blocks at most. */
    readonly blocks: number;
  }
  | {
    /** One nonzero in every group of coordinates. */
    readonly kind: 'one-hot';
    /** Group of every coordinate (length d). */
    readonly groups: Int32Array;
  };

/**
 * The support of the model approximation of v: the k largest |v_j| (`sparse`, fold·k), the
 * `blocks` aligned blocks of largest energy (`block`, fold·blocks), or the `fold` largest
 * entries of every group (`one-hot`). Entries that are exactly zero are never kept. Sorted.
 */
export function modelSupport(v: Float64Array, model: SparsityModel, fold = 1): number[] {
  const d = v.length;
  const topBy = (count: number, items: number[], score: (i: number) => number): number[] =>
    items.filter((i) => score(i) > 0).sort((p, q) => score(q) - score(p) || p - q).slice(0, count);
  switch (model.kind) {
    case 'sparse':
      return topBy(fold * model.k, Array.from({ length: d }, (_, j) => j), (j) => Math.abs(v[j]!)).sort((p, q) => p - q);
    case 'block': {
      const B = model.blockSize, nb = Math.ceil(d / B);
      const energy = (b: number): number => { let e = 0; for (let j = b * B; j < Math.min(d, (b + 1) * B); j++) e += v[j]! ** 2; return e; };
      const blocks = topBy(fold * model.blocks, Array.from({ length: nb }, (_, b) => b), energy).sort((p, q) => p - q);
      return blocks.flatMap((b) => Array.from({ length: Math.min(d, (b + 1) * B) - b * B }, (_, t) => b * B + t));
    }
    case 'one-hot': {
      const g = model.groups, out: number[] = [];
      for (let k = 0; k + 1 < g.length; k++) {
        const items = Array.from({ length: g[k + 1]! - g[k]! }, (_, t) => g[k]! + t);
        out.push(...topBy(fold, items, (j) => Math.abs(v[j]!)));
      }
      return out.sort((p, q) => p - q);
    }
  }
}

/** v restricted to its model approximation (the projection onto the model). */
export function modelApprox(v: Float64Array, model: SparsityModel, fold = 1): Float64Array {
  const out = new Float64Array(v.length);
  for (const j of modelSupport(v, model, fold)) out[j] = v[j]!;
  return out;
}

export function check(name: string, a: Float64Array, m: number, d: number, y: Float64Array, n: number): void {
  if (!(Number.isInteger(m) && m > 0 && Number.isInteger(d) && d > 0 && Number.isInteger(n) && n >= 0)) {
    throw new InvalidArgumentError(name, `${name}(): need integers m > 0, d > 0, n ≥ 0 but got m=${m}, d=${d}, n=${n}`);
  }
  if (a.length !== m * d) throw new InvalidArgumentError(name, `${name}(): A must have ${m} × ${d} = ${m * d} entries but has ${a.length}`);
  if (y.length !== n * m) throw new InvalidArgumentError(name, `${name}(): y must have ${n} × ${m} = ${n * m} entries but has ${y.length}`);
}

/**
 * Least squares min ‖A_S·z − y‖ for the columns S (|S| ≤ m; more are cut to the first m), by
 * Cholesky of A_SᵀA_S plus one refinement step. Returns z (length |S|), or zeros if A_S is
 * numerically rank-deficient.
 */
export function leastSquaresOnSupport(a: Float64Array, m: number, d: number, support: readonly number[], y: Float64Array): Float64Array {
  const s = support.slice(0, m), k = s.length;
  const g = new Float64Array(k * k), rhs = new Float64Array(k);
  for (let p = 0; p < k; p++) {
    for (let q = 0; q <= p; q++) {
      let v = 0;
      for (let i = 0; i < m; i++) v += a[i * d + s[p]!]! * a[i * d + s[q]!]!;
      g[p * k + q] = v; g[q * k + p] = v;
    }
    let v = 0;
    for (let i = 0; i < m; i++) v += a[i * d + s[p]!]! * y[i]!;
    rhs[p] = v;
  }
  if (choleskyFactorUpper(g, k, { minPivot: 1e-12 }) >= 0) return new Float64Array(k);
  const z = rhs;
  choleskySolveUpper(g, z, k, 1);
  // Refinement: r = A_Sᵀ(y − A_S z), dz = G⁻¹ r.
  const res = Float64Array.from(y);
  for (let p = 0; p < k; p++) for (let i = 0; i < m; i++) res[i] = res[i]! - a[i * d + s[p]!]! * z[p]!;
  const r2 = new Float64Array(k);
  for (let p = 0; p < k; p++) { let v = 0; for (let i = 0; i < m; i++) v += a[i * d + s[p]!]! * res[i]!; r2[p] = v; }
  choleskySolveUpper(g, r2, k, 1);
  for (let p = 0; p < k; p++) z[p] = z[p]! + r2[p]!;
  return z;
}

/** Settings of model-based CoSaMP. */
export interface CosampOptions {
  /** The sparsity model the signals follow. */
  readonly model: SparsityModel;
  /** Iteration cap (default 50). */
  readonly iterations?: number;
  /** Stop when ‖y − A·x‖ ≤ tol·‖y‖ (default 1e-14). */
  readonly tol?: number;
  /** Non-negative x: the proxy's positive part selects, least-squares estimates are clipped at 0 before pruning. */
  readonly positive?: boolean;
}

/** Model-based CoSaMP (plain CoSaMP with `{ kind: 'sparse', k }`). */
export function modelCosamp(a: Float64Array, m: number, d: number, y: Float64Array, n: number, opts: CosampOptions): Float64Array {
  check('modelCosamp', a, m, d, y, n);
  const iters = opts.iterations ?? 50, tol = opts.tol ?? 1e-14;
  const out = new Float64Array(n * d);
  const proxy = new Float64Array(d), r = new Float64Array(m), ax = new Float64Array(m);
  for (let p = 0; p < n; p++) {
    const yp = y.subarray(p * m, (p + 1) * m);
    const yNorm = norm(yp);
    let x = new Float64Array(d);
    r.set(yp);
    let prevRes = Infinity;
    for (let it = 0; it < iters && norm(r) > tol * yNorm; it++) {
      atMul(a, m, d, r, proxy);
      if (opts.positive) for (let j = 0; j < d; j++) if (proxy[j]! < 0) proxy[j] = 0;
      const merged = new Set(modelSupport(proxy, opts.model, 2));
      for (let j = 0; j < d; j++) if (x[j] !== 0) merged.add(j);
      const t = [...merged].sort((i, j) => i - j);
      const z = leastSquaresOnSupport(a, m, d, t, yp);
      const b = new Float64Array(d);
      t.slice(0, m).forEach((j, q) => { b[j] = opts.positive ? Math.max(0, z[q]!) : z[q]!; });
      const next = modelApprox(b, opts.model);
      // Re-fit on the pruned support (the debiasing step of Needell & Tropp's practical CoSaMP),
      // keeping the positivity clip.
      const s = modelSupport(next, opts.model);
      const zs = leastSquaresOnSupport(a, m, d, s, yp);
      const fitted = new Float64Array(d);
      s.slice(0, m).forEach((j, q) => { fitted[j] = opts.positive ? Math.max(0, zs[q]!) : zs[q]!; });
      aMul(a, m, d, fitted, ax);
      for (let i = 0; i < m; i++) r[i] = yp[i]! - ax[i]!;
      const res = norm(r);
      x = fitted;
      if (res >= prevRes * (1 - 1e-12)) break; // no progress
      prevRes = res;
    }
    out.set(x, p * d);
  }
  return out;
}

/** CoSaMP for k-sparse vectors. */
export function cosamp(a: Float64Array, m: number, d: number, y: Float64Array, n: number, opts: { sparsity: number; iterations?: number; tol?: number; positive?: boolean }): Float64Array {
  if (!(Number.isInteger(opts.sparsity) && opts.sparsity > 0)) throw new InvalidArgumentError('cosamp', `cosamp(): sparsity must be a positive integer but got ${opts.sparsity}`);
  return modelCosamp(a, m, d, y, n, { ...opts, model: { kind: 'sparse', k: opts.sparsity } });
}

/**
 * Orthogonal Matching Pursuit: add the column most correlated with the residual (the largest
 * positive correlation when `positive`), re-fit by least squares on the support, until k atoms,
 * m atoms, or ‖r‖ ≤ tol·‖y‖ (default 1e-13).
 */
export function omp(a: Float64Array, m: number, d: number, y: Float64Array, n: number, opts: { sparsity?: number; tol?: number; positive?: boolean }): Float64Array {
  check('omp', a, m, d, y, n);
  const kMax = Math.min(m, opts.sparsity ?? m), tol = opts.tol ?? 1e-13;
  const out = new Float64Array(n * d);
  const c = new Float64Array(d), r = new Float64Array(m), ax = new Float64Array(m);
  for (let p = 0; p < n; p++) {
    const yp = y.subarray(p * m, (p + 1) * m);
    const yNorm = norm(yp);
    const support: number[] = [];
    const inS = new Uint8Array(d);
    let x = new Float64Array(d);
    r.set(yp);
    while (support.length < kMax && norm(r) > tol * yNorm) {
      atMul(a, m, d, r, c);
      let best = -1, bestV = 0;
      for (let j = 0; j < d; j++) {
        if (inS[j]) continue;
        const v = opts.positive ? c[j]! : Math.abs(c[j]!);
        if (v > bestV) { bestV = v; best = j; }
      }
      if (best < 0) break;
      support.push(best);
      inS[best] = 1;
      const sorted = [...support].sort((i, j) => i - j);
      const z = leastSquaresOnSupport(a, m, d, sorted, yp);
      x = new Float64Array(d);
      sorted.forEach((j, q) => { x[j] = z[q]!; });
      aMul(a, m, d, x, ax);
      for (let i = 0; i < m; i++) r[i] = yp[i]! - ax[i]!;
    }
    out.set(x, p * d);
  }
  return out;
}

/** Settings of ISTA / FISTA. */
export interface LassoOptions {
  /** λ of ½‖Ax − y‖² + λ‖x‖₁. */
  readonly lambda: number;
  /** Iteration cap (default 5000). */
  readonly iterations?: number;
  /** Stop when ‖x_{k+1} − x_k‖ ≤ tol·max(1, ‖x_{k+1}‖) (default 1e-12). */
  readonly tol?: number;
  /** The non-negative LASSO (prox max(0, v − λ/L)). */
  readonly positive?: boolean;
}

function lasso(name: string, momentum: boolean, a: Float64Array, m: number, d: number, y: Float64Array, n: number, opts: LassoOptions): { x: Float64Array; iterations: number[] } {
  check(name, a, m, d, y, n);
  if (!(opts.lambda > 0)) throw new InvalidArgumentError(name, `${name}(): lambda must be positive but got ${opts.lambda}`);
  const L = spectralNormSquared(a, m, d) * (1 + 1e-9);
  const iters = opts.iterations ?? 5000, tol = opts.tol ?? 1e-12, th = opts.lambda / L;
  const out = new Float64Array(n * d);
  const used: number[] = [];
  const az = new Float64Array(m), g = new Float64Array(d);
  for (let p = 0; p < n; p++) {
    const yp = y.subarray(p * m, (p + 1) * m);
    let x = new Float64Array(d), z = new Float64Array(d), t = 1, it = 0;
    for (; it < iters; it++) {
      // Gradient step at z, then the prox of λ‖·‖₁ / L (soft thresholding).
      aMul(a, m, d, z, az);
      for (let i = 0; i < m; i++) az[i] = az[i]! - yp[i]!;
      atMul(a, m, d, az, g);
      const next = new Float64Array(d);
      for (let j = 0; j < d; j++) {
        const v = z[j]! - g[j]! / L;
        next[j] = opts.positive ? Math.max(0, v - th) : Math.sign(v) * Math.max(0, Math.abs(v) - th);
      }
      let change = 0;
      for (let j = 0; j < d; j++) change += (next[j]! - x[j]!) ** 2;
      if (momentum) {
        const tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
        const f = (t - 1) / tNext;
        z = next.map((v, j) => v + f * (v - x[j]!));
        t = tNext;
      } else {
        z = next;
      }
      x = next;
      if (Math.sqrt(change) <= tol * Math.max(1, norm(x))) { it++; break; }
    }
    used.push(it);
    out.set(x, p * d);
  }
  return { x: out, iterations: used };
}

/** ISTA for the LASSO. Returns the estimates and the iterations each point took. */
export function ista(a: Float64Array, m: number, d: number, y: Float64Array, n: number, opts: LassoOptions): {
  /** n × d estimates, row-major. */
  x: Float64Array;
  /** Iterations each point took. */
  iterations: number[];
} {
  return lasso('ista', false, a, m, d, y, n, opts);
}

/** FISTA for the LASSO (ISTA with Nesterov momentum). Returns the estimates and the iterations each point took. */
export function fista(a: Float64Array, m: number, d: number, y: Float64Array, n: number, opts: LassoOptions): {
  /** n × d estimates, row-major. */
  x: Float64Array;
  /** Iterations each point took. */
  iterations: number[];
} {
  return lasso('fista', true, a, m, d, y, n, opts);
}
