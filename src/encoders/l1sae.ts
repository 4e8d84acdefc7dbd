/**
 * The L1-SAE label encoder: a sparse autoencoder with the non-smooth ℓ1 penalty on its codes,
 * trained by a penalty method with proximal steps (S. Amini & S. Ghaemmaghami, "Sparse
 * Autoencoders Using Non-smooth Regularization", 26th European Signal Processing Conference,
 * EUSIPCO 2018). Only the paper's abstract and the start of its introduction could be read here
 * (docslib.org/doc/8049195); the formulation below is the project issue's statement of it, and
 * the choices the paper's body would settle are marked "choice" and argued.
 *
 * Network: codes Z = f_e(X) = σ(X·W1 + b1), reconstruction X̂ = f_d(Z) = σ(Z·W2 + b2), logistic
 * encoder and decoder by default. Objective, over the N training rows (rows of X, Y, Z):
 *
 *   (1/N)‖X − X̂‖² + (β/N)‖Y‖₁ + λ(‖W1‖² + ‖W2‖²) + (1/2α_N)‖Y − Z‖²,
 *
 * Y auxiliary sparse codes tied to Z by the quadratic penalty. Block coordinate descent:
 *   1. Y ← argmin_Y (β/N)‖Y‖₁ + (1/2α_N)‖Y − Z‖² = soft-threshold(Z, α_N·β/N) (the proximal map
 *      of the ℓ1 term; {@link softThreshold});
 *   2. one gradient step on the weights with Y held fixed ({@link l1saeLoss});
 *   and α_N ← f·α_N after every stage, T reductions: the penalty tightens and sparsity is fed in
 *   gradually.
 *
 * Choice — the decoder takes Z, not Y: the Y-step above is then exactly the proximal map (were
 * the decoder fed Y, Y would also enter the reconstruction and its update would not be a plain
 * soft-threshold), and decode(z) of the pipeline's predicted embeddings is the trained decoder.
 *
 * Mini-batch form: written per row, the objective is the mean over the rows of
 *   ‖x − x̂‖² + β‖y‖₁ + (1/2α)‖y − z‖²   (+ λ(‖W1‖² + ‖W2‖²)),   α = α_N / N,
 * so a batch mean is an unbiased estimate of it and the threshold is α_N·β/N = α·β. The `alpha`
 * of this module is that per-row α (the paper's α is N times it), so the defaults do not depend
 * on the number of training rows. Steps 1–2 run once per mini-batch: Y of the batch is computed
 * from the current weights inside the loss and held fixed (its gradient stopped). That pair of
 * steps is a gradient step on the Moreau envelope of β‖·‖₁ at Z (a Huber function with width
 * αβ), whose gradient is exactly the fixed-Y gradient (envelope theorem); as α falls it tends
 * to the non-smooth β‖Z‖₁.
 *
 * Training: T + 1 stages α = α0, α0·f, …, α0·f^T, each a run of the shared training loop
 * (train_loop.ts) with its own epochs. Choice — early stopping is per stage: the loss depends
 * on α, so validation losses of different stages are not comparable. Within a stage the loop
 * keeps the best-validation-loss epoch (patience as given); the next stage starts from those
 * weights with fresh optimizer state, as a block-coordinate method restarted at a new α.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Csr, normalizeRowsL2, selectRows } from '../data/csr.js';
import { type ProgressFn } from '../progress.js';
import { tfSeed } from '../util/rng.js';
import { decodeChunks, encodeLinear, type EncoderState, type LabelEncoder, mapRowChunks, stateArray } from './encoder.js';
import { L1SAE_DEFAULTS as SCHEMA_L1SAE_DEFAULTS } from './param_schema.js';
import { normalizedValidation, splitRows, trainAutoencoder, type TrainHistory, type TrainLoopOptions, resolveLoop } from './train_loop.js';
import { InvalidArgumentError, ParamsError } from '../errors.js';

/**
 * Element-wise activation of the encoder or decoder layer.
 * @inline
 */
