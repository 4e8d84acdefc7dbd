import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { fromDense } from '../../src/data/csr.js';
import { useBackend } from '../../src/engine/backends.js';
import { scheduledLearningRate, trainAutoencoder } from '../../src/encoders/train_loop.js';
import { TrainingDivergedError, XmlcError } from '../../src/errors.js';
import type { ProgressEvent } from '../../src/progress.js';
import { Rng } from '../../src/util/rng.js';

function labels(n: number, d: number, seed: number) {
  const rng = new Rng(seed), dense = new Float32Array(n * d);
  for (let i = 0; i < n; i++) dense[i * d + rng.int(d)] = 1;
  return fromDense(n, d, dense);
}
const LOOP = { epochs: 6, batchSize: 8, learningRate: 0.05, optimizer: 'adam' as const, validationFraction: 0.25, patience: 10, seed: 2 };
const fitConstant = (w: tf.Variable) => (x: tf.Tensor2D): tf.Scalar => tf.mean(tf.sum(tf.square(tf.sub(x, w)), 1));

test('a loss that turns NaN or infinite is a TrainingDivergedError naming what was trained, the epoch and the fix', async () => {
  await useBackend('cpu');
  const y = labels(32, 6, 1);
  for (const bad of [Number.NaN, Infinity]) {
    const w = tf.variable(tf.fill([6], 0.1));
    let epoch = 0;
    // Non-finite from epoch 3 on: an injected divergence.
    const loss = (x: tf.Tensor2D): tf.Scalar => (epoch >= 3 ? tf.mul(fitConstant(w)(x), tf.scalar(bad)) as tf.Scalar : fitConstant(w)(x));
    await assert.rejects(
      trainAutoencoder(y, [w], loss, { ...LOOP, taskName: 'train test AE', onEpochStart: (e) => { epoch = e; } }),
      (e: Error) => e instanceof TrainingDivergedError && e instanceof XmlcError && e.epoch === 3 &&
        /^training the test AE diverged in epoch 3 \(loss (NaN|-?Infinity)\); lower the learning rate \(--learning-rate, now 0\.05; try 0\.005\)$/.test(e.message),
    );
    w.dispose();
  }
});

test('SGD at a huge learning rate diverges on Bibtex-like labels: the error, not a NaN model', async () => {
  await useBackend('cpu');
  const y = labels(64, 10, 3);
  const w = tf.variable(tf.fill([10], 0.1));
  // Gradient descent on ‖x − w‖² multiplies the error by (1 − 2·lr) per step: |1 − 2·1000| > 1 grows without bound.
  await assert.rejects(trainAutoencoder(y, [w], fitConstant(w), { ...LOOP, optimizer: 'sgd', learningRate: 1000, epochs: 50 }), TrainingDivergedError);
  w.dispose();
});

test('an epoch event after every epoch: the losses recorded in the history and the best epoch so far', async () => {
  await useBackend('cpu');
  const y = labels(40, 8, 4);
  const w = tf.variable(tf.fill([8], 0.1));
  const events: ProgressEvent[] = [];
  const h = await trainAutoencoder(y, [w], fitConstant(w), { ...LOOP, taskName: 'fit' }, (e) => events.push(e));
  const epochs = events.filter((e): e is Extract<ProgressEvent, { status: 'epoch' }> => e.status === 'epoch');
  assert.deepEqual(epochs.map((e) => e.epoch), Array.from({ length: h.epochsRun }, (_, i) => i + 1));
  assert.deepEqual(epochs.map((e) => e.trainLoss), h.trainLoss);
  assert.deepEqual(epochs.map((e) => e.validLoss), h.validLoss);
  for (const e of epochs) {
    assert.equal(e.task, 'fit');
    assert.equal(e.epochs, LOOP.epochs);
    // The best epoch so far is the one with the lowest validation loss up to this epoch.
    const upTo = h.validLoss.slice(0, e.epoch);
    assert.equal(e.bestEpoch, upTo.indexOf(Math.min(...upTo)) + 1);
  }
  assert.equal(epochs.at(-1)!.bestEpoch, h.bestEpoch);
  // Every epoch event comes before the task's done event.
  assert.equal(events.at(-1)!.status, 'done');
  // Without a validation split: no validation loss in the events.
  const ev2: ProgressEvent[] = [];
  await trainAutoencoder(y, [w], fitConstant(w), { ...LOOP, validationFraction: 0, epochs: 2 }, (e) => ev2.push(e));
  assert.ok(ev2.filter((e) => e.status === 'epoch').every((e) => e.status === 'epoch' && e.validLoss === undefined));
  w.dispose();
});

test('scheduledLearningRate: linear warm-up, then a cosine from the full rate down to above 0, hand-computed', () => {
  const s = { warmupEpochs: 2, epochs: 6 };
  // Warm-up: 0.1·e/3; then 0.1·½(1 + cos(π·(e − 3)/4)) for e = 3…6; past the end, the last rate.
  const expected = [0.1 / 3, 0.2 / 3, 0.1, 0.05 * (1 + Math.SQRT1_2), 0.05, 0.05 * (1 - Math.SQRT1_2), 0.05 * (1 - Math.SQRT1_2)];
  expected.forEach((v, i) => assert.ok(Math.abs(scheduledLearningRate(0.1, i + 1, s) - v) < 1e-12, `epoch ${i + 1}: ${scheduledLearningRate(0.1, i + 1, s)} vs ${v}`));
  // No warm-up, one epoch: the full rate.
  assert.equal(scheduledLearningRate(0.02, 1, { warmupEpochs: 0, epochs: 1 }), 0.02);
  assert.equal(scheduledLearningRate(0.02, 1, { warmupEpochs: 0, epochs: 4 }), 0.02);
});

