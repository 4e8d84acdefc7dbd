/**
 * The label-encoder interface of stage 1 of the XMC pipeline (docs/architecture.md): an encoder
 * maps ℓ2-normalised sparse label vectors y ∈ R^d to embeddings z ∈ R^m, and, where it has
 * one, a decoder maps (predicted) embeddings back to label scores.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Csr, normalizeRowsL2 } from '../data/csr.js';
import { csrMatDense } from '../engine/sparse.js';
import { tidyData } from '../engine/tidy_data.js';

/**
 * Encoders the pipeline knows: the ℓ1-AE, the other sparse-coding networks (L1-SAE, tied-weight
 * ReLU AE, Deep ℓ0 encoders: ℓ0-regularised and M-sparse) and the baselines.
 */
import type { EncoderKind } from './kinds.js';
import { InvalidArgumentError, ModelFormatError } from '../errors.js';
export { ENCODER_KINDS, type EncoderKind } from './kinds.js';

/** Everything needed to rebuild an encoder: JSON-able settings plus named float arrays. */
export interface EncoderState {
  /** Which encoder the state belongs to; `fromState` of another kind rejects it. */
  readonly kind: EncoderKind;
  /** Label dimension d. */
  readonly nLabels: number;
  /** Embedding dimension m. */
  readonly dim: number;
  /** The encoder's settings (JSON-able; saved in the model manifest). */
  readonly config: Record<string, unknown>;
  /** The encoder's weights by name (row-major float32; saved as binary files beside the manifest). */
  readonly arrays: Record<string, Float32Array>;
}

/** A trained label encoder. */
export interface LabelEncoder {
  /** Which encoder this is (one of {@link ENCODER_KINDS}). */
  readonly kind: EncoderKind;
  /** Label dimension d. */
  readonly nLabels: number;
  /** Embedding dimension m. */
  readonly dim: number;
  /** Embeddings (n × m, row-major) of the rows of `labels` (n × d), each row ℓ2-normalised first. */
  encode(labels: Csr): Float32Array;
  /**
   * Label scores (n × d, row-major) decoded from embeddings `z` (n × m). Absent for encoders
   * without a decoder. An encoder may write them into `out` (at least n × d entries, e.g. a
   * buffer reused block after block) and return it; use the returned array either way. With
   * `precision` `'bfloat16'` an encoder may compute its products on bfloat16 operands where the
   * CPU has them (the ℓ1-AE on AVX512-BF16); the default is float32.
   */
  readonly decode?: (z: Float32Array, n: number, out?: Float32Array, precision?: 'bfloat16' | 'float32') => Float32Array;
  /**
   * True when `decode` recovers label vectors y from their own measurements A·y by unrolled
   * compressed-sensing recovery (the ℓ1-AE), so it can serve as a recovery algorithm for A
   * (`xmlc recover --decoder l1ae`). Absent otherwise.
   */
  readonly recoversMeasurements?: boolean;
  /** Settings and weights, for saving. */
  state(): EncoderState;
  /** Release tensors held (if any). */
  dispose(): void;
}

/**
 * Z = Ŷ·Aᵀ for a linear encoder A (m × d) given as Aᵀ (d × m, row-major), Ŷ the ℓ2-normalised
 * label rows: one sparse × dense product.
 */
export function encodeLinear(labels: Csr, aT: Float32Array, nLabels: number, dim: number): Float32Array {
  if (labels.nCols > nLabels) throw new InvalidArgumentError('encode', `encode(): the label rows have ${labels.nCols} columns but the encoder has ${nLabels}`);
  return csrMatDense(normalizeRowsL2({ ...labels, nCols: nLabels }), aT, dim);
}

/** Check that a state holds `name` with exactly `size` entries. */
export function stateArray(state: EncoderState, name: string, size: number): Float32Array {
  const a = state.arrays[name];
  if (!a) throw new ModelFormatError(`${state.kind} encoder state lacks the array '${name}'`);
  if (a.length !== size) throw new ModelFormatError(`${state.kind} encoder array '${name}' has ${a.length} entries, expected ${size}`);
  return a;
}

/** Rows per tfjs call when an encoder maps many rows (bounds the memory of one call). */
export const ROW_CHUNK = 1024;

/**
 * Map rows 0…n−1 through tfjs in chunks of {@link ROW_CHUNK}: `input(s, e)` builds a chunk's
 * tensor and `f` maps it to (e − s) × outCols values; the results are stacked row-major.
 */
export function mapRowChunks(n: number, outCols: number, input: (s: number, e: number) => tf.Tensor2D, f: (x: tf.Tensor2D) => tf.Tensor): Float32Array {
  const out = new Float32Array(n * outCols);
  for (let s = 0; s < n; s += ROW_CHUNK) {
    const e = Math.min(n, s + ROW_CHUNK);
    out.set(tidyData(() => f(input(s, e))), s * outCols);
  }
  return out;
}

/** Check that `z` holds n × m embeddings (the argument of a decoder). */
export function checkEmbeddings(z: Float32Array, n: number, m: number): void {
  if (z.length !== n * m) throw new InvalidArgumentError('decode', `decode(): expected ${n} × ${m} embeddings but got ${z.length} values`);
}

/** Label scores (n × d) from embeddings `z` (n × m) through the tfjs map `f`, in chunks; checks z's size. */
export function decodeChunks(z: Float32Array, n: number, m: number, d: number, f: (z: tf.Tensor2D) => tf.Tensor): Float32Array {
  checkEmbeddings(z, n, m);
  return mapRowChunks(n, d, (s, e) => tf.tensor2d(z.subarray(s * m, e * m), [e - s, m]), f);
}