export type L1SaeActivation = 'sigmoid' | 'relu' | 'linear';

/** Settings of an L1-SAE (all JSON-able; saved in the encoder state). */
export interface L1SaeConfig {
  /** Code (embedding) dimension m. */
  readonly embeddingDim: number;
  /** β: weight of the ℓ1 norm of the codes (per row). */
  readonly beta: number;
  /** λ: weight decay on the two weight matrices (not the biases). */
  readonly weightDecay: number;
  /** α of the first stage, per row (the paper's α divided by the number of training rows N). */
  readonly alpha0: number;
  /** f: α ← f·α between stages (0 < f < 1). */
  readonly alphaFactor: number;
  /** T: number of α reductions (T + 1 stages). */
  readonly reductions: number;
  /** Activation of the encoder layer (default `'sigmoid'`, the paper's logistic units). */
  readonly encoderActivation: L1SaeActivation;
  /** Activation of the decoder layer (default `'sigmoid'`). */
  readonly decoderActivation: L1SaeActivation;
  /** Seed of the weight initialisation (the training loop has its own seed). */
  readonly seed: number;
}

/** Defaults (and why), declared with the encoder's parameter schema in ./param_schema.ts. */
export const L1SAE_DEFAULTS: Readonly<Omit<L1SaeConfig, 'embeddingDim'>> = SCHEMA_L1SAE_DEFAULTS;

/**
 * A full, checked config from partial settings: the defaults, except that α0 defaults to 1/β
 * when β is given (and positive) without α0.
 */
export function resolveL1SaeConfig(settings: Partial<L1SaeConfig> & { embeddingDim: number }): L1SaeConfig {
  const alpha0 = settings.alpha0 ?? (settings.beta !== undefined && settings.beta > 0 ? 1 / settings.beta : L1SAE_DEFAULTS.alpha0);
  return validateL1SaeConfig({ ...L1SAE_DEFAULTS, ...settings, alpha0 });
}

/** Check a config; throws a ParamsError naming the bad field. */
export function validateL1SaeConfig(c: L1SaeConfig): L1SaeConfig {
  const pos = (name: keyof L1SaeConfig, v: number, allowZero = false): void => {
    if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) throw new ParamsError(`L1-SAE: '${name}' must be a ${allowZero ? 'non-negative' : 'positive'} number but got ${v}`);
  };
  if (!Number.isInteger(c.embeddingDim) || c.embeddingDim < 1) throw new ParamsError(`L1-SAE: 'embeddingDim' must be a positive integer but got ${c.embeddingDim}`);
  pos('beta', c.beta, true);
  pos('weightDecay', c.weightDecay, true);
  pos('alpha0', c.alpha0);
  if (!(c.alphaFactor > 0 && c.alphaFactor <= 1)) throw new ParamsError(`L1-SAE: 'alphaFactor' must be in (0, 1] but got ${c.alphaFactor}`);
  if (!Number.isInteger(c.reductions) || c.reductions < 0) throw new ParamsError(`L1-SAE: 'reductions' must be a non-negative integer but got ${c.reductions}`);
  for (const k of ['encoderActivation', 'decoderActivation'] as const) {
    if (!['sigmoid', 'relu', 'linear'].includes(c[k])) throw new ParamsError(`L1-SAE: '${k}' must be 'sigmoid', 'relu' or 'linear' but got ${String(c[k])}`);
  }
  return c;
}

/** α of every stage: α0·f^s for s = 0..T. */
export function alphaSchedule(cfg: Pick<L1SaeConfig, 'alpha0' | 'alphaFactor' | 'reductions'>): number[] {
  return Array.from({ length: cfg.reductions + 1 }, (_, s) => cfg.alpha0 * cfg.alphaFactor ** s);
}

/** The network's weights: W1 (d × m), b1 (m), W2 (m × d), b2 (d). */
export interface L1SaeVariables {
  readonly w1: tf.Variable;
  readonly b1: tf.Variable;
  readonly w2: tf.Variable;
  readonly b2: tf.Variable;
}

