/**
 * The ℓ1-AE label encoder (Wu et al., "Learning a Compressed Sensing Measurement Matrix via
 * Gradient Unrolling", ICML 2019): the network of l1ae_network.ts trained on ℓ2-normalised
 * label vectors; its encoder A gives the embeddings, its unrolled decoder the label scores.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Csr, densifyRowList, normalizeRowsL2 } from '../data/csr.js';
import { nativeAddon } from '../engine/addon.js';
import { NATIVE_BACKEND } from '../engine/native_backend.js';
import { tidyData } from '../engine/tidy_data.js';
import { type ProgressFn } from '../progress.js';
import { Rng } from '../util/rng.js';
import { encodeLinear, type EncoderState, type LabelEncoder, stateArray, transposeDense } from './encoder.js';
import {
  createL1aeVariables, type L1aeBnStats, l1aeBnStats, l1aeDecodeInference, l1aeEncode, l1aeLoss, type L1aeNetworkConfig,
  type L1aeVariables, l1aeVariableList,
} from './l1ae_network.js';
import { trainAutoencoder, type TrainHistory, type TrainLoopOptions } from './train_loop.js';

/** Network settings of an ℓ1-AE encoder (the network config without the data-given input size). */
export type L1aeShape = Omit<L1aeNetworkConfig, 'inputDim' | 'fused'>;

/** Rows whose statistics fix batch normalisation for inference, at most (and ≤ 2^25 / d). */
const BN_SAMPLE_ROWS = 4096;
/** Rows decoded per tfjs call. */
const DECODE_CHUNK = 1024;

export class L1aeEncoder implements LabelEncoder {
  readonly kind = 'l1ae' as const;

  private constructor(
    private readonly cfg: L1aeNetworkConfig,
    private readonly vars: L1aeVariables,
    private readonly bnStats: L1aeBnStats | null,
    private readonly aT: Float32Array,
  ) {}

  get nLabels(): number { return this.cfg.inputDim; }
  get dim(): number { return this.cfg.embeddingDim; }

  /** Train on the label rows of `labels` (each row ℓ2-normalised first). */
  static async train(labels: Csr, shape: L1aeShape, loop: TrainLoopOptions, onProgress?: ProgressFn): Promise<{ encoder: L1aeEncoder; history: TrainHistory }> {
    const cfg: L1aeNetworkConfig = { ...shape, inputDim: labels.nCols };
    const y = normalizeRowsL2(labels);
    const vars = createL1aeVariables(cfg);
    const list = l1aeVariableList(vars);
    const history = await trainAutoencoder(y, list, (x) => l1aeLoss(cfg, vars, x), { taskName: 'train ℓ1-AE', ...loop }, onProgress);
    return { encoder: L1aeEncoder.finish(cfg, vars, y, shape.seed), history };
  }

  /** Fix the BN statistics on a seeded sample of the (normalised) training labels. */
  private static finish(cfg: L1aeNetworkConfig, vars: L1aeVariables, y: Csr, seed: number): L1aeEncoder {
    let stats: L1aeBnStats | null = null;
    if (vars.bnScale.length > 0) {
      const rows = Int32Array.from({ length: y.nRows }, (_, i) => i);
      new Rng(seed ^ 0x2545f491).shuffle(rows);
      const n = Math.max(1, Math.min(y.nRows, BN_SAMPLE_ROWS, Math.floor(2 ** 25 / cfg.inputDim)));
      const x = tf.tensor2d(densifyRowList(y, rows, 0, n), [n, cfg.inputDim]);
      const z = l1aeEncode(vars, x);
      stats = l1aeBnStats(cfg, vars, z);
      tf.dispose([x, z]);
    }
    return new L1aeEncoder(cfg, vars, stats, transposeDense(vars.a.dataSync() as Float32Array, cfg.embeddingDim, cfg.inputDim));
  }

  encode(labels: Csr): Float32Array {
    return encodeLinear(labels, this.aT, this.nLabels, this.dim);
  }