test('a schedule sets the optimizer\'s rate every epoch (SGD, tfjs Adam, native Adam) and ends training with it', async () => {
  const y = labels(32, 4, 6);
  const schedule = { warmupEpochs: 1, epochs: 4 };
  for (const [backend, optimizer] of [['cpu', 'sgd'], ['cpu', 'adam'], ['native', 'adam']] as const) {
    await useBackend(backend);
    // loss = Σw: gradient 1 on every weight, so SGD moves w by −rate per step and Adam by −rate·1/(1 + ε).
    const w = tf.variable(tf.zeros([3]));
    const starts: number[] = [];
    const h = await trainAutoencoder(y, [w], () => tf.sum(w), {
      ...LOOP, optimizer, epochs: 10, batchSize: 8, validationFraction: 0, schedule,
      onEpochStart: () => { starts.push(w.dataSync()[0]!); },
    });
    starts.push(w.dataSync()[0]!);
    assert.equal(h.epochsRun, 4, `${backend} ${optimizer}: min(epochs, schedule.epochs) epochs`);
    assert.equal(h.bestValidEpoch, 0, 'no validation split');
    // 32 rows in batches of 8: 4 steps per epoch at the epoch's rate.
    for (let e = 1; e <= 4; e++) {
      const moved = starts[e - 1]! - starts[e]!;
      assert.ok(Math.abs(moved - 4 * scheduledLearningRate(LOOP.learningRate, e, schedule)) < 1e-5, `${backend} ${optimizer} epoch ${e}: moved ${moved}`);
    }
    w.dispose();
  }
  await useBackend('cpu');
  const w = tf.variable(tf.zeros([3]));
  await assert.rejects(trainAutoencoder(y, [w], () => tf.sum(w), { ...LOOP, schedule: { warmupEpochs: 3, epochs: 3 } }), /warmupEpochs < epochs/);
  w.dispose();
});

test('bestValidEpoch is the epoch of the lowest validation loss; patience ends training that many epochs after it', async () => {
  await useBackend('cpu');
  const y = labels(40, 6, 7);
  const w = tf.variable(tf.fill([6], 0.1));
  // The loss rises with the epoch from epoch 3 on (an injected penalty), so the validation loss is lowest at epoch 2 or 3.
  let epoch = 0;
  const loss = (x: tf.Tensor2D): tf.Scalar => tf.add(fitConstant(w)(x), tf.scalar(Math.max(0, epoch - 2))) as tf.Scalar;
  const h = await trainAutoencoder(y, [w], loss, { ...LOOP, learningRate: 0.01, epochs: 30, patience: 4, onEpochStart: (e) => { epoch = e; } });
  const argmin = h.validLoss.indexOf(Math.min(...h.validLoss)) + 1;
  assert.ok(argmin <= 3, `${h.validLoss}`);
  assert.equal(h.bestValidEpoch, argmin);
  assert.equal(h.bestEpoch, argmin);
  assert.equal(h.epochsRun, argmin + 4, 'stopped after 4 epochs without improvement');
  // With a validationScore choosing the epoch, bestValidEpoch still follows the validation loss.
  epoch = 0;
  const scored = await trainAutoencoder(y, [w], fitConstant(w), { ...LOOP, epochs: 5, validationScore: () => -epoch, onEpochStart: (e) => { epoch = e; } });
  assert.equal(scored.bestEpoch, 5);
  assert.equal(scored.bestValidEpoch, scored.validLoss.indexOf(Math.min(...scored.validLoss)) + 1);
  w.dispose();
});

test('validateStart: the starting weights compete as epoch 0 and are kept when no epoch beats them', async () => {
  await useBackend('cpu');
  const y = labels(40, 6, 8);
  const w = tf.variable(tf.fill([6], 0.1));
  const start = Float32Array.from(w.dataSync() as Float32Array);
  // A penalty growing with the epoch: every epoch validates worse than the start.
  let epoch = 0;
  const loss = (x: tf.Tensor2D): tf.Scalar => tf.add(fitConstant(w)(x), tf.scalar(epoch)) as tf.Scalar;
  const h = await trainAutoencoder(y, [w], loss, { ...LOOP, epochs: 10, patience: 3, validateStart: true, onEpochStart: (e) => { epoch = e; } });
  assert.equal(h.bestEpoch, 0);
  assert.equal(h.bestValidEpoch, 0);
  assert.equal(h.epochsRun, 3, 'patience counts from epoch 0');
  assert.ok(h.initialValidLoss! < Math.min(...h.validLoss));
  assert.deepEqual(w.dataSync(), start, 'the starting weights are restored');
  // Without validateStart the same run keeps its best epoch, and records no initial loss.
  w.assign(tf.fill([6], 0.1));
  epoch = 0;
  const plain = await trainAutoencoder(y, [w], loss, { ...LOOP, epochs: 10, patience: 3, onEpochStart: (e) => { epoch = e; } });
  assert.equal(plain.bestEpoch, 1);
  assert.equal(plain.initialValidLoss, undefined);
  w.dispose();
});
