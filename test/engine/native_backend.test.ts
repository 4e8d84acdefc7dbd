import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { backendReport, useBackend } from '../../src/engine/backends.js';
import { Rng } from '../../src/util/rng.js';

const rng = new Rng(123);
const randArr = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.normal());
const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);

/** Run `f` on the given backend with fresh tensors made from `inputs`; return data and shape. */
async function on(backend: 'cpu' | 'native', inputs: { data: Float32Array; shape: number[] }[], f: (...t: tf.Tensor[]) => tf.Tensor): Promise<{ data: Float32Array; shape: number[] }> {
  await useBackend(backend);
  const ts = inputs.map((i) => tf.tensor(i.data, i.shape, 'float32'));
  const out = f(...ts);
  const res = { data: (await out.data()) as Float32Array, shape: out.shape };
  tf.dispose([...ts, out]);
  return res;
}

async function agree(what: string, shapes: number[][], f: (...t: tf.Tensor[]) => tf.Tensor, tol = 1e-5): Promise<void> {
  const inputs = shapes.map((s) => ({ data: randArr(size(s)), shape: s }));
  const a = await on('cpu', inputs, f), b = await on('native', inputs, f);
  assert.deepEqual(b.shape, a.shape, `${what}: shape`);
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i]!, y = b.data[i]!;
    if (x === y) continue;
    if (Number.isNaN(x) || Number.isNaN(y)) { assert.ok(Number.isNaN(x) && Number.isNaN(y), `${what}[${i}]: ${x} vs ${y}`); continue; }
    assert.ok(Math.abs(x - y) <= tol * (1 + Math.abs(x)), `${what}[${i}]: cpu ${x} vs native ${y}`);
  }
}

test('the native backend is available and auto picks it here', async () => {
  const r = await backendReport();
  assert.equal(r.backends.native.ok, true, r.backends.native.reason);
  assert.equal(r.backends.cpu.ok, true);
  assert.equal(r.auto, r.backends.tensorflow.ok ? 'tensorflow' : 'native');
});

test('batched matrix products with transposes and broadcasting equal the CPU kernel', async () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[3, 4], [4, 5], false, false], [[4, 3], [4, 5], true, false], [[3, 4], [5, 4], false, true], [[4, 3], [5, 4], true, true],
    [[1, 1], [1, 1], false, false], [[0, 4], [4, 5], false, false], [[3, 0], [0, 5], false, false], [[3, 4], [4, 0], false, false],
    [[2, 3, 4], [2, 4, 5], false, false], [[2, 3, 4], [4, 5], false, false], [[3, 4], [6, 5, 4], false, true], [[2, 2, 4, 3], [2, 2, 4, 6], true, false],
    [[128, 300], [100, 300], false, true], [[128, 100], [100, 300], false, false], [[100, 128], [128, 300], false, false],
  ];
  for (const [sa, sb, ta, tb] of cases) await agree(`matMul ${sa} ${sb} ${ta} ${tb}`, [sa, sb], (a, b) => tf.matMul(a!, b!, ta, tb), 1e-4);
});

test('element-wise binary ops with broadcasting equal the CPU kernels', async () => {
  const pairs: [number[], number[]][] = [[[5], [5]], [[2, 3], [3]], [[2, 1], [1, 4]], [[], [3, 2]], [[3, 2], []], [[4, 1, 3], [2, 1]], [[0, 3], [3]], [[1], [1]], [[300, 200], [300, 200]], [[256, 100], [100]]];
  const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
    ['add', tf.add], ['sub', tf.sub], ['mul', tf.mul], ['div', tf.div], ['maximum', tf.maximum], ['minimum', tf.minimum], ['squaredDifference', tf.squaredDifference],
  ];
  for (const [name, op] of ops) for (const [sa, sb] of pairs) await agree(`${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`, [sa, sb], (a, b) => op(a!, b!));
});

