/**
 * The parameter schema of every label encoder, declared once: name, type, default, range and a
 * one-line description. The embedding pipeline's parameters, the `xmlc train` flags, `--params`
 * validation, `--print-params` and the README's table are all generated from it. This module
 * loads no tensor library (flag parsing and manifest validation stay light); the encoders read
 * their defaults from here.
 */
import { type EncoderKind } from './kinds.js';

/**
 * The range of a numeric parameter or flag: an integer or any finite number, bounded below and
 * above (each bound closed unless `minOpen` / `maxOpen`).
 * @inline
 */
export interface NumericSpec {
  /** Whether the value must be an integer. */
  readonly int: boolean;
  /** Lower bound (none when absent). */
  readonly min?: number;
  /** Upper bound (none when absent). */
  readonly max?: number;
  /** The lower bound itself is excluded. */
  readonly minOpen?: boolean;
  /** The upper bound itself is excluded. */
  readonly maxOpen?: boolean;
}

/** One encoder parameter. Its key in the pipeline's parameters is `key`; its flag is `--` + kebab-case(key). */
export type EncoderParamSpec = {
  /** Key in the training parameters (`--params` JSON, the saved manifest). */
  readonly key: string;
  /** Field of the encoder's own config the value is passed as. */
  readonly option: string;
  /** One-line description (flag help and README). */
  readonly describe: string;
} & (
  /** `auto`, when given, says what the value `'auto'` means; the default is then `'auto'`. */
  | { readonly type: 'number'; readonly range: NumericSpec; readonly default: number | 'auto'; readonly auto?: string }
  | { readonly type: 'boolean'; readonly default: boolean }
  | { readonly type: 'enum'; readonly choices: readonly string[]; readonly default: string }
);

/** Optimizers of the autoencoder training loop. */
export const OPTIMIZERS = Object.freeze(['adam', 'sgd'] as const);
/**
 * An optimizer of the autoencoder training loop: `'adam'` or `'sgd'`.
 * @useDeclaredType
 */
export type Optimizer = (typeof OPTIMIZERS)[number];

/**
 * Defaults of the autoencoder training loop of the embedding pipeline (src/encoders/train_loop.ts),
 * defined once: the training parameters (EMBED_DEFAULTS) and the `xmlc train` flags read them.
 * Chosen on seeded 80/20 validation splits of the Bibtex and Delicious training sets: Adam at 0.01
 * converges within the 100 epochs where a rate of 0.003 does not.
 */
export const TRAIN_LOOP_DEFAULTS = Object.freeze({
  /** Passes over the training rows. */
  epochs: 100,
  /** Rows per mini-batch. */
  batchSize: 128,
  /** Step size of the optimizer. */
  learningRate: 0.01,
  /** Adam (Kingma & Ba, ICLR 2015). */
  optimizer: 'adam' as Optimizer,
  /** Fraction of the training label vectors held out for early stopping. */
  validationFraction: 0.1,
  /** Epochs without a better validation loss before stopping. */
  patience: 10,
});

/**
 * How the ℓ1-AE trains by default, beyond the loop's settings (src/encoders/l1ae.ts, L1aeTraining),
 * chosen on validation splits, never on a test set (eval/results/bench_epochs.md,
 * `node dist/eval/bench_epochs.js`):
 * - `warmStart: 'pca'`: A starts as the PCA encoder's A and β at the best of a grid on the
 *   training rows; the starting weights compete with every epoch on the validation split. From
 *   the paper's random start, 100 epochs at the loop's rate 0.01 leave the validation loss still
 *   falling (EURLex-4K-like: ~499 s, loss 5.4 on ¼ of its points); the PCA start is at 0.52
 *   there and no epoch beats it, Bibtex's best epoch is the first, Delicious' the fifth.
 * - a warm-up + cosine schedule of 5 epochs (1 of warm-up) with the loop's rate 0.01 as its peak:
 *   on Delicious 10 epochs lower the validation loss further (0.141 vs 0.154) but not the
 *   validation P@k (P@1 65.3 vs 67.3); the peak rate 0.03 diverges on EURLex-4K-like; the
 *   warm-up keeps Adam's first, unscaled steps (≈ rate per weight) from undoing the start.
 */
