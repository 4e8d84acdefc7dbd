/**
 * The generative model of Rangamani, Mukherjee, Basu, Arora, Ganapathi, Chin & Tran, "Sparse
 * coding and autoencoders" (ISIT 2018, arXiv 1708.03735), and the measurements behind its two
 * findings about the tied-weight ReLU autoencoder x̂ = Wᵀ·ReLU(W·y − ε) of tied_relu.ts:
 *
 *   y = A*·x*,  A* ∈ R^{n×h} overcomplete (h > n), columns of unit ℓ2 norm, incoherent:
 *   |⟨A*_i, A*_j⟩| ≤ μ/√n for i ≠ j (the paper writes μ/√n = h^{−ξ});
 *   x* ∈ R^h non-negative with a support S of size k = h^p (0 < p < 1) drawn uniformly, its
 *   non-zero entries i.i.d. (here uniform on [codeMin, codeMax], mean m₁ = E[x*_i | i ∈ S]).
 *
 *   Finding 1 (support recovery, the paper's Theorem 3.1): when every row W_i of the encoder is
 *   within δ of the atom A*_i, δ = O(h^{−p−ν²}) with p + ν² < ξ, a bias ε of the order of
 *   h^p·(δ + μ/√n) times the code magnitude makes the ReLU layer fire exactly on supp(x*) with
 *   high probability, for any loss.
 *   Finding 2 (the paper's Theorem 3.2): in that neighbourhood of A* the expected gradient of the
 *   squared loss ½‖Wᵀ·ReLU(W·y − ε) − y‖² with respect to W is asymptotically negligible in h.
 *
 * Everything here is plain Float64 arithmetic except the one large product of a run, the h × h
 * matrix of inner products ⟨A*_j, W_i⟩ ({@link crossGram}), which goes through tfjs on the
 * active backend. With it, the pre-activations of a k-sparse code cost O(h·k) instead of O(h·n).
 */
import * as tf from '@tensorflow/tfjs-core';
import { tidyData } from '../engine/tidy_data.js';
import { normalizeDenseRows } from '../linalg/dense.js';
import { Rng } from '../util/rng.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * Incoherent dictionaries:
 * - `two-ortho`: the union of two orthonormal bases of R^n, the standard one and the normalised
 *   Sylvester–Hadamard one, each atom with a random sign. h = 2n, n a power of two, and the
 *   coherence is exactly μ/√n = 1/√n (the smallest possible for two bases: Donoho & Huo 2001,
 *   Elad & Bruckstein 2002), so ξ = ½·log(n)/log(2n) → ½.
 * - `gaussian`: i.i.d. N(0, 1) atoms normalised to unit length; μ/√n ≈ √(4·ln h / n) (measured,
 *   never assumed).
 */
export const DICTIONARY_KINDS = Object.freeze(['two-ortho', 'gaussian'] as const);
export type DictionaryKind = (typeof DICTIONARY_KINDS)[number];

/** One instance of the generative model. */
export interface SparseCodingModel {
  /** Signal dimension (rows of A*). */
  readonly n: number;
  /** Sparse-code dimension (atoms, the autoencoder's hidden units). */
  readonly h: number;
  /** Support size |S| of every code. */
  readonly k: number;
  /** A*ᵀ, h × n row-major: row j is the atom A*_j (unit ℓ2 norm). */
  readonly atoms: Float64Array;
  /** Non-zero code entries are uniform on [codeMin, codeMax], 0 < codeMin ≤ codeMax. */
  readonly codeMin: number;
  readonly codeMax: number;
}

/** A k-sparse non-negative code: its support (distinct units) and the values there. */
export interface SparseCode {
  readonly support: Int32Array;
  readonly values: Float64Array;
}