/** The variables in a fixed order (for the training loop and the saved state). */
export function l1saeVariableList(v: L1SaeVariables): tf.Variable[] {
  return [v.w1, v.b1, v.w2, v.b2];
}

/**
 * Seeded weights: W1, W2 Glorot-normal (std √(2/(d + m))), b1 = 0, b2 = `b2Init` (zeros if absent).
 */
export function createL1SaeVariables(d: number, m: number, seed: number, b2Init?: Float32Array): L1SaeVariables {
  if (b2Init && b2Init.length !== d) throw new InvalidArgumentError('createL1SaeVariables', `createL1SaeVariables(): b2Init has ${b2Init.length} entries, expected ${d}`);
  const std = Math.sqrt(2 / (d + m));
  return tf.tidy(() => ({
    w1: tf.variable(tf.randomNormal([d, m], 0, std, 'float32', tfSeed(2 * seed)), true),
    b1: tf.variable(tf.zeros([m]), true),
    w2: tf.variable(tf.randomNormal([m, d], 0, std, 'float32', tfSeed(2 * seed + 1)), true),
    b2: tf.variable(b2Init ? tf.tensor1d(b2Init) : tf.zeros([d]), true),
  }));
}

/**
 * Decoder bias that starts the logistic decoder at the column means of the data:
 * b2_j = logit(clip(mean_j x, 0.001, 0.999)). Without it a logistic decoder starts at x̂ = ½
 * everywhere, a reconstruction error of ≈ d/4 per sparse row that the first epochs spend on.
 */
export function initialDecoderBias(x: Csr, activation: L1SaeActivation): Float32Array {
  const b = new Float32Array(x.nCols);
  if (activation !== 'sigmoid' || x.nRows === 0) return b;
  const sum = new Float64Array(x.nCols);
  for (let p = 0; p < x.values.length; p++) sum[x.indices[p]!]! += x.values[p]!;
  for (let j = 0; j < x.nCols; j++) {
    const mu = Math.min(0.999, Math.max(0.001, sum[j]! / x.nRows));
    b[j] = Math.log(mu / (1 - mu));
  }
  return b;
}

function activate(a: L1SaeActivation, t: tf.Tensor2D): tf.Tensor2D {
  return a === 'sigmoid' ? tf.sigmoid(t) : a === 'relu' ? tf.relu(t) : t;
}

/** Codes Z = f_e(X) of a dense batch X (n × d). */
export function l1saeEncode(cfg: Pick<L1SaeConfig, 'encoderActivation'>, v: L1SaeVariables, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => activate(cfg.encoderActivation, tf.add(tf.matMul(x, v.w1 as tf.Tensor as tf.Tensor2D), v.b1)));
}

/** Reconstruction X̂ = f_d(Z) of codes Z (n × m). */
export function l1saeDecode(cfg: Pick<L1SaeConfig, 'decoderActivation'>, v: L1SaeVariables, z: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => activate(cfg.decoderActivation, tf.add(tf.matMul(z, v.w2 as tf.Tensor as tf.Tensor2D), v.b2)));
}

/**
 * The proximal map of t‖·‖₁ (soft-thresholding), argmin_y ½‖y − z‖² + t‖y‖₁ element-wise:
 * sign(z)·max(|z| − t, 0).
 *
 * @example softThreshold(Float32Array.of(-2, 0.5, 3), 1) // [-1, 0, 2]
 */
export function softThreshold(z: ArrayLike<number>, t: number): Float32Array {
  if (!(t >= 0)) throw new InvalidArgumentError('softThreshold', `softThreshold(): the threshold must be >= 0 but got ${t}`);
  const out = new Float32Array(z.length);
  for (let i = 0; i < z.length; i++) { const a = z[i]!; out[i] = a > t ? a - t : a < -t ? a + t : 0; }
  return out;
}

