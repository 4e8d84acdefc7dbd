import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { fromDense } from '../../src/data/csr.js';
import { useBackend } from '../../src/engine/backends.js';
import { trainAutoencoder } from '../../src/encoders/train_loop.js';
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