export const L1AE_TRAINING_DEFAULTS = Object.freeze({
  warmStart: 'pca' as 'pca' | 'random',
  scheduleEpochs: 5,
  warmupEpochs: 1,
});

/**
 * L1-SAE defaults, for ℓ2-normalised label rows (‖x‖ = 1, so predicting x̂ = 0 costs 1 per row) and the
 * pipeline's loop ({@link TRAIN_LOOP_DEFAULTS}); chosen on Bibtex labels, m = 100 (the code
 * sparsity and reconstruction error for β ∈ {0.003, 0.01, 0.03}: eval/results/l1sae_sparsity.md,
 * `node dist/eval/l1sae_sparsity.js`):
 * - logistic encoder and decoder, as in the paper;
 * - β = 0.01: the middle of that sweep, trading a clearly sparser code (higher Gini index) for a
 *   reconstruction error still far below the error 1 of predicting zero;
 * - λ = 1e-6: the reconstruction error per row is below 1 here, so a weight decay usual for image
 *   data (1e-4, with errors of tens per row) would dominate the loss and pin the weights; 1e-6
 *   still keeps weights bounded;
 * - α0 = 1/β (the value used when `alpha0` is not given): the first threshold α0·β = 1 covers the
 *   whole range of logistic codes, so the first stage's penalty is the gentle ridge z²/(2α0) and
 *   the ℓ1 is fed in as α falls;
 * - f = 0.6 and T = 13: the last threshold 0.6¹³ ≈ 0.0013 makes the penalty ≈ β‖z‖₁ for codes
 *   above it; 14 stages of ≈ 7 epochs at 100 loop epochs.
 */
export const L1SAE_DEFAULTS = Object.freeze({
  beta: 0.01,
  weightDecay: 1e-6,
  alpha0: 100, // 1/β
  alphaFactor: 0.6,
  reductions: 13,
  encoderActivation: 'sigmoid',
  decoderActivation: 'sigmoid',
  seed: 0,
} as const);

/**
 * Tied ReLU AE defaults, and why:
 * - `bias: 'learned'` — the paper's ε = Θ(h^p·(δ + μ/√n))·(code magnitude) needs the sparsity,
 *   the coherence of the generating dictionary and the distance of W from it: none is known for
 *   label data. A per-unit ε_i learned with W is the same threshold unit by unit (the theorem
 *   holds unit-wise: unit i fires iff W_i·y > ε_i), chosen by the same squared loss instead of by
 *   formula; units whose labels co-occur more (more interference) can use a higher threshold.
 * - `biasInit: 0` — W starts random (rows of unit norm in expectation), far from any dictionary,
 *   so there is no margin to set a threshold in: ε = 0 starts as a plain ReLU with about half
 *   the units active, and training raises ε where that removes interference.
 */
export const TIED_RELU_DEFAULTS = Object.freeze({ bias: 'learned', biasInit: 0 } as const);

/**
 * Deep ℓ0 / M-sparse defaults, and why:
 * - stages K = 2, σ0 = 0.2, decay 10: the paper's setting (Wang et al., AAAI 2016: two stages
 *   sharing W, S, θ; HELU σ 0.2 divided by 10 every epoch).
 * - λ = 0.01: on ℓ2-normalised label vectors an atom enters a code only if it removes more than 1%
 *   of the label vector's energy (threshold √(λμ) on the IHT step), so codes carry the few label
 *   groups of a point (Bibtex 2.4, Delicious 19 labels a point) without fitting noise.
 * - M = 10: 10% of the default m = 100 atoms, about the number of label groups a point has.
 * - σmin = 1e-6: after 6 epochs σ is below it and the stage is the exact hard threshold (also the
 *   inference-time function), avoiding 1/σ overflow in float32.
 *   λ is absolute, so label sets with many labels a point get denser codes and want a larger λ
 *   (or 'm-sparse', whose M fixes the code size).
 * - 10 dictionary rounds × 30 IHT iterations on at most 20000 rows: a small part of the training
 *   time (training times of every encoder on Bibtex and Delicious: eval/results/report.md).
 */
