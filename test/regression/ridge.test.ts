import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { type Csr, fromDense } from '../../src/data/csr.js';
import { choleskySolveJs, fitRidge, gram } from '../../src/regression/ridge.js';
import { Rng } from '../../src/util/rng.js';

function problem(n: number, p: number, m: number, density: number, seed: number): { x: Csr; xd: Float64Array; z: Float32Array } {
  const rng = new Rng(seed);
  const xd = new Float64Array(n * p);
  for (let i = 0; i < n * p; i++) if (rng.next() < density) xd[i] = Math.fround(rng.next());
  const z = Float32Array.from({ length: n * m }, () => rng.normal());
  return { x: fromDense(n, p, xd), xd, z };
}

/** ∇ of ‖XV + 1bᵀ − Z‖² + λ‖V‖² at (V, b), computed densely in float64 (the optimality condition: 0 at the solution). */
function gradientNorm(xd: Float64Array, n: number, p: number, z: Float32Array, m: number, v: Float32Array, b: Float32Array, lambda: number, withBias: boolean): { grad: number; scale: number } {
  const r = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let c = 0; c < m; c++) {
    let s = b[c]!;
    for (let j = 0; j < p; j++) s += xd[i * p + j]! * v[j * m + c]!;
    r[i * m + c] = s - z[i * m + c]!;
  }
  let g2 = 0, s2 = 0;
  for (let j = 0; j < p; j++) for (let c = 0; c < m; c++) {
    let g = 2 * lambda * v[j * m + c]!, s = 0;
    for (let i = 0; i < n; i++) { g += 2 * xd[i * p + j]! * r[i * m + c]!; s += 2 * xd[i * p + j]! * z[i * m + c]!; }
    g2 += g * g; s2 += s * s;
  }
  // ∂/∂b only when b is fitted (otherwise b = 0 is fixed).
  if (withBias) for (let c = 0; c < m; c++) { let g = 0; for (let i = 0; i < n; i++) g += 2 * r[i * m + c]!; g2 += g * g; }
  return { grad: Math.sqrt(g2), scale: Math.sqrt(s2) };
}

const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => Math.max(s, Math.abs(v - b[i]!)), 0);

for (const [n, p, label] of [[200, 40, 'p < n'], [30, 80, 'p > n']] as const) {
  test(`ridge: Cholesky and CG agree and satisfy the optimality condition (${label})`, () => {
    const m = 5;
    const { x, xd, z } = problem(n, p, m, 0.15, n + p);
    for (const bias of [true, false]) {
      for (const lambda of [0.01, 1, 30]) {
        const ch = fitRidge(x, z, m, { lambda, solver: 'cholesky', bias });
        const cg = fitRidge(x, z, m, { lambda, solver: 'cg', bias, tol: 1e-9, maxIter: 5000 });
        assert.equal(cg.info.solver, 'cg');
        assert.ok(cg.info.iterations > 0);
        const scale = Math.max(...ch.weights.map(Math.abs), 1e-3);
        assert.ok(maxDiff(ch.weights, cg.weights) < 1e-3 * scale, `bias ${bias} λ ${lambda}: weights differ by ${maxDiff(ch.weights, cg.weights)}`);
        assert.ok(maxDiff(ch.bias, cg.bias) < 1e-3 * Math.max(1, scale), `bias ${bias} λ ${lambda}`);
        if (!bias) assert.deepEqual(Array.from(ch.bias), new Array(m).fill(0));
        const { grad, scale: gs } = gradientNorm(xd, n, p, z, m, ch.weights, ch.bias, lambda, bias);
        assert.ok(grad < 1e-4 * gs, `bias ${bias} λ ${lambda}: gradient ${grad} vs scale ${gs}`);
      }
    }
  });
}

test('ridge: agrees with numpy solving the normal equations', (t) => {
  const n = 120, p = 25, m = 3, lambda = 0.7;
  const { x, xd, z } = problem(n, p, m, 0.3, 9);
  const fit = fitRidge(x, z, m, { lambda, solver: 'auto', bias: true });
  const script = `import json,sys,numpy as np
d=json.load(sys.stdin); X=np.array(d['x']).reshape(${n},${p}); Z=np.array(d['z']).reshape(${n},${m})
Xb=np.hstack([X,np.ones((${n},1))]); P=np.eye(${p + 1})*${lambda}; P[-1,-1]=0
print(json.dumps(np.linalg.solve(Xb.T@Xb+P, Xb.T@Z).ravel().tolist()))`;
  const py = spawnSync('python3', ['-c', script], { input: JSON.stringify({ x: Array.from(xd), z: Array.from(z) }), encoding: 'utf8' });
  if (py.status !== 0) { t.skip(`python3 with numpy is not available: ${py.stderr.split('\n')[0]}`); return; }
  const ref = JSON.parse(py.stdout) as number[];
  const ours = [...fit.weights, ...fit.bias];
  for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(ours[i]! - ref[i]!) < 1e-4 * Math.max(1, Math.abs(ref[i]!)), `entry ${i}: ${ours[i]} vs ${ref[i]}`);
});

test('ridge: the JavaScript Cholesky solve equals a hand-computed 2 × 2 system and the Gram matrix is XᵀX', () => {
  const g = Float64Array.from([4, 2, 2, 3]), b = Float64Array.from([2, 1, 1, 2]);
  choleskySolveJs(g, b, 2, 2);
  assert.deepEqual(Array.from(b).map((v) => +v.toFixed(12)), [0.5, -0.125, 0, 0.75]);
  assert.throws(() => choleskySolveJs(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]), 2, 1), /not positive definite/);
  const x = fromDense(2, 3, [1, 0, 2, 0, 3, 1]);
  assert.deepEqual(Array.from(gram(x)), [1, 0, 2, 0, 9, 3, 2, 3, 5]);
});

test('ridge: predict adds the bias, accepts fewer columns and refuses more', () => {
  const { x, z } = problem(50, 10, 2, 0.3, 3);
  const fit = fitRidge(x, z, 2, { lambda: 1, solver: 'cholesky', bias: true });
  const empty = fromDense(1, 4, [0, 0, 0, 0]);
  assert.deepEqual(Array.from(fit.predict(empty)), Array.from(fit.bias));
  assert.throws(() => fit.predict(fromDense(1, 11, new Array(11).fill(1))), /11 features but the model has 10/);
  assert.throws(() => fitRidge(x, z, 2, { lambda: 0, solver: 'cg', bias: true }), /lambda must be > 0/);
});
