/**
 * Ridge regression in the dual, for many features and few points (p ≫ n, e.g. Wiki10-31K:
 * p = 101,938, n = 14,146; or the points of one cluster): an n × n system instead of p × p.
 *
 * Without a bias. The primal solution V = (XᵀX + λI)⁻¹XᵀZ equals Xᵀ(XXᵀ + λI)⁻¹Z, because
 * Xᵀ(XXᵀ + λI) = (XᵀX + λI)Xᵀ (multiply by the two inverses). So solve (XXᵀ + λI)·α = Z
 * (n × n, symmetric positive definite for λ > 0) by Cholesky and set V = Xᵀα (Saunders,
 * Gammerman & Vovk 1998, "Ridge regression learning algorithm in dual variables", ICML).
 *
 * With an unpenalised bias b: min_{V,b} ‖XV + 1bᵀ − Z‖² + λ‖V‖². For any V the best b is
 * b = z̄ − Vᵀμ (set the gradient in b, 2·(XV + 1bᵀ − Z)ᵀ1, to 0), with μ = Xᵀ1/n the feature
 * means and z̄ = Zᵀ1/n the target means. Substituting it, XV + 1bᵀ − Z = X̃V − Z̃ with the
 * centred X̃ = X − 1μᵀ and Z̃ = Z − 1z̄ᵀ, so V minimises the bias-free ‖X̃V − Z̃‖² + λ‖V‖²:
 * V = X̃ᵀ(X̃X̃ᵀ + λI)⁻¹Z̃ and b = z̄ − Vᵀμ, exactly the primal solution with the bias, not an
 * approximation. Centring a sparse X would make it dense (n·p values), so we never form X̃:
 *   X̃X̃ᵀ = XXᵀ − 1(Xμ)ᵀ − (Xμ)1ᵀ + (μᵀμ)·11ᵀ,   i.e. K̃_ij = K_ij − s_i − s_j + μᵀμ with s = Xμ,
 *   V = X̃ᵀα = Xᵀα − μ(1ᵀα).
 * (In exact arithmetic 1ᵀα = 0: X̃ᵀ1 = 0 makes 1 an eigenvector of X̃X̃ᵀ + λI with eigenvalue λ,
 * so 1ᵀα = 1ᵀZ̃/λ = 0; we subtract the term anyway, it costs p·m.)
 *
 * Cost: the Gram XXᵀ is the Gram of Xᵀ (./gram.ts on the transpose), Σ_features c_f²/2
 * multiply-adds for a feature present in c_f points; memory n²·8 bytes; the factorisation n³/3
 * (LAPACK through the native addon when it loaded, ../linalg/cholesky.ts); V = Xᵀα in float64,
 * nnz·m multiply-adds.
 */
import { type Csr, transpose } from '../data/csr.js';
import { mirrorLower, solveSpd } from '../linalg/cholesky.js';
import { gramUpper } from './gram.js';

/**
 * The ridge solution by the dual: [V; bᵀ] ((p + 1) × m row-major, float64) with `bias`, V alone
 * (p × m) without, for the rows of `x` (n × p) and targets `z` (n × m row-major), penalty λ on V.
 * @param onRow called after each of the n Gram rows with the number done (for progress).
 * @throws InvalidArgumentError when X̃X̃ᵀ + λI is not numerically positive definite.
 * @example
 * const vb = dualRidge(x, z, 100, 1, true); // (x.nCols + 1) × 100, the bias in the last row
 */
export function dualRidge(x: Csr, z: Float32Array, m: number, lambda: number, bias: boolean, onRow?: (done: number) => void): Float64Array {
  return dualRidgePath(x, z, m, bias, onRow)(lambda);
}

/**
 * {@link dualRidge} for several penalties: the (centred) Gram matrix is formed once, here, and
 * the returned function solves for one λ at a time (n³/3 each), the same numbers as dualRidge.
 * solveSpd leaves the Gram matrix in its strict lower triangle; it is restored from there before
 * every solve but the first.
 * @example const solve = dualRidgePath(x, z, 100, true); const [a, b] = [solve(1), solve(10)];
 */
export function dualRidgePath(x: Csr, z: Float32Array, m: number, bias: boolean, onRow?: (done: number) => void): (lambda: number) => Float64Array {
  const n = x.nRows, p = x.nCols;
  const { rowPtr, indices, values } = x;
  const k = gramUpper(transpose(x), onRow); // XXᵀ, upper triangle
  const zc = Float64Array.from(z); // Z̃ with a bias, else Z
  const mu = new Float64Array(p), zMean = new Float64Array(m);
  if (bias && n > 0) {
    for (let q = 0; q < rowPtr[n]!; q++) mu[indices[q]!]! += values[q]! / n;
    const s = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let q = rowPtr[i]!; q < rowPtr[i + 1]!; q++) s[i]! += values[q]! * mu[indices[q]!]!;
    let c = 0;
    for (let j = 0; j < p; j++) c += mu[j]! * mu[j]!;
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) k[i * n + j]! += c - s[i]! - s[j]!;
    for (let i = 0; i < n; i++) for (let c2 = 0; c2 < m; c2++) zMean[c2]! += zc[i * m + c2]! / n;
    for (let i = 0; i < n; i++) for (let c2 = 0; c2 < m; c2++) zc[i * m + c2]! -= zMean[c2]!;
  }
  const diag = new Float64Array(n);
  for (let i = 0; i < n; i++) diag[i] = k[i * n + i]!;
  let solves = 0;
  return (lambda: number): Float64Array => {
    if (solves++ > 0) mirrorLower(k, n);
    for (let i = 0; i < n; i++) k[i * n + i] = diag[i]! + lambda;
    const alpha = zc.slice(); // becomes α
    solveSpd(k, alpha, n, m);
    return primalFromDual(x, alpha, m, bias ? { mu, zMean } : undefined);
  };
}

/** V = Xᵀα (p × m), and with the centring's `mu` and `zMean` the corrections V −= μ(1ᵀα) and the bias row b = z̄ − Vᵀμ. */
function primalFromDual(x: Csr, alpha: Float64Array, m: number, centring: { mu: Float64Array; zMean: Float64Array } | undefined): Float64Array {
  const n = x.nRows, p = x.nCols;
  const { rowPtr, indices, values } = x;
  const out = new Float64Array((centring ? p + 1 : p) * m);
  // V = Xᵀα, row by row of X: V[j, :] += x_ij · α[i, :].
  for (let i = 0; i < n; i++) {
    const a = i * m;
    for (let q = rowPtr[i]!; q < rowPtr[i + 1]!; q++) {
      const o = indices[q]! * m, v = values[q]!;
      for (let c = 0; c < m; c++) out[o + c]! += v * alpha[a + c]!;
    }
  }
  if (centring) {
    const { mu, zMean } = centring;
    const sumAlpha = new Float64Array(m);
    for (let i = 0; i < n; i++) for (let c = 0; c < m; c++) sumAlpha[c]! += alpha[i * m + c]!;
    const b = p * m;
    for (let c = 0; c < m; c++) out[b + c] = zMean[c]!;
    for (let j = 0; j < p; j++) {
      const muj = mu[j]!;
      if (muj === 0) continue;
      for (let c = 0; c < m; c++) {
        out[j * m + c]! -= muj * sumAlpha[c]!; // V = Xᵀα − μ(1ᵀα)
        out[b + c]! -= muj * out[j * m + c]!; // b = z̄ − Vᵀμ
      }
    }
  }
  return out;
}