export const DEEP_L0_DEFAULTS = Object.freeze({
  lambda: 0.01,
  sparsity: 10,
  stages: 2,
  sigma0: 0.2,
  sigmaDecay: 10,
  sigmaMin: 1e-6,
  dictionaryRounds: 10,
  dictionaryIterations: 30,
  dictionaryRows: 20000,
  trainDictionary: true,
  seed: 0,
} as const);

const int = (min: number, max: number): NumericSpec => Object.freeze({ int: true, min, max });
const real = (min: number, max: number, open: { minOpen?: boolean; maxOpen?: boolean } = {}): NumericSpec => Object.freeze({ int: false, min, max, ...open });

// Each helper keeps its key (and an enum's choices) as literal types, so that the parameters' type
// is derived from the schema (EncoderParamValues).
/** @inline */
type Common<K extends string> = {
  /** Key in the training parameters (`--params` JSON, the saved manifest); the flag is `--` + kebab-case(key). */
  readonly key: K;
  /** Field of the encoder's own config the value is passed as. */
  readonly option: string;
  /** One-line description (flag help and README). */
  readonly describe: string;
};
/** @inline */
type NumSpec<K extends string> = Common<K> & {
  /** A number. */
  readonly type: 'number';
  /** Allowed values. */
  readonly range: NumericSpec;
  /** Value when not given. */
  readonly default: number;
};
/** @inline */
type AutoSpec<K extends string> = Common<K> & {
  /** A number, or `'auto'`. */
  readonly type: 'number';
  /** Allowed numbers. */
  readonly range: NumericSpec;
  /** Not given means `'auto'`. */
  readonly default: 'auto';
  /** What `'auto'` means. */
  readonly auto: string;
};
/** @inline */
type BoolSpec<K extends string> = Common<K> & {
  /** A boolean (the flag has a `--no-` form). */
  readonly type: 'boolean';
  /** Value when not given. */
  readonly default: boolean;
};
/** @inline */
type ChoiceSpec<K extends string, C extends string> = Common<K> & {
  /** One of `choices`. */
  readonly type: 'enum';
  /** The allowed values. */
  readonly choices: readonly C[];
  /** Value when not given. */
  readonly default: C;
};
const num = <K extends string>(key: K, option: string, range: NumericSpec, dflt: number, describe: string): NumSpec<K> =>
  ({ key, option, type: 'number', range, default: dflt, describe });
/** A number whose default is `'auto'`; `auto` says what that means. */
const numAuto = <K extends string>(key: K, option: string, range: NumericSpec, auto: string, describe: string): AutoSpec<K> =>
  ({ key, option, type: 'number', range, default: 'auto', describe, auto });
const bool = <K extends string>(key: K, option: string, dflt: boolean, describe: string): BoolSpec<K> => ({ key, option, type: 'boolean', default: dflt, describe });
const choice = <K extends string, const C extends string>(key: K, option: string, choices: readonly C[], dflt: NoInfer<C>, describe: string): ChoiceSpec<K, C> => ({ key, option, type: 'enum', choices, default: dflt, describe });

const SAE_ACTIVATIONS = ['sigmoid', 'relu', 'linear'] as const;

/** The unrolled-encoder parameters both Deep ℓ0 encoders have, under the key prefix `p`. */
function unrolledSpecs<P extends string>(p: P) {
  const d = DEEP_L0_DEFAULTS;
  return [
    num(`${p}Stages`, 'stages', int(1, 100), d.stages, 'unrolled stages K (sharing their weights)'),
    num(`${p}DictionaryRounds`, 'dictionaryRounds', int(0, 10000), d.dictionaryRounds, 'rounds of dictionary learning (IHT codes + MOD) before the encoder is initialised'),
    num(`${p}DictionaryIterations`, 'dictionaryIterations', int(1, 100000), d.dictionaryIterations, 'IHT iterations per dictionary-learning round'),
    num(`${p}DictionaryRows`, 'dictionaryRows', int(1, 1 << 30), d.dictionaryRows, 'label rows (a seeded sample) the dictionary is learned on, at most'),
    bool(`${p}TrainDictionary`, 'trainDictionary', d.trainDictionary, 'train the dictionary (decoder) with the encoder; false keeps the learned one fixed'),
  ];
}

