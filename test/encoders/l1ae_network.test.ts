import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../../src/engine/backends.js';
import { createL1aeVariables, l1aeBnStats, l1aeDecode, l1aeDecodeInference, l1aeDecodeRowsNative, l1aeLoss, l1aeVariableList, type L1aeNetworkConfig, packL1aeBf16 } from '../../src/encoders/l1ae_network.js';
import { L1aeEncoder } from '../../src/encoders/l1ae.js';
import { csr } from '../../src/data/csr.js';
import { nativeAddon } from '../../src/engine/addon.js';
import { Rng } from '../../src/util/rng.js';

/** Plain-JS forward pass without BN: the paper's recursion written out with loops (the decoder: {@link referenceDecode}). */
function referenceLoss(a: Float32Array, m: number, d: number, beta: number, depth: number, x: Float32Array, b: number, relu: boolean): number {
  let total = 0;
  for (let i = 0; i < b; i++) {
    const xi = x.subarray(i * d, (i + 1) * d);
    const y = new Float64Array(m);
    for (let r = 0; r < m; r++) for (let c = 0; c < d; c++) y[r]! += a[r * d + c]! * xi[c]!;
    const xh = referenceDecode(a, m, d, beta, depth, y, 1, relu);
    for (let c = 0; c < d; c++) total += (xi[c]! - xh[c]!) ** 2;
  }
  return total / b;
}

function batch(rng: Rng, b: number, d: number): Float32Array {
  const x = new Float32Array(b * d);
  for (let i = 0; i < b; i++) {
    let n = 0;
    for (let t = 0; t < 3; t++) { const c = rng.int(d); if (x[i * d + c] === 0) { x[i * d + c] = rng.next(); n++; } }
    let s = 0; for (let c = 0; c < d; c++) s += x[i * d + c]! ** 2;
    for (let c = 0; c < d; c++) x[i * d + c]! /= Math.sqrt(s) || 1;
  }
  return x;
}

test('the ℓ1-AE loss (no BN) equals a plain-JS transcription of the paper\'s recursion', async () => {
  await useBackend('cpu');
  const rng = new Rng(4);
  for (const [depth, relu] of [[0, true], [1, true], [3, false], [5, true]] as const) {
    const cfg: L1aeNetworkConfig = { inputDim: 12, embeddingDim: 5, depth, batchNorm: false, finalRelu: relu, seed: 7 };
    const v = createL1aeVariables(cfg);
    v.beta.assign(tf.scalar(0.7));
    const x = batch(rng, 6, 12);
    const got = l1aeLoss(cfg, v, tf.tensor2d(x, [6, 12])).dataSync()[0]!;
    const want = referenceLoss(v.a.dataSync() as Float32Array, 5, 12, 0.7, depth, x, 6, relu);
    assert.ok(Math.abs(got - want) < 1e-5 * (1 + want), `T=${depth}: ${got} vs ${want}`);
    tf.dispose(l1aeVariableList(v));
  }
});

test('A is initialised N(0, 1/d) and the same seed gives the same A', async () => {
  await useBackend('cpu');
  const cfg: L1aeNetworkConfig = { inputDim: 2000, embeddingDim: 50, depth: 2, seed: 11 };
  const v1 = createL1aeVariables(cfg), v2 = createL1aeVariables(cfg);
  const a = v1.a.dataSync();
  assert.deepEqual(a, v2.a.dataSync());
  let s = 0, s2 = 0;
  for (const x of a) { s += x; s2 += x * x; }
  const n = a.length, variance = s2 / n - (s / n) ** 2;
  // 100,000 samples: the variance estimate is within a few % of 1/d = 5e-4.
  assert.ok(Math.abs(variance - 1 / 2000) < 0.05 / 2000, `variance ${variance}`);
  assert.equal(v1.bnScale.length, 2);
  tf.dispose([...l1aeVariableList(v1), ...l1aeVariableList(v2)]);
});

