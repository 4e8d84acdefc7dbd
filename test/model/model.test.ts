import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sliceRows } from '../../src/data/csr.js';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { readDataset } from '../../src/data/index.js';
import { useBackend } from '../../src/engine/backends.js';
import { XmlcError, UsageError } from '../../src/errors.js';
import { EmbeddingModel } from '../../src/model/embed_model.js';
import { KnnModel } from '../../src/model/knn_model.js';
import { loadModel, openModel } from '../../src/model/load.js';
import { methodOf, MODEL_METHODS, trainModel } from '../../src/model/methods.js';
import type { Model, ModelSummary, TrainOptions } from '../../src/model/model.js';
import { type EmbedTrainParams, EMBED_DEFAULTS, type KnnTrainParams, ParamsError } from '../../src/model/params.js';
import { tempDir } from '../tmp.js';
import { promises as fs } from 'node:fs';

// Type-level checks (the build fails if they break): both classes are Models, and the
// training options are exact, derived from the encoders' schema.
const asModel: Model[] = [] as (KnnModel | EmbeddingModel)[];
const typedOptions: Partial<EmbedTrainParams> = { method: 'tied-relu', depth: 3, l1saeAlpha0: 'auto', tiedReluEpsilon: 'fixed', mSparseM: 4, deepL0TrainDictionary: false };
// @ts-expect-error an enum parameter takes only its choices
const badChoice: Partial<EmbedTrainParams> = { tiedReluEpsilon: 'sometimes' };
// @ts-expect-error no such parameter
const unknownKey: Partial<EmbedTrainParams> = { layers: 3 };
// @ts-expect-error only parameters declared with an `auto` meaning take 'auto'
const badAuto: Partial<EmbedTrainParams> = { depth: 'auto' };
// @ts-expect-error a kNN model has no embedding parameters
const badKnn: Partial<KnnTrainParams> = { embeddingDim: 3 };
// @ts-expect-error trainModel's options follow the method: kNN has no embedding dimension
const badDispatch: TrainOptions = { method: 'knn', embeddingDim: 3 };
const goodDispatch: TrainOptions[] = [{ method: 'knn', k: 3 }, { method: 'm-sparse', mSparseM: 3 }, { embeddingDim: 3 }];
void [asModel, typedOptions, badChoice, unknownKey, badAuto, badKnn, badDispatch, goodDispatch];

const train = await readDataset(BUNDLED_BIBTEX.train);
const test0 = await readDataset(BUNDLED_BIBTEX.test);
const trainSmall = { features: sliceRows(train.features, 0, 600), labels: sliceRows(train.labels, 0, 600) };
const queries = sliceRows(test0.features, 0, 50);
const FAST = { embeddingDim: 20, epochs: 2, batchSize: 64, index: 'exact' } as const;

test('trainModel dispatches on params.method (methodOf\'s default l1ae; no method at all: the default mix, test/model/forest_model.test.ts); an unknown method is a ParamsError', async () => {
  await useBackend('auto');
  const knn = await trainModel(trainSmall, { method: 'knn', index: 'exact', k: 5 });
  assert.ok(knn instanceof KnnModel);
  assert.equal(knn.method, 'knn');
  assert.equal(knn.params.method, 'knn');
  const pca = await trainModel(trainSmall, { method: 'pca', ...FAST });
  assert.ok(pca instanceof EmbeddingModel);
  assert.equal(pca.method, 'pca');
  assert.equal(methodOf({}), EMBED_DEFAULTS.method);
  await assert.rejects(trainModel(trainSmall, { method: 'svm' } as never), (e: unknown) => e instanceof ParamsError && /parameter 'method' must be one of knn, forest, l1ae/.test((e as Error).message));
  // Every encoder kind, knn and forest are methods; only the kNN model and the forest compute without tensors.
  assert.deepEqual([...MODEL_METHODS].filter(([, e]) => !e.needsTensors).map(([m]) => m), ['knn', 'forest']);
  pca.dispose();
  knn.dispose();
});

