import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../tmp.js';
import { test } from 'node:test';
import { sliceRows } from '../../src/data/csr.js';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { readDataset } from '../../src/data/index.js';
import { useBackend } from '../../src/engine/backends.js';
import { EmbeddingModel } from '../../src/model/embed_model.js';
import { loadModel } from '../../src/model/load.js';
import { ParamsError } from '../../src/model/params.js';
import { evaluateRanking } from '../../src/metrics/ranking_metrics.js';

const train = await readDataset(BUNDLED_BIBTEX.train);
const test0 = await readDataset(BUNDLED_BIBTEX.test);
// Slices keep the test quick; the full runs are eval/'s job.
const trainSmall = { features: sliceRows(train.features, 0, 1500), labels: sliceRows(train.labels, 0, 1500) };
const queries = sliceRows(test0.features, 0, 300), truth = sliceRows(test0.labels, 0, 300);

const FAST = { embeddingDim: 30, depth: 3, epochs: 4, batchSize: 64 };

for (const [method, index, ensemble] of [
  ['l1ae', 'hnsw', 2], ['pca', 'exact', 1], ['simple-ae', 'exact', 1], ['gaussian', 'hnsw', 1],
  ['l1-sae', 'exact', 1], ['tied-relu', 'hnsw', 1], ['deep-l0', 'exact', 1], ['m-sparse', 'exact', 2],
] as const) {
  test(`${method} (${index}, ensemble ${ensemble}): save → load gives identical predictions for every strategy; same seed, same model`, async (t) => {
    await useBackend('auto');
    const params = { method, index, ensemble, seed: 4, ...FAST };
    const model = await EmbeddingModel.train(trainSmall, params);
    const dir = path.join(tempDir('embed'), 'model');
    await model.save(dir);
    const loaded = await loadModel(dir);
    const again = await EmbeddingModel.train(trainSmall, params);
    for (const strategy of ['knn', 'decoder', 'average'] as const) {
      const before = await model.predict(queries, { topK: 5, strategy });
      const after = await loaded.predict(queries, { topK: 5, strategy });
      assert.deepEqual(after.labels, before.labels, strategy);
      assert.deepEqual(after.scores, before.scores, strategy);
      assert.deepEqual((await again.predict(queries, { topK: 5, strategy })).labels, before.labels, strategy);
      // Scores are averages of max-normalised parts: at most 1.
      for (const s of before.scores) assert.ok(s <= 1 + 1e-6, `${strategy} score ${s}`);
      // Far better than chance (P@1 of a random label ≈ 1.5%).
      const p1 = evaluateRanking(before, truth, { ks: [1], metrics: ['P'] })['P@1']!;
      assert.ok(p1 > 0.2, `${method} ${strategy} P@1 = ${p1}`);
    }
  });
}

test('embedding model: the average strategy is the weighted mean of the normalised kNN and decoder scores', async () => {
  await useBackend('auto');
  const model = await EmbeddingModel.train(trainSmall, { method: 'pca', index: 'exact', decoderWeight: 0.5, ...FAST });
  assert.equal(model.decoderWeight, 0.5);
  const auto = await EmbeddingModel.train(trainSmall, { method: 'pca', index: 'exact', ...FAST });
  assert.ok(Number.isInteger(Math.round(auto.decoderWeight * 10)) && Math.abs(auto.decoderWeight * 10 - Math.round(auto.decoderWeight * 10)) < 1e-9 && auto.decoderWeight >= 0 && auto.decoderWeight <= 1, `auto weight ${auto.decoderWeight}`);
  const q = sliceRows(queries, 0, 20);
  const all = 159;
  const knn = await model.predict(q, { topK: all, strategy: 'knn' });
  const dec = await model.predict(q, { topK: all, strategy: 'decoder' });
  const avg = await model.predict(q, { topK: 3, strategy: 'average' });
  for (let i = 0; i < q.nRows; i++) {
    const score = (r: typeof knn, l: number): number => {
      for (let t = 0; t < r.k; t++) if (r.labels[i * r.k + t] === l) return r.scores[i * r.k + t]!;
      return 0;
    };
    // Max-normalise each part per row, then average.
    const kMax = Math.max(0, knn.scores[i * all]!), dMax = Math.max(0, dec.scores[i * all]!);
    for (let t = 0; t < 3; t++) {
      const l = avg.labels[i * 3 + t]!;
      const expected = ((kMax > 0 ? score(knn, l) / kMax : 0) + (dMax > 0 ? score(dec, l) / dMax : score(dec, l))) / 2;
      assert.ok(Math.abs(avg.scores[i * 3 + t]! - expected) < 1e-5, `row ${i} label ${l}: ${avg.scores[i * 3 + t]} vs ${expected}`);
    }
  }
});

test('embedding model: parameters validated, dimension mismatch and missing decoders refused', async () => {
  await useBackend('auto');
  await assert.rejects(EmbeddingModel.train(trainSmall, { embeddingDim: 0 }), ParamsError);
  await assert.rejects(EmbeddingModel.train(trainSmall, { strategy: 'vote' } as never), /one of knn, decoder, average/);
  await assert.rejects(EmbeddingModel.train(trainSmall, { lambda: -1 }), /'lambda' must be in/);
  await assert.rejects(EmbeddingModel.train(trainSmall, { layers: 3 } as never), /unknown embedding-model training parameter 'layers'/);
  const model = await EmbeddingModel.train(trainSmall, { method: 'gaussian', index: 'exact', ...FAST });
  await assert.rejects(model.predict({ ...queries, nCols: 5000 }), /5000 features but the model was trained on 1836/);
  assert.equal(model.embeddingDim, 30);
  const wide = await EmbeddingModel.train(trainSmall, { method: 'gaussian', index: 'exact', embeddingDim: 1000 });
  assert.equal(wide.embeddingDim, 159, 'm is clipped to the number of labels');
});

test('l1ae variations (tanh, learned B, BN): save → load gives identical predictions', async (t) => {
  await useBackend('auto');
  const model = await EmbeddingModel.train(trainSmall, { method: 'l1ae', index: 'exact', activation: 'tanh', decoderMatrix: 'learned', batchNorm: true, seed: 2, ...FAST });
  const dir = path.join(tempDir('embed'), 'model');
  await model.save(dir);
  const loaded = await loadModel(dir);
  for (const strategy of ['decoder', 'average'] as const) {
    const before = await model.predict(queries, { topK: 5, strategy });
    const after = await loaded.predict(queries, { topK: 5, strategy });
    assert.deepEqual(after.labels, before.labels, strategy);
    assert.deepEqual(after.scores, before.scores, strategy);
  }
});
