import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromDense } from '../../src/data/csr.js';
import { nativeAddon } from '../../src/engine/addon.js';
import { solveSpd } from '../../src/linalg/cholesky.js';
import { gram, gramUpper } from '../../src/regression/gram.js';
import { maxDiff, problem } from './problems.js';

test('gram: XᵀX by hand, and equal to the dense product on a random matrix with empty rows and columns', () => {
  assert.deepEqual(Array.from(gram(fromDense(2, 3, [1, 0, 2, 0, 3, 1]))), [1, 0, 2, 0, 9, 3, 2, 3, 5]);
  const n = 70, p = 33;
  const { x, xd } = problem(n, p, 1, 0.1, 2);
  const ref = new Float64Array(p * p);
  for (let i = 0; i < n; i++) for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) ref[a * p + b]! += xd[i * p + a]! * xd[i * p + b]!;
  assert.ok(maxDiff(gram(x), ref) < 1e-12);
  const up = gramUpper(x);
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) assert.equal(up[a * p + b], b >= a ? gram(x)[a * p + b] : 0);
});

test('solveSpd: the JavaScript Cholesky fallback equals the native LAPACK solve', (t) => {
  if (!nativeAddon().addon) { t.skip(`the native addon is not loaded (${nativeAddon().error})`); return; }
  const p = 90, m = 5;
  const { x, z } = problem(200, p, m, 0.1, 12);
  const g = gramUpper(x);
  for (let j = 0; j < p; j++) g[j * p + j]! += 0.3;
  const b = new Float64Array(p * m).map((_, i) => z[i]!);
  const bJs = Float64Array.from(b), bNative = Float64Array.from(b);
  solveSpd(Float64Array.from(g), bJs, p, m, false);
  solveSpd(Float64Array.from(g), bNative, p, m, true);
  const scale = Math.max(...bNative.map(Math.abs));
  assert.ok(maxDiff(bJs, bNative) < 1e-10 * scale, `differ by ${maxDiff(bJs, bNative)}`);
  // Not positive definite: both refuse.
  for (const native of [false, true]) assert.throws(() => solveSpd(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]), 2, 1, native), /not positive definite/);
});
