/**
 * Registry of the label encoders (interchangeable algorithms behind one frozen map, as tfjs-core's kernel_registry.ts):
 * for every {@link EncoderKind}, how the pipeline trains one and how a saved one is rebuilt.
 */
import { type Csr } from '../data/csr.js';
import { type ProgressFn, task } from '../progress.js';
import { LinearEncoder, SimpleAeEncoder } from './baselines.js';
import { type DeepL0Config, DeepL0Encoder, MSparseEncoder } from './deep_l0.js';
import { type EncoderKind, type EncoderState, type LabelEncoder } from './encoder.js';
import { L1aeEncoder, type L1aeShape } from './l1ae.js';
import { type L1SaeConfig, L1SaeEncoder } from './l1sae.js';
import { ENCODER_PARAMS, type EncoderParamSpec, encoderOptions } from './param_schema.js';
import { type TiedReluConfig, TiedReluEncoder } from './tied_relu.js';
import { type TrainHistory, type TrainLoopOptions } from './train_loop.js';
import { ModelFormatError } from '../errors.js';

/** What the pipeline gives every encoder to train. */
export interface EncoderTrainArgs {
  /** Training label rows (n × d); encoders ℓ2-normalise them. */
  readonly labels: Csr;
  /** Embedding dimension m (already clipped to d). */
  readonly dim: number;
  readonly seed: number;
  /** Autoencoder training loop settings (ignored by the untrained encoders). */
  readonly loop: TrainLoopOptions;
  /**
   * The validated training parameters: each entry reads its own (declared in its `params` schema)
   * and passes them to its encoder under the encoder's option names.
   */
  readonly params: Readonly<Record<string, unknown>>;
  /** Suffix of progress task names, e.g. " (model 2/5)". */
  readonly tag: string;
}

/** One registry entry. */
export interface EncoderEntry {
  /** The encoder's parameters (name, type, default, range, description): flags, validation and docs come from it. */
  readonly params: readonly EncoderParamSpec[];
  train(args: EncoderTrainArgs, onProgress?: ProgressFn): Promise<{ encoder: LabelEncoder; history?: TrainHistory }>;
  fromState(state: EncoderState): LabelEncoder;
}

/** Training-loop task name for an entry. */
function loopFor(args: EncoderTrainArgs, title: string): TrainLoopOptions {
  return { ...args.loop, seed: args.seed, taskName: `train ${title}${args.tag}` };
}

/** The options of `kind`'s encoder in `args.params`, typed as the encoder's config. */
function opts<T>(kind: EncoderKind, args: EncoderTrainArgs): Partial<T> {
  return encoderOptions(kind, args.params) as Partial<T>;
}

export const ENCODERS: Readonly<Record<EncoderKind, EncoderEntry>> = Object.freeze({
  l1ae: {
    params: ENCODER_PARAMS.l1ae,
    train: (a, p) => L1aeEncoder.train(a.labels, { ...(opts<L1aeShape>('l1ae', a) as Omit<L1aeShape, 'embeddingDim' | 'seed'>), embeddingDim: a.dim, seed: a.seed }, loopFor(a, 'ℓ1-AE'), p),
    fromState: (s) => L1aeEncoder.fromState(s),
  },
  'l1-sae': {
    params: ENCODER_PARAMS['l1-sae'],
    train: (a, p) => L1SaeEncoder.train(a.labels, { ...opts<L1SaeConfig>('l1-sae', a), embeddingDim: a.dim, seed: a.seed }, loopFor(a, 'L1-SAE'), p),
    fromState: (s) => L1SaeEncoder.fromState(s),
  },
  'tied-relu': {
    params: ENCODER_PARAMS['tied-relu'],
    train: (a, p) => TiedReluEncoder.train(a.labels, { ...opts<TiedReluConfig>('tied-relu', a), embeddingDim: a.dim, seed: a.seed }, loopFor(a, 'tied ReLU AE'), p),
    fromState: (s) => TiedReluEncoder.fromState(s),
  },
  'deep-l0': {
    params: ENCODER_PARAMS['deep-l0'],
    train: (a, p) => DeepL0Encoder.train(a.labels, { ...opts<DeepL0Config>('deep-l0', a), embeddingDim: a.dim, seed: a.seed }, loopFor(a, 'Deep ℓ0 encoder'), p),
    fromState: (s) => DeepL0Encoder.fromState(s),
  },
  'm-sparse': {
    params: ENCODER_PARAMS['m-sparse'],
    train: (a, p) => MSparseEncoder.train(a.labels, { ...opts<DeepL0Config>('m-sparse', a), embeddingDim: a.dim, seed: a.seed }, loopFor(a, 'M-sparse encoder'), p),
    fromState: (s) => MSparseEncoder.fromState(s),
  },
  'simple-ae': {
    params: ENCODER_PARAMS['simple-ae'],
    train: (a, p) => SimpleAeEncoder.train(a.labels, a.dim, loopFor(a, 'simple AE'), p),
    fromState: (s) => SimpleAeEncoder.fromState(s),
  },
  pca: {
    params: ENCODER_PARAMS.pca,
    train: async (a, p) => ({ encoder: await task(p, `PCA of the labels${a.tag}`, undefined, () => LinearEncoder.pca(a.labels, a.dim, a.seed)) }),
    fromState: (s) => LinearEncoder.fromState(s),
  },
  gaussian: {
    params: ENCODER_PARAMS.gaussian,
    train: async (a) => ({ encoder: LinearEncoder.gaussian(a.labels.nCols, a.dim, a.seed) }),
    fromState: (s) => LinearEncoder.fromState(s),
  },
});

/** Rebuild a saved encoder from its state. */
export function rebuildEncoder(state: EncoderState): LabelEncoder {
  const entry = (ENCODERS as Record<string, EncoderEntry | undefined>)[state.kind];
  if (!entry) throw new ModelFormatError(`unknown label encoder kind '${state.kind}' (this xmlc knows ${Object.keys(ENCODERS).join(', ')})`);
  return entry.fromState(state);
}
