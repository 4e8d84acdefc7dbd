/**
 * The Deep ℓ0 encoders of Wang, Ling & Huang, "Learning Deep ℓ0 Encoders" (AAAI 2016,
 * arXiv:1509.00153), as label encoders.
 *
 * Both unroll K stages of iterative hard thresholding (Blumensath & Davies 2008) for codes z of a
 * signal x over a dictionary D, with W, S (and θ) shared by the stages and learned:
 *
 * - the Deep ℓ0-regularised encoder: z(1) = h_θ(W·x), z(k+1) = h_θ(W·x + S·z(k)), where the hard
 *   threshold h_θ(u) = diag(θ)·HELU_σ(diag(1/θ)·u) and HELU_σ is the paper's "Hard thrEsholding
 *   Linear Unit": 0 for |u| ≤ 1 − σ, a linear ramp from 0 to ±1 for 1 − σ < |u| < 1, u for
 *   |u| ≥ 1 — continuous, and the hard threshold at 1 as σ → 0. The paper trains with σ = 0.2
 *   divided by 10 every epoch;
 * - the Deep M-sparse encoder: the same recursion with max-M pooling/unpooling in place of h_θ:
 *   the M largest |u| of every row are kept where they are, the rest set to 0; the kept positions
 *   pass gradients, the others none.
 *
 * The paper initialises them from D as W = Dᵀ, S = I − DᵀD, θ = √λ (the IHT recursion with step 1,
 * which assumes ‖D‖₂ < 1). Our dictionaries have unit-norm atoms, so ‖D‖₂ ≥ 1: we fold the step
 * μ = 1/‖D‖₂² in, W = μDᵀ, S = I − μDᵀD, θ = √(λμ) (dictionary.ts explains), so K stages at σ = 0
 * equal K iterations of `batchIht` from z = 0.
 *
 * As label encoders (the XMC pipeline's stage 1): the embedding of an ℓ2-normalised label vector
 * y ∈ R^d is its sparse code z = enc(y) ∈ R^m over a d × m dictionary D learned on the labels
 * (m = the embedding dimension), and decode(z) = D·z. Training: a few rounds of dictionary learning
 * (IHT codes + MOD) give D, the encoder is initialised from D as above, then encoder and D are
 * trained end to end as an autoencoder on ‖y − D·enc(y)‖².
 *
 * Sources: the definitions above are from the paper's abstract and Sections 3–4 as recalled;
 * the search tool here could only reach the abstract and introduction of the stored copies
 * (ar5iv 1509.00153, the AAAI text), so the HELU breakpoints and the σ schedule follow the
 * project issue's spec, which agrees with them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Csr, densifyRows, normalizeRowsL2, selectRows } from '../data/csr.js';
import { type ProgressFn } from '../progress.js';
import { Rng } from '../util/rng.js';
import { ihtStep, l0Threshold, type SparseRule } from '../sensing/iht.js';
import { learnDictionary } from './dictionary.js';
import { decodeChunks, type EncoderState, type LabelEncoder, mapRowChunks, ROW_CHUNK, stateArray } from './encoder.js';
import { meanLoss, splitRows, trainAutoencoder, type TrainHistory, type TrainLoopOptions, resolveLoop } from './train_loop.js';
import { DEEP_L0_DEFAULTS as SCHEMA_DEEP_L0_DEFAULTS } from './param_schema.js';
import { InvalidArgumentError, ParamsError } from '../errors.js';

// ---------------------------------------------------------------------------------------------
// Network pieces (tfjs-core ops only, so any backend runs them).

/**
 * HELU_σ(u), elementwise: 0 for |u| ≤ 1 − σ, sign(u)·(|u| − 1 + σ)/σ for 1 − σ < |u| < 1, u for
 * |u| ≥ 1. σ ≤ 0 gives the exact hard threshold u·[|u| > 1] (gradient 1 on the kept entries,
 * 0 elsewhere). Written as sign(u)·(min(relu(|u| − 1 + σ)/σ, 1) + relu(|u| − 1)), which is exact
 * (no cancellation) beyond the ramp for every σ.
 */
