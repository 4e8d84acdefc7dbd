/**
 * xmlc — extreme multi-label classification for Node.
 *
 * The public API: sparse data (CSR type, readers and writers), metrics, models.
 * Everything not exported here is internal.
 *
 * @example
 * ```ts
 * import { readDataset, EmbeddingModel, useBackend, evaluateRanking, propensitiesFromLabels } from 'xmlc';
 * await useBackend('auto');
 * const train = await readDataset('Bibtex_train.txt');
 * const test = await readDataset('Bibtex_test.txt');
 * const model = await EmbeddingModel.train(train, { method: 'l1ae', ensemble: 5 });
 * const ranked = await model.predict(test.features, { topK: 5, strategy: 'average' });
 * const m = evaluateRanking(ranked, test.labels, { ks: [1, 3, 5], propensities: propensitiesFromLabels(train.labels) });
 * console.log(m['P@1']);
 * ```
 */
export { type Csr, csr, emptyCsr, fromDense, nnz, sliceRows, selectRows, transpose, rowNorms, normalizeRowsL2, densifyRows, densifyRowList, columnCounts, withCols } from './data/csr.js';
export * from './data/index.js';
export { datasetStats, type DatasetStats } from './data/stats.js';
export { BUNDLED_BIBTEX } from './data/bundled.js';
export * from './metrics/index.js';
export { type Ranked, topKRows } from './ranking/topk.js';
export { topKDenseImpl, topKSparseImpl } from './ranking/topk_impl.js';
export { formatRanked } from './predict/output.js';
export { knnVote } from './predict/knn_vote.js';
export { type Neighbors, type SearchOptions } from './ranking/neighbors.js';
export { ExactIndex } from './knn/exact.js';
export { HnswIndex, hnswStatus, DISABLE_HNSWLIB_ENV, type HnswConfig } from './knn/hnsw.js';
export { KnnModel } from './model/knn_model.js';
export { type TrainingData, type TestFeatures, MIN_TRAINING_POINTS } from './model/training_data.js';
export { loadModel, type Model } from './model/load.js';
export { EmbeddingModel } from './model/embed_model.js';
export {
  KNN_DEFAULTS, EMBED_DEFAULTS, PREDICT_DEFAULTS, STRATEGIES, knnTrainParams, embedTrainParams, trainParams, predictParams, ParamsError,
  type KnnTrainParams, type EmbedTrainParams, type PredictParams, type Strategy,
} from './model/params.js';
export { MODEL_FORMAT, MODEL_FORMAT_VERSION, type Manifest } from './model/io.js';
export { XmlcError, UsageError, DataFormatError, ModelFormatError, InvalidArgumentError } from './errors.js';
export { type ProgressEvent, type ProgressFn } from './progress.js';
export { Rng } from './util/rng.js';
export { VERSION } from './version.js';
export { BACKENDS, backendReport, backendStatus, useBackend, ensureBackend, type BackendName, type BackendChoice, type BackendStatus } from './engine/backends.js';
export { csrMatDense, csrTMatDense } from './engine/sparse.js';
export {
  createL1aeVariables, l1aeEncode, l1aeDecode, l1aeDecodeInference, l1aeBnStats, l1aeLoss, l1aeVariableList, l1aeStepMatmulFlops,
  type L1aeNetworkConfig, type L1aeVariables, type L1aeBnStats,
} from './encoders/l1ae_network.js';
export { ENCODER_KINDS, type EncoderKind, type EncoderState, type LabelEncoder } from './encoders/encoder.js';
export { L1aeEncoder, type L1aeShape } from './encoders/l1ae.js';
export { LinearEncoder, SimpleAeEncoder } from './encoders/baselines.js';
export { topRightSingularVectors } from './linalg/randomized_svd.js';
export { spectralNormSquared } from './linalg/dense.js';
export { trainAutoencoder, splitRows, type TrainLoopOptions, type TrainHistory } from './encoders/train_loop.js';
export { ENCODERS, rebuildEncoder, type EncoderEntry, type EncoderTrainArgs } from './encoders/registry.js';
export {
  L1SaeEncoder, L1SAE_DEFAULTS, type L1SaeConfig, type L1SaeHistory, softThreshold, softThresholdTensor, l1saeLoss, alphaSchedule,
} from './encoders/l1sae.js';
export { TiedReluEncoder, TIED_RELU_DEFAULTS, type TiedReluConfig, tiedReluLoss } from './encoders/tied_relu.js';
export {
  DeepL0Encoder, MSparseEncoder, DEEP_L0_DEFAULTS, type DeepL0Config, helu, heluThreshold, maxMPool, unrolledEncode, weightsFromDictionary,
} from './encoders/deep_l0.js';
export { learnDictionary, type LearnedDictionary } from './encoders/dictionary.js';
export { giniIndex, meanRowGini } from './encoders/sparsity.js';
export * from './regression/index.js';
export { ExactDenseIndex } from './knn/exact_dense.js';
export * from './sensing/index.js';
export { learnMatrix, matrixFromEncoder, type LearnedMatrix, type LearnedMatrixKind } from './model/learned_matrix.js';
export { DATASETS, findDataset, type DatasetInfo, type DatasetStats as RegisteredDatasetStats } from '../datasets/registry.js';
export { fetchDataset, verifyDataset, resolveDataDir, splitPath, type FetchOptions, type VerifyCheck } from '../datasets/fetch.js';
export { generateSynthetic, SYNTHETIC_DATASETS } from '../datasets/synthetic.js';
