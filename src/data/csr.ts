/**
 * Compressed sparse row (CSR) matrices: the one in-memory form of features and labels.
 *
 * Row i's entries are `indices[rowPtr[i] .. rowPtr[i+1])` (column ids, strictly increasing
 * within a row) with `values` at the same positions. Datasets are never densified whole;
 * {@link densifyRows} turns a row range into a dense mini-batch.
 */
import { InvalidArgumentError } from '../errors.js';

/** A CSR matrix with `nRows × nCols` shape. Arrays are owned by the matrix; treat them as read-only. */
export interface Csr {
  /** Number of rows (points). */
  readonly nRows: number;
  /** Number of columns (feature or label dimension); every column index is below it. */
  readonly nCols: number;
  /** Length nRows + 1, rowPtr[0] = 0, non-decreasing. */
  readonly rowPtr: Int32Array;
  /** Column ids, length nnz. */
  readonly indices: Int32Array;
  /** Values, length nnz. */
  readonly values: Float32Array;
}

/** Number of stored entries. */
export function nnz(m: Csr): number {
  return m.rowPtr[m.nRows] ?? 0;
}

/**
 * Build a CSR matrix, checking its structure: pointer monotonicity, column range, and
 * strictly increasing columns within each row.
 * @throws InvalidArgumentError naming the first violated constraint.
 */
export function csr(nRows: number, nCols: number, rowPtr: Int32Array, indices: Int32Array, values: Float32Array): Csr {
  if (!Number.isInteger(nRows) || nRows < 0) throw new InvalidArgumentError('csr', `csr(): nRows must be a non-negative integer but got ${nRows}`);
  if (!Number.isInteger(nCols) || nCols < 0) throw new InvalidArgumentError('csr', `csr(): nCols must be a non-negative integer but got ${nCols}`);
  if (rowPtr.length !== nRows + 1) throw new InvalidArgumentError('csr', `csr(): rowPtr must have length nRows + 1 = ${nRows + 1} but has ${rowPtr.length}`);
  if (rowPtr[0] !== 0) throw new InvalidArgumentError('csr', `csr(): rowPtr[0] must be 0 but is ${rowPtr[0]}`);
  const total = rowPtr[nRows]!;
  if (indices.length !== total || values.length !== total) {
    throw new InvalidArgumentError('csr', `csr(): indices and values must have length rowPtr[nRows] = ${total} but have ${indices.length} and ${values.length}`);
  }
  for (let i = 0; i < nRows; i++) {
    const s = rowPtr[i]!, e = rowPtr[i + 1]!;
    if (e < s) throw new InvalidArgumentError('csr', `csr(): rowPtr must be non-decreasing but rowPtr[${i + 1}] = ${e} < rowPtr[${i}] = ${s}`);
    let prev = -1;
    for (let p = s; p < e; p++) {
      const c = indices[p]!;
      if (c < 0 || c >= nCols) throw new InvalidArgumentError('csr', `csr(): column ${c} in row ${i} is out of range [0, ${nCols})`);
      if (c <= prev) throw new InvalidArgumentError('csr', `csr(): columns of row ${i} must be strictly increasing but ${c} follows ${prev}`);
      prev = c;
    }
  }
  return { nRows, nCols, rowPtr, indices, values };
}

/** An empty `nRows × nCols` matrix. */
export function emptyCsr(nRows: number, nCols: number): Csr {
  return { nRows, nCols, rowPtr: new Int32Array(nRows + 1), indices: new Int32Array(0), values: new Float32Array(0) };
}

/**
 * Build a CSR matrix from a dense row-major array, keeping the nonzeros.
 * @example fromDense(2, 3, [1, 0, 2, 0, 0, 3])
 */
export function fromDense(nRows: number, nCols: number, data: ArrayLike<number>): Csr {
  if (data.length !== nRows * nCols) throw new InvalidArgumentError('fromDense', `fromDense(): data must have length ${nRows * nCols} but has ${data.length}`);
  let count = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) count++;
  const rowPtr = new Int32Array(nRows + 1);
  const indices = new Int32Array(count);
  const values = new Float32Array(count);
  let p = 0;
  for (let i = 0; i < nRows; i++) {
    for (let j = 0; j < nCols; j++) {
      const v = data[i * nCols + j]!;
      if (v !== 0) { indices[p] = j; values[p] = v; p++; }
    }
    rowPtr[i + 1] = p;
  }
  return { nRows, nCols, rowPtr, indices, values };
}

/** Rows [start, end) as a new matrix (arrays copied). */
export function sliceRows(m: Csr, start: number, end: number): Csr {
  if (!(0 <= start && start <= end && end <= m.nRows)) {
    throw new InvalidArgumentError('sliceRows', `sliceRows(): need 0 <= start <= end <= ${m.nRows} but got start=${start}, end=${end}`);
  }
  const s = m.rowPtr[start]!, e = m.rowPtr[end]!;
  const rowPtr = new Int32Array(end - start + 1);
  for (let i = 0; i <= end - start; i++) rowPtr[i] = m.rowPtr[start + i]! - s;
  return { nRows: end - start, nCols: m.nCols, rowPtr, indices: m.indices.slice(s, e), values: m.values.slice(s, e) };
}

/** The given rows, in the given order (repeats allowed), as a new matrix. */
export function selectRows(m: Csr, rows: ArrayLike<number>): Csr {
  let total = 0;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    if (!Number.isInteger(r) || r < 0 || r >= m.nRows) throw new InvalidArgumentError('selectRows', `selectRows(): row ${r} is out of range [0, ${m.nRows})`);
    total += m.rowPtr[r + 1]! - m.rowPtr[r]!;
  }
  const rowPtr = new Int32Array(rows.length + 1);
  const indices = new Int32Array(total);
  const values = new Float32Array(total);
  let p = 0;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    const s = m.rowPtr[r]!, e = m.rowPtr[r + 1]!;
    indices.set(m.indices.subarray(s, e), p);
    values.set(m.values.subarray(s, e), p);
    p += e - s;
    rowPtr[k + 1] = p;
  }
  return { nRows: rows.length, nCols: m.nCols, rowPtr, indices, values };
}

