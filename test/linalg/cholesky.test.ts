import assert from 'node:assert/strict';
import { test } from 'node:test';
import { choleskyFactorUpper, choleskySolveJs, choleskySolveUpper } from '../../src/linalg/cholesky.js';
import { leastSquaresOnSupport } from '../../src/sensing/iterative.js';
import { Rng } from '../../src/util/rng.js';

test('Cholesky: UᵀU = G, the solve inverts G, a non-positive-definite pivot is reported', () => {
  const rng = new Rng(9);
  const p = 6, m = 3;
  const r = Float64Array.from({ length: p * p }, () => rng.normal());
  const g = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) { let s = i === j ? 0.5 : 0; for (let k = 0; k < p; k++) s += r[k * p + i]! * r[k * p + j]!; g[i * p + j] = s; }
  const u = Float64Array.from(g);
  assert.equal(choleskyFactorUpper(u, p), -1);
  for (let i = 0; i < p; i++) {
    for (let j = i; j < p; j++) {
      let s = 0;
      for (let k = 0; k <= i; k++) s += u[k * p + i]! * u[k * p + j]!;
      assert.ok(Math.abs(s - g[i * p + j]!) < 1e-10 * (1 + Math.abs(g[i * p + j]!)));
    }
  }
  const b = Float64Array.from({ length: p * m }, () => rng.normal());
  const v = Float64Array.from(b);
  choleskySolveUpper(u, v, p, m);
  for (let i = 0; i < p; i++) {
    for (let c = 0; c < m; c++) {
      let s = 0;
      for (let k = 0; k < p; k++) s += g[i * p + k]! * v[k * m + c]!;
      assert.ok(Math.abs(s - b[i * m + c]!) < 1e-9);
    }
  }
  // The reciprocal form (ridge's) is the same algorithm with products by 1/pivot: choleskySolveJs.
  const u2 = Float64Array.from(g), v2 = Float64Array.from(b), v3 = Float64Array.from(b);
  assert.equal(choleskyFactorUpper(u2, p, { reciprocal: true }), -1);
  choleskySolveUpper(u2, v2, p, m, { reciprocal: true });
  choleskySolveJs(Float64Array.from(g), v3, p, m);
  assert.deepEqual([...v3], [...v2]);
  for (let i = 0; i < p * m; i++) assert.ok(Math.abs(v2[i]! - v[i]!) < 1e-9);
  assert.equal(choleskyFactorUpper(Float64Array.from([1, 2, 2, 1]), 2), 1);
  // A tiny pivot passes with minPivot 0 and fails against a relative floor.
  assert.equal(choleskyFactorUpper(Float64Array.from([1, 0, 0, 1e-14]), 2), -1);
  assert.equal(choleskyFactorUpper(Float64Array.from([1, 0, 0, 1e-14]), 2, { minPivot: 1e-12 }), 1);
});

test('leastSquaresOnSupport (sensing) solves through the shared Cholesky: exact on a consistent system, zeros when rank-deficient', () => {
  // A (3 × 4), support {0, 2}: y = 2·a0 − a2.
  const a = Float64Array.from([1, 0, 0, 5, 0, 1, 1, 5, 1, 0, 2, 5]);
  const y = Float64Array.from([2 * 1 - 0, 2 * 0 - 1, 2 * 1 - 2]);
  assert.deepEqual([...leastSquaresOnSupport(a, 3, 4, [0, 2], y)].map((v) => Math.round(v * 1e12) / 1e12), [2, -1]);
  // Columns 3 and 3 again: singular Gram matrix.
  assert.deepEqual([...leastSquaresOnSupport(a, 3, 4, [3, 3], y)], [0, 0]);
});
