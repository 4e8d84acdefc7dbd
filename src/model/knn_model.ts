import * as path from 'node:path';
import { type Csr, normalizeRowsL2, withCols } from '../data/csr.js';
import { UsageError } from '../errors.js';
import { ExactIndex } from '../knn/exact.js';
import { HnswIndex } from '../knn/hnsw.js';
import { knnVote } from '../predict/knn_vote.js';
import { type Ranked } from '../predict/topk.js';
import { type ProgressFn, task } from '../progress.js';
import { writeDirAtomic } from '../util/atomic.js';
import { decodeCsr, encodeCsr, type Manifest, ModelWriter, readModelFile } from './io.js';
import { knnTrainParams, type KnnTrainParams, type PredictParams, predictParams } from './params.js';

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

  /** Save as a model directory (atomically). */
  async save(dir: string): Promise<void> {
    await writeDirAtomic(dir, async (tmp) => {
      const w = new ModelWriter(tmp);
      await w.writeBytes('train_labels.csr', encodeCsr(this.trainLabels));
      if (this.index instanceof HnswIndex) {
        this.index.save(path.join(tmp, 'index.hnsw'));
        await w.addExisting('index.hnsw');
      } else {
        await w.writeBytes('train_features.csr', encodeCsr(this.index.points));
      }
      await w.writeManifest({
        method: this.method,
        data: { nPoints: this.nTrain, nFeatures: this.nFeatures, nLabels: this.nLabels },
        params: { ...this.params },
      });
    });
  }

  /** Load a directory written by {@link save}. */
  static async load(dir: string, manifest: Manifest): Promise<KnnModel> {
    const p = knnTrainParams(manifest.params);
    const labels = decodeCsr(await readModelFile(dir, manifest, 'train_labels.csr'), path.join(dir, 'train_labels.csr'));
    const { nFeatures } = manifest.data;
    let index: HnswIndex | ExactIndex;
    if (p.index === 'hnsw') {
      await readModelFile(dir, manifest, 'index.hnsw'); // checksum
      index = HnswIndex.load(path.join(dir, 'index.hnsw'), nFeatures, labels.nRows, { m: p.hnswM, efConstruction: p.efConstruction, efSearch: p.efSearch, seed: p.seed });
    } else {
      index = new ExactIndex(decodeCsr(await readModelFile(dir, manifest, 'train_features.csr'), path.join(dir, 'train_features.csr')));
    }
    return new KnnModel(p, labels, nFeatures, index);
  }
}
