/**
 * Dual coordinate descent (CD) for ℓ2-regularised binary linear classifiers without a bias term,
 * the solvers of LIBLINEAR (Fan, Chang, Hsieh, Wang & Lin, "LIBLINEAR: a library for large linear
 * classification", JMLR 9, 2008) written anew for CSR features:
 *
 *   min_w  P(w) = ½‖w‖² + C Σ_i ℓ(y_i w·x_i),   y_i ∈ {−1, +1}.
 *
 * Both work on the dual in α ∈ ℝⁿ with w = Σ_i α_i y_i x_i kept up to date, so a coordinate step
 * costs two sparse passes over one row (y_i w·x_i, then w += Δα_i y_i x_i), and the diagonal
 * Q_ii = ‖x_i‖² is computed once. Coordinates are visited in a fresh random order each outer pass
 * (the permutation comes from xmlc's seeded generator, so the same seed gives the same weights).
 *
 * - Logistic loss ℓ(m) = log(1 + e^{−m}): Yu, Huang & Lin, "Dual coordinate descent methods for
 *   logistic regression and maximum entropy models", Machine Learning 85 (2011), Algorithm 3
 *   (LIBLINEAR's L2R_LR_DUAL, solver 7). Dual: min_α ½αᵀQα + Σ_i [α_i log α_i + (C − α_i) log(C − α_i)]
 *   over 0 < α_i < C, Q_ij = y_i y_j x_i·x_j. Each coordinate solves its one-variable sub-problem by
 *   a safeguarded Newton method, in α_i or in C − α_i, whichever has its minimum in (0, C/2], so that
 *   a value near a bound keeps its relative precision (both are stored). The inner tolerance starts
 *   at 10⁻² and shrinks tenfold (down to min(10⁻⁸, eps)) whenever a pass needed few Newton steps.
 *   No shrinking (as in the paper and LIBLINEAR: every α_i stays strictly inside (0, C)).
 * - Squared hinge ℓ(m) = max(0, 1 − m)²: Hsieh, Chang, Lin, Keerthi & Sundararajan, "A dual
 *   coordinate descent method for large-scale linear SVM", ICML 2008, Algorithm 3 with shrinking
 *   (LIBLINEAR's L2R_L2LOSS_SVC_DUAL, solver 1). Dual: min_α ½αᵀ(Q + I/(2C))α − Σ_i α_i over α ≥ 0;
 *   the step is exact (a clipped Newton step on a quadratic).
 *
 * Stopping, as LIBLINEAR: logistic when max_i |∂D/∂α_i| < eps over a pass (the gradient at the
 * start of each coordinate's step); squared hinge when the projected gradients of a pass span less
 * than eps (max − min ≤ eps, both within ±eps) on the full, unshrunk set. eps = 0.1 is LIBLINEAR's
 * default for both; `maxIterations` bounds the outer passes.
 */
import { type Csr } from '../data/csr.js';
import { InvalidArgumentError } from '../errors.js';
import { Rng } from '../util/rng.js';

/** The two losses: logistic regression, and the ℓ2-loss (squared hinge) SVM. */
export type BinaryLoss = 'logistic' | 'squared-hinge';

/** Settings of one binary dual CD solve (checked by the caller, see ./ovr.ts). */
export interface DualCdParams {
  /** The loss weight C > 0 of ½‖w‖² + C Σ ℓ(y_i w·x_i). */
  readonly c: number;
  /** Stopping tolerance > 0 (see the module comment). */
  readonly eps: number;
  /** Maximum number of outer passes over the points, ≥ 1. */
  readonly maxIterations: number;
  /** Seed of the coordinate order. */
  readonly seed: number;
}

/** The result of a binary dual CD solve. */
export interface DualCdResult {
  /** The weights w = Σ α_i y_i x_i, length x.nCols (the `w` passed in, when one was). */
  readonly w: Float64Array;
  /** The dual variables α, length x.nRows. */
  readonly alpha: Float64Array;
  /** Outer passes done. */
  readonly iterations: number;
  /** Whether the stopping rule was met within `maxIterations` passes. */
  readonly converged: boolean;
  /**
   * The dual function's value at α (the maximised form, a lower bound of every primal value by
   * weak duality): P(w) − dualObjective ≥ 0 is the duality gap, 0 at the optimum.
   */
  readonly dualObjective: number;
}

/**
 * The binary problem shared by all labels of a one-vs-rest fit: the features and their squared
 * row norms Q_ii = ‖x_i‖² (computed once, see {@link squaredRowNorms}).
 */
export interface DualCdData {
  /** Features, n × d. */
  readonly x: Csr;
  /** ‖x_i‖², length n. */
  readonly sqNorms: Float64Array;
}

/** ‖x_i‖² of every row, accumulated in float64. */
export function squaredRowNorms(x: Csr): Float64Array {
  const out = new Float64Array(x.nRows);
  const { rowPtr, values } = x;
  for (let i = 0; i < x.nRows; i++) {
    let s = 0;
    for (let p = rowPtr[i]!, e = rowPtr[i + 1]!; p < e; p++) { const v = values[p]!; s += v * v; }
    out[i] = s;
  }
  return out;
}

