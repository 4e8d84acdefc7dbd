import assert from 'node:assert/strict';
import { test } from 'node:test';
import { iht } from '../../src/sensing/iht.js';
import { cosamp, fista, ista, modelApprox, modelCosamp, modelSupport, omp, type SparsityModel } from '../../src/sensing/iterative.js';
import { Rng } from '../../src/util/rng.js';
import { InvalidArgumentError } from '../../src/errors.js';

function gaussian(m: number, d: number, rng: Rng): Float64Array {
  return Float64Array.from({ length: m * d }, () => rng.normal() / Math.sqrt(m));
}

function measure(a: Float64Array, m: number, d: number, xs: Float64Array[]): Float64Array {
  const y = new Float64Array(xs.length * m);
  xs.forEach((x, r) => { for (let i = 0; i < m; i++) { let s = 0; for (let j = 0; j < d; j++) s += a[i * d + j]! * x[j]!; y[r * m + i] = s; } });
  return y;
}

function randomSparse(d: number, k: number, rng: Rng, positive = false): Float64Array {
  const x = new Float64Array(d);
  for (const j of rng.shuffle(Array.from({ length: d }, (_, i) => i)).slice(0, k)) x[j] = positive ? 0.1 + rng.next() : (rng.next() < 0.5 ? -1 : 1) * (0.2 + rng.next());
  return x;
}

function blockSparse(d: number, B: number, K: number, rng: Rng, positive = false): Float64Array {
  const x = new Float64Array(d);
  for (const b of rng.shuffle(Array.from({ length: d / B }, (_, i) => i)).slice(0, K)) {
    for (let t = 0; t < B; t++) x[b * B + t] = positive ? 0.1 + rng.next() : rng.normal();
  }
  return x;
}

/** Points recovered to ‖x̂ − x‖ ≤ eps. */
function countExact(xHat: Float64Array, xs: Float64Array[], d: number, eps = 1e-10): number {
  return xs.filter((x, r) => { let e = 0; for (let j = 0; j < d; j++) e += (xHat[r * d + j]! - x[j]!) ** 2; return Math.sqrt(e) <= eps; }).length;
}

test('model approximations are projections: hand fixture, idempotent, K blocks / one per group', () => {
  const v = Float64Array.from([0.1, -3, 2, 0, 0.5, 0.5, -0.2, 4]);
  assert.deepEqual(modelSupport(v, { kind: 'sparse', k: 2 }), [1, 7]);
  // 2-fold: the 4 largest |v|; |v4| = |v5| = 0.5 tie, the lower index wins.
  assert.deepEqual(modelSupport(v, { kind: 'sparse', k: 2 }, 2), [1, 2, 4, 7]);
  // Blocks of 2: energies 9.01, 4, 0.5, 16.04 → the two best are blocks 3 and 0.
  assert.deepEqual(modelSupport(v, { kind: 'block', blockSize: 2, blocks: 2 }), [0, 1, 6, 7]);
  // Groups [0,3), [3,5), [5,8): the largest |v| of each.
  const oneHot: SparsityModel = { kind: 'one-hot', groups: Int32Array.from([0, 3, 5, 8]) };
  assert.deepEqual(modelSupport(v, oneHot), [1, 4, 7]);
  const rng = new Rng(3);
  for (const model of [{ kind: 'sparse', k: 5 }, { kind: 'block', blockSize: 4, blocks: 3 }, oneHot] as SparsityModel[]) {
    const w = Float64Array.from({ length: 8 * 5 }, () => rng.normal()).subarray(0, model.kind === 'one-hot' ? 8 : 40);
    const once = modelApprox(Float64Array.from(w), model), twice = modelApprox(once, model);
    assert.deepEqual(twice, once, `${model.kind}: idempotent`);
    if (model.kind === 'block') assert.equal(modelSupport(w, model).length, 12);
    if (model.kind === 'sparse') assert.equal(modelSupport(w, model).length, 5);
    if (model.kind === 'one-hot') assert.equal(modelSupport(w, model).length, 3);
  }
});

test('OMP, CoSaMP, IHT and model-based CoSaMP recover k-sparse vectors exactly (Gaussian A, m ≈ 13k)', () => {
  const rng = new Rng(11);
  const d = 256, k = 6, m = 80;
  const a = gaussian(m, d, rng);
  const xs = Array.from({ length: 6 }, () => randomSparse(d, k, rng));
  const y = measure(a, m, d, xs);
  const runs: [string, Float64Array][] = [
    ['omp', omp(a, m, d, y, xs.length, { sparsity: k })],
    ['cosamp', cosamp(a, m, d, y, xs.length, { sparsity: k })],
    ['iht', iht(a, m, d, y, xs.length, { sparsity: k })],
    ['model-cosamp', modelCosamp(a, m, d, y, xs.length, { model: { kind: 'sparse', k } })],
  ];
  for (const [name, xHat] of runs) assert.equal(countExact(xHat, xs, d), xs.length, `${name} should recover every point to 1e-10`);
});

test('model-based CoSaMP beats plain CoSaMP on block-sparse data', () => {
  const rng = new Rng(5);
  const d = 500, B = 10, K = 2, m = 60, n = 50;
  const a = gaussian(m, d, rng);
  const xs = Array.from({ length: n }, () => blockSparse(d, B, K, rng));
  const y = measure(a, m, d, xs);
  const plain = countExact(cosamp(a, m, d, y, n, { sparsity: B * K }), xs, d);
  const block = countExact(modelCosamp(a, m, d, y, n, { model: { kind: 'block', blockSize: B, blocks: K } }), xs, d);
  assert.ok(block >= 0.9 * n, `block model recovered ${block} / ${n}`);
  assert.ok(block >= plain + 0.3 * n, `block ${block} vs plain ${plain}`);
});

