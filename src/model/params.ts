import { ENCODER_KINDS, type EncoderKind } from '../encoders/kinds.js';
import { ENCODER_PARAMS, encoderParamDefaults, type EncoderParamSpec, type EncoderParamValues, type NumericSpec, type Optimizer, OPTIMIZERS, TRAIN_LOOP_DEFAULTS } from '../encoders/param_schema.js';
import { ParamsError } from '../errors.js';
import { type ForestParams } from '../forest/label_forest.js';
import { HNSW_DEFAULTS, INDEX_KINDS, type IndexKind } from '../knn/hnsw.js';
import { SOLVERS, type Solver } from '../regression/ridge.js';
import { DECODER_PRECISIONS, type DecoderPrecision, STRATEGIES, type Strategy } from '../predict/strategies.js';

export { INDEX_KINDS, type IndexKind, OPTIMIZERS, type Optimizer, SOLVERS, type Solver, STRATEGIES, type Strategy };

/** Which training embeddings the kNN index holds: `regressed` (V·x) or `label` (A·y). */
export const KNN_SPACES = Object.freeze(['regressed', 'label'] as const);
/** The points of an embedding model's kNN index: regressed training embeddings V·x (`regressed`) or label embeddings A·y (`label`). @useDeclaredType */
export type KnnSpace = (typeof KNN_SPACES)[number];

/** A hyper-parameter has the wrong type or is out of range. The CLI reports it as a usage error (exit 2). */
export { ParamsError };

/** Training parameters of the kNN baseline (`--method knn`). */
export interface KnnTrainParams {
  /** The kNN baseline. */
  readonly method: 'knn';
  /** Neighbours that vote. */
  readonly k: number;
  /** `hnsw`: approximate search with hnswlib; `exact`: brute force through an inverted index. */
  readonly index: IndexKind;
  /** HNSW graph degree (hnswlib's M). */
  readonly hnswM: number;
  /** HNSW build-time candidate list. */
  readonly efConstruction: number;
  /** HNSW search-time candidate list. */
  readonly efSearch: number;
  /** Seed of every random choice (HNSW levels). */
  readonly seed: number;
}

/** Training parameters of the label-clustering forest (`--method forest`): its settings (src/forest/label_forest.ts) and the method. */
export interface ForestTrainParams extends ForestParams {
  /** The forest of label-clustering trees (after CRAFTML). */
  readonly method: 'forest';
}

/**
 * Training parameters of the embedding pipeline (`--method` one of {@link ENCODER_KINDS}): the
 * fields below, and every encoder's own parameters (`depth`, `l1saeBeta`, `deepL0Lambda`, …) as
 * declared in {@link ENCODER_PARAMS}; only the chosen method's are used.
 */
export type EmbedTrainParams = EncoderParamValues & {
  /** The label encoder of stage 1 (default `'l1ae'`). */
  readonly method: EncoderKind;
  /** Embedding dimension m (clipped to the number of labels). */
  readonly embeddingDim: number;
  /** Models in the ensemble (seeds seed, seed+1, …); their normalised scores are averaged. */
  readonly ensemble: number;
  /**
   * Clusters of training points, each with its own local embedding model (SLEEC-style; see
   * src/model/clustered_model.ts): a number (1: one global model) or `auto` (chosen from the
   * number of points, and on a validation split).
   */
  readonly clusters: number | 'auto';
  /** Clustered models: the clusters (nearest centres) a test point is routed to; their scores are merged. */
  readonly route: number;
  /** Epochs of autoencoder training (the trainable encoders; see {@link TRAIN_LOOP_DEFAULTS}). */
  readonly epochs: number;
  /** Label rows per mini-batch of autoencoder training. */
  readonly batchSize: number;
  /** Step size of the optimizer. */
  readonly learningRate: number;
  /** `'adam'` or `'sgd'`. */
  readonly optimizer: Optimizer;
  /** Fraction of training label vectors held out for early stopping (0: none). */
  readonly validationFraction: number;
  /** Epochs without a better validation loss before stopping. */
  readonly patience: number;
  /**
   * Ridge penalty λ of the feature → embedding regression: a number, or `auto` — each member
   * walks the grid 0.01, 0.03, 0.1, …, 300, 1000 from 1 on a held-out tenth of the training points (the
   * mean of P@1, P@3 and P@5 of the model's strategy) and keeps 1 unless another λ is better
   * there by more than half a point (eval/results/accuracy_lambda_auto.md: the default model with
   * `auto` against λ = 1, eval/results/accuracy.md).
   */
  readonly lambda: number | 'auto';
  /** `cholesky` (primal, few features), `cg` (iterative, many features) or `auto`. */
  readonly solver: Solver;
  /** kNN over which training embeddings: `regressed` (V·x) or `label` (A·y). */
  readonly knnSpace: KnnSpace;
  /** Neighbours that vote. */
  readonly k: number;
  /** `hnsw`: approximate search with hnswlib; `exact`: brute force. */
  readonly index: IndexKind;
  /** HNSW graph degree (hnswlib's M). */
  readonly hnswM: number;
  /** HNSW build-time candidate list. */
  readonly efConstruction: number;
  /** HNSW search-time candidate list. */
  readonly efSearch: number;
  /** Default prediction strategy. */
  readonly strategy: Strategy;
  /**
   * Weight w of the decoder in the average strategy: scores = (1 − w)·kNN + w·decoder, each
   * max-normalised. 0.5 is the paper's plain average; `auto` chooses w ∈ {0, 0.1, …, 1} by the
   * mean of P@1, P@3 and P@5 on a held-out tenth of the training points (0.5 unless another w is
   * better there by more than half a point).
   */
  readonly decoderWeight: number | 'auto';
  /** Seed of every random choice (initialisation, shuffles, splits, HNSW levels); member i of an ensemble uses seed + i. */
  readonly seed: number;
};

