/**
 * Exact ℓ1-minimisation by linear programming — the reference decoders of compressed sensing:
 *
 *   ℓ1-min pos:  min 1ᵀx      s.t.  A·x = y, x ≥ 0
 *   ℓ1-min:      min ‖x‖₁     s.t.  A·x = y          (x = u − v, u, v ≥ 0: columns [A, −A])
 *
 * for a dense A (m × d, row-major) and a batch of n measurement vectors y (n × m). Pure functions
 * over Float64Array; nothing is printed.
 *
 * Method: a revised simplex method with a dense basis factorisation, mainly the dual simplex.
 *
 * - Formulation. Every row gets an artificial column e_i with bounds [0, 0] and cost 0; the
 *   structural columns have bounds [0, ∞) and cost 1 (for ℓ1-min, a_j and −a_j, whose reduced
 *   costs are 1 − a_jᵀπ and 1 + a_jᵀπ: −A is never stored). The all-artificial basis B = I has
 *   π = 0, so every reduced cost is 1: it is dual feasible, and the dual simplex method starts
 *   from it with no phase 1 — each pivot drives out a basic variable outside its bounds (an
 *   artificial ≠ 0 or a structural < 0), the dual objective yᵀπ rising, until the basis is
 *   primal feasible and hence optimal (Chvátal, "Linear Programming", 1983, the dual simplex
 *   method; Koberstein, "The dual simplex method, techniques for a fast and stable
 *   implementation", PhD thesis, Paderborn 2005). A ratio test that finds no entering column is a Farkas certificate
 *   — y is outside cone(A) (pos) or range(A) (free) — and the point is 'infeasible'. Every
 *   nonbasic variable sits at 0, so x_B = B⁻¹y.
 * - Row transformation. The equations are premultiplied by the Householder reflector Q with
 *   Q·y = ±‖y‖e₁ (an orthogonal change of rows: the LP, its x and — after π ↦ Q·π — its duals are
 *   unchanged). Only one artificial then starts infeasible and the first dual step moves π
 *   along y; on Gaussian A this saves 25–50 % of the iterations. The stored columns stay a_j:
 *   (Q·a_j)ᵀv = a_jᵀ(Q·v), so pricing applies Q to the m-vector instead.
 * - Pricing: dual steepest edge (Forrest & Goldfarb, "Steepest-edge simplex algorithms for
 *   linear programming", Math. Programming 57, 1992, "dual algorithm I": β_r = ‖e_rᵀB⁻¹‖²,
 *   exact (= 1) at the start since B = I), or largest infeasibility (Dantzig) as an option.
 *   Ratio test: Harris's two passes (Harris, "Pivot selection methods of the Devex LP code",
 *   Math. Programming 5, 1973; Koberstein 2005): the largest |pivot| among the columns whose
 *   ratio is within the tolerance-relaxed minimum — stable pivots despite degeneracy.
 * - Screened pivot row. The per-iteration cost is dominated by the pivot row ρᵀa_j over the d
 *   columns (d·m); it is computed only for the columns whose ratio can be minimal (see
 *   SCREEN_FRACTION) — the ratio test stays exact, the work drops to ~5 % (d = 47,236) to ~15 %
 *   (d = 1,000) of the columns.
 * - Sifting, an option (Bixby, Gregory, Lustig, Marsten & Shanno, "Very large-scale linear
 *   programming: a case study in combining interior point and simplex methods", Oper. Res. 40,
 *   1992): the dual simplex runs on a working set W of columns, first the ones most correlated
 *   with y. When W's LP is optimal, its basis is primal feasible and the primal simplex takes
 *   over: multiple pricing over W, and whenever W prices out nonnegative, all d columns are
 *   priced once and the most negative join W; it stops when no column prices out. When W's LP
 *   is infeasible, the columns that block the dual ray join W. On dense optima with d ≫ m this
 *   is 2–4× faster than the screened dual over all columns; on sparse (recoverable), highly
 *   degenerate optima W's optimum is far off and the primal simplex crawls, so after
 *   SIFTING_PRIMAL_LIMIT·m primal pivots all columns join and the dual simplex restarts. The
 *   default ('auto') is not to sift unless the copy of Aᵀ would be too large
 *   ({@link SIFTING_AUTO_BYTES}).
 * - Primal simplex: Dantzig's rule on a candidate list, Harris's ratio test, and against
 *   degeneracy (sparse solutions leave many basic variables at 0) a random perturbation of the
 *   right-hand side, removed afterwards — the dual simplex repairs what that leaves infeasible.
 * - Basis factorisation: B's artificial columns are unit vectors, so with S the rows whose
 *   artificial is basic and T the others, B·z = b splits into K·z_s = b_T for the s × s block K
 *   of the structural columns on rows T, then z_i = b_i − (coupling row i)·z_s for i ∈ S (as LP
 *   codes treat slack columns; Maros, "Computational Techniques of the Simplex Method", 2003). K gets a dense LU with partial pivoting (./dense_lu.ts); a numerically singular K is
 *   repaired by swapping artificials in. Basis changes are product-form eta updates (Dantzig &
 *   Orchard-Hays 1954; Chvátal 1983), refactorising every ~m/2 updates (at most
 *   {@link REFACTOR_INTERVAL}; the eta cost m·k per solve then balances the s³/3 of the LU).
 *   Why product form and not Forrest–Tomlin: A is dense, so the sparsity Forrest–Tomlin keeps
 *   is absent, both cost O(m) per update and per eta in a solve, and the eta file is much
 *   simpler; its weaker stability is covered by Harris's large pivots, the refactorisation
 *   interval, a check of every pivot against the pivot row, and a fresh factorisation at the end.
 * - Accuracy: at the end x_B is recomputed from a fresh factorisation, B·x_B = y with two steps
 *   of iterative refinement, and π likewise from Bᵀπ = c_B; basic structurals within the
 *   feasibility tolerance below 0 are set to 0. For exactly recoverable points (sparse x,
 *   Gaussian A, enough measurements) x̂ then equals x to ~1e-14.
 *
 * Each y_r is scaled to ‖y_r‖₂ = 1 internally (the LP is positively homogeneous in y; π does not
 * change), so the absolute tolerances below apply to a unit right-hand side; the columns of A
 * are assumed to have norms of order 1 (the costs are 1).
 */
import { luFactor, luSolve, luSolveTransposed } from './dense_lu.js';

/**
 * Primal feasibility tolerance: a basic variable outside its bounds by more than this (on the
 * scaled problem, ‖y‖₂ = 1) is infeasible. ~10⁷ ulps of an order-1 value: well above the
 * round-off of a basis solve with m ≤ ~1000, far below anything meaningful.
 */
export const PRIMAL_FEASIBILITY_TOL = 1e-9;
/** Optimality (dual feasibility) tolerance on the reduced costs 1 ∓ a_jᵀπ (the costs are 1). */
export const DUAL_FEASIBILITY_TOL = 1e-9;
/**
 * Smallest |pivot| the ratio tests accept. Entries of B⁻¹a below it count as round-off; in
 * particular the pivot row of a ray proving y outside cone(A)/range(A) has only such entries.
 */
export const RATIO_PIVOT_TOL = 1e-9;
/**
 * Relative singularity threshold of the basis LU: a pivot ≤ this × the largest entry of its
 * column marks the basis singular (it is then repaired with artificials).
 */
export const LU_PIVOT_TOL = 1e-11;
/** The most eta updates between refactorisations of the basis (the interval is ~m/2, at least 20). */
export const REFACTOR_INTERVAL = 250;
/** The largest tolerated relative disagreement of the pivot from the column (FTRAN) and from the row. */
const PIVOT_AGREEMENT_TOL = 1e-8;
/** Size δ of the random RHS perturbation (ε ∈ [δ, 2δ] per basic structural) in the primal simplex. */
const PERTURBATION = 1e-6;
/** Primal multiple pricing: ⌈CANDIDATES_PER_ROW·m⌉ candidates (at least CANDIDATES_MIN) per pass over W. */
const CANDIDATES_PER_ROW = 0.25;
const CANDIDATES_MIN = 16;
/**
 * Screening of the dual ratio test (our device, after the "safe screening" of El Ghaoui,
 * Viallon & Rabbani, "Safe feature elimination in sparse supervised learning", 2010): a column's
 * ratio (dj + tol)/|α_j| is at least (dj + tol)/(‖ρ‖‖a_j‖) by Cauchy–Schwarz, and dj = 1 ∓ a_jᵀπ
 * is bounded below by its value at its last exact price minus ‖a_j‖·(the length of π's path
 * since). Each iteration prices exactly the columns whose bound lies below the SCREEN_FRACTION
 * quantile of a SCREEN_SAMPLE sample — which yields a Harris bound θmax — and then every column
 * whose bound does not exceed θmax·‖ρ‖. The ratio test stays exact.
 */
