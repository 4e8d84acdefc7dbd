import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { type Rng } from '../src/util/rng.js';

/** Settings of {@link checkGradients}. */
export interface GradCheckOptions {
  /** Finite-difference step. */
  readonly eps: number;
  /** Coordinates drawn per variable (with replacement); all of them when absent. */
  readonly perVariable?: number;
  /** Draws the coordinates (needed with `perVariable`). */
  readonly rng?: Rng;
  /** Accept |fd − g| ≤ tol·max(floor, |fd|). */
  readonly tol: number;
  readonly floor: number;
  /**
   * Skip coordinates where the loss has a kink within ±eps (a sign flip, a ReLU or threshold
   * crossing, a top-M change): the one-sided slopes r, l differ by more than
   * kinkTol·max(kinkFloor, |r| + |l|). Absent: every coordinate is checked (a smooth loss).
   */
  readonly kink?: { readonly tol: number; readonly floor: number };
  /** Prefix of failure messages. */
  readonly label?: string;
}

/**
 * Compare tfjs's gradient of `loss` with respect to `vars` against central finite differences,
 * one coordinate at a time (each variable is restored afterwards). A variable the loss does not
 * use has gradient zero. Returns the number of coordinates compared.
 */
export function checkGradients(loss: () => tf.Scalar, vars: tf.Variable[], opts: GradCheckOptions): number {
  const { value, grads } = tf.variableGrads(loss, vars);
  const f = (): number => tf.tidy(() => loss().dataSync()[0]!);
  const { eps } = opts;
  let checked = 0;
  try {
    for (const variable of vars) {
      const g = grads[variable.name]?.dataSync() ?? new Float32Array(variable.size);
      const base = Float32Array.from(variable.dataSync());
      const set = (w: Float32Array): void => { const t = tf.tensor(w, variable.shape); variable.assign(t); t.dispose(); };
      const count = opts.perVariable === undefined ? base.length : Math.min(opts.perVariable, base.length);
      for (let trial = 0; trial < count; trial++) {
        const k = opts.perVariable === undefined ? trial : opts.rng!.int(base.length);
        const at = (delta: number): number => { const w = Float32Array.from(base); w[k]! += delta; set(w); return f(); };
        const fp = at(eps), fm = at(-eps);
        const f0 = opts.kink ? at(0) : NaN;
        set(base);
        if (opts.kink) {
          const right = (fp - f0) / eps, left = (f0 - fm) / eps;
          if (Math.abs(right - left) > opts.kink.tol * Math.max(opts.kink.floor, Math.abs(right) + Math.abs(left))) continue;
        }
        const fd = (fp - fm) / (2 * eps);
        assert.ok(Math.abs(fd - g[k]!) <= opts.tol * Math.max(opts.floor, Math.abs(fd)), `${opts.label ?? ''}${variable.name}[${k}]: analytic ${g[k]} vs finite difference ${fd}`);
        checked++;
      }
    }
  } finally {
    tf.dispose([value, ...Object.values(grads)]);
  }
  return checked;
}
