import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { type Csr, fromDense } from '../../src/data/csr.js';
import {
  DEEP_L0_DEFAULTS, DeepL0Encoder, helu, heluThreshold, maxMMask, maxMPool, MSparseEncoder, sigmaAt, type StageNonlinearity, unrolledEncode,
  unrolledVariables, type UnrolledWeights, weightsFromDictionary,
} from '../../src/encoders/deep_l0.js';
import { l0Objective, learnDictionary } from '../../src/encoders/dictionary.js';
import { batchIht, ihtStep, type SparseRule, topMagnitudes } from '../../src/sensing/iht.js';
import { type TrainLoopOptions } from '../../src/encoders/train_loop.js';
import { useBackend } from '../../src/engine/backends.js';
import { checkGradients } from '../gradcheck.js';
import { Rng } from '../../src/util/rng.js';

/** A random dictionary (dim × atoms) with unit-norm atoms. */
function randomDictionary(dim: number, atoms: number, seed: number): Float64Array {
  const rng = new Rng(seed), d = new Float64Array(dim * atoms);
  for (let i = 0; i < d.length; i++) d[i] = rng.normal();
  for (let a = 0; a < atoms; a++) {
    let s = 0;
    for (let i = 0; i < dim; i++) s += d[i * atoms + a]! ** 2;
    for (let i = 0; i < dim; i++) d[i * atoms + a]! /= Math.sqrt(s);
  }
  return d;
}

/** n dense random signals (n × dim), as CSR. */
function randomSignals(n: number, dim: number, seed: number): Csr {
  const rng = new Rng(seed);
  return fromDense(n, dim, Float32Array.from({ length: n * dim }, () => rng.normal()));
}

/** n label rows over d labels, 1–3 labels each, as label vectors. */
function randomLabels(n: number, d: number, seed: number): Csr {
  const rng = new Rng(seed), x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const base = rng.int(3) * 4; // three label "topics", so a dictionary can model them
    for (let t = 0, k = 1 + rng.int(3); t < k; t++) x[i * d + ((base + rng.int(5)) % d)] = 1;
  }
  return fromDense(n, d, x);
}

const LOOP: TrainLoopOptions = { epochs: 4, batchSize: 16, learningRate: 0.01, optimizer: 'adam', validationFraction: 0.2, patience: 10, seed: 3 };

test('HELU: the exact piecewise values on a hand fixture, σ = 0.2 and σ = 0', async () => {
  await useBackend('cpu');
  const u = [-2, -1, -0.9, -0.8, -0.5, 0, 0.7, 0.85, 0.95, 1, 1.5];
  const at = (sigma: number): number[] => Array.from(tf.tidy(() => helu(tf.tensor1d(u), sigma)).dataSync());
  const soft = at(0.2);
  [-2, -1, -0.5, 0, 0, 0, 0, 0.25, 0.75, 1, 1.5].forEach((v, i) => assert.ok(Math.abs(soft[i]! - v) < 1e-6, `HELU_0.2(${u[i]}) = ${soft[i]}, expected ${v}`));
  assert.deepEqual(at(0).map((v) => v + 0), [-2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1.5]);
  // h_θ: thresholds at θ per column.
  const h = tf.tidy(() => heluThreshold(tf.tensor2d([[0.4, 0.6, 1.9, 2.1]], [1, 4]), tf.tensor1d([0.5, 0.5, 2, 2]), 0)).dataSync();
  assert.deepEqual(Array.from(h).map((v) => Number(v.toFixed(6))), [0, 0.6, 0, 2.1]);
});

test('HELU_σ tends to hard thresholding as σ → 0 (max error away from the threshold)', async () => {
  await useBackend('cpu');
  const grid = Array.from({ length: 601 }, (_, i) => -3 + i * 0.01).filter((v) => Math.abs(Math.abs(v) - 1) > 0.005);
  const hard = grid.map((v) => (Math.abs(v) > 1 ? v : 0));
  let prev = Infinity;
  for (const sigma of [0.2, 0.02, 0.002]) {
    const y = tf.tidy(() => helu(tf.tensor1d(grid), sigma)).dataSync();
    const err = Math.max(...grid.map((_, i) => Math.abs(y[i]! - hard[i]!)));
    assert.ok(err <= prev, `the error grows: ${err} after ${prev}`);
    prev = err;
  }
  assert.ok(prev < 1e-6, `σ = 0.002: max error ${prev} on the grid away from |u| = 1`);
  assert.equal(sigmaAt(DEEP_L0_DEFAULTS, 1), 0.2);
  assert.ok(Math.abs(sigmaAt(DEEP_L0_DEFAULTS, 3) - 0.002) < 1e-12);
  assert.equal(sigmaAt(DEEP_L0_DEFAULTS, 8), 0);
});

