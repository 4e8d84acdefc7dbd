/**
 * Ridge regression from sparse features to dense targets (stage 2 of the XMC pipeline):
 *
 *   min_{V, b} ‖X·V + 1·bᵀ − Z‖²_F + λ‖V‖²_F        X: n × p CSR, Z: n × m, V: p × m, b: m
 *
 * solved either in the primal by a Cholesky factorisation of XᵀX + λI (few features; the Gram
 * matrix is p × p), or by preconditioned conjugate gradient on the same normal equations
 * without forming them (Hestenes & Stiefel 1952; matrix-free products X·P and Xᵀ·Q through
 * the sparse kernels; Jacobi preconditioner), all m right-hand sides at once. The bias b is the
 * weight of an appended constant feature and is not penalised.
 */
import { type Csr } from '../data/csr.js';
import { nativeAddon } from '../engine/addon.js';
import { csrMatDense, csrTMatDense } from '../engine/sparse.js';

/** Settings of {@link fitRidge}. */
export interface RidgeOptions {
  /** Penalty λ > 0 on the weights (not on the bias). */
  readonly lambda: number;
  /** `cholesky`, `cg`, or `auto` (Cholesky up to {@link CHOLESKY_MAX_FEATURES} features). */
  readonly solver: 'auto' | 'cholesky' | 'cg';
  /** Fit a bias (intercept) per output. */
  readonly bias: boolean;
  /** CG: iteration limit (default 500). */
  readonly maxIter?: number;
  /** CG: stop when every column's residual norm ≤ tol × its right-hand side's norm (default 1e-6). */
  readonly tol?: number;
}

/**
 * Above this many features `auto` uses CG: the Gram matrix takes p²·8 bytes (288 MB at 6,000)
 * and its factorisation p³/3 flops; CG's cost grows only with the nonzeros.
 */
export const CHOLESKY_MAX_FEATURES = 6000;

/** A fitted ridge regressor z = Vᵀx + b. */
export interface RidgeModel {
  /** p × m row-major. */
  readonly weights: Float32Array;
  /** m (zeros without a bias). */
  readonly bias: Float32Array;
  readonly nFeatures: number;
  /** Output dimension m. */
  readonly dim: number;
  /** Outputs (n × m) for the rows of `x`; x may have fewer columns than the model, not more. */
  predict(x: Csr): Float32Array;
  /** Which solver produced it, and (CG) the iterations run. */
  readonly info: { solver: 'cholesky' | 'cg'; iterations: number };
}

/** A model from its weights (p × m) and bias (m): for loading saved models. */
export function ridgeFromWeights(weights: Float32Array, bias: Float32Array, nFeatures: number, dim: number,
  info: RidgeModel['info'] = { solver: 'cholesky', iterations: 0 }): RidgeModel {
  if (weights.length !== nFeatures * dim) throw new RangeError(`ridgeFromWeights(): expected ${nFeatures} × ${dim} weights but got ${weights.length}`);
  if (bias.length !== dim) throw new RangeError(`ridgeFromWeights(): expected ${dim} biases but got ${bias.length}`);
  return {
    weights, bias, nFeatures, dim, info,
    predict(x: Csr): Float32Array {
      if (x.nCols > nFeatures) throw new RangeError(`RidgeModel.predict(): the rows have ${x.nCols} features but the model has ${nFeatures}`);
      const out = csrMatDense({ ...x, nCols: nFeatures }, weights, dim);
      for (let i = 0; i < x.nRows; i++) for (let j = 0; j < dim; j++) out[i * dim + j]! += bias[j]!;
      return out;
    },
  };
}

/** X with a constant-1 column appended (index p). */
function withBiasColumn(x: Csr): Csr {
  const n = x.nRows, nnz = x.rowPtr[n]!;
  const rowPtr = new Int32Array(n + 1), indices = new Int32Array(nnz + n), values = new Float32Array(nnz + n);
  let q = 0;
  for (let i = 0; i < n; i++) {
    for (let p = x.rowPtr[i]!, e = x.rowPtr[i + 1]!; p < e; p++) { indices[q] = x.indices[p]!; values[q++] = x.values[p]!; }
    indices[q] = x.nCols; values[q++] = 1;
    rowPtr[i + 1] = q;
  }
  return { nRows: n, nCols: x.nCols + 1, rowPtr, indices, values };
}