/** A uniformly random permutation of `index[0 .. size)` in place (Fisher–Yates). */
function shufflePrefix(index: Int32Array, size: number, rng: Rng): void {
  for (let i = 0; i < size - 1; i++) {
    const j = i + rng.int(size - i);
    const t = index[i]!; index[i] = index[j]!; index[j] = t;
  }
}

/** w·x_i. */
function rowDot(x: Csr, i: number, w: Float64Array): number {
  const { rowPtr, indices, values } = x;
  let s = 0;
  for (let p = rowPtr[i]!, e = rowPtr[i + 1]!; p < e; p++) s += w[indices[p]!]! * values[p]!;
  return s;
}

/** w += a·x_i. */
function rowAxpy(x: Csr, i: number, a: number, w: Float64Array): void {
  const { rowPtr, indices, values } = x;
  for (let p = rowPtr[i]!, e = rowPtr[i + 1]!; p < e; p++) w[indices[p]!]! += a * values[p]!;
}

function squaredNorm(w: Float64Array): number {
  let s = 0;
  for (let j = 0; j < w.length; j++) s += w[j]! * w[j]!;
  return s;
}

/** A zeroed weight vector of length d: `w` cleared when given, a new one otherwise. */
function weightBuffer(d: number, w: Float64Array | undefined): Float64Array {
  if (w === undefined) return new Float64Array(d);
  if (w.length !== d) throw new InvalidArgumentError('dualCd', `dual CD: the weight buffer 'w' has length ${w.length}, expected the ${d} features`);
  return w.fill(0);
}

/** The rows a solve runs over: `rows` (ascending row ids), or 0 … n − 1 when absent; checked. */
function solveRows(x: Csr, rows: Int32Array | undefined): Int32Array {
  if (rows === undefined) return Int32Array.from({ length: x.nRows }, (_, i) => i);
  for (let k = 0; k < rows.length; k++) {
    if (!(rows[k]! >= 0 && rows[k]! < x.nRows) || (k > 0 && rows[k]! <= rows[k - 1]!)) throw new InvalidArgumentError('dualCd', `dual CD: 'rows' must list ascending row ids below ${x.nRows}, but entry ${k} is ${rows[k]}`);
  }
  return Int32Array.from(rows);
}

/**
 * ℓ2-regularised logistic regression by the dual CD of Yu, Huang & Lin (2011), LIBLINEAR's solver 7.
 * @param y labels, +1 or −1 (any positive value counts as +1), length n.
 * @param w optional buffer of length d for the weights (cleared first), to avoid an allocation per call.
 * @param rows optional ascending row ids: the problem over those rows only (the others' α stay 0); the
 *   same solve as on `selectRows(x, rows)` with the same seed.
 */
export function logisticDualCd(data: DualCdData, y: Int8Array, params: DualCdParams, w?: Float64Array, rows?: Int32Array): DualCdResult {
  const { x, sqNorms } = data;
  const c = params.c;
  const weights = weightBuffer(x.nCols, w);
  // alpha[2i] = α_i and alpha[2i + 1] = C − α_i, both kept so that either can be tiny exactly.
  const alpha = new Float64Array(2 * x.nRows);
  const a0 = Math.min(0.001 * c, 1e-8); // the paper's start: α_i small, w almost 0
  const index = solveRows(x, rows), n = index.length;
  for (let k = 0; k < n; k++) {
    const i = index[k]!;
    alpha[2 * i] = a0;
    alpha[2 * i + 1] = c - a0;
    rowAxpy(x, i, y[i]! > 0 ? a0 : -a0, weights);
  }
  const rng = new Rng(params.seed);
  const maxInner = 100, shrinkNewton = 0.1; // ξ of the paper: z ← ξz when a Newton step leaves (0, C)
  const innerEpsMin = Math.min(1e-8, params.eps);
  let innerEps = 1e-2, iter = 0, converged = false;
  while (iter < params.maxIterations) {
    shufflePrefix(index, n, rng);
    let newtonSteps = 0, gMax = 0;
    for (let s = 0; s < n; s++) {
      const i = index[s]!;
      const yi = y[i]! > 0 ? 1 : -1;
      const a = sqNorms[i]!, b = yi * rowDot(x, i, weights);
      // The sub-problem in z = α_i (sign +1) or z = C − α_i (sign −1):
      //   g(z) = z log z + (C − z) log(C − z) + ½a(z − z₀)² + sign·b(z − z₀);
      // take the one whose minimum lies in (0, C/2], i.e. whose g' at C/2 is ≥ 0.
      let i1 = 2 * i, i2 = 2 * i + 1, sign = 1;
      if (0.5 * a * (alpha[i2]! - alpha[i1]!) + b < 0) { i1 = 2 * i + 1; i2 = 2 * i; sign = -1; }
      const z0 = alpha[i1]!, other = alpha[i2]!;
      // |∂D/∂α_i| at the current point, the stopping measure.
      gMax = Math.max(gMax, Math.abs(sign * b + Math.log(z0 / other)));
      let z = z0;
      if (c - z < 0.5 * c) z *= 0.1; // start on the minimum's side of C/2
      let gp = a * (z - z0) + sign * b + Math.log(z / (c - z));
      let inner = 0;
      while (inner <= maxInner && Math.abs(gp) >= innerEps) {
        const gpp = a + c / ((c - z) * z);
        const t = z - gp / gpp;
        if (t <= 0) z *= shrinkNewton;
        else if (t >= c) z = 0.5 * (z + c); // a safeguard; the analysis rules it out
        else z = t;
        gp = a * (z - z0) + sign * b + Math.log(z / (c - z));
        inner++;
      }
      newtonSteps += inner;
      if (inner > 0) {
        alpha[i1] = z;
        alpha[i2] = c - z;
        rowAxpy(x, i, sign * (z - z0) * yi, weights);
      }
    }
    iter++;
    if (gMax < params.eps) { converged = true; break; }
    if (newtonSteps <= n / 10) innerEps = Math.max(innerEpsMin, 0.1 * innerEps);
  }
  // D(α) = ½‖w‖² + Σ [α log α + (C − α) log(C − α) − C log C] is minimised; its negation is the dual.
  let dual = 0.5 * squaredNorm(weights);
  const cLogC = c * Math.log(c);
  const out = new Float64Array(x.nRows);
  for (let k = 0; k < n; k++) {
    const i = rows === undefined ? k : rows[k]!; // ascending, as the sum always ran
    const ai = alpha[2 * i]!, bi = alpha[2 * i + 1]!;
    dual += ai * Math.log(ai) + bi * Math.log(bi) - cLogC;
    out[i] = ai;
  }
  return { w: weights, alpha: out, iterations: iter, converged, dualObjective: -dual };
}

