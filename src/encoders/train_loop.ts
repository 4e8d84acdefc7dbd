/**
 * Mini-batch training of a label autoencoder on sparse label vectors: seeded shuffles, one
 * densified batch at a time, Adam or SGD, a held-out validation split with early stopping
 * (the best epoch's weights are kept), progress events (batches, and an `epoch` event with the
 * losses and the best epoch so far after every epoch). Backend-agnostic: the loss is any
 * tfjs function of a dense batch, so the same loop trains on tensorflow, native, wasm and cpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Csr, densifyRowList, normalizeRowsL2 } from '../data/csr.js';
import { adam, type Trainer, TfjsTrainer } from '../engine/optimizers.js';
import { InvalidArgumentError, TrainingDivergedError } from '../errors.js';
import { type ProgressFn, task } from '../progress.js';
import { Rng } from '../util/rng.js';
import { type Optimizer, TRAIN_LOOP_DEFAULTS } from './param_schema.js';

/**
 * Settings of the autoencoder training loop every trainable encoder uses (mini-batch training with
 * a held-out validation split and early stopping). An encoder's `train` takes
 * `Partial<TrainLoopOptions>`: left-out fields take {@link TRAIN_LOOP_DEFAULTS} and seed 0.
 */
export interface TrainLoopOptions {
  /** Passes over the training rows. */
  readonly epochs: number;
  /** Rows per mini-batch. */
  readonly batchSize: number;
  /** Step size of the optimizer (> 0). */
  readonly learningRate: number;
  /** `'adam'` (Kingma & Ba, ICLR 2015) or plain `'sgd'`. */
  readonly optimizer: Optimizer;
  /** Fraction of rows held out to choose the epoch (0: no early stopping, train all epochs). */
  readonly validationFraction: number;
  /**
   * A validation set of its own (same columns as the training data, normalised the same way):
   * when given, every training row trains and `validationFraction` is ignored.
   */
  readonly validationData?: Csr;
  /**
   * A model-selection score of the current weights (lower is better), computed after every
   * epoch in place of the validation loss to choose the epoch and stop early — e.g. the
   * recovery error of a learned measurement matrix (src/model/learned_matrix.ts). The validation
   * loss is still recorded when there is a validation split.
   */
  readonly validationScore?: (vars: tf.Variable[]) => number;
  /**
   * Called before every epoch (1-based) with the epoch number: schedules that change the loss
   * between epochs (the L1-SAE's α, the Deep ℓ0 encoders' HELU σ) set their value here.
   */
  readonly onEpochStart?: (epoch: number) => void;
  /**
   * Validate the starting weights too (as epoch 0, before any step): when no epoch beats them,
   * they are the ones kept (a warm start that training does not improve). Needs a validation
   * split or a `validationScore`.
   */
  readonly validateStart?: boolean;
  /** Stop after this many epochs without a better validation loss. */
  readonly patience: number;
  /**
   * A learning-rate schedule (see `scheduledLearningRate`); training then ends with the
   * schedule, after min(`epochs`, `schedule.epochs`) epochs. Absent: the constant `learningRate`.
   */
  readonly schedule?: LrSchedule;
  /** Seed of the split and of every epoch's shuffle. */
  readonly seed: number;
  /** Name of the progress task. */
  readonly taskName?: string;
}

/** What happened during training. */
export interface TrainHistory {
  /** Mean mini-batch loss of every epoch run. */
  readonly trainLoss: number[];
  /** Validation loss after every epoch (empty without a validation split). */
  readonly validLoss: number[];
  /** The `validationScore` after every epoch, when one was given. */
  readonly validationScores?: number[];
  /** 1-based epoch whose weights were kept (0: the starting weights, with `validateStart`). */
  readonly bestEpoch: number;
  /**
   * Epochs to the best validation loss: the 1-based epoch with the lowest validation loss (the
   * first, on ties); 0 when that is the starting weights' (with `validateStart`) or without a
   * validation split. Equals `bestEpoch` unless a `validationScore` chose the epoch.
   */
  readonly bestValidEpoch: number;
  /** Validation loss of the starting weights, when `validateStart` measured it. */
  readonly initialValidLoss?: number;
  /** Epochs run (fewer than `epochs` when early stopping ended training). */
  readonly epochsRun: number;
  /** Wall-clock training time in seconds. */
  readonly seconds: number;
}

/**
 * A learning-rate schedule over epochs: a linear warm-up, then a cosine decay (Loshchilov &
 * Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", ICLR 2017, one cycle without
 * restarts; the warm-up as in Goyal et al., "Accurate, Large Minibatch SGD", 2017).
 */
