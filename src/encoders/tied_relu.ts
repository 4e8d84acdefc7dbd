/**
 * The tied-weight ReLU autoencoder label encoder of Rangamani, Mukherjee, Basu, Arora,
 * Ganapathi, Chin & Tran, "Sparse coding and autoencoders" (ISIT 2018, arXiv 1708.03735):
 *
 *   z = ReLU(W·y − ε),   ŷ = Wᵀ·z,   W ∈ R^{m×d} shared by encoder and decoder,
 *
 * trained on the squared loss ½‖ŷ − y‖² (the paper's loss; mean over a batch). In the paper's
 * generative model y = A*·x* with a sparse non-negative code x*, the hidden layer recovers the
 * support of x* when W is near A*ᵀ (src/encoders/sparse_coding_model.ts, eval/tied_relu_theory.ts).
 * For XMC the label vector y (ℓ2-normalised) plays the signal, and the m hidden units give the
 * embedding z: sparse and non-negative, like the paper's codes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Csr, normalizeRowsL2 } from '../data/csr.js';
import { type ProgressFn } from '../progress.js';
import { tfSeed } from '../util/rng.js';
import { decodeChunks, encodeLinear, type EncoderState, type LabelEncoder, stateArray } from './encoder.js';
import { transposeDense } from '../linalg/dense.js';
import { TIED_RELU_DEFAULTS as SCHEMA_TIED_RELU_DEFAULTS } from './param_schema.js';
import { normalizedValidation, trainAutoencoder, type TrainHistory, type TrainLoopOptions, resolveLoop } from './train_loop.js';
import { InvalidArgumentError, ParamsError } from '../errors.js';

/** Settings of a tied-weight ReLU autoencoder. */
export interface TiedReluConfig {
  /** Hidden units m = the embedding dimension. */
  readonly embeddingDim: number;
  /** Seed of W's initialisation. */
  readonly seed: number;
  /**
   * `learned`: a per-unit bias ε_i trained with W. `fixed`: ε_i = `biasInit` throughout, the
   * paper's setting (one constant threshold ε for every unit, set from the model's constants).
   */
  readonly bias: 'learned' | 'fixed';
  /** Initial (or, when fixed, constant) value of every ε_i. */
  readonly biasInit: number;
}

/** Defaults (and why), declared with the encoder's parameter schema in ./param_schema.ts. */
export const TIED_RELU_DEFAULTS: Readonly<Pick<TiedReluConfig, 'bias' | 'biasInit'>> = SCHEMA_TIED_RELU_DEFAULTS;

/** The network's weights: W (m × d) and ε (m). */
export interface TiedReluVariables {
  readonly w: tf.Variable;
  readonly eps: tf.Variable;
}

/**
 * Fresh variables: W ~ N(0, 1/d), seeded (rows of unit norm in expectation, like the paper's
 * W near the unit-norm atoms of A*), ε_i = biasInit (trainable only when the bias is learned).
 */
export function createTiedReluVariables(inputDim: number, cfg: TiedReluConfig): TiedReluVariables {
  return tf.tidy(() => ({
    w: tf.variable(tf.randomNormal([cfg.embeddingDim, inputDim], 0, 1 / Math.sqrt(inputDim), 'float32', tfSeed(cfg.seed)), true),
    eps: tf.variable(tf.fill([cfg.embeddingDim], cfg.biasInit), cfg.bias === 'learned'),
  }));
}

/** The variables training updates. */
export function tiedReluTrainable(vars: TiedReluVariables): tf.Variable[] {
  return vars.eps.trainable ? [vars.w, vars.eps] : [vars.w];
}

/** Hidden layer ReLU(X·Wᵀ − ε) of a batch X (b × d): b × m. */
export function tiedReluHidden(vars: TiedReluVariables, x: tf.Tensor2D): tf.Tensor2D {
  return tf.relu(tf.sub(tf.matMul(x, vars.w, false, true), vars.eps)) as tf.Tensor2D;
}

/** The reconstruction X̂ = ReLU(X·Wᵀ − ε)·W (b × d). */
export function tiedReluReconstruct(vars: TiedReluVariables, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.matMul(tiedReluHidden(vars, x), vars.w));
}

/** The paper's squared loss, ½‖x̂ − x‖² averaged over the rows of the batch. */
export function tiedReluLoss(vars: TiedReluVariables, x: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mul(tf.mean(tf.sum(tf.squaredDifference(x, tiedReluReconstruct(vars, x)), 1)), 0.5));
}


export class TiedReluEncoder implements LabelEncoder {
  readonly kind = 'tied-relu' as const;
  /** Wᵀ (d × m) for the sparse encode product, and ε as a plain array. */
  private readonly wT: Float32Array;
  private readonly epsValues: Float32Array;

