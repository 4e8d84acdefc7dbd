/**
 * Measurement matrices of the compressed-sensing core: an m × d matrix A (row-major float64)
 * that measures a vector x ∈ R^d as y = A·x. The constructions compared in Wu et al.,
 * "Learning a Compressed Sensing Measurement Matrix via Gradient Unrolling" (ICML 2019),
 * Section 5: random Gaussian, random partial Fourier, PCA, LBCS, and the matrices learned by
 * the ℓ1-AE and the simple autoencoder (their encoders' A: `matrixFromEncoder` in
 * src/model/learned_matrix.ts).
 */
import { type Csr, normalizeRowsL2 } from '../data/csr.js';
import { csrMatDense } from '../engine/sparse.js';
import { transposeDense } from '../linalg/dense.js';
import { topRightSingularVectors } from '../linalg/randomized_svd.js';
import { Rng } from '../util/rng.js';
import { InvalidArgumentError } from '../errors.js';

/** An m × d measurement matrix, row-major. */
export interface MeasurementMatrix {
  /** Measurements (rows) m. */
  readonly m: number;
  /** Signal dimension (columns) d. */
  readonly d: number;
  /** The m·d entries, row-major. */
  readonly a: Float64Array;
}

function checkShape(name: string, m: number, d: number): void {
  if (!(Number.isInteger(m) && m > 0 && Number.isInteger(d) && d > 0)) {
    throw new InvalidArgumentError(name, `${name}(): need integers m > 0 and d > 0 but got m=${m}, d=${d}`);
  }
}

/** A with i.i.d. N(0, 1/m) entries (so E‖A·x‖² = ‖x‖²), seeded. */
export function gaussianMatrix(m: number, d: number, seed: number): MeasurementMatrix {
  checkShape('gaussianMatrix', m, d);
  const rng = new Rng(seed);
  const s = 1 / Math.sqrt(m);
  const a = new Float64Array(m * d);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal() * s;
  return { m, d, a };
}

/**
 * Random partial Fourier matrix: ⌈m/2⌉ distinct frequencies k drawn uniformly from
 * 1..⌊(d−1)/2⌋ (frequency 0 would give an all-zero sine row, and k and d − k give the same
 * rows up to sign), each giving the real and imaginary parts of a DFT row,
 * cos(2πkj/d) and −sin(2πkj/d), j = 0..d−1 (the last sine row is dropped when m is odd);
 * scaled by √(2/m) so that rows have squared norm d/m like the Gaussian matrix's. The real
 * form of the DFT rows follows the authors' code (github.com/wushanshan/L1AE, baselines.py),
 * which draws frequencies with replacement; ours are distinct so that no two rows repeat.
 * @throws InvalidArgumentError when d is too small for m/2 distinct frequencies.
 */
export function fourierMatrix(m: number, d: number, seed: number): MeasurementMatrix {
  checkShape('fourierMatrix', m, d);
  const nFreq = Math.ceil(m / 2), maxFreq = Math.floor((d - 1) / 2);
  if (nFreq > maxFreq) throw new InvalidArgumentError('fourierMatrix', `fourierMatrix(): ${m} measurements need ${nFreq} distinct frequencies but d = ${d} has only ${maxFreq}`);
  const freqs = new Rng(seed).shuffle(Array.from({ length: maxFreq }, (_, i) => i + 1)).slice(0, nFreq).sort((x, y) => x - y);
  const s = Math.sqrt(2 / m);
  const a = new Float64Array(m * d);
  freqs.forEach((k, f) => {
    for (let j = 0; j < d; j++) {
      // Reduce k·j mod d first so the angle stays small and accurate.
      const theta = (2 * Math.PI * ((k * j) % d)) / d;
      a[2 * f * d + j] = s * Math.cos(theta);
      if (2 * f + 1 < m) a[(2 * f + 1) * d + j] = -s * Math.sin(theta);
    }
  });
  return { m, d, a };
}

/**
 * PCA: the top-m right singular vectors of the ℓ2-normalised training vectors (uncentred, as
 * the ℓ1-AE paper's TruncatedSVD baseline), as orthonormal rows. Randomized subspace
 * iteration, seeded (see topRightSingularVectors).
 */
