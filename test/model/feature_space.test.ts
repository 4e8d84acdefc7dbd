import type { EncoderKind } from '../../src/encoders/kinds.js';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { csr, type Csr, fromDense } from '../../src/data/csr.js';
import { InvalidArgumentError, ModelFormatError } from '../../src/errors.js';
import { EmbeddingModel } from '../../src/model/embed_model.js';
import { FeatureSpace } from '../../src/model/feature_space.js';
import { KnnModel } from '../../src/model/knn_model.js';
import { loadModel } from '../../src/model/load.js';
import { manifestChecksum } from '../../src/model/manifest.js';

/** Rows of (column, value) pairs in a matrix of `nCols` columns. */
function rows(nCols: number, r: [number, number][][]): Csr {
  const rowPtr = new Int32Array(r.length + 1);
  const idx: number[] = [], val: number[] = [];
  r.forEach((row, i) => { for (const [c, v] of row) { idx.push(c); val.push(v); } rowPtr[i + 1] = idx.length; });
  return csr(r.length, nCols, rowPtr, Int32Array.from(idx), Float32Array.from(val));
}

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xmlc-space-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

test('FeatureSpace: keeps the occurring columns in order, drops the others, identity when all occur', () => {
  const x = rows(10, [[[1, 2], [7, 1]], [[4, 3]], [[1, 5], [4, 1]]]);
  const s = FeatureSpace.fromTraining(x);
  assert.equal(s.nFeatures, 10);
  assert.deepEqual(s.columns, Int32Array.from([1, 4, 7]));
  assert.equal(s.dim, 3);
  const p = s.project(rows(10, [[[0, 9], [1, 2], [4, 3], [9, 1]], [], [[7, 4]]]));
  assert.equal(p.nCols, 3);
  assert.deepEqual(p.rowPtr, Int32Array.from([0, 2, 2, 3]));
  assert.deepEqual(p.indices, Int32Array.from([0, 1, 2]));
  assert.deepEqual(p.values, Float32Array.from([2, 3, 4]));
  // Narrower test rows are fine; wider ones are refused.
  assert.equal(s.project(rows(5, [[[4, 1]]])).indices[0], 1);
  assert.throws(() => s.project(rows(11, [[[10, 1]]])), InvalidArgumentError);
  const all = FeatureSpace.fromTraining(fromDense(2, 3, [1, 0, 1, 0, 1, 0]));
  assert.equal(all.columns, null);
  assert.equal(all.dim, 3);
});

test('FeatureSpace: sized by the nonzeros, not by the declared width (2^30 columns)', () => {
  const s = FeatureSpace.fromTraining(rows(2 ** 30, [[[2 ** 30 - 1, 1]], [[5, 1]]]));
  assert.deepEqual(s.columns, Int32Array.from([5, 2 ** 30 - 1]));
  assert.equal(s.project(rows(2 ** 30, [[[2 ** 30 - 1, 2]]])).indices[0], 1);
});

// Training points: x0 = e1, x1 = e4 (+ e7), x2 = e7 in a declared width of 10 (or 2^25);
// labels: x0 → {0}, x1 → {1}, x2 → {2}.
const LABELS = rows(3, [[[0, 1]], [[1, 1]], [[2, 1]]]);
const trainX = (nCols: number): Csr => rows(nCols, [[[1, 1]], [[4, 3], [7, 4]], [[7, 1]]]);

test('knn over a wide header: test rows are normalised over all their features, unseen columns add nothing (hand-computed)', async () => {
  for (const index of ['exact', 'hnsw'] as const) {
    const model = await KnnModel.train({ features: trainX(2 ** 25), labels: LABELS }, { index, k: 2 });
    // q = (e1 + e9)/√2: cosine 1/√2 with x0, 0 with the others (column 9 never occurs in training).
    // q' = e7: cosine 4/5 with x1 = (3e4 + 4e7)/5, 1 with x2.
    const r = await model.predict(rows(2 ** 25, [[[1, 1], [9, 1]], [[7, 2]]]), { topK: 3 });
    assert.equal(r.k, 3);
    assert.deepEqual(Array.from(r.labels), [0, -1, -1, 2, 1, -1], index);
    assert.ok(Math.abs(r.scores[0]! - Math.SQRT1_2) < 1e-6, index);
    assert.ok(Math.abs(r.scores[3]! - 1) < 1e-6 && Math.abs(r.scores[4]! - 0.8) < 1e-6, index);
  }
});

test('knn and embedding models: the declared width changes neither predictions nor model size; save → load keeps the column map', async (t) => {
  const dir = await tempDir(t);
  const queries = (nCols: number): Csr => rows(nCols, [[[1, 1], [4, 2], [9, 1]], [[7, 1]], [[0, 1]]]);
  const train = async (nCols: number, method: string): Promise<KnnModel | EmbeddingModel> => {
    const data = { features: trainX(nCols), labels: LABELS };
    return method === 'knn' ? KnnModel.train(data, { index: 'exact', k: 2 }) : EmbeddingModel.train(data, { method: method as EncoderKind, embeddingDim: 2, index: 'exact', k: 2, seed: 1 });
  };
  for (const method of ['knn', 'pca']) {
    const narrow = await (await train(10, method)).predict(queries(10), { topK: 3 });
    const wideModel = await train(2 ** 25, method);
    const wide = await wideModel.predict(queries(10), { topK: 3 });
    assert.deepEqual(wide.labels, narrow.labels, method);
    assert.deepEqual(wide.scores, narrow.scores, method);
    const mdir = path.join(dir, method);
    await wideModel.save(mdir);
    let bytes = 0;
    for (const f of await fs.readdir(mdir, { recursive: true })) {
      const st = await fs.stat(path.join(mdir, f));
      if (st.isFile()) bytes += st.size;
    }
    assert.ok(bytes < 20000, `${method}: a model of 3 points over a 2^25-feature header takes ${bytes} bytes`);
    const loaded = await loadModel(mdir);
    assert.equal(loaded.nFeatures, 2 ** 25);
    const again = await loaded.predict(queries(2 ** 25), { topK: 3 });
    assert.deepEqual(again.labels, narrow.labels, method);
    assert.deepEqual(again.scores, narrow.scores, method);
  }
});

test('a corrupt column map is a ModelFormatError naming the file', async (t) => {
  const dir = path.join(await tempDir(t), 'm');
  await (await KnnModel.train({ features: trainX(10), labels: LABELS }, { index: 'exact' })).save(dir);
  // Rewrite the column map with decreasing ids and re-sign the manifest so that only its content is wrong.
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8')) as Record<string, unknown> & { root: string; files: Record<string, unknown> };
  const file = path.join(dir, manifest.root, 'feature_columns.i32');
  const bad = new Uint8Array(Int32Array.from([4, 1, 7]).buffer);
  await fs.writeFile(file, bad);
  manifest.files['feature_columns.i32'] = { sha256: createHash('sha256').update(bad).digest('hex'), bytes: bad.length };
  manifest['manifestSha256'] = manifestChecksum(manifest);
  await fs.writeFile(manifestFile, JSON.stringify(manifest));
  await assert.rejects(loadModel(dir), (e: Error) => e instanceof ModelFormatError && e.message.includes(file) && /must increase/.test(e.message));
});
