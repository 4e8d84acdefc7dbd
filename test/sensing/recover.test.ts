import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Csr, densifyRows, normalizeRowsL2 } from '../../src/data/csr.js';
import { gaussianMatrix, measureRows } from '../../src/sensing/matrices.js';
import { recover, type RecoveryMethod, recoverRows, recoveryStats } from '../../src/sensing/recover.js';
import { Rng } from '../../src/util/rng.js';

/** n random k-sparse non-negative rows of dimension d, ℓ2-normalised (unsorted draw order, sorted indices). */
function sparseRows(n: number, d: number, k: number, seed: number): Csr {
  const rng = new Rng(seed);
  const rowPtr = new Int32Array(n + 1), indices: number[] = [], values: number[] = [];
  for (let r = 0; r < n; r++) {
    const idx = rng.shuffle(Array.from({ length: d }, (_, i) => i)).slice(0, r % 7 === 3 ? 0 : k).sort((a, b) => a - b);
    for (const i of idx) { indices.push(i); values.push(0.1 + rng.next()); }
    rowPtr[r + 1] = indices.length;
  }
  return normalizeRowsL2({ nRows: n, nCols: d, rowPtr, indices: Int32Array.from(indices), values: Float32Array.from(values) });
}

test('recoverRows: chunk by chunk over sparse rows, exactly the statistics of recover() + recoveryStats() on the dense rows', async () => {
  const n = 75, d = 60, k = 4; // 75 rows: three chunks of the batched solvers, the last one partial
  const x = sparseRows(n, d, k, 3);
  const dense = Float64Array.from(densifyRows(x, 0, n));
  for (const [method, m, opts] of [
    ['l1-min-pos', 24, {}], ['omp', 24, { sparsity: k }], ['iht', 16, { sparsity: k }], ['subgradient', 16, { steps: 20 }],
  ] as [RecoveryMethod, number, { sparsity?: number; steps?: number }][]) {
    const matrix = gaussianMatrix(m, d, 5);
    const expected = recoveryStats(dense, await recover(method, matrix, measureRows(matrix, x), n, opts), n, d);
    const events: string[] = [];
    const got = await recoverRows(method, matrix, x, { ...opts, onProgress: (e) => events.push(e.status) });
    assert.deepEqual(got, expected, method);
    assert.equal(events[0], 'start');
    assert.equal(events.at(-1), 'done');
  }
  // With m = 24 ≥ 2k·log(d/k) measurements ℓ1-min pos recovers most of the 4-sparse rows exactly.
  assert.ok((await recoverRows('l1-min-pos', gaussianMatrix(24, d, 5), x)).exactFraction > 0.5);
  await assert.rejects(recoverRows('omp', gaussianMatrix(8, d + 1, 5), x), /dimension 60 but the matrix measures dimension 61/);
});
