import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Csr } from '../../src/data/csr.js';
import { LinearEncoder } from '../../src/encoders/baselines.js';
import { matrixFromEncoder } from '../../src/model/learned_matrix.js';
import { fourierMatrix, gaussianMatrix, lbcsMatrix, measureRows, pcaMatrix } from '../../src/sensing/matrices.js';
import { Rng } from '../../src/util/rng.js';
import { InvalidArgumentError } from '../../src/errors.js';

/** Random sparse non-negative rows as CSR. */
function sparseRows(n: number, d: number, k: number, seed: number): Csr {
  const rng = new Rng(seed);
  const rowPtr = new Int32Array(n + 1), indices: number[] = [], values: number[] = [];
  for (let r = 0; r < n; r++) {
    const idx = rng.shuffle(Array.from({ length: d }, (_, i) => i)).slice(0, k).sort((a, b) => a - b);
    for (const i of idx) { indices.push(i); values.push(0.1 + rng.next()); }
    rowPtr[r + 1] = indices.length;
  }
  return { nRows: n, nCols: d, rowPtr, indices: Int32Array.from(indices), values: Float32Array.from(values) };
}

/** A·Aᵀ of an m × d row-major matrix. */
function gram(a: Float64Array, m: number, d: number): Float64Array {
  const g = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) { let s = 0; for (let t = 0; t < d; t++) s += a[i * d + t]! * a[j * d + t]!; g[i * m + j] = s; }
  return g;
}

test('gaussianMatrix: seeded, entries of variance 1/m', () => {
  const a = gaussianMatrix(40, 500, 3);
  assert.deepEqual(a.a, gaussianMatrix(40, 500, 3).a);
  assert.notDeepEqual(a.a, gaussianMatrix(40, 500, 4).a);
  const v = a.a.reduce((s, x) => s + x * x, 0) / a.a.length;
  assert.ok(Math.abs(v * 40 - 1) < 0.03, `variance × m = ${v * 40}`);
  assert.throws(() => gaussianMatrix(0, 10, 1), InvalidArgumentError);
});

test('fourierMatrix: distinct DFT rows, so A·Aᵀ = (d/m)·I exactly; odd m drops one sine row', () => {
  for (const [m, d] of [[20, 100], [7, 64], [31, 1000]] as const) {
    const { a } = fourierMatrix(m, d, 5);
    const g = gram(a, m, d);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) {
      assert.ok(Math.abs(g[i * m + j]! - (i === j ? d / m : 0)) < 1e-9, `(${i},${j}) = ${g[i * m + j]} for m=${m}, d=${d}`);
    }
  }
  // Row 0 is cos(2πkj/d): its first entry is √(2/m).
  assert.ok(Math.abs(fourierMatrix(10, 50, 1).a[0]! - Math.sqrt(2 / 10)) < 1e-15);
  assert.throws(() => fourierMatrix(12, 10, 1), /distinct frequencies/);
});

test('pcaMatrix: orthonormal rows spanning the data when the data has rank m', () => {
  // Rows supported on 3 fixed coordinates' combinations: rank ≤ 3 in d = 30.
  const d = 30, n = 60, rng = new Rng(9);
  const basis = [[1, 2, 3], [4, 5, 6], [7, 8, 10]];
  const rowPtr = new Int32Array(n + 1), indices: number[] = [], values: number[] = [];
  for (let r = 0; r < n; r++) {
    const c = [rng.next(), rng.next(), rng.next()];
    const dense = new Float64Array(d);
    basis.forEach((cols, b) => cols.forEach((col) => { dense[col] = dense[col]! + c[b]! * (b + 1); }));
    for (let j = 0; j < d; j++) if (dense[j] !== 0) { indices.push(j); values.push(dense[j]!); }
    rowPtr[r + 1] = indices.length;
  }
  const x: Csr = { nRows: n, nCols: d, rowPtr, indices: Int32Array.from(indices), values: Float32Array.from(values) };
  const m = 3;
  const p = pcaMatrix(x, m, 1);
  const g = gram(p.a, m, d);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) assert.ok(Math.abs(g[i * m + j]! - (i === j ? 1 : 0)) < 1e-5);
  // Every data row lies in the span: ‖Aᵀ(A·x)‖ = ‖x‖.
  const y = measureRows(p, x);
  for (let r = 0; r < n; r++) {
    let nx = 0, ny = 0;
    for (let q = x.rowPtr[r]!; q < x.rowPtr[r + 1]!; q++) nx += x.values[q]! ** 2;
    for (let i = 0; i < m; i++) ny += y[r * m + i]! ** 2;
    assert.ok(Math.abs(Math.sqrt(ny) / Math.sqrt(nx) - 1) < 1e-4, `row ${r}: ‖Ax‖ = ${Math.sqrt(ny)} but ‖x‖ = ${Math.sqrt(nx)}`);
  }
});

test('lbcsMatrix: keeps the m basis rows of most training energy, in basis order', () => {
  const d = 40, m = 6, seed = 11;
  const x = sparseRows(50, d, 4, 2);
  const l = lbcsMatrix(x, m, seed);
  // The basis: d Gaussian rows N(0, 1/m) drawn in order from Rng(seed).
  const rng = new Rng(seed);
  const basis = Float64Array.from({ length: d * d }, () => Math.fround(rng.normal() / Math.sqrt(m)));
  const norms = new Float64Array(x.nRows);
  for (let r = 0; r < x.nRows; r++) for (let q = x.rowPtr[r]!; q < x.rowPtr[r + 1]!; q++) norms[r] = norms[r]! + x.values[q]! ** 2;
  const energy = Array.from({ length: d }, (_, i) => {
    let e = 0;
    for (let r = 0; r < x.nRows; r++) {
      let v = 0;
      for (let q = x.rowPtr[r]!; q < x.rowPtr[r + 1]!; q++) v += basis[i * d + x.indices[q]!]! * x.values[q]! / Math.sqrt(norms[r]!);
      e += v * v;
    }
    return e;
  });
  const expected = Array.from({ length: d }, (_, i) => i).sort((i, j) => energy[j]! - energy[i]!).slice(0, m).sort((i, j) => i - j);
  expected.forEach((row, k) => {
    for (let j = 0; j < d; j++) assert.equal(l.a[k * d + j], basis[row * d + j], `kept row ${k} should be basis row ${row}`);
  });
  assert.throws(() => lbcsMatrix(x, d + 1, 1), InvalidArgumentError);
});

test('matrixFromEncoder and measureRows: y = A·x row by row', () => {
  const enc = LinearEncoder.gaussian(25, 5, 7);
  const mat = matrixFromEncoder(enc);
  assert.equal(mat.m, 5);
  assert.equal(mat.d, 25);
  assert.deepEqual(mat.a, Float64Array.from(enc.state().arrays['a']!));
  const x = sparseRows(4, 25, 3, 1);
  const y = measureRows(mat, x);
  for (let r = 0; r < 4; r++) for (let i = 0; i < 5; i++) {
    let s = 0;
    for (let q = x.rowPtr[r]!; q < x.rowPtr[r + 1]!; q++) s += mat.a[i * 25 + x.indices[q]!]! * x.values[q]!;
    assert.ok(Math.abs(y[r * 5 + i]! - s) < 1e-12);
  }
  assert.throws(() => measureRows(mat, sparseRows(2, 24, 3, 1)), /dimension 24/);
});
