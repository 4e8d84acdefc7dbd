/**
 * The Gram matrix XᵀX of a sparse matrix, in float64, for the primal ridge solve.
 *
 * Row j of the upper triangle is Σ_{i: x_ij ≠ 0} x_ij · X[i, j:], a sum of the tails of the rows
 * that contain feature j. We visit the entries column by column (a counting sort of the entry
 * positions by column, like a CSC view that points into the CSR arrays) and accumulate each Gram
 * row in one dense float64 accumulator of p entries, which stays in cache, then copy it out.
 * Work is Σ_i nnz_i²/2 multiply-adds, the symmetric half of the rows' outer products.
 * On the EURLex-4K-like matrix (15,539 × 5,000, 237 nonzeros per row) this is several times
 * faster than scattering each row's outer product straight into the p × p matrix (cache misses
 * over the whole matrix) and faster than blocks of Gram rows with a cursor per row; densified
 * column blocks through the native csrTMatDense would need nnz·p multiply-adds, in float32.
 * The remaining gain would come from threads. Ridge fit times, Gram product included:
 * eval/results/bench_regression.md.
 */
import { type Csr } from '../data/csr.js';
import { mirrorUpper } from '../linalg/cholesky.js';

/**
 * The entry positions of `x` sorted by column (stable, so by row within a column): the entries of
 * column j are `pos[colPtr[j] .. colPtr[j+1])`, positions into x.indices / x.values.
 */
function entriesByColumn(x: Csr): { colPtr: Int32Array; pos: Int32Array; rowOf: Int32Array } {
  const nz = x.rowPtr[x.nRows]!;
  const colPtr = new Int32Array(x.nCols + 1);
  for (let q = 0; q < nz; q++) colPtr[x.indices[q]! + 1]!++;
  for (let j = 0; j < x.nCols; j++) colPtr[j + 1]! += colPtr[j]!;
  const next = colPtr.slice(0, x.nCols);
  const pos = new Int32Array(nz), rowOf = new Int32Array(nz);
  for (let i = 0; i < x.nRows; i++) {
    for (let q = x.rowPtr[i]!, e = x.rowPtr[i + 1]!; q < e; q++) {
      const k = next[x.indices[q]!]!++;
      pos[k] = q; rowOf[k] = i;
    }
  }
  return { colPtr, pos, rowOf };
}

/**
 * The upper triangle (with the diagonal) of XᵀX, row-major p × p in float64; the strict lower
 * triangle is left 0. Columns within each row of `x` must be increasing (as {@link Csr} requires).
 * @param onRow called after each Gram row with the number of rows done (for progress).
 */
export function gramUpper(x: Csr, onRow?: (done: number) => void): Float64Array {
  const p = x.nCols;
  const g = new Float64Array(p * p);
  const acc = new Float64Array(p);
  const { rowPtr, indices, values } = x;
  const { colPtr, pos, rowOf } = entriesByColumn(x);
  for (let j = 0; j < p; j++) {
    const s = colPtr[j]!, e = colPtr[j + 1]!;
    if (s === e) { onRow?.(j + 1); continue; }
    for (let k = s; k < e; k++) {
      const q0 = pos[k]!, end = rowPtr[rowOf[k]! + 1]!, v = values[q0]!;
      // The row's entries from q0 on have columns ≥ j: its contribution to Gram row j.
      for (let q = q0; q < end; q++) acc[indices[q]!]! += v * values[q]!;
    }
    const base = j * p;
    for (let c = j; c < p; c++) { g[base + c] = acc[c]!; acc[c] = 0; }
    onRow?.(j + 1);
  }
  return g;
}

/** XᵀX (p × p, float64, both triangles). @example gram(fromDense(2, 2, [1, 2, 0, 3])) // [1, 2, 2, 13] */
export function gram(x: Csr): Float64Array {
  const g = gramUpper(x);
  mirrorUpper(g, x.nCols);
  return g;
}
