import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { type Csr, fromDense } from '../../src/data/csr.js';
import { useBackend } from '../../src/engine/backends.js';
import {
  alphaSchedule, createL1SaeVariables, type L1SaeConfig, L1SAE_DEFAULTS, L1SaeEncoder, l1saeLoss, l1saeVariableList, resolveL1SaeConfig,
  softThreshold, softThresholdTensor, stageEpochs,
} from '../../src/encoders/l1sae.js';
import { giniIndex, meanRowGini } from '../../src/encoders/sparsity.js';
import { type TrainLoopOptions } from '../../src/encoders/train_loop.js';
import { checkGradients } from '../gradcheck.js';
import { Rng } from '../../src/util/rng.js';
import { InvalidArgumentError, ModelFormatError, ParamsError } from '../../src/errors.js';

/** Seeded label rows: `n` × `d`, each row 1–3 labels from one of `d / 4` groups of 4 (structure to compress). */
function labels(n: number, d: number, seed: number): Csr {
  const rng = new Rng(seed);
  const a = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const g = rng.int(d / 4);
    const k = 1 + rng.int(3);
    for (let t = 0; t < k; t++) a[i * d + 4 * g + rng.int(4)] = 1;
  }
  return fromDense(n, d, a);
}

const LOOP: TrainLoopOptions = { epochs: 6, batchSize: 32, learningRate: 0.01, optimizer: 'adam', validationFraction: 0.2, patience: 3, seed: 4 };

test('sparsity: Gini index fixtures (Hurley & Rickard 2009)', () => {
  assert.equal(giniIndex([0, 0, 0, 1]), 0.75);
  assert.ok(Math.abs(giniIndex([2, 2, 2, 2])) < 1e-12);
  assert.ok(Math.abs(giniIndex([1, -3, 0, 2]) - giniIndex([10, 30, 0, 20])) < 1e-12, 'scale and sign invariant');
  assert.equal(giniIndex([0, 0]), 0);
  assert.ok(giniIndex([1, 0.1, 0.1, 0.1]) > giniIndex([1, 0.5, 0.5, 0.5]), 'smaller small entries: sparser');
  assert.ok(Math.abs(meanRowGini(Float32Array.of(0, 0, 0, 1, 2, 2, 2, 2), 2, 4) - 0.375) < 1e-12);
});

test('prox step: soft-thresholding fixture, tensor = array version', async () => {
  await useBackend('cpu');
  const z = Float32Array.of(-2, -0.5, 0, 0.3, 1, 3);
  assert.deepEqual(Array.from(softThreshold(z, 1)), [-1, 0, 0, 0, 0, 2]);
  assert.deepEqual(Array.from(softThreshold(z, 0)), Array.from(z));
  const t = softThresholdTensor(tf.tensor1d(z), 1);
  assert.deepEqual(Array.from(t.dataSync(), (v) => v + 0), [-1, 0, 0, 0, 0, 2]); // + 0: −0 → 0
  t.dispose();
  assert.throws(() => softThreshold(z, -1), InvalidArgumentError);
});

test('prox step minimises ½‖y − z‖² + t‖y‖₁ against perturbations', () => {
  const rng = new Rng(11);
  const F = (y: ArrayLike<number>, z: ArrayLike<number>, t: number): number => {
    let s = 0;
    for (let i = 0; i < z.length; i++) s += 0.5 * (y[i]! - z[i]!) ** 2 + t * Math.abs(y[i]!);
    return s;
  };
  for (let trial = 0; trial < 20; trial++) {
    const z = Float64Array.from({ length: 8 }, () => 2 * rng.normal());
    const t = 0.1 + rng.next();
    const y = softThreshold(z, t);
    const best = F(y, z, t);
    for (let p = 0; p < 50; p++) {
      const scale = [1e-3, 1e-2, 0.3][p % 3]!;
      const yp = Array.from(y, (v) => v + scale * rng.normal());
      assert.ok(F(yp, z, t) >= best - 1e-5, `a perturbation lowered the objective: ${F(yp, z, t)} < ${best}`);
      // Single coordinates, both directions (the kinks at 0 included).
      const k = rng.int(8);
      for (const s of [scale, -scale]) { const y1 = Array.from(y); y1[k]! += s; assert.ok(F(y1, z, t) >= best - 1e-5); }
    }
  }
});

