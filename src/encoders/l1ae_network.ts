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
import { type NativeAddon, nativeAddon } from '../engine/addon.js';
import { NATIVE_BACKEND } from '../engine/native_backend.js';
import { tfSeed } from '../util/rng.js';

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
  /** `sign` (the paper's; zero gradient) or `tanh` (its smooth variant, with its gradient) in every block. */
  readonly activation?: 'sign' | 'tanh';
  /**
   * `tied`: the decoder uses Aᵀ (the paper's); `learned`: a separate matrix B (m × d, initialised
   * like A from its own seed stream) in its place: x(1) = Bᵀy, blocks z − Bᵀ(A·z).
   */
  readonly decoderMatrix?: 'tied' | 'learned';
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
  /** The learned decoder matrix B (m × d) when `decoderMatrix` is `learned`. */
  readonly b?: tf.Variable;
}

/** Whether the network is the paper's default shape (sign, tied), which the fused native kernels implement. */
function fusable(cfg: L1aeNetworkConfig): boolean {
  return (cfg.fused ?? true) && tf.getBackend() === NATIVE_BACKEND && cfg.depth > 0
    && (cfg.activation ?? 'sign') === 'sign' && (cfg.decoderMatrix ?? 'tied') === 'tied';
}

/** Create the variables: A ~ N(0, 1/d), β = 1, γ = 1, δ = 0 (and B ~ N(0, 1/d) from a seed stream of its own). */
export function createL1aeVariables(cfg: L1aeNetworkConfig): L1aeVariables {
  const { inputDim: d, embeddingDim: m, depth } = cfg;
  if (!(Number.isInteger(d) && d > 0 && Number.isInteger(m) && m > 0 && Number.isInteger(depth) && depth >= 0)) {
    throw new RangeError(`createL1aeVariables(): need integers d > 0, m > 0, T >= 0 but got d=${d}, m=${m}, T=${depth}`);
  }
  const useBn = cfg.batchNorm ?? true;
  return tf.tidy(() => ({
    a: tf.variable(tf.randomNormal([m, d], 0, 1 / Math.sqrt(d), 'float32', tfSeed(cfg.seed)), true, undefined, 'float32'),
    beta: tf.variable(tf.scalar(1), true),
    bnScale: useBn ? Array.from({ length: depth }, () => tf.variable(tf.ones([d]), true)) : [],
    bnShift: useBn ? Array.from({ length: depth }, () => tf.variable(tf.zeros([d]), true)) : [],
    // A negative tfjs seed never equals A's (positive) one.
    ...(cfg.decoderMatrix === 'learned' ? { b: tf.variable(tf.randomNormal([m, d], 0, 1 / Math.sqrt(d), 'float32', -tfSeed(cfg.seed)), true, undefined, 'float32') } : {}),
  }));
}

/** Every variable, for an optimizer's var list. */
export function l1aeVariableList(v: L1aeVariables): tf.Variable[] {
  return [v.a, v.beta, ...v.bnScale, ...v.bnShift, ...(v.b ? [v.b] : [])];
}

/** Encoder: Y = X·Aᵀ (b × m) for a batch X (b × d). */
export function l1aeEncode(v: L1aeVariables, x: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(x, v.a, false, true);
}

/**
 * Decoder in training mode (batch statistics in BN): X̂ (b × d) from Y (b × m).
 */
export function l1aeDecode(cfg: L1aeNetworkConfig, v: L1aeVariables, y: tf.Tensor2D): tf.Tensor {
  if (fusable(cfg)) {
    const x = fusedBlocks(tf.matMul(y, v.a), v, cfg.depth);
    return (cfg.finalRelu ?? true) ? tf.relu(x) : x;
  }
  return decodeGraph(cfg, v, y, { kind: 'batch' });
}

/** Batch-norm statistics of every block (mean and variance of its input over the data, each of length d). */
export interface L1aeBnStats { readonly mean: Float32Array[]; readonly variance: Float32Array[] }

