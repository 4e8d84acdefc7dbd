/**
 * Sparse codes over a dictionary and dictionary learning, for the Deep ℓ0 encoders (deep_l0.ts;
 * Wang, Ling & Huang, "Learning Deep ℓ0 Encoders", AAAI 2016) and their Tables 1–3 experiment.
 * A dictionary D is `dim × atoms` (row-major Float64, one atom per column, unit-norm atoms); the
 * codes come from the fixed-step IHT of src/sensing/iht.ts (`batchIht`).
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { type Csr } from '../data/csr.js';
import { batchIht, type SparseRule } from '../sensing/iht.js';
import { Rng } from '../util/rng.js';
import { InvalidArgumentError } from '../errors.js';

/** ‖x − D·z‖² per row of `signals` (n × dim) for codes (n × atoms). */
export function reconstructionErrors(signals: Csr, dict: Float64Array, atoms: number, codes: Float64Array): Float64Array {
  const dim = signals.nCols, p = atoms, out = new Float64Array(signals.nRows);
  const rec = new Float64Array(dim);
  for (let r = 0; r < signals.nRows; r++) {
    rec.fill(0);
    for (let a = 0; a < p; a++) {
      const za = codes[r * p + a]!;
      if (za === 0) continue;
      for (let i = 0; i < dim; i++) rec[i]! += dict[i * p + a]! * za;
    }
    for (let q = signals.rowPtr[r]!, e = signals.rowPtr[r + 1]!; q < e; q++) rec[signals.indices[q]!]! -= signals.values[q]!;
    let s = 0;
    for (let i = 0; i < dim; i++) s += rec[i]! ** 2;
    out[r] = s;
  }
  return out;
}

/** The mean ℓ0-regularised objective ‖x − Dz‖² + λ‖z‖₀ over the rows. */
export function l0Objective(signals: Csr, dict: Float64Array, atoms: number, codes: Float64Array, lambda: number): number {
  const err = reconstructionErrors(signals, dict, atoms, codes);
  let s = 0, nz = 0;
  for (const e of err) s += e;
  for (const c of codes) if (c !== 0) nz++;
  return signals.nRows ? (s + lambda * nz) / signals.nRows : 0;
}

/** Settings of {@link learnDictionary}. */
export interface DictionaryLearningOptions {
  readonly atoms: number;
  readonly rule: SparseRule;
  /** Alternations of sparse coding and the dictionary update. */
  readonly rounds: number;
  /** IHT iterations per coding step (warm-started from the previous round's codes). */
  readonly ihtIterations: number;
  readonly seed: number;
  /** A starting dictionary (dim × atoms); default: `atoms` distinct random signals, normalised. */
  readonly init?: Float64Array;
}

/** The learned dictionary (dim × atoms, unit-norm atoms), its codes, and the mean ‖x − Dz‖² after every round. */
export interface LearnedDictionary {
  readonly dict: Float64Array;
  readonly codes: Float64Array;
  readonly step: number;
  readonly errors: number[];
}

/** Scale every column of a dim × atoms matrix to unit norm; a zero column gets a replacement from `refill`. */
function normalizeAtoms(dict: Float64Array, dim: number, atoms: number, refill: (a: number) => void): void {
  for (let a = 0; a < atoms; a++) {
    let s = 0;
    for (let i = 0; i < dim; i++) s += dict[i * atoms + a]! ** 2;
    if (!(s > 1e-20)) { refill(a); s = 0; for (let i = 0; i < dim; i++) s += dict[i * atoms + a]! ** 2; }
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let i = 0; i < dim; i++) dict[i * atoms + a]! *= inv;
  }
}

/**
 * Dictionary learning by alternating IHT codes (the rule's ℓ0 problem) and the MOD update
 * (Engan, Aase & Husøy, "Method of optimal directions for frame design", ICASSP 1999):
 * D ← X·Zᵀ(Z·Zᵀ + εI)⁻¹, then unit-norm atoms; an atom no code uses is replaced by a random
 * signal (seeded). Deterministic for a seed.
 */
