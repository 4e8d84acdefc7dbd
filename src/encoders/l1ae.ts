/**
 * The ℓ1-AE label encoder (Wu et al., "Learning a Compressed Sensing Measurement Matrix via
 * Gradient Unrolling", ICML 2019): the network of l1ae_network.ts trained on ℓ2-normalised
 * label vectors; its encoder A gives the embeddings, its unrolled decoder the label scores.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Csr, densifyRowList, normalizeRowsL2, selectRows } from '../data/csr.js';
import { ParamsError } from '../errors.js';
import { type ProgressFn, task } from '../progress.js';
import { Rng } from '../util/rng.js';
import { checkEmbeddings, decodeChunks, encodeLinear, type EncoderState, type LabelEncoder, stateArray } from './encoder.js';
import { transposeDense } from '../linalg/dense.js';
import { topRightSingularVectors } from '../linalg/randomized_svd.js';
import {
  createL1aeVariables, type L1aeBnStats, l1aeBnStats, l1aeDecode, l1aeDecodeInference, l1aeDecodeRowsNative, l1aeEncode, type L1aeBf16Operands, packL1aeBf16, l1aeLoss, type L1aeNetworkConfig,
  type L1aeVariables, l1aeVariableList, usesBatchStats,
} from './l1ae_network.js';
import { encoderOptions, encoderParamDefaults } from './param_schema.js';
import { type LrSchedule, meanLoss, normalizedValidation, splitRows, trainAutoencoder, type TrainHistory, type TrainLoopOptions, resolveLoop } from './train_loop.js';

/**
 * Network settings of an ℓ1-AE encoder (the network config without the data-given input size).
 */
export type L1aeShape = Omit<L1aeNetworkConfig, 'inputDim' | 'fused'>;

/** How the ℓ1-AE is trained, beyond the loop's settings (not part of the saved network). */
export interface L1aeTraining {
  /**
   * `pca`: A starts as the top-m principal directions of the (ℓ2-normalised) training label rows,
   * the PCA encoder's A; `random`: A ~ N(0, 1/d), the paper's initialisation.
   */
  readonly warmStart: 'pca' | 'random';
  /**
   * Epochs E of a warm-up + cosine learning-rate schedule (train_loop.ts, scheduledLearningRate)
   * with the loop's rate as its peak; training ends after them. 0: the loop's constant rate for its epochs.
   */
  readonly scheduleEpochs: number;
  /** Warm-up epochs W of that schedule (W < E). */
  readonly warmupEpochs: number;
}

/** The keys of {@link L1aeTraining} (the rest of the ℓ1-AE's options are network settings). */
const TRAINING_KEYS = ['warmStart', 'scheduleEpochs', 'warmupEpochs'] as const;

/**
 * `shape` completed with the ℓ1-AE's schema defaults and, unless it names one, the loop's seed;
 * split into the network's settings and the training settings.
 */
function resolveShape(shape: Partial<L1aeShape & L1aeTraining> & { readonly embeddingDim: number }, seed: number): { net: L1aeShape; training: L1aeTraining } {
  const all: Record<string, unknown> = { ...encoderOptions('l1ae', encoderParamDefaults('l1ae')), seed, ...shape };
  const training = Object.fromEntries(TRAINING_KEYS.map((k) => [k, all[k]])) as unknown as L1aeTraining;
  for (const k of TRAINING_KEYS) delete all[k];
  return { net: all as unknown as L1aeShape, training };
}

/** The rows of `y` the loop trains on (in order): all of them when it has its own validation data, else its split's. */
function loopTrainRows(y: Csr, loop: TrainLoopOptions): Csr {
  return loop.validationData ? y : selectRows(y, splitRows(y.nRows, loop.validationFraction, loop.seed).train.sort());
}

/** The loop's learning-rate schedule for `training` (none when its schedule has 0 epochs). */
function scheduleOf(training: L1aeTraining): { schedule?: LrSchedule } {
  if (training.scheduleEpochs > 0 && training.warmupEpochs >= training.scheduleEpochs) {
    throw new ParamsError(`parameter 'warmupEpochs' must be less than 'scheduleEpochs' (${training.scheduleEpochs}) but got ${training.warmupEpochs}`);
  }
  return training.scheduleEpochs > 0 ? { schedule: { warmupEpochs: training.warmupEpochs, epochs: training.scheduleEpochs } } : {};
}

/**
 * Step sizes β the PCA warm start chooses from: 0 (the decoder is then the PCA reconstruction
 * ReLU(AᵀA·y)) and 2^−k, k = 0…10 (1 is the paper's initial β).
 */
export const WARM_START_BETAS: readonly number[] = Object.freeze([...Array.from({ length: 11 }, (_, k) => 2 ** -k), 0]);

/**
 * Rows of the training labels the warm start's β is chosen on, at most (evenly spaced): 2048,
 * and fewer for many labels, so that rows × labels stays within 2^23 (each of the 12 β costs a
 * decoder pass over those rows: 42·m·L flops a row; Wiki10-31K's 30,938 labels get 271 rows).
 */
const WARM_START_ROWS = 2048, WARM_START_ENTRIES = 2 ** 23;

