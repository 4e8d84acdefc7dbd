import assert from 'node:assert/strict';
import { test } from 'node:test';
import { densifyRows, fromDense, normalizeRowsL2 } from '../../src/data/csr.js';
import { aMul, atMul, meanRowNorm, normalizeDenseRows, spectralNormSquared, transposeDense } from '../../src/linalg/dense.js';
import { Rng } from '../../src/util/rng.js';

test('transposeDense: keeps the array type, fills `out`, checks sizes', () => {
  const a = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const t = transposeDense(a, 2, 3);
  assert.ok(t instanceof Float32Array);
  assert.deepEqual([...t], [1, 4, 2, 5, 3, 6]);
  const t64 = transposeDense(Float64Array.from(a), 2, 3);
  assert.ok(t64 instanceof Float64Array);
  assert.deepEqual([...transposeDense(t64, 3, 2)], [...a]);
  const out = new Float32Array(8).fill(9);
  transposeDense(a, 3, 2, out);
  assert.deepEqual([...out], [1, 3, 5, 2, 4, 6, 9, 9]);
  assert.throws(() => transposeDense(a, 2, 2), /expected 2 × 2 = 4 entries but got 6/);
  assert.throws(() => transposeDense(a, 2, 3, new Float32Array(5)), /out must hold 6/);
});

test('normalizeDenseRows: unit rows, a zero row stays zero, and the same bits as the CSR normalizeRowsL2', () => {
  const rng = new Rng(5);
  const n = 7, m = 11;
  const values = Float32Array.from({ length: n * m }, (_, i) => (i % 3 === 0 || i >= 4 * m && i < 5 * m ? 0 : rng.normal()));
  const dense = normalizeDenseRows(Float32Array.from(values), n, m);
  const viaCsr = densifyRows(normalizeRowsL2(fromDense(n, m, values)), 0, n);
  assert.deepEqual([...dense], [...viaCsr]);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += dense[i * m + j]! ** 2;
    if (i === 4) assert.equal(s, 0); else assert.ok(Math.abs(s - 1) < 1e-6);
  }
  // Float64 rows: each entry times 1/‖row‖ (3 · (1/5) is 0.6000000000000001 in float64).
  assert.deepEqual([...normalizeDenseRows(Float64Array.from([3, 4, 0, 0]), 2, 2)], [3 * (1 / 5), 4 * (1 / 5), 0, 0]);
});

test('meanRowNorm: the mean of the rows\' Euclidean norms', () => {
  assert.equal(meanRowNorm(Float32Array.from([3, 4, 0, 0, 6, 8]), 3, 2), 5);
  assert.equal(meanRowNorm(new Float32Array(0), 0, 3), 0);
});

test('aMul / atMul / spectralNormSquared on a hand-made matrix', () => {
  // A = [[3, 0], [0, 2], [0, 0]] (3 × 2): ‖A‖₂² = 9.
  const a = Float64Array.from([3, 0, 0, 2, 0, 0]);
  assert.deepEqual([...aMul(a, 3, 2, Float64Array.from([1, 1]), new Float64Array(3))], [3, 2, 0]);
  assert.deepEqual([...atMul(a, 3, 2, Float64Array.from([1, 1, 1]), new Float64Array(2))], [3, 2]);
  assert.ok(Math.abs(spectralNormSquared(a, 3, 2) - 9) < 1e-8);
  assert.equal(spectralNormSquared(new Float64Array(6), 3, 2), 0);
});
