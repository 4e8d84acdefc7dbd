import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { l1Min, l1MinPos } from '../../src/sensing/simplex.js';
import { Rng } from '../../src/util/rng.js';
import { InvalidArgumentError } from '../../src/errors.js';

function gaussian(m: number, d: number, rng: Rng): Float64Array {
  return Float64Array.from({ length: m * d }, () => rng.normal() / Math.sqrt(m));
}

function sparseVector(d: number, k: number, rng: Rng, positive: boolean): Float64Array {
  const x = new Float64Array(d);
  for (const i of rng.shuffle(Array.from({ length: d }, (_, j) => j)).slice(0, k)) x[i] = positive ? 0.1 + rng.next() : rng.normal();
  return x;
}

function measure(a: Float64Array, m: number, d: number, x: Float64Array): Float64Array {
  return Float64Array.from({ length: m }, (_, i) => { let s = 0; for (let j = 0; j < d; j++) s += a[i * d + j]! * x[j]!; return s; });
}

const dist = (u: ArrayLike<number>, v: ArrayLike<number>): number => { let s = 0; for (let i = 0; i < u.length; i++) s += (u[i]! - v[i]!) ** 2; return Math.sqrt(s); };

test('hand-solved 2 × 4 fixture: min 1ᵀx s.t. x1 + x3 = 1, x2 + x3 = 1, x ≥ 0 is x3 = 1 (value 1, not x1 = x2 = 1)', () => {
  // Columns: e1, e2, (1,1), (1,−1). x = (0,0,1,0) costs 1, x = (1,1,0,0) costs 2; nothing costs less
  // than 1 since the dual point π = (½, ½) has Aᵀπ = (½, ½, 1, 0) ≤ 1 and yᵀπ = 1. (The optimal dual
  // is not unique: any π with π1 + π2 = 1, π1, π2 ≤ 1, π1 − π2 ≤ 1.)
  const a = Float64Array.from([1, 0, 1, 1, 0, 1, 1, -1]);
  const r = l1MinPos(a, 2, 4, Float64Array.from([1, 1]), 1);
  assert.deepEqual(r.status, ['optimal']);
  assert.ok(dist(r.x, [0, 0, 1, 0]) < 1e-15, `x = ${Array.from(r.x)}`);
  const [p1, p2] = [r.duals[0]!, r.duals[1]!];
  assert.ok(Math.abs(p1 + p2 - 1) < 1e-12 && p1 <= 1 + 1e-12 && p2 <= 1 + 1e-12 && p1 - p2 <= 1 + 1e-12, `π = ${Array.from(r.duals)}`);
  // Signed version: y = (1, −1) is met by x4 = 1 (cost 1) or x1 = 1, x2 = −1 (cost 2).
  const s = l1Min(a, 2, 4, Float64Array.from([1, -1]), 1);
  assert.ok(dist(s.x, [0, 0, 0, 1]) < 1e-15, `x = ${Array.from(s.x)}`);
});

test('exact recovery where theory says it must (Gaussian A, m ≫ 2k·log(d/k)): ‖x̂ − x‖ ≤ 1e-10', () => {
  const rng = new Rng(3);
  for (const [m, d, k] of [[60, 200, 5], [80, 500, 6], [100, 1000, 8]] as const) {
    const a = gaussian(m, d, rng);
    for (const positive of [true, false]) {
      const n = 4;
      const xs = Array.from({ length: n }, () => sparseVector(d, k, rng, positive));
      const y = new Float64Array(n * m);
      xs.forEach((x, r) => y.set(measure(a, m, d, x), r * m));
      const res = positive ? l1MinPos(a, m, d, y, n) : l1Min(a, m, d, y, n);
      xs.forEach((x, r) => {
        assert.equal(res.status[r], 'optimal');
        const e = dist(res.x.subarray(r * d, (r + 1) * d), x);
        assert.ok(e <= 1e-10, `m=${m} d=${d} k=${k} ${positive ? 'pos' : 'signed'}: ‖x̂ − x‖ = ${e}`);
      });
    }
  }
});

/** Check primal feasibility, dual feasibility and a zero duality gap. */
function certify(a: Float64Array, m: number, d: number, y: Float64Array, x: Float64Array, pi: Float64Array, positive: boolean): void {
  const ax = measure(a, m, d, x);
  assert.ok(dist(ax, y) <= 1e-9 * (1 + Math.hypot(...y)), `‖Ax − y‖ = ${dist(ax, y)}`);
  if (positive) for (const v of x) assert.ok(v >= 0);
  for (let j = 0; j < d; j++) {
    let v = 0;
    for (let i = 0; i < m; i++) v += a[i * d + j]! * pi[i]!;
    assert.ok(positive ? v <= 1 + 1e-9 : Math.abs(v) <= 1 + 1e-9, `dual infeasible at column ${j}: a_jᵀπ = ${v}`);
  }
  const primal = x.reduce((s, v) => s + Math.abs(v), 0);
  const dual = y.reduce((s, v, i) => s + v * pi[i]!, 0);
  assert.ok(Math.abs(primal - dual) <= 1e-8 * (1 + primal), `duality gap: ${primal} vs ${dual}`);
}

