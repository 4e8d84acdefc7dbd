import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { type Csr, fromDense, selectRows, transpose } from '../../src/data/csr.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { type BinaryLoss, logisticDualCd, squaredHingeDualCd, squaredRowNorms } from '../../src/linear/dual_cd.js';
import { ovrScores, type OvrModel, predictTopK, trainOneVsRest } from '../../src/linear/ovr.js';
import { Rng } from '../../src/util/rng.js';

/**
 * A seeded sparse problem: X (n × d, density 0.25, values in [0, 1), float32-exact) and labels
 * from noisy hidden linear models, so that the classes overlap; label L − 1 has no positives.
 */
function problem(n: number, d: number, nLabels: number, seed: number): { x: Csr; xd: Float64Array; y: Csr; yd: Float64Array } {
  const rng = new Rng(seed);
  const xd = new Float64Array(n * d);
  for (let i = 0; i < n * d; i++) if (rng.next() < 0.25) xd[i] = Math.fround(rng.next());
  const yd = new Float64Array(n * nLabels);
  for (let l = 0; l < nLabels - 1; l++) {
    const v = Array.from({ length: d }, () => rng.normal());
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += v[j]! * xd[i * d + j]!;
      if (s + rng.normal() > 0.5) yd[i * nLabels + l] = 1;
    }
  }
  return { x: fromDense(n, d, xd), xd, y: fromDense(n, nLabels, yd), yd };
}

/** Label l as ±1. */
function signs(yd: Float64Array, n: number, nLabels: number, l: number): Int8Array {
  return Int8Array.from({ length: n }, (_, i) => (yd[i * nLabels + l]! > 0 ? 1 : -1));
}

/** The margins y_i w·x_i from dense X. */
function margins(xd: Float64Array, n: number, d: number, y: Int8Array, w: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += xd[i * d + j]! * w[j]!;
    return y[i]! * s;
  });
}

/** The primal ½‖w‖² + C Σ ℓ(y_i w·x_i), written here from the definitions. */
function primal(loss: BinaryLoss, c: number, xd: Float64Array, n: number, d: number, y: Int8Array, w: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += 0.5 * w[j]! ** 2;
  for (const m of margins(xd, n, d, y, w)) {
    s += c * (loss === 'logistic' ? (m > 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m))) : Math.max(0, 1 - m) ** 2);
  }
  return s;
}

/** The dense L × d weights of a model. */
function denseWeights(model: OvrModel): Float64Array {
  const t = transpose(model.weights), out = new Float64Array(model.nLabels * model.nFeatures);
  for (let l = 0; l < t.nRows; l++) for (let p = t.rowPtr[l]!; p < t.rowPtr[l + 1]!; p++) out[l * model.nFeatures + t.indices[p]!] = t.values[p]!;
  return out;
}

const maxAbs = (a: ArrayLike<number>): number => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!)); return m; };
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!)); return m; };

const haveScipy = spawnSync('python3', ['-c', 'import numpy, scipy.optimize'], { encoding: 'utf8' }).status === 0;

// An independent reference: the primal minimised by L-BFGS-B (scipy) with its exact gradient.
const REFERENCE = String.raw`
import json, sys
import numpy as np
from scipy.optimize import minimize
out = []
for p in json.load(sys.stdin):
    n, d, C = p['n'], p['d'], p['c']
    X = np.array(p['x'], dtype=np.float64).reshape(n, d); y = np.array(p['y'], dtype=np.float64)
    A = y[:, None] * X
    if p['loss'] == 'logistic':
        def f(w):
            m = A @ w
            return 0.5 * w @ w + C * np.logaddexp(0, -m).sum(), w - C * A.T @ (1 / (1 + np.exp(m)))
    else:
        def f(w):
            r = np.maximum(0, 1 - A @ w)
            return 0.5 * w @ w + C * (r * r).sum(), w - 2 * C * A.T @ r
    res = minimize(f, np.zeros(d), jac=True, method='L-BFGS-B', options={'maxiter': 100000, 'maxfun': 100000, 'ftol': 1e-15, 'gtol': 1e-11})
    out.append({'w': res.x.tolist(), 'f': float(res.fun)})
print(json.dumps(out))
`;