test('loss and gradients agree between the native and cpu backends', async () => {
  const cfg: L1aeNetworkConfig = { inputDim: 64, embeddingDim: 10, depth: 4, seed: 3 };
  const x = batch(new Rng(5), 16, 64);
  const run = async (backend: 'cpu' | 'native'): Promise<{ loss: number; grads: Float32Array[] }> => {
    await useBackend(backend);
    const v = createL1aeVariables(cfg);
    const xt = tf.tensor2d(x, [16, 64]);
    const { value, grads } = tf.variableGrads(() => l1aeLoss(cfg, v, xt), l1aeVariableList(v));
    const out = { loss: value.dataSync()[0]!, grads: l1aeVariableList(v).map((w) => grads[w.name]!.dataSync() as Float32Array) };
    tf.dispose([value, xt, ...Object.values(grads), ...l1aeVariableList(v)]);
    return out;
  };
  const c = await run('cpu'), n = await run('native');
  assert.ok(Math.abs(c.loss - n.loss) < 1e-5 * (1 + c.loss), `loss ${c.loss} vs ${n.loss}`);
  c.grads.forEach((g, i) => {
    const h = n.grads[i]!;
    let scale = 0; for (const v of g) scale = Math.max(scale, Math.abs(v));
    // Absolute floor: a BN shift followed by another BN has (exactly) zero gradient, i.e. rounding noise.
    for (let j = 0; j < g.length; j++) assert.ok(Math.abs(g[j]! - h[j]!) <= 1e-4 * scale + 1e-6, `grad ${i}[${j}]: ${g[j]} vs ${h[j]}`);
  });
  // The gradient reaches A (sign has zero gradient, but Aᵀ(A·z) and the identity path carry it).
  assert.ok(c.grads[0]!.some((v) => v !== 0));
});

test('the fused native block gives the same loss and gradients as the op-by-op graph', async () => {
  await useBackend('native');
  for (const batchNorm of [true, false]) {
    const base: L1aeNetworkConfig = { inputDim: 50, embeddingDim: 8, depth: 3, batchNorm, seed: 9 };
    const x = tf.tensor2d(batch(new Rng(6), 12, 50), [12, 50]);
    const run = (fused: boolean): { loss: number; grads: Float32Array[] } => {
      const cfg = { ...base, fused };
      const v = createL1aeVariables(cfg);
      v.beta.assign(tf.scalar(0.8));
      const { value, grads } = tf.variableGrads(() => l1aeLoss(cfg, v, x), l1aeVariableList(v));
      const out = { loss: value.dataSync()[0]!, grads: l1aeVariableList(v).map((w) => grads[w.name]!.dataSync() as Float32Array) };
      tf.dispose([value, ...Object.values(grads), ...l1aeVariableList(v)]);
      return out;
    };
    const ops = run(false), fused = run(true);
    assert.ok(Math.abs(ops.loss - fused.loss) < 1e-5 * (1 + ops.loss), `BN ${batchNorm}: loss ${ops.loss} vs ${fused.loss}`);
    assert.equal(fused.grads.length, ops.grads.length);
    ops.grads.forEach((g, i) => {
      const h = fused.grads[i]!;
      let scale = 0; for (const v of g) scale = Math.max(scale, Math.abs(v));
      for (let j = 0; j < g.length; j++) assert.ok(Math.abs(g[j]! - h[j]!) <= 1e-4 * scale + 1e-6, `BN ${batchNorm} grad ${i}[${j}]: ${g[j]} vs ${h[j]}`);
    });
    x.dispose();
  }
});

test('fused blocks keep separate state when the network runs twice before one backward pass', async () => {
  await useBackend('native');
  const base: L1aeNetworkConfig = { inputDim: 40, embeddingDim: 6, depth: 2, seed: 2 };
  const rng = new Rng(13);
  const x1 = tf.tensor2d(batch(rng, 8, 40), [8, 40]), x2 = tf.tensor2d(batch(rng, 8, 40), [8, 40]);
  const run = (fused: boolean): Float32Array[] => {
    const cfg = { ...base, fused };
    const v = createL1aeVariables(cfg);
    const { value, grads } = tf.variableGrads(() => tf.add(l1aeLoss(cfg, v, x1), l1aeLoss(cfg, v, x2)) as tf.Scalar, l1aeVariableList(v));
    const out = l1aeVariableList(v).map((w) => grads[w.name]!.dataSync() as Float32Array);
    tf.dispose([value, ...Object.values(grads), ...l1aeVariableList(v)]);
    return out;
  };
  const ops = run(false), fused = run(true);
  ops.forEach((g, i) => {
    let scale = 0; for (const v of g) scale = Math.max(scale, Math.abs(v));
    for (let j = 0; j < g.length; j++) assert.ok(Math.abs(g[j]! - fused[i]![j]!) <= 1e-4 * scale + 1e-6, `grad ${i}[${j}]`);
  });
  tf.dispose([x1, x2]);
});

