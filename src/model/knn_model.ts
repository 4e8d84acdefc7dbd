import * as path from 'node:path';
import { type Csr, normalizeRowsL2 } from '../data/csr.js';
import { ExactIndex } from '../knn/exact.js';
import { HnswIndex, resolveIndexKind } from '../knn/hnsw.js';
import { knnVote } from '../predict/knn_vote.js';
import { type Ranked } from '../ranking/topk.js';
import type { LabelEncoder } from '../encoders/encoder.js';
import { UsageError } from '../errors.js';
import { type ProgressFn, task } from '../progress.js';
import { encodeCsr, type Manifest, MANIFEST_FILE, modelFilePath, type ModelWriter, readCsrFile, readModelFile } from './io.js';
import { FeatureSpace, loadFeatureSpace, saveFeatureSpace } from './feature_space.js';
import { JsonChecker, type ManifestBody } from './manifest.js';
import { checkLabelSpace, checkTrainingData, type TestFeatures, testRows, type TrainingData } from './training_data.js';
import { disposedError, type Model, type ModelSummary } from './model.js';
import { knnTrainParams, type KnnTrainParams, type PredictParams, predictParams, type Strategy, UNUSED_PREDICT_OPTIONS } from './params.js';
import { type ModelPathError, type SaveOptions, writeModelDir } from './store.js';

export type { TrainingData } from './training_data.js';

/** Scratch of the label vote per label (src/predict/knn_vote.ts: two float64 and an int32 array, a byte mask). */
const KNN_VOTE_BYTES_PER_LABEL = 21;

/**
 * The kNN baseline: ℓ2-normalised training features in a cosine index (HNSW or exact);
 * a test point's label scores are the similarity-weighted vote of its k nearest training
 * points' labels (the "kNN" row of the Extreme Classification Repository tables).
 */
export class KnnModel implements Model {
  /** Always `'knn'`. */
  readonly method = 'knn' as const;
  /** What training chose for the caller (e.g. exact search where hnswlib-node is missing); empty for loaded models. */
  notes: readonly string[] = [];
  /** A kNN model scores one way: it has no strategies to choose from. */
  readonly strategies: readonly Strategy[] = Object.freeze([]);
  /** A kNN model embeds no labels: it has no label encoders. */
  readonly encoders: readonly LabelEncoder[] = Object.freeze([]);

  private constructor(
    readonly params: KnnTrainParams,
    /** Training label matrix (n × L): the votes. */
    readonly trainLabels: Csr,
    /** The feature columns of the training data (the columns that occur, in order). @internal */
    readonly space: FeatureSpace,
    /** The index over the training points; undefined once disposed. */
    private index: HnswIndex | ExactIndex | undefined,
  ) {}

  /** The index, or the error of a disposed model. */
  private live(what: string): HnswIndex | ExactIndex {
    if (!this.index) throw disposedError(this.method, what);
    return this.index;
  }

  /** Labels the training data declared: label ids in predictions are 0 … nLabels − 1. */
  get nLabels(): number { return this.trainLabels.nCols; }
  /** Training points. */
  get nTrain(): number { return this.trainLabels.nRows; }
  /** Features the training data declared (test data may have fewer, not more). */
  get nFeatures(): number { return this.space.nFeatures; }

  /**
   * Fit on `data` with `params` merged over {@link KNN_DEFAULTS} (validated at run time too, for
   * JavaScript callers and JSON parameters: unknown or invalid ones are a ParamsError).
   */
  static async train(data: TrainingData, params: Partial<KnnTrainParams> = {}, onProgress?: ProgressFn): Promise<KnnModel> {
    const notes: string[] = [];
    const given = knnTrainParams(params);
    checkTrainingData(data, 'knn');
    checkLabelSpace(data, 'knn', KNN_VOTE_BYTES_PER_LABEL);
    const space = FeatureSpace.fromTraining(data.features);
    const shape = { points: data.features.nRows, dim: space.dim };
    const p = { ...given, index: resolveIndexKind(given.index, params.index !== undefined, notes, shape) };
    const x = space.project(normalizeRowsL2(data.features));
    const index = p.index === 'exact'
      ? new ExactIndex(x)
      : await task(onProgress, 'build HNSW index', x.nRows, (tick) => HnswIndex.build(x, { m: p.hnswM, efConstruction: p.efConstruction, efSearch: p.efSearch, seed: p.seed }, tick));
    const model = new KnnModel(Object.freeze(p), data.labels, space, index);
    model.notes = notes;
    return model;
  }