test('dual CD reaches the primal optimum of scipy\'s L-BFGS-B (objective to 1e-6 relative, weights to 1e-3), with and without a bias', { skip: haveScipy ? false : 'python3 with numpy and scipy is not available' }, () => {
  const n = 120, d = 40, nLabels = 3;
  const { x, xd, y, yd } = problem(n, d, nLabels, 7);
  // With a bias b the reference sees X with a constant column b appended (d + 1 weights).
  const xb = new Float64Array(n * (d + 1)), b = 0.7;
  for (let i = 0; i < n; i++) { xb.set(xd.subarray(i * d, (i + 1) * d), i * (d + 1)); xb[i * (d + 1) + d] = b; }
  const cases: { loss: BinaryLoss; c: number; l: number; bias: number }[] = [];
  for (const loss of ['logistic', 'squared-hinge'] as const) {
    for (const c of [0.1, 10]) for (const l of [0, 1]) cases.push({ loss, c, l, bias: 0 });
    cases.push({ loss, c: 1, l: 0, bias: b });
  }
  const py = spawnSync('python3', ['-c', REFERENCE], {
    input: JSON.stringify(cases.map(({ loss, c, l, bias }) => ({ n, d: bias ? d + 1 : d, c, loss, x: Array.from(bias ? xb : xd), y: Array.from(signs(yd, n, nLabels, l)) }))),
    encoding: 'utf8',
  });
  assert.equal(py.status, 0, py.stderr);
  const ref = JSON.parse(py.stdout) as { w: number[]; f: number }[];
  const models = new Map<string, OvrModel>();
  cases.forEach(({ loss, c, l, bias }, k) => {
    const key = `${loss} C=${c} bias=${bias}`;
    if (!models.has(key)) models.set(key, trainOneVsRest(x, y, { loss, c, eps: 1e-4, seed: 3, bias }));
    const model = models.get(key)!;
    const dense = denseWeights(model).subarray(l * d, (l + 1) * d);
    const w = bias ? [...dense, model.biasWeights[l]!] : dense;
    if (!bias) assert.equal(model.biasWeights[l], 0);
    const ours = primal(loss, c, bias ? xb : xd, n, bias ? d + 1 : d, signs(yd, n, nLabels, l), w);
    const r = ref[k]!;
    assert.ok(Math.abs(ours - r.f) <= 1e-6 * Math.abs(r.f), `${key}, label ${l}: objective ${ours} vs scipy ${r.f}`);
    assert.ok(ours >= r.f - 1e-9 * Math.abs(r.f) || Math.abs(ours - r.f) <= 1e-7 * Math.abs(r.f), `${key}, label ${l}: below the reference optimum by more than round-off`);
    const e = maxDiff(w, r.w);
    assert.ok(e <= 1e-3 * Math.max(1, maxAbs(r.w)), `${key}, label ${l}: weights differ by ${e} (max |w| ${maxAbs(r.w)})`);
  });
});