/** {@link softThreshold} on a tensor. */
export function softThresholdTensor<T extends tf.Tensor>(z: T, t: number): T {
  return tf.tidy(() => tf.mul(tf.sign(z), tf.relu(tf.sub(tf.abs(z), t))) as T);
}

/** The identity with a zero gradient: Y is a constant of the weight step. */
const stopGradient = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.clone(inputs[0] as tf.Tensor), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

/** The terms of the (per-row) objective on a batch, each a scalar. */
export interface L1SaeLossParts {
  /** mean ‖x − x̂‖². */
  readonly recon: tf.Scalar;
  /** β · mean ‖y‖₁. */
  readonly l1: tf.Scalar;
  /** mean ‖y − z‖² / (2α). */
  readonly coupling: tf.Scalar;
  /** λ(‖W1‖² + ‖W2‖²). */
  readonly decay: tf.Scalar;
}

/**
 * The objective's terms on a dense batch `x` (n × d) at penalty parameter `alpha` (per row).
 * `y` (n × m) are the auxiliary codes of the weight step; when absent they are the Y-step's
 * soft-threshold(Z, α·β), computed from the current weights with the gradient stopped.
 */
export function l1saeLossParts(cfg: L1SaeConfig, v: L1SaeVariables, x: tf.Tensor2D, alpha: number, y?: tf.Tensor2D): L1SaeLossParts {
  return tf.tidy(() => {
    const z = l1saeEncode(cfg, v, x);
    const yy = y ?? (stopGradient(softThresholdTensor(z, alpha * cfg.beta)) as tf.Tensor2D);
    const xHat = l1saeDecode(cfg, v, z);
    return {
      recon: tf.mean(tf.sum(tf.squaredDifference(x, xHat), 1)) as tf.Scalar,
      l1: tf.mul(cfg.beta, tf.mean(tf.sum(tf.abs(yy), 1))) as tf.Scalar,
      coupling: tf.div(tf.mean(tf.sum(tf.squaredDifference(yy, z), 1)), 2 * alpha) as tf.Scalar,
      decay: tf.mul(cfg.weightDecay, tf.add(tf.sum(tf.square(v.w1)), tf.sum(tf.square(v.w2)))) as tf.Scalar,
    };
  });
}

/**
 * The loss of the weight step: recon + β·‖y‖₁ + ‖y − z‖²/(2α) + decay (batch means, per row).
 * The ℓ1 term is a constant of the weight step; it is included so the loss is the objective
 * (and, with Y the Y-step's output, its value is the Moreau-envelope objective whose gradient
 * the fixed-Y gradient is).
 */
export function l1saeLoss(cfg: L1SaeConfig, v: L1SaeVariables, x: tf.Tensor2D, alpha: number, y?: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const p = l1saeLossParts(cfg, v, x, alpha, y);
    return tf.addN([p.recon, p.l1, p.coupling, p.decay]) as tf.Scalar;
  });
}

/**
 * Codes (n × m) of the rows of `labels`, each ℓ2-normalised first: the sparse product X·W1 (no
 * densified batch), then bias and activation through tfjs in chunks.
 */
export function l1saeCodes(cfg: Pick<L1SaeConfig, 'encoderActivation'>, v: L1SaeVariables, labels: Csr): Float32Array {
  const [d, m] = v.w1.shape as [number, number];
  const pre = encodeLinear(labels, v.w1.dataSync() as Float32Array, d, m);
  return mapRowChunks(labels.nRows, m, (s, e) => tf.tensor2d(pre.subarray(s * m, e * m), [e - s, m]), (x) => activate(cfg.encoderActivation, tf.add(x, v.b1)));
}

/** Reconstructions (n × d) of codes `z` (n × m), in chunks. */
export function l1saeDecodeArray(cfg: Pick<L1SaeConfig, 'decoderActivation'>, v: L1SaeVariables, z: Float32Array, n: number): Float32Array {
  const [m, d] = v.w2.shape as [number, number];
  return decodeChunks(z, n, m, d, (x) => l1saeDecode(cfg, v, x));
}

