import type { Argv, CommandModule } from 'yargs';
import { type Csr } from '../../src/data/csr.js';
import { type OpenedModel, openModel, readTrainLabels } from '../../src/model/load.js';
import { type Manifest } from '../../src/model/io.js';
import { isClusteredManifest } from '../../src/model/manifest.js';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { resolveDataArg, resolveDataDir } from '../../datasets/fetch.js';
import { type TestFeatures } from '../../src/model/training_data.js';
import { type ProgressFn } from '../../src/progress.js';
import type { Model, ModelSummary } from '../../src/model/model.js';
import { formatRanked, formatRankedJsonl } from '../../src/predict/output.js';
import { TextModel } from '../../src/model/text_model.js';
import { type Ranked } from '../../src/ranking/topk.js';
import { applyCompute, type BackendArgs, type DataArgs, loadSplit, loadTextData, numericFlag, parseOptionsOf, textFormatOfArg, withBackendOption, withDataOptions, writeOutput } from '../common.js';
import { limitRanked } from '../report.js';
import { note, stderrProgress } from '../progress.js';
import { type NumericSpec, PARAM_SPECS, PREDICT_DEFAULTS, type PredictParams, type Strategy, STRATEGIES, UNUSED_PREDICT_OPTIONS } from '../../src/model/params.js';
import { DECODER_PRECISIONS, type DecoderPrecision } from '../../src/predict/strategies.js';
import { UsageError } from '../../src/errors.js';

export interface PredictFlags extends DataArgs, BackendArgs {
  model?: string;
  test?: string;
  'top-k'?: number;
  k?: number;
  'ef-search'?: number;
  strategy?: string;
  'decoder-weight'?: number;
  'decoder-precision'?: string;
  route?: number;
  redis?: string;
  shards?: number;
}

/** What predictions are written: the first `top-k` labels of each point, those scoring at least `threshold`, in `output-format`. */
export interface OutputFlags { out?: string; 'top-k'?: number; threshold?: number; 'output-format'?: 'jsonl' | 'ids' }

interface PredictArgs extends PredictFlags, OutputFlags {}

/** `--threshold`: any finite score. */
const THRESHOLD_SPEC: NumericSpec = Object.freeze({ int: false });

/** Adds `--top-k` and `--threshold` (and `--out` described as `outDescription`). */
export function withOutputOptions<T>(y: Argv<T>, outDescription: string, topKDefault: string): Argv<T & OutputFlags> {
  return y
    .option('out', { type: 'string', requiresArg: true, describe: outDescription })
    .option(...numericFlag('top-k', PARAM_SPECS.topK, { describe: 'labels per point', defaultDescription: topKDefault }))
    .option(...numericFlag('threshold', THRESHOLD_SPEC, { describe: 'keep only labels scoring at least T (after --top-k)' }))
    .option('output-format', { choices: ['jsonl', 'ids'] as const, describe: 'jsonl: {"id": …, "labels": [{"label": name, "score": s}, …]} per point (models trained on text); ids: `label:score …` per line with label ids', defaultDescription: 'jsonl for models trained on text, else ids' }) as Argv<T & OutputFlags>;
}

/** `--shards`: a positive integer. */
const SHARDS_SPEC: NumericSpec = Object.freeze({ int: true, min: 1 });
/** Jobs of a `--redis` prediction when `--shards` is not given. */
export const DEFAULT_SHARDS = 16;