for (const loss of ['logistic', 'squared-hinge'] as const) {
  test(`${loss}: KKT conditions and a vanishing duality gap at eps = 1e-6; w = Σ α_i y_i x_i`, () => {
    const n = 150, d = 30, nLabels = 2, c = 2;
    const { x, xd, yd } = problem(n, d, nLabels, 11);
    const y = signs(yd, n, nLabels, 0);
    assert.ok(y.includes(1) && y.includes(-1));
    const solve = loss === 'logistic' ? logisticDualCd : squaredHingeDualCd;
    const r = solve({ x, sqNorms: squaredRowNorms(x) }, y, { c, eps: 1e-6, maxIterations: 10000, seed: 5 });
    assert.ok(r.converged, `converged after ${r.iterations} passes`);
    // w is Σ α_i y_i x_i, recomputed here from α.
    const w = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) w[j]! += r.alpha[i]! * y[i]! * xd[i * d + j]!;
    assert.ok(maxDiff(w, r.w) <= 1e-9 * Math.max(1, maxAbs(w)), `maintained w drifts from Σ α y x by ${maxDiff(w, r.w)}`);
    const m = margins(xd, n, d, y, r.w);
    for (let i = 0; i < n; i++) {
      const a = r.alpha[i]!;
      if (loss === 'logistic') {
        // Stationarity of the dual: α_i = C·σ(−y_i w·x_i), strictly inside (0, C).
        assert.ok(a > 0 && a < c, `α_${i} = ${a} outside (0, C)`);
        assert.ok(Math.abs(a - c / (1 + Math.exp(m[i]!))) <= 1e-5, `α_${i} = ${a} but C·σ(−m) = ${c / (1 + Math.exp(m[i]!))}`);
      } else {
        // α_i = 2C·max(0, 1 − y_i w·x_i) ≥ 0.
        assert.ok(a >= 0, `α_${i} = ${a} < 0`);
        assert.ok(Math.abs(a - 2 * c * Math.max(0, 1 - m[i]!)) <= 1e-5, `α_${i} = ${a} but 2C·max(0, 1 − m) = ${2 * c * Math.max(0, 1 - m[i]!)}`);
      }
    }
    const p = primal(loss, c, xd, n, d, y, r.w);
    const gap = p - r.dualObjective;
    assert.ok(gap >= -1e-9 * p, `negative duality gap ${gap}: the dual value is wrong`);
    assert.ok(gap <= 1e-7 * p, `duality gap ${gap} (primal ${p}, dual ${r.dualObjective})`);
    // The default tolerance stops much earlier but still close to the optimum.
    const loose = solve({ x, sqNorms: squaredRowNorms(x) }, y, { c, eps: 0.1, maxIterations: 10000, seed: 5 });
    assert.ok(loose.iterations < r.iterations, `eps 0.1: ${loose.iterations} passes, eps 1e-6: ${r.iterations}`);
    assert.ok(primal(loss, c, xd, n, d, y, loose.w) - p <= 1e-2 * p);
  });
}

test('two orthogonal points: the hand-computed optima', () => {
  // x₁ = (2, 0) with y = +1 and x₂ = (0, 1) with y = −1 decouple: w₁ only sees x₁, w₂ only x₂.
  const x = fromDense(2, 2, [2, 0, 0, 1]), y = fromDense(2, 2, [1, 0, 0, 1]);
  // Squared hinge, C = 1: w₁ minimises ½w² + (1 − 2w)² → w = 4C/(1 + 8C) = 4/9 (margin 8/9 < 1);
  // w₂ minimises ½w² + (1 + w)² → w = −2C/(1 + 2C) = −2/3.
  const svm = denseWeights(trainOneVsRest(x, y, { loss: 'squared-hinge', c: 1, eps: 1e-10 }));
  assert.ok(maxDiff(svm.subarray(0, 2), [4 / 9, -2 / 3]) <= 1e-6, `label 0: ${svm.subarray(0, 2)}`);
  assert.ok(maxDiff(svm.subarray(2, 4), [-4 / 9, 2 / 3]) <= 1e-6, `label 1: ${svm.subarray(2, 4)}`);
  // Logistic, C = 1: w₁ = 2·σ(−2w₁) and w₂ = −σ(w₂); solve both fixed points by bisection.
  const root = (g: (t: number) => number, lo: number, hi: number): number => {
    for (let it = 0; it < 200; it++) { const mid = (lo + hi) / 2; if (g(lo) * g(mid) <= 0) hi = mid; else lo = mid; }
    return (lo + hi) / 2;
  };
  const w1 = root((t) => t - 2 / (1 + Math.exp(2 * t)), 0, 2), w2 = root((t) => t + 1 / (1 + Math.exp(-t)), -1, 0);
  const lr = trainOneVsRest(x, y, { loss: 'logistic', c: 1, eps: 1e-10 });
  const lw = denseWeights(lr);
  assert.ok(maxDiff(lw.subarray(0, 2), [w1, w2]) <= 1e-6, `label 0: ${lw.subarray(0, 2)} vs ${[w1, w2]}`);
  assert.deepEqual(Array.from(predictTopK(lr, x, 1).labels), [0, 1]);
});

