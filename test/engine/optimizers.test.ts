import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../../src/engine/backends.js';
import { adam, tfjsAdam, type Trainer } from '../../src/engine/optimizers.js';
import { Rng } from '../../src/util/rng.js';

test('fused native Adam follows tfjs AdamOptimizer step by step', async () => {
  await useBackend('native');
  const rng = new Rng(12);
  const xs = tf.tensor2d(Float32Array.from({ length: 20 * 6 }, () => rng.normal()), [20, 6]);
  const ys = tf.tensor2d(Float32Array.from({ length: 20 * 3 }, () => rng.normal()), [20, 3]);
  const w0 = Float32Array.from({ length: 18 }, () => rng.normal()), b0 = Float32Array.from({ length: 3 }, () => rng.normal());
  const run = (make: () => Trainer): { losses: number[]; w: Float32Array; b: Float32Array } => {
    const w = tf.variable(tf.tensor2d(w0, [6, 3])), b = tf.variable(tf.tensor1d(b0));
    const opt = make();
    const losses: number[] = [];
    for (let s = 0; s < 8; s++) losses.push(opt.step(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(xs, w), b), ys))), [w, b]));
    const out = { losses, w: w.dataSync() as Float32Array, b: b.dataSync() as Float32Array };
    opt.dispose(); tf.dispose([w, b]);
    return out;
  };
  const native = run(() => adam({ learningRate: 0.05 })), ref = run(() => tfjsAdam({ learningRate: 0.05 }));
  assert.equal(adam({ learningRate: 0.05 }).constructor.name, 'NativeAdam');
  native.losses.forEach((l, i) => assert.ok(Math.abs(l - ref.losses[i]!) < 1e-5 * (1 + ref.losses[i]!), `loss ${i}: ${l} vs ${ref.losses[i]}`));
  for (const [a, r] of [[native.w, ref.w], [native.b, ref.b]] as const) {
    for (let i = 0; i < r.length; i++) assert.ok(Math.abs(a[i]! - r[i]!) < 1e-5, `param ${i}: ${a[i]} vs ${r[i]}`);
  }
  assert.ok(native.losses[7]! < native.losses[0]!, 'the loss decreases');
  tf.dispose([xs, ys]);
});

test('native Adam updates a variable in place only while no other tensor shares its storage', async () => {
  await useBackend('native');
  const w = tf.variable(tf.tensor1d([1, -2, 3]));
  const opt = adam({ learningRate: 0.1 });
  const step = (): number => opt.step(() => tf.sum(tf.square(w)), [w]);
  step();
  const storage = w.dataSync();
  step();
  assert.equal(w.dataSync(), storage, 'from the second step on, the new value goes into the same array');
  // A clone shares the storage: the update must leave the clone's values alone.
  const snap = tf.clone(w);
  const before = Float32Array.from(snap.dataSync());
  step();
  assert.deepEqual(Float32Array.from(snap.dataSync()), before);
  assert.notDeepEqual(Float32Array.from(w.dataSync()), before);
  // A variable assigned from outside gets fresh storage, then is updated in place again.
  const fresh = tf.tensor1d([0.5, 0.5, 0.5]);
  w.assign(fresh);
  step();
  assert.deepEqual(Float32Array.from(fresh.dataSync()), Float32Array.from([0.5, 0.5, 0.5]));
  tf.dispose([w, snap, fresh]);
  opt.dispose();
});
