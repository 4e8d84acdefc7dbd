/**
 * Learned measurement matrices: train the ℓ1-AE (Wu et al., ICML 2019) or the simple
 * autoencoder on training vectors and take their encoder's A. The same encoders as the XMC
 * pipeline, with settings for compressed sensing (see {@link SENSING_AE_DEFAULTS}). This module sits
 * above both src/encoders and src/sensing (layers point down: sensing does not import encoders).
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Csr, normalizeRowsL2, selectRows } from '../data/csr.js';
import { SimpleAeEncoder } from '../encoders/baselines.js';
import { type LabelEncoder } from '../encoders/encoder.js';
import { L1aeEncoder } from '../encoders/l1ae.js';
import { splitRows, type TrainHistory, type TrainLoopOptions } from '../encoders/train_loop.js';
import { type ProgressFn } from '../progress.js';
import { SENSING_AE_DEFAULTS, type SensingAeOptions } from '../sensing/ae_defaults.js';
import { measureRows, type MeasurementMatrix } from '../sensing/matrices.js';
import { type MeasurementDecoder, recoveryStats } from '../sensing/recover.js';
import { l1MinPos } from '../sensing/simplex.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * The measurement matrix of a linear label encoder (z = A·y): the ℓ1-AE's and simple AE's
 * learned A, or a Gaussian / PCA encoder's.
 * @throws InvalidArgumentError for an encoder without a linear measurement matrix.
 */
export function matrixFromEncoder(encoder: LabelEncoder): MeasurementMatrix {
  const state = encoder.state();
  const name = state.kind === 'l1ae' ? 'var0' : 'a';
  const a = state.arrays[name];
  if (!a || a.length !== state.dim * state.nLabels) {
    throw new InvalidArgumentError('matrixFromEncoder', `matrixFromEncoder(): a '${state.kind}' encoder has no ${state.dim} × ${state.nLabels} measurement matrix`);
  }
  return { m: state.dim, d: state.nLabels, a: Float64Array.from(a) };
}

/**
 * The unrolled recovery decoder of an encoder whose decoder recovers its own measurements (the
 * ℓ1-AE: {@link LabelEncoder.recoversMeasurements}); undefined for every other encoder.
 */
export function measurementDecoderOf(encoder: LabelEncoder): MeasurementDecoder | undefined {
  const decode = encoder.decode;
  return encoder.recoversMeasurements && decode ? { dim: encoder.dim, nLabels: encoder.nLabels, decode: (z, n) => decode(z, n) } : undefined;
}

/**
 * The measurement matrix of a loaded model (its first encoder's A) and, when that encoder has
 * one, its recovery decoder; undefined for a model without label encoders (kNN).
 * @throws InvalidArgumentError when the encoder has no m × d measurement matrix ({@link matrixFromEncoder}).
 */
export function modelMeasurement(model: { readonly encoders: readonly LabelEncoder[] }): { matrix: MeasurementMatrix; decoder?: MeasurementDecoder } | undefined {
  const encoder = model.encoders[0];
  if (!encoder) return undefined;
  const matrix = matrixFromEncoder(encoder);
  const decoder = measurementDecoderOf(encoder);
  return decoder ? { matrix, decoder } : { matrix };
}

/** Which autoencoder learns the matrix: the ℓ1-AE or the simple AE. */
export type LearnedMatrixKind = 'l1ae' | 'simple-ae';

/** A learned matrix with the trained encoder (whose decoder the `l1ae` recovery uses) and its history. */
export interface LearnedMatrix {
  /** The measurement matrix A (m × d): the encoder's weights. */
  readonly matrix: MeasurementMatrix;
  /** The trained autoencoder; dispose it when done. */
  readonly encoder: L1aeEncoder | SimpleAeEncoder;
  /** The training record (losses, validation scores, the epoch kept). */
  readonly history: TrainHistory;
}

/**
 * Train an ℓ1-AE or a simple AE with m measurements on the rows of `train` (each ℓ2-normalised)
 * and return its measurement matrix. `validation`, when given, chooses the epoch; otherwise a
 * seeded fraction of `train` is held out.
 */
export async function learnMatrix(
  kind: LearnedMatrixKind,
  train: Csr,
  m: number,
  seed: number,
  options: Partial<SensingAeOptions> = {},
  validation?: Csr,
  onProgress?: ProgressFn,
): Promise<LearnedMatrix> {
  const o = { ...SENSING_AE_DEFAULTS, ...options };
  if (!validation) {
    // Hold out a seeded fraction of the training vectors.
    const split = splitRows(train.nRows, o.validationFraction, seed);
    validation = selectRows(train, split.valid);
    train = selectRows(train, split.train);
  }
  const loop: TrainLoopOptions = {
    epochs: o.epochs, batchSize: o.batchSize, learningRate: o.learningRate, optimizer: o.optimizer,
    validationFraction: 0, patience: o.patience, seed, validationData: validation,
    ...(o.selectBy === 'recovery' ? { validationScore: recoveryScore(validation, m, o.selectionPoints) } : {}),
  };
  const { encoder, history } = kind === 'l1ae'
    ? await L1aeEncoder.train(train, { embeddingDim: m, depth: o.depth, batchNorm: o.batchNorm, finalRelu: true, warmStart: 'random', scheduleEpochs: 0, seed }, loop, onProgress)
    : await SimpleAeEncoder.train(train, m, loop, onProgress);
  return { matrix: matrixFromEncoder(encoder), encoder, history };
}

/**
 * The selection score of a matrix under training: 1 − (exact-recovery fraction of ℓ1-min pos on
 * the first `points` validation vectors) + 1e-3·min(1, RMSE) to break ties.
 * Reads A from the first trainable variable (the encoder's m × d matrix in both autoencoders).
 */
function recoveryScore(validation: Csr, m: number, points: number): (vars: tf.Variable[]) => number {
  const v = normalizeRowsL2(selectRows(validation, Int32Array.from({ length: Math.min(points, validation.nRows) }, (_, i) => i)));
  const n = v.nRows, d = v.nCols;
  const xTrue = new Float64Array(n * d);
  for (let r = 0; r < n; r++) for (let p = v.rowPtr[r]!; p < v.rowPtr[r + 1]!; p++) xTrue[r * d + v.indices[p]!] = v.values[p]!;
  return (vars) => {
    const matrix: MeasurementMatrix = { m, d, a: Float64Array.from(vars[0]!.dataSync() as Float32Array) };
    const { exactFraction, rmse } = recoveryStats(xTrue, l1MinPos(matrix.a, m, d, measureRows(matrix, v), n).x, n, d);
    return 1 - exactFraction + 1e-3 * Math.min(1, rmse);
  };
}
