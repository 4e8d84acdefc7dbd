import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  columnCounts, csr, densifyRows, fromDense, normalizeRowsL2, rowNorms, selectRows, sliceRows, transpose,
} from '../../src/data/csr.js';
import { Rng } from '../../src/util/rng.js';
import { InvalidArgumentError } from '../../src/errors.js';

// 3×4 fixture:
// [1 0 2 0]
// [0 0 0 0]
// [0 3 0 4]
const dense = [1, 0, 2, 0, 0, 0, 0, 0, 0, 3, 0, 4];
const m = fromDense(3, 4, dense);

test('fromDense builds the expected arrays', () => {
  assert.deepEqual([...m.rowPtr], [0, 2, 2, 4]);
  assert.deepEqual([...m.indices], [0, 2, 1, 3]);
  assert.deepEqual([...m.values], [1, 2, 3, 4]);
});

test('csr() rejects broken structure with InvalidArgumentError', () => {
  assert.throws(() => csr(2, 3, new Int32Array([0, 1]), new Int32Array([0]), new Float32Array([1])), /rowPtr must have length/);
  assert.throws(() => csr(1, 3, new Int32Array([0, 1]), new Int32Array([3]), new Float32Array([1])), /out of range \[0, 3\)/);
  assert.throws(() => csr(1, 3, new Int32Array([0, 2]), new Int32Array([2, 1]), new Float32Array([1, 1])), /strictly increasing/);
  assert.throws(() => csr(1, 3, new Int32Array([0, 2]), new Int32Array([1, 1]), new Float32Array([1, 1])), /strictly increasing/);
  assert.throws(() => csr(2, 3, new Int32Array([0, 1, 0]), new Int32Array([0]), new Float32Array([1])), InvalidArgumentError);
});

test('sliceRows and selectRows', () => {
  const s = sliceRows(m, 1, 3);
  assert.deepEqual([...densifyRows(s, 0, 2)], dense.slice(4));
  const e = sliceRows(m, 2, 2);
  assert.equal(e.nRows, 0);
  assert.deepEqual([...e.rowPtr], [0]);
  const sel = selectRows(m, [2, 0, 2]);
  assert.deepEqual([...densifyRows(sel, 0, 3)], [...dense.slice(8), ...dense.slice(0, 4), ...dense.slice(8)]);
  assert.throws(() => sliceRows(m, 2, 4), InvalidArgumentError);
  assert.throws(() => selectRows(m, [3]), /out of range/);
});

test('transpose of the fixture, and transpose twice is the identity on random matrices', () => {
  const t = transpose(m);
  assert.deepEqual([...densifyRows(t, 0, 4)], [1, 0, 0, 0, 0, 3, 2, 0, 0, 0, 0, 4]);
  const rng = new Rng(7);
  for (let trial = 0; trial < 20; trial++) {
    const r = 1 + rng.int(9), c = 1 + rng.int(9);
    const d = Array.from({ length: r * c }, () => (rng.next() < 0.3 ? rng.normal() : 0));
    const a = fromDense(r, c, d);
    const at = transpose(a);
    const dt = densifyRows(at, 0, c);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) assert.equal(dt[j * r + i], Math.fround(d[i * c + j]!));
    const att = transpose(at);
    assert.deepEqual(att, { ...a });
    csr(at.nRows, at.nCols, at.rowPtr, at.indices, at.values); // structure valid (sorted columns)
  }
});

test('normalizeRowsL2: unit norms, zero rows stay zero, input untouched', () => {
  const n = normalizeRowsL2(m);
  const norms = rowNorms(n);
  assert.ok(Math.abs(norms[0]! - 1) < 1e-6);
  assert.equal(norms[1], 0);
  assert.ok(Math.abs(norms[2]! - 1) < 1e-6);
  assert.ok(Math.abs(n.values[2]! - 0.6) < 1e-7 && Math.abs(n.values[3]! - 0.8) < 1e-7);
  assert.deepEqual([...m.values], [1, 2, 3, 4]);
});

test('densifyRows with a reused buffer zeroes it', () => {
  const buf = new Float32Array(12).fill(9);
  densifyRows(m, 0, 2, buf);
  assert.deepEqual([...buf.subarray(0, 8)], dense.slice(0, 8));
  assert.equal(buf[8], 9); // beyond the batch: untouched
  assert.throws(() => densifyRows(m, 0, 3, new Float32Array(5)), /out must have length >= 12/);
});

test('columnCounts counts nonzeros per column', () => {
  assert.deepEqual([...columnCounts(m)], [1, 1, 1, 1]);
  assert.deepEqual([...columnCounts(fromDense(2, 2, [1, 1, 0, 1]))], [1, 2]);
});