/** XᵀX (p × p, Float64, full) from the rows' sparse outer products (upper triangle, then mirrored). */
export function gram(x: Csr): Float64Array {
  const p = x.nCols;
  const g = new Float64Array(p * p);
  const { rowPtr, indices, values } = x;
  for (let i = 0; i < x.nRows; i++) {
    const s = rowPtr[i]!, e = rowPtr[i + 1]!;
    for (let a = s; a < e; a++) {
      const ja = indices[a]!, va = values[a]!, base = ja * p;
      for (let b = s; b < e; b++) {
        const jb = indices[b]!;
        if (jb >= ja) g[base + jb]! += va * values[b]!;
      }
    }
  }
  for (let r = 0; r < p; r++) for (let c = r + 1; c < p; c++) g[c * p + r] = g[r * p + c]!;
  return g;
}

/** Solve G·V = B in place (G p × p symmetric positive definite, B p × m): Cholesky–Banachiewicz, then two triangular solves. */
export function choleskySolveJs(g: Float64Array, b: Float64Array, p: number, m: number): void {
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = g[i * p + j]!;
      for (let k = 0; k < j; k++) s -= g[i * p + k]! * g[j * p + k]!;
      if (i === j) {
        if (!(s > 0)) throw new RangeError(`choleskySolveJs(): the matrix is not positive definite (pivot ${i} = ${s})`);
        g[i * p + i] = Math.sqrt(s);
      } else {
        g[i * p + j] = s / g[j * p + j]!;
      }
    }
  }
  // L·Y = B, then Lᵀ·V = Y (L is the lower triangle of g).
  for (let i = 0; i < p; i++) {
    for (let k = 0; k < i; k++) { const l = g[i * p + k]!; if (l !== 0) for (let c = 0; c < m; c++) b[i * m + c]! -= l * b[k * m + c]!; }
    const d = g[i * p + i]!;
    for (let c = 0; c < m; c++) b[i * m + c]! /= d;
  }
  for (let i = p - 1; i >= 0; i--) {
    for (let k = i + 1; k < p; k++) { const l = g[k * p + i]!; if (l !== 0) for (let c = 0; c < m; c++) b[i * m + c]! -= l * b[k * m + c]!; }
    const d = g[i * p + i]!;
    for (let c = 0; c < m; c++) b[i * m + c]! /= d;
  }
}

/** The per-feature penalties: λ on every weight, 0 on the bias column (if any). */
function penalties(p: number, lambda: number, bias: boolean): Float64Array {
  const pen = new Float64Array(p).fill(lambda);
  if (bias) pen[p - 1] = 0;
  return pen;
}

function solveCholesky(x: Csr, z: Float32Array, m: number, pen: Float64Array): Float64Array {
  const p = x.nCols;
  const g = gram(x);
  for (let j = 0; j < p; j++) g[j * p + j]! += pen[j]!;
  const rhs = Float64Array.from(csrTMatDense(x, z, m));
  const { addon } = nativeAddon();
  if (addon) {
    const info = addon.choleskySolve(g, rhs, p, m);
    if (info !== 0) throw new RangeError(`ridge regression: XᵀX + λI is not positive definite (LAPACK dpotrf info ${info}); raise lambda`);
  } else {
    choleskySolveJs(g, rhs, p, m);
  }
  return rhs;
}