export function helu(u: tf.Tensor, sigma: number): tf.Tensor {
  return tf.tidy(() => {
    const a = tf.abs(u);
    if (!(sigma > 0)) return tf.mul(u, tf.step(tf.sub(a, 1)));
    // min(r, 1) = 1 − relu(1 − r) for r = relu(a − 1 + σ)/σ ≥ 0: exactly 1 beyond the ramp, and
    // without tf.minimum, whose gradient casts a bool tensor that the native backend's Multiply rejects.
    const ramp = tf.sub(1, tf.relu(tf.sub(1, tf.div(tf.relu(tf.add(a, sigma - 1)), sigma))));
    return tf.mul(tf.sign(u), tf.add(ramp, tf.relu(tf.sub(a, 1))));
  });
}

/** h_θ(u) = diag(θ)·HELU_σ(diag(1/θ)·u) for u (n × m) and θ (m): the hard threshold at θ as σ → 0. */
export function heluThreshold(u: tf.Tensor2D, theta: tf.Tensor1D, sigma: number): tf.Tensor2D {
  return tf.tidy(() => {
    const t = tf.add(tf.abs(theta), 1e-12); // |θ|: a θ pushed below 0 acts as its mirror image, and never divides by 0
    return tf.mul(helu(tf.div(u, t), sigma), t) as tf.Tensor2D;
  });
}

/**
 * The 0/1 mask of the `m` largest |u| in every row of u (n × p): exactly min(m, p) ones per row,
 * ties broken by tf.topk (the lower index on the cpu backend). Carries no gradient.
 */