/** Parameters that may change per prediction call. */
export interface PredictParams {
  /** Ranked labels returned per point. */
  readonly topK: number;
  /** Override of the trained number of voting neighbours. */
  readonly k?: number;
  /** Override of the trained HNSW search list size. */
  readonly efSearch?: number;
  /** Override of an embedding model's strategy. */
  readonly strategy?: Strategy;
  /** Embedding models: use only the first N models of the ensemble. */
  readonly members?: number;
  /** Embedding models: override the trained decoder weight of the average strategy. */
  readonly decoderWeight?: number;
  /** Clustered models: override the trained number of clusters a point is routed to. */
  readonly route?: number;
  /**
   * Embedding models: the decoder's matrix products in `bfloat16` (the default: twice the
   * multiply-adds per instruction where the CPU has AVX512-BF16, float32 elsewhere; sums stay
   * float32) or `float32` (the same scores on every CPU, up to BLAS rounding).
   */
  readonly decoderPrecision?: 'bfloat16' | 'float32';
}

/**
 * Defaults of the kNN baseline, defined once: the CLI reads its defaults from here.
 * k = 15 neighbours: chosen by validation P@1 on seeded 80/20 splits of the Bibtex and Delicious
 * training sets among k ∈ {1, 3, 5, 10, 15, 20, 30, 50}, never on a test set (`node dist/eval/knn_baseline.js`;
 * the values by k are in eval/results/knn_baseline.md); the HNSW settings are {@link HNSW_DEFAULTS}.
 */
export const KNN_DEFAULTS: Readonly<KnnTrainParams> = Object.freeze({
  method: 'knn',
  k: 15,
  index: 'hnsw',
  hnswM: HNSW_DEFAULTS.m,
  efConstruction: HNSW_DEFAULTS.efConstruction,
  efSearch: HNSW_DEFAULTS.efSearch,
  seed: 0,
});

/**
 * Defaults of the label-clustering forest: CRAFTML's (Siblini et al., ICML 2018, Section 5: 50
 * trees, k = 10 children, leaves of at most 10 points, k-means on samples of at most 20,000
 * points); 10 k-means passes; centroids of at most 1,000 features; depth at most 64. Centroids keep
 * the features at least 2 members share: half the model (Bibtex 157 → 89 MB, Delicious 112 → 74 MB)
 * at no cost on held-out 10% splits of the training sets (mean P@1,3,5 with 1 → 2: Bibtex 43.03 →
 * 43.08, Delicious 61.56 → 62.09; Enron 63.87 → 62.32 on its 112 held-out points).
 */
export const FOREST_DEFAULTS: Readonly<ForestTrainParams> = Object.freeze({
  method: 'forest',
  trees: 50,
  branching: 10,
  leafSize: 10,
  kmeansIterations: 10,
  kmeansSample: 20000,
  centroidNnz: 1000,
  centroidMinCount: 2,
  maxDepth: 64,
  seed: 0,
});