test('weight-step loss gradient equals finite differences (fixed Y, and Y = prox(Z) by the envelope theorem)', async () => {
  await useBackend('cpu');
  const d = 7, m = 4, n = 5;
  for (const activation of ['sigmoid', 'linear'] as const) {
    const cfg: L1SaeConfig = { ...L1SAE_DEFAULTS, embeddingDim: m, beta: 0.3, weightDecay: 0.01, encoderActivation: activation, decoderActivation: activation, seed: 3 };
    const v = createL1SaeVariables(d, m, 3);
    const vars = l1saeVariableList(v);
    const rng = new Rng(9);
    const x = tf.tensor2d(Float32Array.from({ length: n * d }, () => (rng.next() < 0.4 ? rng.next() : 0)), [n, d]);
    const yFixed = tf.tensor2d(Float32Array.from({ length: n * m }, () => (rng.next() < 0.5 ? rng.normal() : 0)), [n, m]);
    const alpha = 0.7;
    for (const y of [yFixed, undefined]) {
      checkGradients(() => l1saeLoss(cfg, v, x, alpha, y), vars, { eps: 1e-2, perVariable: 6, rng, tol: 1e-2, floor: 1, label: `${activation}, ${y ? 'fixed Y' : 'Y = prox(Z)'}, ` });
    }
    tf.dispose([x, yFixed, ...vars]);
  }
});

test('schedule helpers: α = α0·f^s, epochs split over stages, α0 defaults to 1/β', () => {
  assert.deepEqual(alphaSchedule({ alpha0: 2, alphaFactor: 0.5, reductions: 3 }), [2, 1, 0.5, 0.25]);
  assert.deepEqual(stageEpochs(10, 3), [3, 3, 4]);
  assert.deepEqual(stageEpochs(2, 4), [1, 1, 1, 1]);
  assert.equal(resolveL1SaeConfig({ embeddingDim: 3, beta: 0.05 }).alpha0, 20);
  assert.equal(resolveL1SaeConfig({ embeddingDim: 3, beta: 0.05, alpha0: 7 }).alpha0, 7);
  assert.equal(resolveL1SaeConfig({ embeddingDim: 3 }).alpha0, L1SAE_DEFAULTS.alpha0);
  assert.throws(() => resolveL1SaeConfig({ embeddingDim: 3, alphaFactor: 1.5 }), ParamsError);
  assert.throws(() => resolveL1SaeConfig({ embeddingDim: 0 }), ParamsError);
});

test('same seed ⇒ same weights; another seed ⇒ other weights', async () => {
  await useBackend('cpu');
  const y = labels(60, 12, 1);
  const opts = { embeddingDim: 4, seed: 5, reductions: 2 };
  const a = await L1SaeEncoder.train(y, opts, LOOP);
  const b = await L1SaeEncoder.train(y, opts, LOOP);
  const c = await L1SaeEncoder.train(y, { ...opts, seed: 6 }, LOOP);
  const sa = a.encoder.state(), sb = b.encoder.state(), sc = c.encoder.state();
  for (const k of ['w1', 'b1', 'w2', 'b2']) assert.deepEqual(sa.arrays[k], sb.arrays[k], `${k} differs between same-seed runs`);
  assert.notDeepEqual(sa.arrays['w1'], sc.arrays['w1']);
  assert.equal(a.history.stages.length, 3);
  assert.equal(a.history.epochsRun, a.history.stages.reduce((s, st) => s + st.epochsRun, 0));
  for (const r of [a, b, c]) r.encoder.dispose();
});

