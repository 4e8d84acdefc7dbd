/**
 * Ridge regression from sparse features to dense targets (stage 2 of the XMC pipeline):
 *
 *   min_{V, b} ‖X·V + 1·bᵀ − Z‖²_F + λ‖V‖²_F        X: n × p CSR, Z: n × m, V: p × m, b: m
 *
 * The bias b is the weight of an appended constant-1 feature whose penalty is 0, so it is not
 * shrunk (XᵀX + Λ stays positive definite: its quadratic form is ‖X̃u‖² + λ‖u_{1:p}‖², zero
 * only for u_{1:p} = 0 and then ‖X̃u‖² = n·u_b²).
 *
 * Three solvers, all m right-hand sides at once:
 * - `cholesky`: the normal equations (X̃ᵀX̃ + Λ)·Ṽ = X̃ᵀZ; form the float64 Gram matrix (./gram.ts),
 *   factor it (LAPACK through the native addon, or JavaScript; ../linalg/cholesky.ts). Memory
 *   p²·8 bytes, time Σ_i nnz_i²/2 + p³/3.
 * - `dual`: the same solution from the n × n system (XXᵀ + λI)·α = Z, V = Xᵀα, the bias handled
 *   exactly by centring (./dual.ts, with the derivation). Memory n²·8 bytes, time n³/3 + nnz·m.
 * - `cg`: preconditioned CG on the normal equations without forming X̃ᵀX̃ (./cg_normal.ts). Memory O((n + p)·m), time
 *   iterations × 2·nnz·m.
 */
import { type Csr } from '../data/csr.js';
import { csrMatDense, csrTMatDense } from '../engine/sparse.js';
import { type ProgressFn } from '../progress.js';
import { cgNormal } from './cg_normal.js';
import { mirrorLower, solveSpd } from '../linalg/cholesky.js';
import { gramUpper } from './gram.js';
import { dualRidgePath } from './dual.js';
import { reporter } from './report.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * Ridge solvers: `cholesky` (primal, few features), `dual` (Cholesky on the n × n system, few
 * points), `cg` (iterative, neither few) or `auto` (the first that fits: see {@link chooseSolver}).
 */
export const SOLVERS = Object.freeze(['auto', 'cholesky', 'dual', 'cg'] as const);
/** A ridge solver: `auto` (primal Cholesky for few features, dual Cholesky for few points, else conjugate gradient), `cholesky`, `dual` or `cg`. @useDeclaredType */
export type Solver = (typeof SOLVERS)[number];

/** Settings of {@link fitRidge}. */
export interface RidgeOptions {
  /** Penalty λ > 0 on the weights (not on the bias). */
  readonly lambda: number;
  /** `cholesky`, `dual`, `cg`, or `auto` ({@link chooseSolver}). */
  readonly solver: Solver;
  /** Fit a bias (intercept) per output, unpenalised. */
  readonly bias: boolean;
  /** CG: iteration limit (default {@link RIDGE_DEFAULTS}.maxIter). */
  readonly maxIter?: number;
  /**
   * CG: stop once every column's normal-equation residual ‖X̃ᵀ(z − X̃ṽ) − Λṽ‖ ≤ tol·‖X̃ᵀz‖
   * (default {@link RIDGE_DEFAULTS}.tol). The weights' error is then at most
   * tol·‖X̃ᵀz‖ / λ_min(X̃ᵀX̃ + Λ) per column (≤ tol·‖X̃ᵀz‖/λ without a bias).
   */
  readonly tol?: number;
}

/** Defaults of the optional {@link RidgeOptions}. */
export const RIDGE_DEFAULTS = Object.freeze({ maxIter: 500, tol: 1e-6 } as const);

/**
 * Above this many features (bias included) `auto` uses CG. With the native addon Cholesky is
 * faster than CG to tol 1e-6 at every p of the sweep up to 10,000, so the bound is the Gram
 * matrix's memory, p²·8 bytes (512 MB at 8,192), and its p³/3 factorisation beyond; without the
 * addon Cholesky's p³ growth meets CG near the same p, so the same bound serves. The timings:
 * eval/results/bench_regression.md and bench_regression.fallback.md
 * (`node dist/eval/bench_regression.js --sweep 2500,7500,10000`).
 */