test('max-M pooling keeps exactly M nonzeros per row (ties included); its gradient lives on the kept positions', async () => {
  await useBackend('cpu');
  const rows = [[1, -1, 1, 0.5, 1, 0.2], [0.3, -2, 0.1, 2, -0.4, 5], [1, 1, 1, 1, 1, 1]];
  const u = tf.tensor2d(rows);
  for (const m of [1, 2, 3]) {
    const pooled = tf.tidy(() => maxMPool(u, m)).arraySync() as number[][];
    for (const row of pooled) assert.equal(row.filter((v) => v !== 0).length, m, `M = ${m}: ${row}`);
    // The kept magnitudes are the M largest.
    pooled.forEach((row, r) => {
      const keptMin = Math.min(...row.filter((v) => v !== 0).map(Math.abs));
      const droppedMax = Math.max(0, ...rows[r]!.filter((_, j) => row[j] === 0).map(Math.abs));
      assert.ok(keptMin >= droppedMax);
    });
    // JS reference with the same tie rule (lower index) on the cpu backend.
    rows.forEach((row, r) => {
      const idx = Array.from(topMagnitudes(row, 0, row.length, m)).sort((a, b) => a - b);
      assert.deepEqual(idx, pooled[r]!.map((v, j) => (v !== 0 ? j : -1)).filter((j) => j >= 0));
    });
  }
  const c = tf.tensor2d(rows.map((r) => r.map((_, j) => j + 1)));
  const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(maxMPool(x as tf.Tensor2D, 2), c)))(u).arraySync() as number[][];
  const mask = tf.tidy(() => maxMMask(u, 2)).arraySync() as number[][];
  g.forEach((row, r) => row.forEach((v, j) => assert.equal(v, mask[r]![j] ? j + 1 : 0, `gradient [${r}][${j}]`)));
  tf.dispose([u, c]);
});

/** ‖x − enc(x)·Dᵀ‖² of a tiny model, and its variables. */
function tinyModel(kind: 'l0' | 'm-sparse'): { vars: tf.Variable[]; loss: () => tf.Scalar; x: tf.Tensor2D; weights: UnrolledWeights; dictT: tf.Variable } {
  const d = 7, p = 5;
  const dict = randomDictionary(d, p, 11);
  const step = ihtStep(dict, d, p);
  const weights = unrolledVariables(weightsFromDictionary(dict, d, p, step, kind === 'l0' ? 0.02 : undefined), d, p);
  const rng = new Rng(4);
  const dictT = tf.variable(tf.tensor2d(Float32Array.from({ length: p * d }, () => rng.normal() * 0.5), [p, d]));
  const x = tf.tensor2d(randomSignals(6, d, 9).values, [6, d]);
  const f: StageNonlinearity = kind === 'l0' ? { kind: 'l0', sigma: 0.1 } : { kind: 'm-sparse', sparsity: 2 };
  const loss = (): tf.Scalar => tf.tidy(() => tf.mean(tf.sum(tf.squaredDifference(x, tf.matMul(unrolledEncode(weights, x, 2, f), dictT)), 1)) as tf.Scalar);
  return { vars: [weights.w, weights.s, ...(weights.theta ? [weights.theta] : []), dictT], loss, x, weights, dictT };
}

for (const kind of ['l0', 'm-sparse'] as const) {
  test(`${kind} encoder loss gradient equals finite differences (fixed σ, kinks skipped)`, async () => {
    await useBackend('cpu');
    const { vars, loss, x } = tinyModel(kind);
    // A kink (a threshold or a top-M change) within ±eps: the one-sided slopes disagree; skipped.
    const checked = checkGradients(loss, vars, { eps: 1e-3, perVariable: 12, rng: new Rng(7), tol: 2e-2, floor: 1, kink: { tol: 0.05, floor: 1 } });
    assert.ok(checked >= 10, `only ${checked} smooth coordinates were checked`);
    if (kind === 'l0') {
      const { value, grads } = tf.variableGrads(loss, vars);
      assert.ok(Math.max(...Array.from(grads[vars[2]!.name]!.dataSync()).map(Math.abs)) > 0, 'θ gets a gradient at σ > 0');
      tf.dispose([value, ...Object.values(grads)]);
    }
    tf.dispose([x, ...vars]);
  });
}

test('initialised from D (W = μDᵀ, S = I − μDᵀD, θ = √(λμ)) with σ = 0, K stages equal K iterations of IHT', async () => {
  await useBackend('cpu');
  const dim = 10, p = 16, n = 40;
  const dict = randomDictionary(dim, p, 5), x = randomSignals(n, dim, 6);
  const step = ihtStep(dict, dim, p);
  const xt = tf.tensor2d(x.values, [n, dim]);
  for (const rule of [{ kind: 'l0', lambda: 0.05 }, { kind: 'm-sparse', sparsity: 3 }] as SparseRule[]) {
    const weights = unrolledVariables(weightsFromDictionary(dict, dim, p, step, rule.kind === 'l0' ? rule.lambda : undefined), dim, p);
    for (const k of [1, 2, 5]) {
      const f: StageNonlinearity = rule.kind === 'l0' ? { kind: 'l0', sigma: 0 } : { kind: 'm-sparse', sparsity: rule.sparsity };
      const z = tf.tidy(() => unrolledEncode(weights, xt, k, f)).dataSync();
      const ref = batchIht(x, dict, p, { rule, iterations: k }).codes;
      let maxErr = 0, nz = 0;
      for (let i = 0; i < ref.length; i++) { maxErr = Math.max(maxErr, Math.abs(z[i]! - ref[i]!)); if (ref[i] !== 0) nz++; }
      assert.ok(maxErr < 1e-4, `${rule.kind}, K = ${k}: max |network − IHT| = ${maxErr}`);
      assert.ok(nz > 0 && nz < ref.length, `${rule.kind}, K = ${k}: codes not trivially sparse (${nz} nonzeros)`);
    }
    tf.dispose(Object.values(weights));
  }
  xt.dispose();
});

