/**
 * Baseline label encoders behind the same interface as the ℓ1-AE (the comparisons of Wu et al.,
 * ICML 2019, Section 5): a Gaussian matrix, PCA, and a simple autoencoder.
 */
import * as tf from '@tensorflow/tfjs-core';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { type Csr, normalizeRowsL2 } from '../data/csr.js';
import { csrMatDense, csrTMatDense } from '../engine/sparse.js';
import { tidyData } from '../engine/tidy_data.js';
import { type ProgressFn } from '../progress.js';
import { Rng, tfSeed } from '../util/rng.js';
import { encodeLinear, type EncoderState, type LabelEncoder, stateArray, transposeDense } from './encoder.js';
import { normalizedValidation, trainAutoencoder, type TrainHistory, type TrainLoopOptions } from './train_loop.js';

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

  static fromState(state: EncoderState): LinearEncoder {
    if (state.kind !== 'gaussian' && state.kind !== 'pca') throw new RangeError(`not a linear encoder: ${state.kind}`);
    return new LinearEncoder(state.kind, state.nLabels, state.dim, stateArray(state, 'a', state.nLabels * state.dim), state.config);
  }

  dispose(): void { this.aTensor.dispose(); }
}

/** Orthonormalise the columns of a row-major r × c Float64 matrix in place (modified Gram–Schmidt, run twice for stability). */
function orthonormalizeColumns(q: Float64Array, r: number, c: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < c; j++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < r; i++) dot += q[i * c + j]! * q[i * c + k]!;
        for (let i = 0; i < r; i++) q[i * c + j]! -= dot * q[i * c + k]!;
      }
      let norm = 0;
      for (let i = 0; i < r; i++) norm += q[i * c + j]! ** 2;
      norm = Math.sqrt(norm);
      const inv = norm > 1e-12 ? 1 / norm : 0;
      for (let i = 0; i < r; i++) q[i * c + j]! *= inv;
    }
  }
}

/**
 * The top-`m` right singular vectors of a sparse n × d matrix Y, as the rows of an m × d
 * array: randomized subspace iteration (Halko, Martinsson & Tropp, "Finding structure with
 * randomness", SIAM Review 2011, Algorithms 4.4 and 5.1) with oversampling 10 and 4 power
 * iterations, all products sparse (Y·W and Yᵀ·Q); the small problem is the eigendecomposition
 * of B·Bᵀ with B = QᵀY. Columns beyond Y's rank come out as zero rows.
 */
export function topRightSingularVectors(y: Csr, m: number, seed: number, powerIterations = 4): Float32Array {
  const { nRows: n, nCols: d } = y;
  const l = Math.min(d, n, m + 10);
  const rng = new Rng(seed);
  const omega = new Float32Array(d * l);
  for (let i = 0; i < omega.length; i++) omega[i] = rng.normal();
  const orth = (a: Float32Array, rows: number): Float32Array => {
    const q = Float64Array.from(a);
    orthonormalizeColumns(q, rows, l);
    return Float32Array.from(q);
  };
  let q = orth(csrMatDense(y, omega, l), n); // n × l
  for (let it = 0; it < powerIterations; it++) {
    const w = orth(csrTMatDense(y, q, l), d); // d × l
    q = orth(csrMatDense(y, w, l), n);
  }
  const bT = csrTMatDense(y, q, l); // d × l = (QᵀY)ᵀ
  // B·Bᵀ (l × l) = bTᵀ·bT
  const bbt = new Matrix(l, l);
  for (let i = 0; i < l; i++) {
    for (let j = i; j < l; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += bT[k * l + i]! * bT[k * l + j]!;
      bbt.set(i, j, s);
      bbt.set(j, i, s);
    }
  }
  const eig = new EigenvalueDecomposition(bbt, { assumeSymmetric: true });
  const values = eig.realEigenvalues;
  const vecs = eig.eigenvectorMatrix;
  const order = values.map((_, i) => i).sort((a, b) => values[b]! - values[a]! || a - b);
  // Right singular vector k = Bᵀu_k / σ_k, σ_k = sqrt(λ_k); sign fixed so its largest entry is positive.
  const out = new Float32Array(m * d);
  for (let k = 0; k < Math.min(m, l); k++) {
    const c = order[k]!, lambda = values[c]!;
    if (!(lambda > 1e-10)) continue;
    const inv = 1 / Math.sqrt(lambda);
    let big = 0;
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let i = 0; i < l; i++) s += bT[j * l + i]! * vecs.get(i, c);
      out[k * d + j] = s * inv;
      if (Math.abs(s) > Math.abs(big)) big = s;
    }
    if (big < 0) for (let j = 0; j < d; j++) out[k * d + j] = -out[k * d + j]!;
  }
  return out;
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

  static async train(labels: Csr, dim: number, loop: TrainLoopOptions, onProgress?: ProgressFn): Promise<{ encoder: SimpleAeEncoder; history: TrainHistory }> {
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