/** A*ᵀ (h × n, atoms as rows) of an incoherent dictionary, seeded. */
export function incoherentDictionary(n: number, h: number, kind: DictionaryKind, seed: number): Float64Array {
  if (kind === 'two-ortho') {
    const rng = new Rng(seed);
    const atoms = new Float64Array(h * n);
    if (h !== 2 * n || n < 1 || (n & (n - 1)) !== 0) throw new InvalidArgumentError('incoherentDictionary', `incoherentDictionary(): 'two-ortho' needs h = 2n with n a power of two but got n = ${n}, h = ${h}`);
    const s = 1 / Math.sqrt(n);
    for (let j = 0; j < n; j++) atoms[j * n + j] = rng.next() < 0.5 ? -1 : 1;
    for (let j = 0; j < n; j++) {
      const sign = rng.next() < 0.5 ? -s : s;
      const row = (n + j) * n;
      // Sylvester–Hadamard entry (j, c) = (−1)^popcount(j & c).
      for (let c = 0; c < n; c++) atoms[row + c] = popcountParity(j & c) ? -sign : sign;
    }
    return atoms;
  }
  // Normalised Gaussian atoms are uniform on the sphere.
  return randomUnitRows(h, n, seed);
}

function popcountParity(x: number): boolean {
  let p = false;
  for (let v = x; v; v &= v - 1) p = !p;
  return p;
}

/** The model for code dimension h: n = h / overcompleteness, k = round(h^p) (at least 1). */
export function sparseCodingModel(h: number, opts: { p: number; overcompleteness: number; kind: DictionaryKind; codeMin: number; codeMax: number; seed: number }): SparseCodingModel {
  const n = Math.round(h / opts.overcompleteness);
  if (!(opts.codeMin > 0 && opts.codeMax >= opts.codeMin)) throw new InvalidArgumentError('sparseCodingModel', `sparseCodingModel(): need 0 < codeMin ≤ codeMax but got [${opts.codeMin}, ${opts.codeMax}]`);
  const k = Math.max(1, Math.round(h ** opts.p));
  return { n, h, k, atoms: incoherentDictionary(n, h, opts.kind, opts.seed), codeMin: opts.codeMin, codeMax: opts.codeMax };
}

/**
 * Encoder weights W (h × n) whose row i is A*_i + δ·u_i with u_i uniform on the unit sphere:
 * ‖W_i − A*_i‖ = δ exactly — the paper's "each column of Wᵀ within a δ-ball of the
 * corresponding column of A*", on the ball's boundary.
 */
export function perturbedWeights(atoms: Float64Array, h: number, n: number, delta: number, seed: number): Float64Array {
  const w = Float64Array.from(atoms);
  if (delta === 0) return w;
  const u = randomUnitRows(h, n, seed);
  for (let i = 0; i < w.length; i++) w[i]! += delta * u[i]!;
  return w;
}

/** h × n rows drawn uniformly from the unit sphere of R^n, seeded. */
export function randomUnitRows(h: number, n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(h * n);
  for (let i = 0; i < h * n; i++) out[i] = rng.normal();
  return normalizeDenseRows(out, h, n);
}

/** Products up to this many multiply-adds run in Float64 loops; larger ones through tfjs (float32). */
const EXACT_PRODUCT_LIMIT = 1 << 24;

/**
 * The ra × rb matrix of inner products a_j·b_i (rows of `a`, ra × n, against rows of `b`,
 * rb × n), row-major: C = A·Bᵀ. With a = A*ᵀ and b = W, row j of C holds ⟨A*_j, W_i⟩ for every
 * unit i — the pre-activation contribution of atom j — and with b = a it is the Gram matrix.
 * Small products are exact Float64 loops; large ones a float32 matMul on the active backend.
 */
export function crossGram(a: Float64Array, ra: number, b: Float64Array, rb: number, n: number): Float64Array {
  if (a.length !== ra * n || b.length !== rb * n) throw new InvalidArgumentError('crossGram', `crossGram(): expected ${ra} × ${n} and ${rb} × ${n} arrays but got ${a.length} and ${b.length} entries`);
  if (ra * rb * n <= EXACT_PRODUCT_LIMIT) {
    const out = new Float64Array(ra * rb);
    for (let j = 0; j < ra; j++) {
      for (let i = 0; i < rb; i++) {
        let s = 0;
        for (let c = 0; c < n; c++) s += a[j * n + c]! * b[i * n + c]!;
        out[j * rb + i] = s;
      }
    }
    return out;
  }
  return Float64Array.from(tidyData(() => tf.matMul(tf.tensor2d(Float32Array.from(a), [ra, n]), tf.tensor2d(Float32Array.from(b), [rb, n]), false, true)));
}