export function learnDictionary(signals: Csr, opts: DictionaryLearningOptions): LearnedDictionary {
  const dim = signals.nCols, n = signals.nRows, p = opts.atoms;
  if (!(Number.isInteger(p) && p > 0)) throw new InvalidArgumentError('learnDictionary', `learnDictionary(): atoms must be a positive integer but got ${p}`);
  const rng = new Rng(opts.seed);
  const nonEmpty: number[] = [];
  for (let r = 0; r < n; r++) if (signals.rowPtr[r + 1]! > signals.rowPtr[r]!) nonEmpty.push(r);
  const setAtomFromSignal = (d: Float64Array, a: number): void => {
    for (let i = 0; i < dim; i++) d[i * p + a] = 0;
    if (nonEmpty.length === 0) { for (let i = 0; i < dim; i++) d[i * p + a] = rng.normal(); return; }
    const r = nonEmpty[rng.int(nonEmpty.length)]!;
    for (let q = signals.rowPtr[r]!, e = signals.rowPtr[r + 1]!; q < e; q++) d[signals.indices[q]! * p + a] = signals.values[q]! + 1e-3 * rng.normal();
  };
  let dict: Float64Array;
  if (opts.init) {
    if (opts.init.length !== dim * p) throw new InvalidArgumentError('learnDictionary', `learnDictionary(): init must have ${dim} × ${p} entries but has ${opts.init.length}`);
    dict = Float64Array.from(opts.init);
  } else {
    dict = new Float64Array(dim * p);
    const order = Int32Array.from(nonEmpty);
    rng.shuffle(order);
    for (let a = 0; a < p; a++) {
      if (a < order.length) {
        const r = order[a]!;
        for (let q = signals.rowPtr[r]!, e = signals.rowPtr[r + 1]!; q < e; q++) dict[signals.indices[q]! * p + a] = signals.values[q]!;
      } else {
        for (let i = 0; i < dim; i++) dict[i * p + a] = rng.normal();
      }
    }
  }
  normalizeAtoms(dict, dim, p, (a) => setAtomFromSignal(dict, a));
  let codes: Float64Array | undefined;
  const errors: number[] = [];
  for (let round = 0; round < opts.rounds; round++) {
    codes = batchIht(signals, dict, p, { rule: opts.rule, iterations: opts.ihtIterations, tol: 1e-6, ...(codes ? { init: codes } : {}) }).codes;
    // MOD: A = Z·Zᵀ + εI (p × p), B = X·Zᵀ (dim × p); D = B·A⁻¹, i.e. Dᵀ = A⁻¹·Bᵀ.
    const a = new Float64Array(p * p), bT = new Float64Array(p * dim);
    const nzIdx = new Int32Array(p);
    for (let r = 0; r < n; r++) {
      const off = r * p;
      let nz = 0;
      for (let k = 0; k < p; k++) if (codes[off + k] !== 0) nzIdx[nz++] = k;
      for (let s = 0; s < nz; s++) {
        const k = nzIdx[s]!, zk = codes[off + k]!;
        for (let t = 0; t < nz; t++) a[k * p + nzIdx[t]!]! += zk * codes[off + nzIdx[t]!]!;
        for (let q = signals.rowPtr[r]!, e = signals.rowPtr[r + 1]!; q < e; q++) bT[k * dim + signals.indices[q]!]! += zk * signals.values[q]!;
      }
    }
    let trace = 0;
    for (let k = 0; k < p; k++) trace += a[k * p + k]!;
    const eps = 1e-8 * Math.max(trace / p, 1e-12);
    const unused: number[] = [];
    for (let k = 0; k < p; k++) { if (a[k * p + k] === 0) unused.push(k); a[k * p + k]! += eps; }
    const chol = new CholeskyDecomposition(new Matrix(Array.from({ length: p }, (_, k) => Array.from(a.subarray(k * p, (k + 1) * p)))));
    if (chol.isPositiveDefinite()) {
      const sol = chol.solve(new Matrix(Array.from({ length: p }, (_, k) => Array.from(bT.subarray(k * dim, (k + 1) * dim))))); // p × dim = Dᵀ
      for (let k = 0; k < p; k++) for (let i = 0; i < dim; i++) dict[i * p + k] = sol.get(k, i);
    }
    // The MOD objective (before the atoms are rescaled, which the next coding step absorbs).
    errors.push(reconstructionErrors(signals, dict, p, codes).reduce((s, v) => s + v, 0) / Math.max(1, n));
    for (const k of unused) setAtomFromSignal(dict, k);
    normalizeAtoms(dict, dim, p, (k) => setAtomFromSignal(dict, k));
  }
  // The final codes over the final dictionary.
  const final = batchIht(signals, dict, p, { rule: opts.rule, iterations: opts.ihtIterations, tol: 1e-6, ...(codes ? { init: codes } : {}) });
  return { dict, codes: final.codes, step: final.step, errors };
}