/**
 * The BN statistics of every block on `y`: the batch moments the training-mode decoder uses,
 * block by block. Over a large sample of training embeddings these are the population
 * statistics for inference ("precise BN", Wu & Johnson, "Rethinking 'Batch' in BatchNorm", 2021).
 */
export function l1aeBnStats(cfg: L1aeNetworkConfig, v: L1aeVariables, y: tf.Tensor2D): L1aeBnStats {
  const out = { mean: [] as Float32Array[], variance: [] as Float32Array[] };
  tf.tidy(() => { decodeGraph(cfg, v, y, { kind: 'record', out }); });
  return out;
}

/**
 * Decoder in inference mode: BN with fixed statistics (from {@link l1aeBnStats}), so a point's
 * output does not depend on the rest of its batch. Without BN in the network, `stats` is unused.
 */
export function l1aeDecodeInference(cfg: L1aeNetworkConfig, v: L1aeVariables, y: tf.Tensor2D, stats: L1aeBnStats | null): tf.Tensor2D {
  if (v.bnScale.length > 0 && (!stats || stats.mean.length !== cfg.depth || stats.variance.length !== cfg.depth)) {
    throw new RangeError(`l1aeDecodeInference(): need BN statistics for ${cfg.depth} blocks`);
  }
  return decodeGraph(cfg, v, y, stats ? { kind: 'fixed', stats } : { kind: 'batch' }) as tf.Tensor2D;
}

type BnMode = { kind: 'batch' } | { kind: 'fixed'; stats: L1aeBnStats } | { kind: 'record'; out: { mean: Float32Array[]; variance: Float32Array[] } };

/** The decoder as an op graph (every backend), BN per `mode`. */
function decodeGraph(cfg: L1aeNetworkConfig, v: L1aeVariables, y: tf.Tensor2D, mode: BnMode): tf.Tensor {
  const dec = v.b ?? v.a; // Aᵀ, or the learned B in its place
  let x: tf.Tensor2D = tf.matMul(y, dec); // x(1) = Aᵀy
  for (let t = 1; t <= cfg.depth; t++) {
    const block = (): tf.Tensor2D => {
      const z = cfg.activation === 'tanh' ? tf.tanh(x) : tf.sign(x);
      // (I − AᵀA)·z = z − Aᵀ(A·z)
      const proj = tf.sub(z, tf.matMul(tf.matMul(z, v.a, false, true), dec));
      let out: tf.Tensor2D = tf.sub(x, tf.mul(tf.div(v.beta, t), proj));
      if (v.bnScale.length > 0) {
        let mean: tf.Tensor, variance: tf.Tensor;
        if (mode.kind === 'fixed') {
          mean = tf.tensor1d(mode.stats.mean[t - 1]!);
          variance = tf.tensor1d(mode.stats.variance[t - 1]!);
        } else {
          ({ mean, variance } = tf.moments(out, 0));
          if (mode.kind === 'record') {
            mode.out.mean.push(Float32Array.from(mean.dataSync()));
            mode.out.variance.push(Float32Array.from(variance.dataSync()));
          }
        }
        out = tf.batchNorm(out, mean, variance, v.bnShift[t - 1]!, v.bnScale[t - 1]!, BN_EPSILON) as tf.Tensor2D;
      }
      return out;
    };
    if (mode.kind === 'batch') {
      x = block(); // the gradient tape needs every intermediate
    } else {
      // No gradients: free each block's intermediates at once (T blocks of b × d tensors add up).
      const prev = x;
      x = tf.tidy(block);
      prev.dispose();
    }
  }
  return (cfg.finalRelu ?? true) ? tf.relu(x) : x;
}

/**
 * Scratch state the fused decoder keeps from its forward pass for its backward pass: every
 * block's input x(t), z = sign(x(t)), w = z − q, p = z·Aᵀ, BN's x̂ and 1/σ, and the backward's
 * scratch (dp, two gradient buffers). Sets are reused through a free list (a set returns
 * once its backward has run), so a training step allocates no new large buffers for them; a
 * forward pass without a backward simply lets its set be garbage-collected.
 */