test('Model.describe: a plain summary reflecting the prediction options; strategies and encoders as capabilities', async () => {
  await useBackend('auto');
  const knn = await trainModel(trainSmall, { method: 'knn', index: 'exact', k: 7 });
  const emb = await trainModel(trainSmall, { method: 'pca', ...FAST, ensemble: 2, decoderWeight: 0.3 });
  const k: ModelSummary = knn.describe();
  assert.deepEqual({ ...k, params: undefined }, { method: 'knn', nFeatures: knn.nFeatures, nLabels: knn.nLabels, nTrain: 600, index: 'exact', k: 7, ensemble: 1, params: undefined });
  assert.equal(knn.describe({ k: 3 }).k, 3);
  assert.equal(JSON.parse(JSON.stringify(k)).params.k, 7); // plain data
  const e = emb.describe();
  assert.equal(e.method, 'pca');
  assert.equal(e.ensemble, 2);
  assert.equal(e.embeddingDim, 20);
  assert.equal(e.strategy, 'average');
  assert.equal(e.decoderWeight, 0.3);
  assert.equal(typeof e.backend, 'string');
  assert.equal(emb.describe({ strategy: 'knn' }).decoderWeight, undefined);
  assert.equal(emb.describe({ members: 1, decoderWeight: 0.9 }).ensemble, 1);
  assert.equal(emb.describe({ decoderWeight: 0.9 }).decoderWeight, 0.9);
  assert.deepEqual(knn.strategies, []);
  assert.deepEqual(emb.strategies, ['knn', 'decoder', 'average']);
  assert.equal(knn.encoders.length, 0);
  assert.equal(emb.encoders.length, 2);
  // A kNN model refuses the embedding models' options instead of ignoring them.
  await assert.rejects(knn.predict(queries, { strategy: 'decoder' }), (err: unknown) => err instanceof UsageError && /'strategy' applies to models with strategies/.test((err as Error).message));
  knn.dispose();
  emb.dispose();
});

for (const method of ['knn', 'pca'] as const) {
  test(`${method}: dispose() frees the model; predict, save and describe after it are a clear XmlcError; disposing twice is harmless`, async (t) => {
    await useBackend('auto');
    const model: Model = await trainModel(trainSmall, method === 'knn' ? { method, index: 'exact' } : { method, ...FAST });
    const before = await model.predict(queries);
    assert.equal(before.nRows, 50);
    model.dispose();
    const disposed = (what: string) => (e: unknown) => e instanceof XmlcError && new RegExp(`cannot ${what}: this ${method} model was disposed`).test((e as Error).message);
    await assert.rejects(model.predict(queries), disposed('predict'));
    const dir = tempDir('xmlc-disposed-');
    t.after(() => fs.rm(dir, { recursive: true, force: true }));
    await assert.rejects(model.save(`${dir}/m`), disposed('save'));
    assert.throws(() => model.describe(), disposed('describe'));
    model.dispose();
  });
}

test('openModel reads the manifest once and says whether the model needs tensors; load() gives the model loadModel gives', async (t) => {
  await useBackend('auto');
  const dir = tempDir('xmlc-open-');
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const knn = await trainModel(trainSmall, { method: 'knn', index: 'exact' });
  await knn.save(`${dir}/knn`);
  const emb = await trainModel(trainSmall, { method: 'gaussian', ...FAST });
  await emb.save(`${dir}/emb`);
  const ok = await openModel(`${dir}/knn`), oe = await openModel(`${dir}/emb`);
  assert.equal(ok.needsTensors, false);
  assert.equal(oe.needsTensors, true);
  assert.equal(ok.manifest.method, 'knn');
  const [a, b] = [await ok.load(), await loadModel(`${dir}/knn`)];
  assert.deepEqual(await a.predict(queries), await b.predict(queries));
  assert.deepEqual((await oe.load()).describe(), emb.describe());
  for (const m of [knn, emb, a, b]) m.dispose();
});

test('the kNN path (train, save, load, predict through the method registry and the CLI modules) never loads the tensor library', (t) => {
  const dir = tempDir('xmlc-knn-light-');
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const dist = fileURLToPath(new URL('../../', import.meta.url));
  // tfjs-core creates its engine in the global namespace when it is imported.
  const script = `
    const { readDataset } = await import('${dist}src/data/index.js');
    const { sliceRows } = await import('${dist}src/data/csr.js');
    const { trainModel } = await import('${dist}src/model/methods.js');
    const { openModel } = await import('${dist}src/model/load.js');
    await import('${dist}cli/commands/predict.js'); await import('${dist}cli/commands/train.js');
    const d = await readDataset('${BUNDLED_BIBTEX.train}');
    const data = { features: sliceRows(d.features, 0, 200), labels: sliceRows(d.labels, 0, 200) };
    const m = await trainModel(data, { method: 'knn', index: 'exact' });
    await m.save('${dir}/m');
    const o = await openModel('${dir}/m');
    const r = await (await o.load()).predict(data.features);
    const before = typeof globalThis._tfengine;
    await import('${dist}src/model/embed_model.js');
    console.log(JSON.stringify({ rows: r.nRows, needsTensors: o.needsTensors, before, after: typeof globalThis._tfengine }));`;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  // The control (`after`) shows the probe sees tfjs once it is loaded.
  assert.deepEqual(JSON.parse(out.stdout), { rows: 200, needsTensors: false, before: 'undefined', after: 'object' });
});
