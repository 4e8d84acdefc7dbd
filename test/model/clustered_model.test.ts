import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { type Csr, csr, normalizeRowsL2, selectRows, sliceRows } from '../../src/data/csr.js';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { readDataset } from '../../src/data/index.js';
import { useBackend } from '../../src/engine/backends.js';
import { ModelFormatError } from '../../src/errors.js';
import { evaluateRanking } from '../../src/metrics/ranking_metrics.js';
import { CLUSTER_DEFAULTS, ClusteredModel, clusterPoints, clusterWorkShare, ScoreMerge } from '../../src/model/clustered_model.js';
import { kmeansRouter } from '../../src/regression/kmeans.js';
import { EmbeddingModel } from '../../src/model/embed_model.js';
import { loadModel } from '../../src/model/load.js';
import { trainModel } from '../../src/model/methods.js';
import { readManifest } from '../../src/model/io.js';
import { type Ranked, rankedFromLists } from '../../src/ranking/topk.js';
import { tempDir } from '../tmp.js';

const train = await readDataset(BUNDLED_BIBTEX.train);
const test0 = await readDataset(BUNDLED_BIBTEX.test);
const trainSmall = { features: sliceRows(train.features, 0, 1200), labels: sliceRows(train.labels, 0, 1200) };
const queries = sliceRows(test0.features, 0, 200), truth = sliceRows(test0.labels, 0, 200);
const FAST = { embeddingDim: 20, depth: 2, epochs: 3, batchSize: 64, method: 'pca', index: 'exact' } as const;

/** The labels that occur in the given rows of `labels`, increasing. */
function labelsOf(labels: Csr, rows: ArrayLike<number>): number[] {
  const sub = selectRows(labels, rows);
  return [...new Set(sub.indices.subarray(0, sub.rowPtr[sub.nRows]))].sort((a, b) => a - b);
}

test('clusterPoints: every cluster keeps enough labelled points, and the assignments are the router\'s', () => {
  const x = normalizeRowsL2(trainSmall.features);
  const { router, assignments } = clusterPoints(x, trainSmall.labels, 40, 3);
  assert.ok(router.k >= 1 && router.k <= 40);
  assert.ok(router.k < 40, 'with 1,200 points, 40 clusters cannot all have 50 points');
  const size = new Int32Array(router.k);
  for (const c of assignments) size[c]!++;
  for (const s of size) assert.ok(s >= CLUSTER_DEFAULTS.minClusterPoints, `cluster of ${s} points`);
  assert.deepEqual(assignments, router.nearestCentroid(x));
  // The top-r routing agrees with the nearest centre and lists distinct centres, best first.
  const top = router.nearestCentroids(x, 3);
  assert.equal(top.r, Math.min(3, router.k));
  for (let i = 0; i < x.nRows; i++) {
    assert.equal(top.ids[i * top.r], assignments[i]);
    assert.equal(new Set(top.ids.subarray(i * top.r, (i + 1) * top.r)).size, top.r);
    for (let t = 1; t < top.r; t++) assert.ok(top.sims[i * top.r + t - 1]! >= top.sims[i * top.r + t]!);
  }
});

test('ScoreMerge: weighted sums of repeated labels, ties to the smaller label, padding', () => {
  const merge = new ScoreMerge(2);
  // Row 0: cluster A (local 0,1 → global 7,2) with weight 0.5, cluster B (local 0 → global 2) with weight 0.5.
  const a = { ...rankedFromLists([[0, 1]]), scores: Float32Array.from([1, 0.5]) };
  const b = { ...rankedFromLists([[0]]), scores: Float32Array.from([0.8]) };
  merge.add(0, a, 0, Int32Array.from([7, 2]), 0.5);
  merge.add(0, b, 0, Int32Array.from([2]), 0.5);
  // Row 1: two labels with equal scores.
  merge.add(1, { ...rankedFromLists([[0, 1]]), scores: Float32Array.from([0.4, 0.4]) }, 0, Int32Array.from([9, 3]), 1);
  const r = merge.ranked(3);
  // Label 2: 0.5·0.5 + 0.5·0.8 = 0.65 beats label 7: 0.5·1 = 0.5.
  assert.deepEqual([...r.labels], [2, 7, -1, 3, 9, -1]);
  assert.ok(Math.abs(r.scores[0]! - 0.65) < 1e-6 && Math.abs(r.scores[1]! - 0.5) < 1e-6);
  assert.equal(r.scores[2], -Infinity);
});