test('LP optimality by a dual certificate where x is not recoverable (m small)', () => {
  const rng = new Rng(8);
  for (const [m, d, k] of [[10, 300, 8], [25, 400, 20], [40, 1000, 30]] as const) {
    const a = gaussian(m, d, rng);
    for (const positive of [true, false]) {
      const x = sparseVector(d, k, rng, positive);
      const y = measure(a, m, d, x);
      const r = positive ? l1MinPos(a, m, d, y, 1) : l1Min(a, m, d, y, 1);
      assert.equal(r.status[0], 'optimal');
      certify(a, m, d, y, r.x, r.duals, positive);
      assert.ok(r.x.reduce((s, v) => s + Math.abs(v), 0) <= x.reduce((s, v) => s + Math.abs(v), 0) + 1e-9, 'the optimum is no worse than the true x');
    }
  }
});

const haveScipy = spawnSync('python3', ['-c', 'import scipy.optimize'], { encoding: 'utf8' }).status === 0;

test('agrees with SciPy\'s HiGHS (scipy.optimize.linprog) on the optimal value', { skip: haveScipy ? false : 'python3 with scipy not installed (apt-get install python3-scipy)' }, () => {
  const rng = new Rng(21);
  const instances: { m: number; d: number; a: number[]; y: number[]; positive: boolean }[] = [];
  for (const [m, d, k] of [[15, 120, 10], [30, 300, 25], [20, 200, 4]] as const) {
    for (const positive of [true, false]) {
      const a = gaussian(m, d, rng);
      instances.push({ m, d, a: Array.from(a), y: Array.from(measure(a, m, d, sparseVector(d, k, rng, positive))), positive });
    }
  }
  const script = `
import json, sys
import numpy as np
from scipy.optimize import linprog
out = []
for inst in json.load(sys.stdin):
    m, d = inst['m'], inst['d']
    A = np.array(inst['a']).reshape(m, d); y = np.array(inst['y'])
    if inst['positive']:
        r = linprog(np.ones(d), A_eq=A, b_eq=y, bounds=(0, None), method='highs')
    else:
        r = linprog(np.ones(2 * d), A_eq=np.hstack([A, -A]), b_eq=y, bounds=(0, None), method='highs')
    out.append(r.fun)
print(json.dumps(out))
`;
  const py = spawnSync('python3', ['-c', script], { input: JSON.stringify(instances), encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  const ref = JSON.parse(py.stdout) as number[];
  instances.forEach((inst, i) => {
    const a = Float64Array.from(inst.a), y = Float64Array.from(inst.y);
    const r = inst.positive ? l1MinPos(a, inst.m, inst.d, y, 1) : l1Min(a, inst.m, inst.d, y, 1);
    const ours = r.x.reduce((s, v) => s + Math.abs(v), 0);
    assert.ok(Math.abs(ours - ref[i]!) <= 1e-8 * (1 + ref[i]!), `instance ${i}: ours ${ours}, HiGHS ${ref[i]}`);
  });
});

test('infeasible and degenerate systems: status infeasible, y = 0 gives x = 0, repeated columns', () => {
  // Rows 1 and 2 equal but y differs: no solution.
  const a = Float64Array.from([1, 2, 3, 1, 2, 3]);
  assert.deepEqual(l1Min(a, 2, 3, Float64Array.from([1, 2]), 1).status, ['infeasible']);
  assert.deepEqual(l1MinPos(a, 2, 3, Float64Array.from([1, 2]), 1).status, ['infeasible']);
  // Non-negative combinations cannot reach a negative y with a positive matrix.
  assert.deepEqual(l1MinPos(Float64Array.from([1, 1, 1]), 1, 3, Float64Array.from([-1]), 1).status, ['infeasible']);
  // Same rows, consistent y (a redundant row): solvable.
  const red = l1MinPos(a, 2, 3, Float64Array.from([3, 3]), 1);
  assert.equal(red.status[0], 'optimal');
  assert.ok(dist(red.x, [0, 0, 1]) < 1e-12, `x = ${Array.from(red.x)}`);
  const rng = new Rng(2);
  const g = gaussian(5, 30, rng);
  const zero = l1Min(g, 5, 30, new Float64Array(5), 1);
  assert.equal(zero.status[0], 'optimal');
  assert.ok(zero.x.every((v) => v === 0));
  // A repeated column: the solution's mass may sit on either copy; the value is the same.
  const dup = new Float64Array(5 * 31);
  for (let i = 0; i < 5; i++) { dup.set(g.subarray(i * 30, (i + 1) * 30), i * 31); dup[i * 31 + 30] = g[i * 30 + 7]!; }
  const x = new Float64Array(30); x[7] = 1; x[12] = 0.5;
  const r = l1MinPos(dup, 5, 31, measure(g, 5, 30, x), 1);
  assert.equal(r.status[0], 'optimal');
  assert.ok(Math.abs(r.x.reduce((s, v) => s + v, 0) - 1.5) < 1e-10 || r.x.reduce((s, v) => s + v, 0) < 1.5);
});

test('bad sizes throw InvalidArgumentError naming the function', () => {
  assert.throws(() => l1MinPos(new Float64Array(5), 2, 3, new Float64Array(2), 1), /l1MinPos\(\): A must have 2 × 3/);
  assert.throws(() => l1Min(new Float64Array(6), 2, 3, new Float64Array(3), 1), /l1Min\(\): y must have 1 × 2/);
});