interface DecoderScratch {
  xs: Float32Array[]; z: Float32Array[]; w: Float32Array[]; p: Float32Array[]; xhat: (Float32Array | null)[]; invstd: (Float32Array | null)[];
  dp: Float32Array; g0: Float32Array; g1: Float32Array;
}
const scratchPool = new Map<string, DecoderScratch[]>();

function takeScratch(b: number, d: number, m: number, depth: number, bn: boolean): DecoderScratch {
  const free = scratchPool.get(`${b}:${d}:${m}:${depth}:${bn}`);
  const f32 = (n: number): Float32Array => new Float32Array(n);
  return free?.pop() ?? {
    xs: Array.from({ length: depth }, () => f32(b * d)), z: Array.from({ length: depth }, () => f32(b * d)),
    w: Array.from({ length: depth }, () => f32(b * d)),
    p: Array.from({ length: depth }, () => f32(b * m)),
    xhat: Array.from({ length: depth }, () => (bn ? f32(b * d) : null)), invstd: Array.from({ length: depth }, () => (bn ? f32(d) : null)),
    dp: f32(b * m), g0: f32(b * d), g1: f32(b * d),
  };
}

function returnScratch(b: number, d: number, m: number, depth: number, bn: boolean, s: DecoderScratch): void {
  const key = `${b}:${d}:${m}:${depth}:${bn}`;
  let free = scratchPool.get(key);
  if (!free) { free = []; scratchPool.set(key, free); }
  if (free.length < 4) free.push(s);
}

/** Blocks 1..T forward from sc.xs[0]; block T writes `out`. */
function blocksForward(addon: NativeAddon, sc: DecoderScratch, av: Float32Array, b: number, d: number, m: number, depth: number,
  beta: number, gammas: tf.Tensor[], shifts: tf.Tensor[], out: Float32Array): void {
  for (let t = 1; t <= depth; t++) {
    addon.l1aeBlockForward(sc.xs[t - 1]!, av, b, d, m, beta / t,
      gammas.length ? gammas[t - 1]!.dataSync() as Float32Array : null, shifts.length ? shifts[t - 1]!.dataSync() as Float32Array : null, BN_EPSILON,
      t === depth ? out : sc.xs[t]!, sc.w[t - 1]!, sc.p[t - 1]!, sc.xhat[t - 1]!, sc.invstd[t - 1]!, sc.z[t - 1]!);
  }
}

/**
 * Back through blocks T..1 from the gradient `gIn` at block T's output. dA (m × d) receives the
 * blocks' contributions (added to what it holds). Each block writes its input gradient into
 * whichever of `pingPong` is not its own input, block 1 into `finalDx` when given.
 * @returns the gradient at x(1), dβ, and BN's dγ_t, dδ_t.
 */
function blocksBackward(addon: NativeAddon, sc: DecoderScratch, sa: Float32Array, b: number, d: number, m: number, depth: number,
  beta: number, gammas: tf.Tensor[], gIn: Float32Array, dA: Float32Array, accumulate: boolean,
  pingPong: [Float32Array, Float32Array], finalDx?: Float32Array): { dx: Float32Array; dBeta: number; dgammas: Float32Array[]; dshifts: Float32Array[] } {
  const bn = gammas.length > 0;
  const dc = new Float32Array(1);
  const dgammas: Float32Array[] = [], dshifts: Float32Array[] = [];
  let dBeta = 0;
  for (let t = depth; t >= 1; t--) {
    const dx = t === 1 && finalDx ? finalDx : (gIn === pingPong[0] ? pingPong[1] : pingPong[0]);
    const dg = bn ? new Float32Array(d) : null, ds = bn ? new Float32Array(d) : null;
    addon.l1aeBlockBackward(gIn, sc.xs[t - 1]!, sa, b, d, m, beta / t,
      bn ? gammas[t - 1]!.dataSync() as Float32Array : null, sc.xhat[t - 1]!, sc.invstd[t - 1]!, sc.w[t - 1]!, sc.p[t - 1]!,
      dx, dA, dc, dg, ds, sc.z[t - 1]!, sc.dp, accumulate || t !== depth, true);
    dBeta += dc[0]! / t;
    if (dg && ds) { dgammas[t - 1] = dg; dshifts[t - 1] = ds; }
    gIn = dx;
  }
  return { dx: gIn, dBeta, dgammas, dshifts };
}