test('positivity: non-negative vectors, too few measurements for the signed method; outputs ≥ 0', () => {
  const rng = new Rng(9);
  const d = 500, B = 10, K = 2, m = 40, n = 50;
  const a = gaussian(m, d, rng);
  const xs = Array.from({ length: n }, () => blockSparse(d, B, K, rng, true));
  const y = measure(a, m, d, xs);
  const model: SparsityModel = { kind: 'block', blockSize: B, blocks: K };
  const signed = countExact(modelCosamp(a, m, d, y, n, { model }), xs, d);
  const posX = modelCosamp(a, m, d, y, n, { model, positive: true });
  const pos = countExact(posX, xs, d);
  assert.ok(posX.every((v) => v >= 0));
  assert.ok(pos > signed, `positive ${pos} vs signed ${signed}`);
});

test('one-hot model: recovers one nonzero per group', () => {
  const rng = new Rng(13);
  const G = 10, size = 20, d = G * size, m = 50, n = 30;
  const groups = Int32Array.from({ length: G + 1 }, (_, g) => g * size);
  const a = gaussian(m, d, rng);
  const xs = Array.from({ length: n }, () => {
    const x = new Float64Array(d);
    for (let g = 0; g < G; g++) x[g * size + rng.int(size)] = 1;
    return x;
  });
  const y = measure(a, m, d, xs);
  const xHat = modelCosamp(a, m, d, y, n, { model: { kind: 'one-hot', groups }, positive: true });
  assert.ok(countExact(xHat, xs, d) >= 0.9 * n, `one-hot recovered ${countExact(xHat, xs, d)} / ${n}`);
});

test('ISTA / FISTA: the LASSO optimality conditions hold, and FISTA needs fewer iterations', () => {
  const rng = new Rng(17);
  const d = 120, m = 40, lambda = 0.05;
  const a = gaussian(m, d, rng);
  const xs = [randomSparse(d, 5, rng), randomSparse(d, 8, rng)];
  const y = measure(a, m, d, xs);
  const f = fista(a, m, d, y, 2, { lambda, tol: 1e-13, iterations: 20000 });
  const s = ista(a, m, d, y, 2, { lambda, tol: 1e-13, iterations: 20000 });
  for (let r = 0; r < 2; r++) {
    const x = f.x.subarray(r * d, (r + 1) * d);
    const res = Float64Array.from({ length: m }, (_, i) => { let v = y[r * m + i]!; for (let j = 0; j < d; j++) v -= a[i * d + j]! * x[j]!; return v; });
    for (let j = 0; j < d; j++) {
      let c = 0;
      for (let i = 0; i < m; i++) c += a[i * d + j]! * res[i]!;
      if (x[j] !== 0) assert.ok(Math.abs(c - lambda * Math.sign(x[j]!)) <= 1e-6, `KKT on the support at ${j}: ${c}`);
      else assert.ok(Math.abs(c) <= lambda + 1e-6, `KKT off the support at ${j}: ${c}`);
    }
    assert.ok(f.iterations[r]! > 0 && s.iterations[r]! > 0);
  }
  // On an ill-conditioned A (column scales 0.05..1), FISTA's objective after 60 iterations is below ISTA's.
  const scaled = Float64Array.from(a, (v, idx) => v * (0.05 + 0.95 * ((idx % d) / d)));
  const objective = (x: Float64Array, r: number): number => {
    let fit = 0;
    for (let i = 0; i < m; i++) { let v = -y[r * m + i]!; for (let j = 0; j < d; j++) v += scaled[i * d + j]! * x[r * d + j]!; fit += v * v; }
    return 0.5 * fit + lambda * x.subarray(r * d, (r + 1) * d).reduce((t, v) => t + Math.abs(v), 0);
  };
  const f60 = fista(scaled, m, d, y, 2, { lambda, iterations: 60, tol: 0 }).x, i60 = ista(scaled, m, d, y, 2, { lambda, iterations: 60, tol: 0 }).x;
  const best = fista(scaled, m, d, y, 2, { lambda, iterations: 50000, tol: 1e-14 }).x;
  for (let r = 0; r < 2; r++) {
    const [fo, io, bo] = [objective(f60, r), objective(i60, r), objective(best, r)];
    assert.ok(fo - bo < 0.5 * (io - bo), `objective gap after 60 iterations: FISTA ${fo - bo}, ISTA ${io - bo}`);
  }
  // Non-negative LASSO: x ≥ 0.
  assert.ok(fista(a, m, d, y, 2, { lambda, positive: true }).x.every((v) => v >= 0));
});

test('bad sizes throw InvalidArgumentError naming the function', () => {
  assert.throws(() => omp(new Float64Array(5), 2, 3, new Float64Array(2), 1, { sparsity: 1 }), /omp\(\): A must have/);
  assert.throws(() => modelCosamp(new Float64Array(6), 2, 3, new Float64Array(3), 1, { model: { kind: 'sparse', k: 1 } }), /modelCosamp\(\): y must have/);
  assert.throws(() => iht(new Float64Array(6), 2, 3, new Float64Array(2), 1, { sparsity: 0 }), /sparsity/);
  assert.throws(() => fista(new Float64Array(6), 2, 3, new Float64Array(2), 1, { lambda: 0 }), /lambda/);
});
