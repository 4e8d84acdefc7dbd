import assert from 'node:assert/strict';
import { test } from 'node:test';
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
