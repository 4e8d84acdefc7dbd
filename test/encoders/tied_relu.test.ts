import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { fromDense } from '../../src/data/csr.js';
import { useBackend } from '../../src/engine/backends.js';
import {
  coherence, crossGram, drawCode, expectedGradientNorm, expectedRowGradient, type GradBuffers, incoherentDictionary, perturbedWeights, preActivations,
  randomUnitRows, rowGradientSample, signalOf, type SparseCodingModel, sparseCodingModel, supportBias, supportRecovery,
  supportRecoveryGuaranteed,
} from '../../src/encoders/sparse_coding_model.js';
import {
  createTiedReluVariables, TIED_RELU_DEFAULTS, TiedReluEncoder, tiedReluLoss, tiedReluTrainable, type TiedReluVariables,
} from '../../src/encoders/tied_relu.js';
import { checkGradients } from '../gradcheck.js';
import { Rng } from '../../src/util/rng.js';

const LOOP = { epochs: 4, batchSize: 16, learningRate: 0.01, optimizer: 'adam' as const, validationFraction: 0.2, patience: 2, seed: 5 };

/** A random sparse non-negative n × d label matrix with about `k` nonzeros per row. */
function labelMatrix(n: number, d: number, k: number, seed: number) {
  const rng = new Rng(seed);
  const dense = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) dense[i * d + rng.int(d)] = 1 + rng.next();
  return fromDense(n, d, dense);
}

/** Variables holding given W (m × d) and ε. */
function fixedVars(w: Float64Array, m: number, d: number, eps: number): TiedReluVariables {
  const vars = createTiedReluVariables(d, { embeddingDim: m, seed: 0, bias: 'learned', biasInit: eps });
  const t = tf.tensor2d(Float32Array.from(w), [m, d]);
  vars.w.assign(t);
  t.dispose();
  return vars;
}

test('tied ReLU AE: loss gradient (W and ε) equals finite differences away from ReLU kinks', async () => {
  await useBackend('cpu');
  const d = 7, m = 4, b = 6;
  const vars = createTiedReluVariables(d, { embeddingDim: m, seed: 2, bias: 'learned', biasInit: -0.05 });
  const list = tiedReluTrainable(vars);
  assert.equal(list.length, 2);
  const rng = new Rng(5);
  const xs = new Float32Array(b * d);
  for (let i = 0; i < b; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) { const u = rng.next() < 0.5 ? rng.next() + 0.1 : 0; xs[i * d + j] = u; s += u * u; }
    for (let j = 0; j < d; j++) xs[i * d + j]! /= Math.sqrt(s) || 1;
  }
  const x = tf.tensor2d(xs, [b, d]);
  // A hidden unit crossing its threshold inside [−h, h] is a kink: the one-sided slopes disagree; skipped.
  const checked = checkGradients(() => tiedReluLoss(vars, x), list, { eps: 2e-3, tol: 1e-2, floor: 0.1, kink: { tol: 0.05, floor: 1e-2 } });
  assert.ok(checked >= 20, `only ${checked} smooth coordinates were checked`);
  tf.dispose([x, vars.w, vars.eps]);
});

/** A small instance of the generative model with W = A*ᵀ + δ-perturbation. */
function instance(delta: number, k: number): { model: SparseCodingModel; w: Float64Array; c: Float64Array; mu: number } {
  const n = 64, h = 128;
  const model: SparseCodingModel = { n, h, k, atoms: incoherentDictionary(n, h, 'two-ortho', 3), codeMin: 1, codeMax: 1.5 };
  const w = perturbedWeights(model.atoms, h, n, delta, 4);
  return { model, w, c: crossGram(model.atoms, h, w, h, n), mu: coherence(crossGram(model.atoms, h, model.atoms, h, n), h) };
}

