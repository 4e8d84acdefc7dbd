import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nativeAddon } from '../../src/engine/addon.js';
import { setThreads, threadReport } from '../../src/engine/threads.js';
import { InvalidArgumentError } from '../../src/errors.js';

test('setThreads sets OpenBLAS\'s and OpenMP\'s thread counts, as the addon reports them', (t) => {
  if (!nativeAddon().addon) { t.skip('the native addon is not built here'); return; }
  const before = threadReport()!;
  try {
    assert.deepEqual(setThreads(1), { blas: 1, openmp: 1 });
    assert.deepEqual(threadReport(), { blas: 1, openmp: 1 });
    assert.deepEqual(setThreads(3), { blas: 3, openmp: 3 });
    assert.equal(process.env['TF_NUM_INTRAOP_THREADS'], '3');
  } finally {
    setThreads(before.blas);
  }
  for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => setThreads(bad), InvalidArgumentError);
});
