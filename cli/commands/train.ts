import type { Argv, CommandModule } from 'yargs';
import { ENCODER_KINDS, type EncoderKind } from '../../src/encoders/kinds.js';
import { ENCODER_PARAMS, type EncoderParamSpec, paramFlagName } from '../../src/encoders/param_schema.js';
import { UsageError } from '../../src/errors.js';
import { DEFAULT_MIX, featuresOf, methodEntry, mixOf, MODEL_METHODS, trainModel } from '../../src/model/methods.js';
import type { Model, TrainOptions, TrainParams } from '../../src/model/model.js';
import { EMBED_DEFAULTS, FOREST_DEFAULTS, INDEX_KINDS, KNN_DEFAULTS, KNN_SPACES, type NumericSpec, OPTIMIZERS, PARAM_SPECS, SOLVERS, STRATEGIES, trainParams } from '../../src/model/params.js';
import { applyCompute, type BackendArgs, checkNumericFlag, type DataArgs, loadSplit, loadTextData, numericFlag, parseOptionsOf, readParamsFile, STDIN_ARG, textFormatOfArg, withBackendOption, withDataOptions } from '../common.js';
import { TFIDF_DEFAULTS, type TfidfParams, tfidfParams } from '../../src/text/tfidf.js';
import { resolveDataArg, resolveDataDir } from '../../datasets/fetch.js';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import type { Options } from 'yargs';
import { checkModelTarget } from '../../src/model/store.js';
import { RERANK_DEFAULTS, type RerankParams, rerankParams } from '../../src/model/reranked_model.js';
import { MERGE_RULES, mergeParam, mixPartParams, mixText, parseMix } from '../../src/model/mixed_model.js';
import { FEATURE_WEIGHTINGS, FEATURES_DEFAULT, featuresParam } from '../../src/model/weighted_model.js';
import { note, stderrProgress } from '../progress.js';

/** Every encoder's parameter flags (`--` + kebab-case of the key), with the encoder that owns each. */
const ENCODER_FLAGS: readonly { flag: string; kind: EncoderKind; spec: EncoderParamSpec }[] = Object.freeze(
  (Object.entries(ENCODER_PARAMS) as [EncoderKind, readonly EncoderParamSpec[]][]).flatMap(([kind, specs]) => specs.map((spec) => ({ flag: paramFlagName(spec.key), kind, spec }))));

/** Flags that set training parameters, and the parameter each one sets. */
const PARAM_FLAGS: Readonly<Record<string, string>> = Object.freeze({
  method: 'method',
  'embedding-dim': 'embeddingDim',
  ...Object.fromEntries(ENCODER_FLAGS.map((f) => [f.flag, f.spec.key])),
  ensemble: 'ensemble',
  clusters: 'clusters',
  route: 'route',
  epochs: 'epochs',
  'batch-size': 'batchSize',
  'learning-rate': 'learningRate',
  optimizer: 'optimizer',
  'validation-fraction': 'validationFraction',
  patience: 'patience',
  lambda: 'lambda',
  solver: 'solver',
  'knn-space': 'knnSpace',
  strategy: 'strategy',
  'decoder-weight': 'decoderWeight',
  k: 'k',
  index: 'index',
  'hnsw-m': 'hnswM',
  'ef-construction': 'efConstruction',
  'ef-search': 'efSearch',
  seed: 'seed',
  trees: 'trees',
  branching: 'branching',
  'leaf-size': 'leafSize',
  merge: 'merge',
  features: 'features',
});

export interface TrainFlags extends DataArgs, BackendArgs {
  train?: string;
  params?: string;
  method?: string;
  'embedding-dim'?: number;
  ensemble?: number | string;
  clusters?: number | string;
  route?: number;
  epochs?: number;
  'batch-size'?: number;
  'learning-rate'?: number;
  optimizer?: string;
  'validation-fraction'?: number;
  patience?: number;
  lambda?: number | string;
  solver?: string;
  'knn-space'?: string;
  strategy?: string;
  'decoder-weight'?: number | string;
  k?: number;
  index?: string;
  'hnsw-m'?: number;
  'ef-construction'?: number;
  'ef-search'?: number;
  seed?: number;
  trees?: number;
  branching?: number;
  'leaf-size'?: number;
  merge?: string;
  features?: string;
  analyzer?: string;
  'ngram-min'?: number;
  'ngram-max'?: number;
  'min-df'?: number;
  'max-df'?: number;
  'max-features'?: number;
  'token-pattern'?: string;
  rerank?: boolean;
  'rerank-shortlist'?: number;
  'rerank-alpha'?: number | string;
  'rerank-c'?: number | string;
  'rerank-negatives'?: string;
}