/** The coherence max_{i≠j} |⟨A*_i, A*_j⟩| (= μ/√n) from the Gram matrix (h × h). */
export function coherence(gram: Float64Array, h: number): number {
  let mu = 0;
  for (let i = 0; i < h; i++) for (let j = 0; j < h; j++) if (i !== j) mu = Math.max(mu, Math.abs(gram[i * h + j]!));
  return mu;
}

/**
 * A code of the model: k distinct units uniformly at random (with `include` forced in, or
 * `exclude` kept out, for stratified sampling), values uniform on [codeMin, codeMax].
 */
export function drawCode(model: SparseCodingModel, rng: Rng, include = -1, exclude = -1): SparseCode {
  const { h, k, codeMin, codeMax } = model;
  if (k > h - (exclude >= 0 ? 1 : 0)) throw new InvalidArgumentError('drawCode', `drawCode(): cannot draw ${k} of ${h} units`);
  const support = new Int32Array(k);
  let t = 0;
  if (include >= 0) support[t++] = include;
  while (t < k) {
    const j = rng.int(h);
    if (j === exclude) continue;
    let dup = false;
    for (let s = 0; s < t; s++) if (support[s] === j) { dup = true; break; }
    if (!dup) support[t++] = j;
  }
  const values = new Float64Array(k);
  for (let s = 0; s < k; s++) values[s] = codeMin + (codeMax - codeMin) * rng.next();
  return { support, values };
}

/** y = A*·x* (n values). */
export function signalOf(model: SparseCodingModel, code: SparseCode, out: Float64Array = new Float64Array(model.n)): Float64Array {
  const { n, atoms } = model;
  out.fill(0);
  for (let s = 0; s < code.support.length; s++) {
    const row = code.support[s]! * n, v = code.values[s]!;
    for (let c = 0; c < n; c++) out[c]! += v * atoms[row + c]!;
  }
  return out;
}

/** Pre-activations W·y = Σ_{j∈S} x_j·(row j of C) for C = {@link crossGram}(A*ᵀ, W) (h values). */
export function preActivations(c: Float64Array, h: number, code: SparseCode, out: Float64Array = new Float64Array(h)): Float64Array {
  out.fill(0);
  for (let s = 0; s < code.support.length; s++) {
    const row = code.support[s]! * h, v = code.values[s]!;
    for (let i = 0; i < h; i++) out[i]! += v * c[row + i]!;
  }
  return out;
}

/**
 * How the bias ε is set from the model's constants (k = h^p, δ, μ/√n, the code range):
 * - `mean`: ε = ½·m₁·k·(δ + μ/√n), m₁ = E[x*_i | i ∈ S] — the form of the paper's Theorem 3.1
 *   (ε ∝ h^p·(δ + μ/√n)) with the constant the authors' simulation uses for it
 *   (`epsilon_i = 1/2*abs(m_1)*S*(delta+mu_by_root_n)`, github.com/aarora8/Autoencoder).
 *   Below the worst-case interference, so false positives are excluded only with high
 *   probability (interference concentrates: its terms have random signs).
 * - `worst-case`: ε = codeMax·k·(δ + μ/√n), the largest possible interference on a unit outside
 *   the support: since |⟨W_i, A*_j⟩| ≤ |⟨A*_i, A*_j⟩| + ‖W_i − A*_i‖ ≤ μ/√n + δ for i ≠ j, no unit
 *   outside S can fire, deterministically ({@link supportRecoveryGuaranteed}).
 */
export const BIAS_RULES = Object.freeze(['mean', 'worst-case'] as const);
export type BiasRule = (typeof BIAS_RULES)[number];

export function supportBias(rule: BiasRule, model: SparseCodingModel, delta: number, muOverSqrtN: number): number {
  const scale = rule === 'mean' ? (model.codeMin + model.codeMax) / 4 : model.codeMax;
  return scale * model.k * (delta + muOverSqrtN);
}

/**
 * The deterministic margin condition: with ‖W_i − A*_i‖ ≤ δ, coherence μ/√n and codes in
 * [a, b] = [codeMin, codeMax], a unit i ∈ S has W_i·y ≥ (1 − δ)·a − (k − 1)·b·(δ + μ/√n) and a
 * unit i ∉ S has W_i·y ≤ k·b·(δ + μ/√n). So the recovered support {i : W_i·y > ε} is always a
 * subset of S when ε ≥ k·b·(δ + μ/√n), and equals S for every code when moreover
 * (1 − δ)·a − (k − 1)·b·(δ + μ/√n) > ε.
 */
