/**
 * The held-out measures (src/metrics/held_out.ts): per-point mean of P@1, P@3, P@5 against a hand
 * computation and against meanPrecision135 on real data, and the paired gain with its standard error.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromDense, sliceRows } from '../../src/data/csr.js';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { readDataset } from '../../src/data/index.js';
import { trainModel } from '../../src/model/methods.js';
import { meanPrecision135, pairedGain, pointPrecision135 } from '../../src/metrics/held_out.js';

test('pointPrecision135: each point\'s (P@1 + P@3 + P@5) / 3, padding (−1) a miss, by hand', () => {
  // 3 points, 6 labels; rankings of width 5.
  const truth = fromDense(3, 6, [
    1, 1, 0, 0, 0, 1,
    0, 0, 0, 0, 0, 0,
    0, 0, 1, 0, 0, 0,
  ]);
  const ranked = {
    nRows: 3, k: 5,
    labels: Int32Array.from([0, 3, 1, 5, 2, /**/ 1, 2, 3, 4, 5, /**/ 4, 2, -1, -1, -1]),
    scores: new Float32Array(15),
  };
  const got = pointPrecision135(ranked, truth);
  // Row 0: hits at ranks 1, 3, 4 → P@1 1, P@3 2/3, P@5 3/5. Row 1: no labels → 0. Row 2: hit at rank 2 → 0, 1/3, 1/5.
  const want = [(1 + 2 / 3 + 3 / 5) / 3, 0, (0 + 1 / 3 + 1 / 5) / 3];
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-12, `row ${i}: ${got[i]} vs ${want[i]}`);
  assert.ok(Math.abs(meanPrecision135(ranked, truth) - (want[0]! + want[1]! + want[2]!) / 3) < 1e-12);
});

test('pointPrecision135 averages to meanPrecision135 on a real model\'s ranking (Bibtex)', async () => {
  const train = await readDataset(BUNDLED_BIBTEX.train), test0 = await readDataset(BUNDLED_BIBTEX.test);
  const model = await trainModel({ features: sliceRows(train.features, 0, 800), labels: sliceRows(train.labels, 0, 800) }, { method: 'knn', index: 'exact' });
  const truth = sliceRows(test0.labels, 0, 300);
  const ranked = await model.predict(sliceRows(test0.features, 0, 300), { topK: 5 });
  const points = pointPrecision135(ranked, truth);
  assert.ok(Math.abs(points.reduce((a, b) => a + b, 0) / points.length - meanPrecision135(ranked, truth)) < 1e-12);
  model.dispose();
});

test('pairedGain: the mean of a − b and sd/√n, by hand; no spread, no error', () => {
  const a = Float64Array.from([1, 0.5, 0.25, 1]), b = Float64Array.from([0.5, 0.5, 0, 0.25]);
  // d = 0.5, 0, 0.25, 0.75: mean 0.375; Σ(d − mean)² = 0.015625 + 0.140625 + 0.015625 + 0.140625 = 0.3125; sd² = 0.3125 / 3.
  const { gain, se } = pairedGain(a, b);
  assert.ok(Math.abs(gain - 0.375) < 1e-12);
  assert.ok(Math.abs(se - Math.sqrt(0.3125 / 3 / 4)) < 1e-12);
  assert.deepEqual(pairedGain(Float64Array.from([0.5, 0.75]), Float64Array.from([0.25, 0.5])), { gain: 0.25, se: 0 });
  assert.deepEqual(pairedGain(Float64Array.from([1]), Float64Array.from([0])), { gain: 1, se: 0 });
});