export function maxMMask(u: tf.Tensor2D, m: number): tf.Tensor2D {
  const p = u.shape[1];
  const k = Math.min(m, p);
  if (!(Number.isInteger(m) && m > 0)) throw new InvalidArgumentError('maxMMask', `maxMMask(): M must be a positive integer but got ${m}`);
  const f = tf.customGrad(((x: tf.Tensor) => ({
    value: tf.tidy(() => tf.sum(tf.oneHot(tf.topk(tf.abs(x), k).indices, p, 1, 0, 'float32'), 1)),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(u) as tf.Tensor2D;
}

/** Max-M pooling followed by unpooling: u with all but the M largest magnitudes of every row zeroed; gradients reach the kept positions only. */
export function maxMPool(u: tf.Tensor2D, m: number): tf.Tensor2D {
  return tf.tidy(() => tf.mul(u, maxMMask(u, m)) as tf.Tensor2D);
}

/** The shared weights of a K-stage unrolled IHT encoder: W (p × d), S (p × p) and, for the ℓ0-regularised encoder, θ (p). */
export interface UnrolledWeights {
  readonly w: tf.Variable;
  readonly s: tf.Variable;
  readonly theta?: tf.Variable;
}

/** The thresholding of one stage: HELU at σ (ℓ0-regularised) or max-M pooling (M-sparse). */
export type StageNonlinearity = { readonly kind: 'l0'; readonly sigma: number } | { readonly kind: 'm-sparse'; readonly sparsity: number };

/**
 * z(K) of the unrolled encoder for the rows of x (n × d): z(1) = f(x·Wᵀ), z(k+1) = f(x·Wᵀ + z(k)·Sᵀ),
 * f the stage nonlinearity. Codes n × p.
 */
export function unrolledEncode(weights: UnrolledWeights, x: tf.Tensor2D, stages: number, f: StageNonlinearity): tf.Tensor2D {
  if (!(Number.isInteger(stages) && stages >= 1)) throw new InvalidArgumentError('unrolledEncode', `unrolledEncode(): stages must be a positive integer but got ${stages}`);
  if (f.kind === 'l0' && !weights.theta) throw new InvalidArgumentError('unrolledEncode', 'unrolledEncode(): the ℓ0-regularised encoder needs θ');
  return tf.tidy(() => {
    const act = (u: tf.Tensor2D): tf.Tensor2D => (f.kind === 'l0' ? heluThreshold(u, weights.theta as tf.Tensor as tf.Tensor1D, f.sigma) : maxMPool(u, f.sparsity));
    const b = tf.matMul(x, weights.w as tf.Tensor as tf.Tensor2D, false, true);
    let z = act(b as tf.Tensor2D);
    for (let k = 1; k < stages; k++) z = act(tf.add(b, tf.matMul(z, weights.s as tf.Tensor as tf.Tensor2D, false, true)) as tf.Tensor2D);
    return z;
  });
}

/**
 * The encoder weights initialised from a dictionary D (d × p, row-major) with IHT step μ:
 * W = μDᵀ (p × d), S = I − μDᵀD (p × p), θ = √(λμ) (p) — the paper's W = Dᵀ, S = I − DᵀD, θ = √λ
 * when μ = 1.
 */
export function weightsFromDictionary(dict: Float64Array, d: number, p: number, step: number, lambda?: number): { w: Float32Array; s: Float32Array; theta?: Float32Array } {
  if (dict.length !== d * p) throw new InvalidArgumentError('weightsFromDictionary', `weightsFromDictionary(): expected ${d} × ${p} entries but got ${dict.length}`);
  const w = new Float32Array(p * d), s = new Float32Array(p * p);
  for (let i = 0; i < d; i++) for (let a = 0; a < p; a++) w[a * d + i] = step * dict[i * p + a]!;
  for (let a = 0; a < p; a++) {
    for (let b = a; b < p; b++) {
      let g = 0;
      for (let i = 0; i < d; i++) g += dict[i * p + a]! * dict[i * p + b]!;
      const v = (a === b ? 1 : 0) - step * g;
      s[a * p + b] = v; s[b * p + a] = v;
    }
  }
  return lambda === undefined ? { w, s } : { w, s, theta: new Float32Array(p).fill(l0Threshold(lambda, step)) };
}

/** tf.Variables holding `arrays` (W p × d, S p × p, θ p). */
export function unrolledVariables(arrays: { w: Float32Array; s: Float32Array; theta?: Float32Array }, d: number, p: number): UnrolledWeights {
  // Inside tidy, so the initial-value tensors are freed (the variables are not tracked by tidy).
  return tf.tidy(() => {
    const w = tf.variable(tf.tensor2d(arrays.w, [p, d]), true);
    const s = tf.variable(tf.tensor2d(arrays.s, [p, p]), true);
    return arrays.theta ? { w, s, theta: tf.variable(tf.tensor1d(arrays.theta), true) } : { w, s };
  });
}

// ---------------------------------------------------------------------------------------------
// The label encoders.

/** Settings of the Deep ℓ0 label encoders. */
export interface DeepL0Config {
  /** Dictionary atoms = embedding dimension m. */
  readonly embeddingDim: number;
  /** λ of ‖y − Dz‖² + λ‖z‖₀ (the ℓ0-regularised encoder). */
  readonly lambda: number;
  /** M of ‖z‖₀ ≤ M (the M-sparse encoder). */
  readonly sparsity: number;
  /** Unrolled stages K. */
  readonly stages: number;
  /** HELU σ in the first epoch. */
  readonly sigma0: number;
  /** σ is divided by this every epoch. */
  readonly sigmaDecay: number;
  /** Below this σ the exact hard threshold (σ = 0) is used. */
  readonly sigmaMin: number;
  /** Rounds of dictionary learning (IHT codes + MOD) before the encoder is initialised. */
  readonly dictionaryRounds: number;
  /** IHT iterations per dictionary-learning round. */
  readonly dictionaryIterations: number;
  /** Label rows (a seeded sample) the dictionary is learned on, at most. */
  readonly dictionaryRows: number;
  /** Train the dictionary (the decoder) with the encoder; false keeps the learned D fixed. */
  readonly trainDictionary: boolean;
  /** Seed of the dictionary-learning sample and initialisation. */
  readonly seed: number;
}

/** Defaults (and why), declared with the encoders' parameter schema in ./param_schema.ts. */
export const DEEP_L0_DEFAULTS: Readonly<Omit<DeepL0Config, 'embeddingDim'>> = SCHEMA_DEEP_L0_DEFAULTS;

/** σ of epoch `epoch` (1-based): σ0/decay^(epoch−1), 0 once below σmin. */
export function sigmaAt(cfg: Pick<DeepL0Config, 'sigma0' | 'sigmaDecay' | 'sigmaMin'>, epoch: number): number {
  const s = cfg.sigma0 / cfg.sigmaDecay ** (epoch - 1);
  return s < cfg.sigmaMin ? 0 : s;
}


function resolveConfig(options: Partial<DeepL0Config> & { embeddingDim: number }): DeepL0Config {
  const cfg: DeepL0Config = { ...DEEP_L0_DEFAULTS, ...options };
  const posInt = (name: keyof DeepL0Config): void => {
    const v = cfg[name] as number;
    if (!(Number.isInteger(v) && v > 0)) throw new ParamsError(`Deep ℓ0 encoder: ${name} must be a positive integer but got ${v}`);
  };
  posInt('embeddingDim'); posInt('stages'); posInt('sparsity'); posInt('dictionaryRows');
  if (!(cfg.lambda >= 0)) throw new ParamsError(`Deep ℓ0 encoder: λ must be ≥ 0 but got ${cfg.lambda}`);
  if (!(cfg.sigma0 >= 0 && cfg.sigmaDecay >= 1 && cfg.sigmaMin >= 0)) throw new ParamsError(`Deep ℓ0 encoder: need σ0 ≥ 0, σ decay ≥ 1, σmin ≥ 0 but got σ0 = ${cfg.sigma0}, σ decay = ${cfg.sigmaDecay}, σmin = ${cfg.sigmaMin}`);
  if (!(Number.isInteger(cfg.dictionaryRounds) && cfg.dictionaryRounds >= 0 && Number.isInteger(cfg.dictionaryIterations) && cfg.dictionaryIterations > 0)) {
    throw new ParamsError(`Deep ℓ0 encoder: dictionaryRounds must be an integer ≥ 0 and dictionaryIterations a positive integer but got ${cfg.dictionaryRounds} and ${cfg.dictionaryIterations}`);
  }
  return cfg;
}

type Kind = 'deep-l0' | 'm-sparse';

/** What both Deep ℓ0 label encoders share: the unrolled encoder, the dictionary decoder, state. */
abstract class UnrolledLabelEncoder implements LabelEncoder {
  /** `'deep-l0'` or `'m-sparse'`. */
  abstract readonly kind: Kind;

  /** @internal */
  protected constructor(
    /** Label dimension d. */
    readonly nLabels: number,
    /** @internal */
    protected readonly cfg: DeepL0Config,
    /** @internal */
    protected readonly weights: UnrolledWeights,
    /** Dᵀ (m × d): decode(z) = z·Dᵀ. @internal */
    protected readonly dictT: tf.Variable,
  ) {}

  /** Embedding dimension m (the number of dictionary atoms). */
  get dim(): number { return this.cfg.embeddingDim; }

  /** The inference-time stage nonlinearity (σ = 0: the exact hard threshold). @internal */
  protected abstract nonlinearity(sigma: number): StageNonlinearity;

  /** Codes of the rows of a dense batch. @internal */
  protected codes(x: tf.Tensor2D, sigma: number): tf.Tensor2D {
    return unrolledEncode(this.weights, x, this.cfg.stages, this.nonlinearity(sigma));
  }

  /** Mean ‖y − D·enc(y)‖² of a dense batch (the training loss). @internal */
  protected loss(x: tf.Tensor2D, sigma: number): tf.Scalar {
    return tf.tidy(() => tf.mean(tf.sum(tf.squaredDifference(x, tf.matMul(this.codes(x, sigma), this.dictT as tf.Tensor as tf.Tensor2D)), 1)) as tf.Scalar);
  }

  /** The variables training updates (D too when `trainDictionary`). @internal */
  protected trainable(): tf.Variable[] {
    const v = [this.weights.w, this.weights.s, ...(this.weights.theta ? [this.weights.theta] : [])];
    return this.cfg.trainDictionary ? [...v, this.dictT] : v;
  }

  encode(labels: Csr): Float32Array {
    if (labels.nCols > this.nLabels) throw new InvalidArgumentError('encode', `encode(): the label rows have ${labels.nCols} columns but the encoder has ${this.nLabels}`);
    const y = normalizeRowsL2({ ...labels, nCols: this.nLabels });
    return mapRowChunks(y.nRows, this.dim, (s, e) => tf.tensor2d(densifyRows(y, s, e), [e - s, this.nLabels]), (x) => this.codes(x, 0));
  }

  /** D·z for every row of z (n × m): label scores n × d. */
  readonly decode = (z: Float32Array, n: number): Float32Array => decodeChunks(z, n, this.dim, this.nLabels, (x) => tf.matMul(x, this.dictT as tf.Tensor as tf.Tensor2D));

  state(): EncoderState {
    const arrays: Record<string, Float32Array> = {
      w: this.weights.w.dataSync() as Float32Array, s: this.weights.s.dataSync() as Float32Array, dict: this.dictT.dataSync() as Float32Array,
    };
    if (this.weights.theta) arrays['theta'] = this.weights.theta.dataSync() as Float32Array;
    return { kind: this.kind, nLabels: this.nLabels, dim: this.dim, config: { ...this.cfg }, arrays };
  }

  dispose(): void {
    tf.dispose([this.weights.w, this.weights.s, this.dictT, ...(this.weights.theta ? [this.weights.theta] : [])]);
  }

  /**
   * Learn D on the labels, initialise the encoder from it, train end to end. Early stopping (when
   * the loop has a validation split or set) scores every epoch by the validation loss of the
   * inference-time network (σ = 0, the exact threshold / max-M), not the loss at the epoch's σ,
   * so the epochs compared are the same function of their weights.
   * @internal
   */
  protected static async fit<E extends UnrolledLabelEncoder>(
    kind: Kind,
    make: (nLabels: number, cfg: DeepL0Config, weights: UnrolledWeights, dictT: tf.Variable) => E,
    labels: Csr,
    options: Partial<DeepL0Config> & { embeddingDim: number },
    loop: TrainLoopOptions,
    onProgress?: ProgressFn,
  ): Promise<{
    /** The trained encoder. */
    encoder: E;
    /** Training losses per epoch, the epoch kept, the time taken. */
    history: TrainHistory;
  }> {
    const cfg = resolveConfig(options);
    const d = labels.nCols, m = cfg.embeddingDim;
    const y = normalizeRowsL2(labels);
    const rule: SparseRule = kind === 'deep-l0' ? { kind: 'l0', lambda: cfg.lambda } : { kind: 'm-sparse', sparsity: cfg.sparsity };
    // Dictionary learning on a seeded sample of the training rows.
    const rows = Int32Array.from({ length: y.nRows }, (_, i) => i);
    new Rng(cfg.seed ^ 0x3c6ef372).shuffle(rows);
    const sample = selectRows(y, rows.subarray(0, Math.min(y.nRows, cfg.dictionaryRows)).slice().sort());
    const learned = learnDictionary(sample, { atoms: m, rule, rounds: cfg.dictionaryRounds, ihtIterations: cfg.dictionaryIterations, seed: cfg.seed });
    const step = ihtStep(learned.dict, d, m);
    const weights = unrolledVariables(weightsFromDictionary(learned.dict, d, m, step, kind === 'deep-l0' ? cfg.lambda : undefined), d, m);
    const dt = new Float32Array(m * d);
    for (let i = 0; i < d; i++) for (let a = 0; a < m; a++) dt[a * d + i] = learned.dict[i * m + a]!;
    const dictT = tf.tidy(() => tf.variable(tf.tensor2d(dt, [m, d]), true));
    const enc = make(d, cfg, weights, dictT);
    let sigma = sigmaAt(cfg, 1);
    const validation = loop.validationData
      ? normalizeRowsL2(loop.validationData)
      : loop.validationFraction > 0 ? selectRows(y, splitRows(y.nRows, loop.validationFraction, loop.seed).valid) : null;
    const validationScore = validation && validation.nRows > 0
      ? (): number => meanLoss(validation, Int32Array.from({ length: validation.nRows }, (_, i) => i), ROW_CHUNK, (x) => enc.loss(x, 0))
      : undefined;
    const history = await trainAutoencoder(y, enc.trainable(), (x) => enc.loss(x, sigma), {
      taskName: kind === 'deep-l0' ? 'train Deep ℓ0 encoder' : 'train Deep M-sparse encoder',
      ...loop,
      ...(loop.validationData ? { validationData: validation! } : {}),
      ...(validationScore && !loop.validationScore ? { validationScore } : {}),
      onEpochStart: (epoch) => { sigma = sigmaAt(cfg, epoch); loop.onEpochStart?.(epoch); },
    }, onProgress);
    return { encoder: enc, history };
  }

  /** Rebuild an encoder of `kind` from a saved state (checks the kind and every array's size). @internal */
  protected static restore<E extends UnrolledLabelEncoder>(
    kind: Kind,
    state: EncoderState,
    make: (nLabels: number, cfg: DeepL0Config, weights: UnrolledWeights, dictT: tf.Variable) => E,
  ): E {
    if (state.kind !== kind) throw new InvalidArgumentError('fromState', `not a ${kind} encoder state: ${state.kind}`);
    const d = state.nLabels, m = state.dim;
    const cfg = resolveConfig({ ...(state.config as Partial<DeepL0Config>), embeddingDim: m });
    const weights = unrolledVariables({
      w: stateArray(state, 'w', m * d), s: stateArray(state, 's', m * m),
      ...(kind === 'deep-l0' ? { theta: stateArray(state, 'theta', m) } : {}),
    }, d, m);
    return make(d, cfg, weights, tf.tidy(() => tf.variable(tf.tensor2d(stateArray(state, 'dict', m * d), [m, d]), true)));
  }
}

/** The Deep ℓ0-regularised encoder as a label encoder (kind 'deep-l0'): embeddings are the K-stage HELU codes at σ = 0. */
export class DeepL0Encoder extends UnrolledLabelEncoder {
  readonly kind = 'deep-l0' as const;

  private static make = (nLabels: number, cfg: DeepL0Config, weights: UnrolledWeights, dictT: tf.Variable): DeepL0Encoder => new DeepL0Encoder(nLabels, cfg, weights, dictT);

  protected nonlinearity(sigma: number): StageNonlinearity { return { kind: 'l0', sigma }; }

  /** Train on the label rows (each ℓ2-normalised first). */
  static async train(labels: Csr, options: Partial<DeepL0Config> & { embeddingDim: number }, loop: Partial<TrainLoopOptions> = {}, onProgress?: ProgressFn): Promise<{
    /** The trained encoder. */
    encoder: DeepL0Encoder;
    /** Training losses per epoch, the epoch kept, the time taken. */
    history: TrainHistory;
  }> {
    return UnrolledLabelEncoder.fit('deep-l0', DeepL0Encoder.make, labels, options, resolveLoop(loop), onProgress);
  }

  /** Rebuild an encoder from what `state()` returned (e.g. after saving and loading); throws when the state is of another kind or an array has the wrong size. */
  static fromState(state: EncoderState): DeepL0Encoder { return UnrolledLabelEncoder.restore('deep-l0', state, DeepL0Encoder.make); }
}

/** The Deep M-sparse encoder as a label encoder (kind 'm-sparse'): embeddings are K-stage max-M-pooled codes, M nonzeros each. */
export class MSparseEncoder extends UnrolledLabelEncoder {
  readonly kind = 'm-sparse' as const;

  private static make = (nLabels: number, cfg: DeepL0Config, weights: UnrolledWeights, dictT: tf.Variable): MSparseEncoder => new MSparseEncoder(nLabels, cfg, weights, dictT);

  protected nonlinearity(): StageNonlinearity { return { kind: 'm-sparse', sparsity: this.cfg.sparsity }; }

  /** Train on the label rows (each ℓ2-normalised first). */
  static async train(labels: Csr, options: Partial<DeepL0Config> & { embeddingDim: number }, loop: Partial<TrainLoopOptions> = {}, onProgress?: ProgressFn): Promise<{
    /** The trained encoder. */
    encoder: MSparseEncoder;
    /** Training losses per epoch, the epoch kept, the time taken. */
    history: TrainHistory;
  }> {
    return UnrolledLabelEncoder.fit('m-sparse', MSparseEncoder.make, labels, options, resolveLoop(loop), onProgress);
  }

  /** Rebuild an encoder from what `state()` returned (e.g. after saving and loading); throws when the state is of another kind or an array has the wrong size. */
  static fromState(state: EncoderState): MSparseEncoder { return UnrolledLabelEncoder.restore('m-sparse', state, MSparseEncoder.make); }
}