  /** The unrolled decoder in inference mode on every row of `z` (n × m). */
  readonly decode = (z: Float32Array, n: number): Float32Array => {
    const { embeddingDim: m, inputDim: d } = this.cfg;
    if (z.length !== n * m) throw new RangeError(`decode(): expected ${n} × ${m} embeddings but got ${z.length} values`);
    const out = new Float32Array(n * d);
    const lean = this.leanDecoder();
    for (let s = 0; s < n; s += DECODE_CHUNK) {
      const e = Math.min(n, s + DECODE_CHUNK);
      if (lean) {
        lean(z.subarray(s * m, e * m), e - s, out.subarray(s * d, e * d));
        continue;
      }
      out.set(tidyData(() => l1aeDecodeInference(this.cfg, this.vars, tf.tensor2d(z.subarray(s * m, e * m), [e - s, m]), this.bnStats)), s * d);
    }
    return out;
  };

  /**
   * On `native`, without BN and with the default sign / tied decoder: the blocks straight through
   * the native block kernel, two buffers reused (no intermediates kept for a backward pass).
   * Same arithmetic as the op graph (tested).
   */
  private leanDecoder(): ((z: Float32Array, b: number, out: Float32Array) => void) | null {
    const { addon } = nativeAddon();
    const cfg = this.cfg as L1aeNetworkConfig & { activation?: string; decoderMatrix?: string };
    if (!addon || tf.getBackend() !== NATIVE_BACKEND || this.vars.bnScale.length > 0 || cfg.depth === 0
      || (cfg.activation ?? 'sign') !== 'sign' || (cfg.decoderMatrix ?? 'tied') !== 'tied') return null;
    const { embeddingDim: m, inputDim: d, depth } = cfg;
    const a = this.vars.a.dataSync() as Float32Array, beta = this.vars.beta.dataSync()[0]!;
    const relu = cfg.finalRelu ?? true;
    return (z, b, out) => {
      let x = new Float32Array(b * d), next = new Float32Array(b * d);
      const w = new Float32Array(b * d), p = new Float32Array(b * m), zs = new Float32Array(b * d);
      addon.sgemmBatched(1, false, false, b, d, m, 1, z, 0, a, 0, 0, x, 0); // x(1) = z·A
      for (let t = 1; t <= depth; t++) {
        addon.l1aeBlockForward(x, a, b, d, m, beta / t, null, null, 0, next, w, p, null, null, zs);
        [x, next] = [next, x];
      }
      for (let i = 0; i < b * d; i++) out[i] = relu && !(x[i]! > 0) ? 0 : x[i]!;
    };
  }

  state(): EncoderState {
    const arrays: Record<string, Float32Array> = {};
    l1aeVariableList(this.vars).forEach((v, i) => { arrays[`var${i}`] = v.dataSync() as Float32Array; });
    this.bnStats?.mean.forEach((a, t) => { arrays[`bnMean${t}`] = a; });
    this.bnStats?.variance.forEach((a, t) => { arrays[`bnVar${t}`] = a; });
    const { inputDim: _d, ...config } = this.cfg;
    return { kind: this.kind, nLabels: this.nLabels, dim: this.dim, config: { ...config }, arrays };
  }

  /** Rebuild from {@link state}. */
  static fromState(state: EncoderState): L1aeEncoder {
    const cfg = { ...(state.config as unknown as L1aeShape), inputDim: state.nLabels } as L1aeNetworkConfig;
    const vars = createL1aeVariables(cfg);
    const list = l1aeVariableList(vars);
    list.forEach((v, i) => {
      const t = tf.tensor(stateArray(state, `var${i}`, v.size), v.shape, 'float32');
      v.assign(t);
      t.dispose();
    });
    let stats: L1aeBnStats | null = null;
    if (vars.bnScale.length > 0) {
      const d = cfg.inputDim;
      stats = {
        mean: Array.from({ length: cfg.depth }, (_, t) => stateArray(state, `bnMean${t}`, d)),
        variance: Array.from({ length: cfg.depth }, (_, t) => stateArray(state, `bnVar${t}`, d)),
      };
    }
    return new L1aeEncoder(cfg, vars, stats, transposeDense(vars.a.dataSync() as Float32Array, cfg.embeddingDim, cfg.inputDim));
  }

  dispose(): void {
    tf.dispose(l1aeVariableList(this.vars));
  }
}