/** Flags that set re-ranker parameters, and the parameter of `rerank` each one sets. */
const RERANK_FLAGS: Readonly<Record<string, keyof RerankParams>> = Object.freeze({ 'rerank-shortlist': 'shortlist', 'rerank-alpha': 'alpha', 'rerank-c': 'c', 'rerank-negatives': 'negatives' });
/** Help group of the re-ranker flags. */
const gr = 'Re-ranker (--params key "rerank"):';

/** Flags that set TF-IDF parameters (text data), and the parameter of `tfidf` each one sets. */
const TFIDF_FLAGS: Readonly<Record<string, keyof TfidfParams>> = Object.freeze({
  analyzer: 'analyzer', 'ngram-min': 'ngramMin', 'ngram-max': 'ngramMax', 'min-df': 'minDf', 'max-df': 'maxDf', 'max-features': 'maxFeatures', 'token-pattern': 'tokenPattern',
});

interface TrainArgs extends TrainFlags { model?: string; force: boolean; 'print-params': boolean; redis?: string }

/** A flag that sets the numeric training parameter `key`, checked against the library's range for it. */
export function paramFlag<K extends string>(flag: K, key: keyof typeof PARAM_SPECS, opts: Omit<Options, 'type' | 'coerce'>): [K, Options] {
  return numericFlag(flag, PARAM_SPECS[key], opts);
}

