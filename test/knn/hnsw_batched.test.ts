import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { fromDense } from '../../src/data/csr.js';
import { nativeAddon } from '../../src/engine/addon.js';
import { type HnswConfig, HnswIndex } from '../../src/knn/hnsw.js';
import { Rng } from '../../src/util/rng.js';
import { tempDir } from '../tmp.js';

const config: HnswConfig = { m: 8, efConstruction: 60, efSearch: 30, seed: 5 };

/** `n` random rows of `dim` columns, ℓ2-normalised; with `sparse`, about 70% zeros. */
function rows(n: number, dim: number, seed: number, sparse = false): Float32Array {
  const rng = new Rng(seed);
  const out = Float32Array.from({ length: n * dim }, () => (sparse && rng.next() < 0.7 ? 0 : rng.normal()));
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += out[i * dim + j]! ** 2;
    for (let j = 0; j < dim; j++) out[i * dim + j]! /= Math.sqrt(s) || 1;
  }
  return out;
}

/**
 * Save `built` and load it back (the loaded index lives in the addon when it has hnswlib); saving
 * the loaded index again writes the same bytes.
 */
async function reload(built: HnswIndex, dim: number, n: number): Promise<HnswIndex> {
  const dir = tempDir('hnsw-batched');
  const file = path.join(dir, 'index.hnsw'), again = path.join(dir, 'again.hnsw');
  built.save(file);
  const bytes = await fs.readFile(file);
  const loaded = HnswIndex.load(file, new Uint8Array(bytes), dim, n, config);
  loaded.save(again);
  assert.ok(bytes.equals(await fs.readFile(again)), 'the loaded index saves to the same bytes');
  return loaded;
}

test('HNSW search through the addon (a block of queries per call) returns the same neighbours and similarities, bit for bit, as hnswlib-node one query at a time', async (t) => {
  if (!nativeAddon().addon?.hnswSearch) { t.skip('the addon was built without hnswlib-node'); return; }
  // dim 20: hnswlib's 4-wide SIMD distance; dim 7: its residual path.
  for (const dim of [20, 7]) {
    const n = 400, nq = 1100; // more queries than one block of the batched search
    const built = HnswIndex.buildDense(rows(n, dim, 1), n, dim, config);
    const loaded = await reload(built, dim, n);
    const qs = rows(nq, dim, 2);
    for (const [k, efSearch] of [[10, undefined], [3, 80], [n + 5, undefined]] as const) {
      const done: number[] = [];
      const opts = efSearch === undefined ? { onRow: (r: number) => done.push(r) } : { efSearch, onRow: (r: number) => done.push(r) };
      const a = loaded.searchDense(qs, nq, k, opts), b = built.searchDense(qs, nq, k, efSearch === undefined ? {} : { efSearch });
      assert.deepEqual(Array.from(a.ids), Array.from(b.ids), `dim ${dim}, k ${k}`);
      assert.deepEqual(Array.from(a.sims), Array.from(b.sims), `dim ${dim}, k ${k}`);
      assert.equal(done.at(-1), nq);
      if (k > n) assert.equal(a.ids[n], -1); // padding past the n points
    }
  }
  // Sparse feature rows (the kNN model's index), queries with fewer columns than the index.
  const n = 300, dim = 30;
  const pts = fromDense(n, dim, rows(n, dim, 3, true));
  const built = HnswIndex.build(pts, config);
  const loaded = await reload(built, dim, n);
  const q = fromDense(50, dim - 4, rows(50, dim - 4, 4, true));
  const a = loaded.search(q, 6), b = built.search(q, 6);
  assert.deepEqual(Array.from(a.ids), Array.from(b.ids));
  assert.deepEqual(Array.from(a.sims), Array.from(b.sims));
});