test('same seed, same weights; another seed another coordinate order; labels are independent of each other', () => {
  const { x, y, yd } = problem(100, 25, 4, 3);
  for (const loss of ['logistic', 'squared-hinge'] as const) {
    const a = trainOneVsRest(x, y, { loss, c: 1, seed: 42 }), b = trainOneVsRest(x, y, { loss, c: 1, seed: 42 });
    assert.deepEqual(a.weights, b.weights);
    assert.deepEqual(a.iterations, b.iterations);
    const other = trainOneVsRest(x, y, { loss, c: 1, seed: 43 });
    assert.notDeepEqual(other.weights.values, a.weights.values, 'the seed changes the coordinate order');
    // The first two labels alone give exactly the weights they have in the full model.
    const first2 = fromDense(100, 2, Float64Array.from({ length: 200 }, (_, k) => yd[Math.floor(k / 2) * 4 + (k % 2)]!));
    const part = denseWeights(trainOneVsRest(x, first2, { loss, c: 1, seed: 42 }));
    assert.deepEqual(part, denseWeights(a).subarray(0, 2 * 25));
  }
});

test('a label without positives has no weights, scores 0 and is not trained', () => {
  const { x, y } = problem(60, 20, 3, 9);
  const model = trainOneVsRest(x, y, { loss: 'logistic', c: 10 });
  const w = denseWeights(model);
  assert.ok(maxAbs(w.subarray(2 * 20, 3 * 20)) === 0);
  assert.ok(maxAbs(w.subarray(0, 20)) > 0);
  assert.equal(model.iterations[2], 0);
  assert.equal(model.converged[2], 1);
  const s = ovrScores(model, x);
  for (let i = 0; i < 60; i++) assert.equal(s[i * 3 + 2], 0);
});

test('pruneBelow drops exactly the small weights; 0 keeps every non-zero one', () => {
  const { x, y } = problem(100, 30, 3, 13);
  const full = trainOneVsRest(x, y, { loss: 'logistic', c: 1, seed: 1 });
  const pruned = trainOneVsRest(x, y, { loss: 'logistic', c: 1, seed: 1, pruneBelow: 0.05 });
  const wf = denseWeights(full), wp = denseWeights(pruned);
  assert.equal(full.weights.values.length, wf.filter((v) => v !== 0).length);
  assert.ok(full.weights.values.length === 2 * 30, 'a logistic model is dense on these features');
  let dropped = 0;
  for (let k = 0; k < wf.length; k++) {
    if (Math.abs(wf[k]!) >= 0.05) assert.equal(wp[k], wf[k]);
    else { assert.equal(wp[k], 0); if (wf[k] !== 0) dropped++; }
  }
  assert.ok(dropped > 0, 'the threshold drops some weights on this problem');
});

