/**
 * Randomized truncated SVD of a sparse matrix: the top right singular vectors, shared by the PCA
 * label encoder (src/encoders/baselines.ts) and the PCA measurement matrix (src/sensing/matrices.ts).
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { type Csr } from '../data/csr.js';
import { csrMatDense, csrTMatDense } from '../engine/sparse.js';
import { Rng } from '../util/rng.js';

/**
 * Orthonormalise the columns of a row-major r × c Float64 matrix in place (modified Gram–Schmidt,
 * run twice for stability). The columns are copied out to contiguous rows first (a column of the
 * row-major matrix is strided by c: one cache miss per entry), then copied back; the arithmetic,
 * and so every bit of the result, is the same as on the strided columns.
 */
function orthonormalizeColumns(q: Float64Array, r: number, c: number): void {
  const t = new Float64Array(r * c); // column j at t[j·r ..]
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = q[i * c + j]!;
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < c; j++) {
      const cj = t.subarray(j * r, (j + 1) * r);
      for (let k = 0; k < j; k++) {
        const ck = t.subarray(k * r, (k + 1) * r);
        let dot = 0;
        for (let i = 0; i < r; i++) dot += cj[i]! * ck[i]!;
        for (let i = 0; i < r; i++) cj[i]! -= dot * ck[i]!;
      }
      let norm = 0;
      for (let i = 0; i < r; i++) norm += cj[i]! ** 2;
      norm = Math.sqrt(norm);
      const inv = norm > 1e-12 ? 1 / norm : 0;
      for (let i = 0; i < r; i++) cj[i]! *= inv;
    }
  }
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) q[i * c + j] = t[j * r + i]!;
}

/**
 * The top-`m` right singular vectors of a sparse n × d matrix Y, as the rows of an m × d
 * array: randomized subspace iteration (Halko, Martinsson & Tropp, "Finding structure with
 * randomness", SIAM Review 2011, Algorithms 4.4 and 5.1) with oversampling 10 and 4 power
 * iterations, all products sparse (Y·W and Yᵀ·Q); the small problem is the eigendecomposition
 * of B·Bᵀ with B = QᵀY. Columns beyond Y's rank come out as zero rows.
 */
export function topRightSingularVectors(y: Csr, m: number, seed: number, powerIterations = 4): Float32Array {
  const { nRows: n, nCols: d } = y;
  const l = Math.min(d, n, m + 10);
  const rng = new Rng(seed);
  const omega = new Float32Array(d * l);
  for (let i = 0; i < omega.length; i++) omega[i] = rng.normal();
  const orth = (a: Float32Array, rows: number): Float32Array => {
    const q = Float64Array.from(a);
    orthonormalizeColumns(q, rows, l);
    return Float32Array.from(q);
  };
  let q = orth(csrMatDense(y, omega, l), n); // n × l
  for (let it = 0; it < powerIterations; it++) {
    const w = orth(csrTMatDense(y, q, l), d); // d × l
    q = orth(csrMatDense(y, w, l), n);
  }
  const bT = csrTMatDense(y, q, l); // d × l = (QᵀY)ᵀ
  // B·Bᵀ (l × l) = bTᵀ·bT
  const bbt = new Matrix(l, l);
  const cols = new Float64Array(l * d); // bT's columns, contiguous (same sums, in the same order)
  for (let k = 0; k < d; k++) for (let i = 0; i < l; i++) cols[i * d + k] = bT[k * l + i]!;
  for (let i = 0; i < l; i++) {
    const ci = cols.subarray(i * d, (i + 1) * d);
    for (let j = i; j < l; j++) {
      const cj = cols.subarray(j * d, (j + 1) * d);
      let s = 0;
      for (let k = 0; k < d; k++) s += ci[k]! * cj[k]!;
      bbt.set(i, j, s);
      bbt.set(j, i, s);
    }
  }
  const eig = new EigenvalueDecomposition(bbt, { assumeSymmetric: true });
  const values = eig.realEigenvalues;
  const vecs = eig.eigenvectorMatrix;
  const order = values.map((_, i) => i).sort((a, b) => values[b]! - values[a]! || a - b);
  // Right singular vector k = Bᵀu_k / σ_k, σ_k = sqrt(λ_k); sign fixed so its largest entry is positive.
  const out = new Float32Array(m * d);
  for (let k = 0; k < Math.min(m, l); k++) {
    const c = order[k]!, lambda = values[c]!;
    if (!(lambda > 1e-10)) continue;
    const inv = 1 / Math.sqrt(lambda);
    let big = 0;
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let i = 0; i < l; i++) s += bT[j * l + i]! * vecs.get(i, c);
      out[k * d + j] = s * inv;
      if (Math.abs(s) > Math.abs(big)) big = s;
    }
    if (big < 0) for (let j = 0; j < d; j++) out[k * d + j] = -out[k * d + j]!;
  }
  return out;
}
