/**
 * The forest as a model (src/model/forest_model.ts): save → load predicts the same bits, a
 * corrupted structure is refused, the embedding models' prediction options are usage errors, and
 * the default model is the mixed ensemble of one ℓ1-AE model and the forest.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { sliceRows } from '../../src/data/csr.js';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { readDataset } from '../../src/data/index.js';
import { ModelFormatError, UsageError } from '../../src/errors.js';
import { checkForest, ForestModel } from '../../src/model/forest_model.js';
import { loadModel } from '../../src/model/load.js';
import { DEFAULT_MIX, featuresOf, mixOf, rerankOf, trainModel } from '../../src/model/methods.js';
import { RerankedModel } from '../../src/model/reranked_model.js';
import { WeightedModel } from '../../src/model/weighted_model.js';
import { chooseMerge, mergeRankings, MixedModel } from '../../src/model/mixed_model.js';
import { ParamsError } from '../../src/model/params.js';
import { type Ranked } from '../../src/ranking/topk.js';
import { headBow, xmlc } from '../cli/harness.js';
import { assertSameRanking, saveAndLoad } from './reload.js';
import { tempDir } from '../tmp.js';

const train = await readDataset(BUNDLED_BIBTEX.train);
const test0 = await readDataset(BUNDLED_BIBTEX.test);
const data = { features: sliceRows(train.features, 0, 1200), labels: sliceRows(train.labels, 0, 1200) };
const queries = sliceRows(test0.features, 0, 200);

test('a forest model saved and loaded predicts the same labels and scores; it describes its parameters', async () => {
  const model = await trainModel(data, { method: 'forest', trees: 5, seed: 3 });
  assert.ok(model instanceof ForestModel);
  assert.deepEqual(model.describe().params, { method: 'forest', trees: 5, branching: 10, leafSize: 10, kmeansIterations: 10, kmeansSample: 20000, centroidNnz: 1000, centroidMinCount: 2, maxDepth: 64, seed: 3 });
  const got = await model.predict(queries, { topK: 7 });
  const { dir, loaded } = await saveAndLoad(model, 'forest');
  assert.ok(loaded instanceof ForestModel);
  assertSameRanking(await loaded.predict(queries, { topK: 7 }), got);
  // Scores are leaf label frequencies: within [0, 1], best first.
  for (let i = 0; i < got.nRows; i++) for (let j = 0; j < got.k; j++) {
    const v = got.scores[i * got.k + j]!;
    assert.ok(v >= 0 && v <= 1 + 1e-6);
    if (j > 0) assert.ok(v <= got.scores[i * got.k + j - 1]!);
  }
  for (const key of ['k', 'strategy', 'members', 'decoderWeight', 'route', 'efSearch'] as const) {
    await assert.rejects(loaded.predict(queries, { [key]: key === 'strategy' ? 'knn' : 1 }), UsageError, key);
  }
  // A child pointing back up the tree is refused on load (the checksum is recomputed, so the structure check must catch it).
  const f = (loaded as unknown as { forest: Parameters<typeof checkForest>[0] }).forest;
  const broken = { ...f, children: f.children.slice() };
  broken.children[0] = 0;
  assert.throws(() => checkForest(broken, data.features.nRows, 5), /child 0 out of order/);
  const rel = (await fs.readdir(dir, { recursive: true })).find((f) => f.endsWith('forest.i32'))!;
  const truncated = path.join(dir, rel);
  await fs.writeFile(truncated, (await fs.readFile(truncated)).subarray(4));
  await assert.rejects(loadModel(dir), ModelFormatError);
  model.dispose();
  loaded.dispose();
});

test('mergeRankings: mean of max-normalised scores and rank averaging, by hand', () => {
  const a: Ranked = { nRows: 1, k: 3, labels: Int32Array.of(2, 0, 1), scores: Float32Array.of(4, 2, 1) };
  const b: Ranked = { nRows: 1, k: 3, labels: Int32Array.of(0, 3, -1), scores: Float32Array.of(0.5, 0.25, -Infinity) };
  const mean = mergeRankings([a, b], [0.5, 0.5], 'mean', 4, 4);
  // label 0: .5·(2/4) + .5·(.5/.5) = .75; label 2: .5; label 3: .5·.5 = .25; label 1: .5·.25 = .125
  assert.deepEqual([...mean.labels], [0, 2, 3, 1]);
  assert.deepEqual([...mean.scores], [0.75, 0.5, 0.25, 0.125]);
  const rank = mergeRankings([a, b], [0.5, 0.5], 'rank', 4, 4);
  // (k − r)/k: label 2: .5·1; label 0: .5·(2/3) + .5·1; label 1: .5·(1/3); label 3: .5·(2/3)
  assert.deepEqual([...rank.labels], [0, 2, 3, 1]);
  for (const [i, v] of [5 / 6, 0.5, 1 / 3, 1 / 6].entries()) assert.ok(Math.abs(rank.scores[i]! - v) < 1e-6);
});

test('chooseMerge keeps the mean unless rank averaging is better on the held-out points by more than the margin', () => {
  // Part a ranks the true label second with a large gap to its first; part b ranks it second closely:
  // the mean follows a's scale, ranks treat both alike.
  const truth = { nRows: 1, nCols: 3, rowPtr: Int32Array.of(0, 1), indices: Int32Array.of(1), values: Float32Array.of(1) };
  const a: Ranked = { nRows: 1, k: 2, labels: Int32Array.of(0, 1), scores: Float32Array.of(1, 0.1) };
  const b: Ranked = { nRows: 1, k: 2, labels: Int32Array.of(1, 2), scores: Float32Array.of(1, 0.99) };
  const c = chooseMerge([a, b], [0.5, 0.5], truth, 3);
  assert.ok(c.scores.mean >= 0 && c.scores.rank >= 0);
  assert.equal(c.rule, c.scores.rank > c.scores.mean + 0.005 ? 'rank' : 'mean');
  const same = chooseMerge([a, a], [0.5, 0.5], truth, 3);
  assert.equal(same.rule, 'mean', 'equal scores keep the mean');
});

test('the default model is the mixed ensemble l1ae:1,forest:1, its merge rule and feature weighting chosen on held-out points; a method or an ensemble count opts out', async () => {
  assert.equal(DEFAULT_MIX, 'l1ae:1,forest:1');
  assert.equal(mixOf({}), DEFAULT_MIX);
  assert.equal(mixOf({ method: 'l1ae' }), undefined);
  assert.equal(mixOf({ ensemble: 3 }), undefined);
  assert.equal(mixOf({ mix: 'pca:1,knn:1' }), 'pca:1,knn:1');
  const outer = await trainModel(data, { epochs: 2, trees: 4, index: 'exact' } as never);
  // The default model's features are weighted as a held-out choice says (recorded even when raw wins).
  assert.ok(outer instanceof WeightedModel && outer.choice !== undefined);
  assert.deepEqual(Object.keys(outer.choice.scores), ['raw', 'tfidf'], 'Bibtex features are 0/1: log is raw');
  assert.match(outer.notes.join('\n'), /features: auto chose (raw|tfidf) \(held-out mean P@1,3,5: raw \d+\.\d\d, tfidf \d+\.\d\d\)/);
  // Its re-ranker is `auto`: kept only when the merge rule's held-out points give the classifiers a weight.
  const model = outer.model instanceof RerankedModel ? outer.model.model : outer.model;
  if (outer.model instanceof RerankedModel) assert.ok(outer.model.alpha < 1 && outer.model.choice !== undefined);
  assert.ok(model instanceof MixedModel);
  assert.equal(model.describe().mix, 'l1ae:1,forest:1');
  assert.deepEqual(model.members.map((m) => m.method), ['l1ae', 'forest']);
  assert.equal((model.members[1]!.params as { trees: number }).trees, 4, 'forest keys reach the forest part');
  assert.ok(model.mergeChoice !== undefined && ['mean', 'rank'].includes(model.merge));
  assert.equal(model.merge, model.mergeChoice.rule);
  assert.equal(featuresOf({}), 'auto');
  assert.equal(featuresOf({ method: 'forest' }), 'raw');
  assert.equal(featuresOf({ mix: 'l1ae:1,forest:1' }), 'raw');
  assert.equal(rerankOf({}), 'auto');
  assert.equal(rerankOf({ method: 'forest' }), false);
  assert.equal(rerankOf({ mix: 'l1ae:1,forest:1' }), false);
  assert.equal(rerankOf({ rerank: false }), false);
  outer.dispose();
  await assert.rejects(trainModel(data, { method: 'l1ae', merge: 'rank' }), ParamsError);
});

test('CLI: --method forest trains, tests and describes a forest; the default run is the mixed ensemble and says so', async () => {
  const dir = tempDir('forest-cli'), f = (n: string): string => path.join(dir, n);
  await headBow(BUNDLED_BIBTEX.train, f('train.txt'), 600);
  await headBow(BUNDLED_BIBTEX.test, f('test.txt'), 100);
  const tr = xmlc(['train', '--train', f('train.txt'), '--model', f('forest'), '--method', 'forest', '--trees', '4', '--branching', '4', '--leaf-size', '5', '--quiet']);
  assert.equal(tr.code, 0, tr.stderr);
  const te = xmlc(['test', '--model', f('forest'), '--test', f('test.txt'), '--json', '--quiet']);
  assert.equal(te.code, 0, te.stderr);
  assert.ok((JSON.parse(te.stdout) as Record<string, number>)['P@1']! > 20);
  const info = xmlc(['info', '--model', f('forest')]);
  assert.match(info.stdout, /method\s+forest/);
  assert.match(info.stdout, /"trees":4,"branching":4,"leafSize":5/);
  assert.equal(xmlc(['test', '--model', f('forest'), '--test', f('test.txt'), '-k', '3', '--quiet']).code, 2, 'k does not apply to a forest');
  const run = xmlc(['run', '--train', f('train.txt'), '--test', f('test.txt'), '--epochs', '2', '--trees', '3', '--merge', 'rank']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /model: mixed ensemble l1ae:1,forest:1 \(merge rank\)/);
  assert.match(run.stderr, /features: auto chose (raw|tfidf) \(held-out mean P@1,3,5: raw/, 'the CLI\'s default model chooses its weighting as the library\'s does');
  assert.match(run.stdout, /^P\s+\d+\.\d\d/m);
});
