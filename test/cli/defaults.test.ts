import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OPTIMIZERS, TRAIN_LOOP_DEFAULTS } from '../../src/encoders/param_schema.js';
import { BACKEND_CHOICES } from '../../src/engine/backend_names.js';
import { UsageError } from '../../src/errors.js';
import { HNSW_DEFAULTS } from '../../src/knn/hnsw.js';
import { PROPENSITY_DEFAULTS } from '../../src/metrics/propensity.js';
import { DEFAULT_MIX, MODEL_METHODS } from '../../src/model/methods.js';
import { TFIDF_DEFAULTS } from '../../src/text/tfidf.js';
import { EMBED_DEFAULTS, FOREST_DEFAULTS, KNN_DEFAULTS, PREDICT_DEFAULTS, STRATEGIES } from '../../src/model/params.js';
import { predictOptions, summaryLine } from '../../cli/commands/predict.js';
import { propensityConstants } from '../../cli/report.js';
import { xmlcInProcess } from './harness.js';
import { FEATURES_DEFAULT } from '../../src/model/weighted_model.js';

/** The `[default: …]` yargs shows for `--flag` in `help` (whitespace collapsed). */
function shownDefault(help: string, flag: string): string | undefined {
  return new RegExp(`--${flag}\\s[^\\[]*(?:\\[[^\\]]*\\]\\s*)*?\\[default: ([^\\]]+)\\]`).exec(help.replace(/\s+/g, ' '))?.[1];
}
/** The `[choices: …]` yargs shows for `--flag`. */
function shownChoices(help: string, flag: string): string[] | undefined {
  const m = new RegExp(`--${flag}\\s[^\\[]*(?:\\[[^\\]]*\\]\\s*)*?\\[choices: ([^\\]]+)\\]`).exec(help.replace(/\s+/g, ' '))?.[1];
  return m?.split(', ').map((c) => JSON.parse(c) as string);
}

test('the CLI\'s training defaults are the library\'s single definitions (HNSW, training loop, backends, methods)', async () => {
  const help = (await xmlcInProcess(['train', '--help'])).stdout;
  assert.equal(shownDefault(help, 'hnsw-m'), String(HNSW_DEFAULTS.m));
  assert.equal(shownDefault(help, 'ef-construction'), String(HNSW_DEFAULTS.efConstruction));
  assert.equal(shownDefault(help, 'ef-search'), String(HNSW_DEFAULTS.efSearch));
  for (const [flag, key] of [['epochs', 'epochs'], ['batch-size', 'batchSize'], ['learning-rate', 'learningRate'], ['optimizer', 'optimizer'], ['validation-fraction', 'validationFraction'], ['patience', 'patience']] as const) {
    assert.equal(shownDefault(help, flag), String(TRAIN_LOOP_DEFAULTS[key]), flag);
  }
  assert.deepEqual(shownChoices(help, 'optimizer'), [...OPTIMIZERS]);
  assert.deepEqual(shownChoices(help, 'backend'), [...BACKEND_CHOICES]);
  assert.deepEqual(shownChoices(help, 'method'), [...MODEL_METHODS.keys()]);
  assert.deepEqual(shownChoices(help, 'strategy'), [...STRATEGIES]);
  // The parameters training uses when no flag is given are the same definitions.
  const knn = JSON.parse((await xmlcInProcess(['train', '--print-params', '--method', 'knn'])).stdout) as Record<string, unknown>;
  assert.deepEqual(knn, { ...KNN_DEFAULTS, rerank: false, tfidf: { ...TFIDF_DEFAULTS }, features: FEATURES_DEFAULT });
  assert.deepEqual([knn['hnswM'], knn['efConstruction'], knn['efSearch']], [HNSW_DEFAULTS.m, HNSW_DEFAULTS.efConstruction, HNSW_DEFAULTS.efSearch]);
  const emb = JSON.parse((await xmlcInProcess(['train', '--print-params', '--method', EMBED_DEFAULTS.method])).stdout) as Record<string, unknown>;
  for (const [k, v] of Object.entries(TRAIN_LOOP_DEFAULTS)) assert.equal(emb[k], v, k);
  assert.equal(emb['method'], EMBED_DEFAULTS.method);
  assert.equal(emb['efSearch'], HNSW_DEFAULTS.efSearch);
  // No method: the default mixed ensemble, with the embedding part's and the forest's defaults.
  const mixed = JSON.parse((await xmlcInProcess(['train', '--print-params'])).stdout) as Record<string, unknown>;
  assert.equal(mixed['mix'], DEFAULT_MIX);
  assert.equal(mixed['features'], 'auto');
  assert.equal(mixed['rerank'], 'auto', 'the default model keeps a re-ranker when held-out points give it a weight');
  assert.equal((JSON.parse((await xmlcInProcess(['train', '--print-params', '--no-rerank'])).stdout) as Record<string, unknown>)['rerank'], false);
  assert.equal((JSON.parse((await xmlcInProcess(['train', '--print-params', '--ensemble', 'l1ae:1,forest:1'])).stdout) as Record<string, unknown>)['rerank'], false);
  for (const [k, v] of Object.entries(FOREST_DEFAULTS)) if (k !== 'method') assert.equal(mixed[k], v, k);
  for (const [k, v] of Object.entries(TRAIN_LOOP_DEFAULTS)) assert.equal(mixed[k], v, k);
});