/** Adds `--model` (required unless `requireModel` is false), `--test` and the per-call prediction parameters. */
export function withPredictOptions<T>(y: Argv<T>, requireModel = true): Argv<T & PredictFlags> {
  return withBackendOption(withDataOptions(y))
    .option('model', { type: 'string', demandOption: requireModel, describe: 'model directory written by `xmlc train`' })
    .option('test', { type: 'string', describe: 'test data file', defaultDescription: 'bundled Bibtex test split' })
    .option(...numericFlag('k', PARAM_SPECS.k, { describe: 'override the number of voting neighbours', group: 'Parameters:' }))
    .option(...numericFlag('ef-search', PARAM_SPECS.efSearch, { describe: 'override the HNSW search candidate list', group: 'Parameters:' }))
    .option('strategy', { type: 'string', choices: [...STRATEGIES], describe: 'embedding models: score by the kNN vote, the decoder, or their average', defaultDescription: 'the one trained with', group: 'Parameters:' })
    .option(...numericFlag('decoder-weight', PARAM_SPECS.decoderWeight, { describe: 'embedding models: weight w of the decoder in the average, (1 − w)·kNN + w·decoder', defaultDescription: 'the trained one', group: 'Parameters:' }))
    .option('decoder-precision', { type: 'string', choices: [...DECODER_PRECISIONS], describe: 'embedding models: the decoder\'s matrix products on bfloat16 operands with float32 sums (where the CPU has AVX512-BF16, else float32), or all in float32 (the same scores on every CPU)', defaultDescription: DECODER_PRECISIONS[0], group: 'Parameters:' })
    .option(...numericFlag('route', PARAM_SPECS.route, { describe: 'clustered models: route each point to its R nearest clusters and merge their scores', defaultDescription: 'the trained one', group: 'Parameters:' }))
    .option('redis', { type: 'string', requiresArg: true, describe: 'predict on `xmlc worker` processes through this Redis (redis://[user:password@]host[:port][/db] or rediss://): the rows split into --shards jobs, the predictions in input order; --model and --test must be paths every worker sees' })
    .option(...numericFlag('shards', SHARDS_SPEC, { describe: 'with --redis: jobs the test rows are split into (contiguous row ranges)', defaultDescription: String(DEFAULT_SHARDS) }))
    .check((a) => {
      if (a['shards'] !== undefined && a['redis'] === undefined) throw new UsageError('--shards splits the rows into jobs for the workers: it needs --redis');
      if (a['redis'] !== undefined && a['test'] === '-') throw new UsageError('--redis needs a test file every worker can read, not standard input');
      return true;
    }) as Argv<T & PredictFlags>;
}

/** What the prediction flags are checked against: the model's method, strategies and whether it is clustered. */
export interface ModelFacts {
  readonly method: string;
  readonly strategies: readonly Strategy[];
  readonly clustered: boolean;
}

/** The {@link ModelFacts} of a loaded model. */
export function factsOf(model: Model): ModelFacts {
  return { method: model.method, strategies: model.strategies, clustered: model.describe().route !== undefined };
}

/**
 * The {@link ModelFacts} of a model from its manifest alone (a `--redis` submitter does not load
 * the model): an embedding model is taken to have every strategy, and the workers refuse a
 * strategy its encoder lacks (no decoder).
 */
export function factsOfManifest(manifest: Manifest): ModelFacts {
  return { method: manifest.method, strategies: Object.hasOwn(UNUSED_PREDICT_OPTIONS, manifest.method) ? [] : STRATEGIES, clustered: isClusteredManifest(manifest) };
}

/**
 * The prediction options the flags set, checked against what `model` can do: `--strategy` must
 * be one of its strategies and `--decoder-weight` needs the average strategy (a kNN model has none).
 * @throws UsageError
 */
export function predictOptions(args: PredictFlags, model: ModelFacts, topK: number): Partial<PredictParams> & { topK: number } {
  const has = model.strategies.length ? `its strategies are ${model.strategies.join(', ')}` : 'it has no strategies to choose from';
  if (args.strategy !== undefined && !(model.strategies as readonly string[]).includes(args.strategy)) {
    throw new UsageError(`--strategy ${args.strategy} does not apply to this ${model.method} model: ${has}`);
  }
  if (args['decoder-weight'] !== undefined && !model.strategies.includes('average')) {
    throw new UsageError(`--decoder-weight weighs the average strategy, which this ${model.method} model does not have: ${has}`);
  }
  if (args['decoder-precision'] !== undefined && !model.strategies.some((s) => s !== 'knn')) {
    throw new UsageError(`--decoder-precision sets the decoder's products, which this ${model.method} model does not have: ${has}`);
  }
  if (args.route !== undefined && !model.clustered) {
    throw new UsageError(`--route applies to clustered models (trained with --clusters); this ${model.method} model is not clustered`);
  }
  return {
    topK,
    ...(args.k !== undefined ? { k: args.k } : {}),
    ...(args['ef-search'] !== undefined ? { efSearch: args['ef-search'] } : {}),
    ...(args.strategy !== undefined ? { strategy: args.strategy as Strategy } : {}),
    ...(args['decoder-weight'] !== undefined ? { decoderWeight: args['decoder-weight'] } : {}),
    ...(args.route !== undefined ? { route: args.route } : {}),
    ...(args['decoder-precision'] !== undefined ? { decoderPrecision: args['decoder-precision'] as DecoderPrecision } : {}),
  };
}