test('the fused loss gives the op graph\'s gradient with respect to the input too', async () => {
  await useBackend('native');
  for (const finalRelu of [true, false]) {
    const base: L1aeNetworkConfig = { inputDim: 30, embeddingDim: 5, depth: 3, finalRelu, seed: 4 };
    const x = tf.tensor2d(batch(new Rng(21), 10, 30), [10, 30]);
    const run = (fused: boolean): Float32Array => {
      const cfg = { ...base, fused };
      const v = createL1aeVariables(cfg);
      const g = tf.grad((xx: tf.Tensor) => l1aeLoss(cfg, v, xx as tf.Tensor2D))(x);
      const out = g.dataSync() as Float32Array;
      tf.dispose([g, ...l1aeVariableList(v)]);
      return out;
    };
    const ops = run(false), fused = run(true);
    let scale = 0; for (const v of ops) scale = Math.max(scale, Math.abs(v));
    for (let j = 0; j < ops.length; j++) assert.ok(Math.abs(ops[j]! - fused[j]!) <= 1e-4 * scale + 1e-6, `relu ${finalRelu} dX[${j}]: ${ops[j]} vs ${fused[j]}`);
    x.dispose();
  }
});

test('the fused decoder alone (l1aeDecode) matches the op graph in value and gradients', async () => {
  await useBackend('native');
  // The second size is split across threads by the kernels (b·d ≥ 2^15).
  for (const [b, d, m] of [[9, 36, 6], [48, 800, 16]] as const) {
    const base: L1aeNetworkConfig = { inputDim: d, embeddingDim: m, depth: 3, seed: 8 };
    const y = tf.tensor2d(Float32Array.from({ length: b * m }, (_, i) => Math.sin(i + 1)), [b, m]);
    const w = tf.tensor2d(Float32Array.from({ length: b * d }, (_, i) => Math.cos(i)), [b, d]);
    const run = (fused: boolean): { value: Float32Array; grads: Float32Array[] } => {
      const cfg = { ...base, fused };
      const v = createL1aeVariables(cfg);
      const f = (): tf.Scalar => tf.sum(tf.mul(l1aeDecode(cfg, v, y), w));
      const value = tf.tidy(() => l1aeDecode(cfg, v, y).dataSync() as Float32Array);
      const { value: s, grads } = tf.variableGrads(f, l1aeVariableList(v));
      const out = { value, grads: l1aeVariableList(v).map((x) => grads[x.name]!.dataSync() as Float32Array) };
      tf.dispose([s, ...Object.values(grads), ...l1aeVariableList(v)]);
      return out;
    };
    const ops = run(false), fused = run(true);
    for (let j = 0; j < ops.value.length; j++) assert.ok(Math.abs(ops.value[j]! - fused.value[j]!) < 1e-4 * (1 + Math.abs(ops.value[j]!)), `d=${d} value ${j}`);
    // Absolute floor from the largest gradient: a BN shift followed by another BN has (exactly)
    // zero gradient, i.e. rounding noise that grows with the batch's magnitudes.
    let all = 0; for (const g of ops.grads) for (const v of g) all = Math.max(all, Math.abs(v));
    ops.grads.forEach((g, i) => {
      let scale = 0; for (const v of g) scale = Math.max(scale, Math.abs(v));
      for (let j = 0; j < g.length; j++) assert.ok(Math.abs(g[j]! - fused.grads[i]![j]!) <= 1e-4 * scale + 1e-6 * all, `d=${d} grad ${i}[${j}]: ${g[j]} vs ${fused.grads[i]![j]}`);
    });
    tf.dispose([y, w]);
  }
});