export interface LrSchedule {
  /** Epochs of linear warm-up (0: none): epoch e ≤ W runs at rate·e/(W + 1). */
  readonly warmupEpochs: number;
  /** Epochs of the whole schedule E (warm-up included; training stops after them), > W. */
  readonly epochs: number;
}

/**
 * The learning rate of 1-based `epoch` under `schedule`, for the peak rate `rate`:
 * rate·e/(W + 1) during the warm-up (e ≤ W), then rate·½(1 + cos(π·(e − W − 1)/(E − W))) for
 * W < e ≤ E — the full rate in the first epoch after the warm-up, falling towards 0 but above it
 * in the last epoch (no epoch is spent at rate 0). Epochs past E keep the last epoch's rate.
 * @example scheduledLearningRate(0.1, 1, { warmupEpochs: 1, epochs: 5 }) // 0.05
 */
export function scheduledLearningRate(rate: number, epoch: number, schedule: LrSchedule): number {
  const { warmupEpochs: w, epochs: total } = schedule;
  if (epoch <= w) return rate * epoch / (w + 1);
  const e = Math.min(epoch, total);
  return rate * 0.5 * (1 + Math.cos(Math.PI * (e - w - 1) / (total - w)));
}

/** Check a schedule: integers 0 ≤ W < E. @throws InvalidArgumentError */
function checkSchedule(s: LrSchedule): void {
  if (!(Number.isInteger(s.warmupEpochs) && Number.isInteger(s.epochs) && s.warmupEpochs >= 0 && s.epochs > s.warmupEpochs)) {
    throw new InvalidArgumentError('trainAutoencoder', `trainAutoencoder(): a learning-rate schedule needs integers 0 <= warmupEpochs < epochs but got warmupEpochs=${s.warmupEpochs}, epochs=${s.epochs}`);
  }
}

/**
 * Loop options with every field left out at its default: {@link TRAIN_LOOP_DEFAULTS}, seed 0.
 * Every encoder's `train` takes `Partial<TrainLoopOptions>` and resolves it here.
 */
export function resolveLoop(loop: Partial<TrainLoopOptions> = {}): TrainLoopOptions {
  return { ...TRAIN_LOOP_DEFAULTS, seed: 0, ...loop };
}

import { splitRows } from '../util/split.js';
export { splitRows };

/** The loop options' own validation set with its rows ℓ2-normalised, as the encoders normalise their training rows. */
export function normalizedValidation(loop: TrainLoopOptions): { validationData?: Csr } {
  return loop.validationData ? { validationData: normalizeRowsL2(loop.validationData) } : {};
}

/** Mean loss over `rows` of `data` in batches, no gradients. */
export function meanLoss(data: Csr, rows: Int32Array, batchSize: number, loss: (x: tf.Tensor2D) => tf.Scalar): number {
  let total = 0;
  const buf = new Float32Array(Math.min(batchSize, rows.length) * data.nCols);
  for (let s = 0; s < rows.length; s += batchSize) {
    const e = Math.min(rows.length, s + batchSize);
    const x = densifyRowList(data, rows, s, e, buf);
    total += tf.tidy(() => loss(tf.tensor2d(x.subarray(0, (e - s) * data.nCols), [e - s, data.nCols])).dataSync()[0]!) * (e - s);
  }
  return rows.length ? total / rows.length : NaN;
}

/**
 * Train `vars` to minimise `loss` (a mean over the rows of a dense batch) on the rows of `data`.
 * The loss must not keep tensors of the batch beyond the call. Deterministic for a seed on a
 * given backend.
 * @throws TrainingDivergedError when an epoch's training or validation loss is NaN or infinite.
 */
