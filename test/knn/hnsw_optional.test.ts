import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hnswStatus } from '../../src/knn/hnsw.js';
import { KnnModel } from '../../src/model/knn_model.js';
import { fromDense } from '../../src/data/csr.js';

const lib = fileURLToPath(new URL('../../src/index.js', import.meta.url));
const bin = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
/** Run a module script in a fresh process that behaves as if hnswlib-node were not installed. */
function withoutHnswlib(script: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, XMLC_DISABLE_HNSWLIB: '1' } });
}
const DATA = `const data = { features: lib.fromDense(3, 2, [1, 0, 0, 1, 1, 1]), labels: lib.fromDense(3, 2, [1, 0, 0, 1, 1, 1]) };`;

test('hnswlib-node loads here (CI installs a compiler), so HNSW is the default index', async () => {
  assert.equal(hnswStatus().ok, true);
  const m = await KnnModel.train({ features: fromDense(2, 2, [1, 0, 0, 1]), labels: fromDense(2, 2, [1, 0, 0, 1]) });
  assert.equal(m.params.index, 'hnsw');
  assert.deepEqual(m.notes, []);
});

test('without hnswlib-node: the default index falls back to exact search with a note; asking for hnsw by name is a clear error', () => {
  const r = withoutHnswlib(`
    const lib = await import(${JSON.stringify(lib)});
    ${DATA}
    const knn = await lib.KnnModel.train(data);
    const emb = await lib.EmbeddingModel.train(data, { method: 'pca' });
    const ranked = await knn.predict(lib.fromDense(1, 2, [1, 0]), { topK: 1 });
    let err;
    try { await lib.KnnModel.train(data, { index: 'hnsw' }); } catch (e) { err = e; }
    console.log(JSON.stringify({ status: lib.hnswStatus().ok, knn: knn.params.index, emb: emb.params.index, notes: knn.notes, top: ranked.labels[0],
      errKind: err instanceof lib.XmlcError && !(err instanceof lib.UsageError), err: err?.message }));`);
  assert.equal(r.status, 0, r.stderr);
  const o = JSON.parse(r.stdout) as { status: boolean; knn: string; emb: string; notes: string[]; top: number; errKind: boolean; err: string };
  assert.equal(o.status, false);
  assert.equal(o.knn, 'exact');
  assert.equal(o.emb, 'exact');
  assert.equal(o.top, 0);
  assert.deepEqual(o.notes, ["hnswlib-node is not available (disabled by XMLC_DISABLE_HNSWLIB=1): using exact kNN search (index 'exact')"]);
  assert.equal(o.errKind, true);
  assert.match(o.err, /index 'hnsw' needs the optional native module hnswlib-node.*--index exact/);
});

test('without hnswlib-node: a model saved with an HNSW index fails to load with a clear error (exit 1); xmlc info says so', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xmlc-hnswopt-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  await (await KnnModel.train({ features: fromDense(2, 2, [1, 0, 0, 1]), labels: fromDense(2, 2, [1, 0, 0, 1]) })).save(path.join(dir, 'm'));
  await fs.writeFile(path.join(dir, 'test.txt'), '1 2 2\n0 0:1\n');
  const env = { ...process.env, XMLC_DISABLE_HNSWLIB: '1' };
  const p = spawnSync(process.execPath, [bin, 'predict', '--model', path.join(dir, 'm'), '--test', path.join(dir, 'test.txt'), '--out', path.join(dir, 'out.txt'), '-q'], { encoding: 'utf8', env });
  assert.equal(p.status, 1, p.stderr);
  assert.match(p.stderr, /the model's HNSW index .*index\.hnsw needs the optional native module hnswlib-node.*retrain the model with --index exact/);
  assert.doesNotMatch(p.stderr, /\n\s+at /); // no stack trace
  const info = spawnSync(process.execPath, [bin, 'info', '--json'], { encoding: 'utf8', env });
  assert.equal(info.status, 0, info.stderr);
  assert.equal((JSON.parse(info.stdout) as { hnswlib: boolean }).hnswlib, false);
  const here = spawnSync(process.execPath, [bin, 'info'], { encoding: 'utf8' });
  assert.match(here.stdout, /^hnswlib-node: available/m);
});
