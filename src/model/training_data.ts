import * as os from 'node:os';
import { type Csr, nnz, normalizeRowsL2, selectRows } from '../data/csr.js';
import { DataFormatError, InvalidArgumentError } from '../errors.js';
import { FeatureSpace } from './feature_space.js';

/** Training data of a model: features n×p, labels n×L, and where they were read from (named in errors). */
export interface TrainingData {
  /** Feature rows, n × p. */
  readonly features: Csr;
  /** Label rows, n × L (1 where a point has a label). */
  readonly labels: Csr;
  /** Where the data was read from (a file name), named in error messages. */
  readonly source?: string;
}

/** Test features for `predict`: a matrix, or a dataset that says where it was read from (named in errors). */
export type TestFeatures = Csr | {
  /** Feature rows, n × p' with p' at most the model's features. */
  readonly features: Csr;
  /** Where the rows were read from (a file name), named in error messages. */
  readonly source?: string;
};

/**
 * Fewest training points of any model: one point's labels would be predicted for everything, and
 * the propensity model of the PSP metrics (Jain et al., KDD 2016: C = (ln N − 1)(B + 1)^A) needs N ≥ 2.
 */
export const MIN_TRAINING_POINTS = 2;

/**
 * Refuse training data a model of `method` cannot be trained on: fewer than {@link MIN_TRAINING_POINTS} points,
 * or no labels at all. The DataFormatError names `data.source` (or "the training data").
 * @throws InvalidArgumentError when features and labels have different numbers of rows (a caller's bug).
 */
export function checkTrainingData(data: TrainingData, method: string): void {
  const { features, labels } = data;
  if (features.nRows !== labels.nRows) {
    throw new InvalidArgumentError('train', `train(): features have ${features.nRows} rows but labels have ${labels.nRows}`);
  }
  const fail = (detail: string): never => { throw new DataFormatError(data.source ?? 'the training data', 0, detail); };
  const n = features.nRows;
  if (n < MIN_TRAINING_POINTS) fail(`has ${n} point${n === 1 ? '' : 's'}; method ${method} needs at least ${MIN_TRAINING_POINTS} training points`);
  if (labels.nCols === 0 || nnz(labels) === 0) fail(`has no labels (every point's label list is empty); a model needs labelled training points`);
}

/**
 * Refuse, before allocating, a label count the machine cannot hold: models keep arrays with one
 * entry per declared label (kNN votes; an embedding model's m × L encoder with its gradient and
 * optimiser moments, and label-dense mini-batches), so a header that declares 2^25 labels for two
 * points would exhaust memory instead of failing. `bytesPerLabel` is a lower bound of those arrays'
 * bytes per label; the limit is the machine's total memory (`budget`).
 * @throws DataFormatError naming the file, the declared and the occurring label counts.
 */
export function checkLabelSpace(data: TrainingData, method: string, bytesPerLabel: number, budget = os.totalmem()): void {
  const L = data.labels.nCols, need = L * bytesPerLabel;
  if (need <= budget) return;
  const gb = (b: number): string => (b / 2 ** 30).toFixed(1);
  const used = FeatureSpace.fromTraining(data.labels).dim;
  throw new DataFormatError(data.source ?? 'the training data', 0,
    `declares ${L} labels (${used} occur); method ${method} needs at least ${gb(need)} GB for per-label arrays, more than this machine's ${gb(budget)} GB: renumber the labels to those that occur`);
}

/** `data` split by two lists of row ids: the part to fit on and the held-out part (both naming `data.source`). */
export function splitData(data: TrainingData, fitRows: ArrayLike<number>, heldRows: ArrayLike<number>): { fit: TrainingData; held: TrainingData } {
  const part = (rows: ArrayLike<number>): TrainingData => ({ ...data, features: selectRows(data.features, rows), labels: selectRows(data.labels, rows) });
  return { fit: part(fitRows), held: part(heldRows) };
}

/** The feature matrix of test input and where it was read from (when it says). */
export function testInput(test: TestFeatures): { readonly features: Csr; readonly source?: string } {
  return 'features' in test ? test : { features: test };
}

/**
 * Test rows ℓ2-normalised over all their features, then projected into the model's feature space.
 * @throws DataFormatError (naming `test.source`) when the rows have more features than the model was trained on.
 */
export function testRows(test: TestFeatures, space: FeatureSpace): Csr {
  const { features, source } = testInput(test);
  if (features.nCols > space.nFeatures) {
    throw new DataFormatError(source ?? 'the test data', 0, `has ${features.nCols} features but the model was trained on ${space.nFeatures}; the test data must use the training data's feature ids`);
  }
  return space.project(normalizeRowsL2(features));
}
