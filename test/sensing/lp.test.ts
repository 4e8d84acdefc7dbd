import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { luFactor, luSolve, luSolveTransposed } from '../../src/sensing/dense_lu.js';
import { l1Min, l1MinPos, type L1MinOptions, type L1MinResult } from '../../src/sensing/lp.js';
import { Rng } from '../../src/util/rng.js';

/** A (m × d, row-major) with N(0, 1/m) entries. */
function gaussian(m: number, d: number, rng: Rng): Float64Array {
  const s = 1 / Math.sqrt(m);
  return Float64Array.from({ length: m * d }, () => rng.normal() * s);
}

/** n k-sparse points (n × d): non-negative (|N(0,1)|) or signed, unit ℓ2 norm. */
function sparsePoints(n: number, d: number, k: number, signed: boolean, rng: Rng): Float64Array {
  const x = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    const idx = rng.shuffle(Array.from({ length: d }, (_, i) => i)).slice(0, k);
    let nn = 0;
    for (const i of idx) { const v = signed ? rng.normal() : Math.abs(rng.normal()); x[r * d + i] = v; nn += v * v; }
    for (const i of idx) x[r * d + i]! /= Math.sqrt(nn);
  }
  return x;
}

/** Y = X·Aᵀ (n × m). */
function measure(a: Float64Array, m: number, d: number, x: Float64Array, n: number): Float64Array {
  const y = new Float64Array(n * m);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += a[i * d + j]! * x[r * d + j]!;
      y[r * m + i] = s;
    }
  }
  return y;
}

const row = (v: Float64Array, r: number, len: number): Float64Array => v.subarray(r * len, (r + 1) * len);
const norm = (v: ArrayLike<number>): number => { let s = 0; for (let i = 0; i < v.length; i++) s += v[i]! ** 2; return Math.sqrt(s); };
const dist = (u: ArrayLike<number>, v: ArrayLike<number>): number => { let s = 0; for (let i = 0; i < u.length; i++) s += (u[i]! - v[i]!) ** 2; return Math.sqrt(s); };

/**
 * Check point r of an ℓ1-min (pos) result against the LP optimality conditions: A·x̂ = y,
 * x̂ ≥ 0 (pos), Aᵀπ ≤ 1 (pos) or |Aᵀπ| ≤ 1 (free), and yᵀπ = 1ᵀx̂ (= ‖x̂‖₁): a certificate.
 */
function assertCertificate(a: Float64Array, m: number, d: number, y: Float64Array, res: L1MinResult, r: number, free: boolean): void {
  assert.equal(res.status[r], 'optimal');
  const x = row(res.x, r, d), pi = row(res.duals, r, m), yr = row(y, r, m);
  const ax = measure(a, m, d, x, 1);
  assert.ok(dist(ax, yr) <= 1e-9 * Math.max(1, norm(yr)), `primal residual ${dist(ax, yr)}`);
  let l1 = 0;
  for (let j = 0; j < d; j++) {
    if (!free) assert.ok(x[j]! >= 0, `x[${j}] = ${x[j]} < 0`);
    l1 += Math.abs(x[j]!);
    let g = 0;
    for (let i = 0; i < m; i++) g += a[i * d + j]! * pi[i]!;
    assert.ok((free ? Math.abs(g) : g) <= 1 + 1e-9, `dual infeasible at column ${j}: a_jᵀπ = ${g}`);
  }
  let ypi = 0;
  for (let i = 0; i < m; i++) ypi += yr[i]! * pi[i]!;
  assert.ok(Math.abs(ypi - l1) <= 1e-8 * Math.max(1, l1), `duality gap: yᵀπ = ${ypi}, ‖x̂‖₁ = ${l1}`);
  assert.ok(Math.abs(res.objective[r]! - l1) <= 1e-12 * Math.max(1, l1));
}