/** Preconditioned CG on (XᵀX + Λ)·V = XᵀZ, one independent recurrence per column, products batched over columns. */
function solveCg(x: Csr, z: Float32Array, m: number, pen: Float64Array, maxIter: number, tol: number): { v: Float64Array; iterations: number } {
  const p = x.nCols;
  // Jacobi preconditioner: diag(XᵀX) + Λ.
  const diag = new Float64Array(p);
  for (let q = 0; q < x.rowPtr[x.nRows]!; q++) diag[x.indices[q]!]! += x.values[q]! ** 2;
  const inv = diag.map((d, j) => { const t = d + pen[j]!; return t > 0 ? 1 / t : 0; });
  const apply = (dir: Float64Array): Float64Array => {
    const xp = csrMatDense(x, Float32Array.from(dir), m); // n × m
    const out = Float64Array.from(csrTMatDense(x, xp, m)); // p × m
    for (let j = 0; j < p; j++) for (let c = 0; c < m; c++) out[j * m + c]! += pen[j]! * dir[j * m + c]!;
    return out;
  };
  const b = Float64Array.from(csrTMatDense(x, z, m));
  const v = new Float64Array(p * m);
  const r = Float64Array.from(b);
  const s = new Float64Array(p * m);
  for (let j = 0; j < p; j++) for (let c = 0; c < m; c++) s[j * m + c] = inv[j]! * r[j * m + c]!;
  const d = Float64Array.from(s);
  const colDot = (u: Float64Array, w: Float64Array): Float64Array => {
    const out = new Float64Array(m);
    for (let j = 0; j < p; j++) for (let c = 0; c < m; c++) out[c]! += u[j * m + c]! * w[j * m + c]!;
    return out;
  };
  const bNorm = colDot(b, b).map(Math.sqrt);
  let rs = colDot(r, s);
  let it = 0;
  const done = (): boolean => {
    const rn = colDot(r, r);
    for (let c = 0; c < m; c++) if (Math.sqrt(rn[c]!) > tol * Math.max(bNorm[c]!, 1e-300)) return false;
    return true;
  };
  while (it < maxIter && !done()) {
    const q = apply(d);
    const dq = colDot(d, q);
    const alpha = rs.map((t, c) => (dq[c]! > 0 ? t / dq[c]! : 0));
    for (let j = 0; j < p; j++) {
      for (let c = 0; c < m; c++) {
        const k = j * m + c;
        v[k]! += alpha[c]! * d[k]!;
        r[k]! -= alpha[c]! * q[k]!;
        s[k] = inv[j]! * r[k]!;
      }
    }
    const rsNew = colDot(r, s);
    const beta = rsNew.map((t, c) => (rs[c]! > 0 ? t / rs[c]! : 0));
    for (let j = 0; j < p; j++) for (let c = 0; c < m; c++) { const k = j * m + c; d[k] = s[k]! + beta[c]! * d[k]!; }
    rs = rsNew;
    it++;
  }
  return { v, iterations: it };
}

/** Fit V (and b) on the rows of `x` (n × p) to the targets `z` (n × m, row-major). */
export function fitRidge(x: Csr, z: Float32Array, m: number, opts: RidgeOptions): RidgeModel {
  if (z.length !== x.nRows * m) throw new RangeError(`fitRidge(): expected ${x.nRows} × ${m} targets but got ${z.length}`);
  if (!(opts.lambda > 0)) throw new RangeError(`fitRidge(): lambda must be > 0 but got ${opts.lambda}`);
  const p0 = x.nCols;
  const xb = opts.bias ? withBiasColumn(x) : x;
  const pen = penalties(xb.nCols, opts.lambda, opts.bias);
  const solver = opts.solver === 'auto' ? (xb.nCols <= CHOLESKY_MAX_FEATURES ? 'cholesky' : 'cg') : opts.solver;
  let v: Float64Array, iterations = 0;
  if (solver === 'cholesky') {
    v = solveCholesky(xb, z, m, pen);
  } else {
    ({ v, iterations } = solveCg(xb, z, m, pen, opts.maxIter ?? 500, opts.tol ?? 1e-6));
  }
  const weights = Float32Array.from(v.subarray(0, p0 * m));
  const bias = opts.bias ? Float32Array.from(v.subarray(p0 * m, (p0 + 1) * m)) : new Float32Array(m);
  return ridgeFromWeights(weights, bias, p0, m, { solver, iterations });
}
