/**
 * Projected subgradient descent for ℓ1-minimisation, min ‖x‖₁ s.t. Ax = y — the iteration the
 * ℓ1-AE decoder unrolls (Wu et al., ICML 2019, Section 3, eq. (3) and Lemma 1):
 *
 *   x(1) = A†y,   x(t+1) = x(t) − α_t·(I − A†A)·sign(x(t)),   α_t = β / t.
 *
 * (I − A†A) projects onto the null space of A, so every iterate stays feasible; with Aᵀ in
 * place of A† (Lemma 1: the two agree when A has orthonormal rows) it is the ℓ1-AE's block.
 * Pure functions over row-major Float64Arrays; `x` batches are n × d.
 *
 * The ℓ1-AE network (src/encoders/l1ae_network.ts) runs the same step on float32 tensors with a
 * learned β and a batch-normalisation after each step, and its fused native kernel
 * (src/engine/native/l1ae_fused.cc) in float32 loops; the three differ in number representation
 * and in what surrounds the step, so they stay three loops, but the schedule (α_t = β/t) and β's
 * starting value are defined here once ({@link subgradientStepSize}, {@link SUBGRADIENT_BETA}).
 */
import { Matrix, pseudoInverse } from 'ml-matrix';
import { transposeDense } from '../linalg/dense.js';
import { InvalidArgumentError } from '../errors.js';

/** A (m × d, row-major) and the matrix B (d × m, row-major) playing A† in the iteration. */
export interface SubgradientOperator {
  /** Measurements (rows of A) m. */
  readonly m: number;
  /** Signal dimension d. */
  readonly d: number;
  /** A, m × d, row-major. */
  readonly a: Float64Array;
  /** B ≈ A†, d × m, row-major. */
  readonly b: Float64Array;
}

/** The operator with the exact pseudo-inverse A† (Moore–Penrose, through an SVD). */
export function withPseudoInverse(a: Float64Array, m: number, d: number): SubgradientOperator {
  if (a.length !== m * d) throw new InvalidArgumentError('withPseudoInverse', `withPseudoInverse(): expected ${m} × ${d} = ${m * d} entries but got ${a.length}`);
  const pinv = pseudoInverse(new Matrix(Array.from({ length: m }, (_, i) => Array.from(a.subarray(i * d, (i + 1) * d)))));
  const b = new Float64Array(d * m);
  for (let i = 0; i < d; i++) for (let j = 0; j < m; j++) b[i * m + j] = pinv.get(i, j);
  return { m, d, a, b };
}

/** The operator with Aᵀ in place of A† (the ℓ1-AE's choice, exact for orthonormal rows). */
export function withTranspose(a: Float64Array, m: number, d: number): SubgradientOperator {
  if (a.length !== m * d) throw new InvalidArgumentError('withTranspose', `withTranspose(): expected ${m} × ${d} = ${m * d} entries but got ${a.length}`);
  return { m, d, a, b: transposeDense(a, m, d) };
}

/** β's starting value: the paper's initialisation of the learned β, and the fixed β of {@link projectedSubgradient}. */
export const SUBGRADIENT_BETA = 1;

/**
 * The step size α_t = β / t of step t (1-based), in the caller's number type: `div` is `/` for
 * numbers and `tf.div` for a tensor β.
 * @example subgradientStepSize(1, 4, (b, t) => b / t); // 0.25
 */
export function subgradientStepSize<S>(beta: S, t: number, div: (beta: S, t: number) => S): S {
  return div(beta, t);
}

/**
 * Recover each of the n measurement vectors y (n × m) with `steps` projected subgradient steps
 * of size β/t. Returns the n × d estimates.
 */
export function projectedSubgradient(op: SubgradientOperator, y: Float64Array, n: number, steps: number, beta = SUBGRADIENT_BETA): Float64Array {
  const { m, d, a, b } = op;
  if (y.length !== n * m) throw new InvalidArgumentError('projectedSubgradient', `projectedSubgradient(): expected ${n} × ${m} measurements but got ${y.length}`);
  const out = new Float64Array(n * d);
  const x = new Float64Array(d), s = new Float64Array(d), as = new Float64Array(m);
  for (let r = 0; r < n; r++) {
    // x(1) = B·y
    for (let i = 0; i < d; i++) {
      let v = 0;
      for (let j = 0; j < m; j++) v += b[i * m + j]! * y[r * m + j]!;
      x[i] = v;
    }
    for (let t = 1; t <= steps; t++) {
      for (let i = 0; i < d; i++) s[i] = Math.sign(x[i]!);
      for (let j = 0; j < m; j++) {
        let v = 0;
        for (let i = 0; i < d; i++) v += a[j * d + i]! * s[i]!;
        as[j] = v;
      }
      const alpha = subgradientStepSize(beta, t, (b, s) => b / s);
      // x ← x − α·(s − B·(A·s))
      for (let i = 0; i < d; i++) {
        let v = 0;
        for (let j = 0; j < m; j++) v += b[i * m + j]! * as[j]!;
        x[i] = x[i]! - alpha * (s[i]! - v);
      }
    }
    out.set(x, r * d);
  }
  return out;
}