test('sparse coding model: unit-norm incoherent atoms, δ-perturbed rows, seeded codes', () => {
  const { model, w, mu } = instance(0.1, 3);
  assert.ok(Math.abs(mu - 1 / 8) < 1e-12, `two-ortho coherence ${mu} ≠ 1/√64`);
  for (let j = 0; j < model.h; j++) {
    let norm = 0, dist = 0;
    for (let c = 0; c < model.n; c++) { norm += model.atoms[j * model.n + c]! ** 2; dist += (w[j * model.n + c]! - model.atoms[j * model.n + c]!) ** 2; }
    assert.ok(Math.abs(norm - 1) < 1e-12 && Math.abs(Math.sqrt(dist) - 0.1) < 1e-12);
  }
  const g = incoherentDictionary(50, 200, 'gaussian', 1);
  assert.deepEqual(g, incoherentDictionary(50, 200, 'gaussian', 1));
  assert.notDeepEqual(g, incoherentDictionary(50, 200, 'gaussian', 2));
  const a = drawCode(model, new Rng(7)), b = drawCode(model, new Rng(7));
  assert.deepEqual(a, b);
  assert.equal(new Set(a.support).size, 3);
  for (const v of a.values) assert.ok(v >= 1 && v <= 1.5);
  const forced = drawCode(model, new Rng(8), 17), kept = drawCode(model, new Rng(9), -1, 17);
  assert.ok(forced.support.includes(17) && !kept.support.includes(17));
  // Pre-activations through the cross-Gram equal W·(A*·x*).
  const u = preActivations(crossGram(model.atoms, model.h, w, model.h, model.n), model.h, a);
  const y = signalOf(model, a);
  for (let i = 0; i < model.h; i++) {
    let s = 0; for (let c = 0; c < model.n; c++) s += w[i * model.n + c]! * y[c]!;
    assert.ok(Math.abs(s - u[i]!) < 1e-12);
  }
  const m = sparseCodingModel(256, { p: 0.25, overcompleteness: 2, kind: 'two-ortho', codeMin: 0.5, codeMax: 1.5, seed: 1 });
  assert.equal(m.n, 128); assert.equal(m.k, 4);
});

test('support recovery: with the worst-case ε the recovered support ⊆ supp(x*) always, = supp(x*) when the margin condition holds', () => {
  for (const delta of [0, 0.05]) {
    const { model, c, mu } = instance(delta, 2);
    const eps = supportBias('worst-case', model, delta, mu);
    const guarantee = supportRecoveryGuaranteed(model, delta, mu, eps);
    assert.deepEqual(guarantee, { subset: true, exact: true }, `δ = ${delta}: the instance should meet the margin condition`);
    const stats = supportRecovery(model, c, eps, 2000, 11);
    assert.equal(stats.subsetRate, 1);
    assert.equal(stats.exactRate, 1, `δ = ${delta}: exact support recovery on every code`);
  }
  // k = 4 breaks the margin condition: the subset invariant still holds, exact recovery need not.
  const { model, c, mu } = instance(0.05, 4);
  const eps = supportBias('worst-case', model, 0.05, mu);
  assert.deepEqual(supportRecoveryGuaranteed(model, 0.05, mu, eps), { subset: true, exact: false });
  const stats = supportRecovery(model, c, eps, 2000, 12);
  assert.equal(stats.subsetRate, 1);
  assert.equal(stats.falsePerCode, 0);
  // The paper-constant ('mean') bias is lower: fewer misses, false positives allowed.
  const mean = supportRecovery(model, c, supportBias('mean', model, 0.05, mu), 2000, 12);
  assert.ok(mean.missedRate <= stats.missedRate);
});

test('row gradient of the theory code equals the tfjs gradient of the network loss', async () => {
  await useBackend('cpu');
  const { model, w, c, mu } = instance(0.2, 3);
  const eps = supportBias('mean', model, 0.2, mu);
  const rng = new Rng(21);
  const codes = Array.from({ length: 24 }, (_, t) => drawCode(model, rng, t % 2 ? 5 : -1));
  const buf: GradBuffers = { u: new Float64Array(model.h), y: new Float64Array(model.n), e: new Float64Array(model.n) };
  const g = new Float64Array(model.n), sum = new Float64Array(model.n);
  let loss = 0;
  for (const code of codes) {
    loss += rowGradientSample(model, w, c, eps, code, 5, buf, g);
    for (let d = 0; d < model.n; d++) sum[d]! += g[d]! / codes.length;
  }
  const ys = new Float32Array(codes.length * model.n);
  codes.forEach((code, t) => ys.set(signalOf(model, code), t * model.n));
  const vars = fixedVars(w, model.h, model.n, eps);
  const x = tf.tensor2d(ys, [codes.length, model.n]);
  const { value, grads } = tf.variableGrads(() => tiedReluLoss(vars, x), [vars.w]);
  const gw = grads[vars.w.name]!.dataSync();
  assert.ok(Math.abs(value.dataSync()[0]! - loss / codes.length) < 1e-4 * (1 + loss / codes.length));
  for (let d = 0; d < model.n; d++) assert.ok(Math.abs(gw[5 * model.n + d]! - sum[d]!) < 1e-4, `coordinate ${d}: ${gw[5 * model.n + d]} vs ${sum[d]}`);
  tf.dispose([x, vars.w, vars.eps]);
});

