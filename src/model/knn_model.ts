import * as path from 'node:path';
import { type Csr, normalizeRowsL2, withCols } from '../data/csr.js';
import { UsageError } from '../errors.js';
import { ExactIndex } from '../knn/exact.js';
import { HnswIndex } from '../knn/hnsw.js';
import { knnVote } from '../predict/knn_vote.js';
import { type Ranked } from '../predict/topk.js';
import { type ProgressFn, task } from '../progress.js';
import { encodeCsr, type Manifest, MANIFEST_FILE, modelFilePath, readCsrFile, readModelFile } from './io.js';
import { JsonChecker } from './manifest.js';
import { knnTrainParams, type KnnTrainParams, type PredictParams, predictParams } from './params.js';
import { type ModelPathError, type SaveOptions, writeModelDir } from './store.js';

/** Training data of a model: features n×p, labels n×L. */
export interface TrainingData { readonly features: Csr; readonly labels: Csr }

/**
 * The kNN baseline: ℓ2-normalised training features in a cosine index (HNSW or exact);
 * a test point's label scores are the similarity-weighted vote of its k nearest training
 * points' labels (the "kNN" row of the Extreme Classification Repository tables).
 */
export class KnnModel {
  readonly method = 'knn' as const;

  private constructor(
    readonly params: KnnTrainParams,
    /** Training label matrix (n × L): the votes. */
    readonly trainLabels: Csr,
    readonly nFeatures: number,
    private readonly index: HnswIndex | ExactIndex,
  ) {}

  get nLabels(): number { return this.trainLabels.nCols; }
  get nTrain(): number { return this.trainLabels.nRows; }

  /** Fit on `data` with `params` merged over {@link KNN_DEFAULTS}. */
  static async train(data: TrainingData, params: Record<string, unknown> = {}, onProgress?: ProgressFn): Promise<KnnModel> {
    const p = knnTrainParams(params);
    if (data.features.nRows !== data.labels.nRows) {
      throw new RangeError(`KnnModel.train(): features have ${data.features.nRows} rows but labels have ${data.labels.nRows}`);
    }
    const x = normalizeRowsL2(data.features);
    const index = p.index === 'exact'
      ? new ExactIndex(x)
      : await task(onProgress, 'build HNSW index', x.nRows, (tick) => HnswIndex.build(x, { m: p.hnswM, efConstruction: p.efConstruction, efSearch: p.efSearch, seed: p.seed }, tick));
    return new KnnModel(p, data.labels, data.features.nCols, index);
  }

  /**
   * Rank labels for every row of `features` (columns beyond the model's are an error;
   * fewer columns are fine).
   */
  async predict(features: Csr, params: Record<string, unknown> = {}, onProgress?: ProgressFn): Promise<Ranked> {
    const pp: PredictParams = predictParams(params);
    if (features.nCols > this.nFeatures) {
      throw new UsageError(`the test data has ${features.nCols} features but the model was trained on ${this.nFeatures}`);
    }
    const x = normalizeRowsL2(withCols(features, this.nFeatures));
    const k = pp.k ?? this.params.k;
    const nb = await task(onProgress, 'search neighbours', x.nRows, (tick) =>
      this.index.search(x, k, { onRow: tick, ...(pp.efSearch !== undefined ? { efSearch: pp.efSearch } : {}) }));
    return knnVote(nb, this.trainLabels, k, pp.topK);
  }

  /**
   * Save as a model directory, crash-safely (see {@link writeModelDir}): a new path or an empty
   * folder, or with `overwrite` an existing xmlc model; anything else is refused with a
   * {@link ModelPathError}.
   */
  async save(dir: string, options: SaveOptions = {}): Promise<void> {
    await writeModelDir(dir, options, async (w) => {
      await w.writeBytes('train_labels.csr', encodeCsr(this.trainLabels));
      if (this.index instanceof HnswIndex) {
        this.index.save(path.join(w.dir, 'index.hnsw'));
        await w.addExisting('index.hnsw');
      } else {
        await w.writeBytes('train_features.csr', encodeCsr(this.index.points));
      }
      return {
        method: this.method,
        data: { nPoints: this.nTrain, nFeatures: this.nFeatures, nLabels: this.nLabels },
        params: { ...this.params },
      };
    });
  }

  /**
   * Load a directory written by {@link save}: every file's size, checksum and dimensions are
   * checked against the (validated) manifest before any native call.
   */
  static async load(dir: string, manifest: Manifest): Promise<KnnModel> {
    const check = new JsonChecker(path.join(dir, MANIFEST_FILE));
    const p = check.params(knnTrainParams, manifest.params);
    const { nPoints, nFeatures, nLabels } = manifest.data;
    const labels = await readCsrFile(dir, manifest, 'train_labels.csr', nPoints, nLabels);
    let index: HnswIndex | ExactIndex;
    if (p.index === 'hnsw') {
      const bytes = await readModelFile(dir, manifest, 'index.hnsw');
      index = HnswIndex.load(modelFilePath(dir, manifest, 'index.hnsw'), bytes, nFeatures, nPoints, { m: p.hnswM, efConstruction: p.efConstruction, efSearch: p.efSearch, seed: p.seed });
    } else {
      index = new ExactIndex(await readCsrFile(dir, manifest, 'train_features.csr', nPoints, nFeatures));
    }
    return new KnnModel(p, labels, nFeatures, index);
  }
}