export const CHOLESKY_MAX_FEATURES = 8192;

/**
 * Above this many training points (and above {@link CHOLESKY_MAX_FEATURES} features) `auto`
 * uses CG rather than the dual. The n × n Gram matrix takes n²·8 bytes: 4.5 GiB at 24,576
 * (Wiki10-31K's 14,146 points: 1.5 GiB); the n³/3 factorisation there is ~5·10¹² flops, about a
 * minute for LAPACK on this machine's 2 cores, where CG on TF-IDF text is the slow alternative:
 * on Debtags' 21,896-point validation split (178,581 word 1–2-gram features) CG ran for over ten
 * minutes without finishing, as the bound was 16,384 (Wiki10-31K shape: see eval/README.md,
 * `node dist/eval/bench_regression.js --problems wiki10-31k-like`).
 */
export const DUAL_MAX_POINTS = 24576;

/**
 * The solver `auto` stands for, for n points and p features (bias column included): primal
 * Cholesky if p ≤ {@link CHOLESKY_MAX_FEATURES}, else the dual if n ≤ {@link DUAL_MAX_POINTS},
 * else CG. Any other solver is returned as given.
 * @example chooseSolver('auto', 14146, 101939) // 'dual'
 */
export function chooseSolver(solver: Solver, n: number, p: number): Exclude<Solver, 'auto'> {
  if (solver !== 'auto') return solver;
  if (p <= CHOLESKY_MAX_FEATURES) return 'cholesky';
  return n <= DUAL_MAX_POINTS ? 'dual' : 'cg';
}

/** How a {@link RidgeModel} was fitted. */
export interface RidgeInfo {
  readonly solver: Exclude<Solver, 'auto'>;
  /** CG iterations (0 for Cholesky and the dual). */
  readonly iterations: number;
  /** CG: whether every column reached the tolerance (Cholesky, dual: true). */
  readonly converged?: boolean;
  /** CG: the largest relative normal-equation residual at the end. */
  readonly relResidual?: number;
}

/** A fitted ridge regressor z = Vᵀx + b. */
export interface RidgeModel {
  /** V, p × m row-major. */
  readonly weights: Float32Array;
  /** b, length m (zeros without a bias). */
  readonly bias: Float32Array;
  /** p. */
  readonly nFeatures: number;
  /** Output dimension m. */
  readonly dim: number;
  /**
   * Outputs X·V + 1·bᵀ (n × m row-major) for the rows of `x`; x may have fewer columns than
   * the model (the missing features count as 0), not more.
   * @throws InvalidArgumentError when x has more columns than the model has features.
   */
  predict(x: Csr): Float32Array;
  /** Which solver produced it. */
  readonly info: RidgeInfo;
}

/**
 * A model from its weights (p × m) and bias (m), e.g. read back from a saved model.
 * @example const same = ridgeFromWeights(model.weights, model.bias, model.nFeatures, model.dim);
 */
export function ridgeFromWeights(weights: Float32Array, bias: Float32Array, nFeatures: number, dim: number,
  info: RidgeInfo = { solver: 'cholesky', iterations: 0 }): RidgeModel {
  if (weights.length !== nFeatures * dim) throw new InvalidArgumentError('ridgeFromWeights', `ridgeFromWeights(): expected ${nFeatures} × ${dim} weights but got ${weights.length}`);
  if (bias.length !== dim) throw new InvalidArgumentError('ridgeFromWeights', `ridgeFromWeights(): expected ${dim} biases but got ${bias.length}`);
  return {
    weights, bias, nFeatures, dim, info,
    predict(x: Csr): Float32Array {
      if (x.nCols > nFeatures) throw new InvalidArgumentError('RidgeModel.predict', `RidgeModel.predict(): the rows have ${x.nCols} features but the model has ${nFeatures}`);
      const out = csrMatDense({ ...x, nCols: nFeatures }, weights, dim);
      for (let i = 0; i < x.nRows; i++) for (let j = 0; j < dim; j++) out[i * dim + j]! += bias[j]!;
      return out;
    },
  };
}