const SCREEN_FRACTION = 0.02;
const SCREEN_SAMPLE = 128;
/** When one iteration prices more than this fraction of W exactly, all references are refreshed. */
const SCREEN_REFRESH = 0.3;
/** Relative slack on the Cauchy–Schwarz drift, for round-off. */
const SCREEN_SAFETY = 1 + 1e-9;
/** Restarts of the simplex loop (sifting rounds, repairs) allowed per point. */
const MAX_ROUNDS = 1000;

/**
 * `sifting: 'auto'` sifts only when the copy of Aᵀ the full method keeps would exceed this many
 * bytes. Measured (eval/results/bench_lp_dual.md, ℓ1-min pos, 100-sparse x): at d = 1,000,
 * m = 50 sifting takes twice the iterations and does not pay; at d = 47,236 it is 3.9× / 1.8×
 * faster at m = 200 / 400, where the optimum is dense, but at m = 800, where x is recovered and
 * the optimum sparse and highly degenerate, the working set's optimum is far from the full one,
 * the primal simplex crawls until the fallback to all columns, and it takes 65 s against 29 s.
 * So the screened dual simplex over all columns is the default.
 */
export const SIFTING_AUTO_BYTES = 2 ** 30;
/** Sifting: the initial working set holds this × m columns (at least {@link SIFTING_MIN_COLUMNS}). */
export const SIFTING_INITIAL_PER_ROW = 8;
/**
 * Sifting gives up — all columns join and the dual simplex restarts — once its primal simplex
 * has made this × m pivots for a point.
 */
const SIFTING_PRIMAL_LIMIT = 4;
/** Sifting: the smallest initial working set, and the fewest columns added per round (else m). */
export const SIFTING_MIN_COLUMNS = 50;

/** How the LP of one point ended. */
export type LpStatus = 'optimal' | 'infeasible' | 'iteration-limit';

/** Settings of {@link l1MinPos} and {@link l1Min}. */
export interface L1MinOptions {
  /** Simplex iterations allowed per point (default max(1000, 50·m + ⌈d/10⌉)). */
  readonly maxIterations?: number;
  /**
   * Work on a growing set of columns (sifting) instead of all d: `true`, `false`, or `auto`
   * (default: sifting only when the copy of Aᵀ that the method over all columns keeps for the
   * batch, d·m·8 bytes, would exceed {@link SIFTING_AUTO_BYTES}). Sifting can be several times
   * faster for d ≫ m when the optimal x is dense, and much slower when it is sparse and degenerate.
   */
  readonly sifting?: boolean | 'auto';
  /**
   * Sifting: the initial working set's size (default max({@link SIFTING_MIN_COLUMNS},
   * {@link SIFTING_INITIAL_PER_ROW}·m), at most d).
   */
  readonly siftingColumns?: number;
  /** Dual simplex pricing: `steepest-edge` (default) or `dantzig` (largest infeasibility). */
  readonly pricing?: 'steepest-edge' | 'dantzig';
}

/** The solutions of a batch of ℓ1-minimisation LPs. */
export interface L1MinResult {
  /**
   * n × d row-major: the minimiser of each point. Zeros where the status is 'infeasible'; after
   * an iteration limit, the last basic solution (A·x = y, but x may violate x ≥ 0).
   */
  readonly x: Float64Array;
  /**
   * n × m row-major. Optimal points: the optimal dual π of max yᵀπ s.t. Aᵀπ ≤ 1 (pos) or
   * |Aᵀπ| ≤ 1 (ℓ1-min); yᵀπ equals the optimal objective. Infeasible points: a Farkas
   * certificate w with yᵀw = 1 and Aᵀw ≤ 0 (pos) or Aᵀw = 0 (ℓ1-min), to the tolerances.
   * Iteration limit: the last π.
   */
  readonly duals: Float64Array;
  /** Per point: 'optimal', 'infeasible' (no x ≥ 0 — or no x at all for ℓ1-min — has A·x = y), or 'iteration-limit'. */
  readonly status: LpStatus[];
  /** Per point: the optimal objective 1ᵀx̂ or ‖x̂‖₁ (NaN unless optimal). */
  readonly objective: Float64Array;
  /** Per point: simplex iterations (dual and primal pivots). */
  readonly iterations: Uint32Array;
}

/**
 * ℓ1-min pos: for each row y_r of y (n × m), min 1ᵀx s.t. A·x = y_r, x ≥ 0, by the simplex
 * method (exact up to the tolerances above).
 * @param a the m × d measurement matrix, row-major.
 * @param y the n × m measurements, row-major.
 * @throws RangeError when the sizes disagree, an entry is not finite, or an option is invalid.
 * @example
 * // A = [1 2 0; 0 1 1], y = (2, 2): x = (0, 1, 1), 1ᵀx = 2.
 * l1MinPos(Float64Array.from([1, 2, 0, 0, 1, 1]), 2, 3, Float64Array.from([2, 2]), 1).x; // [0, 1, 1]
 */
export function l1MinPos(a: Float64Array, m: number, d: number, y: Float64Array, n: number, options: L1MinOptions = {}): L1MinResult {
  return solveBatch('l1MinPos', false, a, m, d, y, n, options);
}

/**
 * ℓ1-min: for each row y_r of y (n × m), min ‖x‖₁ s.t. A·x = y_r, by the simplex method on
 * x = u − v, u, v ≥ 0 (exact up to the tolerances above).
 * @param a the m × d measurement matrix, row-major.
 * @param y the n × m measurements, row-major.
 * @throws RangeError when the sizes disagree, an entry is not finite, or an option is invalid.
 * @example
 * // A = [1 0 1 2; 0 1 1 −1], y = (2, 1): x = (0, 0, 4/3, 1/3), ‖x‖₁ = 5/3.
 * l1Min(Float64Array.from([1, 0, 1, 2, 0, 1, 1, -1]), 2, 4, Float64Array.from([2, 1]), 1).objective; // [1.666…]
 */
export function l1Min(a: Float64Array, m: number, d: number, y: Float64Array, n: number, options: L1MinOptions = {}): L1MinResult {
  return solveBatch('l1Min', true, a, m, d, y, n, options);
}

function solveBatch(fn: string, free: boolean, a: Float64Array, m: number, d: number, y: Float64Array, n: number, options: L1MinOptions): L1MinResult {
  if (!(Number.isInteger(m) && m > 0 && Number.isInteger(d) && d > 0)) throw new RangeError(`${fn}(): expected positive integer sizes m and d but got m = ${m}, d = ${d}`);
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`${fn}(): expected a non-negative integer number of points n but got ${n}`);
  if (a.length !== m * d) throw new RangeError(`${fn}(): expected A with m × d = ${m} × ${d} = ${m * d} entries but got ${a.length}`);
  if (y.length !== n * m) throw new RangeError(`${fn}(): expected y with n × m = ${n} × ${m} = ${n * m} entries but got ${y.length}`);
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) throw new RangeError(`${fn}(): expected finite entries but A[${Math.floor(i / d)}, ${i % d}] = ${a[i]}`);
  for (let i = 0; i < y.length; i++) if (!Number.isFinite(y[i]!)) throw new RangeError(`${fn}(): expected finite entries but y[${Math.floor(i / m)}, ${i % m}] = ${y[i]}`);
  const maxIterations = options.maxIterations ?? Math.max(1000, 50 * m + Math.ceil(d / 10));
  if (!(Number.isInteger(maxIterations) && maxIterations >= 0)) throw new RangeError(`${fn}(): expected a non-negative integer maxIterations but got ${maxIterations}`);
  const siftOpt = options.sifting ?? 'auto';
  if (siftOpt !== true && siftOpt !== false && siftOpt !== 'auto') throw new RangeError(`${fn}(): expected sifting true, false or 'auto' but got ${String(siftOpt)}`);
  const pricing = options.pricing ?? 'steepest-edge';
  if (pricing !== 'steepest-edge' && pricing !== 'dantzig') throw new RangeError(`${fn}(): expected pricing 'steepest-edge' or 'dantzig' but got ${String(pricing)}`);
  const siftingColumns = options.siftingColumns ?? Math.max(SIFTING_MIN_COLUMNS, SIFTING_INITIAL_PER_ROW * m);
  if (!(Number.isInteger(siftingColumns) && siftingColumns > 0)) throw new RangeError(`${fn}(): expected a positive integer siftingColumns but got ${siftingColumns}`);
  const sifting = siftOpt === 'auto' ? d * m * 8 > SIFTING_AUTO_BYTES : siftOpt;

  const x = new Float64Array(n * d), duals = new Float64Array(n * m), objective = new Float64Array(n).fill(NaN);
  const status = new Array<LpStatus>(n), iterations = new Uint32Array(n);
  if (n === 0) return { x, duals, status, objective, iterations };
  const solver = new Simplex(a, m, d, { free, sifting, siftingColumns: Math.min(d, siftingColumns), dse: pricing === 'steepest-edge', maxIterations });
  for (let r = 0; r < n; r++) {
    const xr = x.subarray(r * d, (r + 1) * d);
    const st = solver.solve(y.subarray(r * m, (r + 1) * m), xr, duals.subarray(r * m, (r + 1) * m));
    status[r] = st;
    iterations[r] = solver.iterations;
    if (st === 'optimal') {
      let s = 0;
      for (let j = 0; j < d; j++) s += Math.abs(xr[j]!);
      objective[r] = s;
    }
  }
  return { x, duals, status, objective, iterations };
}

