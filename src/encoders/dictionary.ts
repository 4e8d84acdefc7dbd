/**
 * Sparse codes over a dictionary and dictionary learning, for the Deep ℓ0 encoders (deep_l0.ts;
 * Wang, Ling & Huang, "Learning Deep ℓ0 Encoders", AAAI 2016) and their Tables 1–3 experiment.
 *
 * A dictionary D is `dim × atoms` (row-major Float64, one atom per column, unit-norm atoms). Two
 * ℓ0 problems, both solved by iterative hard thresholding (Blumensath & Davies, "Iterative
 * thresholding for sparse approximations", J. Fourier Anal. Appl. 2008):
 *
 * - ℓ0-regularised: min_z ‖x − D·z‖² + λ‖z‖₀, by z ← H_{√(λμ)}(z + μ·Dᵀ(x − D·z)) where H_t keeps
 *   the entries with |·| > t;
 * - M-sparse: min_z ‖x − D·z‖² s.t. ‖z‖₀ ≤ M, by z ← H_M(z + μ·Dᵀ(x − D·z)) where H_M keeps the M
 *   largest magnitudes (ties: the lower index).
 *
 * Blumensath & Davies (and the Deep ℓ0 paper, which initialises its encoder with W = Dᵀ,
 * S = I − DᵀD, θ = √λ) take the step μ = 1, which assumes ‖D‖₂ < 1; with unit-norm atoms
 * ‖D‖₂ ≥ 1, so here the step is μ = 1/‖D‖₂² (the same majorisation argument with ‖·‖²/μ in place of
 * ‖·‖²), giving W = μDᵀ, S = I − μDᵀD, θ = √(λμ). With ‖D‖₂ ≤ 1 and μ = 1 it is the paper's recursion.
 *
 * Why not src/sensing/iterative.ts `iht`: that is *normalised* IHT (an adaptive step per
 * iteration and a least-squares re-fit on the final support) for one vector at a time; the
 * encoders unroll the plain fixed-step recursion above, which is what has to be the reference
 * and the "optimal codes". {@link batchIht} runs it for many signals at once through the Gram
 * matrix G = I − μDᵀD (atoms × atoms), updating from the nonzeros of z only, so one iteration
 * costs atoms·‖z‖₀ per signal instead of 2·dim·atoms. `spectralNormSquared` is reused from there.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { type Csr } from '../data/csr.js';
import { spectralNormSquared } from '../sensing/iterative.js';
import { Rng } from '../util/rng.js';

/** Which ℓ0 problem: the ℓ0-regularised one (weight λ) or the M-sparse one (at most `sparsity` nonzeros). */
export type SparseRule = { readonly kind: 'l0'; readonly lambda: number } | { readonly kind: 'm-sparse'; readonly sparsity: number };

/** The IHT step μ = 1/‖D‖₂² for a dim × atoms dictionary (1 for an all-zero one). */
export function ihtStep(dict: Float64Array, dim: number, atoms: number): number {
  const l = spectralNormSquared(dict, dim, atoms);
  return l > 0 ? 1 / l : 1;
}