test('hand-computed 2 × 4 problem', () => {
  // A = [1 0 1  2]     pos, y = (2, 3): the rows sum to x1 + x2 + 2x3 + x4 = 5, so
  //     [0 1 1 −1]     1ᵀx = 5 − x3, and x3 ≤ 2 (row 1): x = (0, 1, 2, 0), 1ᵀx = 3, unique
  // (x4 > 0 or x1 > 0 lowers x3). Dual: max 2π1 + 3π2 s.t. Aᵀπ ≤ 1; basis {x2, x3} gives π2 = 1,
  // π1 + π2 = 1 ⇒ π = (0, 1), yᵀπ = 3.
  // free, y = (2, 1): dual max 2π1 + π2 s.t. |π1|, |π2|, |π1 + π2|, |2π1 − π2| ≤ 1 is optimal at the
  // vertex π1 + π2 = 1, 2π1 − π2 = 1 ⇒ π = (2/3, 1/3), yᵀπ = 5/3, the other two constraints
  // strict; so x is supported on columns 3 and 4: x3 + 2x4 = 2, x3 − x4 = 1 ⇒ x = (0, 0, 4/3, 1/3).
  const a = Float64Array.from([1, 0, 1, 2, 0, 1, 1, -1]);
  const pos = l1MinPos(a, 2, 4, Float64Array.from([2, 3]), 1);
  assert.deepEqual(pos.status, ['optimal']);
  assert.ok(dist(pos.x, [0, 1, 2, 0]) < 1e-14, `${pos.x}`);
  assert.ok(dist(pos.duals, [0, 1]) < 1e-14, `${pos.duals}`);
  assert.ok(Math.abs(pos.objective[0]! - 3) < 1e-14);
  const free = l1Min(a, 2, 4, Float64Array.from([2, 1]), 1);
  assert.deepEqual(free.status, ['optimal']);
  assert.ok(dist(free.x, [0, 0, 4 / 3, 1 / 3]) < 1e-14, `${free.x}`);
  assert.ok(dist(free.duals, [2 / 3, 1 / 3]) < 1e-14, `${free.duals}`);
  assert.ok(Math.abs(free.objective[0]! - 5 / 3) < 1e-14);
  // Scale: y·10⁻¹⁵⁰ and y·10¹⁵⁰ give x·10∓¹⁵⁰ (the LP is homogeneous in y).
  for (const f of [1e-150, 1e150]) {
    const scaled = l1MinPos(a, 2, 4, Float64Array.from([2 * f, 3 * f]), 1);
    assert.ok(dist(Array.from(scaled.x, (v) => v / f), [0, 1, 2, 0]) < 1e-14, `${scaled.x}`);
  }
  // The doc-comment example of l1MinPos.
  const ex = l1MinPos(Float64Array.from([1, 2, 0, 0, 1, 1]), 2, 3, Float64Array.from([2, 2]), 1);
  assert.ok(dist(ex.x, [0, 1, 1]) < 1e-14, `${ex.x}`);
});

test('exact recovery of sparse points where theory says it must (Gaussian A, m ≫ k·log(d/k))', () => {
  const rng = new Rng(2024);
  // m ≥ 3·k·ln(d/k): well inside the region where ℓ1 recovers every k-sparse x w.h.p.
  for (const [d, m, k] of [[200, 50, 4], [500, 70, 5], [1000, 100, 6]] as const) {
    const a = gaussian(m, d, rng);
    for (const signed of [false, true]) {
      const n = 4;
      const x = sparsePoints(n, d, k, signed, rng);
      const y = measure(a, m, d, x, n);
      const res = signed ? l1Min(a, m, d, y, n) : l1MinPos(a, m, d, y, n);
      for (let r = 0; r < n; r++) {
        assert.equal(res.status[r], 'optimal');
        const err = dist(row(res.x, r, d), row(x, r, d));
        assert.ok(err <= 1e-10, `${signed ? 'l1Min' : 'l1MinPos'} d = ${d}, m = ${m}, k = ${k}, point ${r}: ‖x̂ − x‖ = ${err}`);
      }
    }
  }
});

test('optimality certificates where x is not recoverable (m small), with and without sifting, both pricings', () => {
  const rng = new Rng(7);
  for (const [d, m, k] of [[300, 20, 15], [1000, 30, 25]] as const) {
    const a = gaussian(m, d, rng);
    const n = 3;
    for (const signed of [false, true]) {
      const x = sparsePoints(n, d, k, signed, rng);
      const y = measure(a, m, d, x, n);
      // Sifting from a working set of 5 columns: its LPs start infeasible (the columns blocking
      // the dual ray join W, or it restarts with them), then columns priced out join.
      const opts: L1MinOptions[] = [{ sifting: false }, { sifting: true }, { pricing: 'dantzig' }, { sifting: true, siftingColumns: 5 }];
      const results = opts.map((o) => (signed ? l1Min(a, m, d, y, n, o) : l1MinPos(a, m, d, y, n, o)));
      for (const res of results) for (let r = 0; r < n; r++) assertCertificate(a, m, d, y, res, r, signed);
      for (let r = 0; r < n; r++) {
        const o = results.map((res) => res.objective[r]!);
        for (const oi of o) assert.ok(Math.abs(oi - o[0]!) <= 1e-9 * o[0]!, `objectives differ: ${o}`);
        // Not recoverable: the LP's optimum is below the true point's ℓ1 norm.
        let l1 = 0;
        for (let j = 0; j < d; j++) l1 += Math.abs(x[r * d + j]!);
        assert.ok(o[0]! < l1 - 1e-6, `expected a non-recoverable instance (LP ${o[0]} vs ‖x‖₁ ${l1})`);
      }
    }
  }
});