/** X with a constant-1 column appended (index p). */
function withBiasColumn(x: Csr): Csr {
  const n = x.nRows, nz = x.rowPtr[n]!;
  const rowPtr = new Int32Array(n + 1), indices = new Int32Array(nz + n), values = new Float32Array(nz + n);
  let q = 0;
  for (let i = 0; i < n; i++) {
    const s = x.rowPtr[i]!, e = x.rowPtr[i + 1]!;
    indices.set(x.indices.subarray(s, e), q);
    values.set(x.values.subarray(s, e), q);
    q += e - s;
    indices[q] = x.nCols; values[q++] = 1;
    rowPtr[i + 1] = q;
  }
  return { nRows: n, nCols: x.nCols + 1, rowPtr, indices, values };
}

function checkOptions(x: Csr, z: Float32Array, m: number, opts: RidgeOptions): void {
  if (!Number.isInteger(m) || m < 1) throw new InvalidArgumentError('fitRidge', `fitRidge(): m must be a positive integer but got ${m}`);
  if (z.length !== x.nRows * m) throw new InvalidArgumentError('fitRidge', `fitRidge(): expected ${x.nRows} × ${m} = ${x.nRows * m} targets but got ${z.length}`);
  if (!(opts.lambda > 0) || !Number.isFinite(opts.lambda)) throw new InvalidArgumentError('fitRidge', `fitRidge(): lambda must be > 0 but got ${opts.lambda}`);
  if (!SOLVERS.includes(opts.solver)) throw new InvalidArgumentError('fitRidge', `fitRidge(): solver must be one of ${SOLVERS.map((s) => `'${s}'`).join(', ')} but got '${String(opts.solver)}'`);
  if (opts.maxIter !== undefined && !(Number.isInteger(opts.maxIter) && opts.maxIter >= 1)) throw new InvalidArgumentError('fitRidge', `fitRidge(): maxIter must be a positive integer but got ${opts.maxIter}`);
  if (opts.tol !== undefined && !(opts.tol >= 0 && opts.tol < 1)) throw new InvalidArgumentError('fitRidge', `fitRidge(): tol must be in [0, 1) but got ${opts.tol}`);
}

/**
 * Fit V (and b) on the rows of `x` (n × p) to the targets `z` (n × m, row-major).
 * @param onProgress receives `start` / `progress` (Gram rows, or CG iterations) / `done` events.
 * @throws InvalidArgumentError on mismatched shapes or bad options.
 * @example
 * const model = fitRidge(x, z, 100, { lambda: 1, solver: 'auto', bias: true });
 * const zHat = model.predict(xTest); // xTest.nRows × 100
 */
export function fitRidge(x: Csr, z: Float32Array, m: number, opts: RidgeOptions, onProgress?: ProgressFn): RidgeModel {
  checkOptions(x, z, m, opts);
  return ridgePath(x, z, m, opts, onProgress).fit(opts.lambda);
}

/** One ridge problem fitted for several penalties: {@link ridgePath}. */
export interface RidgePath {
  /** The solver `auto` stood for. */
  readonly solver: Exclude<Solver, 'auto'>;
  /** The model for penalty λ > 0: the same numbers as {@link fitRidge} with that λ. @throws InvalidArgumentError for a bad λ or a matrix that is not positive definite. */
  fit(lambda: number): RidgeModel;
}

/**
 * The ridge problem of {@link fitRidge} prepared for several penalties λ (a held-out choice of λ):
 * the Cholesky solvers form their Gram matrix (XᵀX, or the dual's XXᵀ) and the right-hand sides
 * once and factor them once per λ; CG starts afresh for each λ. The Gram matrix stays in memory
 * until the path is dropped.
 * @param opts the options of {@link fitRidge} (its `lambda`, if given, is not used).
 * @param onProgress the Gram rows' progress, and each CG fit's.
 * @example const path = ridgePath(x, z, 100, { solver: 'auto', bias: true }); const models = [1, 10].map((l) => path.fit(l));
 */