test('element-wise unary ops equal the CPU kernels (including NaN)', async () => {
  const ops: [string, (x: tf.Tensor) => tf.Tensor][] = [
    ['neg', tf.neg], ['abs', tf.abs], ['relu', tf.relu], ['sign', tf.sign], ['tanh', tf.tanh], ['exp', tf.exp], ['log', (x) => tf.log(tf.abs(x))],
    ['sqrt', (x) => tf.sqrt(tf.abs(x))], ['square', tf.square], ['sigmoid', tf.sigmoid], ['step', (x) => tf.step(x)], ['step alpha', (x) => tf.step(x, 0.3)],
  ];
  for (const [name, op] of ops) for (const s of [[7], [3, 4], [0], [1], [200, 300]]) await agree(`${name} ${s}`, [s], (x) => op(x!));
  await agree('relu/sign of NaN', [[4]], (x) => tf.add(tf.relu(tf.div(x!, tf.scalar(0))), tf.sign(tf.sqrt(tf.neg(tf.abs(x!))))));
});

test('reductions along axes equal the CPU kernels', async () => {
  const cases: [number[], number | number[] | undefined, boolean][] = [
    [[5], undefined, false], [[3, 4], 0, false], [[2, 3, 4], 1, false], [[2, 3, 4, 5], [1, 2], true], [[4, 5, 6], [0, 1], false], [[3, 4], 1, true], [[2, 3, 4], [0, 2], false], [[2, 3, 4], -1, true], [[1, 1], 0, false], [[0, 3], 1, false], [[3, 0], 0, false], [[2, 3, 4], [], false], [[300, 200], 0, false], [[128, 3993], 1, false],
  ];
  const ops: [string, (x: tf.Tensor, axis: number | number[] | undefined, keep: boolean) => tf.Tensor][] = [
    ['sum', tf.sum], ['mean', tf.mean], ['max', tf.max], ['min', tf.min],
  ];
  for (const [name, op] of ops) {
    for (const [s, axis, keep] of cases) {
      if ((name === 'max' || name === 'min' || name === 'mean') && size(s) === 0) continue;
      await agree(`${name} ${s} axis ${axis} keep ${keep}`, [s], (x) => op(x!, axis, keep));
    }
  }
});

test('tile equals the CPU kernel', async () => {
  const cases: [number[], number[]][] = [[[3], [4]], [[2, 3], [1, 1]], [[2, 3], [3, 2]], [[1, 5], [128, 1]], [[2, 1, 3], [1, 4, 2]], [[1], [1]], [[0, 2], [3, 1]], [[3993], [128]]];
  for (const [s, reps] of cases) await agree(`tile ${s} ${reps}`, [s], (x) => tf.tile(x!, reps));
});

test('gradients through matMul, broadcasting and reductions agree between cpu and native', async () => {
  const f = (a: tf.Tensor, w: tf.Tensor): tf.Tensor => tf.grad((x: tf.Tensor) => tf.mean(tf.square(tf.relu(tf.sub(tf.matMul(x, w, false, true), tf.tanh(tf.sum(tf.slice(x, [0, 0], [-1, 5]), 1, true)))))))(a);
  await agree('grad', [[16, 40], [5, 40]], (a, w) => f(a!, w!), 1e-4);
});

test('float32 tensors cast from bool or int32 (storage not converted by tfjs) go through the native kernels', async (t) => {
  const { name } = await useBackend('auto');
  if (name !== 'native') { t.skip(`the native backend is not in use here (${name})`); return; }
  const a = tf.tensor2d([1, -2, 3, 0.5, -0.25, 4], [2, 3]);
  const mask = tf.cast(tf.greater(a, 0), 'float32');
  const ints = tf.cast(tf.tensor1d([1, 2, 3], 'int32'), 'float32');
  assert.deepEqual(Array.from(tf.mul(a, mask).dataSync(), (v) => v + 0), [1, 0, 3, 0.5, 0, 4]); // + 0 turns −0 into 0
  assert.deepEqual(Array.from(tf.add(a, ints).dataSync()), [2, 0, 6, 1.5, 1.75, 7]);
  assert.deepEqual(Array.from(tf.sum(mask, 1).dataSync()), [2, 2]);
  // Gradients of maximum / minimum build such masks.
  const g = tf.grad((x: tf.Tensor) => tf.sum(tf.maximum(x, 0.5)))(a);
  assert.deepEqual(Array.from(g.dataSync()), [1, 0, 1, 1, 0, 1]); // tfjs: d max(x, b)/dx = [x ≥ b], so 1 at the tie x = 0.5
  tf.dispose([a, mask, ints, g]);
});
