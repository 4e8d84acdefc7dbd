/**
 * The three synthetic sparse datasets of Wu et al., "Learning a Compressed Sensing
 * Measurement Matrix via Gradient Unrolling" (ICML 2019), Section 4: vectors in R^1000 with
 * nonzeros drawn uniformly from [0, 1], each vector scaled to unit ℓ2 norm, split 6000 /
 * 2000 / 2000 into train / valid / test (10,000 vectors, ratios 0.6 / 0.2 / 0.2).
 *
 * - `synthetic1`: one random block of 10 consecutive nonzeros;
 * - `synthetic2`: two random blocks of 5 consecutive nonzeros;
 * - `synthetic3`: power-law support, P(coordinate i nonzero) ∝ 1/(i+1).
 *
 * Choices, following the authors' code (github.com/wushanshan/L1AE, `datasets.py`), which
 * defines block sparsity as in Baraniuk et al., "Model-based compressive sensing" (IEEE
 * Trans. Inf. Theory 2010, Section VI):
 * - Blocks are aligned: the d coordinates are cut into d/B blocks of B consecutive
 *   coordinates, and a vector's blocks are distinct blocks chosen uniformly (so two blocks of
 *   5 never overlap, but may be adjacent).
 * - Power law: p_i = min(1, c/(i+1)) with c set so that Σ p_i = 10 exactly. (The authors'
 *   code scales 1/(i+1) to sum 10 and then clips at 1, which leaves an expected 9.66
 *   nonzeros for d = 1000; we re-solve c after clipping so the expectation is the stated 10.)
 * - Values are uniform in (0, 1] rather than [0, 1), so every support entry is a nonzero.
 *
 * These vectors are what a compressed-sensing method measures and recovers. As datasets they
 * are the FEATURE part of each row (`idx:value`) with an empty label set (0 labels), which
 * the BoW format stores as a line starting with a space.
 */
import { type Csr, emptyCsr } from '../src/data/csr.js';
import { growFloat32, growInt32 } from '../src/data/growable.js';
import { type Dataset } from '../src/data/parser.js';
import { Rng } from '../src/util/rng.js';
import { normalizeRowsInPlace } from './sampling.js';
import { type SynthOptions, scaledCount, validateSynthOptions } from './synthetic_xmc.js';
import { InvalidArgumentError } from '../src/errors.js';

/** How the support of a vector is drawn. */
export type SensingSupport =
  | { kind: 'blocks'; blockSize: number; nBlocks: number }
  | { kind: 'power-law'; expectedNonzeros: number };

/** One of the Wu et al. synthetic sets. */
export interface SensingConfig {
  dim: number;
  nTrain: number;
  nValid: number;
  nTest: number;
  support: SensingSupport;
}

const SPLITS = { nTrain: 6000, nValid: 2000, nTest: 2000 } as const;

/** `synthetic1`: one aligned block of 10 (Wu et al. 2019, Section 4). */
export const SYNTHETIC1: Readonly<SensingConfig> = Object.freeze({ dim: 1000, ...SPLITS, support: { kind: 'blocks', blockSize: 10, nBlocks: 1 } } as const);
/** `synthetic2`: two distinct aligned blocks of 5. */
export const SYNTHETIC2: Readonly<SensingConfig> = Object.freeze({ dim: 1000, ...SPLITS, support: { kind: 'blocks', blockSize: 5, nBlocks: 2 } } as const);
/** `synthetic3`: power-law support with 10 expected nonzeros. */
export const SYNTHETIC3: Readonly<SensingConfig> = Object.freeze({ dim: 1000, ...SPLITS, support: { kind: 'power-law', expectedNonzeros: 10 } } as const);

/**
 * Inclusion probabilities p_i = min(1, c/(i+1)), i = 0..d−1, with Σ p_i = `expected`
 * (bisection on c; the sum is continuous and increasing in c).
 * @throws InvalidArgumentError unless 0 < expected ≤ d.
 */