/**
 * All T decoder blocks as one op with its own gradient (tf.customGrad), each block one native
 * kernel: the step x − (β/t)(z − (z·Aᵀ)·A), z = sign(x), then BN. Gradients as the op graph
 * gives them: identity path to x (sign has zero gradient), products to A (summed over the
 * blocks in place), the steps' sums to β, BN's to γ_t, δ_t.
 */
function fusedBlocks(x1: tf.Tensor2D, v: L1aeVariables, depth: number): tf.Tensor2D {
  const { addon } = nativeAddon();
  if (!addon) throw new Error('internal: fused ℓ1-AE decoder without the native addon');
  const [b, d] = x1.shape;
  const m = v.a.shape[0]!;
  const bn = v.bnScale.length > 0;
  const f = tf.customGrad(((...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [xt, a, beta] = args as [tf.Tensor, tf.Tensor, tf.Tensor];
    const gammas = bn ? (args.slice(3, 3 + depth) as tf.Tensor[]) : [];
    const shifts = bn ? (args.slice(3 + depth, 3 + 2 * depth) as tf.Tensor[]) : [];
    const betaValue = beta.dataSync()[0]!;
    const av = a.dataSync() as Float32Array;
    const sc = takeScratch(b, d, m, depth, bn);
    sc.xs[0]!.set(xt.dataSync() as Float32Array);
    const out = new Float32Array(b * d);
    blocksForward(addon, sc, av, b, d, m, depth, betaValue, gammas, shifts, out);
    // The tensors the backward reads stay alive through the tape; the scratch lives in this closure.
    save([a, beta, ...gammas]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const dA = new Float32Array(m * d);
      // Block 1 writes the gradient that leaves the op: a fresh array.
      const { dx, dBeta, dgammas, dshifts } = blocksBackward(addon, sc, saved[0]!.dataSync() as Float32Array, b, d, m, depth,
        saved[1]!.dataSync()[0]!, saved.slice(2), dy.dataSync() as Float32Array, dA, false, [sc.g0, sc.g1], new Float32Array(b * d));
      returnScratch(b, d, m, depth, bn, sc);
      return [tf.tensor2d(dx, [b, d]), tf.tensor2d(dA, [m, d]), tf.scalar(dBeta),
        ...dgammas.map((g) => tf.tensor1d(g)), ...dshifts.map((g) => tf.tensor1d(g))];
    };
    return { value: tf.tensor2d(out, [b, d]), gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (f as unknown as (...t: tf.Tensor[]) => tf.Tensor)(x1, v.a, v.beta, ...v.bnScale, ...v.bnShift) as tf.Tensor2D;
}

/** Loss: mean over the batch of the squared reconstruction error ‖x − x̂‖². */
export function l1aeLoss(cfg: L1aeNetworkConfig, v: L1aeVariables, x: tf.Tensor2D): tf.Scalar {
  if (fusable(cfg)) return fusedLoss(cfg, v, x);
  const xHat = l1aeDecode(cfg, v, l1aeEncode(v, x));
  return tf.mean(tf.sum(tf.squaredDifference(x, xHat), 1));
}

/**
 * The whole loss as one op on `native`: encoder Y = X·Aᵀ, x(1) = Y·A, the T fused blocks, the
 * final ReLU and the mean squared error, forward and backward in native calls, with the same
 * gradients as the op graph (checked in the tests).
 */
function fusedLoss(cfg: L1aeNetworkConfig, v: L1aeVariables, x: tf.Tensor2D): tf.Scalar {
  const { addon } = nativeAddon();
  if (!addon) throw new Error('internal: fused ℓ1-AE loss without the native addon');
  const [b, d] = x.shape;
  const m = v.a.shape[0]!, depth = cfg.depth;
  const bn = v.bnScale.length > 0, relu = cfg.finalRelu ?? true;
  const f = tf.customGrad(((...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [xt, a, beta] = args as [tf.Tensor, tf.Tensor, tf.Tensor];
    const gammas = bn ? (args.slice(3, 3 + depth) as tf.Tensor[]) : [];
    const shifts = bn ? (args.slice(3 + depth, 3 + 2 * depth) as tf.Tensor[]) : [];
    const xv = xt.dataSync() as Float32Array, av = a.dataSync() as Float32Array, betaValue = beta.dataSync()[0]!;
    const sc = takeScratch(b, d, m, depth, bn);
    const y = new Float32Array(b * m), out = new Float32Array(b * d);
    addon.sgemmBatched(1, false, true, b, m, d, 1, xv, 0, av, 0, 0, y, 0);          // Y = X·Aᵀ
    addon.sgemmBatched(1, false, false, b, d, m, 1, y, 0, av, 0, 0, sc.xs[0]!, 0);  // x(1) = Y·A
    blocksForward(addon, sc, av, b, d, m, depth, betaValue, gammas, shifts, out);
    // r = x − x̂ (kept for the backward pass in g1), loss = Σ r² / b.
    const r = sc.g1;
    let loss = 0;
    for (let i = 0; i < b * d; i++) {
      const o = out[i]!;
      const ri = xv[i]! - (relu && !(o > 0) ? 0 : o);
      r[i] = ri;
      loss += ri * ri;
    }
    save([xt, a, beta, ...gammas]);
    const gradFunc = (dyT: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const g = dyT.dataSync()[0]!;
      const sa = saved[1]!.dataSync() as Float32Array, bv = saved[2]!.dataSync()[0]!;
      const sx = saved[0]!.dataSync() as Float32Array;
      // d loss / d out = −2 r / b (through the ReLU where out > 0); dX gets +2 r / b directly.
      const dOut = sc.g0, dX = new Float32Array(b * d), k = 2 * g / b;
      for (let i = 0; i < b * d; i++) {
        const ri = r[i]! * k;
        dX[i] = ri;
        dOut[i] = relu && !(out[i]! > 0) ? 0 : -ri;
      }
      const dA = new Float32Array(m * d);
      // Ping-pong between out (no longer needed) and g1 (r, consumed above).
      const { dx: gIn, dBeta, dgammas, dshifts } = blocksBackward(addon, sc, sa, b, d, m, depth, bv, saved.slice(3), dOut, dA, false, [out, sc.g1]);
      // x(1) = Y·A: dA += Yᵀ·dx(1), dY = dx(1)·Aᵀ; Y = X·Aᵀ: dA += dYᵀ·X, dX += dY·A.
      const dY = sc.dp; // b × m scratch, free once the blocks are done
      addon.sgemmBatched(1, true, false, m, d, b, 1, y, 0, gIn, 0, 1, dA, 0);
      addon.sgemmBatched(1, false, true, b, m, d, 1, gIn, 0, sa, 0, 0, dY, 0);
      addon.sgemmBatched(1, true, false, m, d, b, 1, dY, 0, sx, 0, 1, dA, 0);
      addon.sgemmBatched(1, false, false, b, d, m, 1, dY, 0, sa, 0, 1, dX, 0);
      returnScratch(b, d, m, depth, bn, sc);
      return [tf.tensor2d(dX, [b, d]), tf.tensor2d(dA, [m, d]), tf.scalar(dBeta),
        ...dgammas.map((q) => tf.tensor1d(q)), ...dshifts.map((q) => tf.tensor1d(q))];
    };
    return { value: tf.scalar(loss / b), gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (f as unknown as (...t: tf.Tensor[]) => tf.Tensor)(x, v.a, v.beta, ...v.bnScale, ...v.bnShift) as tf.Scalar;
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
