import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Csr, fromDense } from '../../src/data/csr.js';
import { nativeAddon } from '../../src/engine/addon.js';
import { csrMatDense, csrTMatDense } from '../../src/engine/sparse.js';
import { csrMatDenseJs, csrTMatDenseJs } from '../../src/engine/sparse_impl.js';
import { topKRows } from '../../src/ranking/topk.js';
import { topKDenseRowsImpl } from '../../src/ranking/topk_impl.js';
import { Rng } from '../../src/util/rng.js';

function randomCsr(rng: Rng, n: number, p: number, density: number): { csr: Csr; dense: Float64Array } {
  const dense = new Float64Array(n * p);
  for (let i = 0; i < n * p; i++) if (rng.next() < density) dense[i] = Math.fround(rng.normal());
  return { csr: fromDense(n, p, dense), dense };
}

/** Dense float64 reference: C = op(A)·B. */
function denseRef(a: Float64Array, n: number, p: number, b: Float32Array, m: number, transA: boolean): Float64Array {
  const rows = transA ? p : n, inner = transA ? n : p;
  const out = new Float64Array(rows * m);
  for (let i = 0; i < rows; i++) for (let t = 0; t < inner; t++) {
    const v = transA ? a[t * p + i]! : a[i * p + t]!;
    if (v === 0) continue;
    for (let c = 0; c < m; c++) out[i * m + c]! += v * b[t * m + c]!;
  }
  return out;
}

function assertClose(got: Float32Array, want: Float64Array, what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-4 * (1 + Math.abs(want[i]!)), `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

test('the native addon loads here (CI builds it with OpenBLAS)', () => {
  const { addon, error } = nativeAddon();
  assert.ok(addon, `native addon missing: ${error}`);
  assert.match(addon.info().blas, /OpenBLAS/i);
});

test('CSR·dense and CSRᵀ·dense agree with a dense reference, including sizes 0 and 1', () => {
  const rng = new Rng(31);
  const shapes: [number, number, number][] = [[0, 5, 3], [5, 0, 3], [4, 6, 0], [1, 1, 1], [7, 9, 1], [37, 23, 11], [300, 200, 64], [2000, 500, 100]];
  for (const [n, p, m] of shapes) {
    const { csr, dense } = randomCsr(rng, n, p, 0.1);
    const b1 = Float32Array.from({ length: p * m }, () => rng.normal());
    const b2 = Float32Array.from({ length: n * m }, () => rng.normal());
    const ref1 = denseRef(dense, n, p, b1, m, false), ref2 = denseRef(dense, n, p, b2, m, true);
    assertClose(csrMatDense(csr, b1, m), ref1, `csrMatDense ${n}x${p}x${m}`);
    assertClose(csrMatDenseJs(csr, b1, m), ref1, `csrMatDenseJs ${n}x${p}x${m}`);
    assertClose(csrTMatDense(csr, b2, m), ref2, `csrTMatDense ${n}x${p}x${m}`);
    assertClose(csrTMatDenseJs(csr, b2, m), ref2, `csrTMatDenseJs ${n}x${p}x${m}`);
  }
  const { csr } = randomCsr(rng, 3, 4, 0.5);
  assert.throws(() => csrMatDense(csr, new Float32Array(5), 2), /must have 4 × 2 = 8 entries/);
  assert.throws(() => csrTMatDense(csr, new Float32Array(5), 2), /must have 3 × 2 = 6 entries/);
});

test('native row-wise top-k equals the JavaScript top-k (ties, NaN, −∞, k > n)', () => {
  const rng = new Rng(8);
  for (const [n, c, k] of [[1, 1, 1], [3, 5, 7], [50, 40, 5], [200, 1000, 10], [0, 4, 2]] as const) {
    const s = Float32Array.from({ length: n * c }, () => {
      const u = rng.next();
      return u < 0.05 ? NaN : u < 0.1 ? -Infinity : rng.int(6) - 2;
    });
    // topKRows runs natively here; the JavaScript implementation is the reference.
    const a = topKRows(s, n, c, k);
    const labels = new Int32Array(n * k), scores = new Float32Array(n * k);
    topKDenseRowsImpl(s, n, c, k, labels, scores, false);
    assert.deepEqual(a.labels, labels, `${n}x${c} k=${k}`);
    assert.deepEqual(a.scores, scores);
  }
});