test('sifting recovers sparse points too (degenerate optima; it may fall back to all columns)', () => {
  const rng = new Rng(3);
  for (const [m, d, k, cols] of [[40, 1000, 4, 5], [40, 1000, 4, 40], [60, 2000, 6, 60]] as const) {
    const a = gaussian(m, d, rng);
    const x = sparsePoints(2, d, k, false, rng);
    const y = measure(a, m, d, x, 2);
    const res = l1MinPos(a, m, d, y, 2, { sifting: true, siftingColumns: cols });
    for (let r = 0; r < 2; r++) {
      assert.equal(res.status[r], 'optimal');
      assert.ok(dist(row(res.x, r, d), row(x, r, d)) <= 1e-10, `m = ${m}, d = ${d}: ‖x̂ − x‖ = ${dist(row(res.x, r, d), row(x, r, d))}`);
    }
  }
});

test('a batch gives the same answers as one point at a time', () => {
  const rng = new Rng(3);
  const m = 15, d = 60, n = 5;
  const a = gaussian(m, d, rng);
  const y = measure(a, m, d, sparsePoints(n, d, 8, true, rng), n);
  for (const f of [l1Min, l1MinPos]) {
    const all = f(a, m, d, y, n);
    for (let r = 0; r < n; r++) {
      const one = f(a, m, d, row(y, r, m), 1);
      assert.equal(one.status[0], all.status[r]);
      assert.deepEqual(Array.from(one.x), Array.from(row(all.x, r, d)));
      assert.equal(one.iterations[0], all.iterations[r]);
    }
  }
});

