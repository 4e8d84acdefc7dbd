/**
 * Baseline label encoders behind the same interface as the ℓ1-AE (the comparisons of Wu et al.,
 * ICML 2019, Section 5): a Gaussian matrix, PCA, and a simple autoencoder.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Csr, normalizeRowsL2 } from '../data/csr.js';
import { tidyData } from '../engine/tidy_data.js';
import { topRightSingularVectors } from '../linalg/randomized_svd.js';
import { type ProgressFn } from '../progress.js';
import { Rng, tfSeed } from '../util/rng.js';
import { encodeLinear, type EncoderState, type LabelEncoder, stateArray } from './encoder.js';
import { transposeDense } from '../linalg/dense.js';
import { normalizedValidation, trainAutoencoder, type TrainHistory, type TrainLoopOptions, resolveLoop } from './train_loop.js';
import { InvalidArgumentError } from '../errors.js';

/** Z·B for Z (n × m) and B (m × d) row-major, through tfjs (the active backend's matmul). */
function zTimes(z: Float32Array, n: number, b: tf.Tensor2D, relu: boolean): Float32Array {
  const m = b.shape[0];
  return tidyData(() => {
    const out = tf.matMul(tf.tensor2d(z, [n, m]), b);
    return relu ? tf.relu(out) : out;
  });
}

/**
 * A linear encoder z = A·y with the linear decoder ŷ = Aᵀz: the Gaussian and PCA baselines
 * (for PCA, A has orthonormal rows and Aᵀz is the projection back onto the principal subspace).
 */
export class LinearEncoder implements LabelEncoder {
  private readonly aTensor: tf.Tensor2D;
  private readonly aT: Float32Array;

  constructor(readonly kind: 'gaussian' | 'pca', readonly nLabels: number, readonly dim: number, private readonly a: Float32Array, private readonly config: Record<string, unknown>) {
    this.aTensor = tf.tensor2d(a, [dim, nLabels]);
    this.aT = transposeDense(a, dim, nLabels);
  }

  /** A ~ N(0, 1/m), seeded. */
  static gaussian(nLabels: number, dim: number, seed: number): LinearEncoder {
    const rng = new Rng(seed);
    const a = new Float32Array(dim * nLabels);
    const s = 1 / Math.sqrt(dim);
    for (let i = 0; i < a.length; i++) a[i] = rng.normal() * s;
    return new LinearEncoder('gaussian', nLabels, dim, a, { seed });
  }

  /** A = the top-m right singular vectors of the ℓ2-normalised label matrix. */
  static pca(labels: Csr, dim: number, seed: number): LinearEncoder {
    const y = normalizeRowsL2(labels);
    return new LinearEncoder('pca', labels.nCols, dim, topRightSingularVectors(y, dim, seed), { seed });
  }

  encode(labels: Csr): Float32Array { return encodeLinear(labels, this.aT, this.nLabels, this.dim); }

  readonly decode = (z: Float32Array, n: number): Float32Array => zTimes(z, n, this.aTensor, false);

  state(): EncoderState {
    return { kind: this.kind, nLabels: this.nLabels, dim: this.dim, config: { ...this.config }, arrays: { a: this.a } };
  }

  /** Rebuild an encoder from what `state()` returned; throws when the state is not a Gaussian or PCA encoder's or an array has the wrong size. */
  static fromState(state: EncoderState): LinearEncoder {
    if (state.kind !== 'gaussian' && state.kind !== 'pca') throw new InvalidArgumentError('LinearEncoder.fromState', `not a linear encoder: ${state.kind}`);
    return new LinearEncoder(state.kind, state.nLabels, state.dim, stateArray(state, 'a', state.nLabels * state.dim), state.config);
  }

  dispose(): void { this.aTensor.dispose(); }
}


/**
 * The simple autoencoder of the ℓ1-AE paper's comparisons: ŷ = ReLU(Bᵀ·A·y), A and B both m × d,
 * initialised N(0, 1/d), trained on the squared reconstruction error like the ℓ1-AE.
 */
export class SimpleAeEncoder implements LabelEncoder {
  readonly kind = 'simple-ae' as const;
  private readonly aT: Float32Array;

  private constructor(readonly nLabels: number, readonly dim: number, private readonly a: tf.Variable, private readonly b: tf.Variable, private readonly seed: number) {
    this.aT = transposeDense(a.dataSync() as Float32Array, dim, nLabels);
  }

  private static variables(d: number, m: number, seed: number): [tf.Variable, tf.Variable] {
    return tf.tidy(() => [
      tf.variable(tf.randomNormal([m, d], 0, 1 / Math.sqrt(d), 'float32', tfSeed(2 * seed)), true),
      tf.variable(tf.randomNormal([m, d], 0, 1 / Math.sqrt(d), 'float32', tfSeed(2 * seed + 1)), true),
    ]);
  }

  /**
   * Train on the label rows (each ℓ2-normalised first) with embedding dimension `dim`; the loop's
   * left-out settings take {@link TRAIN_LOOP_DEFAULTS}, and its seed also seeds the initialisation.
   */
  static async train(labels: Csr, dim: number, loopIn: Partial<TrainLoopOptions> = {}, onProgress?: ProgressFn): Promise<{
    /** The trained encoder. */
    encoder: SimpleAeEncoder;
    /** Training losses per epoch, the epoch kept, the time taken. */
    history: TrainHistory;
  }> {
    const loop = resolveLoop(loopIn);
    const d = labels.nCols;
    const [a, b] = SimpleAeEncoder.variables(d, dim, loop.seed);
    const loss = (x: tf.Tensor2D): tf.Scalar => {
      const xHat = tf.relu(tf.matMul(tf.matMul(x, a, false, true), b));
      return tf.mean(tf.sum(tf.squaredDifference(x, xHat), 1));
    };
    const history = await trainAutoencoder(normalizeRowsL2(labels), [a, b], loss, { taskName: 'train simple AE', ...loop, ...normalizedValidation(loop) }, onProgress);
    return { encoder: new SimpleAeEncoder(d, dim, a, b, loop.seed), history };
  }

  encode(labels: Csr): Float32Array { return encodeLinear(labels, this.aT, this.nLabels, this.dim); }

  readonly decode = (z: Float32Array, n: number): Float32Array => zTimes(z, n, this.b as tf.Tensor as tf.Tensor2D, true);

  state(): EncoderState {
    return {
      kind: this.kind, nLabels: this.nLabels, dim: this.dim, config: { seed: this.seed },
      arrays: { a: this.a.dataSync() as Float32Array, b: this.b.dataSync() as Float32Array },
    };
  }

  /** Rebuild an encoder from what `state()` returned; throws when an array has the wrong size. */
  static fromState(state: EncoderState): SimpleAeEncoder {
    const [a, b] = SimpleAeEncoder.variables(state.nLabels, state.dim, 0);
    for (const [v, name] of [[a, 'a'], [b, 'b']] as const) {
      const t = tf.tensor2d(stateArray(state, name, state.nLabels * state.dim), [state.dim, state.nLabels]);
      v.assign(t);
      t.dispose();
    }
    return new SimpleAeEncoder(state.nLabels, state.dim, a, b, Number(state.config['seed'] ?? 0));
  }

  dispose(): void { tf.dispose([this.a, this.b]); }
}
