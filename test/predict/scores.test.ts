import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nativeAddon } from '../../src/engine/addon.js';
import { addRowMaxScaled, addRowMaxScaledJs, addScaled, normalizeRowsMax } from '../../src/predict/scores.js';
import { Rng } from '../../src/util/rng.js';

test('addRowMaxScaled (native and JavaScript): the bits of normalizeRowsMax then addScaled, a left unchanged', () => {
  const rng = new Rng(21);
  // Wide rows, so the native kernel runs on several threads; rows of every sign pattern.
  const nRows = 64, nCols = 1500;
  const a = Float32Array.from({ length: nRows * nCols }, (_, j) => {
    const row = Math.floor(j / nCols);
    const v = rng.normal() * 3.7;
    return row % 4 === 0 ? -Math.abs(v) : row % 4 === 1 ? 0 : v; // all negative, all zero, mixed
  });
  a[2 * nCols + 7] = NaN; // a NaN is never the maximum, and stays NaN
  const base = Float32Array.from({ length: nRows * nCols }, () => rng.normal());
  for (const w of [0.3, 1 / 3, 1]) {
    const want = Float32Array.from(base);
    addScaled(want, normalizeRowsMax(Float32Array.from(a), nRows, nCols), w);
    const copy = Float32Array.from(a);
    const js = Float32Array.from(base);
    addRowMaxScaledJs(js, copy, nRows, nCols, w);
    assert.deepEqual(js, want, `JavaScript, w = ${w}`);
    const got = Float32Array.from(base);
    addRowMaxScaled(got, copy, nRows, nCols, w);
    assert.deepEqual(got, want, `${nativeAddon().addon ? 'native' : 'JavaScript'}, w = ${w}`);
    assert.deepEqual(copy, a);
  }
  assert.throws(() => addRowMaxScaled(new Float32Array(3), a, nRows, nCols, 1), /need 64 × 1500 entries/);
});