/**
 * The k-th smallest (1-based) of a[0..n), by Hoare's selection (FIND, Hoare 1961) with
 * median-of-three pivots; reorders a. Infinite entries are allowed.
 */
function kthSmallest(a: Float64Array, n: number, k: number): number {
  let lo = 0, hi = n - 1;
  const target = k - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const x = a[lo]!, y = a[mid]!, z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) { const t = a[i]!; a[i] = a[j]!; a[j] = t; i++; j--; }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target]!;
  }
  return a[target]!;
}

/**
 * The factorisation of a basis B (columns given by position) as B₀·E₁⋯E_k: B₀ split into its
 * artificial (unit) columns and the LU of the structural block K, the E_t product-form etas.
 */
class BasisFactor {
  private readonly m: number;
  /** Structural columns in B₀. */
  private s = 0;
  private nS = 0;
  /** Rows of K (rows whose artificial is not basic), then the rows S whose artificial is basic. */
  private readonly tRows: Int32Array;
  private readonly sRows: Int32Array;
  /** Positions of B₀'s structural columns, and the position of row i's artificial (−1: none). */
  private readonly structPos: Int32Array;
  private readonly artPos: Int32Array;
  /** LU of K (s × s) and its row permutation; the coupling block (rows S, structural columns), |S| × s. */
  private readonly lu: Float64Array;
  private readonly perm: Int32Array;
  private readonly coupling: Float64Array;
  private readonly etaRow: Int32Array;
  private readonly eta: Float64Array;
  /** Eta updates since the last factorisation. */
  nEta = 0;
  private readonly kb: Float64Array;
  private readonly work: Float64Array;
  private readonly colBuf: Float64Array;

  constructor(m: number, maxEtas: number) {
    this.m = m;
    this.tRows = new Int32Array(m); this.sRows = new Int32Array(m);
    this.structPos = new Int32Array(m); this.artPos = new Int32Array(m);
    this.lu = new Float64Array(m * m); this.perm = new Int32Array(m); this.coupling = new Float64Array(m * m);
    this.etaRow = new Int32Array(maxEtas); this.eta = new Float64Array(maxEtas * m);
    this.kb = new Float64Array(m); this.work = new Float64Array(m); this.colBuf = new Float64Array(m);
  }

  /**
   * Factor the basis whose position p holds variable head[p] (≥ 0 structural, −1 − i the
   * artificial of row i); `column(v, out)` writes structural column v. A numerically singular
   * basis is repaired: each dependent structural column is replaced in `head` by the artificial
   * of a row K could not pivot on. Returns the structural variables so removed.
   */
  factor(head: Int32Array, column: (v: number, out: Float64Array) => void): number[] {
    const m = this.m, removed: number[] = [];
    for (;;) {
      this.nEta = 0;
      this.artPos.fill(-1);
      let s = 0;
      for (let p = 0; p < m; p++) {
        const h = head[p]!;
        if (h < 0) this.artPos[-1 - h] = p; else this.structPos[s++] = p;
      }
      let nT = 0, nS = 0;
      for (let i = 0; i < m; i++) if (this.artPos[i]! < 0) this.tRows[nT++] = i; else this.sRows[nS++] = i;
      this.s = s; this.nS = nS;
      if (s === 0) return removed;
      // K[t][c] = column c on row tRows[t]; coupling[k][c] = column c on row sRows[k].
      const lu = this.lu, cp = this.coupling, col = this.colBuf;
      for (let c = 0; c < s; c++) {
        column(head[this.structPos[c]!]!, col);
        for (let t = 0; t < s; t++) lu[t * s + c] = col[this.tRows[t]!]!;
        for (let k = 0; k < nS; k++) cp[k * s + c] = col[this.sRows[k]!]!;
      }
      const bad = luFactor(lu, s, this.perm, LU_PIVOT_TOL);
      if (bad < 0) return removed;
      // Column `bad` depends on the earlier ones: hand its position to the artificial of the row
      // that would have been pivot row `bad` (not yet used by columns 0..bad−1), and refactor.
      const p = this.structPos[bad]!;
      removed.push(head[p]!);
      head[p] = -1 - this.tRows[this.perm[bad]!]!;
    }
  }

  /** b (row space) ← B⁻¹·b (position space). */
  ftran(b: Float64Array): void {
    const m = this.m, s = this.s;
    if (s > 0) {
      const kb = this.kb, cp = this.coupling, tRows = this.tRows, sRows = this.sRows;
      for (let t = 0; t < s; t++) kb[t] = b[tRows[t]!]!;
      luSolve(this.lu, s, this.perm, kb, this.work);
      // Rows S: z_art(i) = b_i − coupling_i·z_s (read b before overwriting positions).
      const w = this.work;
      for (let k = 0; k < this.nS; k++) {
        const i = sRows[k]!, off = k * s;
        let v = b[i]!;
        for (let c = 0; c < s; c++) v -= cp[off + c]! * kb[c]!;
        w[k] = v;
      }
      for (let k = 0; k < this.nS; k++) b[this.artPos[sRows[k]!]!] = w[k]!;
      for (let c = 0; c < s; c++) b[this.structPos[c]!] = kb[c]!;
    } else {
      // B₀ = a permutation of I: position artPos[i] holds b_i.
      const w = this.work;
      for (let i = 0; i < m; i++) w[i] = b[i]!;
      for (let i = 0; i < m; i++) b[this.artPos[i]!] = w[i]!;
    }
    const eta = this.eta;
    for (let e = 0; e < this.nEta; e++) {
      const r = this.etaRow[e]!, off = e * m;
      const piv = b[r]! / eta[off + r]!;
      if (piv !== 0) for (let i = 0; i < m; i++) b[i]! -= eta[off + i]! * piv;
      b[r] = piv;
    }
  }

  /** c (position space) ← B⁻ᵀ·c (row space). */
  btran(c: Float64Array): void {
    const m = this.m, s = this.s, eta = this.eta;
    for (let e = this.nEta - 1; e >= 0; e--) {
      const r = this.etaRow[e]!, off = e * m;
      let v = 0;
      for (let i = 0; i < m; i++) v += eta[off + i]! * c[i]!;
      const er = eta[off + r]!;
      c[r] = (c[r]! - (v - er * c[r]!)) / er;
    }
    const w = this.work;
    if (s > 0) {
      const kb = this.kb, cp = this.coupling, tRows = this.tRows, sRows = this.sRows, nS = this.nS;
      for (let cc = 0; cc < s; cc++) kb[cc] = c[this.structPos[cc]!]!;
      for (let k = 0; k < nS; k++) w[k] = c[this.artPos[sRows[k]!]!]!;
      // Kᵀ·w_T = c_struct − couplingᵀ·w_S.
      for (let k = 0; k < nS; k++) {
        const wk = w[k]!;
        if (wk === 0) continue;
        const off = k * s;
        for (let cc = 0; cc < s; cc++) kb[cc]! -= cp[off + cc]! * wk;
      }
      for (let k = 0; k < nS; k++) c[sRows[k]!] = w[k]!;
      luSolveTransposed(this.lu, s, this.perm, kb, w);
      for (let t = 0; t < s; t++) c[tRows[t]!] = kb[t]!;
    } else {
      for (let i = 0; i < m; i++) w[i] = c[this.artPos[i]!]!;
      for (let i = 0; i < m; i++) c[i] = w[i]!;
    }
  }

