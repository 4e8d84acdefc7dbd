/**
 * xmlc — extreme multi-label classification for Node.
 *
 * The public API: sparse data (CSR type, readers and writers), metrics, models.
 * Everything not exported here is internal.
 *
 * @example
 * ```ts
 * import { readDataset, KnnModel, evaluateRanking, propensitiesFromLabels } from 'xmlc';
 * const train = await readDataset('Bibtex_train.txt');
 * const test = await readDataset('Bibtex_test.txt');
 * const model = await KnnModel.train(train, { k: 10 });
 * const ranked = await model.predict(test.features, { topK: 5 });
 * const m = evaluateRanking(ranked, test.labels, { ks: [1, 3, 5], propensities: propensitiesFromLabels(train.labels) });
 * console.log(m['P@1']);
 * ```
 */
export { type Csr, csr, emptyCsr, fromDense, nnz, sliceRows, selectRows, transpose, rowNorms, normalizeRowsL2, densifyRows, columnCounts, withCols } from './data/csr.js';
export * from './data/index.js';
export { datasetStats, type DatasetStats } from './data/stats.js';
export { BUNDLED_BIBTEX } from './data/bundled.js';
export * from './metrics/index.js';
export { type Ranked, topKRows } from './predict/topk.js';
export { topKDenseImpl, topKSparseImpl } from './predict/topk_impl.js';
export { formatRanked } from './predict/output.js';
export { knnVote } from './predict/knn_vote.js';
export { type Neighbors, type SearchOptions } from './knn/neighbors.js';
export { ExactIndex } from './knn/exact.js';
export { HnswIndex, type HnswConfig } from './knn/hnsw.js';
export { KnnModel, type TrainingData } from './model/knn_model.js';
export { loadModel, type Model } from './model/load.js';
export { KNN_DEFAULTS, PREDICT_DEFAULTS, knnTrainParams, predictParams, ParamsError, type KnnTrainParams, type PredictParams } from './model/params.js';
export { MODEL_FORMAT, MODEL_FORMAT_VERSION, type Manifest } from './model/io.js';
export { XmlcError, UsageError, DataFormatError, ModelFormatError } from './errors.js';
export { type ProgressEvent, type ProgressFn } from './progress.js';
export { Rng } from './util/rng.js';
export { VERSION } from './version.js';
export { BACKENDS, backendReport, backendStatus, useBackend, type BackendName, type BackendChoice, type BackendStatus } from './engine/backends.js';
export { csrMatDense, csrTMatDense } from './engine/sparse.js';
export { createL1aeVariables, l1aeEncode, l1aeDecode, l1aeLoss, l1aeVariableList, l1aeStepMatmulFlops, type L1aeNetworkConfig, type L1aeVariables } from './encoders/l1ae_network.js';