/** Optimal objectives from SciPy's HiGHS, or a reason why not. */
function scipyObjectives(instances: { a: number[]; m: number; d: number; y: number[]; free: boolean }[]): number[] | string {
  const probe = spawnSync('python3', ['-c', 'import scipy, numpy'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return `python3 with scipy is not available (${probe.error?.message ?? probe.stderr.trim().split('\n').pop()})`;
  const script = [
    'import json, sys',
    'import numpy as np',
    'from scipy.optimize import linprog',
    'out = []',
    'for p in json.load(sys.stdin):',
    '    a = np.array(p["a"]).reshape(p["m"], p["d"]); y = np.array(p["y"])',
    '    if p["free"]: a = np.hstack([a, -a])',
    '    r = linprog(np.ones(a.shape[1]), A_eq=a, b_eq=y, bounds=(0, None), method="highs",',
    '                options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10})',
    '    out.append(r.fun if r.status == 0 else None)',
    'print(json.dumps(out))',
  ].join('\n');
  const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(instances), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.error || run.status !== 0) return `the scipy reference failed: ${run.error?.message ?? run.stderr}`;
  return JSON.parse(run.stdout) as number[];
}

test('agrees with SciPy linprog (HiGHS) on random instances', (t) => {
  const rng = new Rng(99);
  const instances: { a: number[]; m: number; d: number; y: number[]; free: boolean }[] = [];
  const ours: number[] = [];
  for (const [m, d, k] of [[10, 40, 6], [25, 150, 20], [40, 400, 12], [60, 250, 30]] as const) {
    const a = gaussian(m, d, rng);
    for (const free of [false, true]) {
      const y = measure(a, m, d, sparsePoints(1, d, k, free, rng), 1);
      const res = free ? l1Min(a, m, d, y, 1) : l1MinPos(a, m, d, y, 1);
      assert.equal(res.status[0], 'optimal');
      instances.push({ a: Array.from(a), m, d, y: Array.from(y), free });
      ours.push(res.objective[0]!);
    }
  }
  const ref = scipyObjectives(instances);
  if (typeof ref === 'string') { t.skip(ref); return; }
  for (let i = 0; i < ours.length; i++) {
    assert.ok(ref[i] !== null, `scipy did not solve instance ${i}`);
    assert.ok(Math.abs(ours[i]! - ref[i]!) <= 1e-8 * Math.abs(ref[i]!), `instance ${i}: ${ours[i]} vs scipy ${ref[i]}`);
  }
});

test('infeasible systems come back as infeasible with a Farkas certificate', () => {
  const rng = new Rng(5);
  // m > rank: 12 equations, 5 unknowns; a generic y is outside range(A).
  const m = 12, d = 5;
  const a = gaussian(m, d, rng);
  const y = Float64Array.from({ length: 2 * m }, () => rng.normal());
  for (const f of [l1Min, l1MinPos]) {
    const res = f(a, m, d, y, 2, { sifting: false });
    const resSift = f(a, m, d, y, 2, { sifting: true });
    for (let r = 0; r < 2; r++) {
      assert.equal(res.status[r], 'infeasible');
      assert.equal(resSift.status[r], 'infeasible');
      assert.ok(row(res.x, r, d).every((v) => v === 0));
      assert.ok(Number.isNaN(res.objective[r]!));
      // yᵀw = 1 and Aᵀw ≤ 0 (pos) / = 0 (free) — no x ≥ 0 (any x) can have Ax = y.
      const w = row(res.duals, r, m);
      let yw = 0;
      for (let i = 0; i < m; i++) yw += y[r * m + i]! * w[i]!;
      assert.ok(Math.abs(yw - 1) < 1e-9, `yᵀw = ${yw}`);
      for (let j = 0; j < d; j++) {
        let g = 0;
        for (let i = 0; i < m; i++) g += a[i * d + j]! * w[i]!;
        assert.ok(f === l1Min ? Math.abs(g) < 1e-8 : g < 1e-8, `(Aᵀw)_${j} = ${g}`);
      }
    }
  }
  // y in range(A) but not in cone(A): infeasible for pos only. A = [1 1], y = −1.
  const a1 = Float64Array.from([1, 1]), y1 = Float64Array.from([-1]);
  assert.deepEqual(l1MinPos(a1, 1, 2, y1, 1).status, ['infeasible']);
  const free = l1Min(a1, 1, 2, y1, 1);
  assert.deepEqual(free.status, ['optimal']);
  assert.ok(Math.abs(free.objective[0]! - 1) < 1e-14);
  // Rank-deficient but consistent (a repeated row): still optimal and exact.
  const a2 = gaussian(6, 30, rng);
  const a3 = new Float64Array(7 * 30);
  a3.set(a2); a3.set(a2.subarray(0, 30), 6 * 30);
  const x3 = sparsePoints(1, 30, 1, false, rng);
  const res3 = l1MinPos(a3, 7, 30, measure(a3, 7, 30, x3, 1), 1);
  assert.equal(res3.status[0], 'optimal');
  assert.ok(dist(res3.x, x3) < 1e-10, `${dist(res3.x, x3)}`);
});

test('degenerate instances: y = 0 and repeated columns', () => {
  const rng = new Rng(8);
  const m = 20, d = 100;
  const a = gaussian(m, d, rng);
  for (const f of [l1Min, l1MinPos]) {
    const res = f(a, m, d, new Float64Array(m), 1);
    assert.deepEqual(res.status, ['optimal']);
    assert.ok(res.x.every((v) => v === 0));
    assert.equal(res.objective[0], 0);
    assert.equal(res.iterations[0], 0);
  }
  // Every column twice: [A, A]. The optimum is the same as for A; the mass of x_j may be split
  // over the two copies, so compare the merged solution.
  const aa = new Float64Array(m * 2 * d);
  for (let i = 0; i < m; i++) { aa.set(a.subarray(i * d, (i + 1) * d), i * 2 * d); aa.set(a.subarray(i * d, (i + 1) * d), i * 2 * d + d); }
  for (const signed of [false, true]) {
    const n = 3;
    const x = sparsePoints(n, d, 3, signed, rng);
    const y = measure(a, m, d, x, n);
    for (const sifting of [false, true]) {
      const res = (signed ? l1Min : l1MinPos)(aa, m, 2 * d, y, n, { sifting });
      for (let r = 0; r < n; r++) {
        assert.equal(res.status[r], 'optimal');
        const merged = Float64Array.from({ length: d }, (_, j) => res.x[r * 2 * d + j]! + res.x[r * 2 * d + d + j]!);
        assert.ok(dist(merged, row(x, r, d)) < 1e-10, `merged ‖x̂ − x‖ = ${dist(merged, row(x, r, d))}`);
      }
    }
  }
  // Parallel columns: A = [1 2 0 0; 0 0 1 2] (a2 = 2·a1, a4 = 2·a3), y = (2, 2): the longer
  // columns are cheaper, x = (0, 1, 0, 1) with 1ᵀx = 2 (x1 = 2 would cost 2 alone).
  const res = l1MinPos(Float64Array.from([1, 2, 0, 0, 0, 0, 1, 2]), 2, 4, Float64Array.from([2, 2]), 1);
  assert.ok(dist(res.x, [0, 1, 0, 1]) < 1e-14, `${res.x}`);
  // Zero columns never enter.
  const az = Float64Array.from(a);
  for (let i = 0; i < m; i++) for (let j = 0; j < d; j += 7) az[i * d + j] = 0;
  const xz = sparsePoints(1, d, 3, true, rng);
  for (let j = 0; j < d; j += 7) xz[j] = 0;
  for (const sifting of [false, true]) {
    const rz = l1Min(az, m, d, measure(az, m, d, xz, 1), 1, { sifting });
    assert.equal(rz.status[0], 'optimal');
    for (let j = 0; j < d; j += 7) assert.equal(rz.x[j], 0);
  }
});

test('dense LU: solves with K and Kᵀ, and singular matrices are reported', () => {
  const rng = new Rng(12);
  const n = 9;
  const k = Float64Array.from({ length: n * n }, () => rng.normal());
  const lu = Float64Array.from(k), perm = new Int32Array(n), work = new Float64Array(n);
  assert.equal(luFactor(lu, n, perm, 1e-11), -1);
  const z = Float64Array.from({ length: n }, () => rng.normal());
  // b = K·z and c = Kᵀ·z; the solves must give z back.
  const b = Float64Array.from({ length: n }, (_, i) => { let s = 0; for (let j = 0; j < n; j++) s += k[i * n + j]! * z[j]!; return s; });
  const c = Float64Array.from({ length: n }, (_, j) => { let s = 0; for (let i = 0; i < n; i++) s += k[i * n + j]! * z[i]!; return s; });
  luSolve(lu, n, perm, b, work);
  luSolveTransposed(lu, n, perm, c, work);
  assert.ok(dist(b, z) < 1e-12, `K solve: ${dist(b, z)}`);
  assert.ok(dist(c, z) < 1e-12, `Kᵀ solve: ${dist(c, z)}`);
  // Column 3 = column 0 + column 1: elimination fails at column 3.
  const s = Float64Array.from(k);
  for (let i = 0; i < n; i++) s[i * n + 3] = s[i * n]! + s[i * n + 1]!;
  assert.equal(luFactor(s, n, perm, 1e-11), 3);
  assert.throws(() => luFactor(new Float64Array(3), 2, perm, 1e-11), { name: 'RangeError', message: /luFactor\(\): expected a 2 × 2 matrix/ });
});

test('the iteration limit is reported, not thrown', () => {
  const rng = new Rng(4);
  const m = 30, d = 200;
  const a = gaussian(m, d, rng);
  const y = measure(a, m, d, sparsePoints(1, d, 20, false, rng), 1);
  const res = l1MinPos(a, m, d, y, 1, { maxIterations: 3 });
  assert.deepEqual(res.status, ['iteration-limit']);
  assert.ok(res.iterations[0]! <= 3);
  assert.ok(Number.isNaN(res.objective[0]!));
});

test('bad arguments throw RangeError naming what was expected', () => {
  const a = new Float64Array(6);
  assert.throws(() => l1MinPos(a, 2, 4, new Float64Array(2), 1), { name: 'RangeError', message: /l1MinPos\(\): expected A with m × d = 2 × 4 = 8 entries but got 6/ });
  assert.throws(() => l1Min(a, 2, 3, new Float64Array(5), 2), { name: 'RangeError', message: /l1Min\(\): expected y with n × m = 2 × 2 = 4 entries but got 5/ });
  assert.throws(() => l1Min(a, 0, 6, new Float64Array(0), 1), { name: 'RangeError', message: /positive integer sizes/ });
  assert.throws(() => l1Min(a, 2, 3, new Float64Array(2), 1.5), { name: 'RangeError', message: /number of points/ });
  assert.throws(() => l1Min(Float64Array.from([1, NaN]), 1, 2, new Float64Array(1), 1), { name: 'RangeError', message: /finite/ });
  assert.throws(() => l1Min(a, 2, 3, new Float64Array(2), 1, { maxIterations: -1 }), { name: 'RangeError', message: /maxIterations/ });
  // n = 0 is an empty batch.
  const empty = l1MinPos(a, 2, 3, new Float64Array(0), 0);
  assert.equal(empty.x.length, 0);
  assert.equal(empty.status.length, 0);
});
