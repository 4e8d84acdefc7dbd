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
import { type L1aeDecoderNet, type NativeL1aeFused, nativeAddon } from '../engine/addon.js';
import { NATIVE_BACKEND } from '../engine/native_backend.js';
import { SUBGRADIENT_BETA, subgradientStepSize } from '../sensing/subgradient.js';
import { tfSeed } from '../util/rng.js';
import { InvalidArgumentError } from '../errors.js';

/** Shape and variations of the ℓ1-AE network (Wu et al., ICML 2019; the paper's Figure 3 ablations are switches). */
export interface L1aeNetworkConfig {
  /** Input dimension d. */
  readonly inputDim: number;
  /** Number of measurements m. */
  readonly embeddingDim: number;
  /** Unrolled blocks T (0: x̂ = ReLU(Aᵀy)). */
  readonly depth: number;
  /**
   * Normalisation in each block (default true): `true` is batch normalisation (batch statistics
   * while training, fixed statistics in inference, as in the paper); `'affine'` is only BN's learned
   * per-coordinate scale and shift, γ ⊙ x + δ — what the authors' TensorFlow code computes, since
   * it calls tf.layers.batch_normalization with its default training=False (moving mean 0 and
   * variance 1 that never update; the constant 1/√(1 + ε) is absorbed into γ). `false`: none.
   */
  readonly batchNorm?: boolean | 'affine';
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
  return nativeSignTied(cfg) && cfg.depth > 0 && cfg.batchNorm !== 'affine';
}

/** Whether the native kernels compute this network's blocks: fused on, `native`, sign steps, tied decoder. */
function nativeSignTied(cfg: L1aeNetworkConfig): boolean {
  return (cfg.fused ?? true) && tf.getBackend() === NATIVE_BACKEND && (cfg.activation ?? 'sign') === 'sign' && (cfg.decoderMatrix ?? 'tied') === 'tied';
}

