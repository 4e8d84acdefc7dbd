/**
 * Dense LU factorisation with partial (row) pivoting, P·K = L·U, of a square row-major float64
 * matrix, and the solves with K and Kᵀ — the kernel under the simplex basis factorisation of
 * ./lp.ts. Algorithm: Gaussian elimination in the right-looking (outer-product) order, Golub &
 * Van Loan, "Matrix Computations", 4th ed., §3.4 (Algorithm 3.4.1). Every inner loop runs along a
 * row, so the accesses are contiguous in row-major storage; rows whose multiplier is exactly 0
 * are skipped, which makes the factorisation cheap on the mostly-unit bases the simplex starts
 * from.
 */

/**
 * Factor the n × n row-major matrix `lu` in place into P·K = L·U: U on and above the diagonal,
 * the multipliers of the unit lower triangle L below it. `perm[i]` receives the original row
 * that ended up in row i. Returns −1 on success, or the first column k whose largest remaining
 * entry |K_ik| (i ≥ k) is ≤ `pivotTol`·(largest entry of column k before elimination) — K is
 * then numerically singular and the factor is unusable.
 * @throws RangeError when the sizes disagree.
 */
export function luFactor(lu: Float64Array, n: number, perm: Int32Array, pivotTol: number): number {
  if (lu.length < n * n || perm.length < n) throw new RangeError(`luFactor(): expected a ${n} × ${n} matrix and ${n} permutation entries but got ${lu.length} and ${perm.length}`);
  // Column scales for the relative singularity test.
  const colMax = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j < n; j++) { const v = Math.abs(lu[ri + j]!); if (v > colMax[j]!) colMax[j] = v; }
  }
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let k = 0; k < n; k++) {
    // Partial pivoting: the largest |entry| in column k at or below the diagonal.
    let p = k, best = Math.abs(lu[k * n + k]!);
    for (let i = k + 1; i < n; i++) { const v = Math.abs(lu[i * n + k]!); if (v > best) { best = v; p = i; } }
    if (!(best > pivotTol * colMax[k]!) || best === 0) return k;
    if (p !== k) {
      const rk = k * n, rp = p * n;
      for (let j = 0; j < n; j++) { const t = lu[rk + j]!; lu[rk + j] = lu[rp + j]!; lu[rp + j] = t; }
      const t = perm[k]!; perm[k] = perm[p]!; perm[p] = t;
    }
    const rk = k * n, inv = 1 / lu[rk + k]!;
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const lik = lu[ri + k]!;
      if (lik === 0) continue;
      const l = lik * inv;
      lu[ri + k] = l;
      for (let j = k + 1; j < n; j++) lu[ri + j]! -= l * lu[rk + j]!;
    }
  }
  return -1;
}

/**
 * Solve K·z = b with the factor of {@link luFactor}: b (length ≥ n) is overwritten by z.
 * `work` is scratch of length ≥ n.
 */
export function luSolve(lu: Float64Array, n: number, perm: Int32Array, b: Float64Array, work: Float64Array): void {
  // L·w = P·b (forward, unit diagonal), then U·z = w (backward).
  // (Two accumulators per dot product: the additions of one do not wait on the other's.)
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s0 = b[perm[i]!]!, s1 = 0, j = 0;
    for (; j + 1 < i; j += 2) { s0 -= lu[ri + j]! * work[j]!; s1 -= lu[ri + j + 1]! * work[j + 1]!; }
    if (j < i) s0 -= lu[ri + j]! * work[j]!;
    work[i] = s0 + s1;
  }
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    let s0 = work[i]!, s1 = 0, j = i + 1;
    for (; j + 1 < n; j += 2) { s0 -= lu[ri + j]! * work[j]!; s1 -= lu[ri + j + 1]! * work[j + 1]!; }
    if (j < n) s0 -= lu[ri + j]! * work[j]!;
    work[i] = (s0 + s1) / lu[ri + i]!;
  }
  for (let i = 0; i < n; i++) b[i] = work[i]!;
}

/**
 * Solve Kᵀ·z = c with the factor of {@link luFactor}: c (length ≥ n) is overwritten by z.
 * Kᵀ = Uᵀ·Lᵀ·P, so Uᵀ·v = c, Lᵀ·w = v, z = Pᵀ·w; both triangular solves scatter along rows.
 * `work` is scratch of length ≥ n.
 */
export function luSolveTransposed(lu: Float64Array, n: number, perm: Int32Array, c: Float64Array, work: Float64Array): void {
  for (let i = 0; i < n; i++) work[i] = c[i]!;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const v = work[i]! / lu[ri + i]!;
    work[i] = v;
    if (v === 0) continue;
    let j = i + 1;
    for (; j + 1 < n; j += 2) { work[j]! -= lu[ri + j]! * v; work[j + 1]! -= lu[ri + j + 1]! * v; }
    if (j < n) work[j]! -= lu[ri + j]! * v;
  }
  for (let i = n - 1; i > 0; i--) {
    const ri = i * n;
    const v = work[i]!;
    if (v === 0) continue;
    let j = 0;
    for (; j + 1 < i; j += 2) { work[j]! -= lu[ri + j]! * v; work[j + 1]! -= lu[ri + j + 1]! * v; }
    if (j < i) work[j]! -= lu[ri + j]! * v;
  }
  for (let i = 0; i < n; i++) c[perm[i]!] = work[i]!;
}