/** One line about a model and how it predicts: "model: l1ae, 1 model, m = 100; strategy average (decoder weight 0.5)". */
export function summaryLine(s: ModelSummary): string {
  const parts = [s.mix !== undefined ? `model: mixed ensemble ${s.mix} (merge ${s.merge ?? 'mean'}), first part ${s.method}` : `model: ${s.method}`];
  if (s.mix !== undefined && s.embeddingDim !== undefined) parts.push(`m = ${s.embeddingDim}`);
  else if (s.method === 'forest') {
    const p = s.params as { trees?: number; branching?: number; leafSize?: number };
    parts.push(`${p.trees} trees`, `branching ${p.branching}`, `leaves of ≤ ${p.leafSize} points`);
  } else if (s.embeddingDim !== undefined) {
    parts.push(`${s.ensemble} model${s.ensemble > 1 ? 's' : ''}`, `m = ${s.embeddingDim}`);
    if (s.clusters !== undefined) parts.push(`${s.clusters.join('/')} clusters, route ${s.route ?? 1}`);
  } else parts.push(`k = ${s.k}`, `${s.index} index`);
  const how = s.strategy !== undefined ? `; strategy ${s.strategy}${s.decoderWeight !== undefined ? ` (decoder weight ${s.decoderWeight})` : ''}` : '';
  return parts.join(', ') + how;
}

/**
 * Rank labels for `test` with `model`, timing the predict call alone (`seconds`: the
 * predictSeconds of the reports) and reporting it as the `predict` task.
 */
export async function timedPredict(model: Model, test: TestFeatures & { readonly features: Csr }, options: Partial<PredictParams>, progress: ProgressFn): Promise<{ ranked: Ranked; seconds: number }> {
  return timedRanking(test.features.nRows, 'point', progress, () => model.predict(test, options, progress));
}

/** Time `rank` (a prediction of `rows` rows) and report it as the `predict` task, in ms per `unit`. */
async function timedRanking(rows: number, unit: string, progress: ProgressFn, rank: () => Promise<Ranked>): Promise<{ ranked: Ranked; seconds: number }> {
  const t0 = performance.now();
  const ranked = await rank();
  const seconds = (performance.now() - t0) / 1000;
  progress({ status: 'done', task: 'predict', seconds, detail: `${(1000 * seconds / Math.max(1, rows)).toFixed(3)} ms/${unit}` });
  return { ranked, seconds };
}

/** What {@link predictFromArgs} gives: the ranking, the test labels, the training labels (for the propensities) and the prediction's seconds. */
export interface Predicted {
  readonly ranked: Ranked;
  readonly truth: Csr;
  readonly trainLabels: Csr;
  /** Seconds the prediction took (here: the model's predict call; with --redis: the run on the workers). */
  readonly seconds: number;
  /** A model trained on text: its label names, and the test documents' ids (when --id-field named them). */
  readonly text?: { readonly names: readonly string[]; readonly ids?: readonly string[] };
}

/** Load the model and the test data, and rank `topK` labels per test point (on the workers with --redis). */
export async function predictFromArgs(args: PredictFlags, topK: number, needLabels = true): Promise<Predicted> {
  const progress = stderrProgress(args);
  const opened = await openModel(args.model!); // the manifest, read once
  if (args.redis !== undefined) {
    if (opened.manifest.text !== undefined) throw new UsageError('--redis predicts with models trained on BoW/LIBSVM data; a model trained on text predicts on one machine for now');
    return predictDistributed(args, opened, topK);
  }
  await applyCompute(args, opened.needsTensors);
  const model = await opened.load();
  const options = predictOptions(args, factsOf(model), topK);
  return predictWithModel(args, model, options, needLabels, progress);
}

/**
 * Rank the test data of `args.test` with a loaded `model` (text models: a text file, matched by
 * label name), timing the prediction alone.
 */
export async function predictWithModel(args: DataArgs & { test?: string; model?: string }, model: Model, options: Partial<PredictParams> & { topK: number }, needLabels: boolean, progress: ProgressFn): Promise<Predicted> {
  if (model instanceof TextModel) return predictText(args, model, options, needLabels, progress);
  if (textFormatOfArg(args.test, args) !== undefined) throw new UsageError(`${args.model ?? 'the model'} was trained on BoW/LIBSVM features, not on text: give it a BoW/LIBSVM test file`);
  const ds = await loadSplit(args.test, 'test', args, progress, { nFeatures: model.nFeatures, nLabels: model.nLabels });
  const summary = model.describe(options);
  if (summary.strategy !== undefined) note(args.quiet, summaryLine(summary));
  const { ranked, seconds } = await timedPredict(model, ds, options, progress);
  return { ranked, truth: ds.labels, trainLabels: model.trainLabels, seconds };
}

