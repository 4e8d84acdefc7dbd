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
import { nativeAddon } from '../engine/addon.js';
import { NATIVE_BACKEND } from '../engine/native_backend.js';

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
  /**
   * On the `native` backend, run each block (step + BN, forward and backward) as one fused
   * native kernel (default true). Same mathematics as the op-by-op graph, which every other
   * backend uses.
   */
  readonly fused?: boolean;
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
  const fused = (cfg.fused ?? true) && tf.getBackend() === NATIVE_BACKEND;
  for (let t = 1; t <= cfg.depth; t++) {
    if (fused) {
      x = fusedBlock(x, v, t);
      continue;
    }
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

/**
 * Scratch state a fused block keeps from its forward pass for its backward pass: w = z − q,
 * p = z·Aᵀ, BN's x̂ and 1/σ, plus the backward's scratch for z and dp. Sets are reused through
 * a free list (a set returns to it once its backward has run), so a training step allocates no
 * new large buffers for them; a forward pass without a backward simply lets its set be
 * garbage-collected.
 */
interface BlockScratch { w: Float32Array; p: Float32Array; xhat: Float32Array | null; invstd: Float32Array | null; z: Float32Array; dp: Float32Array }
const scratchPool = new Map<string, BlockScratch[]>();

function takeScratch(b: number, d: number, m: number, bn: boolean): BlockScratch {
  const free = scratchPool.get(`${b}:${d}:${m}:${bn}`);
  return free?.pop() ?? {
    w: new Float32Array(b * d), p: new Float32Array(b * m),
    xhat: bn ? new Float32Array(b * d) : null, invstd: bn ? new Float32Array(d) : null,
    z: new Float32Array(b * d), dp: new Float32Array(b * m),
  };
}

function returnScratch(b: number, d: number, m: number, bn: boolean, s: BlockScratch): void {
  const key = `${b}:${d}:${m}:${bn}`;
  let free = scratchPool.get(key);
  if (!free) { free = []; scratchPool.set(key, free); }
  // Bounded: one set per block of the deepest network seen is all a step needs.
  if (free.length < 64) free.push(s);
}

/**
 * One decoder block as a single native kernel with its own gradient (tf.customGrad): the
 * step x − (β/t)(z − (z·Aᵀ)·A), z = sign(x), then BN. Gradients as the op graph gives them:
 * identity path to x (sign has zero gradient), products to A, the step's sum to β, BN's to γ, δ.
 */
function fusedBlock(x: tf.Tensor2D, v: L1aeVariables, t: number): tf.Tensor2D {
  const { addon } = nativeAddon();
  if (!addon) throw new Error('internal: fused ℓ1-AE block without the native addon');
  const [b, d] = x.shape;
  const m = v.a.shape[0]!;
  const bn = v.bnScale.length > 0;
  const forward = (xt: tf.Tensor, a: tf.Tensor, beta: tf.Tensor, gamma: tf.Tensor | null, shift: tf.Tensor | null, save: tf.GradSaveFunc) => {
    const c = beta.dataSync()[0]! / t;
    const sc = takeScratch(b, d, m, bn);
    const out = new Float32Array(b * d);
    addon.l1aeBlockForward(xt.dataSync() as Float32Array, a.dataSync() as Float32Array, b, d, m, c,
      gamma ? gamma.dataSync() as Float32Array : null, shift ? shift.dataSync() as Float32Array : null, BN_EPSILON, out, sc.w, sc.p, sc.xhat, sc.invstd);
    // The tensors the backward reads stay alive through the tape; the scratch lives in this closure.
    save([xt, a, beta, ...(gamma ? [gamma] : [])]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [sx, sa, sbeta, sg] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor?];
      const cc = sbeta.dataSync()[0]! / t;
      const dx = new Float32Array(b * d), dA = new Float32Array(m * d), dc = new Float32Array(1);
      const dgamma = bn ? new Float32Array(d) : null, dshift = bn ? new Float32Array(d) : null;
      addon.l1aeBlockBackward(dy.dataSync() as Float32Array, sx.dataSync() as Float32Array, sa.dataSync() as Float32Array, b, d, m, cc,
        sg ? sg.dataSync() as Float32Array : null, sc.xhat, sc.invstd, sc.w, sc.p, dx, dA, dc, dgamma, dshift, sc.z, sc.dp);
      returnScratch(b, d, m, bn, sc);
      const grads: tf.Tensor[] = [tf.tensor2d(dx, [b, d]), tf.tensor2d(dA, [m, d]), tf.scalar(dc[0]! / t)];
      if (dgamma && dshift) grads.push(tf.tensor1d(dgamma), tf.tensor1d(dshift));
      return grads;
    };
    return { value: tf.tensor2d(out, [b, d]), gradFunc };
  };
  if (bn) {
    const f = tf.customGrad(((xt: tf.Tensor, a: tf.Tensor, beta: tf.Tensor, gamma: tf.Tensor, shift: tf.Tensor, save: tf.GradSaveFunc) =>
      forward(xt, a, beta, gamma, shift, save)) as unknown as Parameters<typeof tf.customGrad>[0]);
    return f(x, v.a, v.beta, v.bnScale[t - 1]!, v.bnShift[t - 1]!) as tf.Tensor2D;
  }
  const f = tf.customGrad(((xt: tf.Tensor, a: tf.Tensor, beta: tf.Tensor, save: tf.GradSaveFunc) =>
    forward(xt, a, beta, null, null, save)) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, v.a, v.beta) as tf.Tensor2D;
}

/** Loss: mean over the batch of the squared reconstruction error ‖x − x̂‖². */
export function l1aeLoss(cfg: L1aeNetworkConfig, v: L1aeVariables, x: tf.Tensor2D): tf.Scalar {
  const xHat = l1aeDecode(cfg, v, l1aeEncode(v, x));
  return tf.mean(tf.sum(tf.squaredDifference(x, xHat), 1));
}

/**
 * The matrix products of one training step (forward + backward) by shape, each 2·b·d·m FLOPs:
 * - `xAt` (b×d · (m×d)ᵀ): encoder X·Aᵀ, z·Aᵀ in each block; backward dY = dx(1)·Aᵀ, dp = du·Aᵀ;
 * - `yA` (b×m · m×d): x(1) = Y·A, p·A in each block;
 * - `ytX` ((b×m)ᵀ · b×d): every dA: dYᵀ·X, Yᵀ·dx(1), and pᵀ·du, dpᵀ·z in each block.
 * (X carries no gradient and sign has none, so no other products arise.)
 */
export function l1aeStepMatmuls(depth: number): { xAt: number; yA: number; ytX: number } {
  return { xAt: 2 * (depth + 1), yA: depth + 1, ytX: 2 * depth + 3 };
}

/** Matrix-product FLOPs of one training step on a batch of b (see {@link l1aeStepMatmuls}). */
export function l1aeStepMatmulFlops(b: number, d: number, m: number, depth: number): number {
  const c = l1aeStepMatmuls(depth);
  return 2 * b * d * m * (c.xAt + c.yA + c.ytX);
}