/** Loss, variable gradients and input gradient of `l1aeLoss` (fused or op graph) on the active backend. */
function lossAndGrads(cfg: L1aeNetworkConfig, v: ReturnType<typeof createL1aeVariables>, x: tf.Tensor2D): { loss: number; grads: Float32Array[] } {
  const vars = l1aeVariableList(v);
  const { value, grads } = tf.variableGrads(() => l1aeLoss(cfg, v, x), vars);
  const dx = tf.grad((xx: tf.Tensor) => l1aeLoss(cfg, v, xx as tf.Tensor2D))(x);
  const out = { loss: value.dataSync()[0]!, grads: [...vars.map((w) => Float32Array.from(grads[w.name]!.dataSync())), Float32Array.from(dx.dataSync())] };
  tf.dispose([value, dx, ...Object.values(grads)]);
  return out;
}

test('fused native loss at a size the kernels split across threads: op graph gradients, and the same bits on every run', async () => {
  await useBackend('native');
  // b·d = 38,400 ≥ the kernels' parallel threshold (2^15), so each thread owns a range of columns.
  const [b, d] = [48, 800];
  for (const [batchNorm, finalRelu] of [[true, true], [false, false]] as const) {
    const base: L1aeNetworkConfig = { inputDim: d, embeddingDim: 16, depth: 3, batchNorm, finalRelu, seed: 12 };
    const x = tf.tensor2d(batch(new Rng(31), b, d), [b, d]);
    const run = (fused: boolean): { loss: number; grads: Float32Array[] } => {
      const cfg = { ...base, fused };
      const v = createL1aeVariables(cfg);
      v.beta.assign(tf.scalar(0.9));
      const out = lossAndGrads(cfg, v, x);
      tf.dispose(l1aeVariableList(v));
      return out;
    };
    const ops = run(false), fused = run(true), again = run(true);
    assert.ok(Math.abs(ops.loss - fused.loss) < 1e-5 * (1 + ops.loss), `BN ${batchNorm}: loss ${ops.loss} vs ${fused.loss}`);
    assert.equal(again.loss, fused.loss);
    ops.grads.forEach((g, i) => {
      const h = fused.grads[i]!;
      let scale = 0; for (const q of g) scale = Math.max(scale, Math.abs(q));
      for (let j = 0; j < g.length; j++) assert.ok(Math.abs(g[j]! - h[j]!) <= 1e-4 * scale + 1e-6, `BN ${batchNorm} grad ${i}[${j}]: ${g[j]} vs ${h[j]}`);
      assert.deepEqual(again.grads[i], h, `BN ${batchNorm} grad ${i}: a second run differs`);
    });
    x.dispose();
  }
});

for (const variant of [{}, { activation: 'tanh' }, { decoderMatrix: 'learned' }, { activation: 'tanh', decoderMatrix: 'learned', finalRelu: false }] as const) {
  test(`inference-mode decoding with the BN statistics of a batch equals training-mode decoding of that batch (${JSON.stringify(variant)})`, async () => {
    for (const backend of ['cpu', 'native'] as const) {
      await useBackend(backend);
      const cfg: L1aeNetworkConfig = { inputDim: 40, embeddingDim: 7, depth: 3, seed: 6, ...variant };
      const v = createL1aeVariables(cfg);
      // Non-trivial BN parameters, so that the check covers γ and δ too.
      v.bnScale.forEach((g, t) => g.assign(tf.add(1, tf.mul(0.1 * (t + 1), tf.sin(tf.range(0, 40))))));
      v.bnShift.forEach((s, t) => s.assign(tf.mul(0.05 * (t + 1), tf.cos(tf.range(0, 40)))));
      const y = tf.tensor2d(Float32Array.from({ length: 10 * 7 }, (_, i) => Math.sin(1.7 * i + 0.3)), [10, 7]);
      const stats = l1aeBnStats(cfg, v, y);
      assert.equal(stats.mean.length, 3);
      const train = tf.tidy(() => Float32Array.from(l1aeDecode(cfg, v, y).dataSync()));
      const infer = tf.tidy(() => Float32Array.from(l1aeDecodeInference(cfg, v, y, stats).dataSync()));
      let scale = 0; for (const q of train) scale = Math.max(scale, Math.abs(q));
      assert.ok(scale > 0);
      for (let j = 0; j < train.length; j++) assert.ok(Math.abs(train[j]! - infer[j]!) <= 1e-4 * scale, `${backend} [${j}]: ${train[j]} vs ${infer[j]}`);
      // Another batch's statistics give another output: the statistics are used.
      const other = l1aeBnStats(cfg, v, tf.tidy(() => tf.mul(y, 2.5)) as tf.Tensor2D);
      const shifted = tf.tidy(() => Float32Array.from(l1aeDecodeInference(cfg, v, y, other).dataSync()));
      assert.ok(shifted.some((q, j) => Math.abs(q - train[j]!) > 1e-3 * scale));
      tf.dispose([y, ...l1aeVariableList(v)]);
    }
  });
}