export function supportRecoveryGuaranteed(model: SparseCodingModel, delta: number, muOverSqrtN: number, eps: number): { subset: boolean; exact: boolean } {
  const { k, codeMin: a, codeMax: b } = model;
  const cross = delta + muOverSqrtN;
  const subset = eps >= k * b * cross;
  return { subset, exact: subset && (1 - delta) * a - (k - 1) * b * cross > eps };
}

/** Support-recovery counts over a run of codes. */
export interface SupportRecoveryStats {
  readonly samples: number;
  /** Fraction of codes whose recovered support {i : W_i·y > ε} equals supp(x*). */
  readonly exactRate: number;
  /** Fraction of codes whose recovered support is a subset of supp(x*) (no false positives). */
  readonly subsetRate: number;
  /** Fraction of true support units that did not fire. */
  readonly missedRate: number;
  /** Mean number of units outside the support that fired, per code. */
  readonly falsePerCode: number;
}

/** Draw `samples` codes and count how often ReLU(W·y − ε) has exactly the code's support. */
export function supportRecovery(model: SparseCodingModel, c: Float64Array, eps: number, samples: number, seed: number): SupportRecoveryStats {
  const { h, k } = model;
  const rng = new Rng(seed);
  const u = new Float64Array(h);
  const inS = new Uint8Array(h);
  let exact = 0, subset = 0, missed = 0, falses = 0;
  for (let t = 0; t < samples; t++) {
    const code = drawCode(model, rng);
    preActivations(c, h, code, u);
    for (const j of code.support) inS[j] = 1;
    let miss = 0, fp = 0;
    for (let i = 0; i < h; i++) {
      const fires = u[i]! > eps;
      if (inS[i]) { if (!fires) miss++; } else if (fires) fp++;
    }
    for (const j of code.support) inS[j] = 0;
    if (fp === 0) subset++;
    if (fp === 0 && miss === 0) exact++;
    missed += miss; falses += fp;
  }
  return { samples, exactRate: exact / samples, subsetRate: subset / samples, missedRate: missed / (samples * k), falsePerCode: falses / samples };
}

/** Work buffers of {@link rowGradientSample} (h, n and n values). */
export interface GradBuffers { readonly u: Float64Array; readonly y: Float64Array; readonly e: Float64Array }

/**
 * One code's loss ½‖Wᵀ·ReLU(W·y − ε) − y‖² and, into `grad`, the gradient of that loss with
 * respect to row `row` of W (ε fixed): with r = ReLU(W·y − ε) and e = Wᵀr − y,
 * ∂/∂W_i = r_i·e + 1[W_i·y > ε]·(W_i·e)·y. Returns the loss; `grad` is zeroed when unit `row`
 * does not fire (then the row's gradient is zero).
 */
export function rowGradientSample(model: SparseCodingModel, w: Float64Array, c: Float64Array, eps: number, code: SparseCode, row: number, buf: GradBuffers, grad: Float64Array): number {
  const { h, n } = model;
  const { u, y, e } = buf;
  preActivations(c, h, code, u);
  signalOf(model, code, y);
  for (let d = 0; d < n; d++) e[d] = -y[d]!;
  for (let i = 0; i < h; i++) {
    const r = u[i]! - eps;
    if (r > 0) for (let d = 0, o = i * n; d < n; d++) e[d]! += r * w[o + d]!;
  }
  let loss = 0;
  for (let d = 0; d < n; d++) loss += e[d]! * e[d]!;
  const r = u[row]! - eps;
  if (r > 0) {
    let we = 0;
    for (let d = 0, o = row * n; d < n; d++) we += w[o + d]! * e[d]!;
    for (let d = 0; d < n; d++) grad[d] = r * e[d]! + we * y[d]!;
  } else {
    grad.fill(0);
  }
  return loss / 2;
}

/** The expected gradient of one row of W, estimated by Monte Carlo. */
export interface RowGradientEstimate {
  /** E[∇_{W_i} L], n values. */
  readonly mean: Float64Array;
  /**
   * ‖E[∇_{W_i} L]‖ with the Monte Carlo noise removed from its square
   * (‖ĝ‖² − tr Var(ĝ), clamped at 0): an unbiased estimate of the squared norm.
   */
  readonly norm: number;
  /** √tr Var(ĝ): the Monte Carlo noise level of the estimate. */
  readonly noise: number;
  /** E[L], the expected loss (same samples). */
  readonly loss: number;
}

