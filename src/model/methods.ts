/**
 * The registry of model methods (a frozen map, as tfjs-core's kernel_registry.ts): for every `method`, whether its model computes
 * with tensors and how its class is loaded. Light: the classes are imported on use, so the kNN
 * path never loads the tensor library.
 */
import { selectRows } from '../data/csr.js';
import { ENCODER_KINDS } from '../encoders/kinds.js';
import { type ProgressFn, task } from '../progress.js';
import { type Manifest } from './io.js';
import { type RerankChoice } from './reranked_model.js';
import { type Model, type ModelMethod, type TrainOptions } from './model.js';
import { EMBED_DEFAULTS, ParamsError } from './params.js';
import { type TrainingData } from './training_data.js';

/** What a model class provides to the registry. */
export interface ModelClass {
  train(data: TrainingData, params: TrainOptions, onProgress?: ProgressFn): Promise<Model>;
  load(dir: string, manifest: Manifest): Promise<Model>;
}

/** One registry entry. */
export interface MethodEntry {
  /** Whether the model trains or predicts with tensors (then a tensor backend must be chosen first); kNN only needs the compute threads. */
  readonly needsTensors: boolean;
  /** The model class, imported on first use. */
  readonly load: () => Promise<ModelClass>;
}

const knn: MethodEntry = Object.freeze({ needsTensors: false, load: async () => (await import('./knn_model.js')).KnnModel as ModelClass });
const forest: MethodEntry = Object.freeze({ needsTensors: false, load: async () => (await import('./forest_model.js')).ForestModel as ModelClass });
const embedding: MethodEntry = Object.freeze({ needsTensors: true, load: async () => (await import('./clustered_model.js')).EmbeddingPipeline });

/** Every model method (a Map: no inherited keys such as `constructor`). */
export const MODEL_METHODS: ReadonlyMap<ModelMethod, MethodEntry> = new Map<ModelMethod, MethodEntry>([
  ['knn', knn],
  ['forest', forest],
  ...ENCODER_KINDS.map((kind) => [kind, embedding] as const),
]);

/** The entry of `method`, or undefined for a method this xmlc does not know. */
export function methodEntry(method: string): MethodEntry | undefined {
  return MODEL_METHODS.get(method as ModelMethod);
}

/** The method `params` asks for: its `method`, else the default ({@link EMBED_DEFAULTS}.method). @throws ParamsError for an unknown one. */
export function methodOf(params: { readonly method?: unknown }): ModelMethod {
  const method = params.method ?? EMBED_DEFAULTS.method;
  if (typeof method !== 'string' || !methodEntry(method)) {
    throw new ParamsError(`parameter 'method' must be one of ${[...MODEL_METHODS.keys()].join(', ')} but got ${JSON.stringify(method)}`);
  }
  return method as ModelMethod;
}

/**
 * The default model (issue 18): a mixed ensemble of one ℓ1-AE model and the label-clustering
 * forest, their rankings merged by a rule chosen on held-out training points. Chosen because it is
 * ahead of either part alone on every real set measured (eval/results/report.md); a single method
 * is one `method` away.
 */
export const DEFAULT_MIX = 'l1ae:1,forest:1';

/** The mixed ensemble `params` ask for: their `mix`, or {@link DEFAULT_MIX} when they name no `method`, `mix` or `ensemble`. */
export function mixOf(params: TrainOptions): TrainOptions['mix'] {
  if (params.mix !== undefined) return params.mix;
  return params.method === undefined && (params as { ensemble?: unknown }).ensemble === undefined ? DEFAULT_MIX : undefined;
}

/**
 * The feature weighting `params` ask for: their `features`, or `auto` for the default model (no
 * `method`, `mix` or `ensemble`) and `raw` for any other (see src/model/weighted_model.ts).
 */
export function featuresOf(params: TrainOptions): 'raw' | 'log' | 'tfidf' | 'auto' {
  if (params.features !== undefined) return params.features;
  return params.mix === undefined && mixOf(params) !== undefined ? 'auto' : 'raw';
}

/**
 * The re-ranker `params` ask for: their `rerank`, or `auto` for the default model (no method, mix or
 * ensemble: the re-ranker is trained and kept when held-out points give it a weight), else `false`.
 */
export function rerankOf(params: TrainOptions): NonNullable<TrainOptions['rerank']> {
  if (params.rerank !== undefined) return params.rerank;
  return params.mix === undefined && mixOf(params) !== undefined ? 'auto' : false;
}