test('IHT run to convergence is a fixed point; the ℓ0 objective never increases', () => {
  const dim = 10, p = 16;
  const dict = randomDictionary(dim, p, 8), x = randomSignals(25, dim, 9);
  for (const rule of [{ kind: 'l0', lambda: 0.3 }, { kind: 'm-sparse', sparsity: 3 }] as SparseRule[]) {
    const conv = batchIht(x, dict, p, { rule, iterations: 5000, tol: 1e-12 });
    assert.ok(Math.max(...conv.iterations) < 5000, `${rule.kind}: IHT did not converge`);
    const again = batchIht(x, dict, p, { rule, iterations: 1, init: conv.codes }).codes;
    for (let i = 0; i < again.length; i++) assert.ok(Math.abs(again[i]! - conv.codes[i]!) <= 1e-9, `${rule.kind}: not a fixed point at ${i}`);
  }
  let prev = Infinity;
  for (const k of [1, 2, 3, 5, 10, 30]) {
    const obj = l0Objective(x, dict, p, batchIht(x, dict, p, { rule: { kind: 'l0', lambda: 0.05 }, iterations: k }).codes, 0.05);
    assert.ok(obj <= prev + 1e-12, `objective rose to ${obj} at ${k} iterations`);
    prev = obj;
  }
});

test('dictionary learning: unit-norm atoms, the MOD error decreases, deterministic for a seed', () => {
  const y = randomLabels(80, 12, 2);
  const opts = { atoms: 6, rule: { kind: 'm-sparse', sparsity: 2 } as SparseRule, rounds: 6, ihtIterations: 30, seed: 4 };
  const a = learnDictionary(y, opts), b = learnDictionary(y, opts);
  assert.deepEqual(a.dict, b.dict);
  for (let k = 0; k < 6; k++) {
    let s = 0;
    for (let i = 0; i < 12; i++) s += a.dict[i * 6 + k]! ** 2;
    assert.ok(Math.abs(s - 1) < 1e-9);
  }
  assert.ok(a.errors[a.errors.length - 1]! <= a.errors[0]! + 1e-12, `MOD error ${a.errors}`);
});

for (const Enc of [DeepL0Encoder, MSparseEncoder]) {
  test(`${Enc.name}: same seed ⇒ same encoder; save/load identical; M-sparse codes; no tensor leaks`, async () => {
    await useBackend('cpu');
    const labels = randomLabels(70, 12, 1);
    const before = tf.memory().numTensors;
    const opts = { embeddingDim: 6, sparsity: 2, lambda: 0.02, seed: 5, dictionaryRounds: 3 };
    const { encoder: a, history } = await Enc.train(labels, opts, LOOP);
    const { encoder: b } = await Enc.train(labels, opts, LOOP);
    assert.ok(history.epochsRun >= 1 && history.trainLoss.every(Number.isFinite));
    assert.equal(history.validationScores?.length, history.epochsRun, 'epochs are scored at σ = 0');
    assert.deepEqual(a.state(), b.state());
    assert.equal(a.kind, Enc === DeepL0Encoder ? 'deep-l0' : 'm-sparse');
    const z = a.encode(labels);
    assert.equal(z.length, 70 * 6);
    if (Enc === MSparseEncoder) for (let i = 0; i < 70; i++) assert.ok(z.subarray(i * 6, i * 6 + 6).filter((v) => v !== 0).length <= 2);
    const c = Enc.fromState(a.state());
    assert.deepEqual(c.encode(labels), z);
    assert.deepEqual(c.decode(z, 70), a.decode(z, 70));
    assert.equal(a.decode(z, 70).length, 70 * 12);
    // A decoded code reconstructs its labels better than zero.
    const yHat = a.decode(z, 70);
    let err = 0, base = 0;
    for (let i = 0; i < 70; i++) {
      const row = Array.from({ length: 12 }, () => 0);
      for (let q = labels.rowPtr[i]!; q < labels.rowPtr[i + 1]!; q++) row[labels.indices[q]!] = labels.values[q]!;
      const nrm = Math.hypot(...row);
      row.forEach((v, j) => { err += (v / nrm - yHat[i * 12 + j]!) ** 2; base += (v / nrm) ** 2; });
    }
    assert.ok(err < 0.8 * base, `reconstruction error ${err} vs ‖y‖² ${base}`);
    [a, b, c].forEach((e) => e.dispose());
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });
}