test('expected gradient: smaller at W = A*ᵀ than at a random W', () => {
  const { model, c, mu } = instance(0, 3);
  const eps = supportBias('mean', model, 0, mu);
  const wRand = randomUnitRows(model.h, model.n, 31);
  const cRand = crossGram(model.atoms, model.h, wRand, model.h, model.n);
  const atStar = expectedGradientNorm(model, model.atoms, c, eps, 500, 40, 32);
  const atRand = expectedGradientNorm(model, wRand, cRand, eps, 500, 40, 32);
  assert.equal(atStar.rows, 32);
  assert.ok(atStar.perActivation + 2 * atStar.noisePerActivation < atRand.perActivation,
    `‖E∇‖ per activation ${atStar.perActivation} (± ${atStar.noisePerActivation}) at A*ᵀ vs ${atRand.perActivation} at a random W`);
  assert.ok(atStar.frobenius < atRand.frobenius && atStar.loss < atRand.loss);
  // Seeded.
  assert.deepEqual(expectedRowGradient(model, model.atoms, c, eps, 3, 50, 1), expectedRowGradient(model, model.atoms, c, eps, 3, 50, 1));
});

test('TiedReluEncoder: same seed ⇒ same encoder; fixed bias stays fixed; embeddings = ReLU(W·ŷ − ε); decode = Wᵀz', async () => {
  await useBackend('cpu');
  const y = labelMatrix(80, 20, 3, 2);
  const r1 = await TiedReluEncoder.train(y, { embeddingDim: 6, seed: 0 }, LOOP);
  const r2 = await TiedReluEncoder.train(y, { embeddingDim: 6, seed: 0 }, LOOP);
  const s1 = r1.encoder.state();
  assert.deepEqual(s1.arrays, r2.encoder.state().arrays);
  assert.deepEqual(s1.config, { seed: 0, bias: TIED_RELU_DEFAULTS.bias, biasInit: TIED_RELU_DEFAULTS.biasInit });
  assert.ok(s1.arrays['eps']!.some((e) => e !== 0), 'the learned bias moved');
  assert.ok(r1.history.epochsRun >= 1);
  const fixed = await TiedReluEncoder.train(y, { embeddingDim: 6, bias: 'fixed', biasInit: 0.01 }, LOOP);
  assert.deepEqual(fixed.encoder.state().arrays['eps'], new Float32Array(6).fill(0.01));
  assert.equal(fixed.encoder.state().config['seed'], LOOP.seed);
  fixed.encoder.dispose();
  // encode by hand.
  const { w, eps } = s1.arrays as { w: Float32Array; eps: Float32Array };
  const z = r1.encoder.encode(y);
  for (let r = 0; r < 5; r++) {
    let norm = 0;
    for (let p = y.rowPtr[r]!; p < y.rowPtr[r + 1]!; p++) norm += y.values[p]! ** 2;
    for (let u = 0; u < 6; u++) {
      let s = 0;
      for (let p = y.rowPtr[r]!; p < y.rowPtr[r + 1]!; p++) s += w[u * 20 + y.indices[p]!]! * y.values[p]! / Math.sqrt(norm);
      assert.ok(Math.abs(z[r * 6 + u]! - Math.max(0, s - eps[u]!)) < 1e-5);
    }
  }
  const back = r1.encoder.decode(z, y.nRows);
  for (const [r, c] of [[0, 0], [3, 7], [79, 19]] as const) {
    let s = 0; for (let u = 0; u < 6; u++) s += w[u * 20 + c]! * z[r * 6 + u]!;
    assert.ok(Math.abs(back[r * 20 + c]! - s) < 1e-5);
  }
  r1.encoder.dispose(); r2.encoder.dispose();
});

test('TiedReluEncoder: state() / fromState() round trip gives identical outputs; no tensor leaks', async () => {
  await useBackend('cpu');
  const y = labelMatrix(60, 15, 2, 3);
  const before = tf.memory().numTensors;
  const { encoder } = await TiedReluEncoder.train(y, { embeddingDim: 5, seed: 4, bias: 'fixed', biasInit: 0.02 }, { ...LOOP, epochs: 2 });
  const again = TiedReluEncoder.fromState(encoder.state());
  const z = encoder.encode(y);
  assert.deepEqual(again.encode(y), z);
  assert.deepEqual(again.decode(z, y.nRows), encoder.decode(z, y.nRows));
  assert.deepEqual(again.state(), encoder.state());
  assert.equal(again.config.bias, 'fixed');
  assert.throws(() => TiedReluEncoder.fromState({ ...encoder.state(), arrays: { w: new Float32Array(3) } }), /w/);
  assert.throws(() => TiedReluEncoder.fromState({ ...encoder.state(), kind: 'pca' }), /tied ReLU/);
  encoder.dispose(); again.dispose();
  assert.equal(tf.memory().numTensors, before);
});
