/**
 * The registry of seeded synthetic datasets: XMC-like stand-ins for EURLex-4K, Wiki10-31K
 * and AmazonCat-13K (./synthetic_xmc.ts) and the three compressed-sensing sets of Wu et al., ICML
 * 2019 (./synthetic_sensing.ts). `generateSynthetic(name, { seed, scale })` returns the
 * splits as {@link Dataset}s; the same seed gives the same data.
 */
import { type Dataset } from '../src/data/parser.js';
import { generateSensing, type SensingConfig, SYNTHETIC1, SYNTHETIC2, SYNTHETIC3 } from './synthetic_sensing.js';
import { AMAZONCAT_13K_LIKE, EURLEX_4K_LIKE, generateXmcLike, type SynthOptions, WIKI10_31K_LIKE, type XmcLikeConfig } from './synthetic_xmc.js';
import { InvalidArgumentError } from '../src/errors.js';

export { type SynthOptions, SYNTH_DEFAULTS } from './synthetic_xmc.js';

/** The splits a synthetic dataset has. */
export type SplitName = 'train' | 'valid' | 'test';

/** What {@link SYNTHETIC_DATASETS} says about one synthetic dataset (at scale 1). */
export interface SyntheticInfo {
  description: string;
  nFeatures: number;
  /** 0 for the compressed-sensing sets: their vectors are the features, label sets are empty. */
  nLabels: number;
  /** Points per split, in the order the files are written. */
  splits: Readonly<Partial<Record<SplitName, number>>>;
  /** Expected nonzero features per point. */
  featuresPerPoint: number;
  /** Expected labels per point. */
  labelsPerPoint: number;
}

interface Entry {
  info: SyntheticInfo;
  generate: (options: SynthOptions) => Partial<Record<SplitName, Dataset>>;
}

function xmcEntry(name: string, c: XmcLikeConfig, description: string): Entry {
  return {
    info: {
      description, nFeatures: c.nFeatures, nLabels: c.nLabels,
      splits: Object.freeze({ train: c.nTrain, test: c.nTest }),
      featuresPerPoint: c.featuresPerPoint, labelsPerPoint: c.labelsPerPoint,
    },
    generate: (o) => generateXmcLike(name, c, o),
  };
}

function sensingEntry(name: string, c: SensingConfig, description: string): Entry {
  return {
    info: {
      description, nFeatures: c.dim, nLabels: 0,
      splits: Object.freeze({ train: c.nTrain, valid: c.nValid, test: c.nTest }),
      featuresPerPoint: c.support.kind === 'blocks' ? c.support.blockSize * c.support.nBlocks : c.support.expectedNonzeros,
      labelsPerPoint: 0,
    },
    generate: (o) => generateSensing(name, c, o),
  };
}

const ENTRIES: Readonly<Record<string, Entry>> = Object.freeze({
  'eurlex-4k-like': xmcEntry('eurlex-4k-like', EURLEX_4K_LIKE,
    'EURLex-4K shape; tf-idf features from label topics, power-law labels'),
  'wiki10-31k-like': xmcEntry('wiki10-31k-like', WIKI10_31K_LIKE,
    'Wiki10-31K shape; tf-idf features from label topics, power-law labels'),
  'amazoncat-13k-like': xmcEntry('amazoncat-13k-like', AMAZONCAT_13K_LIKE,
    'AmazonCat-13K shape; tf-idf, power-law labels, 64 categories (clusters)'),
  synthetic1: sensingEntry('synthetic1', SYNTHETIC1,
    'Wu et al. 2019: d=1000, unit vectors, one block of 10 nonzeros'),
  synthetic2: sensingEntry('synthetic2', SYNTHETIC2,
    'Wu et al. 2019: d=1000, unit vectors, two blocks of 5 nonzeros'),
  synthetic3: sensingEntry('synthetic3', SYNTHETIC3,
    'Wu et al. 2019: d=1000, unit vectors, P(i nonzero) ∝ 1/(i+1), 10 expected'),
});

/** Names of the synthetic datasets. */
export type SyntheticName = 'eurlex-4k-like' | 'wiki10-31k-like' | 'amazoncat-13k-like' | 'synthetic1' | 'synthetic2' | 'synthetic3';

/** The synthetic datasets: name → description, shape and split sizes (at scale 1). */
export const SYNTHETIC_DATASETS: Readonly<Record<SyntheticName, SyntheticInfo>> = Object.freeze(
  Object.fromEntries(Object.entries(ENTRIES).map(([k, e]) => [k, Object.freeze(e.info)])) as Record<SyntheticName, SyntheticInfo>,
);

/** One line per synthetic dataset, `  name  description`, names padded to a common width (for help and listings). */
export function syntheticListing(): string[] {
  const width = Math.max(...Object.keys(ENTRIES).map((n) => n.length)) + 2;
  return Object.entries(ENTRIES).map(([n, e]) => `  ${n.padEnd(width)}${e.info.description}`);
}

/** Whether `name` is a synthetic dataset's name. */
export function isSyntheticName(name: string): name is SyntheticName {
  return Object.hasOwn(ENTRIES, name);
}

/**
 * Generate a synthetic dataset's splits (`train` and `test`, plus `valid` for synthetic1/2/3).
 * @param options seed (default 1), scale of the point counts (default 1), progress callback.
 * @throws InvalidArgumentError for an unknown name, a non-integer seed or a non-positive scale.
 * @example
 * const { train, test } = generateSynthetic('eurlex-4k-like', { seed: 3, scale: 0.1 });
 * train.features.nRows; // 1554
 */
export function generateSynthetic(name: string, options: SynthOptions = {}): Partial<Record<SplitName, Dataset>> & {
  /** The training split. */
  train: Dataset;
  /** The test split. */
  test: Dataset;
} {
  if (!isSyntheticName(name)) {
    throw new InvalidArgumentError('generateSynthetic', `generateSynthetic(): unknown dataset '${name}': expected one of ${Object.keys(ENTRIES).join(', ')}`);
  }
  return ENTRIES[name]!.generate(options) as Partial<Record<SplitName, Dataset>> & { train: Dataset; test: Dataset };
}
