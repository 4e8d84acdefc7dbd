/**
 * Solving G·V = B for symmetric positive definite G (p × p, float64, row-major) and m right-hand
 * sides B (p × m, row-major): LAPACK dpotrf + dpotrs through the native addon when it loaded,
 * otherwise a JavaScript Cholesky factorisation (Golub & Van Loan, "Matrix Computations",
 * 4th ed., §4.2, the outer-product form) that reads only the upper triangle.
 */
import { nativeAddon } from '../engine/addon.js';
import { InvalidArgumentError } from '../errors.js';

/** Settings of {@link choleskyFactorUpper} and {@link choleskySolveUpper}. */
export interface CholeskyOptions {
  /** A pivot must exceed minPivot·max_i G_ii (default 0: any positive pivot). */
  readonly minPivot?: number;
  /**
   * Scale by the reciprocal of each pivot instead of dividing by it (default false). The two
   * round differently; each caller keeps the form its saved results were computed with: the
   * ridge solve multiplies, sensing's least squares divides.
   */
  readonly reciprocal?: boolean;
}

/** a[s..e) ÷ pivot, by division or (reciprocal) by a product with 1/pivot. */
function scaleRange(a: Float64Array, s: number, e: number, pivot: number, reciprocal: boolean): void {
  if (reciprocal) {
    const inv = 1 / pivot;
    for (let i = s; i < e; i++) a[i]! *= inv;
  } else {
    for (let i = s; i < e; i++) a[i] = a[i]! / pivot;
  }
}

/**
 * Factor a symmetric positive definite G (p × p, row-major float64) in place as G = UᵀU: U is
 * written into the upper triangle (the lower triangle is neither read nor written). Every inner
 * loop runs along a row (contiguous in row-major storage). Entry (i, j) of U is G_ij minus the
 * products U_ki·U_kj in the order k = 0, 1, …, scaled by the pivot: the same operations, in the
 * same order, as the row-by-row (inner-product) form with L = Uᵀ.
 * @returns the index of the first failing pivot, or −1 when G is (numerically) positive definite.
 */
export function choleskyFactorUpper(g: Float64Array, p: number, opts: CholeskyOptions = {}): number {
  if (g.length !== p * p) throw new RangeError(`choleskyFactorUpper(): expected ${p} × ${p} entries but got ${g.length}`);
  let maxDiag = 0;
  for (let i = 0; i < p; i++) maxDiag = Math.max(maxDiag, g[i * p + i]!);
  const minPivot = opts.minPivot ?? 0, reciprocal = opts.reciprocal ?? false;
  const floor = minPivot > 0 ? minPivot * maxDiag : 0;
  for (let k = 0; k < p; k++) {
    const kk = k * p;
    const d = g[kk + k]!;
    if (!(d > floor)) return k;
    const ukk = Math.sqrt(d);
    g[kk + k] = ukk;
    scaleRange(g, kk + k + 1, kk + p, ukk, reciprocal);
    // Rank-1 update of the trailing upper triangle: G[i, i:] −= U[k, i]·U[k, i:].
    for (let i = k + 1; i < p; i++) {
      const u = g[kk + i]!;
      if (u === 0) continue;
      const ii = i * p;
      for (let c = i; c < p; c++) g[ii + c]! -= u * g[kk + c]!;
    }
  }
  return -1;
}

/**
 * Solve UᵀU·V = B in place for the factor U of {@link choleskyFactorUpper} (upper triangle of
 * `u`) and m right-hand sides B (p × m, row-major): Uᵀ·Y = B (forward), then U·V = Y (backward).
 */
