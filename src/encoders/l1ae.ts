/**
 * The ℓ1-AE label encoder (Wu et al., "Learning a Compressed Sensing Measurement Matrix via
 * Gradient Unrolling", ICML 2019): the network of l1ae_network.ts trained on ℓ2-normalised
 * label vectors; its encoder A gives the embeddings, its unrolled decoder the label scores.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Csr, densifyRowList, normalizeRowsL2 } from '../data/csr.js';
import { type ProgressFn } from '../progress.js';
import { Rng } from '../util/rng.js';
import { decodeChunks, encodeLinear, type EncoderState, type LabelEncoder, stateArray } from './encoder.js';
import { transposeDense } from '../linalg/dense.js';
import {
  createL1aeVariables, type L1aeBnStats, l1aeBnStats, l1aeDecode, l1aeDecodeInference, l1aeEncode, l1aeLoss, type L1aeNetworkConfig,
  type L1aeVariables, l1aeVariableList, usesBatchStats,
} from './l1ae_network.js';
import { encoderOptions, encoderParamDefaults } from './param_schema.js';
import { normalizedValidation, trainAutoencoder, type TrainHistory, type TrainLoopOptions, resolveLoop } from './train_loop.js';

/**
 * Network settings of an ℓ1-AE encoder (the network config without the data-given input size).
 */
export type L1aeShape = Omit<L1aeNetworkConfig, 'inputDim' | 'fused'>;

/** `shape` completed with the ℓ1-AE's schema defaults and, unless it names one, the loop's seed. */
function resolveShape(shape: Partial<L1aeShape> & { readonly embeddingDim: number }, seed: number): L1aeShape {
  const defaults = encoderOptions('l1ae', encoderParamDefaults('l1ae')) as Omit<L1aeShape, 'embeddingDim' | 'seed'>;
  return { ...defaults, seed, ...shape } as L1aeShape;
}

/** Rows whose statistics fix batch normalisation for inference, at most (and ≤ 2^25 / d). */
const BN_SAMPLE_ROWS = 4096;

export class L1aeEncoder implements LabelEncoder {
  readonly kind = 'l1ae' as const;
  readonly recoversMeasurements = true;

  private constructor(
    private readonly cfg: L1aeNetworkConfig,
    private readonly vars: L1aeVariables,
    private readonly bnStats: L1aeBnStats | null,
    private readonly aT: Float32Array,
  ) {}

  get nLabels(): number { return this.cfg.inputDim; }
  get dim(): number { return this.cfg.embeddingDim; }

  /**
   * Train on the label rows of `labels` (each row ℓ2-normalised first). Settings left out of
   * `shape` take the ℓ1-AE's parameter defaults (src/encoders/param_schema.ts: depth 10, no
   * batch normalisation, final ReLU, sign, tied decoder); the seed defaults to the loop's.
   * @example await L1aeEncoder.train(labels, { embeddingDim: 50 }, loop)
   */
  static async train(labels: Csr, shape: Partial<L1aeShape> & { readonly embeddingDim: number }, loopIn: Partial<TrainLoopOptions> = {}, onProgress?: ProgressFn): Promise<{
    /** The trained encoder. */
    encoder: L1aeEncoder;
    /** Training losses per epoch, the epoch kept, the time taken. */
    history: TrainHistory;
  }> {
    const loop = resolveLoop(loopIn);
    const cfg: L1aeNetworkConfig = { ...resolveShape(shape, loop.seed), inputDim: labels.nCols };
    const y = normalizeRowsL2(labels);
    const vars = createL1aeVariables(cfg);
    const list = l1aeVariableList(vars);
    const history = await trainAutoencoder(y, list, (x) => l1aeLoss(cfg, vars, x), { taskName: 'train ℓ1-AE', ...loop, ...normalizedValidation(loop) }, onProgress);
    return { encoder: L1aeEncoder.finish(cfg, vars, y, cfg.seed), history };
  }

  /** Fix the BN statistics on a seeded sample of the (normalised) training labels. */
  private static finish(cfg: L1aeNetworkConfig, vars: L1aeVariables, y: Csr, seed: number): L1aeEncoder {
    let stats: L1aeBnStats | null = null;
    if (usesBatchStats(cfg, vars)) {
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
  // Without BN, inference and training mode are the same function: l1aeDecode, which on
  // `native` runs all blocks as one native call.
  readonly decode = (z: Float32Array, n: number): Float32Array => decodeChunks(z, n, this.dim, this.nLabels, (y) =>
    (this.bnStats ? l1aeDecodeInference(this.cfg, this.vars, y, this.bnStats) : l1aeDecode(this.cfg, this.vars, y)));

  state(): EncoderState {
    const arrays: Record<string, Float32Array> = {};
    l1aeVariableList(this.vars).forEach((v, i) => { arrays[`var${i}`] = v.dataSync() as Float32Array; });
    this.bnStats?.mean.forEach((a, t) => { arrays[`bnMean${t}`] = a; });
    this.bnStats?.variance.forEach((a, t) => { arrays[`bnVar${t}`] = a; });
    const { inputDim: _d, ...config } = this.cfg;
    return { kind: this.kind, nLabels: this.nLabels, dim: this.dim, config: { ...config }, arrays };
  }

  /** Rebuild an encoder from what `state()` returned (e.g. after saving and loading); throws when the state is of another kind or an array has the wrong size. */
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
    if (usesBatchStats(cfg, vars)) {
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
