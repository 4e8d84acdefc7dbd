/**
 * One entry point to every recovery algorithm of the compressed-sensing core: given a
 * measurement matrix and the measurements of n vectors, return the n estimates. Used by the
 * `xmlc recover` command and the eval/ reproduction of the ℓ1-AE paper's recovery results.
 */
import { type Csr, sliceRows } from '../data/csr.js';
import { type ProgressFn, task } from '../progress.js';
import { iht } from './iht.js';
import { cosamp, fista, modelCosamp, omp, type SparsityModel } from './iterative.js';
import { type MeasurementMatrix, measureRows } from './matrices.js';
import { l1Min, l1MinPos } from './simplex.js';
import { projectedSubgradient, withPseudoInverse } from './subgradient.js';
import { InvalidArgumentError } from '../errors.js';

/** The recovery algorithms, by their command-line names. */
export const RECOVERY_METHODS = Object.freeze([
  'l1-min-pos', 'l1-min', 'subgradient', 'iht', 'cosamp', 'model-cosamp', 'model-cosamp-pos', 'omp', 'ista', 'l1ae',
] as const);
/**
 * A recovery algorithm's name (one of {@link RECOVERY_METHODS}).
 * @useDeclaredType
 */
export type RecoveryMethod = (typeof RECOVERY_METHODS)[number];

/**
 * A trained decoder from m measurements back to d-vectors: the ℓ1-AE's unrolled decoder
 * (`L1aeEncoder` in src/encoders/l1ae.ts), passed in so that sensing does not depend on encoders.
 */
export interface MeasurementDecoder {
  /** m: the number of measurements it decodes. */
  readonly dim: number;
  /** d: the dimension of the vectors it returns. */
  readonly nLabels: number;
  /** The n × d estimates from n × m measurements (row-major). */
  decode(z: Float32Array, n: number): Float32Array;
}

/** Settings some of the algorithms need. */
export interface RecoveryOptions {
  /** Sparsity k: IHT, CoSaMP, OMP. */
  readonly sparsity?: number;
  /** Sparsity model: model-based CoSaMP. */
  readonly model?: SparsityModel;
  /** LASSO weight λ: ISTA (solved by FISTA). */
  readonly lambda?: number;
  /** Projected subgradient steps (with the exact pseudo-inverse A†). */
  readonly steps?: number;
  /** The trained ℓ1-AE whose unrolled decoder `l1ae` runs (its A must be the matrix). */
  readonly l1ae?: MeasurementDecoder;
  /** Receives progress, counted in points recovered. */
  readonly onProgress?: ProgressFn;
}

/** Points per progress tick (and per call of the batched algorithms). */
const CHUNK = 32;

/** Default projected-subgradient steps. */
export const SUBGRADIENT_STEPS = 1000;

function need<T>(value: T | undefined, method: RecoveryMethod, what: string): T {
  if (value === undefined) throw new InvalidArgumentError('recover', `recovery '${method}' needs ${what}`);
  return value;
}

/** A batch solver: the estimates (count × d) of `count` measurement vectors (count × m). */
type BatchSolve = (ys: Float64Array, count: number) => Float64Array;

/** The solver of `method` for `matrix`, and the points it takes per call. */
function solverFor(method: RecoveryMethod, matrix: MeasurementMatrix, options: RecoveryOptions): { solve: BatchSolve; chunk: number } {
  const { m, d, a } = matrix;
  let solve: BatchSolve;
  switch (method) {
    case 'l1-min-pos': solve = (ys, c) => l1MinPos(a, m, d, ys, c).x; break;
    case 'l1-min': solve = (ys, c) => l1Min(a, m, d, ys, c).x; break;
    case 'subgradient': {
      const op = withPseudoInverse(a, m, d);
      const steps = options.steps ?? SUBGRADIENT_STEPS;
      solve = (ys, c) => projectedSubgradient(op, ys, c, steps);
      break;
    }
    case 'iht': { const k = need(options.sparsity, method, 'a sparsity k'); solve = (ys, c) => iht(a, m, d, ys, c, { sparsity: k }); break; }
    case 'cosamp': { const k = need(options.sparsity, method, 'a sparsity k'); solve = (ys, c) => cosamp(a, m, d, ys, c, { sparsity: k }); break; }
    case 'omp': { const k = need(options.sparsity, method, 'a sparsity k'); solve = (ys, c) => omp(a, m, d, ys, c, { sparsity: k }); break; }
    case 'model-cosamp':
    case 'model-cosamp-pos': {
      const model = need(options.model, method, 'a sparsity model (block size and number of blocks)');
      const positive = method === 'model-cosamp-pos';
      solve = (ys, c) => modelCosamp(a, m, d, ys, c, { model, positive });
      break;
    }
    case 'ista': { const lambda = need(options.lambda, method, 'a LASSO weight λ'); solve = (ys, c) => fista(a, m, d, ys, c, { lambda }).x; break; }
    case 'l1ae': {
      const enc = need(options.l1ae, method, 'a trained ℓ1-AE');
      if (enc.dim !== m || enc.nLabels !== d) throw new InvalidArgumentError('recover', `recovery 'l1ae' needs an ℓ1-AE of ${m} × ${d} but got ${enc.dim} × ${enc.nLabels}`);
      solve = (ys, c) => Float64Array.from(enc.decode(Float32Array.from(ys), c));
      break;
    }
    default: throw new InvalidArgumentError('recover', `unknown recovery method '${method as string}'`);
  }
  return { solve, chunk: method === 'l1ae' ? 1024 : CHUNK };
}

