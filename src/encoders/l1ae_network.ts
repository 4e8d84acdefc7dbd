/**
 * The ℓ1-AE network of Wu et al., "Learning a Compressed Sensing Measurement Matrix via
 * Gradient Unrolling" (ICML 2019), written once with TensorFlow.js ops so it runs on every
 * backend (tensorflow, native, wasm, cpu).
 *
 *   encoder   y = A·x                                   A: m × d, init N(0, 1/d)
 *   decoder   x(1) = Aᵀy
 *             x(t+1) = BN_t(x(t) − (β/t)·(sign(x(t)) − Aᵀ(A·sign(x(t)))))   t = 1..T
 *             x̂ = ReLU(x(T+1))
 *   loss      mean over the batch of ‖x − x̂‖²
 *
 * Rows are data points (x is b × d), so A·x is X·Aᵀ and Aᵀ(A·z) is (Z·Aᵀ)·A: a d × d matrix
 * is never formed. As in the authors' TensorFlow code, `sign` has zero gradient: gradients
 * reach A through Aᵀ(A·z) and through the identity path of each block.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Shape and variations of the network (the paper's Figure 3 ablations are switches). */
export interface L1aeNetworkConfig {
  /** Input dimension d. */
  readonly inputDim: number;
  /** Number of measurements m. */
  readonly embeddingDim: number;
  /** Unrolled blocks T (0: x̂ = ReLU(Aᵀy)). */
  readonly depth: number;
  /** Batch normalisation in each block (default true). */
  readonly batchNorm?: boolean;
  /** Final ReLU (default true). */
  readonly finalRelu?: boolean;
  /** Seed of the initialisation. */
  readonly seed: number;
}

/** Batch-norm variance epsilon (TensorFlow's default for tf.layers.batch_normalization). */
const BN_EPSILON = 1e-3;

/** Trainable variables of an ℓ1-AE. */
export interface L1aeVariables {
  /** m × d measurement matrix. */
  readonly a: tf.Variable;
  /** Scalar step size β (init 1.0). */
  readonly beta: tf.Variable;
  /** Per block: BN scale γ_t and shift δ_t, each of length d. */
  readonly bnScale: tf.Variable[];
  readonly bnShift: tf.Variable[];
}

/** Create the variables: A ~ N(0, 1/d), β = 1, γ = 1, δ = 0. */
export function createL1aeVariables(cfg: L1aeNetworkConfig): L1aeVariables {
  const { inputDim: d, embeddingDim: m, depth } = cfg;
  if (!(Number.isInteger(d) && d > 0 && Number.isInteger(m) && m > 0 && Number.isInteger(depth) && depth >= 0)) {
    throw new RangeError(`createL1aeVariables(): need integers d > 0, m > 0, T >= 0 but got d=${d}, m=${m}, T=${depth}`);
  }
  const useBn = cfg.batchNorm ?? true;
  return tf.tidy(() => ({
    a: tf.variable(tf.randomNormal([m, d], 0, 1 / Math.sqrt(d), 'float32', cfg.seed), true, undefined, 'float32'),
    beta: tf.variable(tf.scalar(1), true),
    bnScale: useBn ? Array.from({ length: depth }, () => tf.variable(tf.ones([d]), true)) : [],
    bnShift: useBn ? Array.from({ length: depth }, () => tf.variable(tf.zeros([d]), true)) : [],
  }));
}

/** Every variable, for an optimizer's var list. */
export function l1aeVariableList(v: L1aeVariables): tf.Variable[] {
  return [v.a, v.beta, ...v.bnScale, ...v.bnShift];
}

/** Encoder: Y = X·Aᵀ (b × m) for a batch X (b × d). */
export function l1aeEncode(v: L1aeVariables, x: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(x, v.a, false, true);
}

/**
 * Decoder in training mode (batch statistics in BN): X̂ (b × d) from Y (b × m).
 */
export function l1aeDecode(cfg: L1aeNetworkConfig, v: L1aeVariables, y: tf.Tensor2D): tf.Tensor {
  let x: tf.Tensor2D = tf.matMul(y, v.a); // x(1) = Aᵀy
  for (let t = 1; t <= cfg.depth; t++) {
    const z = tf.sign(x);
    // (I − AᵀA)·z = z − Aᵀ(A·z)
    const proj = tf.sub(z, tf.matMul(tf.matMul(z, v.a, false, true), v.a));
    x = tf.sub(x, tf.mul(tf.div(v.beta, t), proj));
    if (v.bnScale.length > 0) {
      const { mean, variance } = tf.moments(x, 0);
      x = tf.batchNorm(x, mean, variance, v.bnShift[t - 1]!, v.bnScale[t - 1]!, BN_EPSILON) as tf.Tensor2D;
    }
  }
  return (cfg.finalRelu ?? true) ? tf.relu(x) : x;
}

/** Loss: mean over the batch of the squared reconstruction error ‖x − x̂‖². */
export function l1aeLoss(cfg: L1aeNetworkConfig, v: L1aeVariables, x: tf.Tensor2D): tf.Scalar {
  const xHat = l1aeDecode(cfg, v, l1aeEncode(v, x));
  return tf.mean(tf.sum(tf.squaredDifference(x, xHat), 1));
}

/**
 * Matrix-product FLOPs of one training step (forward + backward) on a batch of b:
 * forward 2 products for encode/decode (2·b·d·m each) and 2 per block; the backward pass
 * computes two products for each forward one (the product for dA and for the input).
 */
export function l1aeStepMatmulFlops(b: number, d: number, m: number, depth: number): number {
  const forward = 2 * b * d * m * (2 + 2 * depth);
  return 3 * forward;
}