/**
 * Defaults of the embedding pipeline, defined once: the CLI reads its defaults from here.
 * T = 10 and m = 100 as in the ℓ1-AE paper's XMC experiments (Wu et al., ICML 2019, Section 5;
 * m = 100 on EURLex-4K). The rest were chosen on seeded 80/20 validation splits of the Bibtex and
 * Delicious training sets, never on a test set: no batch normalisation in the ℓ1-AE blocks (its
 * per-coordinate unit variance is something the sparse outputs must learn to undo: both the
 * reconstruction loss and P@1 are worse with it); kNN over the regressed embeddings V·x rather
 * than over A·y; k = 20 voting neighbours; ridge λ = 1. The training loop's defaults are
 * {@link TRAIN_LOOP_DEFAULTS}. The resulting test scores of every method are in
 * eval/results/report.md (`node dist/eval/report.js`).
 */
export const EMBED_DEFAULTS: Readonly<EmbedTrainParams> = Object.freeze({
  method: 'l1ae',
  embeddingDim: 100,
  ...encoderParamDefaults('l1ae'),
  ensemble: 1,
  clusters: 'auto',
  route: 2,
  ...TRAIN_LOOP_DEFAULTS,
  lambda: 1,
  solver: 'auto',
  knnSpace: 'regressed',
  k: 20,
  index: 'hnsw',
  hnswM: HNSW_DEFAULTS.m,
  efConstruction: HNSW_DEFAULTS.efConstruction,
  efSearch: HNSW_DEFAULTS.efSearch,
  strategy: 'average',
  decoderWeight: 'auto',
  seed: 0,
  // The other encoders' parameters after the pipeline's (the ℓ1-AE's come first, in the key order saved manifests have).
  ...(Object.fromEntries(Object.entries(encoderParamDefaults()).filter(([k]) => !ENCODER_PARAMS.l1ae.some((s) => s.key === k))) as EncoderParamValues),
});

/**
 * The prediction options a model without strategies has none of: kNN (no strategy, decoder or
 * ensemble members) and the forest (no index either, and no clusters). Such a model refuses them;
 * a mixed ensemble passes them only to the parts that have them.
 */
export const UNUSED_PREDICT_OPTIONS: Readonly<Record<'knn' | 'forest', readonly (keyof PredictParams)[]>> = Object.freeze({
  knn: Object.freeze(['strategy', 'decoderWeight', 'members', 'decoderPrecision'] as const),
  forest: Object.freeze(['k', 'efSearch', 'strategy', 'decoderWeight', 'members', 'route', 'decoderPrecision'] as const),
});

/** Defaults of the prediction parameters: 5 labels per point; the other fields default to the trained values. */
export const PREDICT_DEFAULTS: Readonly<PredictParams> = Object.freeze({ topK: 5 });

export type { NumericSpec };

/** What a value of `spec` is, in words: "a positive integer", "an integer in [2, 1024]", "in [0, 1]", "a number > 0". */
export function describeNumeric(spec: NumericSpec): string {
  const kind = spec.int ? 'integer' : 'number';
  const { min, max } = spec;
  if (spec.int && min !== undefined && max === undefined && !spec.minOpen && (min === 0 || min === 1)) return min === 1 ? 'a positive integer' : 'a non-negative integer';
  if (min !== undefined && max !== undefined) return `${spec.int ? 'an integer ' : ''}in ${spec.minOpen ? '(' : '['}${min}, ${max}${spec.maxOpen ? ')' : ']'}`;
  if (min !== undefined) return `${spec.int ? 'an' : 'a'} ${kind} ${spec.minOpen ? '>' : '>='} ${min}`;
  if (max !== undefined) return `${spec.int ? 'an' : 'a'} ${kind} ${spec.maxOpen ? '<' : '<='} ${max}`;
  return `${spec.int ? 'an' : 'a'} ${kind}`;
}

/** A value as the user wrote it: numbers plainly (NaN as NaN, not JSON's null), anything else as JSON. */
export function showValue(v: unknown): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v);
}

/** `v` if it is a finite number within `spec`, else undefined. */
export function inRange(v: unknown, spec: NumericSpec): number | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v) || (spec.int && !Number.isSafeInteger(v))) return undefined;
  const { min, max } = spec;
  if (min !== undefined && (spec.minOpen ? v <= min : v < min)) return undefined;
  if (max !== undefined && (spec.maxOpen ? v >= max : v > max)) return undefined;
  return v;
}

/** @returns `v` if it fits `spec`. @throws ParamsError "parameter 'k' must be a positive integer but got "abc"". */
export function checkNumeric(name: string, v: unknown, spec: NumericSpec): number {
  const ok = inRange(v, spec);
  if (ok === undefined) throw new ParamsError(`parameter '${name}' must be ${describeNumeric(spec)} but got ${showValue(v)}`);
  return ok;
}