test('affine-only normalisation (the authors\' code): identity at initialisation, γ ⊙ x + δ per block, no batch dependence', async () => {
  await useBackend('cpu');
  const rng = new Rng(21);
  const base: L1aeNetworkConfig = { inputDim: 15, embeddingDim: 6, depth: 3, seed: 4 };
  const plain = createL1aeVariables({ ...base, batchNorm: false });
  const affine = createL1aeVariables({ ...base, batchNorm: 'affine' });
  const y = tf.tensor2d(Float32Array.from({ length: 4 * 6 }, () => rng.normal()), [4, 6]);
  const decode = (cfg: L1aeNetworkConfig, v: ReturnType<typeof createL1aeVariables>, t: tf.Tensor2D): Float32Array =>
    tf.tidy(() => l1aeDecode(cfg, v, t).dataSync() as Float32Array);
  // γ = 1, δ = 0 at initialisation: the same function as no normalisation.
  assert.deepEqual(decode({ ...base, batchNorm: 'affine' }, affine, y), decode({ ...base, batchNorm: false }, plain, y));
  // With γ = 0 and δ = c in the last block, every output is ReLU(c).
  const last = affine.bnScale.length - 1;
  affine.bnScale[last]!.assign(tf.zeros([15]));
  affine.bnShift[last]!.assign(tf.fill([15], 0.25));
  for (const v of decode({ ...base, batchNorm: 'affine' }, affine, y)) assert.ok(Math.abs(v - 0.25) < 1e-7);
  // Random γ, δ: decoding the batch equals decoding each row alone, and inference needs no statistics.
  affine.bnScale.forEach((g) => g.assign(tf.tensor1d(Float32Array.from({ length: 15 }, () => 0.5 + rng.next()))));
  affine.bnShift.forEach((s) => s.assign(tf.tensor1d(Float32Array.from({ length: 15 }, () => 0.1 * rng.normal()))));
  const cfg: L1aeNetworkConfig = { ...base, batchNorm: 'affine' };
  const whole = decode(cfg, affine, y);
  for (let i = 0; i < 4; i++) {
    const row = decode(cfg, affine, tf.slice(y, [i, 0], [1, 6]) as tf.Tensor2D);
    for (let j = 0; j < 15; j++) assert.ok(Math.abs(row[j]! - whole[i * 15 + j]!) < 1e-6);
  }
  const inf = tf.tidy(() => l1aeDecodeInference(cfg, affine, y, null).dataSync() as Float32Array);
  assert.deepEqual(inf, whole);
  tf.dispose([y, ...l1aeVariableList(plain), ...l1aeVariableList(affine)]);
});