test('clustered model: local label maps are the labels of each cluster; save → load, same seed and --route give consistent predictions', async () => {
  await useBackend('auto');
  const params = { ...FAST, clusters: 3, seed: 5 };
  const model = await trainModel(trainSmall, params);
  assert.ok(model instanceof ClusteredModel);
  const x = normalizeRowsL2(trainSmall.features);
  const { assignments } = clusterPoints(model.space.project(x), trainSmall.labels, 3, 5);
  const encoders = model.clusterEncoders()[0]!;
  assert.equal(encoders.length, model.clusterCounts[0]);
  for (const [j, { labels }] of encoders.entries()) {
    const rows = [...assignments.keys()].filter((i) => assignments[i] === j);
    assert.deepEqual([...labels], labelsOf(trainSmall.labels, rows), `cluster ${j}'s label map`);
  }
  const summary = model.describe();
  assert.deepEqual(summary.clusters, model.clusterCounts);
  assert.equal(summary.route, 2);

  // Route 1: a point's labels are its cluster's labels (mapped to global ids).
  const pred = await model.predict(queries, { topK: 5, route: 1 });
  const route = (model as ClusteredModel).space.project(normalizeRowsL2(queries));
  const nearest = clusterPoints(x, trainSmall.labels, 3, 5).router.nearestCentroid(route);
  for (let i = 0; i < queries.nRows; i++) {
    const own = new Set(encoders[nearest[i]!]!.labels);
    for (let t = 0; t < 5; t++) { const l = pred.labels[i * 5 + t]!; if (l >= 0) assert.ok(own.has(l), `point ${i}: label ${l} not in its cluster`); }
  }
  const p1 = evaluateRanking(pred, truth, { ks: [1], metrics: ['P'] })['P@1']!;
  assert.ok(p1 > 0.2, `P@1 = ${p1}`);

  const dir = path.join(tempDir('clustered'), 'model');
  await model.save(dir);
  const manifest = await readManifest(dir);
  assert.ok([...manifest.files.keys()].some((n) => n.startsWith('p0c0.')));
  const loaded = await loadModel(dir);
  assert.ok(loaded instanceof ClusteredModel);
  const again = await trainModel(trainSmall, params);
  for (const options of [{ strategy: 'knn' }, { strategy: 'decoder' }, { strategy: 'average' }, { route: 1 }, { route: 3, k: 5 }] as const) {
    const before = await model.predict(queries, { topK: 5, ...options });
    const after: Ranked = await loaded.predict(queries, { topK: 5, ...options });
    assert.deepEqual(after.labels, before.labels, JSON.stringify(options));
    assert.deepEqual(after.scores, before.scores, JSON.stringify(options));
    assert.deepEqual((await again.predict(queries, { topK: 5, ...options })).labels, before.labels);
  }
  // Routing to two clusters can rank labels of either.
  const two = await model.predict(queries, { topK: 5, route: 2 });
  assert.notDeepEqual(two.labels, pred.labels);
  for (const m of [model, loaded, again]) m.dispose();
});

test('clustered ensemble: members cluster with seed + i; a corrupt label map is a ModelFormatError naming the file', async () => {
  await useBackend('auto');
  const model = await trainModel(trainSmall, { ...FAST, clusters: 2, ensemble: 2, seed: 1 });
  assert.ok(model instanceof ClusteredModel);
  assert.equal(model.describe().ensemble, 2);
  const one = await model.predict(queries, { topK: 5, members: 1 });
  const single = await trainModel(trainSmall, { ...FAST, clusters: 2, seed: 1 });
  assert.ok(single instanceof ClusteredModel);
  assert.deepEqual(one.labels, (await single.predict(queries, { topK: 5 })).labels);
  const dir = path.join(tempDir('clustered'), 'model');
  await model.save(dir);
  const manifest = await readManifest(dir);
  const file = path.join(dir, manifest.root, 'p1c0.labels.i32');
  const bytes = await fs.readFile(file);
  bytes.writeInt32LE(-1, 0);
  await fs.writeFile(file, bytes);
  await assert.rejects(loadModel(dir), (e: unknown) => e instanceof ModelFormatError && e.message.includes('p1c0.labels.i32'));
  model.dispose();
  single.dispose();
});

test('clusters: auto keeps one global model below two clusters\' worth of points; EmbeddingModel refuses clusters > 1', async () => {
  await useBackend('auto');
  const model = await trainModel(trainSmall, { ...FAST });
  assert.ok(model instanceof EmbeddingModel);
  assert.equal((model.params as { clusters?: unknown }).clusters, 1);
  assert.equal(model.describe().clusters, undefined);
  await assert.rejects(EmbeddingModel.train(trainSmall, { ...FAST, clusters: 2 }), /clusters = 2/);
  model.dispose();
});

test('clusterWorkShare: Σ n_c·L_c over n·L, hand-computed', () => {
  // Points 0, 1 in cluster 0 with labels {0}, {1}; points 2, 3 in cluster 1 with labels {2}, {2, 3}.
  const labels = csr(4, 5, Int32Array.from([0, 1, 2, 3, 5]), Int32Array.from([0, 1, 2, 2, 3]), Float32Array.from([1, 1, 1, 1, 1]));
  const assignments = Int32Array.from([0, 0, 1, 1]);
  const router = kmeansRouter(new Float32Array(2), 2, 1);
  // Clusters: 2 points × 2 labels + 2 points × 2 labels = 8 cells; globally 4 points × 4 occurring labels = 16.
  assert.equal(clusterWorkShare(labels, { router, assignments }), 0.5);
  assert.equal(clusterWorkShare(labels, { router: kmeansRouter(new Float32Array(1), 1, 1), assignments: new Int32Array(4) }), 1);
});
