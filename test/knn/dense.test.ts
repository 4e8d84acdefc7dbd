import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { nativeAddon } from '../../src/engine/addon.js';
import { tidyData } from '../../src/engine/tidy_data.js';
import { topKRows } from '../../src/ranking/topk.js';
import { useBackend } from '../../src/engine/backends.js';
import { ExactDenseIndex } from '../../src/knn/exact_dense.js';
import { HnswIndex } from '../../src/knn/hnsw.js';
import { Rng } from '../../src/util/rng.js';

/** n unit vectors in `dim` dimensions, clustered around `c` random centres (like embeddings of related label sets). */
function points(n: number, dim: number, c: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const centres = Array.from({ length: c }, () => Array.from({ length: dim }, () => rng.normal()));
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const ctr = centres[rng.int(c)]!;
    let s = 0;
    for (let j = 0; j < dim; j++) { const v = ctr[j]! + 0.7 * rng.normal(); out[i * dim + j] = v; s += v * v; }
    for (let j = 0; j < dim; j++) out[i * dim + j]! /= Math.sqrt(s);
  }
  return out;
}

test('exact dense search: hand-checked neighbours and similarities, ties to the smaller id', async () => {
  await useBackend('cpu');
  const idx = new ExactDenseIndex(Float32Array.from([1, 0, 0, 1, 1, 0, Math.SQRT1_2, Math.SQRT1_2]), 4, 2);
  const nb = idx.searchDense(Float32Array.from([1, 0]), 1, 3);
  assert.deepEqual(Array.from(nb.ids), [0, 2, 3]);
  assert.deepEqual(Array.from(nb.sims).map((v) => +v.toFixed(6)), [1, 1, +Math.SQRT1_2.toFixed(6)]);
  // k beyond the index size pads with −1.
  const all = idx.searchDense(Float32Array.from([0, 1]), 1, 6);
  assert.deepEqual(Array.from(all.ids.slice(4)), [-1, -1]);
});

test('HNSW over dense embeddings: recall@10 against exact search ≥ 0.95', async () => {
  await useBackend('cpu');
  const n = 3000, nq = 200, dim = 32, k = 10;
  const pts = points(n, dim, 40, 1), qs = points(nq, dim, 40, 2);
  const exact = new ExactDenseIndex(pts, n, dim).searchDense(qs, nq, k);
  const hnsw = HnswIndex.buildDense(pts, n, dim, { m: 16, efConstruction: 200, efSearch: 100, seed: 3 });
  const approx = hnsw.searchDense(qs, nq, k);
  let hit = 0;
  for (let i = 0; i < nq; i++) {
    const truth = new Set(Array.from(exact.ids.subarray(i * k, (i + 1) * k)));
    for (const id of approx.ids.subarray(i * k, (i + 1) * k)) if (truth.has(id)) hit++;
  }
  const recall = hit / (nq * k);
  assert.ok(recall >= 0.95, `recall@10 = ${recall}`);
  // Similarities are cosines (inner products of unit vectors).
  const j = approx.ids[0]!;
  let dot = 0; for (let c = 0; c < dim; c++) dot += qs[c]! * pts[j * dim + c]!;
  assert.ok(Math.abs(approx.sims[0]! - dot) < 1e-5);
});