/**
 * Every encoder's parameters. The ℓ1-AE's keys are unprefixed (`depth`, `batchNorm`, …: the names
 * saved manifests use); every other encoder's keys start with its method name
 * (`l1saeBeta`, `tiedReluEpsilon`, `deepL0Lambda`, `mSparseM`), and so do their flags
 * (`--l1sae-beta`, `--tied-relu-epsilon`, `--deep-l0-lambda`, `--m-sparse-m`).
 * The ℓ1-AE's defaults were chosen on seeded validation splits (see EMBED_DEFAULTS in src/model/params.ts).
 */
export const ENCODER_PARAMS = Object.freeze({
  /** The ℓ1-AE (Wu et al., ICML 2019). */
  l1ae: [
    num('depth', 'depth', int(0, 1000), 10, 'unrolled decoder blocks T (the paper\'s XMC setting: 10)'),
    bool('batchNorm', 'batchNorm', false, 'batch normalisation in each block (--no-batch-norm drops it)'),
    bool('finalRelu', 'finalRelu', true, 'final ReLU (--no-final-relu drops it)'),
    choice('activation', 'activation', ['sign', 'tanh'], 'sign', 'sign (the paper\'s) or tanh in each block'),
    choice('decoderMatrix', 'decoderMatrix', ['tied', 'learned'], 'tied', 'the decoder uses Aᵀ (tied, the paper\'s) or a learned matrix B'),
    choice('warmStart', 'warmStart', ['pca', 'random'], L1AE_TRAINING_DEFAULTS.warmStart, 'initial A: the PCA encoder\'s (top principal directions of the training labels) or random N(0, 1/d) (the paper\'s)'),
    num('scheduleEpochs', 'scheduleEpochs', int(0, 1e6), L1AE_TRAINING_DEFAULTS.scheduleEpochs, 'epochs of a warm-up + cosine learning-rate schedule peaking at --learning-rate; training ends after them (0: constant rate for --epochs)'),
    num('warmupEpochs', 'warmupEpochs', int(0, 1e6), L1AE_TRAINING_DEFAULTS.warmupEpochs, 'warm-up epochs of that schedule (fewer than --schedule-epochs)'),
  ],
  /** The L1-SAE (Amini & Ghaemmaghami, EUSIPCO 2018): β, λ and the α schedule. */
  'l1-sae': [
    num('l1saeBeta', 'beta', real(0, 1e6), L1SAE_DEFAULTS.beta, 'β: weight of the ℓ1 norm of the codes'),
    num('l1saeWeightDecay', 'weightDecay', real(0, 1e6), L1SAE_DEFAULTS.weightDecay, 'λ: weight decay on the two weight matrices'),
    numAuto('l1saeAlpha0', 'alpha0', real(0, 1e12, { minOpen: true }), '1/β', 'α of the first stage, per row'),
    num('l1saeAlphaFactor', 'alphaFactor', real(0, 1, { minOpen: true }), L1SAE_DEFAULTS.alphaFactor, 'reduction factor f: α ← f·α between stages'),
    num('l1saeReductions', 'reductions', int(0, 1000), L1SAE_DEFAULTS.reductions, 'number of α reductions T (T + 1 stages)'),
    choice('l1saeEncoderActivation', 'encoderActivation', SAE_ACTIVATIONS, L1SAE_DEFAULTS.encoderActivation, 'activation of the encoder layer'),
    choice('l1saeDecoderActivation', 'decoderActivation', SAE_ACTIVATIONS, L1SAE_DEFAULTS.decoderActivation, 'activation of the decoder layer'),
  ],
  /** The tied-weight ReLU autoencoder (Rangamani et al., ISIT 2018): its threshold ε. */
  'tied-relu': [
    choice('tiedReluEpsilon', 'bias', ['learned', 'fixed'], TIED_RELU_DEFAULTS.bias, 'threshold ε: a per-unit bias learned with W, or one fixed constant (the paper\'s)'),
    num('tiedReluEpsilonValue', 'biasInit', real(-1e6, 1e6), TIED_RELU_DEFAULTS.biasInit, 'initial value of every ε_i (the constant when fixed)'),
  ],
  /** The Deep ℓ0-regularised encoder (Wang et al., AAAI 2016). */
  'deep-l0': [
    num('deepL0Lambda', 'lambda', real(0, 1e6), DEEP_L0_DEFAULTS.lambda, 'λ of ‖y − Dz‖² + λ‖z‖₀'),
    num('deepL0Sigma0', 'sigma0', real(0, 1e6), DEEP_L0_DEFAULTS.sigma0, 'HELU σ in the first epoch'),
    num('deepL0SigmaDecay', 'sigmaDecay', real(1, 1e6), DEEP_L0_DEFAULTS.sigmaDecay, 'σ is divided by this every epoch'),
    num('deepL0SigmaMin', 'sigmaMin', real(0, 1e6), DEEP_L0_DEFAULTS.sigmaMin, 'below this σ the exact hard threshold is used'),
    ...unrolledSpecs('deepL0'),
  ],
  /** The Deep M-sparse encoder (Wang et al., AAAI 2016). */
  'm-sparse': [
    num('mSparseM', 'sparsity', int(1, 1 << 16), DEEP_L0_DEFAULTS.sparsity, 'M: nonzeros of every code (‖z‖₀ ≤ M)'),
    ...unrolledSpecs('mSparse'),
  ],
  /** PCA of the label matrix: no parameters besides the embedding dimension. */
  pca: [],
  /** A seeded Gaussian random projection: no parameters besides the embedding dimension and seed. */
  gaussian: [],
  /** The simple autoencoder ŷ = ReLU(Bᵀ·A·y) of the ℓ1-AE paper's comparisons: no parameters besides the training loop's. */
  'simple-ae': [],
} satisfies Readonly<Record<EncoderKind, readonly EncoderParamSpec[]>>);