/** Adds the training-parameter flags; their defaults come from the library's {@link EMBED_DEFAULTS} and {@link KNN_DEFAULTS}. */
export function withTrainOptions<T>(y: Argv<T>): Argv<T & TrainFlags> {
  const d = KNN_DEFAULTS, e = EMBED_DEFAULTS;
  const g = 'Parameters:', ge = `Embedding methods (${ENCODER_KINDS.join(', ')}):`;
  return withBackendOption(withDataOptions(y))
    .option('train', { type: 'string', describe: 'training data file', defaultDescription: 'bundled Bibtex train split' })
    .option('params', { type: 'string', describe: 'JSON file of training parameters (flags override it)', group: g })
    .option('method', {
      type: 'string', choices: [...MODEL_METHODS.keys()], group: g, defaultDescription: `the mixed ensemble ${DEFAULT_MIX}`,
      describe: 'one method: a label encoder — l1ae: ℓ1-AE; l1-sae: ℓ1-regularised sparse AE; tied-relu: tied-weight ReLU AE; deep-l0 / m-sparse: Deep ℓ0 encoders; pca / gaussian / simple-ae: baselines — or forest: label-clustering trees; knn: kNN on the features. Without --method (and --ensemble) the model is the mixed ensemble of one ℓ1-AE model and the forest',
    })
    .option(...paramFlag('embedding-dim', 'embeddingDim', { describe: 'embedding dimension m (at most the number of labels)', defaultDescription: String(e.embeddingDim), group: ge }))
    .option('ensemble', { requiresArg: true, describe: 'models with seeds seed, seed+1, …; their scores are averaged — or a mixed ensemble of several methods, e.g. l1ae:3,tied-relu:2 (--params key "mix")', defaultDescription: String(e.ensemble), group: ge,
      coerce: (v: unknown) => (typeof v === 'string' && v.includes(':') ? v : v === undefined ? v : checkNumericFlag('ensemble', v, PARAM_SPECS.ensemble)) })
    .option('clusters', { requiresArg: true, describe: 'split the training points into C clusters (spherical k-means), each with its own local model: a number (1: one global model) or auto (⌊n / 3000⌋ clusters when they beat the global model on held-out points)', defaultDescription: String(e.clusters), group: ge,
      coerce: autoOrNumber('clusters', PARAM_SPECS.clusters) })
    .option(...paramFlag('route', 'route', { describe: 'clustered models: clusters a test point is routed to (scores merged)', defaultDescription: String(e.route), group: ge }))
    .option(...paramFlag('epochs', 'epochs', { describe: 'autoencoder training epochs (at most; early stopping)', defaultDescription: String(e.epochs), group: ge }))
    .option(...paramFlag('batch-size', 'batchSize', { describe: 'autoencoder mini-batch size', defaultDescription: String(e.batchSize), group: ge }))
    .option(...paramFlag('learning-rate', 'learningRate', { describe: 'autoencoder learning rate', defaultDescription: String(e.learningRate), group: ge }))
    .option('optimizer', { type: 'string', choices: [...OPTIMIZERS], describe: 'autoencoder optimizer', defaultDescription: e.optimizer, group: ge })
    .option(...paramFlag('validation-fraction', 'validationFraction', { describe: 'label vectors held out for early stopping (0: none)', defaultDescription: String(e.validationFraction), group: ge }))
    .option(...paramFlag('patience', 'patience', { describe: 'epochs without improvement before stopping', defaultDescription: String(e.patience), group: ge }))
    .option('lambda', { requiresArg: true, describe: 'ridge penalty of the feature → embedding regression: a number > 0 or auto (chosen on held-out training points from 0.01 … 1000, 1 unless another is better by half a point)', defaultDescription: String(e.lambda), group: ge,
      coerce: autoOrNumber('lambda', PARAM_SPECS.lambda) })
    .option('solver', { type: 'string', choices: [...SOLVERS], describe: 'ridge solver: Cholesky (few features), dual Cholesky (few points) or conjugate gradient (neither)', defaultDescription: e.solver, group: ge })
    .option('knn-space', { type: 'string', choices: [...KNN_SPACES], describe: 'kNN over the regressed training embeddings V·x or the label embeddings A·y', defaultDescription: e.knnSpace, group: ge })
    .option('strategy', { type: 'string', choices: [...STRATEGIES], describe: 'default prediction strategy', defaultDescription: e.strategy, group: ge })
    .option('decoder-weight', { requiresArg: true, describe: 'weight w of the decoder in the average strategy, (1 − w)·kNN + w·decoder: a number in [0, 1] (0.5: the paper\'s plain average) or auto (chosen on held-out training points)', defaultDescription: String(e.decoderWeight), group: ge,
      coerce: autoOrNumber('decoder-weight', PARAM_SPECS.decoderWeight) })
    .option(...paramFlag('k', 'k', { describe: 'neighbours that vote', defaultDescription: `${e.k} (knn: ${d.k})`, group: g }))
    .option('index', { type: 'string', choices: [...INDEX_KINDS], describe: 'nearest-neighbour search: approximate HNSW or exact', defaultDescription: d.index, group: 'Parameters:' })
    .option(...paramFlag('hnsw-m', 'hnswM', { describe: 'HNSW graph degree M', defaultDescription: String(d.hnswM), group: 'Parameters:' }))
    .option(...paramFlag('ef-construction', 'efConstruction', { describe: 'HNSW build candidate list', defaultDescription: String(d.efConstruction), group: 'Parameters:' }))
    .option(...paramFlag('ef-search', 'efSearch', { describe: 'HNSW search candidate list', defaultDescription: String(d.efSearch), group: 'Parameters:' }))
    .option(...paramFlag('seed', 'seed', { describe: 'seed of every random choice', defaultDescription: String(d.seed), group: 'Parameters:' }))
    .option('features', { type: 'string', choices: [...FEATURE_WEIGHTINGS, 'auto'], describe: 'BoW/LIBSVM data: weight feature values before training and prediction — as given, sign(v)·ln(1 + |v|), by the training points\' smooth idf, or auto: the one that does best on held-out training points', defaultDescription: `auto for the default model, ${FEATURES_DEFAULT} when --method or --ensemble is given`, group: g })
    .option('merge', { type: 'string', choices: ['auto', ...MERGE_RULES], describe: 'mixed ensembles: merge the parts\' rankings by the mean of their max-normalised scores, by rank averaging, or auto (chosen on held-out training points)', defaultDescription: 'auto', group: g })
    .option(...paramFlag('trees', 'trees', { describe: 'trees in the forest', defaultDescription: String(FOREST_DEFAULTS.trees), group: gf }))
    .option(...paramFlag('branching', 'branching', { describe: 'children per split (k of the label k-means)', defaultDescription: String(FOREST_DEFAULTS.branching), group: gf }))
    .option(...paramFlag('leaf-size', 'leafSize', { describe: 'a node of at most this many training points is a leaf', defaultDescription: String(FOREST_DEFAULTS.leafSize), group: gf }))
    .options(encoderFlagOptions())
    .option('analyzer', { type: 'string', choices: ['word', 'char'], describe: 'text data: terms are word n-grams, or character n-grams inside words', defaultDescription: TFIDF_DEFAULTS.analyzer, group: gt })
    .option(...numericFlag('ngram-min', COUNT, { describe: 'text data: shortest n-gram', defaultDescription: String(TFIDF_DEFAULTS.ngramMin), group: gt }))
    .option(...numericFlag('ngram-max', COUNT, { describe: 'text data: longest n-gram', defaultDescription: String(TFIDF_DEFAULTS.ngramMax), group: gt }))
    .option(...numericFlag('min-df', COUNT, { describe: 'text data: keep terms in at least this many training documents', defaultDescription: String(TFIDF_DEFAULTS.minDf), group: gt }))
    .option(...numericFlag('max-df', FRACTION, { describe: 'text data: keep terms in at most this fraction of the training documents', defaultDescription: String(TFIDF_DEFAULTS.maxDf), group: gt }))
    .option(...numericFlag('max-features', { int: true, min: 0 }, { describe: 'text data: keep the most frequent terms (0: all)', defaultDescription: String(TFIDF_DEFAULTS.maxFeatures), group: gt }))
    .option('token-pattern', { type: 'string', requiresArg: true, describe: 'text data: a token is a match of this regular expression (Unicode), after lower-casing', defaultDescription: TFIDF_DEFAULTS.tokenPattern, group: gt })
    .option('rerank', { type: 'boolean', describe: 're-score the model\'s top labels with one-vs-rest linear classifiers over the features (score α·model + (1 − α)·classifier; α and C chosen on held-out training points); --no-rerank: never', defaultDescription: 'the default model: kept when held-out points give the classifiers a weight (α < 1); other models: off', group: gr })
    .option(...numericFlag('rerank-shortlist', COUNT, { describe: 'labels of the model\'s ranking re-scored', defaultDescription: String(RERANK_DEFAULTS.shortlist), group: gr }))
    .option('rerank-alpha', { requiresArg: true, describe: 'the model\'s weight α in [0, 1], or auto', defaultDescription: String(RERANK_DEFAULTS.alpha), group: gr, coerce: autoOrNumber('rerank-alpha', { int: false, min: 0, max: 1 }) })
    .option('rerank-c', { requiresArg: true, describe: 'the classifiers\' C (> 0), or auto (1, 10 or 100)', defaultDescription: String(RERANK_DEFAULTS.c), group: gr, coerce: autoOrNumber('rerank-c', { int: false, min: 0, minOpen: true }) })
    .option('rerank-negatives', { type: 'string', requiresArg: true, choices: ['all', 'shortlist', 'auto'], describe: 'the points each label\'s classifier is trained on: all, or its positives and the training points whose shortlist holds it (much faster with many labels); auto: shortlist when there are over 10 × shortlist labels', defaultDescription: String(RERANK_DEFAULTS.negatives), group: gr }) as Argv<T & TrainFlags>;
}

