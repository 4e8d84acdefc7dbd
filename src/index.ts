/**
 * xmlc — extreme multi-label classification for Node.
 *
 * The public API, and nothing else (test/api.test.ts pins this list): sparse data and its
 * readers and writers; text datasets, the TF-IDF vectoriser and text models; models (train, predict, save, load) behind one {@link Model} interface;
 * metrics; the label encoders for label embedding; the compressed-sensing core; the compute
 * backends; the dataset registry; xmlc's error classes. Metrics are fractions in [0, 1].
 *
 * @example
 * ```ts
 * import { BUNDLED_BIBTEX, evaluateRanking, readDataset, trainModel } from 'xmlc';
 * const train = await readDataset(BUNDLED_BIBTEX.train);
 * const test = await readDataset(BUNDLED_BIBTEX.test);
 * const model = await trainModel(train, { method: 'l1ae', ensemble: 5 });
 * const ranked = await model.predict(test.features, { topK: 5 });
 * console.log(evaluateRanking(ranked, test.labels, { ks: [1, 3, 5] })['P@1']);
 * model.dispose();
 * ```
 * @packageDocumentation
 */

// Sparse data: the CSR matrix, reading and writing BoW / LIBSVM files.
export { type Csr, csr, fromDense, sliceRows, selectRows, normalizeRowsL2, densifyRows } from './data/csr.js';
export { type DataFormat, type Dataset, type ParseOptions } from './data/parser.js';
export { readDataset, readDatasetStream, type ReadOptions } from './data/reader.js';
export { writeDataset, type WriteOptions } from './data/writer.js';
export { datasetStats, type DatasetStats } from './data/stats.js';
export { readTextDataset, textFormatOf, type TextDataset, type TextFormat, type TextReadOptions } from './data/text_reader.js';

// Raw text: TF-IDF features and models with named labels.
export { TfidfVectorizer, TFIDF_DEFAULTS, tfidfParams, tokenize, type TfidfParams, VectorizerFormatError } from './text/tfidf.js';
export { TextModel, LabelNames, type EncodedLabels, type TextDocuments } from './model/text_model.js';
export { RerankedModel, RERANK_DEFAULTS, rerankParams, type RerankChoice, type RerankParams } from './model/reranked_model.js';
export { MixedModel, parseMix, MERGE_RULES, type MergeChoice, type MergeRule, type MixPart } from './model/mixed_model.js';
export { ForestModel } from './model/forest_model.js';
export { WeightedModel, type FeatureChoice, type FeatureWeighting } from './model/weighted_model.js';
export { trainOneVsRest, ovrScores, predictTopK as ovrTopK, OVR_DEFAULTS, type BinaryLoss, type OvrModel, type OvrOptions, type OvrLabelReport } from './linear/ovr.js';
export { BUNDLED_BIBTEX } from './data/bundled.js';

// Models: train, predict, save, load.
export { type Model, type ModelMethod, type ModelSummary, type TrainOptions, type TrainParams } from './model/model.js';
export { trainModel, DEFAULT_MIX } from './model/methods.js';
export { loadModel } from './model/load.js';
export { KnnModel } from './model/knn_model.js';
export { EmbeddingModel } from './model/embed_model.js';
export { ClusteredModel, CLUSTER_DEFAULTS, type Clustering } from './model/clustered_model.js';
export { type CentroidRouter } from './regression/kmeans.js';
export { type TrainingData, type TestFeatures } from './model/training_data.js';
export { type SaveOptions } from './model/store.js';
export {
  KNN_DEFAULTS, FOREST_DEFAULTS, EMBED_DEFAULTS, PREDICT_DEFAULTS, STRATEGIES,
  type KnnTrainParams, type ForestTrainParams, type EmbedTrainParams, type PredictParams, type Strategy, type IndexKind, type Optimizer, type Solver, type KnnSpace,
} from './model/params.js';
export { HNSW_DEFAULTS, hnswStatus } from './knn/hnsw.js';
export { type Ranked, topKRows, rankedFromLists } from './ranking/topk.js';
export { formatRanked } from './predict/output.js';