export function choleskySolveUpper(u: Float64Array, b: Float64Array, p: number, m: number, opts: Pick<CholeskyOptions, 'reciprocal'> = {}): void {
  if (u.length !== p * p || b.length !== p * m) throw new RangeError(`choleskySolveUpper(): expected ${p} × ${p} and ${p} × ${m} arrays but got ${u.length} and ${b.length} entries`);
  const reciprocal = opts.reciprocal ?? false;
  // Row k of U scatters into the rows below.
  for (let k = 0; k < p; k++) {
    const kk = k * p, bk = k * m;
    scaleRange(b, bk, bk + m, u[kk + k]!, reciprocal);
    for (let j = k + 1; j < p; j++) {
      const ukj = u[kk + j]!;
      if (ukj === 0) continue;
      const bj = j * m;
      for (let c = 0; c < m; c++) b[bj + c]! -= ukj * b[bk + c]!;
    }
  }
  for (let k = p - 1; k >= 0; k--) {
    const kk = k * p, bk = k * m;
    for (let j = k + 1; j < p; j++) {
      const ukj = u[kk + j]!;
      if (ukj === 0) continue;
      const bj = j * m;
      for (let c = 0; c < m; c++) b[bk + c]! -= ukj * b[bj + c]!;
    }
    scaleRange(b, bk, bk + m, u[kk + k]!, reciprocal);
  }
}

/**
 * Solve G·V = B in place in JavaScript: G = UᵀU ({@link choleskyFactorUpper}, G's upper triangle
 * overwritten), then B is overwritten by V.
 * @throws InvalidArgumentError when G is not (numerically) positive definite.
 * @example
 * const g = Float64Array.from([4, 2, 2, 3]), b = Float64Array.from([2, 1]);
 * choleskySolveJs(g, b, 2, 1); // b = [0.5, 0]
 */
export function choleskySolveJs(g: Float64Array, b: Float64Array, p: number, m: number): void {
  if (g.length !== p * p || b.length !== p * m) throw new RangeError(`choleskySolveJs(): expected ${p} × ${p} and ${p} × ${m} arrays but got ${g.length} and ${b.length} entries`);
  const bad = choleskyFactorUpper(g, p, { reciprocal: true });
  if (bad >= 0) throw new InvalidArgumentError('choleskySolveJs', `choleskySolveJs(): the matrix is not positive definite (pivot ${bad} = ${g[bad * p + bad]})`);
  choleskySolveUpper(g, b, p, m, { reciprocal: true });
}

/** Copy the upper triangle of a row-major p × p matrix onto its lower triangle, in cache-sized tiles. */
export function mirrorUpper(g: Float64Array, p: number): void {
  mirror(g, p, true);
}

/**
 * Copy the strict lower triangle of a row-major p × p matrix onto its upper triangle (the inverse
 * of {@link mirrorUpper}): restores a symmetric matrix whose upper triangle a factorisation
 * overwrote, for another solve with the same matrix (the diagonal is the caller's).
 */
export function mirrorLower(g: Float64Array, p: number): void {
  mirror(g, p, false);
}

/** One triangle onto the other (`down`: upper onto lower), tile by tile. */
function mirror(g: Float64Array, p: number, down: boolean): void {
  const T = 64;
  for (let r0 = 0; r0 < p; r0 += T) {
    for (let c0 = r0; c0 < p; c0 += T) {
      const r1 = Math.min(r0 + T, p), c1 = Math.min(c0 + T, p);
      for (let r = r0; r < r1; r++) {
        for (let c = Math.max(c0, r + 1); c < c1; c++) {
          if (down) g[c * p + r] = g[r * p + c]!;
          else g[r * p + c] = g[c * p + r]!;
        }
      }
    }
  }
}

/**
 * Solve G·V = B in place (B becomes V; G's upper triangle is overwritten by a factor). Only G's
 * upper triangle needs to be filled: it is first mirrored onto the lower, and neither
 * factorisation writes the strict lower triangle (LAPACK's column-major 'L' is the row-major
 * upper), so afterwards — even after a failed factorisation — {@link mirrorLower} and G's
 * diagonal restore G for another solve (ridge regression's λ path).
 * @param native use the addon if it loaded (default); `false` forces the JavaScript solve.
 * @throws InvalidArgumentError when G is not positive definite.
 */
export function solveSpd(g: Float64Array, b: Float64Array, p: number, m: number, native = true): void {
  const addon = native ? nativeAddon().addon : undefined;
  mirrorUpper(g, p);
  if (!addon) { choleskySolveJs(g, b, p, m); return; }
  const info = addon.choleskySolve(g, b, p, m);
  if (info !== 0) throw new InvalidArgumentError('solveSpd', `solveSpd(): the matrix is not positive definite (LAPACK dpotrf info ${info})`);
}