test('the inference decoder kernel (row blocks, column tiles) matches the fused training decoder and a float64 transcription, on any thread count and for any 64-aligned batch', async () => {
  await useBackend('native');
  const { addon } = nativeAddon();
  // Sizes below one row block and tile, and over several of each (64 rows, 512 columns).
  for (const [n, d, m, depth, relu] of [[7, 36, 6, 3, true], [150, 1100, 12, 4, false], [70, 520, 8, 0, true], [3, 20, 4, 1, true]] as const) {
    const cfg: L1aeNetworkConfig = { inputDim: d, embeddingDim: m, depth, batchNorm: false, finalRelu: relu, seed: 9 };
    const v = createL1aeVariables(cfg);
    v.beta.assign(tf.scalar(0.35));
    const a = Float32Array.from(v.a.dataSync() as Float32Array);
    const y = Float32Array.from({ length: n * m }, (_, i) => Math.sin(0.7 * i + 1) * 0.4);
    const fast = l1aeDecodeRowsNative(cfg, v, a, 0.35, y, n)!;
    assert.ok(fast, 'the kernel runs for a network without BN on native');
    const fused = tf.tidy(() => l1aeDecode(cfg, v, tf.tensor2d(y, [n, m])).dataSync() as Float32Array);
    const ref = referenceDecode(a, m, d, 0.35, depth, y, n, relu);
    for (let j = 0; j < n * d; j++) {
      assert.ok(Math.abs(fast[j]! - fused[j]!) < 1e-4 * (1 + Math.abs(fused[j]!)), `n=${n} d=${d} [${j}]: ${fast[j]} vs fused ${fused[j]}`);
      assert.ok(Math.abs(fast[j]! - ref[j]!) < 1e-4 * (1 + Math.abs(ref[j]!)), `n=${n} d=${d} [${j}]: ${fast[j]} vs float64 ${ref[j]}`);
    }
    const prev = addon!.info().ompThreads;
    addon!.setThreads(1);
    const one = l1aeDecodeRowsNative(cfg, v, a, 0.35, y, n)!;
    addon!.setThreads(2);
    const two = l1aeDecodeRowsNative(cfg, v, a, 0.35, y, n)!;
    addon!.setThreads(prev);
    assert.deepEqual(one, two, 'the same bits on one thread and two');
    assert.deepEqual(two, fast, 'the same bits on every call');
    // Into a caller's buffer (prediction reuses one block after block): the same bits, the rest untouched.
    const buf = new Float32Array(n * d + 3).fill(7);
    assert.equal(l1aeDecodeRowsNative(cfg, v, a, 0.35, y, n, buf), buf);
    assert.deepEqual(buf.subarray(0, n * d), fast);
    assert.deepEqual([...buf.subarray(n * d)], [7, 7, 7]);
    assert.throws(() => l1aeDecodeRowsNative(cfg, v, a, 0.35, y, n, new Float32Array(n * d - 1)), /out needs/);
    if (n > 64) {
      // Rows from 64 on, decoded alone (a shard of a distributed prediction): the same bits, the last block padded alike.
      const rest = l1aeDecodeRowsNative(cfg, v, a, 0.35, y.subarray(64 * m), n - 64)!;
      assert.deepEqual(rest, fast.subarray(64 * d), `n=${n}: rows 64.. alone`);
    }
    tf.dispose(l1aeVariableList(v));
  }
  // Networks the kernel does not compute are left to the tfjs path.
  const bnCfg: L1aeNetworkConfig = { inputDim: 10, embeddingDim: 3, depth: 2, batchNorm: true, seed: 1 };
  const bn = createL1aeVariables(bnCfg);
  assert.equal(l1aeDecodeRowsNative(bnCfg, bn, new Float32Array(30), 1, new Float32Array(3), 1), null);
  tf.dispose(l1aeVariableList(bn));
});

/** The decoder's output rows (n × d) for embeddings y (n × m), in float64: x(1) = y·A, then the blocks of {@link referenceLoss}. */
/**
 * The decoder in float64 from its definition; with `round`, the step products' operands (A, and
 * z·Aᵀ before it multiplies A) are rounded by it first (x(1) = y·A keeps A as it is).
 */
function referenceDecode(a: Float32Array, m: number, d: number, beta: number, depth: number, y: ArrayLike<number>, n: number, relu: boolean, round: (v: number) => number = (v) => v): Float64Array {
  const ar = a.map(round);
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let cur = new Float64Array(d);
    for (let c = 0; c < d; c++) for (let r = 0; r < m; r++) cur[c]! += a[r * d + c]! * y[i * m + r]!;
    for (let t = 1; t <= depth; t++) {
      const z = cur.map(Math.sign);
      const az = new Float64Array(m);
      for (let r = 0; r < m; r++) for (let c = 0; c < d; c++) az[r]! += ar[r * d + c]! * z[c]!;
      for (let r = 0; r < m; r++) az[r] = round(Math.fround(az[r]!));
      const next = new Float64Array(d);
      for (let c = 0; c < d; c++) {
        let atz = 0;
        for (let r = 0; r < m; r++) atz += ar[r * d + c]! * az[r]!;
        next[c] = cur[c]! - (beta / t) * (z[c]! - atz);
      }
      cur = next;
    }
    for (let c = 0; c < d; c++) out[i * d + c] = relu ? Math.max(0, cur[c]!) : cur[c]!;
  }
  return out;
}