// Metrics (fractions in [0, 1]; the CLI prints percent).
export { evaluateRanking, type EvaluateRankingOptions } from './metrics/ranking_metrics.js';
export { evaluateAgainstTraining } from './metrics/against_training.js';
export { METRIC_FAMILIES, type MetricFamily, type MetricScores } from './metrics/registry.js';
export { precisionAtK } from './metrics/precision.js';
export { ndcgAtK } from './metrics/ndcg.js';
export { recallAtK } from './metrics/recall.js';
export { pspAtK } from './metrics/psp.js';
export { psndcgAtK } from './metrics/psndcg.js';
export { propensities, propensitiesFromLabels, PROPENSITY_DEFAULTS, type PropensityOptions } from './metrics/propensity.js';

// Label encoders (stage 1): label embedding and decoding.
export { ENCODER_KINDS, type EncoderKind, type EncoderState, type LabelEncoder } from './encoders/encoder.js';
export { ENCODER_PARAMS, TRAIN_LOOP_DEFAULTS, type EncoderParamValues } from './encoders/param_schema.js';
export { type TrainLoopOptions, type TrainHistory, type LrSchedule } from './encoders/train_loop.js';
export { L1aeEncoder, type L1aeShape, type L1aeTraining } from './encoders/l1ae.js';
export { type L1aeNetworkConfig } from './encoders/l1ae_network.js';
export { L1SaeEncoder, type L1SaeConfig, type L1SaeHistory, type L1SaeStage } from './encoders/l1sae.js';
export { TiedReluEncoder, type TiedReluConfig } from './encoders/tied_relu.js';
export { DeepL0Encoder, MSparseEncoder, type DeepL0Config } from './encoders/deep_l0.js';
export { LinearEncoder, SimpleAeEncoder } from './encoders/baselines.js';

// Compressed sensing: measurement matrices (random or learned) and recovery.
export { type MeasurementMatrix, gaussianMatrix, fourierMatrix, pcaMatrix, lbcsMatrix, measureRows } from './sensing/matrices.js';
export { learnMatrix, type LearnedMatrix, type LearnedMatrixKind } from './model/learned_matrix.js';
export { type SensingAeOptions } from './sensing/ae_defaults.js';
export {
  recover, recoveryStats, RECOVERY_METHODS, type MeasurementDecoder, type RecoveryMethod, type RecoveryOptions, type RecoveryStats,
} from './sensing/recover.js';
export { l1Min, l1MinPos, type LpBatchResult, type LpStatus } from './sensing/simplex.js';
export { projectedSubgradient, type SubgradientOperator } from './sensing/subgradient.js';
export { iht } from './sensing/iht.js';
export { cosamp, modelCosamp, omp, ista, fista, type SparsityModel, type CosampOptions, type LassoOptions } from './sensing/iterative.js';

// Compute backends.
export {
  BACKENDS, useBackend, backendReport, type BackendName, type BackendChoice, type BackendStatus,
} from './engine/backends.js';

// Registered datasets (download, verify) and seeded synthetic ones.
export { DATASETS, type DatasetInfo } from '../datasets/registry.js';
export { fetchDataset, verifyDataset, type FetchOptions, type VerifyCheck } from '../datasets/fetch.js';
export { generateSynthetic, type SyntheticName, type SplitName } from '../datasets/synthetic.js';
export { type SynthOptions } from '../datasets/synthetic_xmc.js';

// Errors, progress events, version.
export { XmlcError, UsageError, DataFormatError, ModelFormatError, TrainingDivergedError, InvalidArgumentError, ParamsError } from './errors.js';
export { ModelPathError } from './model/store.js';
export { LockedError } from './util/lock.js';
export { type ProgressEvent, type ProgressFn } from './progress.js';
export { VERSION } from './version.js';
