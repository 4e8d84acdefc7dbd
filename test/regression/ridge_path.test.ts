import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mirrorLower, solveSpd } from '../../src/linalg/cholesky.js';
import { fitRidge, ridgePath } from '../../src/regression/ridge.js';
import { problem } from './problems.js';

// One Gram matrix, several penalties: each fit must be the very fit of fitRidge with that λ (the
// Gram matrix restored from its lower triangle after each factorisation), in any order, and a
// penalty repeated later must give the same numbers again.
for (const solver of ['cholesky', 'dual', 'cg'] as const) {
  test(`ridgePath (${solver}): every λ gives fitRidge's numbers exactly, in any order`, () => {
    const m = 3;
    const { x, z } = problem(60, 45, m, 0.2, 11);
    for (const bias of [true, false]) {
      const path = ridgePath(x, z, m, { solver, bias, maxIter: 2000 });
      assert.equal(path.solver, solver);
      for (const lambda of [3, 0.3, 1, 30, 3]) {
        const one = fitRidge(x, z, m, { lambda, solver, bias, maxIter: 2000 });
        const fit = path.fit(lambda);
        assert.deepEqual(fit.weights, one.weights, `bias ${bias} λ ${lambda}: weights`);
        assert.deepEqual(fit.bias, one.bias, `bias ${bias} λ ${lambda}: bias`);
        assert.deepEqual(fit.info, one.info);
      }
      assert.throws(() => path.fit(0), /lambda must be > 0/);
      // A refused λ leaves the path usable.
      assert.deepEqual(path.fit(10).weights, fitRidge(x, z, m, { lambda: 10, solver, bias, maxIter: 2000 }).weights);
    }
  });
}

test('ridgePath: larger penalties shrink the weights (‖V‖ decreases along the path)', () => {
  const m = 2;
  const { x, z } = problem(80, 30, m, 0.25, 5);
  const path = ridgePath(x, z, m, { solver: 'auto', bias: true });
  const norms = [0.01, 0.1, 1, 10, 100].map((l) => Math.hypot(...path.fit(l).weights));
  for (let i = 1; i < norms.length; i++) assert.ok(norms[i]! < norms[i - 1]!, `‖V‖ along λ: ${norms.join(', ')}`);
});

test('solveSpd leaves G in its strict lower triangle (native and JavaScript): mirrorLower and the diagonal restore it, even after a failed factorisation', () => {
  const p = 7, m = 2;
  // G = AᵀA + I (positive definite), upper triangle only; and an indefinite matrix.
  const a = Float64Array.from({ length: p * p }, (_, i) => Math.sin(i * 1.7) + (i % 3));
  const full = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) { let s = i === j ? 1 : 0; for (let k = 0; k < p; k++) s += a[k * p + i]! * a[k * p + j]!; full[i * p + j] = s; }
  const upper = full.map((v, idx) => (idx % p >= Math.floor(idx / p) ? v : 0));
  const b = Float64Array.from({ length: p * m }, (_, i) => Math.cos(i));
  for (const native of [true, false]) {
    const fresh = b.slice();
    solveSpd(upper.slice(), fresh, p, m, native);
    const g = upper.slice(), diag = Array.from({ length: p }, (_, i) => full[i * p + i]!);
    // A failed solve first: the diagonal made indefinite.
    for (let i = 0; i < p; i++) g[i * p + i] = -1;
    assert.throws(() => solveSpd(g, b.slice(), p, m, native), /not positive definite/);
    for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) assert.equal(g[i * p + j], full[i * p + j], `native ${native}: lower (${i}, ${j})`);
    for (const _ of [1, 2]) {
      mirrorLower(g, p);
      for (let i = 0; i < p; i++) g[i * p + i] = diag[i]!;
      const v = b.slice();
      solveSpd(g, v, p, m, native);
      assert.deepEqual(v, fresh, `native ${native}: a restored solve gives the fresh solve's numbers`);
    }
  }
});