test('the CLI\'s prediction and metric defaults are the library\'s (top-k, propensity constants A and B)', async () => {
  const help = (await xmlcInProcess(['evaluate', '--help'])).stdout;
  assert.match(shownDefault(help, 'propensity-a') ?? '', new RegExp(`^${PROPENSITY_DEFAULTS.a},`));
  assert.match(shownDefault(help, 'propensity-b') ?? '', new RegExp(`^${PROPENSITY_DEFAULTS.b},`));
  assert.deepEqual(propensityConstants({ json: false, ks: [1] }, 'some_file.txt'), PROPENSITY_DEFAULTS);
  assert.equal(shownDefault((await xmlcInProcess(['predict', '--help'])).stdout, 'top-k'), String(PREDICT_DEFAULTS.topK));
});

test('prediction flags are checked against the model\'s capabilities, not its method name', () => {
  const none = { method: 'knn' as const, strategies: [], clustered: false };
  const all = { method: 'pca' as const, strategies: STRATEGIES, clustered: false };
  const knnOnly = { method: 'l1ae' as const, strategies: ['knn'] as const, clustered: false };
  const flags = { format: 'auto' as const, quiet: true, verbose: false, backend: 'auto' as const };
  assert.deepEqual(predictOptions({ ...flags, k: 3, 'ef-search': 50 }, none, 5), { topK: 5, k: 3, efSearch: 50 });
  assert.throws(() => predictOptions({ ...flags, strategy: 'decoder' }, none, 5), (e: unknown) => e instanceof UsageError && /--strategy decoder does not apply to this knn model: it has no strategies/.test((e as Error).message));
  assert.throws(() => predictOptions({ ...flags, 'decoder-weight': 0.2 }, none, 5), /--decoder-weight weighs the average strategy, which this knn model does not have/);
  assert.deepEqual(predictOptions({ ...flags, strategy: 'decoder', 'decoder-weight': 0.2 }, all, 3), { topK: 3, strategy: 'decoder', decoderWeight: 0.2 });
  // Capabilities, not names: an embedding model without a decoder has only the kNN vote.
  assert.throws(() => predictOptions({ ...flags, strategy: 'average' }, knnOnly, 5), /its strategies are knn/);
  assert.throws(() => predictOptions({ ...flags, route: 2 }, all, 5), /--route applies to clustered models/);
  assert.deepEqual(predictOptions({ ...flags, 'decoder-precision': 'float32' }, all, 5), { topK: 5, decoderPrecision: 'float32' });
  assert.throws(() => predictOptions({ ...flags, 'decoder-precision': 'float32' }, none, 5), /--decoder-precision sets the decoder's products, which this knn model does not have/);
  assert.throws(() => predictOptions({ ...flags, 'decoder-precision': 'bfloat16' }, knnOnly, 5), /which this l1ae model does not have: its strategies are knn/);
  assert.deepEqual(predictOptions({ ...flags, route: 2 }, { ...all, clustered: true }, 5), { topK: 5, route: 2 });
  const base = { nFeatures: 10, nLabels: 5, nTrain: 20, index: 'hnsw' as const, params: KNN_DEFAULTS };
  assert.equal(summaryLine({ ...base, method: 'pca', k: 20, ensemble: 2, embeddingDim: 30, strategy: 'average', decoderWeight: 0.5 }), 'model: pca, 2 models, m = 30; strategy average (decoder weight 0.5)');
  assert.equal(summaryLine({ ...base, method: 'knn', k: 15, ensemble: 1 }), 'model: knn, k = 15, hnsw index');
});

test('xmlc info --model prints the model\'s describe() summary (text and --json)', async (t) => {
  const { readDataset } = await import('../../src/data/index.js');
  const { sliceRows } = await import('../../src/data/csr.js');
  const { BUNDLED_BIBTEX } = await import('../../src/data/bundled.js');
  const { trainModel } = await import('../../src/model/methods.js');
  const { tempDir } = await import('../tmp.js');
  const { promises: fs } = await import('node:fs');
  const dir = tempDir('info-model');
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const d = await readDataset(BUNDLED_BIBTEX.train);
  const model = await trainModel({ features: sliceRows(d.features, 0, 100), labels: sliceRows(d.labels, 0, 100) }, { method: 'knn', index: 'exact', k: 4 });
  await model.save(`${dir}/m`);
  const json = await xmlcInProcess(['info', '--model', `${dir}/m`, '--json']);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), JSON.parse(JSON.stringify(model.describe())));
  const text = await xmlcInProcess(['info', '--model', `${dir}/m`]);
  assert.match(text.stdout, /^method\s+knn$/m);
  assert.match(text.stdout, /^k\s+4$/m);
  assert.match(text.stdout, /^nTrain\s+100$/m);
  const missing = await xmlcInProcess(['info', '--model', `${dir}/none`]);
  assert.equal(missing.code, 1);
  model.dispose();
});
