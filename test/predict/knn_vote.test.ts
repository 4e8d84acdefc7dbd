import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromDense } from '../../src/data/csr.js';
import { nativeAddon } from '../../src/engine/addon.js';
import { addKnnVoteRowsMaxScaled, addKnnVotes, addRowVoteMaxScaled, knnVote, voteScratch } from '../../src/predict/knn_vote.js';
import { addScaled, normalizeRowsMax } from '../../src/predict/scores.js';
import { topKRows } from '../../src/ranking/topk.js';
import { Rng } from '../../src/util/rng.js';

test('one kNN vote: the dense block (addKnnVotes) ranks as the sparse vote (knnVote), on exact dyadic scores, every k', () => {
  const rng = new Rng(11);
  const n = 40, L = 25, nQ = 30, K = 8;
  // Label values and similarities are multiples of 1/8 below 1: every sum is exact in float32 and float64.
  const y = Array.from({ length: n * L }, () => (rng.next() < 0.15 ? 1 + Math.floor(rng.next() * 3) : 0));
  const Y = fromDense(n, L, y);
  const ids = new Int32Array(nQ * K), sims = new Float32Array(nQ * K);
  for (let i = 0; i < nQ; i++) {
    const stop = Math.floor(rng.next() * (K + 1)); // padding (−1) after `stop` neighbours
    for (let t = 0; t < K; t++) {
      ids[i * K + t] = t < stop ? Math.floor(rng.next() * n) : -1;
      sims[i * K + t] = t < stop ? (1 + Math.floor(rng.next() * 7)) / 8 : 0;
    }
  }
  const nb = { nRows: nQ, k: K, ids, sims };
  for (const k of [1, 3, K]) {
    const dense = new Float32Array(nQ * L);
    addKnnVotes(nb, k, Y, dense);
    for (let i = 0; i < nQ; i++) {
      // The dense block is the hand-written definition: Σ_t sim·y over the first k neighbours.
      for (let l = 0; l < L; l++) {
        let s = 0;
        for (let t = 0; t < k && ids[i * K + t]! >= 0; t++) s += sims[i * K + t]! * y[ids[i * K + t]! * L + l]!;
        assert.equal(dense[i * L + l], s);
      }
    }
    const fromDenseBlock = topKRows(dense, nQ, L, 6, { onlyPositive: true });
    const sparse = knnVote(nb, Y, k, 6);
    assert.deepEqual([...sparse.labels], [...fromDenseBlock.labels], `k = ${k}`);
    assert.deepEqual([...sparse.scores], [...fromDenseBlock.scores], `k = ${k}`);
  }
  assert.throws(() => addKnnVotes(nb, 1, Y, new Float32Array(3)), /out must have 30 × 25 entries but has 3/);
});

test('the sparse max-scaled vote (addRowVoteMaxScaled, and addKnnVoteRowsMaxScaled on the addon) adds the bits of addKnnVotes → normalizeRowsMax → addScaled', () => {
  const rng = new Rng(12);
  const n = 60, L = 300, nQ = 70, K = 9;
  // Non-dyadic label weights and similarities of both signs: every sum rounds; some rows have no positive vote.
  const Y = fromDense(n, L, Array.from({ length: n * L }, () => (rng.next() < 0.05 ? 0.05 + rng.next() : 0)));
  const ids = new Int32Array(nQ * K), sims = new Float32Array(nQ * K);
  for (let i = 0; i < nQ; i++) {
    const stop = Math.floor(rng.next() * (K + 1));
    for (let t = 0; t < K; t++) {
      ids[i * K + t] = t < stop ? Math.floor(rng.next() * n) : -1;
      sims[i * K + t] = t < stop ? (i % 5 === 0 ? -rng.next() : rng.next() - 0.1) : 0;
    }
  }
  const nb = { nRows: nQ, k: K, ids, sims };
  const base = Float32Array.from({ length: nQ * L }, () => rng.normal());
  for (const [k, w] of [[K, 0.7], [4, 1 / 3], [1, 1]] as const) {
    const want = Float32Array.from(base);
    const votes = new Float32Array(nQ * L);
    addKnnVotes(nb, k, Y, votes);
    addScaled(want, normalizeRowsMax(votes, nQ, L), w);
    const js = Float32Array.from(base), scratch = voteScratch(L);
    for (let i = 0; i < nQ; i++) addRowVoteMaxScaled(nb, i, k, Y, scratch, w, js, i * L);
    assert.deepEqual(js, want, `JavaScript, k = ${k}`);
    assert.ok(scratch.acc.every((v) => v === 0) && scratch.touched.n === 0, 'the scratch is left clear');
    const rows = Float32Array.from(base);
    addKnnVoteRowsMaxScaled(nb, k, Y, w, rows, voteScratch(L));
    assert.deepEqual(rows, want, `${nativeAddon().addon ? 'native' : 'JavaScript'}, k = ${k}`);
  }
});
