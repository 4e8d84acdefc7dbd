import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../tmp.js';
import { test } from 'node:test';
import { sliceRows } from '../../src/data/csr.js';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { readDataset } from '../../src/data/index.js';
import { KnnModel } from '../../src/model/knn_model.js';
import { readManifest } from '../../src/model/io.js';
import { loadModel } from '../../src/model/load.js';
import { ParamsError } from '../../src/model/params.js';
import { repoRoot } from '../helpers.js';

const train = await readDataset(BUNDLED_BIBTEX.train);
const test0 = await readDataset(BUNDLED_BIBTEX.test);
// A slice keeps the test quick; the full run is eval/'s job.
const trainSmall = { features: sliceRows(train.features, 0, 1500), labels: sliceRows(train.labels, 0, 1500) };
const queries = sliceRows(test0.features, 0, 300);

for (const index of ['hnsw', 'exact'] as const) {
  test(`knn (${index}): save → load gives identical predictions; same seed, same model`, async (t) => {
    const model = await KnnModel.train(trainSmall, { index, seed: 4 });
    const before = await model.predict(queries, { topK: 5 });
    const dir = path.join(tempDir('knn'), 'model');
    await model.save(dir);
    const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(manifest['format'], 'xmlc-model');
    assert.equal(manifest['formatVersion'], 2);
    assert.deepEqual(manifest['data'], { nPoints: 1500, nFeatures: 1836, nLabels: 159 });
    const loaded = await loadModel(dir);
    const after = await loaded.predict(queries, { topK: 5 });
    assert.deepEqual(after.labels, before.labels);
    assert.deepEqual(after.scores, before.scores);
    const again = await (await KnnModel.train(trainSmall, { index, seed: 4 })).predict(queries, { topK: 5 });
    assert.deepEqual(again.labels, before.labels);
  });
}

test('knn: HNSW and exact search agree on nearly all top-1 predictions', async () => {
  const h = await (await KnnModel.train(trainSmall, { index: 'hnsw' })).predict(queries, { topK: 1 });
  const e = await (await KnnModel.train(trainSmall, { index: 'exact' })).predict(queries, { topK: 1 });
  let same = 0;
  for (let i = 0; i < queries.nRows; i++) if (h.labels[i] === e.labels[i]) same++;
  assert.ok(same / queries.nRows > 0.95, `agreement ${same / queries.nRows}`);
});

test('knn: parameters are validated, dimension mismatch is refused', async () => {
  await assert.rejects(KnnModel.train(trainSmall, { k: 0 }), ParamsError);
  await assert.rejects(KnnModel.train(trainSmall, { index: 'kd-tree' } as never), /one of hnsw, exact/);
  await assert.rejects(KnnModel.train(trainSmall, { neighbours: 3 } as never), /unknown knn training parameter 'neighbours'/);
  const model = await KnnModel.train(trainSmall, { index: 'exact' });
  await assert.rejects(model.predict({ ...queries, nCols: 5000 }), /5000 features but the model was trained on 1836/);
});

test('loading a model with a corrupt index file fails clearly', async (t) => {
  const model = await KnnModel.train(trainSmall, { index: 'hnsw' });
  const dir = path.join(tempDir('knn'), 'model');
  await model.save(dir);
  const f = path.join(dir, (await readManifest(dir)).root, 'index.hnsw');
  const bytes = await fs.readFile(f);
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
  await fs.writeFile(f, bytes);
  await assert.rejects(loadModel(dir), /index.hnsw is corrupt \(checksum mismatch\)/);
});

test('a committed format-1 model still loads and predicts the hand-computed scores', async () => {
  // Training points (ℓ2-normalised): p0 = (1,1,0)/√2 labels {0}; p1 = (1,0,0) labels {1}; p2 = (0,1,1)/√2 labels {2}; k = 2.
  // Query (2,0,0) → cos: p1 1, p0 1/√2 → scores l1 = 1, l0 = 0.7071068.
  // Query (0,0.5,0) → cos: p0 1/√2, p2 1/√2 (tie, both kept) → l0 = l2 = 0.7071068, smaller id first.
  const fixtures = path.join(repoRoot, 'test', 'fixtures');
  const model = await loadModel(path.join(fixtures, 'models', 'knn-exact-v1'));
  const q = await readDataset(path.join(fixtures, 'valid', 'knn_test.txt'));
  const r = await model.predict(q.features, { topK: 3 });
  assert.deepEqual([...r.labels], [1, 0, -1, 0, 2, -1]);
  const s = Math.SQRT1_2;
  for (const [i, v] of [[0, 1], [1, s], [3, s], [4, s]] as const) assert.ok(Math.abs(r.scores[i]! - v) < 1e-6, `score ${i}`);
});