/** Positive integers (n-gram lengths, document counts). */
const COUNT: NumericSpec = Object.freeze({ int: true, min: 1 });
/** A fraction in (0, 1]. */
const FRACTION: NumericSpec = Object.freeze({ int: false, min: 0, minOpen: true, max: 1 });
/** Help group of the forest's flags. */
const gf = 'Forest (--method forest, and the default ensemble\'s forest; more in --params):';
/** Help group of the TF-IDF flags. */
const gt = 'Text data (TF-IDF features; --params key "tfidf"):';

/** A flag's coerce that takes `auto` or a number within `spec`. */
function autoOrNumber(flag: string, spec: NumericSpec): (v: unknown) => unknown {
  return (v) => (v === 'auto' || v === undefined ? v : checkNumericFlag(flag, v, spec));
}

/** The yargs options of every encoder parameter, generated from the encoders' schemas, grouped by method. */
function encoderFlagOptions(): Record<string, Options> {
  const out: Record<string, Options> = {};
  for (const { flag, kind, spec } of ENCODER_FLAGS) {
    const common = { describe: spec.describe, defaultDescription: spec.type === 'number' && spec.auto !== undefined ? `auto (${spec.auto})` : String(spec.default), group: `--method ${kind}:` };
    switch (spec.type) {
      case 'boolean': out[flag] = { ...common, type: 'boolean' }; break;
      case 'enum': out[flag] = { ...common, type: 'string', choices: [...spec.choices] }; break;
      case 'number': {
        const [, opts] = numericFlag(flag, spec.range, common);
        out[flag] = spec.auto === undefined ? opts : { ...opts, coerce: autoOrNumber(flag, spec.range) };
        break;
      }
    }
  }
  return out;
}

