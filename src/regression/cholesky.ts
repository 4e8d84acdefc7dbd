/**
 * Solving G·V = B for symmetric positive definite G (p × p, float64, row-major) and m right-hand
 * sides B (p × m, row-major): LAPACK dpotrf + dpotrs through the native addon when it loaded,
 * otherwise a JavaScript Cholesky factorisation (Golub & Van Loan, "Matrix Computations",
 * 4th ed., §4.2, the outer-product form) that reads only the upper triangle.
 */
import { nativeAddon } from '../engine/addon.js';
import { mirrorUpper } from './gram.js';

/**
 * Solve G·V = B in place in JavaScript: G = UᵀU is factored into its upper triangle (the lower
 * triangle is neither read nor written), then B is overwritten by V through Uᵀ·Y = B, U·V = Y.
 * Every inner loop runs along a row, so the accesses are contiguous in row-major storage.
 * @throws RangeError when G is not (numerically) positive definite.
 * @example
 * const g = Float64Array.from([4, 2, 2, 3]), b = Float64Array.from([2, 1]);
 * choleskySolveJs(g, b, 2, 1); // b = [0.5, 0]
 */
export function choleskySolveJs(g: Float64Array, b: Float64Array, p: number, m: number): void {
  if (g.length !== p * p || b.length !== p * m) throw new RangeError(`choleskySolveJs(): expected ${p} × ${p} and ${p} × ${m} arrays but got ${g.length} and ${b.length} entries`);
  for (let k = 0; k < p; k++) {
    const kk = k * p;
    const d = g[kk + k]!;
    if (!(d > 0)) throw new RangeError(`choleskySolveJs(): the matrix is not positive definite (pivot ${k} = ${d})`);
    const ukk = Math.sqrt(d), inv = 1 / ukk;
    g[kk + k] = ukk;
    for (let c = k + 1; c < p; c++) g[kk + c]! *= inv;
    // Rank-1 update of the trailing upper triangle: G[i, i:] −= U[k, i]·U[k, i:].
    for (let i = k + 1; i < p; i++) {
      const u = g[kk + i]!;
      if (u === 0) continue;
      const ii = i * p;
      for (let c = i; c < p; c++) g[ii + c]! -= u * g[kk + c]!;
    }
  }
  // Uᵀ·Y = B (forward, row k of U scatters into the rows below), then U·V = Y (backward).
  for (let k = 0; k < p; k++) {
    const kk = k * p, bk = k * m, inv = 1 / g[kk + k]!;
    for (let c = 0; c < m; c++) b[bk + c]! *= inv;
    for (let j = k + 1; j < p; j++) {
      const u = g[kk + j]!;
      if (u === 0) continue;
      const bj = j * m;
      for (let c = 0; c < m; c++) b[bj + c]! -= u * b[bk + c]!;
    }
  }
  for (let k = p - 1; k >= 0; k--) {
    const kk = k * p, bk = k * m;
    for (let j = k + 1; j < p; j++) {
      const u = g[kk + j]!;
      if (u === 0) continue;
      const bj = j * m;
      for (let c = 0; c < m; c++) b[bk + c]! -= u * b[bj + c]!;
    }
    const inv = 1 / g[kk + k]!;
    for (let c = 0; c < m; c++) b[bk + c]! *= inv;
  }
}

/**
 * Solve G·V = B in place (B becomes V; G is overwritten by a factor). Only G's upper triangle
 * needs to be filled: it is mirrored before the native call.
 * @param native use the addon if it loaded (default); `false` forces the JavaScript solve.
 * @throws RangeError when G is not positive definite.
 */
export function solveSpd(g: Float64Array, b: Float64Array, p: number, m: number, native = true): void {
  const addon = native ? nativeAddon().addon : undefined;
  if (!addon) { choleskySolveJs(g, b, p, m); return; }
  mirrorUpper(g, p);
  const info = addon.choleskySolve(g, b, p, m);
  if (info !== 0) throw new RangeError(`solveSpd(): the matrix is not positive definite (LAPACK dpotrf info ${info})`);
}
