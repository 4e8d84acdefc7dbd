/**
 * Iterative hard thresholding (IHT), both variants in one place:
 *
 * - {@link iht}: normalised IHT for compressed-sensing recovery (Blumensath & Davies, "Normalized
 *   iterative hard thresholding: guaranteed stability and performance", IEEE J. Sel. Topics
 *   Signal Process. 2010), one measurement vector at a time, A m × d.
 * - {@link batchIht}: the fixed-step recursion the Deep ℓ0 encoders unroll (Blumensath & Davies,
 *   "Iterative thresholding for sparse approximations", J. Fourier Anal. Appl. 2008), for many
 *   signals over a dictionary D (dim × atoms, one atom per column). Two ℓ0 problems:
 *   - ℓ0-regularised: min_z ‖x − D·z‖² + λ‖z‖₀, by z ← H_{√(λμ)}(z + μ·Dᵀ(x − D·z)) where H_t keeps
 *     the entries with |·| > t;
 *   - M-sparse: min_z ‖x − D·z‖² s.t. ‖z‖₀ ≤ M, by z ← H_M(z + μ·Dᵀ(x − D·z)).
 *
 * Both keep "the M largest magnitudes (ties: the lower index)" through {@link keepLargest}.
 *
 * Blumensath & Davies (and the Deep ℓ0 paper, which initialises its encoder with W = Dᵀ,
 * S = I − DᵀD, θ = √λ) take the step μ = 1, which assumes ‖D‖₂ < 1; with unit-norm atoms
 * ‖D‖₂ ≥ 1, so here the step is μ = 1/‖D‖₂² (the same majorisation argument with ‖·‖²/μ in place of
 * ‖·‖²), giving W = μDᵀ, S = I − μDᵀD, θ = √(λμ). With ‖D‖₂ ≤ 1 and μ = 1 it is the paper's recursion.
 *
 * Why two: normalised IHT adapts its step every iteration and re-fits the final support by least
 * squares; the encoders unroll the plain fixed-step recursion, which is what has to be their
 * reference and their "optimal codes". {@link batchIht} runs it through the Gram matrix
 * G = I − μDᵀD (atoms × atoms), updating from the nonzeros of z only, so one iteration costs
 * atoms·‖z‖₀ per signal instead of 2·dim·atoms.
 */
import { type Csr } from '../data/csr.js';
import { aMul, atMul, norm2 as norm, spectralNormSquared } from '../linalg/dense.js';
import { check, leastSquaresOnSupport, modelSupport, type SparsityModel } from './iterative.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * out[a] = v[off + a] for the `m` largest |v[off..off+len)| (ties: the lower index); other
 * entries of `out` are left as they are. Returns `out`.
 */
export function keepLargest(v: ArrayLike<number>, off: number, len: number, m: number, out: Float64Array): Float64Array {
  for (const a of topMagnitudes(v, off, len, m)) out[a] = v[off + a]!;
  return out;
}

/**
 * Normalised IHT: x ← H_k(x + μ·Aᵀ(y − Ax)) with the adaptive step μ of Blumensath & Davies
 * (2010, Algorithm 2: μ = ‖g_Γ‖² / ‖A_Γ g_Γ‖² on the current support Γ, shrunk by κ = 2 while
 * a support change violates μ ≤ (1 − c)·‖Δx‖²/‖AΔx‖², c = 0.01). Stops when the iterate changes
 * by less than `tol`·‖x‖; the final support is then re-fitted by least squares (debiasing), so a
 * correct support gives x to ~1e-15.
 */
