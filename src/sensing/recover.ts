/**
 * One entry point to every recovery algorithm of the compressed-sensing core: given a
 * measurement matrix and the measurements of n vectors, return the n estimates. Used by the
 * `xmlc recover` command and the eval/ reproduction of the ℓ1-AE paper's recovery results.
 */
import { type ProgressFn, task } from '../progress.js';
import { cosamp, fista, iht, modelCosamp, omp, type SparsityModel } from './iterative.js';
import { type MeasurementMatrix } from './matrices.js';
import { l1Min, l1MinPos } from './simplex.js';
import { projectedSubgradient, withPseudoInverse } from './subgradient.js';

/** The recovery algorithms, by their command-line names. */
export const RECOVERY_METHODS = Object.freeze([
  'l1-min-pos', 'l1-min', 'subgradient', 'iht', 'cosamp', 'model-cosamp', 'model-cosamp-pos', 'omp', 'ista', 'l1ae',
] as const);
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
  readonly onProgress?: ProgressFn;
}

/** Points per progress tick (and per call of the batched algorithms). */
const CHUNK = 32;

/** Default projected-subgradient steps. */
export const SUBGRADIENT_STEPS = 1000;

function need<T>(value: T | undefined, method: RecoveryMethod, what: string): T {
  if (value === undefined) throw new RangeError(`recovery '${method}' needs ${what}`);
  return value;
}

/**
 * Recover the n vectors whose measurements are the rows of `y` (n × m) with `method`.
 * Returns the n × d estimates (row-major float64).
 * @throws RangeError on bad sizes or a missing setting the method needs.
 */
export async function recover(method: RecoveryMethod, matrix: MeasurementMatrix, y: Float64Array, n: number, options: RecoveryOptions = {}): Promise<Float64Array> {
  const { m, d, a } = matrix;
  if (y.length !== n * m) throw new RangeError(`recover(): expected ${n} × ${m} measurements but got ${y.length} values`);
  const out = new Float64Array(n * d);
  let solve: (ys: Float64Array, count: number) => Float64Array;
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
      if (enc.dim !== m || enc.nLabels !== d) throw new RangeError(`recovery 'l1ae' needs an ℓ1-AE of ${m} × ${d} but got ${enc.dim} × ${enc.nLabels}`);
      solve = (ys, c) => Float64Array.from(enc.decode(Float32Array.from(ys), c));
      break;
    }
    default: throw new RangeError(`unknown recovery method '${method as string}'`);
  }
  const chunk = method === 'l1ae' ? 1024 : CHUNK;
  await task(options.onProgress, `recover (${method})`, n, async (tick) => {
    for (let s = 0; s < n; s += chunk) {
      const e = Math.min(n, s + chunk);
      out.set(solve(y.subarray(s * m, e * m), e - s), s * d);
      tick(e);
      // Let the event loop breathe between chunks (progress drawing, signals).
      if (e < n) await new Promise((r) => setImmediate(r));
    }
  });
  return out;
}

/** Exact-recovery fraction (‖x − x̂‖₂ ≤ eps per point) and RMSE = √(mean over points of ‖x − x̂‖₂²), as in the ℓ1-AE authors' code (utils.py). */
export function recoveryStats(x: Float64Array, xHat: Float64Array, n: number, d: number, eps = 1e-10): { exactFraction: number; rmse: number } {
  if (x.length !== n * d || xHat.length !== n * d) throw new RangeError(`recoveryStats(): expected two ${n} × ${d} arrays but got ${x.length} and ${xHat.length} values`);
  let exact = 0, sq = 0;
  for (let r = 0; r < n; r++) {
    let e = 0;
    for (let j = r * d; j < (r + 1) * d; j++) e += (x[j]! - xHat[j]!) ** 2;
    if (Math.sqrt(e) <= eps) exact++;
    sq += e;
  }
  return { exactFraction: n ? exact / n : NaN, rmse: n ? Math.sqrt(sq / n) : NaN };
}
