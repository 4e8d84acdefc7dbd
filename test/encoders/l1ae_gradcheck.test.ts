import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../../src/engine/backends.js';
import { createL1aeVariables, l1aeLoss, l1aeVariableList, type L1aeNetworkConfig } from '../../src/encoders/l1ae_network.js';
import { Rng } from '../../src/util/rng.js';
import { checkGradients } from '../gradcheck.js';

/**
 * The gradient of the ℓ1-AE loss against central finite differences on a tiny model, at
 * coordinates where the loss is smooth (sign(x(t)) does not flip within the step: checked by
 * the two one-sided differences agreeing). sign has zero gradient, so between sign changes
 * the analytic gradient is the true one.
 */
const VARIANTS: Partial<L1aeNetworkConfig>[] = [
  { batchNorm: false }, { batchNorm: true }, { batchNorm: false, activation: 'tanh' }, { batchNorm: false, decoderMatrix: 'learned' },
  { batchNorm: true, activation: 'tanh', decoderMatrix: 'learned' }, { batchNorm: false, finalRelu: false, depth: 0 }, { batchNorm: 'affine' },
];

for (const variant of VARIANTS) {
  test(`ℓ1-AE loss gradient equals finite differences (${JSON.stringify(variant)})`, async () => {
    await useBackend('cpu');
    const cfg: L1aeNetworkConfig = { inputDim: 7, embeddingDim: 4, depth: 3, seed: 2, ...variant };
    const v = createL1aeVariables(cfg);
    const vars = l1aeVariableList(v);
    const rng = new Rng(5);
    // Non-negative, ℓ2-normalised sparse-ish rows, like label vectors.
    const xs = new Float32Array(6 * 7);
    for (let i = 0; i < 6; i++) {
      let s = 0;
      for (let j = 0; j < 7; j++) { const u = rng.next() < 0.4 ? rng.next() + 0.1 : 0; xs[i * 7 + j] = u; s += u * u; }
      for (let j = 0; j < 7; j++) xs[i * 7 + j]! /= Math.sqrt(s) || 1;
    }
    const x = tf.tensor2d(xs, [6, 7]);
    // A kink (a sign flip) inside [−eps, eps]: the one-sided slopes disagree; skip the coordinate.
    const checked = checkGradients(() => l1aeLoss(cfg, v, x), vars, { eps: 2e-3, perVariable: 12, rng, tol: 2e-2, floor: 1, kink: { tol: 0.05, floor: 1 } });
    assert.ok(checked >= 8, `only ${checked} smooth coordinates were checked`);
    if (variant.decoderMatrix === 'learned') assert.ok(v.b && vars.includes(v.b), 'B is a trained variable');
    tf.dispose([x, ...vars]);
  });
}

test('ℓ1-AE variations: loss and gradients agree between native and cpu', async (t) => {
  const { name } = await useBackend('auto');
  if (name !== 'native') { t.skip(`the native backend is not in use here (${name})`); return; }
  const rng = new Rng(8);
  const xs = Float32Array.from({ length: 5 * 9 }, () => (rng.next() < 0.3 ? rng.next() : 0));
  for (const variant of VARIANTS) {
    const cfg: L1aeNetworkConfig = { inputDim: 9, embeddingDim: 4, depth: 3, seed: 3, ...variant };
    const run = async (backend: 'native' | 'cpu'): Promise<number[][]> => {
      await useBackend(backend);
      const v = createL1aeVariables(cfg);
      const vars = l1aeVariableList(v);
      const { value, grads } = tf.variableGrads(() => l1aeLoss(cfg, v, tf.tensor2d(xs, [5, 9])), vars);
      const out = [Array.from(value.dataSync()), ...vars.map((x) => Array.from(grads[x.name]?.dataSync() ?? new Float32Array(x.size)))];
      tf.dispose([value, ...Object.values(grads), ...vars]);
      return out;
    };
    const a = await run('native'), b = await run('cpu');
    for (let i = 0; i < a.length; i++) {
      for (let j = 0; j < a[i]!.length; j++) {
        assert.ok(Math.abs(a[i]![j]! - b[i]![j]!) <= 1e-4 * Math.max(1, Math.abs(b[i]![j]!)), `${JSON.stringify(variant)} tensor ${i}[${j}]: ${a[i]![j]} vs ${b[i]![j]}`);
      }
    }
  }
});
