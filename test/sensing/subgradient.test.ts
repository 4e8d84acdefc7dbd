import assert from 'node:assert/strict';
import { test } from 'node:test';
import { projectedSubgradient, withPseudoInverse, withTranspose } from '../../src/sensing/subgradient.js';
import { Rng } from '../../src/util/rng.js';

function gaussian(m: number, d: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: m * d }, () => rng.normal() / Math.sqrt(m));
}

function sparse(d: number, k: number, rng: Rng): Float64Array {
  const x = new Float64Array(d);
  const idx = rng.shuffle(Array.from({ length: d }, (_, i) => i)).slice(0, k);
  for (const i of idx) x[i] = rng.normal();
  return x;
}

function measure(a: Float64Array, m: number, d: number, x: Float64Array): Float64Array {
  return Float64Array.from({ length: m }, (_, j) => { let s = 0; for (let i = 0; i < d; i++) s += a[j * d + i]! * x[i]!; return s; });
}

const dist = (u: Float64Array, v: Float64Array): number => Math.sqrt(u.reduce((s, ui, i) => s + (ui - v[i]!) ** 2, 0));

test('projected subgradient with the exact A† approaches the ℓ1-min solution as the steps grow', () => {
  // Gaussian A with m = 50 ≫ k·log(d/k) ≈ 12 for k = 4, d = 100: x is the unique ℓ1-min solution w.h.p.
  const m = 50, d = 100;
  const a = gaussian(m, d, 7);
  const op = withPseudoInverse(a, m, d);
  const rng = new Rng(11);
  for (let trial = 0; trial < 3; trial++) {
    const x = sparse(d, 4, rng);
    const y = measure(a, m, d, x);
    const errs = [10, 100, 1000, 10000].map((T) => dist(projectedSubgradient(op, y, 1, T), x));
    for (let i = 1; i < errs.length; i++) assert.ok(errs[i]! < errs[i - 1]!, `error must fall with more steps: ${errs.join(', ')}`);
    assert.ok(errs[3]! < 0.05 * errs[0]!, `10,000 steps should cut the 10-step error 20-fold: ${errs.join(', ')}`);
    // Every iterate is feasible: A·x̂ = y.
    const xh = projectedSubgradient(op, y, 1, 100);
    assert.ok(dist(measure(a, m, d, xh), y) < 1e-9);
  }
});

test('with orthonormal rows, Aᵀ and A† give the same iterates (Lemma 1)', () => {
  const m = 3, d = 5;
  // Rows of a 5×5 orthogonal matrix (Householder reflection I − 2vvᵀ/‖v‖²).
  const v = [1, 2, -1, 0.5, 3], vv = v.reduce((s, t) => s + t * t, 0);
  const a = Float64Array.from({ length: m * d }, (_, k) => { const i = Math.floor(k / d), j = k % d; return (i === j ? 1 : 0) - 2 * v[i]! * v[j]! / vv; });
  const y = Float64Array.from([0.3, -1.2, 0.7]);
  const p = projectedSubgradient(withPseudoInverse(a, m, d), y, 1, 25);
  const t = projectedSubgradient(withTranspose(a, m, d), y, 1, 25);
  assert.ok(dist(p, t) < 1e-9, `${p} vs ${t}`);
});

test('one step from x(1) by hand', () => {
  // A = [1 1] (m = 1, d = 2), A† = [0.5 0.5]ᵀ, y = 2: x(1) = (1, 1), sign = (1, 1), A·s = 2,
  // (I − A†A)s = (1 − 1, 1 − 1) = 0 ⇒ x(2) = x(1). With y = 0: x(1) = 0, sign 0 ⇒ stays 0.
  const op = withPseudoInverse(Float64Array.from([1, 1]), 1, 2);
  assert.deepEqual(Array.from(projectedSubgradient(op, Float64Array.from([2]), 1, 1)).map((v) => +v.toFixed(12)), [1, 1]);
  // A = [1 0], y = 1: x(1) = (1, 0), s = (1, 0), A s = 1, A†(A s) = (1, 0), step 0 ⇒ x stays.
  const op2 = withPseudoInverse(Float64Array.from([1, 0]), 1, 2);
  assert.deepEqual(Array.from(projectedSubgradient(op2, Float64Array.from([1]), 1, 5)).map((v) => +v.toFixed(12)), [1, 0]);
});
