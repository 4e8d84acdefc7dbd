import { type Csr } from '../data/csr.js';
import { nativeAddon } from './addon.js';
import { csrMatDenseJs, csrTMatDenseJs } from './sparse_impl.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * Sparse kernels of the pipeline (regression, kNN voting, prediction; the row-wise top-k is
 * `topKRows` in src/ranking/topk.ts, native in the same way): the native OpenBLAS/
 * OpenMP addon when it loaded, the JavaScript implementation otherwise. Same results either way
 * (within float32 rounding of the summation order).
 */

function checkDense(name: string, b: Float32Array, rows: number, m: number): void {
  if (!Number.isInteger(m) || m < 0) throw new InvalidArgumentError(name, `'m' passed to ${name}() must be a non-negative integer but got ${m}`);
  if (b.length !== rows * m) throw new InvalidArgumentError(name, `'b' passed to ${name}() must have ${rows} × ${m} = ${rows * m} entries but has ${b.length}`);
}

/**
 * A · B for A sparse (CSR n × p) and B dense row-major p × m.
 * @returns a new dense row-major n × m array.
 */
export function csrMatDense(a: Csr, b: Float32Array, m: number): Float32Array {
  checkDense('csrMatDense', b, a.nCols, m);
  const { addon } = nativeAddon();
  if (!addon) return csrMatDenseJs(a, b, m);
  const out = new Float32Array(a.nRows * m);
  addon.csrMatDense(a.rowPtr, a.indices, a.values, a.nRows, b, m, out);
  return out;
}

/**
 * Aᵀ · B for A sparse (CSR n × p) and B dense row-major n × m, without forming Aᵀ.
 * @returns a new dense row-major p × m array.
 */
export function csrTMatDense(a: Csr, b: Float32Array, m: number): Float32Array {
  checkDense('csrTMatDense', b, a.nRows, m);
  const { addon } = nativeAddon();
  if (!addon) return csrTMatDenseJs(a, b, m);
  const out = new Float32Array(a.nCols * m);
  addon.csrTMatDense(a.rowPtr, a.indices, a.values, a.nRows, a.nCols, b, m, out);
  return out;
}