/** The hard threshold √(λμ) of the ℓ0-regularised rule at step μ. */
export function l0Threshold(lambda: number, step: number): number {
  if (!(lambda >= 0)) throw new RangeError(`λ must be ≥ 0 but got ${lambda}`);
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
  if (dict.length !== dim * p) throw new RangeError(`batchIht(): the dictionary must have ${dim} × ${p} = ${dim * p} entries but has ${dict.length}`);
  if (!(Number.isInteger(opts.iterations) && opts.iterations >= 0)) throw new RangeError(`batchIht(): iterations must be a non-negative integer but got ${opts.iterations}`);
  if (opts.init && opts.init.length !== n * p) throw new RangeError(`batchIht(): init must have ${n} × ${p} entries but has ${opts.init.length}`);
  const rule = opts.rule;
  if (rule.kind === 'm-sparse' && !(Number.isInteger(rule.sparsity) && rule.sparsity > 0)) throw new RangeError(`batchIht(): M must be a positive integer but got ${rule.sparsity}`);
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
        for (const a of topMagnitudes(u, 0, p, rule.sparsity)) next[a] = u[a]!;
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

/** ‖x − D·z‖² per row of `signals` (n × dim) for codes (n × atoms). */
export function reconstructionErrors(signals: Csr, dict: Float64Array, atoms: number, codes: Float64Array): Float64Array {
  const dim = signals.nCols, p = atoms, out = new Float64Array(signals.nRows);
  const rec = new Float64Array(dim);
  for (let r = 0; r < signals.nRows; r++) {
    rec.fill(0);
    for (let a = 0; a < p; a++) {
      const za = codes[r * p + a]!;
      if (za === 0) continue;
      for (let i = 0; i < dim; i++) rec[i]! += dict[i * p + a]! * za;
    }
    for (let q = signals.rowPtr[r]!, e = signals.rowPtr[r + 1]!; q < e; q++) rec[signals.indices[q]!]! -= signals.values[q]!;
    let s = 0;
    for (let i = 0; i < dim; i++) s += rec[i]! ** 2;
    out[r] = s;
  }
  return out;
}

/** The mean ℓ0-regularised objective ‖x − Dz‖² + λ‖z‖₀ over the rows. */
export function l0Objective(signals: Csr, dict: Float64Array, atoms: number, codes: Float64Array, lambda: number): number {
  const err = reconstructionErrors(signals, dict, atoms, codes);
  let s = 0, nz = 0;
  for (const e of err) s += e;
  for (const c of codes) if (c !== 0) nz++;
  return signals.nRows ? (s + lambda * nz) / signals.nRows : 0;
}

/** Settings of {@link learnDictionary}. */
export interface DictionaryLearningOptions {
  readonly atoms: number;
  readonly rule: SparseRule;
  /** Alternations of sparse coding and the dictionary update. */
  readonly rounds: number;
  /** IHT iterations per coding step (warm-started from the previous round's codes). */
  readonly ihtIterations: number;
  readonly seed: number;
  /** A starting dictionary (dim × atoms); default: `atoms` distinct random signals, normalised. */
  readonly init?: Float64Array;
}

/** The learned dictionary (dim × atoms, unit-norm atoms), its codes, and the mean ‖x − Dz‖² after every round. */
export interface LearnedDictionary {
  readonly dict: Float64Array;
  readonly codes: Float64Array;
  readonly step: number;
  readonly errors: number[];
}

/** Scale every column of a dim × atoms matrix to unit norm; a zero column gets a replacement from `refill`. */
function normalizeAtoms(dict: Float64Array, dim: number, atoms: number, refill: (a: number) => void): void {
  for (let a = 0; a < atoms; a++) {
    let s = 0;
    for (let i = 0; i < dim; i++) s += dict[i * atoms + a]! ** 2;
    if (!(s > 1e-20)) { refill(a); s = 0; for (let i = 0; i < dim; i++) s += dict[i * atoms + a]! ** 2; }
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let i = 0; i < dim; i++) dict[i * atoms + a]! *= inv;
  }
}

/**
 * Dictionary learning by alternating IHT codes (the rule's ℓ0 problem) and the MOD update
 * (Engan, Aase & Husøy, "Method of optimal directions for frame design", ICASSP 1999):
 * D ← X·Zᵀ(Z·Zᵀ + εI)⁻¹, then unit-norm atoms; an atom no code uses is replaced by a random
 * signal (seeded). Deterministic for a seed.
 */
