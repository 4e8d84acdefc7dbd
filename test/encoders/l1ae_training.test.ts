/** How the ℓ1-AE trains: the PCA warm start, the learning-rate schedule, determinism. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { densifyRows, normalizeRowsL2, selectRows } from '../../src/data/csr.js';
import { useBackend } from '../../src/engine/backends.js';
import { LinearEncoder } from '../../src/encoders/baselines.js';
import { initialL1aeVariables, L1aeEncoder, WARM_START_BETAS } from '../../src/encoders/l1ae.js';
import { createL1aeVariables, l1aeLoss } from '../../src/encoders/l1ae_network.js';
import { L1AE_TRAINING_DEFAULTS } from '../../src/encoders/param_schema.js';
import { splitRows } from '../../src/encoders/train_loop.js';
import { labelMatrix } from './label_fixtures.js';

const LOOP = { epochs: 3, batchSize: 16, learningRate: 0.01, optimizer: 'adam' as const, validationFraction: 0.2, patience: 10, seed: 5 };
const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

test('warm start: at epoch 0, A is the PCA encoder\'s A (and so is a learned decoder B); random keeps the paper\'s initialisation', async () => {
  await useBackend('cpu');
  const y = labelMatrix(50, 14, 3, 1);
  const cfg = { inputDim: 14, embeddingDim: 5, depth: 2, batchNorm: false, seed: 4 } as const;
  const pca = LinearEncoder.pca(y, 5, 4).state().arrays['a']!;
  const warm = initialL1aeVariables(cfg, normalizeRowsL2(y), 'pca');
  assert.deepEqual(warm.a.dataSync(), pca);
  const learned = initialL1aeVariables({ ...cfg, decoderMatrix: 'learned' }, normalizeRowsL2(y), 'pca');
  assert.deepEqual(learned.b!.dataSync(), pca);
  const random = initialL1aeVariables(cfg, normalizeRowsL2(y), 'random'), paper = createL1aeVariables(cfg);
  assert.deepEqual(random.a.dataSync(), paper.a.dataSync());
  assert.equal(random.beta.dataSync()[0], 1, 'the paper\'s β');
  // β: the grid value with the lowest loss on the rows (all 50 of them here), recomputed on one dense batch.
  const x = tf.tensor2d(densifyRows(normalizeRowsL2(y), 0, 50), [50, 14]);
  const lossAt = (beta: number): number => {
    const v = { ...warm, beta: tf.variable(tf.scalar(beta)) };
    const l = l1aeLoss(cfg, v, x).dataSync()[0]!;
    v.beta.dispose();
    return l;
  };
  const losses = WARM_START_BETAS.map(lossAt);
  const chosen = warm.beta.dataSync()[0]!;
  assert.ok(WARM_START_BETAS.includes(chosen));
  assert.ok(losses.every((l) => lossAt(chosen) <= l + 1e-6), `β ${chosen}: ${losses}`);
  x.dispose();
  // Directions beyond the rank of the rows keep their random values: 3 rows have rank ≤ 3 < m = 5.
  const few = initialL1aeVariables(cfg, normalizeRowsL2(selectRows(y, [0, 1, 2])), 'pca');
  const fewA = few.a.dataSync() as Float32Array, paperA = paper.a.dataSync() as Float32Array;
  assert.ok(fewA.subarray(0, 14).some((v, j) => v !== paperA[j]), 'the first direction is a principal one');
  assert.deepEqual(fewA.subarray(4 * 14), paperA.subarray(4 * 14));
});

test('L1aeEncoder.train warm-starts from the PCA of the loop\'s training rows only (the validation rows stay unseen)', async () => {
  await useBackend('cpu');
  const y = labelMatrix(60, 12, 2, 2);
  // A tiny rate: after one epoch A is still its initial value within 1e-6.
  const { encoder } = await L1aeEncoder.train(y, { embeddingDim: 4, depth: 2, warmStart: 'pca', scheduleEpochs: 0 }, { ...LOOP, epochs: 1, learningRate: 1e-9 });
  const a = encoder.state().arrays['var0']!;
  const { train } = splitRows(60, LOOP.validationFraction, LOOP.seed);
  const fromTrain = LinearEncoder.pca(selectRows(y, train.sort()), 4, LOOP.seed).state().arrays['a']!;
  const fromAll = LinearEncoder.pca(y, 4, LOOP.seed).state().arrays['a']!;
  assert.ok(maxDiff(a, fromTrain) < 1e-6, `max difference ${maxDiff(a, fromTrain)}`);
  assert.ok(maxDiff(a, fromAll) > 1e-3, 'the validation rows changed the principal directions');
  // Training settings are not network settings: they are not saved in the encoder's config.
  assert.ok(!('warmStart' in encoder.state().config) && !('scheduleEpochs' in encoder.state().config));
  encoder.dispose();
});

test('L1aeEncoder.train follows the schedule (training ends with it) and the same seed gives the same encoder', async () => {
  await useBackend('cpu');
  const y = labelMatrix(64, 10, 2, 3);
  const shape = { embeddingDim: 4, depth: 2, warmStart: 'pca' as const, scheduleEpochs: 3, warmupEpochs: 1 };
  const r1 = await L1aeEncoder.train(y, shape, { ...LOOP, epochs: 20 });
  const r2 = await L1aeEncoder.train(y, shape, { ...LOOP, epochs: 20 });
  assert.equal(r1.history.epochsRun, 3);
  assert.ok(r1.history.bestValidEpoch >= 1 && r1.history.bestValidEpoch <= 3);
  assert.deepEqual(r1.history.validLoss, r2.history.validLoss);
  for (const [k, v] of Object.entries(r1.encoder.state().arrays)) assert.deepEqual(v, r2.encoder.state().arrays[k], k);
  // The library defaults (those of the schema) train the same way as spelling them out.
  const byDefault = await L1aeEncoder.train(y, { embeddingDim: 4, depth: 2 }, { ...LOOP, epochs: 20 });
  const spelled = await L1aeEncoder.train(y, { embeddingDim: 4, depth: 2, ...L1AE_TRAINING_DEFAULTS }, { ...LOOP, epochs: 20 });
  assert.deepEqual(byDefault.history.validLoss, spelled.history.validLoss);
  assert.equal(byDefault.history.epochsRun, Math.min(20, L1AE_TRAINING_DEFAULTS.scheduleEpochs || 20));
  for (const r of [r1, r2, byDefault, spelled]) r.encoder.dispose();
});