export function powerLawProbabilities(d: number, expected: number): Float64Array {
  if (!(expected > 0 && expected <= d)) throw new InvalidArgumentError('powerLawProbabilities', `powerLawProbabilities(): expected must be in (0, ${d}] but got ${expected}`);
  const sum = (c: number): number => {
    let s = 0;
    for (let i = 0; i < d; i++) s += Math.min(1, c / (i + 1));
    return s;
  };
  let lo = 0, hi = d;
  for (let it = 0; it < 200 && hi - lo > 1e-15 * hi; it++) {
    const mid = (lo + hi) / 2;
    if (sum(mid) < expected) lo = mid; else hi = mid;
  }
  const p = new Float64Array(d);
  for (let i = 0; i < d; i++) p[i] = Math.min(1, hi / (i + 1));
  return p;
}

/** n vectors of dimension `dim` as CSR rows (unit ℓ2 norm, values > 0). */
function drawVectors(config: SensingConfig, rng: Rng, n: number, probs: Float64Array | undefined): Csr {
  const { dim, support } = config;
  const rowPtr = new Int32Array(n + 1);
  const idx = growInt32(n * 16), val = growFloat32(n * 16);
  const chosen: number[] = [];
  for (let r = 0; r < n; r++) {
    if (support.kind === 'blocks') {
      const nBlocksTotal = Math.floor(dim / support.blockSize);
      chosen.length = 0;
      while (chosen.length < support.nBlocks) {
        const b = rng.int(nBlocksTotal);
        if (!chosen.includes(b)) chosen.push(b);
      }
      chosen.sort((a, b) => a - b);
      for (const b of chosen) {
        for (let j = 0; j < support.blockSize; j++) { idx.push(b * support.blockSize + j); val.push(1 - rng.next()); }
      }
    } else {
      for (let i = 0; i < dim; i++) if (rng.next() < probs![i]!) { idx.push(i); val.push(1 - rng.next()); }
    }
    rowPtr[r + 1] = idx.length;
  }
  const values = val.toArray();
  normalizeRowsInPlace(rowPtr, values);
  return { nRows: n, nCols: dim, rowPtr, indices: idx.toArray(), values };
}

/**
 * Generate the train / valid / test splits of a Wu et al. synthetic set as datasets whose
 * features are the vectors and whose label sets are empty (0 label columns).
 * @example generateSensing('synthetic1', SYNTHETIC1, { seed: 3 }).train.features.nRows // 6000
 */
export function generateSensing(name: string, config: SensingConfig, options: SynthOptions = {}): { train: Dataset; valid: Dataset; test: Dataset } {
  const { seed, scale } = validateSynthOptions(options);
  const { support, dim } = config;
  if (support.kind === 'blocks' && !(support.blockSize >= 1 && support.nBlocks >= 1 && support.nBlocks <= Math.floor(dim / support.blockSize))) {
    throw new InvalidArgumentError('generateSensing', `generateSensing(): need 1 <= nBlocks <= ${Math.floor(dim / support.blockSize)} blocks of ${support.blockSize} but got ${support.nBlocks}`);
  }
  const probs = support.kind === 'power-law' ? powerLawProbabilities(dim, support.expectedNonzeros) : undefined;
  const onProgress = options.onProgress;
  const task = `generate ${name}`;
  const t0 = performance.now();
  onProgress?.({ status: 'start', task });
  const rng = new Rng(seed);
  const split = (what: string, n: number): Dataset => {
    const features = drawVectors(config, rng, scaledCount(n, scale), probs);
    return { features, labels: emptyCsr(features.nRows, 0), format: 'bow', source: `synthetic:${name}/${what} (seed ${seed})` };
  };
  const out = { train: split('train', config.nTrain), valid: split('valid', config.nValid), test: split('test', config.nTest) };
  onProgress?.({ status: 'done', task, seconds: (performance.now() - t0) / 1000 });
  return out;
}