export function learnDictionary(signals: Csr, opts: DictionaryLearningOptions): LearnedDictionary {
  const dim = signals.nCols, n = signals.nRows, p = opts.atoms;
  if (!(Number.isInteger(p) && p > 0)) throw new RangeError(`learnDictionary(): atoms must be a positive integer but got ${p}`);
  const rng = new Rng(opts.seed);
  const nonEmpty: number[] = [];
  for (let r = 0; r < n; r++) if (signals.rowPtr[r + 1]! > signals.rowPtr[r]!) nonEmpty.push(r);
  const setAtomFromSignal = (d: Float64Array, a: number): void => {
    for (let i = 0; i < dim; i++) d[i * p + a] = 0;
    if (nonEmpty.length === 0) { for (let i = 0; i < dim; i++) d[i * p + a] = rng.normal(); return; }
    const r = nonEmpty[rng.int(nonEmpty.length)]!;
    for (let q = signals.rowPtr[r]!, e = signals.rowPtr[r + 1]!; q < e; q++) d[signals.indices[q]! * p + a] = signals.values[q]! + 1e-3 * rng.normal();
  };
  let dict: Float64Array;
  if (opts.init) {
    if (opts.init.length !== dim * p) throw new RangeError(`learnDictionary(): init must have ${dim} × ${p} entries but has ${opts.init.length}`);
    dict = Float64Array.from(opts.init);
  } else {
    dict = new Float64Array(dim * p);
    const order = Int32Array.from(nonEmpty);
    rng.shuffle(order);
    for (let a = 0; a < p; a++) {
      if (a < order.length) {
        const r = order[a]!;
        for (let q = signals.rowPtr[r]!, e = signals.rowPtr[r + 1]!; q < e; q++) dict[signals.indices[q]! * p + a] = signals.values[q]!;
      } else {
        for (let i = 0; i < dim; i++) dict[i * p + a] = rng.normal();
      }
    }
  }
  normalizeAtoms(dict, dim, p, (a) => setAtomFromSignal(dict, a));
  let codes: Float64Array | undefined;
  const errors: number[] = [];
  for (let round = 0; round < opts.rounds; round++) {
    codes = batchIht(signals, dict, p, { rule: opts.rule, iterations: opts.ihtIterations, tol: 1e-6, ...(codes ? { init: codes } : {}) }).codes;
    // MOD: A = Z·Zᵀ + εI (p × p), B = X·Zᵀ (dim × p); D = B·A⁻¹, i.e. Dᵀ = A⁻¹·Bᵀ.
    const a = new Float64Array(p * p), bT = new Float64Array(p * dim);
    const nzIdx = new Int32Array(p);
    for (let r = 0; r < n; r++) {
      const off = r * p;
      let nz = 0;
      for (let k = 0; k < p; k++) if (codes[off + k] !== 0) nzIdx[nz++] = k;
      for (let s = 0; s < nz; s++) {
        const k = nzIdx[s]!, zk = codes[off + k]!;
        for (let t = 0; t < nz; t++) a[k * p + nzIdx[t]!]! += zk * codes[off + nzIdx[t]!]!;
        for (let q = signals.rowPtr[r]!, e = signals.rowPtr[r + 1]!; q < e; q++) bT[k * dim + signals.indices[q]!]! += zk * signals.values[q]!;
      }
    }
    let trace = 0;
    for (let k = 0; k < p; k++) trace += a[k * p + k]!;
    const eps = 1e-8 * Math.max(trace / p, 1e-12);
    const unused: number[] = [];
    for (let k = 0; k < p; k++) { if (a[k * p + k] === 0) unused.push(k); a[k * p + k]! += eps; }
    const chol = new CholeskyDecomposition(new Matrix(Array.from({ length: p }, (_, k) => Array.from(a.subarray(k * p, (k + 1) * p)))));
    if (chol.isPositiveDefinite()) {
      const sol = chol.solve(new Matrix(Array.from({ length: p }, (_, k) => Array.from(bT.subarray(k * dim, (k + 1) * dim))))); // p × dim = Dᵀ
      for (let k = 0; k < p; k++) for (let i = 0; i < dim; i++) dict[i * p + k] = sol.get(k, i);
    }
    // The MOD objective (before the atoms are rescaled, which the next coding step absorbs).
    errors.push(reconstructionErrors(signals, dict, p, codes).reduce((s, v) => s + v, 0) / Math.max(1, n));
    for (const k of unused) setAtomFromSignal(dict, k);
    normalizeAtoms(dict, dim, p, (k) => setAtomFromSignal(dict, k));
  }
  // The final codes over the final dictionary.
  const final = batchIht(signals, dict, p, { rule: opts.rule, iterations: opts.ihtIterations, tol: 1e-6, ...(codes ? { init: codes } : {}) });
  return { dict, codes: final.codes, step: final.step, errors };
}
