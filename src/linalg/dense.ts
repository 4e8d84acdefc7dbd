/**
 * Small dense kernels over row-major typed arrays, shared by every layer above: transpose, row
 * ℓ2-normalisation and mean row norm, the products A·x / Aᵀ·r over float64, and the spectral
 * norm by power iteration. Each works on Float32Array or Float64Array with one loop order, so a
 * caller gets the same bits whichever folder calls it.
 */

/** A dense row-major matrix's storage. */
export type DenseArray = Float32Array | Float64Array;

function like<T extends DenseArray>(a: T, size: number): T {
  return (a instanceof Float64Array ? new Float64Array(size) : new Float32Array(size)) as T;
}

/**
 * The transpose (c × r) of a row-major r × c matrix, in a new array of `a`'s type or in `out`
 * (whose first r·c entries are written).
 * @throws RangeError when `a` does not hold r × c entries or `out` is too short.
 * @example transposeDense(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, 3); // [1, 4, 2, 5, 3, 6]
 */
export function transposeDense<T extends DenseArray>(a: T, r: number, c: number, out?: T): T {
  if (a.length !== r * c) throw new RangeError(`transposeDense(): expected ${r} × ${c} = ${r * c} entries but got ${a.length}`);
  if (out && out.length < r * c) throw new RangeError(`transposeDense(): out must hold ${r * c} entries but has ${out.length}`);
  const t = out ?? like(a, r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = a[i * c + j]!;
  return t;
}

/** The squared ℓ2 norm of entries [start, end) of `a`, summed in index order. */
function sumSquares(a: ArrayLike<number>, start: number, end: number): number {
  let s = 0;
  for (let j = start; j < end; j++) s += a[j]! * a[j]!;
  return s;
}

/**
 * ℓ2-normalise the rows of a row-major n × m matrix in place (an all-zero row stays zero);
 * returns `a`. The CSR counterpart is `normalizeRowsL2` in src/data/csr.ts.
 * @example normalizeDenseRows(Float32Array.from([3, 4, 0, 0]), 2, 2); // [0.6, 0.8, 0, 0]
 */
export function normalizeDenseRows<T extends DenseArray>(a: T, n: number, m: number): T {
  if (a.length < n * m) throw new RangeError(`normalizeDenseRows(): expected ${n} × ${m} = ${n * m} entries but got ${a.length}`);
  for (let i = 0; i < n; i++) {
    const s = sumSquares(a, i * m, (i + 1) * m);
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = i * m; j < (i + 1) * m; j++) a[j]! *= inv;
  }
  return a;
}

/**
 * Mean ℓ2 norm of the rows of a row-major n × m matrix (0 for no rows).
 * @example meanRowNorm(Float32Array.from([3, 4, 0, 0]), 2, 2); // 2.5
 */
export function meanRowNorm(a: DenseArray, n: number, m: number): number {
  if (a.length < n * m) throw new RangeError(`meanRowNorm(): expected ${n} × ${m} = ${n * m} entries but got ${a.length}`);
  let total = 0;
  for (let i = 0; i < n; i++) total += Math.sqrt(sumSquares(a, i * m, (i + 1) * m));
  return n ? total / n : 0;
}

/** ‖v‖₂ (float64 accumulation, index order). */
export function norm2(v: ArrayLike<number>): number {
  return Math.sqrt(sumSquares(v, 0, v.length));
}

/** out = Aᵀ·r (length d) for A m × d row-major float64; rows with r_i = 0 are skipped. */
export function atMul(a: Float64Array, m: number, d: number, r: Float64Array, out: Float64Array): Float64Array {
  out.fill(0);
  for (let i = 0; i < m; i++) {
    const ri = r[i]!;
    if (ri === 0) continue;
    const off = i * d;
    for (let j = 0; j < d; j++) out[j] = out[j]! + ri * a[off + j]!;
  }
  return out;
}

/** out = A·x (length m) for A m × d row-major float64, over the nonzeros of x. */
export function aMul(a: Float64Array, m: number, d: number, x: Float64Array, out: Float64Array): Float64Array {
  out.fill(0);
  for (let j = 0; j < d; j++) {
    const xj = x[j]!;
    if (xj === 0) continue;
    for (let i = 0; i < m; i++) out[i] = out[i]! + a[i * d + j]! * xj;
  }
  return out;
}

/**
 * ‖A‖₂² (A m × d row-major float64) by power iteration on AᵀA from the all-ones vector
 * (deterministic), 100 steps or 1e-10 relative change.
 */
export function spectralNormSquared(a: Float64Array, m: number, d: number): number {
  let v = new Float64Array(d).fill(1 / Math.sqrt(d));
  const av = new Float64Array(m), w = new Float64Array(d);
  let lambda = 0;
  for (let it = 0; it < 100; it++) {
    aMul(a, m, d, v, av);
    atMul(a, m, d, av, w);
    const nw = norm2(w);
    if (nw === 0) return 0;
    v = w.map((x) => x / nw);
    if (Math.abs(nw - lambda) <= 1e-10 * nw) { lambda = nw; break; }
    lambda = nw;
  }
  return lambda;
}