  /** Record the basis change at position r with entering column B⁻¹a_q = alpha (position space). */
  addEta(r: number, alpha: Float64Array): void {
    this.etaRow[this.nEta] = r;
    this.eta.set(alpha.subarray(0, this.m), this.nEta * this.m);
    this.nEta++;
  }
}

const OPTIMAL = 0, INFEASIBLE = 1, LIMIT = 2, TROUBLE = 3, BUDGET = 4;

/** How a {@link Simplex} runs (see {@link L1MinOptions}). */
interface SimplexSettings {
  readonly free: boolean;
  readonly sifting: boolean;
  readonly siftingColumns: number;
  readonly dse: boolean;
  readonly maxIterations: number;
}

/**
 * The simplex state for one problem (A, pos or free), reused over the points of a batch.
 * Variables: structural v = 2·slot + sign (sign 1: the column −a_j, ℓ1-min only) for the working
 * set slot holding column j; the artificial of row i: v = −1 − i.
 */
class Simplex {
  private readonly m: number;
  private readonly d: number;
  private readonly a: Float64Array;
  private readonly free: boolean;
  private readonly sifting: boolean;
  private readonly siftingColumns: number;
  private readonly dse: boolean;
  private readonly maxIterations: number;
  private readonly refactorInterval: number;
  /**
   * Working set: the column of each slot, the slot of each column (−1: outside), the columns a_j
   * slot-major — untransformed: the LP's columns are Q·a_j, and (Q·a_j)ᵀv = a_jᵀ(Q·v).
   */
  private cap: number;
  private nW = 0;
  private wCol: Int32Array;
  private readonly wSlot: Int32Array;
  private aw: Float64Array;
  /** Per variable: reduced cost (exact where last priced; see gRef) and basis position (−1: nonbasic). */
  private dj: Float64Array;
  private basicPos: Int32Array;
  /** Per slot: this iteration's ρᵀa_j and πᵀa_j (valid where stamp = epoch). */
  private alpha: Float64Array;
  private gCur: Float64Array;
  private stamp: Int32Array;
  private epoch = 0;
  /** Per slot: πᵀa_j at its last exact price, the path length of π then, and ‖a_j‖. */
  private gRef: Float64Array;
  private dRef: Float64Array;
  private nrm: Float64Array;
  /** Σ‖Δπ‖ over the dual simplex steps. */
  private pathLength = 0;
  /** π at the last full refresh, and per slot ‖π − π_E‖ at its last exact price. */
  private readonly piE: Float64Array;
  private eRef: Float64Array;
  /** Per slot scratch: screening bounds, a sample of them, the exactly priced slots. */
  private score: Float64Array;
  private scratch: Float64Array;
  private computed: Int32Array;
  // The basis and the point.
  private readonly head: Int32Array;
  private readonly xB: Float64Array;
  private readonly pi: Float64Array;
  private readonly beta: Float64Array;
  private betaStale = false;
  /** The transformed right-hand side Q·y/‖y‖ = ±e₁, and what the basis solves for (it, or it perturbed). */
  private readonly y: Float64Array;
  private readonly rhs: Float64Array;
  /** y/‖y‖ untransformed; the Householder vector v and 2/vᵀv of Q = I − 2vvᵀ/vᵀv. */
  private readonly yOrig: Float64Array;
  private readonly hv: Float64Array;
  private hc = 0;
  private readonly rho: Float64Array;
  private readonly aq: Float64Array;
  private readonly tau: Float64Array;
  private readonly buf: Float64Array;
  private readonly tmp: Float64Array;
  /** Q·ρ and Q·π: what the untransformed columns are priced with. */
  private readonly rhoO: Float64Array;
  private readonly piO: Float64Array;
  private readonly factor: BasisFactor;
  private readonly column: (v: number, out: Float64Array) => void;
  /** Primal multiple pricing: the candidate variables. */
  private readonly cand: Int32Array;
  /** Scratch for sweeps over all d columns (and sorting). */
  private readonly sweepA: Float64Array;
  private readonly sweepB: Float64Array;
  private readonly sortBuf: Int32Array;
  /** The sign s of the last dual ray (ρ then holds B⁻ᵀe_r). */
  private raySign = 0;
  /** xorshift32 state for the perturbations (deterministic per batch). */
  private randomState = 0x9e3779b9;
  /** Pivots of the current point. */
  iterations = 0;

  constructor(a: Float64Array, m: number, d: number, settings: SimplexSettings) {
    this.a = a; this.m = m; this.d = d;
    this.free = settings.free; this.sifting = settings.sifting; this.siftingColumns = settings.siftingColumns;
    this.dse = settings.dse; this.maxIterations = settings.maxIterations;
    this.refactorInterval = Math.min(REFACTOR_INTERVAL, Math.max(20, Math.round(m / 2)));
    this.wSlot = new Int32Array(d).fill(-1);
    if (settings.sifting) {
      this.cap = Math.min(d, Math.max(2 * this.siftingColumns, this.siftingColumns + Math.max(SIFTING_MIN_COLUMNS, m)));
      this.aw = new Float64Array(this.cap * m);
      this.wCol = new Int32Array(this.cap);
    } else {
      // Every column works: the slot-major copy is Aᵀ, built once for the batch.
      this.cap = d;
      this.aw = new Float64Array(d * m);
      for (let i = 0; i < m; i++) {
        const off = i * d;
        for (let j = 0; j < d; j++) this.aw[j * m + i] = a[off + j]!;
      }
      this.wCol = Int32Array.from({ length: d }, (_, j) => j);
      for (let j = 0; j < d; j++) this.wSlot[j] = j;
      this.nW = d;
    }
    const cap = this.cap;
    this.dj = new Float64Array(2 * cap); this.basicPos = new Int32Array(2 * cap).fill(-1);
    this.alpha = new Float64Array(cap); this.gCur = new Float64Array(cap); this.stamp = new Int32Array(cap);
    this.gRef = new Float64Array(cap); this.dRef = new Float64Array(cap); this.nrm = new Float64Array(cap); this.eRef = new Float64Array(cap);
    this.score = new Float64Array(cap); this.scratch = new Float64Array(Math.max(cap, SCREEN_SAMPLE)); this.computed = new Int32Array(cap);
    if (!settings.sifting) {
      for (let j = 0; j < d; j++) {
        let v = 0;
        for (let i = 0; i < m; i++) v += this.aw[j * m + i]! ** 2;
        this.nrm[j] = Math.sqrt(v);
      }
    }
    this.head = new Int32Array(m); this.xB = new Float64Array(m); this.pi = new Float64Array(m); this.beta = new Float64Array(m);
    this.y = new Float64Array(m); this.rhs = new Float64Array(m); this.yOrig = new Float64Array(m); this.hv = new Float64Array(m);
    this.piE = new Float64Array(m);
    this.rho = new Float64Array(m); this.aq = new Float64Array(m); this.tau = new Float64Array(m);
    this.buf = new Float64Array(m); this.tmp = new Float64Array(m); this.rhoO = new Float64Array(m); this.piO = new Float64Array(m);
    this.cand = new Int32Array(Math.max(CANDIDATES_MIN, Math.ceil(CANDIDATES_PER_ROW * m)));
    this.sweepA = new Float64Array(d); this.sweepB = new Float64Array(2 * d); this.sortBuf = new Int32Array(2 * d);
    this.factor = new BasisFactor(m, this.refactorInterval + 1);
    this.column = (v, out) => {
      const off = (v >> 1) * m, aw = this.aw;
      if (v & 1) for (let i = 0; i < m; i++) out[i] = -aw[off + i]!;
      else for (let i = 0; i < m; i++) out[i] = aw[off + i]!;
      this.reflect(out);
    };
  }