/** A model trained on text: read the text test set, vectorise and rank it; the truth is matched by label name. */
async function predictText(args: DataArgs & { test?: string; model?: string }, model: TextModel, options: Partial<PredictParams> & { topK: number }, needLabels: boolean, progress: ProgressFn): Promise<Predicted> {
  const format = textFormatOfArg(args.test, args);
  if (args.test === undefined || format === undefined) throw new UsageError(`${args.model ?? 'the model'} was trained on text: give a text test file with --test (.jsonl, .csv or .tsv, or --format jsonl|csv|tsv)`);
  const docs = await loadTextData(args.test, format, args, progress, needLabels, 'test');
  const summary = model.describe(options);
  if (summary.strategy !== undefined) note(args.quiet, summaryLine(summary));
  const { ranked, seconds } = await timedRanking(docs.texts.length, 'document', progress, () => model.predictTexts(docs.texts, options, progress));
  const { labels: truth, unseen } = model.labelNames.encodeWithUnseen(docs.labels);
  if (needLabels && unseen > 0) note(args.quiet, `${args.test}: ${unseen} label occurrence${unseen > 1 ? 's' : ''} of names unseen in training (counted as misses)`);
  return { ranked, truth, trainLabels: model.trainLabels, seconds, text: { names: model.labelNames.names, ...(docs.ids ? { ids: docs.ids } : {}) } };
}

/** The predictions as the command writes them: JSONL with label names (text models, unless --output-format ids) or `label:score` lines. */
export function formatPredictions(ranked: Ranked, predicted: Pick<Predicted, 'text'>, format: OutputFlags['output-format']): string {
  if (format === 'jsonl' && !predicted.text) throw new UsageError('--output-format jsonl names the labels of a model trained on text; this model has label ids only (use --output-format ids)');
  return predicted.text && format !== 'ids' ? formatRankedJsonl(ranked, predicted.text.names, predicted.text.ids) : formatRanked(ranked);
}

/** `--redis`: read the test file here (its rows and labels), rank its shards on the workers, join them in input order. */
async function predictDistributed(args: PredictFlags, opened: OpenedModel, topK: number): Promise<Predicted> {
  const progress = stderrProgress(args);
  const options = predictOptions(args, factsOfManifest(opened.manifest), topK);
  const { nFeatures, nLabels } = opened.manifest.data;
  const file = args.test === undefined ? BUNDLED_BIBTEX.test : await resolveDataArg(args.test, 'test', resolveDataDir(args['data-dir']));
  const ds = await loadSplit(file, 'test', args, progress, { nFeatures, nLabels });
  const trainLabels = await readTrainLabels(opened);
  // Loaded on use: bullmq and ioredis stay out of every other command's start-up.
  const { redisLabel, submitPrediction } = await import('../../src/distributed/queue.js');
  const t0 = performance.now();
  const ranked = await submitPrediction({
    redis: args.redis!, modelDir: opened.dir, dataFile: file, read: { ...parseOptionsOf(args), nFeatures, nLabels }, options,
    nRows: ds.features.nRows, shards: args.shards ?? DEFAULT_SHARDS,
    onQueued: (p, jobs) => note(args.quiet, `queued ${jobs} prediction jobs of run ${p.id} on ${redisLabel(args.redis!)}; waiting for the workers`),
  }, progress);
  return { ranked, truth: ds.labels, trainLabels, seconds: (performance.now() - t0) / 1000 };
}

export const predictCommand: CommandModule<object, PredictArgs> = {
  command: 'predict',
  describe: 'Write the top-k labels and scores of every test point (`label:score ...` per line) to stdout or --out',
  builder: (y: Argv) => withOutputOptions(withPredictOptions(y), 'output file (written atomically); - or none: stdout', String(PREDICT_DEFAULTS.topK))
    .example('$0 predict --model models/bibtex --test Bibtex_test.txt --out pred.txt --top-k 5', '')
    .example('$0 predict --model models/bibtex --test Bibtex --threshold 0.5 > pred.txt', '') as unknown as Argv<PredictArgs>,
  handler: async (args) => {
    const topK = args['top-k'] ?? PREDICT_DEFAULTS.topK;
    const predicted = await predictFromArgs(args, topK, false);
    await writeOutput(args.out, formatPredictions(limitRanked(predicted.ranked, topK, args.threshold), predicted, args['output-format']));
  },
};