/**
 * An encoder parameter flag given for another method is a mistake (it would be ignored).
 * @throws UsageError "--l1sae-beta sets a parameter of --method l1-sae, not of l1ae".
 */
export function checkEncoderFlags(args: TrainFlags, method: unknown): void {
  for (const { flag, kind } of ENCODER_FLAGS) {
    if ((args as unknown as Record<string, unknown>)[flag] !== undefined && method !== kind) {
      throw new UsageError(`--${flag} sets a parameter of --method ${kind}, not of ${String(method)}\nExample usage: xmlc train --method ${kind} --${flag} …`);
    }
  }
}

/** The training parameters to print: the chosen method's encoder parameters, not those of the other encoders. */
export function paramsToPrint(params: Record<string, unknown>): Record<string, unknown> {
  const method = params['method'];
  const others = new Set(ENCODER_FLAGS.filter((f) => f.kind !== method).map((f) => f.spec.key));
  return Object.fromEntries(Object.entries(params).filter(([k]) => !others.has(k)));
}

/** Parameters from `--params FILE` with the flags given on the command line over them. */
export async function trainParamsFromArgs(args: TrainFlags): Promise<Record<string, unknown>> {
  const params = await readParamsFile(args.params);
  checkEncoderFlags(args, args.method ?? params['method'] ?? EMBED_DEFAULTS.method);
  setFlags(args, params, PARAM_FLAGS);
  // --ensemble method:count,… is a mixed ensemble.
  if (typeof params['ensemble'] === 'string') {
    params['mix'] = params['ensemble'];
    delete params['ensemble'];
  }
  if (args.rerank !== undefined) params['rerank'] = args.rerank ? (isObject(params['rerank']) ? params['rerank'] : {}) : false;
  setFlags(args, params, RERANK_FLAGS, 'rerank');
  setFlags(args, params, TFIDF_FLAGS, 'tfidf');
  return params;
}

/** The flags of `flags` given on the command line, each set as its parameter in `params` (inside its object `group` when given). */
function setFlags(args: TrainFlags, params: Record<string, unknown>, flags: Readonly<Record<string, string>>, group?: string): void {
  for (const [flag, key] of Object.entries(flags)) {
    const v = (args as unknown as Record<string, unknown>)[flag];
    if (v === undefined) continue;
    if (group === undefined) params[key] = v;
    else params[group] = { ...(isObject(params[group]) ? params[group] : {}), [key]: v };
  }
}

/** A JSON object (not null, not a list). */
function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The training parameters without `tfidf` and `rerank`, the TF-IDF parameters (checked, defaults
 * filled in) and the re-ranker's (checked; `auto` or `false` as given, or as the default: `auto`
 * for the default model, `false` for any other).
 * @throws UsageError for a bad `tfidf` or `rerank` entry.
 */