  private constructor(readonly nLabels: number, private readonly cfg: TiedReluConfig, private readonly vars: TiedReluVariables) {
    this.wT = transposeDense(vars.w.dataSync() as Float32Array, cfg.embeddingDim, nLabels);
    this.epsValues = Float32Array.from(vars.eps.dataSync() as Float32Array);
  }

  get dim(): number { return this.cfg.embeddingDim; }

  /** The full settings (defaults filled in). */
  get config(): TiedReluConfig { return { ...this.cfg }; }

  /** Train on the label rows of `labels` (each row ℓ2-normalised first). `options.seed` defaults to the loop's seed. */
  static async train(
    labels: Csr,
    options: Partial<TiedReluConfig> & { embeddingDim: number },
    loopIn: Partial<TrainLoopOptions> = {},
    onProgress?: ProgressFn,
  ): Promise<{
    /** The trained encoder. */
    encoder: TiedReluEncoder;
    /** Training losses per epoch, the epoch kept, the time taken. */
    history: TrainHistory;
  }> {
    const loop = resolveLoop(loopIn);
    const cfg = resolveConfig(options, loop.seed);
    const vars = createTiedReluVariables(labels.nCols, cfg);
    const history = await trainAutoencoder(
      normalizeRowsL2(labels), tiedReluTrainable(vars), (x) => tiedReluLoss(vars, x),
      { taskName: 'train tied ReLU AE', ...loop, ...normalizedValidation(loop) }, onProgress,
    );
    return { encoder: new TiedReluEncoder(labels.nCols, cfg, vars), history };
  }

  /** Embeddings ReLU(W·ŷ − ε) of the ℓ2-normalised label rows: one sparse product, then bias and ReLU. */
  encode(labels: Csr): Float32Array {
    const m = this.dim;
    const z = encodeLinear(labels, this.wT, this.nLabels, m);
    for (let r = 0, o = 0; r < labels.nRows; r++) {
      for (let c = 0; c < m; c++, o++) { const v = z[o]! - this.epsValues[c]!; z[o] = v > 0 ? v : 0; }
    }
    return z;
  }

  /**
   * Label scores Wᵀz (the paper's linear reconstruction; no output ReLU: the pipeline ranks the
   * scores, and a ReLU would only tie the negative ones at zero).
   */
  readonly decode = (z: Float32Array, n: number): Float32Array => decodeChunks(z, n, this.dim, this.nLabels, (x) => tf.matMul(x, this.vars.w));

  state(): EncoderState {
    return {
      kind: this.kind, nLabels: this.nLabels, dim: this.dim,
      config: { seed: this.cfg.seed, bias: this.cfg.bias, biasInit: this.cfg.biasInit },
      arrays: { w: this.vars.w.dataSync() as Float32Array, eps: Float32Array.from(this.epsValues) },
    };
  }

  /** Rebuild an encoder from what `state()` returned (e.g. after saving and loading); throws when the state is of another kind or an array has the wrong size. */
  static fromState(state: EncoderState): TiedReluEncoder {
    if (state.kind !== 'tied-relu') throw new InvalidArgumentError('TiedReluEncoder.fromState', `not a tied ReLU encoder state: ${state.kind}`);
    const cfg = resolveConfig({ ...(state.config as Partial<TiedReluConfig>), embeddingDim: state.dim }, 0);
    const w = stateArray(state, 'w', state.nLabels * state.dim), eps = stateArray(state, 'eps', state.dim);
    const vars = createTiedReluVariables(state.nLabels, cfg);
    for (const [v, a] of [[vars.w, w], [vars.eps, eps]] as const) {
      const t = tf.tensor(a, v.shape, 'float32');
      v.assign(t);
      t.dispose();
    }
    return new TiedReluEncoder(state.nLabels, cfg, vars);
  }

  dispose(): void { tf.dispose([this.vars.w, this.vars.eps]); }
}

function resolveConfig(options: Partial<TiedReluConfig> & { embeddingDim: number }, seed: number): TiedReluConfig {
  const cfg: TiedReluConfig = {
    embeddingDim: options.embeddingDim,
    seed: options.seed ?? seed,
    bias: options.bias ?? TIED_RELU_DEFAULTS.bias,
    biasInit: options.biasInit ?? TIED_RELU_DEFAULTS.biasInit,
  };
  if (!Number.isInteger(cfg.embeddingDim) || cfg.embeddingDim < 1) throw new ParamsError(`tied ReLU AE: embeddingDim must be a positive integer but got ${cfg.embeddingDim}`);
  if (cfg.bias !== 'learned' && cfg.bias !== 'fixed') throw new ParamsError(`tied ReLU AE: bias must be 'learned' or 'fixed' but got '${String(cfg.bias)}'`);
  if (!Number.isFinite(cfg.biasInit)) throw new ParamsError(`tied ReLU AE: biasInit must be finite but got ${cfg.biasInit}`);
  return cfg;
}
