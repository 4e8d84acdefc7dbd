import assert from 'node:assert/strict';
import { test } from 'node:test';
import { topKRows } from '../../src/predict/topk.js';
import { topKDenseImpl, topKSparseImpl } from '../../src/predict/topk_impl.js';
import { Rng } from '../../src/util/rng.js';

function ref(scores: number[], k: number, onlyPositive = false): number[] {
  return scores
    .map((s, i) => [s, i] as const)
    .filter(([s]) => s > -Infinity && (!onlyPositive || s > 0))
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, k)
    .map(([, i]) => i);
}

function dense(scores: number[], k: number, onlyPositive = false): { labels: number[]; scores: number[]; n: number } {
  const labels = new Int32Array(k + 2).fill(99), out = new Float32Array(k + 2).fill(99);
  const n = topKDenseImpl(scores, scores.length, k, labels, out, 1, onlyPositive);
  assert.equal(labels[0], 99, 'writes nothing before offset');
  assert.equal(labels[k + 1], 99, 'writes nothing after offset + k');
  return { labels: [...labels.subarray(1, k + 1)], scores: [...out.subarray(1, k + 1)], n };
}

test('ties go to the smaller id; k > n pads with −1 and −Infinity', () => {
  const r = dense([0.5, 0.9, 0.5, 0.9, 0.1], 4);
  assert.deepEqual(r.labels, [1, 3, 0, 2]);
  const all = dense([2, 2, 2], 5);
  assert.deepEqual(all.labels, [0, 1, 2, -1, -1]);
  assert.deepEqual(all.scores.slice(3), [-Infinity, -Infinity]);
  assert.equal(all.n, 3);
  assert.deepEqual(dense([], 2).labels, [-1, -1]);
  assert.deepEqual(dense([3, 1, 2], 3).labels, [0, 2, 1]);
});

test('NaN and −Infinity are never selected; onlyPositive drops scores ≤ 0', () => {
  assert.deepEqual(dense([NaN, -Infinity, -1, 0, 2], 5).labels, [4, 3, 2, -1, -1]);
  assert.deepEqual(dense([NaN, -1, 0, 2, 0.5], 5, true).labels, [3, 4, -1, -1, -1]);
});

test('random dense and sparse inputs match a full sort (with many ties)', () => {
  const rng = new Rng(17);
  for (let trial = 0; trial < 300; trial++) {
    const n = rng.int(60), k = 1 + rng.int(12);
    const scores = Array.from({ length: n }, () => (rng.next() < 0.1 ? -Infinity : rng.int(8) - 2));
    const onlyPositive = rng.next() < 0.3;
    const r = dense(scores, k, onlyPositive);
    const e = ref(scores, k, onlyPositive);
    assert.deepEqual(r.labels, [...e, ...Array<number>(k - e.length).fill(-1)]);
    // Sparse form: candidates in shuffled order with arbitrary ids.
    const ids = rng.shuffle(Array.from({ length: n }, (_, i) => i * 3 + 1));
    const vals = ids.map((id) => scores[(id - 1) / 3]!);
    const lab = new Int32Array(k), sc = new Float32Array(k);
    topKSparseImpl(ids, vals, n, k, lab, sc, 0, onlyPositive);
    assert.deepEqual([...lab], [...e.map((i) => i * 3 + 1), ...Array<number>(k - e.length).fill(-1)]);
  }
});

test('topKRows validates and ranks each row', () => {
  const r = topKRows(Float32Array.from([0.1, 0.9, 0.5, 3, 2, 1]), 2, 3, 2);
  assert.deepEqual([...r.labels], [1, 2, 0, 1]);
  assert.throws(() => topKRows(new Float32Array(6), 2, 3, 0), /'k' passed to topKRows\(\) must be an integer >= 1 but got 0/);
  assert.throws(() => topKRows(new Float32Array(5), 2, 3, 1), /must have nRows × nCols = 6 entries/);
});