test('validation: the loop\'s own validation set, or one split shared by all stages; none without', async () => {
  await useBackend('cpu');
  const y = labels(40, 8, 5);
  for (const loop of [{ ...LOOP, validationData: labels(10, 8, 6) }, LOOP, { ...LOOP, validationFraction: 0 }]) {
    const { encoder, history } = await L1SaeEncoder.train(y, { embeddingDim: 3, seed: 1, reductions: 1 }, { ...loop, epochs: 4 });
    encoder.dispose();
    assert.equal(history.validLoss.length, loop.validationFraction > 0 || loop.validationData ? history.epochsRun : 0);
    for (const st of history.stages) assert.equal(st.validLoss === undefined, history.validLoss.length === 0);
    assert.ok(history.bestEpoch >= 1 && history.bestEpoch <= history.epochsRun);
  }
});

test('codes get sparser as α falls: the Gini index the ℓ1 term adds grows over the stages', async () => {
  await useBackend('cpu');
  const y = labels(160, 16, 2);
  // The same schedule, seeds and epochs with β > 0 and with β = 0 (α then only scales a zero
  // penalty): training alone also makes codes more selective, so the invariant is on the
  // difference, the sparsity due to the ℓ1 term.
  const run = async (beta: number): Promise<{ ginis: number[]; alphas: number[] }> => {
    const ginis: number[] = [], alphas: number[] = [];
    const { encoder } = await L1SaeEncoder.train(y, {
      embeddingDim: 8, seed: 1, beta, alpha0: 20, reductions: 6,
      onStage: (st, _i, enc) => { alphas.push(st.alpha); ginis.push(meanRowGini(enc.encode(y), y.nRows, 8)); },
    }, { ...LOOP, epochs: 28, validationFraction: 0 });
    encoder.dispose();
    return { ginis, alphas };
  };
  const sae = await run(0.05), plain = await run(0);
  assert.equal(sae.ginis.length, 7);
  for (let s = 1; s < sae.alphas.length; s++) assert.ok(sae.alphas[s]! < sae.alphas[s - 1]!);
  const gap = sae.ginis.map((g, s) => g - plain.ginis[s]!);
  const show = `Gini gap over the stages: ${gap.map((g) => g.toFixed(3)).join(', ')}`;
  assert.ok(gap.at(-1)! > 0, show);
  assert.ok(gap.at(-1)! > gap[0]!, show);
  let ups = 0;
  for (let s = 1; s < gap.length; s++) if (gap[s]! > gap[s - 1]!) ups++;
  assert.ok(ups >= (gap.length - 1) / 2, show);
});

test('save → load gives identical encode and decode; no tensors leak', async () => {
  await useBackend('cpu');
  const y = labels(50, 12, 3);
  const before = tf.memory().numTensors;
  const { encoder } = await L1SaeEncoder.train(y, { embeddingDim: 5, seed: 2, reductions: 1 }, { ...LOOP, epochs: 2 });
  assert.equal(tf.memory().numTensors, before + 4, 'the trained encoder holds exactly its 4 variables');
  const z = encoder.encode(y);
  assert.equal(z.length, 50 * 5);
  const xHat = encoder.decode(z, 50);
  assert.equal(xHat.length, 50 * 12);
  assert.equal(tf.memory().numTensors, before + 4, 'encode/decode leak nothing');
  const state = JSON.parse(JSON.stringify({ ...encoder.state(), arrays: {} })) as ReturnType<typeof encoder.state>;
  const loaded = L1SaeEncoder.fromState({ ...state, arrays: encoder.state().arrays });
  assert.equal(loaded.kind, 'l1-sae');
  assert.equal(loaded.dim, 5);
  assert.equal(loaded.nLabels, 12);
  assert.deepEqual(loaded.config, encoder.config);
  assert.deepEqual(loaded.encode(y), z);
  assert.deepEqual(loaded.decode(z, 50), xHat);
  assert.throws(() => encoder.encode({ ...y, nCols: 13 }), InvalidArgumentError);
  assert.throws(() => encoder.decode(z, 49), InvalidArgumentError);
  assert.throws(() => L1SaeEncoder.fromState({ ...state, arrays: {} }), ModelFormatError);
  encoder.dispose();
  loaded.dispose();
  assert.equal(tf.memory().numTensors, before);
});