/** The transpose, `nCols × nRows`, in CSR (columns of each output row sorted), by a counting sort: O(nnz + nRows + nCols). */
export function transpose(m: Csr): Csr {
  const total = nnz(m);
  const rowPtr = new Int32Array(m.nCols + 1);
  for (let p = 0; p < total; p++) rowPtr[m.indices[p]! + 1]!++;
  for (let j = 0; j < m.nCols; j++) rowPtr[j + 1]! += rowPtr[j]!;
  const next = rowPtr.slice(0, m.nCols);
  const indices = new Int32Array(total);
  const values = new Float32Array(total);
  for (let i = 0; i < m.nRows; i++) {
    for (let p = m.rowPtr[i]!, e = m.rowPtr[i + 1]!; p < e; p++) {
      const j = m.indices[p]!;
      const q = next[j]!++;
      indices[q] = i;
      values[q] = m.values[p]!;
    }
  }
  return { nRows: m.nCols, nCols: m.nRows, rowPtr, indices, values };
}

/** Euclidean norm of every row (float64 accumulation), length nRows. */
export function rowNorms(m: Csr): Float64Array {
  const out = new Float64Array(m.nRows);
  for (let i = 0; i < m.nRows; i++) {
    let s = 0;
    for (let p = m.rowPtr[i]!, e = m.rowPtr[i + 1]!; p < e; p++) { const v = m.values[p]!; s += v * v; }
    out[i] = Math.sqrt(s);
  }
  return out;
}

/** A copy with every row scaled to unit ℓ2 norm; all-zero rows stay zero. */
export function normalizeRowsL2(m: Csr): Csr {
  const norms = rowNorms(m);
  const values = new Float32Array(m.values.length);
  for (let i = 0; i < m.nRows; i++) {
    const n = norms[i]!;
    const inv = n > 0 ? 1 / n : 0;
    for (let p = m.rowPtr[i]!, e = m.rowPtr[i + 1]!; p < e; p++) values[p] = m.values[p]! * inv;
  }
  return { nRows: m.nRows, nCols: m.nCols, rowPtr: m.rowPtr.slice(), indices: m.indices.slice(), values };
}

/**
 * Rows [start, end) as a dense row-major `(end − start) × nCols` batch.
 * @param out optional buffer of at least that length to reuse (it is zeroed first).
 */
export function densifyRows(m: Csr, start: number, end: number, out?: Float32Array): Float32Array {
  if (!(0 <= start && start <= end && end <= m.nRows)) {
    throw new InvalidArgumentError('densifyRows', `densifyRows(): need 0 <= start <= end <= ${m.nRows} but got start=${start}, end=${end}`);
  }
  const size = (end - start) * m.nCols;
  let buf: Float32Array;
  if (out) {
    if (out.length < size) throw new InvalidArgumentError('densifyRows', `densifyRows(): out must have length >= ${size} but has ${out.length}`);
    buf = out;
    buf.fill(0, 0, size);
  } else {
    buf = new Float32Array(size);
  }
  for (let i = start; i < end; i++) {
    const base = (i - start) * m.nCols;
    for (let p = m.rowPtr[i]!, e = m.rowPtr[i + 1]!; p < e; p++) buf[base + m.indices[p]!] = m.values[p]!;
  }
  return buf;
}

/**
 * The rows `rows[start..end)` of `m` (in that order) as a dense row-major batch: a shuffled
 * mini-batch densified on its own, never the whole matrix.
 * @param out optional buffer of at least (end − start)·nCols entries to reuse (zeroed first).
 */
export function densifyRowList(m: Csr, rows: ArrayLike<number>, start: number, end: number, out?: Float32Array): Float32Array {
  if (!(0 <= start && start <= end && end <= rows.length)) {
    throw new InvalidArgumentError('densifyRowList', `densifyRowList(): need 0 <= start <= end <= ${rows.length} but got start=${start}, end=${end}`);
  }
  const size = (end - start) * m.nCols;
  if (out && out.length < size) throw new InvalidArgumentError('densifyRowList', `densifyRowList(): out must have length >= ${size} but has ${out.length}`);
  const buf = out ?? new Float32Array(size);
  if (out) buf.fill(0, 0, size);
  for (let r = start; r < end; r++) {
    const i = rows[r]!;
    if (!(i >= 0 && i < m.nRows)) throw new InvalidArgumentError('densifyRowList', `densifyRowList(): row ${i} is outside [0, ${m.nRows})`);
    const base = (r - start) * m.nCols;
    for (let p = m.rowPtr[i]!, e = m.rowPtr[i + 1]!; p < e; p++) buf[base + m.indices[p]!] = m.values[p]!;
  }
  return buf;
}

/** Number of nonzeros in every column (e.g. label frequencies N_l of a label matrix). */
export function columnCounts(m: Csr): Int32Array {
  const out = new Int32Array(m.nCols);
  const total = nnz(m);
  for (let p = 0; p < total; p++) out[m.indices[p]!]!++;
  return out;
}

/** A copy of `m` with `nCols` widened to `nCols` (never narrowed): aligns a test file's dimensions with a model's. */
export function withCols(m: Csr, nCols: number): Csr {
  if (nCols < m.nCols) throw new InvalidArgumentError('withCols', `withCols(): cannot narrow ${m.nCols} columns to ${nCols}`);
  return { ...m, nCols };
}