export async function trainAutoencoder(
  data: Csr,
  vars: tf.Variable[],
  loss: (x: tf.Tensor2D) => tf.Scalar,
  opts: TrainLoopOptions,
  onProgress?: ProgressFn,
): Promise<TrainHistory> {
  const t0 = performance.now();
  const taskName = opts.taskName ?? 'train autoencoder';
  const what = taskName.replace(/^train /, '');
  const vData = opts.validationData ?? data;
  if (vData.nCols !== data.nCols) throw new InvalidArgumentError('trainAutoencoder', `trainAutoencoder(): the validation data has ${vData.nCols} columns but the training data ${data.nCols}`);
  const { train, valid } = opts.validationData
    ? { train: Int32Array.from({ length: data.nRows }, (_, i) => i), valid: Int32Array.from({ length: vData.nRows }, (_, i) => i) }
    : splitRows(data.nRows, opts.validationFraction, opts.seed);
  if (opts.schedule) checkSchedule(opts.schedule);
  const epochs = opts.schedule ? Math.min(opts.epochs, opts.schedule.epochs) : opts.epochs;
  const rng = new Rng(opts.seed ^ 0x5bd1e995);
  const trainer: Trainer = opts.optimizer === 'adam' ? adam({ learningRate: opts.learningRate }) : new TfjsTrainer(tf.train.sgd(opts.learningRate));
  const batchesPerEpoch = Math.ceil(train.length / opts.batchSize);
  const trainLoss: number[] = [], validLoss: number[] = [], scores: number[] = [];
  let best = Infinity, bestEpoch = 0, stale = 0, bestValid = Infinity, bestValidEpoch = 0;
  let bestWeights: Float32Array[] | null = null;
  const selects = valid.length > 0 || opts.validationScore !== undefined;
  const snapshot = (): Float32Array[] => vars.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  let initialValidLoss: number | undefined;
  // With validateStart, epoch 0 (the starting weights) competes: bestEpoch 0 then means them.
  const withStart = opts.validateStart === true && selects;
  if (withStart) {
    if (valid.length) bestValid = initialValidLoss = meanLoss(vData, valid, opts.batchSize, loss);
    best = opts.validationScore ? opts.validationScore(vars) : bestValid;
    bestWeights = snapshot();
  }
  const buf = new Float32Array(Math.min(opts.batchSize, train.length) * data.nCols);
  try {
    await task(onProgress, taskName, epochs * batchesPerEpoch, (tick) => {
      for (let epoch = 1; epoch <= epochs; epoch++) {
        opts.onEpochStart?.(epoch);
        if (opts.schedule) trainer.setLearningRate(scheduledLearningRate(opts.learningRate, epoch, opts.schedule));
        rng.shuffle(train);
        let sum = 0;
        for (let bi = 0; bi < batchesPerEpoch; bi++) {
          const s = bi * opts.batchSize, e = Math.min(train.length, s + opts.batchSize);
          const x = tf.tensor2d(densifyRowList(data, train, s, e, buf).subarray(0, (e - s) * data.nCols), [e - s, data.nCols]);
          sum += trainer.step(() => loss(x), vars);
          x.dispose();
          tick((epoch - 1) * batchesPerEpoch + bi + 1);
        }
        const epochLoss = sum / Math.max(1, batchesPerEpoch);
        if (!Number.isFinite(epochLoss)) throw new TrainingDivergedError(what, epoch, epochLoss, opts.learningRate);
        trainLoss.push(epochLoss);
        const vLoss = valid.length ? meanLoss(vData, valid, opts.batchSize, loss) : epochLoss;
        if (!Number.isFinite(vLoss)) throw new TrainingDivergedError(what, epoch, vLoss, opts.learningRate);
        if (valid.length) validLoss.push(vLoss);
        if (valid.length && vLoss < bestValid) { bestValid = vLoss; bestValidEpoch = epoch; }
        const score = opts.validationScore ? opts.validationScore(vars) : vLoss;
        if (opts.validationScore) scores.push(score);
        const improved = score < best;
        if (improved) {
          best = score; bestEpoch = epoch; stale = 0;
          if (selects) bestWeights = snapshot();
        }
        onProgress?.({ status: 'epoch', task: taskName, epoch, epochs, trainLoss: epochLoss, ...(valid.length ? { validLoss: vLoss } : {}), bestEpoch: withStart ? bestEpoch : bestEpoch || epoch });
        if (!improved && selects && ++stale >= opts.patience) {
          tick(epochs * batchesPerEpoch);
          break;
        }
      }
    });
  } finally {
    trainer.dispose();
  }
  if (bestWeights && bestEpoch !== trainLoss.length) {
    vars.forEach((v, i) => { const t = tf.tensor(bestWeights![i]!, v.shape, 'float32'); v.assign(t); t.dispose(); });
  }
  return { trainLoss, validLoss, ...(opts.validationScore ? { validationScores: scores } : {}), bestEpoch: withStart ? bestEpoch : bestEpoch || trainLoss.length, bestValidEpoch, ...(initialValidLoss !== undefined ? { initialValidLoss } : {}), epochsRun: trainLoss.length, seconds: (performance.now() - t0) / 1000 };
}