  /**
   * Solve the LP for measurements `yIn` (length m); writes x (length d, zeroed by the caller)
   * and the duals, returns the status; `iterations` then holds the pivot count.
   */
  solve(yIn: Float64Array, xOut: Float64Array, piOut: Float64Array): LpStatus {
    const m = this.m;
    this.iterations = 0;
    // ‖y‖₂ without under- or overflow.
    let big = 0;
    for (let i = 0; i < m; i++) big = Math.max(big, Math.abs(yIn[i]!));
    if (big === 0) { piOut.fill(0); return 'optimal'; } // x = 0 and π = 0: yᵀπ = 0 = 1ᵀx.
    let ss = 0;
    for (let i = 0; i < m; i++) ss += (yIn[i]! / big) ** 2;
    const scale = big * Math.sqrt(ss);
    // Q = I − 2vvᵀ/vᵀv with v = ŷ + sign(ŷ₁)e₁ for ŷ = y/‖y‖ maps ŷ to −sign(ŷ₁)e₁.
    const yo = this.yOrig, hv = this.hv;
    for (let i = 0; i < m; i++) yo[i] = yIn[i]! / scale;
    const sg = yo[0]! >= 0 ? 1 : -1;
    hv.set(yo); hv[0] = hv[0]! + sg;
    let vv = 0;
    for (let i = 0; i < m; i++) vv += hv[i]! * hv[i]!;
    this.hc = 2 / vv;
    this.y.fill(0); this.y[0] = -sg;
    this.rhs.set(this.y);
    if (this.sifting) this.initialWorkingSet();
    this.restart();

    const status = this.run();
    if (status === 'infeasible') {
      // The Farkas ray w = −s·Q·ρ_r, scaled to yᵀw = 1.
      piOut.set(this.rho);
      this.reflect(piOut);
      let yw = 0;
      for (let i = 0; i < m; i++) yw += piOut[i]! * yIn[i]!;
      for (let i = 0; i < m; i++) piOut[i]! /= yw;
      return status;
    }
    piOut.set(this.pi);
    this.reflect(piOut);
    for (let p = 0; p < m; p++) {
      const h = this.head[p]!;
      if (h < 0) continue;
      const j = this.wCol[h >> 1]!, v = this.xB[p]! * scale;
      xOut[j] = xOut[j]! + (h & 1 ? -v : v);
    }
    return status;
  }

  /** x ← Q·x (length m). */
  private reflect(x: Float64Array): void {
    const m = this.m, hv = this.hv;
    let t = 0;
    for (let i = 0; i < m; i++) t += hv[i]! * x[i]!;
    t *= this.hc;
    if (t !== 0) for (let i = 0; i < m; i++) x[i]! -= t * hv[i]!;
  }

  /** The all-artificial basis B = I: x_B = rhs, π = 0, every reduced cost 1, DSE weights 1. */
  private restart(): void {
    const m = this.m;
    for (let i = 0; i < m; i++) this.head[i] = -1 - i;
    this.xB.set(this.rhs); this.pi.fill(0); this.beta.fill(1); this.betaStale = false;
    const nW = this.nW;
    this.dj.fill(1, 0, 2 * nW); this.basicPos.fill(-1, 0, 2 * nW);
    this.pathLength = 0; this.gRef.fill(0, 0, nW); this.dRef.fill(0, 0, nW); this.eRef.fill(0, 0, nW); this.piE.fill(0);
    this.factor.factor(this.head, this.column);
  }