/**
 * ℓ2-regularised ℓ2-loss (squared hinge) SVM by the dual CD of Hsieh et al. (ICML 2008),
 * Algorithm 3 with shrinking, LIBLINEAR's solver 1.
 * @param y labels, +1 or −1 (any positive value counts as +1), length n.
 * @param w optional buffer of length d for the weights (cleared first), to avoid an allocation per call.
 * @param rows optional ascending row ids: the problem over those rows only (see {@link logisticDualCd}).
 */
export function squaredHingeDualCd(data: DualCdData, y: Int8Array, params: DualCdParams, w?: Float64Array, rows?: Int32Array): DualCdResult {
  const { x, sqNorms } = data;
  const diag = 0.5 / params.c;
  const weights = weightBuffer(x.nCols, w);
  const alpha = new Float64Array(x.nRows); // α = 0 ⇒ w = 0
  const index = solveRows(x, rows), n = index.length;
  const qd = new Float64Array(x.nRows);
  for (let k = 0; k < n; k++) qd[index[k]!] = sqNorms[index[k]!]! + diag;
  const rng = new Rng(params.seed);
  let active = n, iter = 0, converged = false;
  // Shrinking (Hsieh et al. §3.2): a coordinate at α_i = 0 whose gradient exceeds the previous
  // pass's largest projected gradient is set aside until the active set looks optimal.
  let pgMaxOld = Infinity;
  while (iter < params.maxIterations) {
    let pgMax = -Infinity, pgMin = Infinity;
    shufflePrefix(index, active, rng);
    for (let s = 0; s < active; s++) {
      const i = index[s]!;
      const yi = y[i]! > 0 ? 1 : -1;
      const ai = alpha[i]!;
      const g = yi * rowDot(x, i, weights) - 1 + ai * diag;
      let pg = g;
      if (ai === 0) {
        if (g > pgMaxOld) {
          active--;
          index[s] = index[active]!; index[active] = i;
          s--;
          continue;
        }
        if (g > 0) pg = 0;
      }
      pgMax = Math.max(pgMax, pg);
      pgMin = Math.min(pgMin, pg);
      if (Math.abs(pg) > 1e-12) {
        const next = Math.max(ai - g / qd[i]!, 0);
        alpha[i] = next;
        rowAxpy(x, i, (next - ai) * yi, weights);
      }
    }
    iter++;
    if (pgMax === -Infinity) pgMax = pgMin = 0; // every coordinate was set aside: check them all again
    if (pgMax - pgMin <= params.eps && Math.abs(pgMax) <= params.eps && Math.abs(pgMin) <= params.eps) {
      if (active === n) { converged = true; break; }
      active = n; // the shrunk problem is solved: check every coordinate again
      pgMaxOld = Infinity;
      continue;
    }
    pgMaxOld = pgMax <= 0 ? Infinity : pgMax;
  }
  // D(α) = ½‖w‖² + Σ α_i²/(4C) − Σ α_i is minimised; its negation is the dual.
  let dual = 0.5 * squaredNorm(weights);
  for (let i = 0; i < x.nRows; i++) dual += alpha[i]! * (0.5 * alpha[i]! * diag - 1); // 0 for rows outside `rows`
  return { w: weights, alpha, iterations: iter, converged, dualObjective: -dual };
}