/** One α stage of training. */
export interface L1SaeStage {
  /** α of the stage (per row). */
  readonly alpha: number;
  /** The Y-step threshold α·β. */
  readonly threshold: number;
  /** Epochs run in the stage. */
  readonly epochsRun: number;
  /** 1-based epoch (within the stage) whose weights were kept. */
  readonly bestEpoch: number;
  /** Final (kept epoch's) training loss of the stage. */
  readonly trainLoss: number;
  /** Final (kept epoch's) validation loss of the stage, when there is a validation split. */
  readonly validLoss?: number;
}

/** Training history: the loop's, concatenated over stages, plus one record per stage. */
export interface L1SaeHistory extends TrainHistory {
  /** One record per α stage, in order. */
  readonly stages: L1SaeStage[];
}

/** Extra options of {@link L1SaeEncoder.train} that are not saved settings. @inline */
export interface L1SaeTrainHooks {
  /**
   * Called after every stage with the stage's record and a view of the network at that point
   * (valid during the call only; do not dispose it): for trajectories over α.
   */
  readonly onStage?: (stage: L1SaeStage, index: number, encoder: L1SaeEncoder) => void;
}

/** Epochs of each of `stages` stages for a loop of `epochs` epochs: an even split, at least 1 each (the remainder goes to the last). */
export function stageEpochs(epochs: number, stages: number): number[] {
  const base = Math.max(1, Math.floor(epochs / stages));
  const out = Array.from({ length: stages }, () => base);
  out[stages - 1]! += Math.max(0, epochs - base * stages);
  return out;
}

/**
 * The L1-SAE label encoder (Amini & Ghaemmaghami, EUSIPCO 2018): logistic codes z = σ(W1ᵀy + b1)
 * trained with an ℓ1 penalty by a penalty method whose α falls stage by stage; decodes with
 * ŷ = σ(W2ᵀz + b2).
 */
export class L1SaeEncoder implements LabelEncoder {
  readonly kind = 'l1-sae' as const;

  private constructor(private readonly cfg: L1SaeConfig, private readonly vars: L1SaeVariables, readonly nLabels: number) {}

  /** Code (embedding) dimension m. */
  get dim(): number { return this.cfg.embeddingDim; }
  /** The settings (a copy). */
  get config(): L1SaeConfig { return { ...this.cfg }; }