/** float32 → bfloat16 (round to nearest even), as a number. */
function bf16(v: number): number {
  const f = new Float32Array([v]), u = new Uint32Array(f.buffer);
  u[0] = ((u[0]! + 0x7fff + ((u[0]! >>> 16) & 1)) >>> 16) << 16;
  return f[0]!;
}

test('the bfloat16 inference decoder kernel: a float64 transcription with A and z·Aᵀ rounded to bfloat16, the same bits on any thread count, into a buffer and for a 64-aligned shard; float32 stays the default', async (t) => {
  await useBackend('native');
  const { addon } = nativeAddon();
  if (!addon?.l1aeDecodeRowsBf16) { t.skip('addon built without AVX512-BF16'); return; }
  // Odd m and d (padding of the bf16 pairs and 16-column vectors), sizes below and over a row block and a tile.
  for (const [n, d, m, depth, relu] of [[7, 37, 5, 3, true], [150, 1100, 12, 4, false], [70, 520, 8, 0, true], [3, 20, 4, 1, true], [66, 600, 33, 6, true]] as const) {
    const cfg: L1aeNetworkConfig = { inputDim: d, embeddingDim: m, depth, batchNorm: false, finalRelu: relu, seed: 9 };
    const v = createL1aeVariables(cfg);
    const a = Float32Array.from(v.a.dataSync() as Float32Array);
    const y = Float32Array.from({ length: n * m }, (_, i) => Math.sin(0.7 * i + 1) * 0.4);
    const ops = packL1aeBf16(a, m, d)!;
    assert.ok(ops, 'the addon packs the operands');
    const got = l1aeDecodeRowsNative(cfg, v, a, 0.35, y, n, undefined, ops)!;
    const ref = referenceDecode(a, m, d, 0.35, depth, y, n, relu, bf16);
    for (let j = 0; j < n * d; j++) assert.ok(Math.abs(got[j]! - ref[j]!) < 1e-4 * (1 + Math.abs(ref[j]!)), `n=${n} d=${d} m=${m} [${j}]: ${got[j]} vs ${ref[j]}`);
    const prev = addon.info().ompThreads;
    addon.setThreads(1);
    const one = l1aeDecodeRowsNative(cfg, v, a, 0.35, y, n, undefined, ops)!;
    addon.setThreads(prev);
    assert.deepEqual(one, got, 'the same bits on one thread');
    const buf = new Float32Array(n * d);
    assert.equal(l1aeDecodeRowsNative(cfg, v, a, 0.35, y, n, buf, ops), buf);
    assert.deepEqual(buf, got);
    if (n > 64) assert.deepEqual(l1aeDecodeRowsNative(cfg, v, a, 0.35, y.subarray(64 * m), n - 64, undefined, ops), got.subarray(64 * d), 'rows 64.. alone');
    tf.dispose(l1aeVariableList(v));
  }
  // The encoder decodes in float32 unless asked for bfloat16.
  const labels = csr(4, 40, Int32Array.from([0, 2, 4, 5, 8]), Int32Array.from([0, 3, 1, 7, 9, 2, 5, 39]), new Float32Array(8).fill(1));
  const { encoder } = await L1aeEncoder.train(labels, { embeddingDim: 6, depth: 3, batchNorm: false, warmStart: 'random' }, { epochs: 1, batchSize: 4, seed: 2 });
  const z = Float32Array.from({ length: 2 * 6 }, (_, i) => Math.cos(i));
  assert.deepEqual(encoder.decode(z, 2), encoder.decode(z, 2, undefined, 'float32'));
  assert.notDeepEqual(encoder.decode(z, 2, undefined, 'bfloat16'), encoder.decode(z, 2));
});