/**
 * E[∇_{W_i} L] for the squared loss L = ½‖Wᵀ·ReLU(W·y − ε) − y‖², stratified on whether unit i
 * is in the support: `samples` codes with i ∈ S (probability q = k/h) and `samples` with i ∉ S,
 * combined as q·E[·| i ∈ S] + (1 − q)·E[·| i ∉ S]. Without the stratification the rare codes
 * that use unit i (q ≈ h^{p−1}) would leave the estimate to a handful of samples.
 * `c` = {@link crossGram}(A*ᵀ, W).
 */
export function expectedRowGradient(model: SparseCodingModel, w: Float64Array, c: Float64Array, eps: number, row: number, samples: number, seed: number): RowGradientEstimate {
  const { h, n, k } = model;
  const q = k / h;
  const rng = new Rng(seed);
  const buf: GradBuffers = { u: new Float64Array(h), y: new Float64Array(n), e: new Float64Array(n) };
  const g = new Float64Array(n);
  const mean = new Float64Array(n);
  let variance = 0, loss = 0;
  for (const [weight, inside] of [[q, true], [1 - q, false]] as const) {
    const sum = new Float64Array(n), sumSq = new Float64Array(n);
    let lossSum = 0;
    for (let t = 0; t < samples; t++) {
      const code = inside ? drawCode(model, rng, row) : drawCode(model, rng, -1, row);
      lossSum += rowGradientSample(model, w, c, eps, code, row, buf, g);
      for (let d = 0; d < n; d++) { sum[d]! += g[d]!; sumSq[d]! += g[d]! * g[d]!; }
    }
    loss += weight * lossSum / samples;
    for (let d = 0; d < n; d++) {
      const m = sum[d]! / samples;
      mean[d]! += weight * m;
      // Unbiased sample variance of one gradient coordinate, divided by the sample count.
      const v = samples > 1 ? Math.max(0, (sumSq[d]! - samples * m * m) / (samples - 1)) : 0;
      variance += weight * weight * v / samples;
    }
  }
  let sq = 0;
  for (let d = 0; d < n; d++) sq += mean[d]! * mean[d]!;
  return { mean, norm: Math.sqrt(Math.max(0, sq - variance)), noise: Math.sqrt(variance), loss };
}

/** The expected gradient of the squared loss with respect to all of W, from some of its rows. */
export interface GradientNormEstimate {
  /** Rows estimated (all h, or an evenly spaced subset: the model is symmetric in the units). */
  readonly rows: number;
  /** ‖E[∇_W L]‖_F, noise-debiased, extrapolated from the rows estimated (× √(h / rows)). */
  readonly frobenius: number;
  /**
   * Per activation: √(mean_i ‖E[∇_{W_i} L]‖²) / q with q = k/h = P(i ∈ S) — the gradient a unit
   * sees per code that uses it, which does not shrink just because units are used rarely.
   */
  readonly perActivation: number;
  /** Monte Carlo noise of `perActivation` (same normalisation). */
  readonly noisePerActivation: number;
  /** E[L]. */
  readonly loss: number;
}

/** {@link expectedRowGradient} over `rows` evenly spaced rows of W (all when rows ≥ h), summarised. */
export function expectedGradientNorm(model: SparseCodingModel, w: Float64Array, c: Float64Array, eps: number, samples: number, seed: number, rows = model.h): GradientNormEstimate {
  const { h, k } = model;
  const r = Math.min(rows, h);
  let sq = 0, noise = 0, loss = 0;
  for (let t = 0; t < r; t++) {
    const row = Math.floor((t * h) / r);
    const est = expectedRowGradient(model, w, c, eps, row, samples, seed + 7919 * t);
    sq += est.norm ** 2; noise += est.noise ** 2; loss += est.loss;
  }
  const q = k / h;
  return { rows: r, frobenius: Math.sqrt((sq * h) / r), perActivation: Math.sqrt(sq / r) / q, noisePerActivation: Math.sqrt(noise / r) / q, loss: loss / r };
}