export function splitParams(params: Record<string, unknown>): { given: Record<string, unknown>; tfidf: TfidfParams; rerank: RerankParams | 'auto' | false; mix: string | undefined; merge: string | undefined; features: string | undefined; defaultModel: boolean } {
  const { tfidf, rerank, mix: givenMix, merge, features, ...given } = params;
  const mix = mixOf({ ...given, ...(givenMix !== undefined ? { mix: givenMix } : {}) } as TrainOptions);
  if (features !== undefined) featuresParam(features);
  if (merge !== undefined) mergeParam(merge);
  if (merge !== undefined && mix === undefined) throw new UsageError(`parameter 'merge' applies to mixed ensembles (--ensemble method:count,…) only`);
  if (tfidf !== undefined && !isObject(tfidf)) throw new UsageError(`parameter 'tfidf' must be an object of TF-IDF parameters (${Object.keys(TFIDF_DEFAULTS).join(', ')})`);
  const unknown = Object.keys(tfidf ?? {}).filter((k) => !Object.hasOwn(TFIDF_DEFAULTS, k));
  if (unknown.length) throw new UsageError(`unknown TF-IDF parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${Object.keys(TFIDF_DEFAULTS).join(', ')})`);
  if (rerank !== undefined && typeof rerank !== 'boolean' && rerank !== 'auto' && !isObject(rerank)) throw new UsageError(`parameter 'rerank' must be true, false, "auto" or an object of re-ranker parameters (${Object.keys(RERANK_DEFAULTS).join(', ')})`);
  const defaultModel = givenMix === undefined && mix !== undefined;
  try {
    return {
      given, tfidf: tfidfParams(tfidf as Partial<TfidfParams> | undefined),
      rerank: rerank === undefined ? (defaultModel ? 'auto' : false) : rerank === false || rerank === 'auto' ? rerank : rerankParams(rerank === true ? {} : rerank as Partial<RerankParams>),
      mix: mix === undefined ? undefined : mixText(parseMix(mix)),
      merge: merge as string | undefined,
      features: features as string | undefined,
      // No method, mix or ensemble: the default model (its mix resolved above, its feature weighting and re-ranker `auto`).
      defaultModel,
    };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/**
 * Validate the training parameters before any data is read: those of every part of a mixed
 * ensemble, else the method's. Returns the (first part's) validated parameters.
 * @throws UsageError for a bad parameter.
 */
function checkedParams(base: Record<string, unknown>, mix: string | undefined): TrainParams {
  if (mix === undefined) return trainParams(base);
  const all = parseMix(mix).map((part) => trainParams(mixPartParams(base as TrainOptions, part) as Record<string, unknown>));
  return all.find((p) => methodEntry(p.method)!.needsTensors) ?? all[0]!;
}

/** The parameters `--print-params` shows: the method's (every part's, for a mixed ensemble), the mix and merge rule, the re-ranker's and TF-IDF's. */
function printedParams(base: Record<string, unknown>, mix: string | undefined, merge: string | undefined, rerank: RerankParams | 'auto' | false, tfidf: TfidfParams): Record<string, unknown> {
  if (mix === undefined) return { ...paramsToPrint({ ...trainParams(base) }), rerank, tfidf };
  const parts = parseMix(mix).map((part) => paramsToPrint({ ...trainParams(mixPartParams(base as TrainOptions, part) as Record<string, unknown>) }));
  const merged: Record<string, unknown> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p)) if (!Object.hasOwn(merged, k)) merged[k] = v;
  delete merged['method'];
  delete merged['ensemble'];
  return { ...merged, mix, merge: merge ?? 'auto', rerank, tfidf };
}

/** Train a model as the flags say: shared by `train` and `run`. */
export async function trainFromArgs(args: TrainFlags): Promise<Model> {
  const { given: base, tfidf, rerank, mix, merge, features, defaultModel } = splitParams(await trainParamsFromArgs(args));
  const params = checkedParams(base, mix); // validated before the data is read
  const text = textFormatOfArg(args.train, args);
  // The default model weights BoW features as held-out points say (text: its vectoriser's rows as they are).
  const weighting = features ?? (defaultModel && text === undefined ? featuresOf({}) : undefined);
  const given = { ...base, ...(rerank !== false || defaultModel ? { rerank } : {}), ...(mix ? { mix } : {}), ...(merge ? { merge } : {}), ...(weighting ? { features: weighting } : {}) };
  await applyCompute(args, methodEntry(params.method)!.needsTensors);
  const progress = stderrProgress(args);
  const t0 = performance.now();
  // The parameters as given (validated above, not merged with the defaults): the library tells an
  // explicit `index: 'hnsw'` from the default. The model classes are loaded on use, so that
  // commands that do not train stay light.
  let model: Model;
  if (text !== undefined) {
    const docs = await loadTextData(args.train!, text, args, progress, true, 'train');
    const { TextModel } = await import('../../src/model/text_model.js');
    model = await TextModel.train(docs, given as TrainOptions, tfidf, progress);
  } else {
    const data = await loadSplit(args.train, 'train', args, progress);
    model = await trainModel(data, given as TrainOptions, progress);
  }
  for (const n of model.notes) note(args.quiet, n);
  progress({ status: 'done', task: 'train', seconds: (performance.now() - t0) / 1000 });
  return model;
}