/**
 * Run `step(s, e)` over the chunks [s, e) of n points inside one progress task, letting the event
 * loop breathe between chunks (progress drawing, signals).
 */
async function overChunks(options: RecoveryOptions, method: RecoveryMethod, n: number, chunk: number, step: (s: number, e: number) => void): Promise<void> {
  await task(options.onProgress, `recover (${method})`, n, async (tick) => {
    for (let s = 0; s < n; s += chunk) {
      const e = Math.min(n, s + chunk);
      step(s, e);
      tick(e);
      if (e < n) await new Promise((r) => setImmediate(r));
    }
  });
}

/**
 * Recover the n vectors whose measurements are the rows of `y` (n × m) with `method`.
 * Returns the n × d estimates (row-major float64).
 * @throws InvalidArgumentError on bad sizes or a missing setting the method needs.
 */
export async function recover(method: RecoveryMethod, matrix: MeasurementMatrix, y: Float64Array, n: number, options: RecoveryOptions = {}): Promise<Float64Array> {
  const { m, d } = matrix;
  if (y.length !== n * m) throw new InvalidArgumentError('recover', `recover(): expected ${n} × ${m} measurements but got ${y.length} values`);
  const out = new Float64Array(n * d);
  const { solve, chunk } = solverFor(method, matrix, options);
  await overChunks(options, method, n, chunk, (s, e) => out.set(solve(y.subarray(s * m, e * m), e - s), s * d));
  return out;
}

/** Exact-recovery fraction and RMSE, as {@link recoveryStats} returns them. */
export interface RecoveryStats {
  /** Fraction of points recovered exactly (‖x − x̂‖₂ ≤ eps), in [0, 1]; NaN for no points. */
  readonly exactFraction: number;
  /** √(mean over points of ‖x − x̂‖₂²); NaN for no points. */
  readonly rmse: number;
}

/** Running sums of {@link recoveryStats} over points added in order. */
class StatsTally {
  private exact = 0;
  private sq = 0;
  private n = 0;
  constructor(private readonly eps: number) {}
  /** Add the point whose true vector is x[xOff, xOff + d) and estimate xHat[hOff, hOff + d). */
  add(x: ArrayLike<number>, xOff: number, xHat: Float64Array, hOff: number, d: number): void {
    let e = 0;
    for (let j = 0; j < d; j++) e += (x[xOff + j]! - xHat[hOff + j]!) ** 2;
    if (Math.sqrt(e) <= this.eps) this.exact++;
    this.sq += e;
    this.n++;
  }
  result(): RecoveryStats {
    const n = this.n;
    return { exactFraction: n ? this.exact / n : NaN, rmse: n ? Math.sqrt(this.sq / n) : NaN };
  }
}

/** Exact-recovery fraction (‖x − x̂‖₂ ≤ eps per point) and RMSE = √(mean over points of ‖x − x̂‖₂²), as in the ℓ1-AE authors' code (utils.py). */
export function recoveryStats(x: Float64Array, xHat: Float64Array, n: number, d: number, eps = 1e-10): RecoveryStats {
  if (x.length !== n * d || xHat.length !== n * d) throw new InvalidArgumentError('recoveryStats', `recoveryStats(): expected two ${n} × ${d} arrays but got ${x.length} and ${xHat.length} values`);
  const tally = new StatsTally(eps);
  for (let r = 0; r < n; r++) tally.add(x, r * d, xHat, r * d, d);
  return tally.result();
}

/**
 * Measure the rows of `x` (sparse, n × d) with `matrix`, recover them with `method` and score
 * the estimates ({@link recoveryStats}), chunk by chunk: memory stays O(chunk · d) however many
 * rows `x` has, and the result equals measuring all rows, {@link recover} and
 * {@link recoveryStats} on the dense rows.
 * @throws InvalidArgumentError on bad sizes or a missing setting the method needs.
 */
export async function recoverRows(method: RecoveryMethod, matrix: MeasurementMatrix, x: Csr, options: RecoveryOptions = {}, eps = 1e-10): Promise<RecoveryStats> {
  const d = matrix.d;
  if (x.nCols !== d) throw new InvalidArgumentError('recoverRows', `recoverRows(): the vectors have dimension ${x.nCols} but the matrix measures dimension ${d}`);
  const { solve, chunk } = solverFor(method, matrix, options);
  const tally = new StatsTally(eps), row = new Float64Array(d);
  await overChunks(options, method, x.nRows, chunk, (s, e) => {
    const block = sliceRows(x, s, e);
    const xHat = solve(measureRows(matrix, block), e - s);
    for (let r = 0; r < e - s; r++) {
      for (let p = block.rowPtr[r]!; p < block.rowPtr[r + 1]!; p++) row[block.indices[p]!] = block.values[p]!;
      tally.add(row, 0, xHat, r * d, d);
      for (let p = block.rowPtr[r]!; p < block.rowPtr[r + 1]!; p++) row[block.indices[p]!] = 0;
    }
  });
  return tally.result();
}