export function iht(a: Float64Array, m: number, d: number, y: Float64Array, n: number, opts: { sparsity: number; iterations?: number; tol?: number; positive?: boolean }): Float64Array {
  check('iht', a, m, d, y, n);
  const k = opts.sparsity;
  if (!(Number.isInteger(k) && k > 0)) throw new InvalidArgumentError('iht', `iht(): sparsity must be a positive integer but got ${k}`);
  const iters = opts.iterations ?? 500, tol = opts.tol ?? 1e-12;
  const model: SparsityModel = { kind: 'sparse', k };
  const out = new Float64Array(n * d);
  const g = new Float64Array(d), r = new Float64Array(m), ag = new Float64Array(m), adx = new Float64Array(m);
  const threshold = (v: Float64Array): Float64Array => {
    if (opts.positive) for (let j = 0; j < d; j++) if (v[j]! < 0) v[j] = 0;
    return keepLargest(v, 0, d, k, new Float64Array(d));
  };
  for (let p = 0; p < n; p++) {
    const yp = y.subarray(p * m, (p + 1) * m);
    let x: Float64Array = new Float64Array(d);
    r.set(yp);
    for (let it = 0; it < iters; it++) {
      atMul(a, m, d, r, g);
      let gamma = modelSupport(x, model);
      if (gamma.length === 0) gamma = modelSupport(opts.positive ? g.map((v) => Math.max(0, v)) : g, model);
      const gG = new Float64Array(d);
      for (const j of gamma) gG[j] = g[j]!;
      const num = norm(gG) ** 2, den = norm(aMul(a, m, d, gG, ag)) ** 2;
      if (!(num > 0 && den > 0)) break;
      let mu = num / den, next: Float64Array = x;
      for (let shrink = 0; ; shrink++) {
        next = threshold(x.map((v, j) => v + mu * g[j]!));
        const sameSupport = modelSupport(next, model).join() === gamma.join();
        if (sameSupport || shrink > 30) break;
        const dx = next.map((v, j) => v - x[j]!);
        const bound = 0.99 * norm(dx) ** 2 / Math.max(1e-300, norm(aMul(a, m, d, dx, adx)) ** 2);
        if (mu <= bound) break;
        mu /= 2 * 0.99;
      }
      const change = norm(next.map((v, j) => v - x[j]!));
      x = next;
      aMul(a, m, d, x, ag);
      for (let i = 0; i < m; i++) r[i] = yp[i]! - ag[i]!;
      if (change <= tol * Math.max(1e-300, norm(x))) break;
    }
    const s = modelSupport(x, model);
    const z = leastSquaresOnSupport(a, m, d, s, yp);
    const fitted = new Float64Array(d);
    s.slice(0, m).forEach((j, q) => { fitted[j] = opts.positive ? Math.max(0, z[q]!) : z[q]!; });
    out.set(fitted, p * d);
  }
  return out;
}

/** Which ℓ0 problem: the ℓ0-regularised one (weight λ) or the M-sparse one (at most `sparsity` nonzeros). */
export type SparseRule = { readonly kind: 'l0'; readonly lambda: number } | { readonly kind: 'm-sparse'; readonly sparsity: number };

/** The IHT step μ = 1/‖D‖₂² for a dim × atoms dictionary (1 for an all-zero one). */
export function ihtStep(dict: Float64Array, dim: number, atoms: number): number {
  const l = spectralNormSquared(dict, dim, atoms);
  return l > 0 ? 1 / l : 1;
}

/** The hard threshold √(λμ) of the ℓ0-regularised rule at step μ. */
export function l0Threshold(lambda: number, step: number): number {
  if (!(lambda >= 0)) throw new InvalidArgumentError('l0Threshold', `λ must be ≥ 0 but got ${lambda}`);
  return Math.sqrt(lambda * step);
}

/**
 * Positions of the `m` largest |a[off..off+len)| (ties: the lower index), unordered: a size-m
 * min-heap keyed by (|a|, −index), O(len·log m).
 */
export function topMagnitudes(a: ArrayLike<number>, off: number, len: number, m: number): Int32Array {
  const k = Math.min(m, len);
  const heap = new Int32Array(k);
  // `lt(i, j)`: position i ranks below position j (smaller magnitude, or equal and a higher index).
  const lt = (i: number, j: number): boolean => {
    const ai = Math.abs(a[off + i]!), aj = Math.abs(a[off + j]!);
    return ai < aj || (ai === aj && i > j);
  };
  const siftDown = (start: number, size: number): void => {
    let p = start;
    for (;;) {
      const l = 2 * p + 1, r = l + 1;
      let s = p;
      if (l < size && lt(heap[l]!, heap[s]!)) s = l;
      if (r < size && lt(heap[r]!, heap[s]!)) s = r;
      if (s === p) return;
      const t = heap[p]!; heap[p] = heap[s]!; heap[s] = t;
      p = s;
    }
  };
  for (let i = 0; i < k; i++) heap[i] = i;
  for (let i = (k >> 1) - 1; i >= 0; i--) siftDown(i, k);
  for (let i = k; i < len; i++) {
    if (k > 0 && lt(heap[0]!, i)) { heap[0] = i; siftDown(0, k); }
  }
  return heap;
}