test('exact dense search on the native addon: as one tf.matMul per 64-query block and topKRows (the tfjs path), up to float32 rounding; a query\'s neighbours do not depend on the queries searched with it', async (t) => {
  if (!nativeAddon().addon) { t.skip('native addon not built'); return; }
  await useBackend('native');
  const n = 700, nq = 600, dim = 24, k = 7;
  const pts = points(n, dim, 30, 5), qs = points(nq, dim, 30, 6);
  const got = new ExactDenseIndex(pts, n, dim).searchDense(qs, nq, k);
  const p = tf.tensor2d(pts, [n, dim]);
  for (let s = 0; s < nq; s += 64) {
    const e = Math.min(nq, s + 64);
    const block = new Float32Array(64 * dim);
    block.set(qs.subarray(s * dim, e * dim));
    const sims = tidyData(() => tf.matMul(tf.tensor2d(block, [64, dim]), p, false, true));
    const top = topKRows(sims.subarray(0, (e - s) * n), e - s, n, k);
    // The kernel's products have other shapes than tf.matMul's (one thread each, chunks of the
    // points), so a similarity may differ in its last bit, and near-ties may swap.
    for (let i = 0; i < (e - s) * k; i++) {
      assert.ok(Math.abs(got.sims[s * k + i]! - top.scores[i]!) < 1e-6, `query ${s + Math.floor(i / k)}: ${got.sims[s * k + i]} vs ${top.scores[i]}`);
      if (got.ids[s * k + i] !== top.labels[i]) assert.ok(Math.abs(top.scores[i]! - (top.scores[i + 1] ?? Infinity)) < 1e-6 || Math.abs(top.scores[i]! - (top.scores[i - 1] ?? Infinity)) < 1e-6);
    }
  }
  p.dispose();
  // The queries from 64 on, searched alone (a shard of a distributed prediction): the same bits.
  const tail = new ExactDenseIndex(pts, n, dim).searchDense(qs.subarray(64 * dim), nq - 64, k);
  assert.deepEqual(Array.from(tail.sims), Array.from(got.sims.subarray(64 * k)));
  assert.deepEqual(Array.from(tail.ids), Array.from(got.ids.subarray(64 * k)));
  // More neighbours than points: padding (−1, similarity 0) after all n.
  const few = new ExactDenseIndex(pts.subarray(0, 3 * dim), 3, dim).searchDense(qs.subarray(0, 2 * dim), 2, 5);
  assert.deepEqual(Array.from(few.ids).filter((id) => id < 0).length, 4);
  assert.ok(Array.from(few.sims).every((v, i) => few.ids[i]! >= 0 || v === 0));
});

test('exact dense search over several chunks of points (the kernel\'s blocked products and running top-k): float64 reference order, ties across chunks to the smaller id, the same bits on one thread and two and for a shard of the queries', async (t) => {
  const { addon } = nativeAddon();
  if (!addon?.exactKnnDense) { t.skip('native addon (with exactKnnDense) not built'); return; }
  await useBackend('native');
  // 5,000 points: three 2,048-point chunks. Point 4,500 duplicates point 7 (an exact tie in another chunk).
  const n = 5000, nq = 150, dim = 20, k = 12;
  const pts = points(n, dim, 25, 11), qs = points(nq, dim, 25, 12);
  pts.copyWithin(4500 * dim, 7 * dim, 8 * dim);
  qs.set(pts.subarray(7 * dim, 8 * dim), 3 * dim); // query 3 is point 7 itself
  const idx = new ExactDenseIndex(pts, n, dim);
  const got = idx.searchDense(qs, nq, k);
  for (let i = 0; i < nq; i++) {
    const ref = Array.from({ length: n }, (_, j) => {
      let s = 0;
      for (let c = 0; c < dim; c++) s += qs[i * dim + c]! * pts[j * dim + c]!;
      return [s, j] as const;
    }).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (let r = 0; r < k; r++) {
      const id = got.ids[i * k + r]!;
      assert.ok(Math.abs(got.sims[i * k + r]! - ref[r]![0]) < 1e-5, `query ${i} rank ${r}: similarity ${got.sims[i * k + r]} vs ${ref[r]![0]}`);
      // The float64 order, up to float32 near-ties.
      if (id !== ref[r]![1]) assert.ok(Math.abs(ref[r]![0] - (ref.find((e) => e[1] === id)?.[0] ?? -9)) < 1e-5, `query ${i} rank ${r}: ${id} vs ${ref[r]![1]}`);
    }
  }
  assert.deepEqual(Array.from(got.ids.subarray(3 * k, 3 * k + 2)), [7, 4500], 'the tie: the smaller id first');
  const prev = addon.info().ompThreads;
  addon.setThreads(1);
  const one = idx.searchDense(qs, nq, k);
  addon.setThreads(prev);
  assert.deepEqual(one, got, 'the same bits on one thread');
  const tail = idx.searchDense(qs.subarray(64 * dim), nq - 64, k);
  assert.deepEqual(Array.from(tail.ids), Array.from(got.ids.subarray(64 * k)));
  assert.deepEqual(Array.from(tail.sims), Array.from(got.sims.subarray(64 * k)));
});