/**
 * The variables training starts from: the paper's random initialisation, or with `warmStart:
 * 'pca'` A (and a learned decoder B) set to the top-m right singular vectors of `trainRows`
 * (ℓ2-normalised label rows; the rows the loop trains on, so the validation rows stay unseen), as
 * {@link LinearEncoder.pca} computes them with `cfg.seed`, and β the value of
 * {@link WARM_START_BETAS} with the lowest loss on (up to 2048 of) those rows. Why β: at the
 * paper's β = 1 each block adds a dense step of norm ≈ β/t·√d, which for thousands of labels
 * costs hundreds of times the loss of predicting 0, and with a constant rate Adam needs several
 * epochs just to shrink β; the grid starts training at the best step size for the PCA A.
 * Directions beyond the rank of those rows keep their random initial values.
 */
export function initialL1aeVariables(cfg: L1aeNetworkConfig, trainRows: Csr, warmStart: L1aeTraining['warmStart']): L1aeVariables {
  const vars = createL1aeVariables(cfg);
  if (warmStart === 'random') return vars;
  const { inputDim: d, embeddingDim: m } = cfg;
  const pcs = topRightSingularVectors(trainRows, m, cfg.seed);
  const a = Float32Array.from(vars.a.dataSync() as Float32Array);
  for (let k = 0; k < m; k++) {
    const row = pcs.subarray(k * d, (k + 1) * d);
    if (row.some((v) => v !== 0)) a.set(row, k * d);
  }
  for (const v of [vars.a, vars.b]) {
    if (!v) continue;
    const t = tf.tensor2d(a, [m, d]);
    v.assign(t);
    t.dispose();
  }
  const n = trainRows.nRows, k = Math.min(n, WARM_START_ROWS, Math.max(256, Math.floor(WARM_START_ENTRIES / d)));
  const sample = Int32Array.from({ length: k }, (_, i) => Math.floor(i * n / k));
  const lossAt = (beta: number): number => {
    setScalar(vars.beta, beta);
    return meanLoss(trainRows, sample, 256, (x) => l1aeLoss(cfg, vars, x));
  };
  const losses = WARM_START_BETAS.map(lossAt);
  setScalar(vars.beta, WARM_START_BETAS[losses.indexOf(Math.min(...losses))]!);
  return vars;
}

function setScalar(v: tf.Variable, value: number): void {
  const t = tf.scalar(value);
  v.assign(t);
  t.dispose();
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
  static async train(labels: Csr, shape: Partial<L1aeShape & L1aeTraining> & { readonly embeddingDim: number }, loopIn: Partial<TrainLoopOptions> = {}, onProgress?: ProgressFn): Promise<{
    /** The trained encoder. */
    encoder: L1aeEncoder;
    /** Training losses per epoch, the epoch kept, the time taken. */
    history: TrainHistory;
  }> {
    const t0 = performance.now();
    const loop = resolveLoop(loopIn);
    const { net, training } = resolveShape(shape, loop.seed);
    const schedule = scheduleOf(training);
    const cfg: L1aeNetworkConfig = { ...net, inputDim: labels.nCols };
    const y = normalizeRowsL2(labels);
    const vars = training.warmStart === 'pca'
      ? await task(onProgress, `${loop.taskName ?? 'train ℓ1-AE'}: PCA warm start`, undefined, () => initialL1aeVariables(cfg, loopTrainRows(y, loop), 'pca'))
      : initialL1aeVariables(cfg, y, 'random');
    const list = l1aeVariableList(vars);
    const history = await trainAutoencoder(y, list, (x) => l1aeLoss(cfg, vars, x),
      { taskName: 'train ℓ1-AE', ...loop, ...normalizedValidation(loop), ...schedule,
        // A warm start competes with the epochs: on a few labels (Bibtex: 159, m = 100) the PCA start already reconstructs best.
        ...(training.warmStart === 'pca' ? { validateStart: true } : {}) }, onProgress);
    const encoder = L1aeEncoder.finish(cfg, vars, y, cfg.seed);
    // The encoder's whole training time: the warm start and BN statistics included.
    return { encoder, history: { ...history, seconds: (performance.now() - t0) / 1000 } };
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
  // Prediction's hot path: on `native`, without BN, one native call over all rows (row blocks
  // per thread, no tensors; l1aeDecodeRowsNative).
  readonly decode = (z: Float32Array, n: number, out?: Float32Array, precision: 'bfloat16' | 'float32' = 'float32'): Float32Array => {
    checkEmbeddings(z, n, this.dim);
    const fast = l1aeDecodeRowsNative(this.cfg, this.vars, this.aRows(), this.betaValue(), z, n, out, precision === 'bfloat16' ? this.bf16Operands() : undefined);
    return fast ?? decodeChunks(z, n, this.dim, this.nLabels, (y) =>
      (this.bnStats ? l1aeDecodeInference(this.cfg, this.vars, y, this.bnStats) : l1aeDecode(this.cfg, this.vars, y)));
  };

  private aCache: Float32Array | undefined;
  private bf16Cache: L1aeBf16Operands | null | undefined;
  private betaCache: number | undefined;
  /** A's values (m × d), read once (the variables do not change after training). */
  private aRows(): Float32Array { return (this.aCache ??= Float32Array.from(this.vars.a.dataSync() as Float32Array)); }
  private betaValue(): number { return (this.betaCache ??= (this.vars.beta.dataSync() as Float32Array)[0]!); }
  /** A packed for the bfloat16 products, once (undefined where the addon lacks the kernel: float32 then). */
  private bf16Operands(): L1aeBf16Operands | undefined {
    if (this.bf16Cache === undefined) this.bf16Cache = packL1aeBf16(this.aRows(), this.dim, this.nLabels);
    return this.bf16Cache ?? undefined;
  }

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
