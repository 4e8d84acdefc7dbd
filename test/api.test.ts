import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { repoRoot } from './helpers.js';

/**
 * The public surface of xmlc, pinned: adding or removing an export is a deliberate change to
 * this list (and to the README / API docs), never a side effect of a refactor.
 */
const VALUES = [
  'BACKENDS', 'BUNDLED_BIBTEX', 'CLUSTER_DEFAULTS', 'ClusteredModel', 'DATASETS', 'DataFormatError', 'DeepL0Encoder', 'EMBED_DEFAULTS', 'ENCODER_KINDS',
  'ENCODER_PARAMS', 'EmbeddingModel', 'HNSW_DEFAULTS', 'InvalidArgumentError', 'KNN_DEFAULTS', 'KnnModel', 'L1SaeEncoder', 'L1aeEncoder',
  'LinearEncoder', 'LockedError', 'METRIC_FAMILIES', 'MSparseEncoder', 'ModelFormatError', 'ModelPathError',
  'PREDICT_DEFAULTS', 'PROPENSITY_DEFAULTS', 'ParamsError', 'RECOVERY_METHODS', 'STRATEGIES', 'SimpleAeEncoder',
  'TRAIN_LOOP_DEFAULTS', 'TiedReluEncoder', 'TrainingDivergedError', 'UsageError', 'VERSION', 'XmlcError',
  'backendReport', 'cosamp', 'csr', 'datasetStats', 'densifyRows', 'evaluateAgainstTraining', 'evaluateRanking',
  'fetchDataset', 'fista', 'formatRanked', 'fourierMatrix', 'fromDense', 'gaussianMatrix', 'generateSynthetic',
  'hnswStatus', 'iht', 'ista', 'l1Min', 'l1MinPos', 'lbcsMatrix', 'learnMatrix', 'loadModel', 'measureRows',
  'modelCosamp', 'ndcgAtK', 'normalizeRowsL2', 'omp', 'pcaMatrix', 'precisionAtK', 'projectedSubgradient',
  'propensities', 'propensitiesFromLabels', 'psndcgAtK', 'pspAtK', 'rankedFromLists', 'readDataset',
  'readDatasetStream', 'recallAtK', 'recover', 'recoveryStats', 'selectRows', 'sliceRows', 'topKRows', 'trainModel',
  'useBackend', 'verifyDataset', 'writeDataset',
  // Raw text (issue 17).
  'LabelNames', 'TFIDF_DEFAULTS', 'TextModel', 'TfidfVectorizer', 'VectorizerFormatError', 'readTextDataset', 'textFormatOf', 'tfidfParams', 'tokenize',
  // Re-ranker, one-vs-rest classifiers, mixed ensembles (issue 18).
  'MixedModel', 'OVR_DEFAULTS', 'RERANK_DEFAULTS', 'RerankedModel', 'ovrScores', 'ovrTopK', 'parseMix', 'rerankParams', 'trainOneVsRest',
  // The forest and the default mixed ensemble (issue 18).
  'DEFAULT_MIX', 'FOREST_DEFAULTS', 'ForestModel', 'MERGE_RULES', 'WeightedModel',
];

const TYPES = [
  'BackendChoice', 'BackendName', 'BackendStatus', 'CentroidRouter', 'Clustering', 'CosampOptions', 'Csr', 'DataFormat', 'Dataset', 'DatasetInfo',
  'DatasetStats', 'DeepL0Config', 'EmbedTrainParams', 'EncoderKind', 'EncoderParamValues', 'EncoderState',
  'EvaluateRankingOptions', 'FetchOptions', 'IndexKind', 'KnnSpace', 'KnnTrainParams', 'L1SaeConfig', 'L1SaeHistory', 'L1SaeStage', 'L1aeNetworkConfig', 'L1aeShape', 'L1aeTraining', 'LabelEncoder',
  'LassoOptions', 'LearnedMatrix', 'LrSchedule', 'LearnedMatrixKind', 'LpBatchResult', 'LpStatus', 'MeasurementDecoder',
  'MeasurementMatrix', 'MetricFamily', 'MetricScores', 'Model', 'ModelMethod', 'ModelSummary', 'Optimizer',
  'ParseOptions', 'PredictParams', 'ProgressEvent', 'ProgressFn', 'PropensityOptions', 'Ranked', 'ReadOptions',
  'RecoveryMethod', 'RecoveryOptions', 'RecoveryStats', 'SaveOptions', 'Solver', 'SensingAeOptions', 'SparsityModel', 'SplitName', 'Strategy', 'SubgradientOperator',
  'SynthOptions', 'SyntheticName', 'TestFeatures', 'TiedReluConfig', 'TrainHistory', 'TrainLoopOptions',
  'TrainOptions', 'TrainParams', 'TrainingData', 'VerifyCheck', 'WriteOptions',
  'EncodedLabels', 'TextDataset', 'TextDocuments', 'TextFormat', 'TextReadOptions', 'TfidfParams',
  'BinaryLoss', 'MixPart', 'OvrLabelReport', 'OvrModel', 'OvrOptions', 'RerankChoice', 'RerankParams',
  'FeatureChoice', 'FeatureWeighting', 'ForestTrainParams', 'MergeChoice', 'MergeRule',
];

/** The names src/index.ts exports, split into values and type-only names, read with the TypeScript parser. */
function declaredExports(file: string, text: string): { values: string[]; types: string[]; star: number } {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const values: string[] = [], types: string[] = [];
  let star = 0;
  for (const st of sf.statements) {
    if (!ts.isExportDeclaration(st)) continue;
    if (!st.exportClause) { star++; continue; }
    if (!ts.isNamedExports(st.exportClause)) { star++; continue; }
    for (const el of st.exportClause.elements) (st.isTypeOnly || el.isTypeOnly ? types : values).push(el.name.text);
  }
  return { values: values.sort(), types: types.sort(), star };
}

test('the public API is the pinned list: every export named in src/index.ts (no export *), values and types', () => {
  const file = path.join(repoRoot, 'src', 'index.ts');
  const d = declaredExports(file, readFileSync(file, 'utf8'));
  assert.equal(d.star, 0, 'src/index.ts must list its exports by name (no export * or export * as)');
  assert.deepEqual(d.values, [...VALUES].sort());
  assert.deepEqual(d.types, [...TYPES].sort());
  assert.equal(new Set([...d.values, ...d.types]).size, d.values.length + d.types.length, 'a name is exported twice');
});

test('the built entry point exports exactly the pinned values at run time', async () => {
  const lib = await import(new URL('../src/index.js', import.meta.url).href) as Record<string, unknown>;
  assert.deepEqual(Object.keys(lib).sort(), [...VALUES].sort());
  for (const name of VALUES) assert.notEqual(lib[name], undefined, `${name} is exported as undefined`);
});

test('a made-up export list fails the check (the parser sees values, types and export *)', () => {
  const d = declaredExports('x.ts', "export { a, type B } from './a.js';\nexport type { C } from './c.js';\nexport * from './d.js';");
  assert.deepEqual(d, { values: ['a'], types: ['B', 'C'], star: 1 });
});