export function ridgePath(x: Csr, z: Float32Array, m: number, opts: Omit<RidgeOptions, 'lambda'>, onProgress?: ProgressFn): RidgePath {
  checkOptions(x, z, m, { ...opts, lambda: 1 });
  const p0 = x.nCols;
  const solver = chooseSolver(opts.solver, x.nRows, opts.bias ? p0 + 1 : p0);
  const checkLambda = (lambda: number): void => checkOptions(x, z, m, { ...opts, lambda });
  if (solver === 'dual') {
    const rep = reporter(onProgress, `ridge regression: dual Gram matrix and Cholesky (${x.nRows} points)`, x.nRows);
    const solve = dualRidgePath(x, z, m, opts.bias, rep.tick);
    let solves = 0;
    return {
      solver,
      fit(lambda: number): RidgeModel {
        checkLambda(lambda);
        const v = notPositiveDefinite(lambda, () => solve(lambda));
        if (solves++ === 0) rep.end('dual cholesky');
        return fromStacked(v, p0, m, opts.bias, { solver, iterations: 0, converged: true });
      },
    };
  }
  const xb = opts.bias ? withBiasColumn(x) : x;
  const p = xb.nCols;
  const penalties = (lambda: number): Float64Array => {
    const pen = new Float64Array(p).fill(lambda);
    if (opts.bias) pen[p - 1] = 0;
    return pen;
  };
  if (solver === 'cholesky') {
    const rep = reporter(onProgress, `ridge regression: Gram matrix and Cholesky (${p} features)`, p);
    const g = gramUpper(xb, rep.tick);
    // solveSpd leaves the Gram matrix in the strict lower triangle: restored from it before every
    // solve but the first (the diagonal from diag).
    const diag = new Float64Array(p);
    for (let j = 0; j < p; j++) diag[j] = g[j * p + j]!;
    const rhs = Float64Array.from(csrTMatDense(xb, z, m));
    let solves = 0;
    return {
      solver,
      fit(lambda: number): RidgeModel {
        checkLambda(lambda);
        if (solves++ > 0) mirrorLower(g, p);
        const pen = penalties(lambda);
        for (let j = 0; j < p; j++) g[j * p + j] = diag[j]! + pen[j]!;
        const v = rhs.slice();
        notPositiveDefinite(lambda, () => solveSpd(g, v, p, m));
        if (solves === 1) rep.end('cholesky');
        return fromStacked(v, p0, m, opts.bias, { solver, iterations: 0, converged: true });
      },
    };
  }
  return {
    solver,
    fit(lambda: number): RidgeModel {
      checkLambda(lambda);
      const maxIter = opts.maxIter ?? RIDGE_DEFAULTS.maxIter;
      const rep = reporter(onProgress, `ridge regression: CG (${p} features)`, maxIter);
      const r = cgNormal(xb, z, m, penalties(lambda), maxIter, opts.tol ?? RIDGE_DEFAULTS.tol, rep.tick);
      rep.end(`${r.iterations} iterations, relative residual ${r.relResidual.toExponential(2)}${r.converged ? '' : ' (not converged)'}`);
      return fromStacked(r.v, p0, m, opts.bias, { solver, iterations: r.iterations, converged: r.converged, relResidual: r.relResidual });
    },
  };
}

/** Runs a solve; a matrix that is not positive definite becomes an error that says to raise λ. */
function notPositiveDefinite<T>(lambda: number, solve: () => T): T {
  try {
    return solve();
  } catch (e) {
    throw new InvalidArgumentError('fitRidge', `fitRidge(): XᵀX + λI is not numerically positive definite (${(e as Error).message}); raise lambda (now ${lambda})`);
  }
}

/** The model from the stacked float64 solution [V; bᵀ] ((p + 1) × m with a bias, else p × m). */
function fromStacked(v: Float64Array, p: number, m: number, bias: boolean, info: RidgeInfo): RidgeModel {
  const weights = Float32Array.from(v.subarray(0, p * m));
  const b = bias ? Float32Array.from(v.subarray(p * m, (p + 1) * m)) : new Float32Array(m);
  return ridgeFromWeights(weights, b, p, m, info);
}