  /**
   * Rank labels for every row of `features` by the vote of the `options.k` (default: the trained
   * k) nearest training points (fewer columns than the model's are fine; more are a
   * DataFormatError naming `features.source` when given). At most {@link nLabels} labels per row.
   * @throws UsageError for the embedding models' options (`strategy`, `decoderWeight`, `members`).
   */
  async predict(features: TestFeatures, options: Partial<PredictParams> = {}, onProgress?: ProgressFn): Promise<Ranked> {
    const index = this.live('predict');
    const pp: PredictParams = predictParams(options);
    for (const key of UNUSED_PREDICT_OPTIONS.knn) {
      if (pp[key] !== undefined) throw new UsageError(`prediction option '${key}' applies to models with strategies (embedding models); a ${this.method} model has none`);
    }
    const x = testRows(features, this.space);
    const k = Math.min(pp.k ?? this.params.k, Math.max(1, this.nTrain));
    const nb = await task(onProgress, 'search neighbours', x.nRows, (tick) =>
      index.search(x, k, { onRow: tick, ...(pp.efSearch !== undefined ? { efSearch: pp.efSearch } : {}) }));
    return knnVote(nb, this.trainLabels, k, Math.min(pp.topK, Math.max(1, this.nLabels)));
  }

  /**
   * Save as a model directory, crash-safely (the files are written to a fresh folder and put in place
   * by one atomic rename): a new path or an empty
   * folder, or with `overwrite` an existing xmlc model; anything else is refused with a
   * {@link ModelPathError}.
   */
  async save(dir: string, options: SaveOptions = {}): Promise<void> {
    this.live('save');
    await writeModelDir(dir, options, (w) => this.writeTo(w));
  }

  /** Write the model's files through `w` and return its manifest body (what {@link save} puts in `manifest.json`). @internal */
  async writeTo(w: ModelWriter): Promise<ManifestBody> {
    const index = this.live('save');
    await w.writeBytes('train_labels.csr', encodeCsr(this.trainLabels));
    await saveFeatureSpace(w, this.space);
    if (index instanceof HnswIndex) {
      index.save(w.path('index.hnsw'));
      await w.addExisting('index.hnsw');
    } else {
      await w.writeBytes('train_features.csr', encodeCsr(index.points));
    }
    return {
      method: this.method,
      data: { nPoints: this.nTrain, nFeatures: this.nFeatures, nLabels: this.nLabels },
      params: { ...this.params },
    };
  }

  /**
   * Load a directory written by {@link save}: every file's size, checksum and dimensions are
   * checked against the (validated) manifest before any native call.
   * Use {@link loadModel}, which reads and validates the manifest first.
   * @internal
   */
  static async load(dir: string, manifest: Manifest): Promise<KnnModel> {
    const check = new JsonChecker(path.join(dir, MANIFEST_FILE));
    const p = check.params(knnTrainParams, manifest.params);
    const { nPoints, nLabels } = manifest.data;
    const labels = await readCsrFile(dir, manifest, 'train_labels.csr', nPoints, nLabels);
    const space = await loadFeatureSpace(dir, manifest);
    let index: HnswIndex | ExactIndex;
    if (p.index === 'hnsw') {
      const bytes = await readModelFile(dir, manifest, 'index.hnsw');
      index = HnswIndex.load(modelFilePath(dir, manifest, 'index.hnsw'), bytes, space.dim, nPoints, { m: p.hnswM, efConstruction: p.efConstruction, efSearch: p.efSearch, seed: p.seed });
    } else {
      index = new ExactIndex(await readCsrFile(dir, manifest, 'train_features.csr', nPoints, space.dim));
    }
    return new KnnModel(p, labels, space, index);
  }

  describe(options: Partial<PredictParams> = {}): ModelSummary {
    this.live('describe');
    const pp = predictParams(options);
    return { method: this.method, nFeatures: this.nFeatures, nLabels: this.nLabels, nTrain: this.nTrain, index: this.params.index, k: pp.k ?? this.params.k, ensemble: 1, params: this.params };
  }

  /** Drop the index (hnswlib's native graph is freed with it). */
  dispose(): void {
    this.index = undefined;
  }
}