/**
 * Train a model of `params.method` on `data` — with no `method`, `mix` or `ensemble` the default
 * mixed ensemble {@link DEFAULT_MIX}; the parameters not given take their defaults (KNN_DEFAULTS,
 * FOREST_DEFAULTS, EMBED_DEFAULTS). Unknown or invalid parameters are a ParamsError
 * (a UsageError).
 * @example const model = await trainModel({ features: X, labels: Y }, { method: 'knn', k: 10 });
 */
export async function trainModel(data: TrainingData, params: TrainOptions = {}, onProgress?: ProgressFn): Promise<Model> {
  const { rerank: _rerank, mix: _mix, merge, features: _features, ...base } = params;
  const features = featuresOf(params), rerank = rerankOf(params);
  const seed = typeof base.seed === 'number' ? base.seed : EMBED_DEFAULTS.seed;
  if (features !== 'raw') {
    // Weighted features (issue 18): the weights outside everything else, the re-ranker included;
    // the weighting is chosen on held-out points without the re-ranker (as the model it re-ranks).
    const { WeightedModel, chooseWeighting, featureWeighting } = await import('./weighted_model.js');
    const unweighted = (d: TrainingData): Promise<Model> => trainModel(d, { ...params, features: 'raw' }, onProgress);
    if (features !== 'auto') return WeightedModel.train(data, featureWeighting(features), unweighted);
    const plain = (d: TrainingData): Promise<Model> => trainModel(d, { ...params, features: 'raw', rerank: false }, onProgress);
    const choice = await task(onProgress, 'features: auto — choose the weighting on held-out points', undefined, () =>
      chooseWeighting(data, seed, (d, w) => WeightedModel.train(d, w, plain)));
    return WeightedModel.train(data, choice.weighting, unweighted, choice);
  }
  const mix = mixOf(params);
  // A mixed ensemble (several methods) or one method's model.
  let trainBase: (d: TrainingData) => Promise<Model>;
  if (mix !== undefined) {
    const { MixedModel, mergeParam, parseMix } = await import('./mixed_model.js');
    const parts = parseMix(mix), rule = mergeParam(merge ?? 'auto');
    if (rerank === 'auto' && rule === 'auto') {
      // The default model's re-ranker: α and C chosen on the merge rule's held-out split, from the
      // parts already trained there; the classifiers kept only when they get a weight (α < 1).
      const { RerankedModel, chooseRerank, heldOutShortlists, rerankNote, rerankParams } = await import('./reranked_model.js');
      const p = rerankParams({});
      let choice: RerankChoice | undefined;
      const model = await MixedModel.train(data, base, parts, rule, onProgress, async (fitted, fitRows, valid) => {
        const { ranked, fitRanked } = await heldOutShortlists(fitted, data.features, data.labels.nCols, fitRows, valid, p);
        choice = await chooseRerank(data, fitRows, valid, ranked, p, seed, onProgress, fitRanked);
      });
      if (choice === undefined) return model;
      if (choice.alpha === 1) return model.withHeldOutNotes([rerankNote(choice)]);
      return RerankedModel.around(model, data, p, choice.alpha, choice.c, choice, seed, onProgress);
    }
    trainBase = (d) => MixedModel.train(d, base, parts, rule, onProgress);
  } else {
    if (merge !== undefined) throw new ParamsError(`parameter 'merge' applies to mixed ensembles (parameter 'mix') only`);
    const cls = await methodEntry(methodOf(base))!.load();
    trainBase = (d) => cls.train(d, base, onProgress);
  }
  if (rerank === false) return trainBase(data);
  // A linear re-ranker of the model's shortlists (issue 18).
  const { RerankedModel, rerankParams } = await import('./reranked_model.js');
  if (rerank !== 'auto') return RerankedModel.train(data, rerank === true ? {} : rerank, trainBase, seed, onProgress);
  // `auto` around a model without a merge-rule split: the re-ranker's own split, kept only when α < 1.
  const p = rerankParams({});
  const choice = await RerankedModel.chooseOnSplit(data, p, trainBase, seed, onProgress);
  if (choice === undefined || choice.alpha === 1) return trainBase(data);
  return RerankedModel.around(await trainBase(data), data, p, choice.alpha, choice.c, choice, seed, onProgress);
}
