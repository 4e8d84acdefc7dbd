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
