import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csr } from '../../src/data/csr.js';
import { nativeAddon } from '../../src/engine/addon.js';
import { EXACT_MAX_EMBEDDING_ENTRIES, HNSW_MAX_DENSE_ENTRIES, hnswStatus, resolveIndexKind } from '../../src/knn/hnsw.js';
import { KnnModel } from '../../src/model/knn_model.js';

const hnswOk = hnswStatus().ok;

test('index choice: HNSW up to the dense-entry limit, exact search (with a note) above it unless hnsw is asked for by name', { skip: !hnswOk && 'hnswlib-node not available' }, () => {
  const notes: string[] = [];
  const atLimit = { points: 1000, dim: HNSW_MAX_DENSE_ENTRIES / 1000 };
  assert.equal(resolveIndexKind('hnsw', false, notes, atLimit), 'hnsw');
  assert.equal(resolveIndexKind('hnsw', false, notes, { points: 1000, dim: atLimit.dim + 1 }), 'exact');
  assert.equal(notes.length, 1);
  assert.match(notes[0]!, /^1000 points × 50001 feature columns: an HNSW index would hold 191 MB of dense vectors; using exact sparse kNN search \(index 'exact'; --index hnsw forces HNSW\)$/);
  assert.equal(resolveIndexKind('hnsw', true, notes, { points: 1e6, dim: 1e6 }), 'hnsw', 'asked for by name');
  assert.equal(resolveIndexKind('exact', false, notes, { points: 1, dim: 1 }), 'exact');
  assert.equal(resolveIndexKind('hnsw', false, notes), 'hnsw', 'no shape: no size rule');
  assert.equal(notes.length, 1);
});

test('index choice over embeddings: exact search (with a note) up to its entry limit when the addon has the kernel, HNSW above it or by name', { skip: !hnswOk && 'hnswlib-node not available' }, () => {
  const notes: string[] = [];
  const small = { points: EXACT_MAX_EMBEDDING_ENTRIES / 100, dim: 100, embeddings: true };
  const kernel = typeof nativeAddon().addon?.exactKnnDense === 'function';
  assert.equal(resolveIndexKind('hnsw', false, notes, small), kernel ? 'exact' : 'hnsw');
  if (kernel) assert.deepEqual(notes, [`${small.points} points × 100 embedding dimensions: exact kNN search is faster than HNSW at this size (index 'exact'; --index hnsw forces HNSW)`]);
  notes.length = 0;
  assert.equal(resolveIndexKind('hnsw', false, notes, { ...small, points: small.points + 1 }), 'hnsw', 'above the limit');
  assert.equal(resolveIndexKind('hnsw', true, notes, small), 'hnsw', 'asked for by name');
  assert.deepEqual(notes, []);
});

test('KnnModel.train: sparse points over many feature columns get exact search and say so; the model predicts as exact search does', { skip: !hnswOk && 'hnswlib-node not available' }, async () => {
  // 1,000 points, each with 60 feature columns of its own (plus one shared column) and one of 10
  // labels: 60,001 columns seen, 6·10⁷ dense entries.
  const n = 1000, per = 60, cols = n * per + 1;
  const rowPtr = new Int32Array(n + 1), idx: number[] = [], val: number[] = [];
  const lp = new Int32Array(n + 1), li: number[] = [], lv: number[] = [];
  for (let i = 0; i < n; i++) {
    idx.push(0); val.push(1);
    for (let j = 0; j < per; j++) { idx.push(1 + i * per + j); val.push(1 + (j % 3)); }
    rowPtr[i + 1] = idx.length;
    li.push(i % 10); lv.push(1); lp[i + 1] = li.length;
  }
  const features = csr(n, cols, rowPtr, Int32Array.from(idx), Float32Array.from(val));
  const labels = csr(n, 10, lp, Int32Array.from(li), Float32Array.from(lv));
  const auto = await KnnModel.train({ features, labels }, { k: 3 });
  assert.equal(auto.params.index, 'exact');
  assert.equal(auto.notes.length, 1);
  assert.match(auto.notes[0]!, /^1000 points × 60001 feature columns: .*using exact sparse kNN search/);
  const exact = await KnnModel.train({ features, labels }, { k: 3, index: 'exact' });
  assert.deepEqual(exact.notes, []);
  const q = features; // every training point queries itself first
  const a = await auto.predict(q, { topK: 2 }), b = await exact.predict(q, { topK: 2 });
  assert.deepEqual(Array.from(a.labels), Array.from(b.labels));
  assert.deepEqual(Array.from(a.scores), Array.from(b.scores));
  for (let i = 0; i < n; i++) assert.equal(a.labels[i * 2], i % 10, `point ${i} ranks its own label first`);
});
