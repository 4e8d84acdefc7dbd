/**
 * Feature weighting (src/model/weighted_model.ts): the weights by hand, a weighted model equal to
 * the model trained on hand-weighted points, save → load, and the refusals.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csr, sliceRows } from '../../src/data/csr.js';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { readDataset } from '../../src/data/index.js';
import { ParamsError } from '../../src/errors.js';
import { trainModel } from '../../src/model/methods.js';
import { TextModel } from '../../src/model/text_model.js';
import { chooseWeighting, distinctWeightings, smoothIdf, weightFeatures, WeightedModel } from '../../src/model/weighted_model.js';
import { type Model } from '../../src/model/model.js';
import { rankedFromLists } from '../../src/ranking/topk.js';
import { assertSameRanking, saveAndLoad } from './reload.js';

test('smooth idf and the log and tfidf weights, by hand', () => {
  // 3 points; feature 0 in all, feature 1 in one, feature 2 in none.
  const x = csr(3, 3, Int32Array.of(0, 2, 3, 4), Int32Array.of(0, 1, 0, 0), Float32Array.of(2, -3, 1, 0.5));
  const idf = smoothIdf(x);
  assert.deepEqual([...idf], [1, Math.log(4 / 2) + 1, Math.log(4) + 1].map(Math.fround));
  assert.deepEqual([...weightFeatures(x, 'log').values], [Math.log1p(2), -Math.log1p(3), Math.log1p(1), Math.log1p(0.5)].map(Math.fround));
  assert.deepEqual([...weightFeatures(x, 'tfidf', idf).values], [2 * idf[0]!, -3 * idf[1]!, idf[0]!, 0.5 * idf[0]!].map(Math.fround));
  assert.equal(weightFeatures(x, 'raw'), x);
  // A feature beyond the idf vector takes the unseen weight.
  const wide = csr(1, 5, Int32Array.of(0, 1), Int32Array.of(4), Float32Array.of(2));
  assert.deepEqual([...weightFeatures(wide, 'tfidf', idf, 7).values], [14]);
});

const train = await readDataset(BUNDLED_BIBTEX.train);
const test0 = await readDataset(BUNDLED_BIBTEX.test);
const data = { features: sliceRows(train.features, 0, 800), labels: sliceRows(train.labels, 0, 800) };
const queries = sliceRows(test0.features, 0, 100);

test('a tfidf-weighted kNN model ranks as a kNN trained and queried on hand-weighted points; save → load keeps it', async () => {
  const model = await trainModel(data, { method: 'knn', index: 'exact', features: 'tfidf' });
  assert.ok(model instanceof WeightedModel);
  assert.equal(model.describe().features, 'tfidf');
  const got = await model.predict(queries, { topK: 5 });
  const idf = smoothIdf(data.features), unseen = Math.log(1 + data.features.nRows) + 1;
  const plain = await trainModel({ ...data, features: weightFeatures(data.features, 'tfidf', idf, unseen) }, { method: 'knn', index: 'exact' });
  const want = await plain.predict(weightFeatures(queries, 'tfidf', idf, unseen), { topK: 5 });
  assertSameRanking(got, want);
  const { loaded } = await saveAndLoad(model, 'weighted');
  assert.ok(loaded instanceof WeightedModel);
  assertSameRanking(await loaded.predict(queries, { topK: 5 }), got);
  for (const m of [model, plain, loaded]) m.dispose();
  // log on 0/1 features is raw scaled by ln 2: the same ranking after ℓ2 normalisation.
  const log = await trainModel(data, { method: 'knn', index: 'exact', features: 'log' });
  const raw = await trainModel(data, { method: 'knn', index: 'exact' });
  assert.deepEqual((await log.predict(queries)).labels, (await raw.predict(queries)).labels);
  assert.ok(!(raw instanceof WeightedModel), 'raw adds no wrapper');
});

test('a bad weighting is a ParamsError; text is weighted by its vectoriser only', async () => {
  await assert.rejects(trainModel(data, { method: 'knn', features: 'bm25' as never }), ParamsError);
  await assert.rejects(TextModel.train({ texts: ['a b', 'b c'], labels: [['x'], ['y']] }, { method: 'knn', features: 'tfidf' }), /text is weighted by the TF-IDF vectoriser/);
});

test('distinct weightings: tfidf only when document frequencies differ, log only for values other than 0 and ±1', () => {
  const binary = csr(2, 2, Int32Array.of(0, 2, 3), Int32Array.of(0, 1, 0), Float32Array.of(1, 1, 1));
  assert.deepEqual(distinctWeightings(binary), ['raw', 'tfidf']);
  const dense = csr(2, 2, Int32Array.of(0, 2, 4), Int32Array.of(0, 1, 0, 1), Float32Array.of(0.5, -2, 3, 1));
  assert.deepEqual(distinctWeightings(dense), ['raw', 'log']);
});

test('chooseWeighting: the held-out best, but raw unless another beats it by more than the margin', async () => {
  // Stub models: each weighting's model ranks the held-out points' true labels first or not at all.
  const truthOf = (rows: { nRows: number }): number => rows.nRows;
  let seen: number[] = [];
  const stub = (good: boolean): Model => ({
    predict: async (f: { nRows: number }) => { seen.push(truthOf(f)); return rankedFromLists(Array.from({ length: f.nRows }, () => [good ? 0 : 1]), 5); },
    dispose: () => undefined,
  }) as unknown as Model;
  // Every point has label 0 only; 2 features with different df, so raw and tfidf are candidates.
  const n = 200;
  const x = csr(n, 2, Int32Array.from({ length: n + 1 }, (_, i) => i), Int32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0)), new Float32Array(n).fill(1));
  const y = csr(n, 2, Int32Array.from({ length: n + 1 }, (_, i) => i), new Int32Array(n), new Float32Array(n).fill(1));
  const better = await chooseWeighting({ features: x, labels: y }, 1, async (_d, w) => stub(w === 'tfidf'));
  assert.equal(better.weighting, 'tfidf');
  assert.ok(better.scores.tfidf! > better.scores.raw!);
  assert.deepEqual(seen, [20, 20], 'both scored on the same 10% held out');
  seen = [];
  const tie = await chooseWeighting({ features: x, labels: y }, 1, async () => stub(true));
  assert.equal(tie.weighting, 'raw', 'a tie keeps raw');
});