  private run(): LpStatus {
    let confirming = false, primalPivots = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (this.primalInfeasible()) {
        // The dual simplex needs a dual feasible basis: always so but after round-off trouble.
        if (this.maxDualInfeasibility() > DUAL_FEASIBILITY_TOL) this.restart();
        if (this.betaStale) { this.beta.fill(1); this.betaStale = false; }
        const res = this.dualSimplex();
        if (res === LIMIT) return 'iteration-limit';
        if (res === INFEASIBLE) {
          if (this.nW < this.d) {
            const added = this.addRayBlockers();
            if (added !== 0) { if (added === 2) this.restart(); continue; }
          }
          // Confirm from a fresh factorisation before reporting.
          if (!confirming) { confirming = true; this.recompute(1); continue; }
          return 'infeasible';
        }
        continue;
      }
      // Primal feasible and dual feasible on W: the primal simplex prices every column and goes
      // on while any prices out negative.
      const before = this.iterations;
      const budget = this.nW < this.d ? SIFTING_PRIMAL_LIMIT * this.m - primalPivots : Infinity;
      const res = this.primalSimplex(budget);
      this.rhs.set(this.y);
      if (res === LIMIT) { this.recompute(1); return 'iteration-limit'; }
      primalPivots += this.iterations - before;
      if (res === BUDGET) {
        // Sifting is not converging (a degenerate, sparse optimum far from W's): every column
        // joins, and the dual simplex starts over.
        for (let j = 0; j < this.d; j++) if (this.wSlot[j]! < 0) { this.ensureCapacity(this.d - this.nW); this.addColumn(j, 0); }
        this.restart();
        continue;
      }
      if (this.iterations > before || res === TROUBLE) { this.recompute(1); continue; }
      // Optimal: x_B and π from a fresh factorisation with refinement, checked once more.
      this.recompute(2);
      if (this.primalInfeasible() || this.maxDualInfeasibility() > DUAL_FEASIBILITY_TOL) continue;
      for (let p = 0; p < this.m; p++) if (this.head[p]! >= 0 && this.xB[p]! < 0) this.xB[p] = 0;
      return 'optimal';
    }
    return 'iteration-limit';
  }

  // ---------------------------------------------------------------- working set (sifting)

  private ensureCapacity(extra: number): void {
    if (this.nW + extra <= this.cap) return;
    const m = this.m, n = this.nW, cap = Math.min(this.d, Math.max(n + extra, 2 * this.cap));
    const grow = <T extends Float64Array | Int32Array>(old: T, make: (len: number) => T, len: number, used: number): T => {
      const t = make(len);
      t.set(old.subarray(0, used) as never);
      return t;
    };
    const f64 = (len: number): Float64Array => new Float64Array(len), i32 = (len: number): Int32Array => new Int32Array(len);
    this.aw = grow(this.aw, f64, cap * m, n * m);
    this.wCol = grow(this.wCol, i32, cap, n);
    this.dj = grow(this.dj, f64, 2 * cap, 2 * n);
    this.basicPos = grow(this.basicPos, (len) => new Int32Array(len).fill(-1), 2 * cap, 2 * n);
    this.gRef = grow(this.gRef, f64, cap, n);
    this.dRef = grow(this.dRef, f64, cap, n);
    this.eRef = grow(this.eRef, f64, cap, n);
    this.nrm = grow(this.nrm, f64, cap, n);
    this.alpha = f64(cap); this.gCur = f64(cap); this.stamp = i32(cap);
    this.score = f64(cap); this.scratch = f64(Math.max(cap, SCREEN_SAMPLE)); this.computed = i32(cap);
    this.cap = cap;
  }

  /** Add column j to the working set; g = a_jᵀ(Q·π) (its reduced costs are 1 − g and 1 + g). */
  private addColumn(j: number, g: number): void {
    const m = this.m, d = this.d, slot = this.nW++, off = slot * m, a = this.a, aw = this.aw;
    this.wCol[slot] = j; this.wSlot[j] = slot;
    let nn = 0;
    for (let i = 0; i < m; i++) { const v = a[i * d + j]!; aw[off + i] = v; nn += v * v; }
    this.nrm[slot] = Math.sqrt(nn); this.gRef[slot] = g; this.dRef[slot] = this.pathLength; this.eRef[slot] = this.distanceFromPiE();
    this.dj[2 * slot] = 1 - g; this.dj[2 * slot + 1] = 1 + g;
    this.basicPos[2 * slot] = -1; this.basicPos[2 * slot + 1] = -1;
  }

  /** out ← Aᵀ·v over all d columns (a row-major sweep; rows with v_i = 0 skipped). */
  private sweep(v: Float64Array, out: Float64Array): void {
    const m = this.m, d = this.d, a = this.a;
    out.fill(0, 0, d);
    for (let i = 0; i < m; i++) {
      const vi = v[i]!;
      if (vi === 0) continue;
      const off = i * d;
      for (let j = 0; j < d; j++) out[j]! += vi * a[off + j]!;
    }
  }

  /** The (at most) k columns outside W with the largest positive scores. */
  private topOutside(score: Float64Array, k: number): Int32Array {
    const d = this.d, wSlot = this.wSlot, idx = this.sortBuf;
    let cnt = 0;
    for (let j = 0; j < d; j++) if (wSlot[j]! < 0 && score[j]! > 0) idx[cnt++] = j;
    const c = idx.subarray(0, cnt);
    if (cnt > k) c.sort((p, q) => score[q]! - score[p]!);
    return c.slice(0, Math.min(k, cnt));
  }

  /** Sifting's first working set: the columns most correlated with y (a_jᵀy, or |a_jᵀy| for ℓ1-min). */
  private initialWorkingSet(): void {
    for (let s = 0; s < this.nW; s++) this.wSlot[this.wCol[s]!] = -1;
    this.nW = 0;
    const g = this.sweepA, d = this.d, k = this.siftingColumns;
    this.sweep(this.yOrig, g);
    if (this.free) for (let j = 0; j < d; j++) g[j] = Math.abs(g[j]!);
    const chosen = this.topOutside(g, k);
    this.ensureCapacity(k);
    for (const j of chosen) this.addColumn(j, 0);
    // Too few correlated columns (pos): fill up with others.
    for (let j = 0; j < d && this.nW < k; j++) if (this.wSlot[j]! < 0) this.addColumn(j, 0);
  }

  /** Columns added per sifting round. */
  private addCount(): number {
    return Math.max(SIFTING_MIN_COLUMNS, this.m);
  }

  /**
   * Sifting round: price every column with π and add the most negative outside W. Returns
   * whether any was added.
   */
  private addPricedColumns(): boolean {
    const g = this.sweepA, d = this.d, score = this.sweepB, u = this.tmp;
    u.set(this.pi); this.reflect(u); this.sweep(u, g);
    for (let j = 0; j < d; j++) {
      const v = -Math.min(1 - g[j]!, this.free ? 1 + g[j]! : Infinity);
      score[j] = v > DUAL_FEASIBILITY_TOL ? v : 0;
    }
    const chosen = this.topOutside(score, this.addCount());
    this.ensureCapacity(chosen.length);
    for (const j of chosen) this.addColumn(j, g[j]!);
    return chosen.length > 0;
  }

  /**
   * W's LP is infeasible along the dual ray −s·ρ_r. Add the columns outside W that block the ray:
   * those with reduced cost ≥ 0 (smallest ratio first) keep the basis dual feasible — returns
   * 1; if every blocker prices out negative, the best by |α| join and the caller restarts from
   * B = I — returns 2; none anywhere (the ray is a certificate for all of A) — returns 0.
   */
  private addRayBlockers(): number {
    const d = this.d, s = this.raySign, al = this.sweepA, g = this.sweepB, u = this.tmp;
    u.set(this.rho); this.reflect(u); this.sweep(u, al);
    u.set(this.pi); this.reflect(u); this.sweep(u, g);
    const score = new Float64Array(d), fallback = new Float64Array(d);
    let feasible = 0, blocking = 0;
    for (let j = 0; j < d; j++) {
      if (this.wSlot[j]! >= 0) continue;
      const sa = s * al[j]!, dPlus = 1 - g[j]!, dMinus = 1 + g[j]!;
      // The variable that blocks: a_j when s·α < 0, −a_j (ℓ1-min) when s·α > 0.
      let ratio: number;
      if (sa < -RATIO_PIVOT_TOL) ratio = Math.max(dPlus, 0) / -sa;
      else if (this.free && sa > RATIO_PIVOT_TOL) ratio = Math.max(dMinus, 0) / sa;
      else continue;
      blocking++;
      fallback[j] = Math.abs(al[j]!);
      // Joining keeps W dual feasible only if all the column's variables price out ≥ 0.
      if (dPlus >= -DUAL_FEASIBILITY_TOL && (!this.free || dMinus >= -DUAL_FEASIBILITY_TOL)) { score[j] = 1 / (1 + ratio); feasible++; }
    }
    if (blocking === 0) return 0;
    const chosen = this.topOutside(feasible > 0 ? score : fallback, this.addCount());
    this.ensureCapacity(chosen.length);
    for (const j of chosen) this.addColumn(j, g[j]!);
    return feasible > 0 ? 1 : 2;
  }

  // ---------------------------------------------------------------- basis bookkeeping

  /**
   * Refactor, then recompute x_B = B⁻¹·rhs (with `refine` steps of iterative refinement), π
   * (likewise) and, with `refresh`, the reduced costs over W — without, π's jump is added to
   * the path length instead, which keeps the screening bounds valid.
   */
  private recompute(refine: number, refresh = true): void {
    const m = this.m, xB = this.xB, buf = this.buf, aw = this.aw, t = this.tmp, head = this.head;
    const removed = this.factor.factor(head, this.column);
    for (const v of removed) this.basicPos[v] = -1;
    for (let p = 0; p < m; p++) { const h = head[p]!; if (h >= 0) this.basicPos[h] = p; }
    xB.set(this.rhs);
    this.factor.ftran(xB);
    for (let it = 0; it < refine; it++) {
      // r = rhs − B·x_B (the structural part summed untransformed, then Q), x_B += B⁻¹r.
      buf.set(this.rhs);
      t.fill(0);
      for (let p = 0; p < m; p++) {
        const h = head[p]!, v = xB[p]!;
        if (v === 0) continue;
        if (h < 0) { buf[-1 - h]! -= v; continue; }
        const off = (h >> 1) * m, sv = h & 1 ? -v : v;
        for (let i = 0; i < m; i++) t[i]! += sv * aw[off + i]!;
      }
      this.reflect(t);
      for (let i = 0; i < m; i++) buf[i]! -= t[i]!;
      this.factor.ftran(buf);
      for (let p = 0; p < m; p++) xB[p]! += buf[p]!;
    }
    // π = B⁻ᵀc_B (c = 1 on structurals, 0 on artificials), refined likewise.
    const pi = this.pi, po = this.piO;
    const old = refresh ? undefined : Float64Array.from(pi);
    for (let p = 0; p < m; p++) pi[p] = head[p]! >= 0 ? 1 : 0;
    this.factor.btran(pi);
    for (let it = 0; it < refine; it++) {
      po.set(pi); this.reflect(po);
      for (let p = 0; p < m; p++) {
        const h = head[p]!;
        if (h < 0) { buf[p] = -pi[-1 - h]!; continue; }
        const off = (h >> 1) * m;
        let v = 0;
        for (let i = 0; i < m; i++) v += aw[off + i]! * po[i]!;
        buf[p] = 1 - (h & 1 ? -v : v);
      }
      this.factor.btran(buf);
      for (let i = 0; i < m; i++) pi[i]! += buf[i]!;
    }
    if (old) {
      let jump = 0;
      for (let i = 0; i < m; i++) jump += (pi[i]! - old[i]!) ** 2;
      this.pathLength += Math.sqrt(jump);
    } else this.refreshReducedCosts();
  }

  /** Exact reduced costs over W from π, and fresh screening references. */
  private refreshReducedCosts(): void {
    const m = this.m, po = this.piO, aw = this.aw, dj = this.dj, bp = this.basicPos, D = this.pathLength;
    po.set(this.pi); this.reflect(po);
    this.piE.set(this.pi);
    for (let s = 0; s < this.nW; s++) {
      const off = s * m;
      let v0 = 0, v1 = 0, i = 0;
      for (; i + 1 < m; i += 2) { v0 += po[i]! * aw[off + i]!; v1 += po[i + 1]! * aw[off + i + 1]!; }
      if (i < m) v0 += po[i]! * aw[off + i]!;
      const g = v0 + v1;
      this.gRef[s] = g; this.dRef[s] = D; this.eRef[s] = 0;
      dj[2 * s] = bp[2 * s]! >= 0 ? 0 : 1 - g;
      dj[2 * s + 1] = bp[2 * s + 1]! >= 0 ? 0 : 1 + g;
    }
  }

  private primalInfeasible(): boolean {
    const xB = this.xB, head = this.head;
    for (let p = 0; p < this.m; p++) {
      const v = xB[p]!;
      if (head[p]! < 0 ? Math.abs(v) > PRIMAL_FEASIBILITY_TOL : v < -PRIMAL_FEASIBILITY_TOL) return true;
    }
    return false;
  }

  /** The most negative reduced cost over W's nonbasic variables (as a positive number; 0 if none). */
  private maxDualInfeasibility(): number {
    let worst = 0;
    const nv = this.free ? 2 : 1;
    for (let s = 0; s < this.nW; s++) {
      for (let k = 0; k < nv; k++) {
        const v = 2 * s + k;
        if (this.basicPos[v]! < 0) worst = Math.max(worst, -this.dj[v]!);
      }
    }
    return worst;
  }

  /** ‖π − π_E‖. */
  private distanceFromPiE(): number {
    let v = 0;
    for (let i = 0; i < this.m; i++) v += (this.pi[i]! - this.piE[i]!) ** 2;
    return Math.sqrt(v);
  }

  /** rho ← B⁻ᵀe_r. */
  private btranUnit(r: number): void {
    this.rho.fill(0);
    this.rho[r] = 1;
    this.factor.btran(this.rho);
  }

  // ---------------------------------------------------------------- dual simplex

  /**
   * The dual simplex on W from a dual feasible basis. Returns OPTIMAL (primal feasible),
   * INFEASIBLE (a dual ray: raySign and ρ set) or LIMIT.
   */
  private dualSimplex(): number {
    const m = this.m, xB = this.xB, head = this.head, beta = this.beta, rho = this.rho, aq = this.aq, pi = this.pi;
    const free = this.free, dj = this.dj, bp = this.basicPos;
    const alpha = this.alpha, gCur = this.gCur, gRef = this.gRef, dRef = this.dRef, nrm = this.nrm, stamp = this.stamp;
    const sc = this.score, list = this.computed, rhoO = this.rhoO, piO = this.piO;
    let retries = 0;
    for (;;) {
      if (this.iterations >= this.maxIterations) { this.refreshReducedCosts(); return LIMIT; }
      if (this.factor.nEta >= this.refactorInterval) this.recompute(1, false);
      // Pricing: the leaving row, largest infeasibility² / β.
      let r = -1, best = 0;
      for (let p = 0; p < m; p++) {
        const v = xB[p]!;
        const inf = head[p]! < 0 ? Math.abs(v) : -v;
        if (inf > PRIMAL_FEASIBILITY_TOL) {
          const score = inf * inf / beta[p]!;
          if (score > best) { best = score; r = p; }
        }
      }
      if (r < 0) { this.refreshReducedCosts(); return OPTIMAL; }
      // s = +1: x_r < 0 (it leaves at its lower bound 0); s = −1: an artificial > 0 (leaves at its upper bound 0).
      const s = xB[r]! < 0 ? 1 : -1;
      this.btranUnit(r);
      let rn = 0;
      for (let i = 0; i < m; i++) rn += rho[i]! * rho[i]!;
      rn = Math.sqrt(rn);
      rhoO.set(rho); this.reflect(rhoO);
      piO.set(pi); this.reflect(piO);
      // Screening bounds: a nonbasic variable's ratio (dj + tol)/|α_j| is ≥ sc_j/‖ρ‖.
      const nW = this.nW, epoch = ++this.epoch, D = this.pathLength, disp = this.distanceFromPiE(), eRef = this.eRef;
      for (let w = 0; w < nW; w++) {
        const bPlus = bp[2 * w]! >= 0, bMinus = !free || bp[2 * w + 1]! >= 0;
        if (bPlus && bMinus) { sc[w] = Infinity; continue; }
        const g = gRef[w]!;
        let lb = bPlus ? Infinity : 1 - g;
        if (!bMinus) lb = Math.min(lb, 1 + g);
        const drift = Math.min(D - dRef[w]!, disp + eRef[w]!);
        sc[w] = (lb - nrm[w]! * drift * SCREEN_SAFETY + DUAL_FEASIBILITY_TOL) / nrm[w]!;
      }
      let threshold = Infinity;
      if (nW > SCREEN_SAMPLE) {
        const step = nW / SCREEN_SAMPLE, smp = this.scratch;
        for (let c = 0; c < SCREEN_SAMPLE; c++) smp[c] = sc[Math.floor(c * step)]!;
        threshold = kthSmallest(smp, SCREEN_SAMPLE, Math.max(1, Math.round(SCREEN_FRACTION * SCREEN_SAMPLE)));
      }
      // Pass A prices the columns below the threshold, pass B every other one whose bound does not
      // exceed the Harris bound θmax so far (θmax only falls, so one sweep suffices).
      let nList = 0, thetaMax = Infinity;
      for (let pass = 0; pass < 2; pass++) {
        for (let w = 0; w < nW; w++) {
          const scw = sc[w]!;
          if (scw === Infinity || stamp[w] === epoch) continue;
          if (pass === 0 ? scw > threshold : scw > thetaMax * rn) continue;
          const off = w * m, aw = this.aw;
          let a0 = 0, a1 = 0, g0 = 0, g1 = 0, i = 0;
          for (; i + 1 < m; i += 2) {
            const v0 = aw[off + i]!, v1 = aw[off + i + 1]!;
            a0 += rhoO[i]! * v0; a1 += rhoO[i + 1]! * v1; g0 += piO[i]! * v0; g1 += piO[i + 1]! * v1;
          }
          if (i < m) { const v = aw[off + i]!; a0 += rhoO[i]! * v; g0 += piO[i]! * v; }
          const al = a0 + a1, g = g0 + g1;
          alpha[w] = al; gCur[w] = g; stamp[w] = epoch; list[nList++] = w;
          // Harris pass 1: a variable at 0 blocks when s·α < 0 (dj + t·s·α must stay ≥ 0).
          const sa = s * al;
          if (sa < -RATIO_PIVOT_TOL) { if (bp[2 * w]! < 0) thetaMax = Math.min(thetaMax, (1 - g + DUAL_FEASIBILITY_TOL) / -sa); }
          else if (free && sa > RATIO_PIVOT_TOL && bp[2 * w + 1]! < 0) thetaMax = Math.min(thetaMax, (1 + g + DUAL_FEASIBILITY_TOL) / sa);
        }
      }
      if (thetaMax === Infinity) {
        // A ray: pass B priced every column, none blocks.
        this.raySign = s;
        this.refreshReducedCosts();
        return INFEASIBLE;
      }
      // Harris pass 2: the largest |α| among the ratios ≤ θmax.
      let q = -1, bestAbs = 0;
      for (let c = 0; c < nList; c++) {
        const w = list[c]!, sa = s * alpha[w]!, g = gCur[w]!;
        if (sa < -RATIO_PIVOT_TOL) {
          if (bp[2 * w]! < 0 && (1 - g) / -sa <= thetaMax && -sa > bestAbs) { bestAbs = -sa; q = 2 * w; }
        } else if (free && sa > RATIO_PIVOT_TOL && bp[2 * w + 1]! < 0 && (1 + g) / sa <= thetaMax && sa > bestAbs) { bestAbs = sa; q = 2 * w + 1; }
      }
      const alphaQ = q & 1 ? -alpha[q >> 1]! : alpha[q >> 1]!; // α_rq of the entering variable
      const djQ = q & 1 ? 1 + gCur[q >> 1]! : 1 - gCur[q >> 1]!;
      const t = Math.max(0, djQ / (-s * alphaQ)); // the dual step
      // FTRAN of the entering column; check its pivot against the row.
      this.column(q, aq);
      this.factor.ftran(aq);
      const pivot = aq[r]!;
      if (Math.abs(pivot - alphaQ) > PIVOT_AGREEMENT_TOL * (1 + Math.abs(pivot)) && this.factor.nEta > 0 && retries < 3) {
        retries++;
        this.recompute(1, false);
        continue;
      }
      retries = 0;
      if (this.dse) { this.tau.set(rho); this.factor.ftran(this.tau); }
      // Dual update: π ← π − t·s·ρ; the exactly priced columns get πᵀa_j − t·s·α_j.
      const ts = t * s, dNew = D + t * rn;
      if (t > 0) for (let i = 0; i < m; i++) pi[i]! -= ts * rho[i]!;
      for (let c = 0; c < nList; c++) {
        const w = list[c]!, g = gCur[w]! - ts * alpha[w]!;
        gRef[w] = g; dRef[w] = dNew;
        dj[2 * w] = bp[2 * w]! >= 0 ? 0 : 1 - g;
        dj[2 * w + 1] = bp[2 * w + 1]! >= 0 ? 0 : 1 + g;
      }
      this.pathLength = dNew;
      const eNew = this.distanceFromPiE();
      for (let c = 0; c < nList; c++) eRef[list[c]!] = eNew;
      // Primal update: the leaving variable goes to its bound 0, the entering one to θ_p = x_r/α_rq.
      const thetaP = xB[r]! / pivot;
      for (let i = 0; i < m; i++) xB[i]! -= thetaP * aq[i]!;
      xB[r] = thetaP;
      if (this.dse) {
        // β_i ← β_i − 2(α_i/α_r)τ_i + (α_i/α_r)²β_r, β_r ← β_r/α_r² (Forrest & Goldfarb 1992).
        const tau = this.tau;
        for (let i = 0; i < m; i++) {
          if (i === r) continue;
          const ratio = aq[i]! / pivot;
          if (ratio === 0) continue;
          beta[i] = Math.max(beta[i]! + ratio * (ratio * rn * rn - 2 * tau[i]!), 1e-12);
        }
        beta[r] = Math.max(rn * rn / (pivot * pivot), 1e-12);
      }
      // Basis change. A leaving structural keeps dj = s·t = t ≥ 0 (it leaves at 0).
      const leaving = head[r]!;
      if (leaving >= 0) {
        bp[leaving] = -1;
        dj[leaving] = s * t;
        gRef[leaving >> 1] = leaving & 1 ? s * t - 1 : 1 - s * t; dRef[leaving >> 1] = dNew; eRef[leaving >> 1] = eNew;
      }
      head[r] = q;
      bp[q] = r;
      dj[q] = 0;
      this.factor.addEta(r, aq);
      this.iterations++;
      // Many exact prices: the bounds have gone slack, refresh them all.
      if (nW > SCREEN_SAMPLE && nList > SCREEN_REFRESH * nW) this.refreshReducedCosts();
    }
  }

  // ---------------------------------------------------------------- primal simplex

  /**
   * The primal simplex from a primal feasible basis that is dual feasible on W: π = B⁻ᵀc_B each
   * iteration; multiple pricing (Orchard-Hays, "Advanced Linear-Programming Computing
   * Techniques", 1968; Maros 2003): a pass over W keeps its most negative reduced costs as
   * candidates, the next iterations price only those (the most negative enters) until none is
   * left; when W has none, a sifting round prices all d columns and the most negative join W.
   * FTRAN; Harris's ratio test. The right-hand side is perturbed before the first pivot
   * ({@link perturb}); the caller restores it. Returns OPTIMAL once no column prices out
   * negative, LIMIT, BUDGET (`budget` pivots made), or TROUBLE (round-off made the LP look
   * unbounded).
   */
  private primalSimplex(budget: number): number {
    // (this.aw and this.basicPos are reallocated when W grows: not cached here.)
    const m = this.m, xB = this.xB, head = this.head, aq = this.aq, pi = this.pi, piO = this.piO, cand = this.cand;
    let perturbed = false, nCand = 0, pivots = 0;
    for (;;) {
      if (this.factor.nEta >= this.refactorInterval) this.recompute(0);
      for (let p = 0; p < m; p++) pi[p] = head[p]! >= 0 ? 1 : 0;
      this.factor.btran(pi);
      piO.set(pi); this.reflect(piO);
      // Price the candidates.
      let q = -1, best = -DUAL_FEASIBILITY_TOL;
      for (let c = 0; c < nCand; c++) {
        const v = cand[c]!;
        if (this.basicPos[v]! >= 0) continue;
        const off = (v >> 1) * m, aw = this.aw;
        let g0 = 0, g1 = 0, i = 0;
        for (; i + 1 < m; i += 2) { g0 += piO[i]! * aw[off + i]!; g1 += piO[i + 1]! * aw[off + i + 1]!; }
        if (i < m) g0 += piO[i]! * aw[off + i]!;
        const dv = v & 1 ? 1 + g0 + g1 : 1 - g0 - g1;
        if (dv < best) { best = dv; q = v; }
      }
      if (q < 0) {
        nCand = this.candidatesFromW();
        if (nCand === 0) {
          if (!this.sifting || this.nW >= this.d || !this.addPricedColumns()) return OPTIMAL;
          nCand = this.candidatesFromW();
        }
        continue;
      }
      if (this.iterations >= this.maxIterations) return LIMIT;
      if (pivots >= budget) return BUDGET;
      if (!perturbed) { this.perturb(); perturbed = true; }
      this.column(q, aq);
      this.factor.ftran(aq);
      // Harris ratio test over the basic variables (structurals ≥ 0, artificials = 0).
      let thetaMax = Infinity;
      for (let p = 0; p < m; p++) {
        const al = aq[p]!, x = xB[p]!;
        if (al > RATIO_PIVOT_TOL) thetaMax = Math.min(thetaMax, (x + PRIMAL_FEASIBILITY_TOL) / al);
        else if (al < -RATIO_PIVOT_TOL && head[p]! < 0) thetaMax = Math.min(thetaMax, (PRIMAL_FEASIBILITY_TOL - x) / -al);
      }
      if (thetaMax === Infinity) return TROUBLE;
      let r = -1, bestAbs = 0;
      for (let p = 0; p < m; p++) {
        const al = aq[p]!;
        if (!(al > RATIO_PIVOT_TOL || (al < -RATIO_PIVOT_TOL && head[p]! < 0))) continue;
        if (xB[p]! / al <= thetaMax && Math.abs(al) > bestAbs) { bestAbs = Math.abs(al); r = p; }
      }
      if (r < 0) return TROUBLE;
      const theta = Math.max(0, xB[r]! / aq[r]!);
      for (let p = 0; p < m; p++) xB[p]! -= theta * aq[p]!;
      xB[r] = theta;
      const leaving = head[r]!;
      if (leaving >= 0) this.basicPos[leaving] = -1;
      head[r] = q;
      this.basicPos[q] = r;
      this.factor.addEta(r, aq);
      this.iterations++;
      pivots++;
      this.betaStale = true;
    }
  }

  /**
   * Price W with π (into dj) and keep its most negative nonbasic variables as candidates.
   * Returns how many.
   */
  private candidatesFromW(): number {
    const m = this.m, aw = this.aw, po = this.piO, dj = this.dj, bp = this.basicPos, nv = this.free ? 2 : 1;
    const score = this.sweepB, idx = this.sortBuf;
    let cnt = 0;
    for (let s = 0; s < this.nW; s++) {
      const off = s * m;
      let v0 = 0, v1 = 0, i = 0;
      for (; i + 1 < m; i += 2) { v0 += po[i]! * aw[off + i]!; v1 += po[i + 1]! * aw[off + i + 1]!; }
      if (i < m) v0 += po[i]! * aw[off + i]!;
      const g = v0 + v1;
      dj[2 * s] = bp[2 * s]! >= 0 ? 0 : 1 - g;
      dj[2 * s + 1] = bp[2 * s + 1]! >= 0 ? 0 : 1 + g;
      for (let k = 0; k < nv; k++) {
        const v = 2 * s + k;
        if (dj[v]! < -DUAL_FEASIBILITY_TOL) { score[v] = -dj[v]!; idx[cnt++] = v; }
      }
    }
    const chosen = idx.subarray(0, cnt);
    if (cnt > this.cand.length) chosen.sort((p, q) => score[q]! - score[p]!);
    const n = Math.min(this.cand.length, cnt);
    this.cand.set(chosen.subarray(0, n));
    return n;
  }

  /**
   * Against primal degeneracy (basic structurals at 0, where Dantzig's rule stalls): move every
   * basic structural up by a random ε ∈ [δ, 2δ], i.e. solve for rhs + Σ ε_p·B_p — the RHS
   * perturbation of practical simplex codes (Maros 2003). Artificials stay at 0.
   */
  private perturb(): void {
    const m = this.m, aw = this.aw, t = this.tmp;
    t.fill(0);
    for (let p = 0; p < m; p++) {
      const h = this.head[p]!;
      if (h < 0) continue;
      const eps = PERTURBATION * (1 + this.random());
      this.xB[p]! += eps;
      const off = (h >> 1) * m, se = h & 1 ? -eps : eps;
      for (let i = 0; i < m; i++) t[i]! += se * aw[off + i]!;
    }
    this.reflect(t);
    for (let i = 0; i < m; i++) this.rhs[i]! += t[i]!;
  }

  /** Uniform in [0, 1) by xorshift32 (Marsaglia, "Xorshift RNGs", J. Stat. Softw. 8, 2003). */
  private random(): number {
    let x = this.randomState;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    this.randomState = x >>> 0;
    return this.randomState / 4294967296;
  }
}