const int = (min: number, max?: number): NumericSpec => Object.freeze({ int: true, min, ...(max !== undefined ? { max } : {}) });

/** The range of every numeric training and prediction parameter, defined once (the CLI's flags check against these). */
export const PARAM_SPECS = Object.freeze({
  k: int(1, 100000),
  hnswM: int(2, 1024),
  efConstruction: int(1, 1 << 20),
  efSearch: int(1, 1 << 20),
  seed: int(0, 0xffffffff),
  embeddingDim: int(1, 1 << 16),
  depth: int(0, 1000),
  ensemble: int(1, 1000),
  clusters: int(1, 1 << 20),
  route: int(1, 1000),
  epochs: int(1, 1e6),
  batchSize: int(1, 1 << 20),
  learningRate: Object.freeze({ int: false, min: 0, max: 10, minOpen: true }),
  validationFraction: Object.freeze({ int: false, min: 0, max: 0.9 }),
  patience: int(1, 1e6),
  lambda: Object.freeze({ int: false, min: 0, max: 1e12, minOpen: true }),
  decoderWeight: Object.freeze({ int: false, min: 0, max: 1 }),
  topK: int(1, 1 << 20),
  members: int(1, 1000),
  trees: int(1, 100000),
  branching: int(2, 255),
  leafSize: int(1, 1 << 30),
  kmeansIterations: int(1, 10000),
  kmeansSample: int(2, 1 << 30),
  centroidNnz: int(1, 1 << 30),
  centroidMinCount: int(1, 255),
  maxDepth: int(0, 10000),
} satisfies Record<string, NumericSpec>);

function num(name: keyof typeof PARAM_SPECS, p: Record<string, unknown>): number {
  return checkNumeric(name, p[name], PARAM_SPECS[name]);
}

function checkEnum<T extends string>(name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new ParamsError(`parameter '${name}' must be one of ${allowed.join(', ')} but got ${showValue(v)}`);
  }
  return v as T;
}

/** Unknown keys are errors; own properties only, so `toString`, `constructor` or `__proto__` are unknown too. */
function rejectUnknown(given: Record<string, unknown>, known: object, what: string): void {
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(known, key)) throw new ParamsError(`unknown ${what} parameter '${key}' (known: ${Object.keys(known).join(', ')})`);
  }
}

/** `given` over `defaults` as a null-prototype record: a given `__proto__` key stays a plain (rejected) key. */
function merged(defaults: object, given: Record<string, unknown>): Record<string, unknown> {
  return Object.assign(Object.create(null) as Record<string, unknown>, defaults, given);
}

/**
 * Parameters as a caller gives them: a typed subset, or (from JavaScript, a `--params` JSON file)
 * any record, validated at run time.
 */
export type GivenParams<T> = Partial<T> | Readonly<Record<string, unknown>>;

/** Merge `given` over the defaults and validate every field. Unknown keys are errors. */
export function knnTrainParams(params: GivenParams<KnnTrainParams> = {}): KnnTrainParams {
  const given = params as Record<string, unknown>;
  rejectUnknown(given, KNN_DEFAULTS, 'knn training');
  const p = merged(KNN_DEFAULTS, given);
  return Object.freeze({
    method: checkEnum('method', p['method'], ['knn'] as const),
    k: num('k', p),
    index: checkEnum('index', p['index'], INDEX_KINDS),
    hnswM: num('hnswM', p),
    efConstruction: num('efConstruction', p),
    efSearch: num('efSearch', p),
    seed: num('seed', p),
  });
}

/** Merge `given` over {@link FOREST_DEFAULTS} and validate every field. Unknown keys are errors. */
export function forestTrainParams(params: GivenParams<ForestTrainParams> = {}): ForestTrainParams {
  const given = params as Record<string, unknown>;
  rejectUnknown(given, FOREST_DEFAULTS, 'forest training');
  const p = merged(FOREST_DEFAULTS, given);
  return Object.freeze({
    method: checkEnum('method', p['method'], ['forest'] as const),
    trees: num('trees', p),
    branching: num('branching', p),
    leafSize: num('leafSize', p),
    kmeansIterations: num('kmeansIterations', p),
    kmeansSample: num('kmeansSample', p),
    centroidNnz: num('centroidNnz', p),
    centroidMinCount: num('centroidMinCount', p),
    maxDepth: num('maxDepth', p),
    seed: num('seed', p),
  });
}