/** Create the variables: A ~ N(0, 1/d), β = 1, γ = 1, δ = 0 (and B ~ N(0, 1/d) from a seed stream of its own). */
export function createL1aeVariables(cfg: L1aeNetworkConfig): L1aeVariables {
  const { inputDim: d, embeddingDim: m, depth } = cfg;
  if (!(Number.isInteger(d) && d > 0 && Number.isInteger(m) && m > 0 && Number.isInteger(depth) && depth >= 0)) {
    throw new InvalidArgumentError('createL1aeVariables', `createL1aeVariables(): need integers d > 0, m > 0, T >= 0 but got d=${d}, m=${m}, T=${depth}`);
  }
  const useBn = (cfg.batchNorm ?? true) !== false;
  return tf.tidy(() => ({
    a: tf.variable(tf.randomNormal([m, d], 0, 1 / Math.sqrt(d), 'float32', tfSeed(cfg.seed)), true, undefined, 'float32'),
    beta: tf.variable(tf.scalar(SUBGRADIENT_BETA), true),
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

/**
 * The decoder in inference mode on the native addon, without tensors: label scores (n × d) for
 * the embeddings `y` (n × m), `a` being A's values (m × d), or null when this network is not one
 * the kernel computes (BN, tanh, a learned decoder matrix, another backend, or an addon built
 * before the kernel existed) — then use {@link l1aeDecode}/{@link l1aeDecodeInference}. The same
 * function as theirs (equal up to float32 rounding: products are summed in another order). The
 * scores go to `out` (at least n × d entries) when given, else to a new array.
 */
export function l1aeDecodeRowsNative(cfg: L1aeNetworkConfig, v: L1aeVariables, a: Float32Array, beta: number, y: Float32Array, n: number, out?: Float32Array, bf16?: L1aeBf16Operands): Float32Array | null {
  if (!nativeSignTied(cfg) || v.bnScale.length > 0) return null;
  const { addon } = nativeAddon();
  if (typeof addon?.l1aeDecodeRows !== 'function') return null;
  const d = cfg.inputDim, m = cfg.embeddingDim;
  if (out && out.length < n * d) throw new InvalidArgumentError('l1aeDecodeRowsNative', `l1aeDecodeRowsNative(): out needs ${n} × ${d} entries but has ${out.length}`);
  out ??= new Float32Array(n * d);
  const args = { n, d, m, depth: cfg.depth, beta, a, y, out, relu: cfg.finalRelu ?? true };
  if (bf16 && addon.l1aeDecodeRowsBf16) addon.l1aeDecodeRowsBf16({ ...args, pa: bf16.pa, pt: bf16.pt });
  else addon.l1aeDecodeRows(args);
  return out;
}

/** A (m × d) as the bfloat16 operands of the decoder kernel (src/engine/native/l1ae_bf16.cc). */
export interface L1aeBf16Operands { readonly pa: Uint16Array; readonly pt: Uint16Array }

/**
 * A's values (m × d) packed for {@link l1aeDecodeRowsNative}'s bfloat16 products, or null where
 * the addon has no such kernel (built without AVX512-BF16, or before the kernel existed).
 */
export function packL1aeBf16(a: Float32Array, m: number, d: number): L1aeBf16Operands | null {
  const { addon } = nativeAddon();
  if (!addon?.l1aePackBf16 || !addon.l1aeDecodeRowsBf16) return null;
  const up16 = (v: number): number => Math.ceil(v / 16) * 16;
  const pa = new Uint16Array(Math.ceil(m / 2) * up16(d) * 2), pt = new Uint16Array(Math.ceil(d / 2) * up16(m) * 2);
  addon.l1aePackBf16(a, m, d, pa, pt);
  return { pa, pt };
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
  if (usesBatchStats(cfg, v) && (!stats || stats.mean.length !== cfg.depth || stats.variance.length !== cfg.depth)) {
    throw new InvalidArgumentError('l1aeDecodeInference', `l1aeDecodeInference(): need BN statistics for ${cfg.depth} blocks`);
  }
  return decodeGraph(cfg, v, y, stats ? { kind: 'fixed', stats } : { kind: 'batch' }) as tf.Tensor2D;
}

/** Whether the blocks normalise with batch statistics (BN proper, not the affine-only variant). */
export function usesBatchStats(cfg: L1aeNetworkConfig, v: L1aeVariables): boolean {
  return v.bnScale.length > 0 && cfg.batchNorm !== 'affine';
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
      let out: tf.Tensor2D = tf.sub(x, tf.mul(subgradientStepSize<tf.Tensor>(v.beta, t, (b, s) => tf.div(b, s)), proj));
      if (v.bnScale.length > 0 && cfg.batchNorm === 'affine') {
        out = tf.add(tf.mul(out, v.bnScale[t - 1]!), v.bnShift[t - 1]!);
      } else if (v.bnScale.length > 0) {
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
 * Buffers of the whole-decoder kernels for one forward pass and its backward pass: the state
 * the forward leaves for the backward (z_t as int8 signs, p_t = z_t·Aᵀ, and with BN the BN
 * input u_t with its μ_t, 1/σ_t) and scratch the backward reuses. Sets are reused through a
 * free list (a set returns once its backward has run), so a training step allocates no large
 * buffers for them; a forward pass without a backward simply lets its set be collected.
 */
interface DecoderScratch {
  readonly key: string;
  zs: Int8Array; p: Float32Array; u: Float32Array | null; mean: Float32Array | null; invstd: Float32Array | null;
  /** b × d: block inputs (forward), gradient ping-pong (backward). */
  xb0: Float32Array; xb1: Float32Array; zf: Float32Array;
  /** Loss only: x(1), the decoder's output, the residual r (b × d); Y (b × m). */
  x1: Float32Array | null; out: Float32Array | null; r: Float32Array | null; y: Float32Array | null;
}
const scratchPool = new Map<string, DecoderScratch[]>();

function takeScratch(b: number, d: number, m: number, depth: number, bn: boolean, loss: boolean): DecoderScratch {
  const key = `${b}:${d}:${m}:${depth}:${bn}:${loss}`;
  const f32 = (n: number): Float32Array => new Float32Array(n);
  const opt = (n: number): Float32Array | null => (loss ? f32(n) : null);
  return scratchPool.get(key)?.pop() ?? {
    key, zs: new Int8Array(depth * b * d), p: f32(depth * b * m),
    u: bn ? f32(depth * b * d) : null, mean: bn ? f32(depth * d) : null, invstd: bn ? f32(depth * d) : null,
    xb0: f32(b * d), xb1: f32(b * d), zf: f32(b * d),
    x1: opt(b * d), out: opt(b * d), r: opt(b * d), y: opt(b * m),
  };
}

function returnScratch(s: DecoderScratch): void {
  let free = scratchPool.get(s.key);
  if (!free) { free = []; scratchPool.set(s.key, free); }
  if (free.length < 4) free.push(s);
}

function requireAddon(what: string): NativeL1aeFused {
  const { addon } = nativeAddon();
  if (!addon) throw new Error(`internal: fused ℓ1-AE ${what} without the native addon`);
  return addon;
}

/** The kernels' view of the network: shapes, A, β, BN's parameters and the scratch's per-block state. */
function decoderNet(sc: DecoderScratch, b: number, d: number, m: number, depth: number, a: tf.Tensor, beta: tf.Tensor,
  gammas: tf.Tensor[], shifts: tf.Tensor[]): L1aeDecoderNet {
  const data = (t: tf.Tensor): Float32Array => t.dataSync() as Float32Array;
  return {
    b, d, m, depth, beta: data(beta)[0]!, a: data(a),
    gammas: gammas.length ? gammas.map(data) : null, shifts: shifts.length ? shifts.map(data) : null,
    zs: sc.zs, p: sc.p, u: sc.u, mean: sc.mean, invstd: sc.invstd,
  };
}

/** Gradient buffers of BN's scale and shift per block (null without BN). */
function bnGradBuffers(bn: boolean, depth: number, d: number): Float32Array[] | null {
  return bn ? Array.from({ length: depth }, () => new Float32Array(d)) : null;
}

/** The customGrad inputs (x, A, β, γ_1..γ_T, δ_1..δ_T, save) split by name. */
function splitArgs(args: unknown[], bn: boolean, depth: number): { save: tf.GradSaveFunc; x: tf.Tensor; a: tf.Tensor; beta: tf.Tensor; gammas: tf.Tensor[]; shifts: tf.Tensor[] } {
  const [x, a, beta] = args as [tf.Tensor, tf.Tensor, tf.Tensor];
  return {
    save: args[args.length - 1] as tf.GradSaveFunc, x, a, beta,
    gammas: bn ? (args.slice(3, 3 + depth) as tf.Tensor[]) : [], shifts: bn ? (args.slice(3 + depth, 3 + 2 * depth) as tf.Tensor[]) : [],
  };
}

/** The gradients a customGrad op over (x, A, β, γ_t…, δ_t…) returns, as tensors. */
function gradTensors(dx: Float32Array, b: number, d: number, dA: Float32Array, m: number, dBeta: number,
  dgammas: Float32Array[] | null, dshifts: Float32Array[] | null): tf.Tensor[] {
  return [tf.tensor2d(dx, [b, d]), tf.tensor2d(dA, [m, d]), tf.scalar(dBeta),
    ...(dgammas ?? []).map((g) => tf.tensor1d(g)), ...(dshifts ?? []).map((g) => tf.tensor1d(g))];
}

/**
 * All T decoder blocks as one op with its own gradient (tf.customGrad), forward and backward
 * each one native call (l1aeDecoderForward/Backward in src/engine/native/l1ae_fused.cc): the step
 * x − (β/t)(z − (z·Aᵀ)·A), z = sign(x), then BN. Gradients as the op graph gives them: identity
 * path to x (sign has zero gradient), products to A (summed over the blocks), the steps' sums
 * to β, BN's to γ_t, δ_t.
 */
function fusedBlocks(x1: tf.Tensor2D, v: L1aeVariables, depth: number): tf.Tensor2D {
  const addon = requireAddon('decoder');
  const [b, d] = x1.shape;
  const m = v.a.shape[0]!;
  const bn = v.bnScale.length > 0;
  const f = tf.customGrad(((...args: unknown[]) => {
    const { save, x, a, beta, gammas, shifts } = splitArgs(args, bn, depth);
    const sc = takeScratch(b, d, m, depth, bn, false);
    const out = new Float32Array(b * d);
    addon.l1aeDecoderForward({ ...decoderNet(sc, b, d, m, depth, a, beta, gammas, shifts), eps: BN_EPSILON,
      x1: x.dataSync() as Float32Array, xb0: sc.xb0, xb1: sc.xb1, zf: sc.zf, out });
    save([a, beta, ...gammas]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const dA = new Float32Array(m * d), dx = new Float32Array(b * d);
      const dgammas = bnGradBuffers(bn, depth, d), dshifts = bnGradBuffers(bn, depth, d);
      const dBeta = addon.l1aeDecoderBackward({ ...decoderNet(sc, b, d, m, depth, saved[0]!, saved[1]!, saved.slice(2), []),
        dy: dy.dataSync() as Float32Array, g0: sc.xb0, g1: sc.xb1, zf: sc.zf, dx1: dx, dA, dgammas, dshifts });
      returnScratch(sc);
      return gradTensors(dx, b, d, dA, m, dBeta, dgammas, dshifts);
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
 * The whole loss as one op on `native`: encoder Y = X·Aᵀ, x(1) = Y·A, the T blocks, the final
 * ReLU and the mean squared error, forward and backward in a few native calls, with the same
 * gradients as the op graph (checked in the tests).
 */
function fusedLoss(cfg: L1aeNetworkConfig, v: L1aeVariables, x: tf.Tensor2D): tf.Scalar {
  const addon = requireAddon('loss');
  const [b, d] = x.shape;
  const m = v.a.shape[0]!, depth = cfg.depth;
  const bn = v.bnScale.length > 0, relu = cfg.finalRelu ?? true;
  const f = tf.customGrad(((...args: unknown[]) => {
    const { save, x: xt, a, beta, gammas, shifts } = splitArgs(args, bn, depth);
    const xv = xt.dataSync() as Float32Array;
    const sc = takeScratch(b, d, m, depth, bn, true);
    // Y = X·Aᵀ, x(1) = Y·A, the blocks, r = x − x̂; loss = Σ r² / b.
    const sumSq = addon.l1aeDecoderForward({ ...decoderNet(sc, b, d, m, depth, a, beta, gammas, shifts), eps: BN_EPSILON,
      x1: sc.x1!, xb0: sc.xb0, xb1: sc.xb1, zf: sc.zf, out: sc.out!, target: xv, y: sc.y!, r: sc.r!, relu })!;
    save([xt, a, beta, ...gammas]);
    const gradFunc = (dyT: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const dX = new Float32Array(b * d), dA = new Float32Array(m * d);
      const dgammas = bnGradBuffers(bn, depth, d), dshifts = bnGradBuffers(bn, depth, d);
      // d loss / d x̂ = −2 r / b through the ReLU, d loss / d X = +2 r / b directly (the kernel's
      // loss mode). x1 is free once the forward pass is done: it holds the gradient at x̂. The
      // gradient at x(1) lands in xb1, which the kernel writes only in its last block.
      const dBeta = addon.l1aeDecoderBackward({ ...decoderNet(sc, b, d, m, depth, saved[1]!, saved[2]!, saved.slice(3), []),
        dy: sc.x1!, g0: sc.xb0, g1: sc.xb1, zf: sc.zf, dx1: sc.xb1, dA, dgammas, dshifts,
        x: saved[0]!.dataSync() as Float32Array, y: sc.y!, r: sc.r!, out: sc.out!, k: 2 * dyT.dataSync()[0]! / b, relu, dX });
      returnScratch(sc);
      return gradTensors(dX, b, d, dA, m, dBeta, dgammas, dshifts);
    };
    return { value: tf.scalar(sumSq / b), gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (f as unknown as (...t: tf.Tensor[]) => tf.Tensor)(x, v.a, v.beta, ...v.bnScale, ...v.bnShift) as tf.Scalar;
}

/**
 * The matrix products of one training step (forward + backward) as the fused native step
 * performs them, by shape, each 2·b·d·m FLOPs:
 * - `xAt` (b×d · (m×d)ᵀ): encoder X·Aᵀ and z·Aᵀ in each block; backward du·Aᵀ in each block
 *   (block 1's is also dY = dx(1)·Aᵀ);
 * - `yA` (b×m · m×d): x(1) = Y·A and p·A in each block; backward dY·A (the gradient at X);
 * - `ytX` ((b×m)ᵀ · b×d): the gradient of A: (c·p)ᵀ·du and dpᵀ·z in each block (Yᵀ·dx(1) folded
 *   into block 1's first one, as (Y + c·p)ᵀ·du), and dYᵀ·X.
 * (sign has zero gradient, so no other products arise.)
 */
export function l1aeStepMatmuls(depth: number): { xAt: number; yA: number; ytX: number } {
  return { xAt: 2 * depth + 1, yA: depth + 2, ytX: 2 * depth + 1 };
}

/** Matrix-product FLOPs of one training step on a batch of b (see {@link l1aeStepMatmuls}). */
export function l1aeStepMatmulFlops(b: number, d: number, m: number, depth: number): number {
  const c = l1aeStepMatmuls(depth);
  return 2 * b * d * m * (c.xAt + c.yA + c.ytX);
}