test('predictTopK and ovrScores equal brute-force dense scoring with the bias (ties to the smaller label, padding past L)', () => {
  const n = 70, d = 35, nLabels = 6;
  const { x, xd, y } = problem(n, d, nLabels, 17);
  const model = trainOneVsRest(x, y, { loss: 'squared-hinge', c: 0.5, pruneBelow: 0.01, bias: 0.5 });
  assert.ok(model.biasWeights.some((v) => v !== 0));
  const w = denseWeights(model);
  const dense = new Float64Array(n * nLabels);
  for (let i = 0; i < n; i++) for (let l = 0; l < nLabels; l++) { let s = 0.5 * model.biasWeights[l]!; for (let j = 0; j < d; j++) s += xd[i * d + j]! * w[l * d + j]!; dense[i * nLabels + l] = s; }
  const s = ovrScores(model, x);
  assert.ok(maxDiff(s, dense) <= 1e-5 * Math.max(1, maxAbs(dense)));
  for (const k of [1, 3, 8]) {
    const r = predictTopK(model, x, k);
    assert.equal(r.k, k);
    for (let i = 0; i < n; i++) {
      const order = Array.from({ length: nLabels }, (_, l) => l).sort((a, b) => s[i * nLabels + b]! - s[i * nLabels + a]! || a - b);
      const want = [...order.slice(0, k), ...Array<number>(Math.max(0, k - nLabels)).fill(-1)];
      assert.deepEqual(Array.from(r.labels.subarray(i * k, (i + 1) * k)), want, `row ${i}, k ${k}`);
      for (let t = 0; t < Math.min(k, nLabels); t++) assert.equal(r.scores[i * k + t], s[i * nLabels + want[t]!]);
    }
  }
  // Fewer columns than the model's features is fine (the missing ones are zero).
  const narrow = fromDense(1, 2, [1, 0.5]);
  const expect = Array.from({ length: nLabels }, (_, l) => w[l * d]! + 0.5 * w[l * d + 1]! + 0.5 * model.biasWeights[l]!);
  assert.ok(maxDiff(ovrScores(model, narrow), expect) <= 1e-6);
});

test('hitting maxIterations is reported as not converged', () => {
  const { x, y } = problem(80, 20, 2, 21);
  const model = trainOneVsRest(x, y, { loss: 'logistic', c: 100, eps: 1e-12, maxIterations: 2 });
  assert.equal(model.iterations[0], 2);
  assert.equal(model.converged[0], 0);
});

test('invalid options and shapes throw InvalidArgumentError naming the argument', () => {
  const { x, y } = problem(10, 5, 2, 1);
  const bad: [object, RegExp][] = [
    [{ loss: 'hinge', c: 1 }, /'loss'.*"hinge"/],
    [{ loss: 'logistic', c: 0 }, /'c'.*> 0 but got 0/],
    [{ loss: 'logistic', c: NaN }, /'c'/],
    [{ loss: 'logistic', c: 1, eps: -1 }, /'eps'.*-1/],
    [{ loss: 'logistic', c: 1, maxIterations: 1.5 }, /'maxIterations'.*1\.5/],
    [{ loss: 'logistic', c: 1, seed: 0.5 }, /'seed'/],
    [{ loss: 'logistic', c: 1, pruneBelow: -0.1 }, /'pruneBelow'/],
    [{ loss: 'logistic', c: 1, bias: Infinity }, /'bias'.*Infinity/],
  ];
  for (const [o, re] of bad) {
    assert.throws(() => trainOneVsRest(x, y, o as never), (e: unknown) => e instanceof InvalidArgumentError && e.fn === 'trainOneVsRest' && re.test(e.message));
  }
  assert.throws(() => trainOneVsRest(x, fromDense(9, 2, new Float64Array(18)), { loss: 'logistic', c: 1 }), /same number of rows but have 10 and 9/);
  const model = trainOneVsRest(x, y, { loss: 'logistic', c: 1 });
  assert.throws(() => predictTopK(model, x, 0), /'k'.*>= 1 but got 0/);
  assert.throws(() => predictTopK(model, fromDense(1, 6, new Float64Array(6)), 1), /has 6 features but the model has 5/);
  assert.throws(() => ovrScores(model, {} as Csr), InvalidArgumentError);
});