function checkBool(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new ParamsError(`parameter '${name}' must be true or false but got ${showValue(v)}`);
  return v;
}

/** Check one encoder parameter's value against its schema entry. */
export function checkEncoderParam(spec: EncoderParamSpec, v: unknown): number | boolean | string {
  switch (spec.type) {
    case 'boolean': return checkBool(spec.key, v);
    case 'enum': return checkEnum(spec.key, v, spec.choices);
    case 'number': return spec.auto !== undefined && v === 'auto' ? 'auto' : checkNumeric(spec.key, v, spec.range);
  }
}

/** Every encoder's parameters in `p`, each checked against its schema entry (in schema order). */
function encoderParams(p: Record<string, unknown>): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = {};
  for (const specs of Object.values(ENCODER_PARAMS)) for (const s of specs) out[s.key] = checkEncoderParam(s, p[s.key]);
  return out;
}

/** Merge `given` over {@link EMBED_DEFAULTS} and validate every field. Unknown keys are errors. */
export function embedTrainParams(params: GivenParams<EmbedTrainParams> = {}): EmbedTrainParams {
  const given = params as Record<string, unknown>;
  rejectUnknown(given, EMBED_DEFAULTS, 'embedding-model training');
  const p = merged(EMBED_DEFAULTS, given);
  return Object.freeze({
    method: checkEnum('method', p['method'], ENCODER_KINDS),
    embeddingDim: num('embeddingDim', p),
    ...(encoderParams(p) as EncoderParamValues),
    ensemble: num('ensemble', p),
    clusters: p['clusters'] === 'auto' ? 'auto' : num('clusters', p),
    route: num('route', p),
    epochs: num('epochs', p),
    batchSize: num('batchSize', p),
    learningRate: num('learningRate', p),
    optimizer: checkEnum('optimizer', p['optimizer'], OPTIMIZERS),
    validationFraction: num('validationFraction', p),
    patience: num('patience', p),
    lambda: p['lambda'] === 'auto' ? 'auto' : num('lambda', p),
    solver: checkEnum('solver', p['solver'], SOLVERS),
    knnSpace: checkEnum('knnSpace', p['knnSpace'], KNN_SPACES),
    k: num('k', p),
    index: checkEnum('index', p['index'], INDEX_KINDS),
    hnswM: num('hnswM', p),
    efConstruction: num('efConstruction', p),
    efSearch: num('efSearch', p),
    strategy: checkEnum('strategy', p['strategy'], STRATEGIES),
    decoderWeight: p['decoderWeight'] === 'auto' ? 'auto' : num('decoderWeight', p),
    seed: num('seed', p),
  });
}

/** Training parameters of any method: kNN, the forest or the embedding pipeline, by `method` (default: the embedding pipeline's). */
export function trainParams(params: GivenParams<KnnTrainParams> | GivenParams<ForestTrainParams> | GivenParams<EmbedTrainParams> = {}): KnnTrainParams | ForestTrainParams | EmbedTrainParams {
  const given = params as Record<string, unknown>;
  return given['method'] === 'knn' ? knnTrainParams(given) : given['method'] === 'forest' ? forestTrainParams(given) : embedTrainParams(given);
}

/** Merge `given` over the predict defaults and validate. */
export function predictParams(params: GivenParams<PredictParams> = {}): PredictParams {
  const given = params as Record<string, unknown>;
  rejectUnknown(given, { topK: 0, k: 0, efSearch: 0, strategy: 0, members: 0, decoderWeight: 0, route: 0, decoderPrecision: 0 }, 'prediction');
  const p = merged(PREDICT_DEFAULTS, given);
  const out: { topK: number; k?: number; efSearch?: number; strategy?: Strategy; members?: number; decoderWeight?: number; route?: number; decoderPrecision?: DecoderPrecision } = { topK: num('topK', p) };
  if (p['decoderPrecision'] !== undefined) out.decoderPrecision = checkEnum('decoderPrecision', p['decoderPrecision'], DECODER_PRECISIONS);
  if (p['route'] !== undefined) out.route = num('route', p);
  if (p['decoderWeight'] !== undefined) out.decoderWeight = num('decoderWeight', p);
  if (p['members'] !== undefined) out.members = num('members', p);
  if (p['strategy'] !== undefined) out.strategy = checkEnum('strategy', p['strategy'], STRATEGIES);
  if (p['k'] !== undefined) out.k = num('k', p);
  if (p['efSearch'] !== undefined) out.efSearch = num('efSearch', p);
  return Object.freeze(out);
}