/** `train --redis`: plan here, train on the workers, wait with a progress bar of finished jobs. */
async function trainDistributed(args: TrainArgs): Promise<void> {
  if (textFormatOfArg(args.train, args) !== undefined) throw new UsageError('--redis trains on BoW/LIBSVM files; text data (JSONL, CSV, TSV) trains on one machine for now');
  const raw = await trainParamsFromArgs(args);
  const { given, features } = splitParams(raw);
  if (features !== undefined && features !== FEATURES_DEFAULT) throw new UsageError(`--redis trains on the features as given for now; --features ${features} trains on one machine`);
  if ((raw['rerank'] !== undefined && raw['rerank'] !== false) || raw['mix'] !== undefined) throw new UsageError('--redis trains one method\'s embedding models without a re-ranker for now; train a re-ranked model or a mixed ensemble on one machine');
  const params = trainParams(given);
  if (params.method === 'knn') throw new UsageError('--redis trains the embedding methods (one job per ensemble member × cluster); --method knn has nothing to distribute');
  if (args.train === STDIN_ARG) throw new UsageError('--redis needs a training file every worker can read, not standard input');
  await applyCompute(args, true);
  const progress = stderrProgress(args);
  const file = args.train === undefined ? BUNDLED_BIBTEX.train : await resolveDataArg(args.train, 'train', resolveDataDir(args['data-dir']));
  const read = parseOptionsOf(args);
  const t0 = performance.now();
  // Loaded on use: bullmq and ioredis stay out of every other command's start-up.
  const { redisLabel, submitTraining } = await import('../../src/distributed/queue.js');
  const plan = await submitTraining({
    redis: args.redis!, modelDir: args.model!, dataFile: file, read, given, overwrite: args.force,
    onQueued: (p, jobs) => note(args.quiet, `queued ${jobs} jobs of run ${p.id} on ${redisLabel(args.redis!)}; waiting for the workers`),
  }, progress);
  for (const n of plan.notes) note(args.quiet, n);
  progress({ status: 'done', task: `train and save model to ${args.model}`, seconds: (performance.now() - t0) / 1000 });
}

export const trainCommand: CommandModule<object, TrainArgs> = {
  command: 'train',
  describe: 'Train a model and save it as a directory',
  builder: (y: Argv) => withTrainOptions(y)
    .option('model', { type: 'string', describe: 'output model directory (a new path or an empty folder; written crash-safely)' })
    .option('force', { type: 'boolean', default: false, describe: 'replace the xmlc model already at --model (never anything else)' })
    .option('print-params', { type: 'boolean', default: false, describe: 'print the training parameters (defaults, --params file and flags merged) as JSON and exit' })
    .option('redis', { type: 'string', describe: 'train on `xmlc worker` processes through this Redis (redis://[user:password@]host[:port][/db] or rediss://): one job per ensemble member × cluster, the same model directory as a run on this machine; the data file and --model must be paths every worker sees' })
    .check((a) => {
      if (!a['print-params'] && a.model === undefined) throw new UsageError('Missing required argument: model\nExample usage: xmlc train --train train.txt --model out/');
      return true;
    })
    .example('$0 train --train Bibtex_train.txt --model models/bibtex --method l1ae --embedding-dim 100 --ensemble 5', '')
    .example('$0 train --train Bibtex_train.txt --model models/knn --method knn --seed 1', '')
    .example('$0 train --print-params > params.json', '') as unknown as Argv<TrainArgs>,
  handler: async (args) => {
    if (args['print-params']) {
      const { given, tfidf, rerank, mix, merge, features, defaultModel } = splitParams(await trainParamsFromArgs(args));
      process.stdout.write(JSON.stringify({ ...printedParams(given, mix, merge, rerank, tfidf), features: features ?? (defaultModel ? featuresOf({}) : FEATURES_DEFAULT) }, null, 2) + '\n');
      return;
    }
    await checkModelTarget(args.model!, args.force); // refuse before training, not after
    if (args.redis !== undefined) {
      await trainDistributed(args);
      return;
    }
    const model = await trainFromArgs(args);
    const t0 = performance.now();
    await model.save(args.model!, { overwrite: args.force });
    stderrProgress(args)({ status: 'done', task: `save model to ${args.model}`, seconds: (performance.now() - t0) / 1000 });
  },
};
