/** Dense row-major blocks of label scores and embeddings: the helpers of the strategies in strategies.ts. */

/** Scale every row of a row-major nRows × nCols block so that its largest entry is 1 (rows with no positive entry are left alone). */
export function normalizeRowsMax(a: Float32Array, nRows: number, nCols: number): Float32Array {
  for (let i = 0; i < nRows; i++) {
    let mx = 0;
    for (let j = i * nCols, e = j + nCols; j < e; j++) if (a[j]! > mx) mx = a[j]!;
    if (mx > 0) {
      const inv = 1 / mx;
      for (let j = i * nCols, e = j + nCols; j < e; j++) a[j]! *= inv;
    }
  }
  return a;
}

/** out += w·a, element-wise. */
export function addScaled(out: Float32Array, a: Float32Array, w: number): void {
  if (out.length !== a.length) throw new RangeError(`addScaled(): lengths differ (${out.length} vs ${a.length})`);
  for (let i = 0; i < a.length; i++) out[i]! += w * a[i]!;
}

/** ℓ2-normalise the rows of a dense row-major n × m block in place (all-zero rows stay zero). */
export function normalizeDenseRows(a: Float32Array, n: number, m: number): Float32Array {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = i * m; j < (i + 1) * m; j++) s += a[j]! * a[j]!;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = i * m; j < (i + 1) * m; j++) a[j]! *= inv;
  }
  return a;
}

/** Mean ℓ2 norm of the rows of a dense n × m block (0 for no rows). */
export function meanRowNorm(a: Float32Array, n: number, m: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = i * m; j < (i + 1) * m; j++) s += a[j]! * a[j]!;
    total += Math.sqrt(s);
  }
  return n ? total / n : 0;
}