test('candidates: each label is trained on its positives and its candidate points only — the same weights as one-vs-rest on just those rows', () => {
  const n = 90, d = 20, nLabels = 4;
  const { x, y, yd } = problem(n, d, nLabels, 23);
  // A seeded candidate pattern (values ignored; some entries on positives; row 0 has none).
  const rng = new Rng(5), cd = new Float64Array(n * nLabels);
  for (let i = 1; i < n; i++) for (let l = 0; l < nLabels; l++) if (rng.next() < 0.3) cd[i * nLabels + l] = 2;
  const candidates = fromDense(n, nLabels, cd);
  for (const loss of ['logistic', 'squared-hinge'] as const) {
    const options = { loss, c: 2, seed: 11, bias: 1 } as const;
    const w = denseWeights(trainOneVsRest(x, y, { ...options, candidates })), model = trainOneVsRest(x, y, { ...options, candidates });
    for (let l = 0; l < nLabels - 1; l++) {
      const rows = Int32Array.from({ length: n }, (_, i) => i).filter((i) => yd[i * nLabels + l]! > 0 || cd[i * nLabels + l]! !== 0);
      assert.ok(rows.length < n && rows.length > 10, `label ${l}: a proper subset`);
      // The reference: one-vs-rest on just those rows, where only label l has positives (so it keeps its own seed).
      const only = fromDense(rows.length, nLabels, Float64Array.from({ length: rows.length * nLabels }, (_, k) => (k % nLabels === l ? yd[rows[Math.floor(k / nLabels)]! * nLabels + l]! : 0)));
      const ref = trainOneVsRest(selectRows(x, rows), only, options);
      assert.deepEqual(Array.from(w.subarray(l * d, (l + 1) * d)), Array.from(denseWeights(ref).subarray(l * d, (l + 1) * d)), `${loss}, label ${l}`);
      assert.equal(model.biasWeights[l], ref.biasWeights[l]);
      assert.equal(model.iterations[l], ref.iterations[l]);
    }
    // No candidates: each label sees its positives alone, so every bias weight leans positive.
    const none = trainOneVsRest(x, y, { ...options, candidates: fromDense(n, nLabels, new Float64Array(n * nLabels)) });
    assert.ok(Array.from(none.biasWeights.subarray(0, nLabels - 1)).every((v) => v > 0), `${loss}: positives only`);
    // Every point a candidate of every label: plain one-vs-rest, bit for bit.
    assert.deepEqual(trainOneVsRest(x, y, { ...options, candidates: fromDense(n, nLabels, new Float64Array(n * nLabels).fill(1)) }), trainOneVsRest(x, y, options));
  }
  assert.throws(() => trainOneVsRest(x, y, { loss: 'logistic', c: 1, candidates: fromDense(n - 1, nLabels, new Float64Array((n - 1) * nLabels)) }), /'candidates'.*must be 90 × 4 .* but is 89 × 4/);
});

test('dual CD over a row subset: the same solve as on those rows alone (α 0 elsewhere); bad row lists are refused', () => {
  const n = 80, d = 15;
  const { x, yd } = problem(n, d, 2, 29);
  const y = signs(yd, n, 2, 0), rows = Int32Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 !== 1);
  const sub = selectRows(x, rows), ySub = Int8Array.from(rows, (i) => y[i]!);
  for (const solve of [logisticDualCd, squaredHingeDualCd]) {
    const params = { c: 3, eps: 1e-3, maxIterations: 1000, seed: 7 };
    const a = solve({ x, sqNorms: squaredRowNorms(x) }, y, params, undefined, rows), b = solve({ x: sub, sqNorms: squaredRowNorms(sub) }, ySub, params);
    assert.deepEqual(a.w, b.w, solve.name);
    assert.equal(a.iterations, b.iterations);
    assert.equal(a.dualObjective, b.dualObjective);
    assert.deepEqual(Array.from(rows, (i) => a.alpha[i]), Array.from(b.alpha));
    for (let i = 0; i < n; i++) if (i % 3 === 1) assert.equal(a.alpha[i], 0);
  }
  for (const bad of [[3, 2], [0, 80], [-1]]) {
    assert.throws(() => logisticDualCd({ x, sqNorms: squaredRowNorms(x) }, y, { c: 1, eps: 0.1, maxIterations: 10, seed: 0 }, undefined, Int32Array.from(bad)), /'rows' must list ascending row ids below 80/);
  }
});