export function pcaMatrix(train: Csr, m: number, seed: number): MeasurementMatrix {
  checkShape('pcaMatrix', m, train.nCols);
  const a = topRightSingularVectors(normalizeRowsL2(train), m, seed);
  return { m, d: train.nCols, a: Float64Array.from(a) };
}

/** Gaussian rows generated per chunk when scoring LBCS candidates (chunk × d float32 ≤ 2^26 values). */
const LBCS_CHUNK_VALUES = 2 ** 26;

/**
 * Learning-based compressive subsampling (LBCS; Baldassarre, Li, Scarlett, Gözcü, Bogunovic,
 * Cevher, "Learning-based compressive subsampling", IEEE J. Sel. Topics Signal Process. 2016),
 * as used in the ℓ1-AE paper: from a basis of d Gaussian rows g_1..g_d (N(0, 1/m) entries), keep
 * the m rows with the most energy on the training set, Σ_n (g_iᵀx_n)². The rows are generated
 * from the seed in chunks and never all held: their energies are X·Gᵀ by the sparse kernels
 * (cost nnz(X)·d), and the kept rows are drawn again from the same stream.
 */
export function lbcsMatrix(train: Csr, m: number, seed: number): MeasurementMatrix {
  const d = train.nCols;
  checkShape('lbcsMatrix', m, d);
  if (m > d) throw new InvalidArgumentError('lbcsMatrix', `lbcsMatrix(): cannot keep m = ${m} of d = ${d} basis rows`);
  const x = normalizeRowsL2(train);
  const chunk = Math.max(1, Math.min(d, Math.floor(LBCS_CHUNK_VALUES / d)));
  const energy = new Float64Array(d);
  const s = 1 / Math.sqrt(m);
  const rowsOf = (rng: Rng, count: number): Float32Array => {
    // Row-major count × d rows of G, i.e. Gᵀ column-major: X·Gᵀ needs Gᵀ (d × count) row-major.
    const g = new Float32Array(count * d);
    for (let i = 0; i < g.length; i++) g[i] = rng.normal() * s;
    return g;
  };
  let rng = new Rng(seed);
  for (let start = 0; start < d; start += chunk) {
    const count = Math.min(chunk, d - start);
    const gt = transposeDense(rowsOf(rng, count), count, d);
    const proj = csrMatDense(x, gt, count); // n × count
    for (let r = 0; r < x.nRows; r++) {
      for (let c = 0; c < count; c++) { const v = proj[r * count + c]!; energy[start + c] = energy[start + c]! + v * v; }
    }
  }
  // The m rows of most energy (ties to the lower index), kept in basis order.
  const order = Array.from({ length: d }, (_, i) => i).sort((i, j) => energy[j]! - energy[i]! || i - j);
  const keep = new Set(order.slice(0, m));
  const a = new Float64Array(m * d);
  rng = new Rng(seed);
  let out = 0;
  for (let start = 0; start < d && out < m; start += chunk) {
    const count = Math.min(chunk, d - start);
    const g = rowsOf(rng, count);
    for (let c = 0; c < count; c++) {
      if (keep.has(start + c)) { for (let j = 0; j < d; j++) a[out * d + j] = g[c * d + j]!; out++; }
    }
  }
  return { m, d, a };
}

/** The measurements y = A·x of every row of `x` (CSR n × d), in float64: n × m row-major. */
export function measureRows(matrix: MeasurementMatrix, x: Csr): Float64Array {
  const { m, d, a } = matrix;
  if (x.nCols !== d) throw new InvalidArgumentError('measureRows', `measureRows(): the vectors have dimension ${x.nCols} but the matrix measures dimension ${d}`);
  const y = new Float64Array(x.nRows * m);
  for (let r = 0; r < x.nRows; r++) {
    for (let p = x.rowPtr[r]!; p < x.rowPtr[r + 1]!; p++) {
      const j = x.indices[p]!, v = x.values[p]!;
      for (let i = 0; i < m; i++) y[r * m + i] = y[r * m + i]! + a[i * d + j]! * v;
    }
  }
  return y;
}