/** Settings of {@link batchIht}. */
export interface IhtOptions {
  readonly rule: SparseRule;
  /** Iteration cap (an iteration is one z ← H(z + μDᵀ(x − Dz))). */
  readonly iterations: number;
  /**
   * Stop a signal once its support is unchanged and max|Δz| ≤ tol·max|z| (default 0: run every
   * iteration, e.g. to compare with K unrolled stages).
   */
  readonly tol?: number;
  /** The step μ (default 1/‖D‖₂²). */
  readonly step?: number;
  /** Starting codes (n × atoms); default zero. */
  readonly init?: Float64Array;
}

/** Codes (n × atoms, row-major), the iterations every signal ran, and the step used. */
export interface IhtResult {
  readonly codes: Float64Array;
  readonly iterations: Int32Array;
  readonly step: number;
}

/**
 * Fixed-step IHT for every row of `signals` (n × dim, sparse or dense rows as CSR) over the
 * dictionary `dict` (dim × atoms): the recursion the K-stage encoders unroll (K iterations from
 * z = 0 equal the encoder initialised from D). Float64 throughout.
 */
export function batchIht(signals: Csr, dict: Float64Array, atoms: number, opts: IhtOptions): IhtResult {
  const dim = signals.nCols, n = signals.nRows, p = atoms;
  if (dict.length !== dim * p) throw new InvalidArgumentError('batchIht', `batchIht(): the dictionary must have ${dim} × ${p} = ${dim * p} entries but has ${dict.length}`);
  if (!(Number.isInteger(opts.iterations) && opts.iterations >= 0)) throw new InvalidArgumentError('batchIht', `batchIht(): iterations must be a non-negative integer but got ${opts.iterations}`);
  if (opts.init && opts.init.length !== n * p) throw new InvalidArgumentError('batchIht', `batchIht(): init must have ${n} × ${p} entries but has ${opts.init.length}`);
  const rule = opts.rule;
  if (rule.kind === 'm-sparse' && !(Number.isInteger(rule.sparsity) && rule.sparsity > 0)) throw new InvalidArgumentError('batchIht', `batchIht(): M must be a positive integer but got ${rule.sparsity}`);
  const mu = opts.step ?? ihtStep(dict, dim, p), tol = opts.tol ?? 0;
  const thr = rule.kind === 'l0' ? l0Threshold(rule.lambda, mu) : 0;
  // G = I − μ·DᵀD (symmetric, so row k is column k).
  const g = new Float64Array(p * p);
  for (let i = 0; i < dim; i++) {
    const row = i * p;
    for (let a = 0; a < p; a++) {
      const da = dict[row + a]!;
      if (da === 0) continue;
      const ga = a * p;
      for (let b = 0; b < p; b++) g[ga + b]! -= mu * da * dict[row + b]!;
    }
  }
  for (let a = 0; a < p; a++) g[a * p + a]! += 1;
  const codes = opts.init ? Float64Array.from(opts.init) : new Float64Array(n * p);
  const iters = new Int32Array(n);
  const b = new Float64Array(p), u = new Float64Array(p), next = new Float64Array(p);
  for (let r = 0; r < n; r++) {
    // b = μ·Dᵀx over the nonzeros of x.
    b.fill(0);
    for (let q = signals.rowPtr[r]!, e = signals.rowPtr[r + 1]!; q < e; q++) {
      const xj = signals.values[q]! * mu, off = signals.indices[q]! * p;
      for (let a = 0; a < p; a++) b[a]! += xj * dict[off + a]!;
    }
    const z = codes.subarray(r * p, (r + 1) * p);
    let it = 0;
    for (; it < opts.iterations; it++) {
      // u = b + G·z over the nonzeros of z.
      u.set(b);
      for (let k = 0; k < p; k++) {
        const zk = z[k]!;
        if (zk === 0) continue;
        const gk = k * p;
        for (let a = 0; a < p; a++) u[a]! += zk * g[gk + a]!;
      }
      next.fill(0);
      if (rule.kind === 'l0') {
        for (let a = 0; a < p; a++) if (Math.abs(u[a]!) > thr) next[a] = u[a]!;
      } else {
        keepLargest(u, 0, p, rule.sparsity, next);
      }
      let change = 0, size = 0, sameSupport = true;
      for (let a = 0; a < p; a++) {
        change = Math.max(change, Math.abs(next[a]! - z[a]!));
        size = Math.max(size, Math.abs(next[a]!));
        if ((next[a] !== 0) !== (z[a] !== 0)) sameSupport = false;
      }
      z.set(next);
      if (tol > 0 && sameSupport && change <= tol * size) { it++; break; }
    }
    iters[r] = it;
  }
  return { codes, iterations: iters, step: mu };
}

