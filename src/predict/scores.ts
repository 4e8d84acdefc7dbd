/** Dense row-major blocks of label scores and embeddings: the helpers of the strategies in strategies.ts. */
import { nativeAddon } from '../engine/addon.js';
import { InvalidArgumentError } from '../errors.js';

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

/**
 * out += w·normalizeRowsMax(a) over the first nRows × nCols entries, in one pass and without
 * modifying `a`: the same float32 results, bit for bit, as {@link normalizeRowsMax} followed by
 * {@link addScaled} (each product and sum in float64, rounded to float32). On the native addon
 * (both cores) when it is loaded.
 */
export function addRowMaxScaled(out: Float32Array, a: Float32Array, nRows: number, nCols: number, w: number): void {
  if (out.length < nRows * nCols || a.length < nRows * nCols) throw new InvalidArgumentError('addRowMaxScaled', `addRowMaxScaled(): out and a need ${nRows} × ${nCols} entries but have ${out.length} and ${a.length}`);
  const { addon } = nativeAddon();
  // (An addon built before this kernel existed lacks it: the JavaScript loop then.)
  if (typeof addon?.addRowMaxScaled === 'function') addon.addRowMaxScaled(out, a, nRows, nCols, w);
  else addRowMaxScaledJs(out, a, nRows, nCols, w);
}

/** {@link addRowMaxScaled} in JavaScript (the fallback without the addon). @internal */
export function addRowMaxScaledJs(out: Float32Array, a: Float32Array, nRows: number, nCols: number, w: number): void {
  for (let i = 0; i < nRows; i++) {
    const s = i * nCols, e = s + nCols;
    let mx = 0;
    for (let j = s; j < e; j++) if (a[j]! > mx) mx = a[j]!;
    if (mx > 0) {
      const inv = 1 / mx;
      for (let j = s; j < e; j++) out[j]! += w * Math.fround(a[j]! * inv);
    } else {
      for (let j = s; j < e; j++) out[j]! += w * a[j]!;
    }
  }
}
