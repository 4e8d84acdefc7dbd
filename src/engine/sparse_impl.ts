/**
 * Sparse kernels in plain JavaScript: the reference the native kernels are tested against,
 * and the fallback where the addon is missing. Row-major dense operands.
 */
import { type Csr } from '../data/csr.js';

/** out (n × m) = A (CSR n × p) · B (dense p × m). */
export function csrMatDenseJs(a: Csr, b: Float32Array, m: number, out = new Float32Array(a.nRows * m)): Float32Array {
  out.fill(0, 0, a.nRows * m);
  for (let i = 0; i < a.nRows; i++) {
    const o = i * m;
    for (let q = a.rowPtr[i]!, e = a.rowPtr[i + 1]!; q < e; q++) {
      const v = a.values[q]!, r = a.indices[q]! * m;
      for (let c = 0; c < m; c++) out[o + c]! += v * b[r + c]!;
    }
  }
  return out;
}

/** out (p × m) = Aᵀ (A CSR n × p) · B (dense n × m). */
export function csrTMatDenseJs(a: Csr, b: Float32Array, m: number, out = new Float32Array(a.nCols * m)): Float32Array {
  out.fill(0, 0, a.nCols * m);
  for (let i = 0; i < a.nRows; i++) {
    const r = i * m;
    for (let q = a.rowPtr[i]!, e = a.rowPtr[i + 1]!; q < e; q++) {
      const v = a.values[q]!, o = a.indices[q]! * m;
      for (let c = 0; c < m; c++) out[o + c]! += v * b[r + c]!;
    }
  }
  return out;
}
