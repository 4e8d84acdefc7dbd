import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromDense } from '../../src/data/csr.js';
import { propensities, propensitiesFromLabels } from '../../src/metrics/index.js';

function close(actual: number | undefined, expected: number, what: string): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-12, `${what}: got ${actual}, expected ${expected}`);
}

test('propensities with the default constants, by hand (N = 100, A = 0.55, B = 1.5)', () => {
  // p_l = 1 / (1 + C·(N_l + B)^−A),  C = (ln N − 1)·(B + 1)^A
  //   ln 100 = 4.605170185988092,  2.5^0.55 = 1.655262989969583,  C = 3.605170185988092·1.655262989969583 = 5.967504781407847
  //   N_l = 0:  1.5^−0.55   = 0.8001102010732514,  C·that = 4.774661450557821,  p = 1/5.774661450557821 = 0.17317032497262708
  //   N_l = 1:  2.5^−0.55   = 0.6041336065988983,  C·that = ln 100 − 1 exactly (the (B+1)^A factors cancel), p = 1/ln 100 = 0.21714724095162588
  //   N_l = 9:  10.5^−0.55  = 0.27437585158251787, C·that = 1.637339206221525,  p = 1/2.637339206221525 = 0.37917003532992044
  //   N_l = 99: 100.5^−0.55 = 0.07921522608235732, C·that = 0.4727172404067709, p = 1/1.4727172404067709 = 0.6790169711897959
  const p = propensities([0, 1, 9, 99], 100);
  close(p[0], 0.17317032497262708, 'N_l = 0');
  close(p[1], 1 / Math.log(100), 'N_l = 1');
  close(p[1], 0.21714724095162588, 'N_l = 1');
  close(p[2], 0.37917003532992044, 'N_l = 9');
  close(p[3], 0.6790169711897959, 'N_l = 99');
  assert.ok(p[0]! < p[1]! && p[1]! < p[2]! && p[2]! < p[3]!, 'frequent labels have higher propensity');
});

test('propensities with settable constants: A = 1, B = 1, N = e³ gives p = (N_l + 1)/(N_l + 5)', () => {
  // C = (3 − 1)·2¹ = 4, p = 1/(1 + 4/(N_l + 1)) = (N_l + 1)/(N_l + 5):
  //   N_l = 0 → 1/5, 1 → 2/6, 3 → 4/8, 15 → 16/20
  const p = propensities([0, 1, 3, 15], Math.exp(3), { a: 1, b: 1 });
  close(p[0], 1 / 5, 'N_l = 0');
  close(p[1], 1 / 3, 'N_l = 1');
  close(p[2], 1 / 2, 'N_l = 3');
  close(p[3], 4 / 5, 'N_l = 15');
  // Wikipedia-type constants A = 0.5, B = 0.4, N = 1000, N_l = 1: C·(1.4)^−0.5 = ln 1000 − 1.
  close(propensities([1], 1000, { a: 0.5, b: 0.4 })[0], 1 / Math.log(1000), 'A = 0.5, B = 0.4');
});

test('propensitiesFromLabels uses the row count and the column counts', () => {
  const y = fromDense(4, 3, [1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1]); // counts [3, 0, 3]
  assert.deepEqual([...propensitiesFromLabels(y)], [...propensities([3, 0, 3], 4)]);
  assert.deepEqual([...propensitiesFromLabels(y, { a: 0.6, b: 2.6 })], [...propensities([3, 0, 3], 4, { a: 0.6, b: 2.6 })]);
});

test('propensity argument checks', () => {
  assert.throws(() => propensities([1], 0), /'nPoints' passed to propensities\(\) must be >= 2 but got 0/);
  assert.throws(() => propensities([1], 1), /must be >= 2 but got 1/);
  assert.throws(() => propensities([1], 10, { b: 0 }), /'b' passed to propensities\(\) must be finite and > 0/);
  assert.throws(() => propensities([1], 10, { a: NaN }), /'a' passed to propensities\(\) must be finite/);
  assert.throws(() => propensities([-1], 10), /label count 0 must be >= 0 but is -1/);
  // N = 2 < e: C = (ln 2 − 1)·(B + 1)^A < 0. Default constants: p_l > 1 but finite;
  // with B = 0.1, N_l = 0: 1 + C·B^−A = 1 − 0.307·11^0.55 < 0, so p_0 < 0 is refused.
  assert.ok(propensities([0], 2)[0]! > 1);
  assert.throws(() => propensities([0], 2, { b: 0.1 }), /the model gives p_0 = -[0-9.e-]+ \(N = 2, N_l = 0\); it needs more training points/);
  assert.equal(propensities([], 5).length, 0);
});
