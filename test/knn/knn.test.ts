import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Csr, fromDense, normalizeRowsL2 } from '../../src/data/csr.js';
import { ExactIndex } from '../../src/knn/exact.js';
import { HnswIndex } from '../../src/knn/hnsw.js';
import { knnVote } from '../../src/predict/knn_vote.js';
import { Rng } from '../../src/util/rng.js';

function randomSparse(rng: Rng, n: number, d: number, density: number): Csr {
  const data = new Float64Array(n * d);
  for (let i = 0; i < n * d; i++) if (rng.next() < density) data[i] = rng.next();
  return fromDense(n, d, data);
}

/** Brute-force cosine top-k by dense products: the reference. */
function bruteForce(points: Csr, queries: Csr, k: number): { ids: number[][]; sims: number[][] } {
  const ids: number[][] = [], sims: number[][] = [];
  const P = normalizeRowsL2(points), Q = normalizeRowsL2(queries);
  for (let i = 0; i < Q.nRows; i++) {
    const q = new Float64Array(Q.nCols);
    for (let p = Q.rowPtr[i]!; p < Q.rowPtr[i + 1]!; p++) q[Q.indices[p]!] = Q.values[p]!;
    const s: [number, number][] = [];
    for (let j = 0; j < P.nRows; j++) {
      let dot = 0;
      for (let p = P.rowPtr[j]!; p < P.rowPtr[j + 1]!; p++) dot += q[P.indices[p]!]! * P.values[p]!;
      if (dot > 0) s.push([j, dot]);
    }
    s.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    ids.push(s.slice(0, k).map((x) => x[0]));
    sims.push(s.slice(0, k).map((x) => x[1]));
  }
  return { ids, sims };
}

for (const path of ['searchInverted', 'searchNative'] as const) test(`exact search (${path}) equals brute force`, () => {
  const rng = new Rng(11);
  const points = randomSparse(rng, 300, 40, 0.1), queries = randomSparse(rng, 50, 40, 0.1);
  const k = 7;
  const got = new ExactIndex(normalizeRowsL2(points))[path](normalizeRowsL2(queries), k);
  const ref = bruteForce(points, queries, k);
  for (let i = 0; i < queries.nRows; i++) {
    const gi = [...got.ids.subarray(i * k, i * k + k)].filter((x) => x >= 0);
    // Compare similarities (order of near-ties may differ by rounding); ids where sims are distinct.
    const gs = [...got.sims.subarray(i * k, i * k + gi.length)];
    assert.equal(gi.length, ref.ids[i]!.length);
    for (let t = 0; t < gi.length; t++) assert.ok(Math.abs(gs[t]! - ref.sims[i]![t]!) < 1e-5, `row ${i} rank ${t}`);
    assert.deepEqual(new Set(gi), new Set(ref.ids[i]));
  }
});

test('HNSW recall@10 against exact search is ≈ 1, and the same seed gives the same graph', () => {
  const rng = new Rng(5);
  const points = normalizeRowsL2(randomSparse(rng, 2000, 32, 0.3));
  const queries = normalizeRowsL2(randomSparse(rng, 200, 32, 0.3));
  const k = 10;
  const exact = new ExactIndex(points).search(queries, k);
  const cfg = { m: 16, efConstruction: 200, efSearch: 100, seed: 3 };
  const h1 = HnswIndex.build(points, cfg).search(queries, k);
  let hits = 0, total = 0;
  for (let i = 0; i < queries.nRows; i++) {
    const ex = new Set([...exact.ids.subarray(i * k, i * k + k)].filter((x) => x >= 0));
    for (const id of h1.ids.subarray(i * k, i * k + k)) if (ex.has(id)) hits++;
    total += ex.size;
  }
  assert.ok(hits / total > 0.98, `recall ${hits / total}`);
  const h2 = HnswIndex.build(points, cfg).search(queries, k);
  assert.deepEqual(h2.ids, h1.ids);
  assert.deepEqual(h2.sims, h1.sims);
});

test('knnVote: similarity-weighted label vote, hand-computed', () => {
  // Training labels: p0 = {0, 2}, p1 = {2}, p2 = {1}.
  const Y = fromDense(3, 3, [1, 0, 1, 0, 0, 1, 0, 1, 0]);
  // Query 0 neighbours: p0 (0.9), p1 (0.5), p2 (0.4) → scores l0 = 0.9, l1 = 0.4, l2 = 1.4.
  // Query 1 neighbours: p2 (0.8), then none → l1 = 0.8.
  const nb = { nRows: 2, k: 3, ids: Int32Array.from([0, 1, 2, 2, -1, -1]), sims: Float32Array.from([0.9, 0.5, 0.4, 0.8, 0, 0]) };
  const r = knnVote(nb, Y, 3, 2);
  assert.deepEqual([...r.labels], [2, 0, 1, -1]);
  assert.ok(Math.abs(r.scores[0]! - 1.4) < 1e-6 && Math.abs(r.scores[1]! - 0.9) < 1e-6);
  assert.ok(Math.abs(r.scores[2]! - 0.8) < 1e-6);
  // Only the first k = 1 neighbour votes: query 0 → l0 and l2 tie at 0.9; the smaller id wins.
  const r1 = knnVote(nb, Y, 1, 3);
  assert.deepEqual([...r1.labels.subarray(0, 3)], [0, 2, -1]);
});
