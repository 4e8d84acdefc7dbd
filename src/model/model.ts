/**
 * The one interface every trained xmlc model implements (the kNN baseline, the embedding
 * pipeline, and any model to come): the CLI and library callers use models only through it.
 */
import { type Csr } from '../data/csr.js';
import type { LabelEncoder } from '../encoders/encoder.js';
import { UsageError, XmlcError } from '../errors.js';
import { type ProgressFn } from '../progress.js';
import { type Ranked } from '../ranking/topk.js';
import { type EmbedTrainParams, type ForestTrainParams, type IndexKind, type KnnTrainParams, type PredictParams, type Strategy } from './params.js';
import { type SaveOptions } from './store.js';
import { type ModelWriter } from './io.js';
import { type ManifestBody } from './manifest.js';
import { type TestFeatures } from './training_data.js';
import { type RerankParams } from './reranked_model.js';

/** Every model's `method`: `knn`, `forest` or a label encoder kind. */
export type ModelMethod = KnnTrainParams['method'] | ForestTrainParams['method'] | EmbedTrainParams['method'];

/** The validated training parameters of any model. */
export type TrainParams = KnnTrainParams | ForestTrainParams | EmbedTrainParams;

/**
 * Training options of {@link trainModel}: any subset of a method's parameters (the rest take
 * their defaults); `method` picks the model (default: the embedding pipeline's, `l1ae`).
 */
export type TrainOptions = ((Partial<KnnTrainParams> & {
  /** The kNN baseline. */
  readonly method: 'knn';
}) | (Partial<ForestTrainParams> & {
  /** The label-clustering forest. */
  readonly method: 'forest';
}) | Partial<EmbedTrainParams>) & {
  /**
   * A linear re-ranker of the model's shortlists: `true` for its defaults, its parameters (see RerankedModel), or `auto`:
   * trained with its defaults and kept only when the held-out choice gives the classifiers a weight (α < 1). Default:
   * `auto` for the default model (no method, mix or ensemble), else `false`.
   */
  readonly rerank?: boolean | 'auto' | Partial<RerankParams>;
  /** A mixed ensemble of several methods: "l1ae:3,tied-relu:2" or a list of { method, ensemble } (see MixedModel). */
  readonly mix?: string | readonly {
    /** A method (`knn` or a label encoder). */
    readonly method: string;
    /** Its models (default 1). */
    readonly ensemble?: number;
  }[];
  /**
   * How feature values are weighted before any model sees them: `raw`, `log`, `tfidf`, or `auto`
   * (chosen on held-out training points). Default: `auto` for the default model (no method, mix or
   * ensemble), else `raw` (see WeightedModel).
   */
  readonly features?: 'raw' | 'log' | 'tfidf' | 'auto';
  /** A mixed ensemble's merge rule: `mean`, `rank`, or `auto` (the default: chosen on held-out training points, see MixedModel). */
  readonly merge?: 'auto' | 'mean' | 'rank';
};

/** A plain summary of a model, for display (`xmlc info --model`, the notes of `xmlc predict`). */
export interface ModelSummary {
  /** `knn` or the label encoder of an embedding model. */
  readonly method: ModelMethod;
  /** Features the training data declared. */
  readonly nFeatures: number;
  /** Labels the training data declared (the width of every label score). */
  readonly nLabels: number;
  /** Training points. */
  readonly nTrain: number;
  /** Nearest-neighbour index kind (kNN and embedding models). */
  readonly index?: IndexKind;
  /** Voting neighbours (the trained value, or the prediction options' override; kNN and embedding models). */
  readonly k?: number;
  /** Models in the ensemble (1 for a single model). */
  readonly ensemble: number;
  /** Embedding dimension m actually used (embedding models only). */
  readonly embeddingDim?: number;
  /** The prediction strategy (the trained one or the options' override; models with strategies only). */
  readonly strategy?: Strategy;
  /** Clustered models: the clusters of each ensemble member. */
  readonly clusters?: readonly number[];
  /** Clustered models: the clusters a test point is routed to. */
  readonly route?: number;
  /** The decoder's weight, when the strategy is the average (global models; each cluster of a clustered model has its own). */
  readonly decoderWeight?: number;
  /** The compute backend the model was trained on, when it used one and recorded it. */
  readonly backend?: string;
  /** A re-ranked model: its shortlist, the model's weight α and the classifiers' loss and C. */
  readonly rerank?: {
    /** Labels of the model's ranking that are re-scored. */
    readonly shortlist: number;
    /** The model's weight α. */
    readonly alpha: number;
    /** The classifiers' loss. */
    readonly loss: string;
    /** The classifiers' C. */
    readonly c: number;
    /** What the classifiers were trained on: every training point (`all`) or each label's shortlist (`shortlist`). */
    readonly negatives: 'all' | 'shortlist';
  };
  /** A mixed ensemble: its parts, "method:count,…". */
  readonly mix?: string;
  /** A mixed ensemble: how its parts' rankings are merged (`mean` or `rank`). */
  readonly merge?: string;
  /** The feature weighting, when not `raw` (`log` or `tfidf`). */
  readonly features?: string;
  /** Every training parameter. */
  readonly params: Readonly<TrainParams>;
}

