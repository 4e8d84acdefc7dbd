/**
 * Damped least squares by preconditioned conjugate gradients, all right-hand sides at once:
 *
 *   min_V ‖X·V − Z‖²_F + Σ_j pen_j·‖V[j, :]‖²        X: n × p CSR, Z: n × m, V: p × m
 *
 * CG on the normal equations (XᵀX + Λ)·v = Xᵀz without forming XᵀX (Hestenes & Stiefel 1952,
 * §10; Björck, "Numerical Methods for Least Squares Problems", 1996, §7.4): each iteration
 * takes one product q = X·d and one Xᵀ·q. The step length uses δ = ‖q‖² + ⟨d, Λd⟩ as in CGLS,
 * but the normal residual g = Xᵀ(z − Xv) − Λv is updated recursively (g −= α·(Xᵀq + Λd))
 * rather than recomputed from an n-space residual as CGLS does: the products run in float32,
 * and recomputing g subtracts two large, nearly equal terms: on the EURLex-4K-sized problem
 * (λ = 1, m = 100) CGLS stalls and then diverges, while the recursive form keeps converging.
 * Preconditioner: Jacobi, M = (diag XᵀX + Λ)⁻¹ (columns scaled to unit norm, which matters for
 * tf-idf features whose column norms span orders of magnitude). Every column c of V has its own
 * scalars α_c, β_c and stops on its own once ‖g_c‖ ≤ tol·‖Xᵀz_c‖ (its direction is then frozen).
 */
import { type Csr } from '../data/csr.js';
import { csrMatDense, csrTMatDense } from '../engine/sparse.js';

/** What {@link cgNormal} ran into. */
export interface CgResult {
  /** p × m row-major. */
  v: Float64Array;
  iterations: number;
  /** Every column reached the tolerance. */
  converged: boolean;
  /** max_c ‖g_c‖ / ‖Xᵀz_c‖ at the end (g the recursively updated normal residual). */
  relResidual: number;
}

/** Per-column ⟨u_c, w_c⟩ of two row-major p × m arrays. */
function colDots(u: Float64Array, w: Float64Array, rows: number, m: number): Float64Array {
  const out = new Float64Array(m);
  for (let j = 0; j < rows; j++) {
    const o = j * m;
    for (let c = 0; c < m; c++) out[c]! += u[o + c]! * w[o + c]!;
  }
  return out;
}

/** Xᵀ·u + pen ∘ w for u n × m and w p × m. */
function normalProduct(x: Csr, u: Float32Array, w: Float64Array, pen: Float64Array, m: number): Float64Array {
  const out = Float64Array.from(csrTMatDense(x, u, m));
  for (let j = 0; j < x.nCols; j++) {
    const l = pen[j]!, o = j * m;
    if (l !== 0) for (let c = 0; c < m; c++) out[o + c]! += l * w[o + c]!;
  }
  return out;
}

/**
 * Solve the damped least-squares problem above.
 * @param pen per-feature penalties (length p, ≥ 0; XᵀX + Λ must be positive definite).
 * @param tick called with the iteration count after each iteration.
 */
export function cgNormal(x: Csr, z: Float32Array, m: number, pen: Float64Array, maxIter: number, tol: number,
  tick?: (iteration: number) => void): CgResult {
  const n = x.nRows, p = x.nCols;
  const prec = new Float64Array(p);
  for (let q = 0, e = x.rowPtr[n]!; q < e; q++) prec[x.indices[q]!]! += x.values[q]! ** 2;
  for (let j = 0; j < p; j++) { const t = prec[j]! + pen[j]!; prec[j] = t > 0 ? 1 / t : 0; }

  const v = new Float64Array(p * m);
  const g = Float64Array.from(csrTMatDense(x, z, m));
  const bNorm = colDots(g, g, p, m).map(Math.sqrt);
  const target = bNorm.map((t) => tol * t);
  const s = new Float64Array(p * m);
  const precondition = (): void => {
    for (let j = 0; j < p; j++) { const w = prec[j]!, o = j * m; for (let c = 0; c < m; c++) s[o + c] = w * g[o + c]!; }
  };
  precondition();
  const d = Float64Array.from(s);
  let gamma = colDots(g, s, p, m);
  // active[c] = 1 while column c is above its tolerance.
  const active = new Float64Array(m);
  const update = (): boolean => {
    const norms = colDots(g, g, p, m);
    let any = false;
    for (let c = 0; c < m; c++) { active[c] = Math.sqrt(norms[c]!) > target[c]! ? 1 : 0; any ||= active[c] === 1; }
    return any;
  };
  let it = 0;
  while (it < maxIter && update()) {
    const q = csrMatDense(x, Float32Array.from(d), m); // n × m
    // δ_c = ‖X·d_c‖² + ⟨d_c, Λ·d_c⟩, α_c = γ_c / δ_c.
    const delta = new Float64Array(m);
    for (let i = 0; i < n; i++) { const o = i * m; for (let c = 0; c < m; c++) delta[c]! += q[o + c]! ** 2; }
    for (let j = 0; j < p; j++) { const l = pen[j]!, o = j * m; if (l !== 0) for (let c = 0; c < m; c++) delta[c]! += l * d[o + c]! ** 2; }
    const alpha = gamma.map((t, c) => (active[c] === 1 && delta[c]! > 0 ? t / delta[c]! : 0));
    for (let j = 0; j < p; j++) { const o = j * m; for (let c = 0; c < m; c++) v[o + c]! += alpha[c]! * d[o + c]!; }
    const w = normalProduct(x, q, d, pen, m);
    for (let j = 0; j < p; j++) { const o = j * m; for (let c = 0; c < m; c++) g[o + c]! -= alpha[c]! * w[o + c]!; }
    precondition();
    const gammaNew = colDots(g, s, p, m);
    const beta = gammaNew.map((t, c) => (active[c] === 1 && gamma[c]! > 0 ? t / gamma[c]! : 0));
    for (let j = 0; j < p; j++) { const o = j * m; for (let c = 0; c < m; c++) if (active[c] === 1) d[o + c] = s[o + c]! + beta[c]! * d[o + c]!; }
    gamma = gammaNew;
    it++;
    tick?.(it);
  }
  const norms = colDots(g, g, p, m);
  let rel = 0, converged = true;
  for (let c = 0; c < m; c++) {
    const nc = Math.sqrt(norms[c]!);
    if (nc > target[c]!) converged = false;
    if (bNorm[c]! > 0) rel = Math.max(rel, nc / bNorm[c]!);
  }
  return { v, iterations: it, converged, relResidual: rel };
}