/**
 * One parameter's value type: boolean, one of an enum's choices, a number (or `'auto'` where the default is `auto`).
 * @inline
 */
type SpecValue<S> = S extends { readonly type: 'boolean' } ? boolean
  : S extends { readonly type: 'enum'; readonly choices: readonly (infer C)[] } ? C
    : S extends { readonly auto: string } ? number | 'auto' : number;

/**
 * Every encoder's parameters, keyed as in the training parameters (`depth`, `l1saeBeta`, …), typed from {@link ENCODER_PARAMS}:
 * booleans, the choices of an enum, numbers (or `'auto'` where the default is `'auto'`).
 */
export type EncoderParamValues = { readonly [S in (typeof ENCODER_PARAMS)[EncoderKind][number] as S['key']]: SpecValue<S> };

/** `--` flag of a parameter key: kebab-case, digits kept with the word before them (`deepL0Lambda` → `deep-l0-lambda`). */
export function paramFlagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The defaults of every encoder parameter, keyed as in the training parameters. */
export function encoderParamDefaults(kind?: EncoderKind): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = {};
  for (const [k, specs] of Object.entries(ENCODER_PARAMS)) {
    if (kind === undefined || k === kind) for (const s of specs) out[s.key] = s.default;
  }
  return out;
}

/** The encoder that owns training parameter `key`, if an encoder does. */
export function encoderOwning(key: string): EncoderKind | undefined {
  for (const [k, specs] of Object.entries(ENCODER_PARAMS) as [EncoderKind, readonly EncoderParamSpec[]][]) {
    if (specs.some((s) => s.key === key)) return k;
  }
  return undefined;
}

/**
 * The options `kind`'s encoder is trained with, from validated training parameters: each of its
 * parameters under the encoder's own option name (an `auto` value is left out: the encoder resolves it).
 */
export function encoderOptions(kind: EncoderKind, params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of ENCODER_PARAMS[kind]) if (params[s.key] !== 'auto') out[s.option] = params[s.key];
  return out;
}