/** A trained model: predict, save, describe, dispose. Load one with `loadModel`, train one with `trainModel`. */
export interface Model {
  /** `knn` or the label encoder of an embedding model. */
  readonly method: ModelMethod;
  /** Features the training data declared (test data may have fewer, not more). */
  readonly nFeatures: number;
  /** Labels the training data declared: label ids in predictions are 0 … nLabels − 1. */
  readonly nLabels: number;
  /** Training points. */
  readonly nTrain: number;
  /** The validated training parameters. */
  readonly params: Readonly<TrainParams>;
  /** What training chose for the caller (e.g. exact search where hnswlib-node is missing); empty for loaded models. */
  readonly notes: readonly string[];
  /** Training label matrix (nTrain × nLabels): the kNN votes, and the label frequencies of propensity-scored metrics. */
  readonly trainLabels: Csr;
  /**
   * The prediction strategies `predict` accepts in `options.strategy` (and, with `average`, an
   * `options.decoderWeight`); empty for a model with a single way to score (kNN).
   */
  readonly strategies: readonly Strategy[];
  /** The label encoders of the ensemble's members (their measurement matrices, for compressed sensing); empty for kNN. */
  readonly encoders: readonly LabelEncoder[];
  /**
   * Rank labels for every row of `features`: at most `options.topK` (default 5) and at most
   * {@link nLabels} per row, best first. Fewer feature columns than the model's are fine; more
   * are a DataFormatError naming `features.source` when given.
   * @throws UsageError for options the model does not have (e.g. a strategy not in {@link strategies}).
   */
  predict(features: TestFeatures, options?: Partial<PredictParams>, onProgress?: ProgressFn): Promise<Ranked>;
  /**
   * Save as a model directory, crash-safely: a new path or an empty folder, or with
   * `options.overwrite` an existing xmlc model; anything else is refused with a ModelPathError.
   */
  save(dir: string, options?: SaveOptions): Promise<void>;
  /** Write the model's files through `w` and return its manifest body (what {@link save} puts in `manifest.json`). @internal */
  writeTo(w: ModelWriter): Promise<ManifestBody>;
  /** A plain summary; `options` are prediction options whose overrides it reflects (strategy, k). */
  describe(options?: Partial<PredictParams>): ModelSummary;
  /** Free the model's tensors and native indexes. Any later predict, save or describe is an XmlcError saying so; disposing twice is harmless. */
  dispose(): void;
}

/**
 * The strategy and the ensemble members an embedding model's prediction uses: the options'
 * over the trained strategy and all `members`.
 * @throws UsageError for more members than the ensemble has, or a strategy the model does not have.
 */
export function predictionPlan<T>(model: Pick<Model, 'method' | 'strategies'>, pp: PredictParams, trained: Strategy, members: readonly T[]): { strategy: Strategy; members: readonly T[] } {
  const strategy = pp.strategy ?? trained;
  if (pp.members !== undefined && pp.members > members.length) throw new UsageError(`the model is an ensemble of ${members.length}; cannot use ${pp.members} of its models`);
  if (!model.strategies.includes(strategy)) throw new UsageError(`strategy '${strategy}' needs a decoder, which a ${model.method} encoder does not have`);
  return { strategy, members: members.slice(0, pp.members ?? members.length) };
}

/**
 * An embedding model's summary (global or clustered): shape, index, k, ensemble size, embedding
 * dimension and strategy with `pp`'s overrides, then the model's own fields (`extra`), its backend
 * and its parameters.
 */
export function embeddingSummary(model: Pick<Model, 'method' | 'nFeatures' | 'nLabels' | 'nTrain'> & { readonly params: EmbedTrainParams; readonly backend: string | undefined },
  pp: PredictParams, members: number, embeddingDim: number, extra: (strategy: Strategy) => Partial<ModelSummary>): ModelSummary {
  const strategy = pp.strategy ?? model.params.strategy;
  return {
    method: model.method, nFeatures: model.nFeatures, nLabels: model.nLabels, nTrain: model.nTrain,
    index: model.params.index, k: pp.k ?? model.params.k, ensemble: pp.members ?? members, embeddingDim, strategy,
    ...extra(strategy),
    ...(model.backend !== undefined ? { backend: model.backend } : {}),
    params: model.params,
  };
}

/** The error of using a model after {@link Model.dispose}: "cannot predict: this knn model was disposed …". */
export function disposedError(method: string, what: string): XmlcError {
  return new XmlcError(`cannot ${what}: this ${method} model was disposed (its tensors and index were freed); load or train it again`);
}