  /**
   * Train on the rows of `labels` (each ℓ2-normalised first): T + 1 stages of the loop's
   * mini-batch training, α = α0·f^s in stage s, the loop's epochs split evenly over the
   * stages (at least one each), early stopping within each stage.
   */
  static async train(
    labels: Csr,
    options: Partial<L1SaeConfig> & { embeddingDim: number } & L1SaeTrainHooks,
    loopIn: Partial<TrainLoopOptions> = {},
    onProgress?: ProgressFn,
  ): Promise<{
    /** The trained encoder. */
    encoder: L1SaeEncoder;
    /** Training losses per epoch, the epoch kept, the time taken. */
    history: L1SaeHistory;
  }> {
    const loop = resolveLoop(loopIn);
    const { onStage, ...settings } = options;
    const cfg = resolveL1SaeConfig(settings);
    const d = labels.nCols, m = cfg.embeddingDim;
    const x = normalizeRowsL2(labels);
    // One validation split for all stages (the loop would draw it from its seed, which changes per stage).
    let trainRows = x;
    let validation: { validationData?: Csr } = normalizedValidation(loop);
    if (!loop.validationData && loop.validationFraction > 0) {
      const split = splitRows(x.nRows, loop.validationFraction, loop.seed);
      if (split.valid.length) { trainRows = selectRows(x, split.train); validation = { validationData: selectRows(x, split.valid) }; }
    }
    const vars = createL1SaeVariables(d, m, cfg.seed, initialDecoderBias(trainRows, cfg.decoderActivation));
    const encoder = new L1SaeEncoder(cfg, vars, d);
    const list = l1saeVariableList(vars);
    const alphas = alphaSchedule(cfg);
    const epochs = stageEpochs(loop.epochs, alphas.length);
    const trainLoss: number[] = [], validLoss: number[] = [], stages: L1SaeStage[] = [];
    // The loss changes with α between stages: the best epochs are the last stage's.
    let seconds = 0, bestEpoch = 0, bestValidEpoch = 0;
    try {
      for (let s = 0; s < alphas.length; s++) {
        const alpha = alphas[s]!;
        const h = await trainAutoencoder(trainRows, list, (xb) => l1saeLoss(cfg, vars, xb, alpha), {
          ...loop, ...validation, taskName: `${loop.taskName ?? 'train L1-SAE'} (α ${s + 1}/${alphas.length})`,
          // Every stage shuffles differently; the validation split is fixed above.
          seed: loop.seed + 7919 * s, epochs: epochs[s]!,
        }, onProgress);
        bestEpoch = trainLoss.length + h.bestEpoch;
        bestValidEpoch = h.bestValidEpoch ? trainLoss.length + h.bestValidEpoch : 0;
        trainLoss.push(...h.trainLoss);
        validLoss.push(...h.validLoss);
        seconds += h.seconds;
        const stage: L1SaeStage = {
          alpha, threshold: alpha * cfg.beta, epochsRun: h.epochsRun, bestEpoch: h.bestEpoch, trainLoss: h.trainLoss[h.bestEpoch - 1]!,
          ...(h.validLoss.length ? { validLoss: h.validLoss[h.bestEpoch - 1]! } : {}),
        };
        stages.push(stage);
        onStage?.(stage, s, encoder);
      }
    } catch (e) {
      encoder.dispose();
      throw e;
    }
    return { encoder, history: { trainLoss, validLoss, bestEpoch, bestValidEpoch, epochsRun: trainLoss.length, seconds, stages } };
  }

  /** Codes of the ℓ2-normalised rows of `labels` (n × m). */
  encode(labels: Csr): Float32Array {
    if (labels.nCols > this.nLabels) throw new InvalidArgumentError('encode', `encode(): the label rows have ${labels.nCols} columns but the encoder has ${this.nLabels}`);
    return l1saeCodes(this.cfg, this.vars, { ...labels, nCols: this.nLabels });
  }

  /** The decoder f_d on every row of `z` (n × m): label scores (n × d). */
  readonly decode = (z: Float32Array, n: number): Float32Array => l1saeDecodeArray(this.cfg, this.vars, z, n);

  state(): EncoderState {
    const arrays: Record<string, Float32Array> = {};
    for (const [name, v] of Object.entries(this.vars) as [string, tf.Variable][]) arrays[name] = Float32Array.from(v.dataSync() as Float32Array);
    return { kind: this.kind, nLabels: this.nLabels, dim: this.dim, config: { ...this.cfg }, arrays };
  }

  /** Rebuild an encoder from what `state()` returned (e.g. after saving and loading); throws when the state is of another kind or an array has the wrong size. */
  static fromState(state: EncoderState): L1SaeEncoder {
    if (state.kind !== 'l1-sae') throw new InvalidArgumentError('L1SaeEncoder.fromState', `not an L1-SAE encoder state: ${state.kind}`);
    const cfg = validateL1SaeConfig({ ...L1SAE_DEFAULTS, ...(state.config as Partial<L1SaeConfig>), embeddingDim: state.dim });
    const d = state.nLabels, m = state.dim;
    const vars = tf.tidy(() => ({
      w1: tf.variable(tf.tensor2d(stateArray(state, 'w1', d * m), [d, m]), true),
      b1: tf.variable(tf.tensor1d(stateArray(state, 'b1', m)), true),
      w2: tf.variable(tf.tensor2d(stateArray(state, 'w2', m * d), [m, d]), true),
      b2: tf.variable(tf.tensor1d(stateArray(state, 'b2', d)), true),
    }));
    return new L1SaeEncoder(cfg, vars, d);
  }

  dispose(): void { tf.dispose(l1saeVariableList(this.vars)); }
}
