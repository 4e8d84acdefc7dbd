import assert from 'node:assert/strict';
import { test } from 'node:test';
import { choleskySolveJs } from '../../src/linalg/cholesky.js';
import { dualRidge } from '../../src/regression/dual.js';
import { CHOLESKY_MAX_FEATURES, chooseSolver, DUAL_MAX_POINTS, fitRidge } from '../../src/regression/ridge.js';
import { normalEquations, numpyRidge, problem } from './problems.js';

/** ‖a − b‖ / ‖b‖. */
const relErr = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let d = 0, s = 0;
  for (let i = 0; i < b.length; i++) { d += (a[i]! - b[i]!) ** 2; s += b[i]! ** 2; }
  return Math.sqrt(d / s);
};

for (const [n, p, label] of [[30, 120, 'p > n'], [60, 25, 'p < n']] as const) {
  test(`dual ridge: equals the primal Cholesky solution in float64 to 1e-8, with and without the bias, several λ (${label})`, () => {
    const m = 3;
    const { x, xd, z } = problem(n, p, m, 0.1, 7 * n + p);
    for (const bias of [true, false]) {
      for (const lambda of [0.01, 1, 30]) {
        const { a, b, q } = normalEquations(xd, n, p, z, m, lambda, bias);
        choleskySolveJs(a, b, q, m); // b = the primal [V; bᵀ]
        const dual = dualRidge(x, z, m, lambda, bias);
        assert.equal(dual.length, q * m);
        const e = relErr(dual, b);
        assert.ok(e <= 1e-8, `bias ${bias} λ ${lambda}: relative difference ${e}`);
      }
    }
  });
}

test('dual ridge: agrees with numpy least squares on [X̃; √Λ] (bias on and off)', (t) => {
  const n = 40, p = 150, m = 2, lambda = 0.3;
  const { x, xd, z } = problem(n, p, m, 0.08, 11);
  // An independent reference: min ‖[X̃; √Λ]v − [z; 0]‖ by numpy's SVD-based least squares.
  const body = `r=np.full(X.shape[1],np.sqrt(lam))
if bias: r[-1]=0
A=np.vstack([X,np.diag(r)]); B=np.vstack([Z,np.zeros((X.shape[1],m))])
print(json.dumps(np.linalg.lstsq(A,B,rcond=None)[0].ravel().tolist()))`;
  for (const bias of [true, false]) {
    const py = numpyRidge(body, xd, n, p, z, m, lambda, bias);
    if ('skip' in py) { t.skip(py.skip); return; }
    const ref = py.ref;
    const e = relErr(dualRidge(x, z, m, lambda, bias), ref);
    assert.ok(e <= 1e-8, `bias ${bias}: relative difference to numpy ${e}`);
  }
});

test('ridge: fitRidge with solver dual gives the Cholesky model (float32 weights) and says so', () => {
  const { x, z } = problem(25, 90, 4, 0.15, 3);
  for (const bias of [true, false]) {
    const ch = fitRidge(x, z, 4, { lambda: 0.5, solver: 'cholesky', bias });
    const du = fitRidge(x, z, 4, { lambda: 0.5, solver: 'dual', bias });
    assert.deepEqual(du.info, { solver: 'dual', iterations: 0, converged: true });
    assert.ok(relErr(du.weights, ch.weights) <= 1e-5, `bias ${bias}: weights differ by ${relErr(du.weights, ch.weights)}`);
    assert.ok(relErr(du.predict(x), ch.predict(x)) <= 1e-5, `bias ${bias}: predictions differ`);
    if (!bias) assert.deepEqual(Array.from(du.bias), [0, 0, 0, 0]);
  }
});

test('ridge: auto is primal Cholesky up to CHOLESKY_MAX_FEATURES, then the dual up to DUAL_MAX_POINTS points, then CG', () => {
  assert.equal(chooseSolver('auto', 1e6, CHOLESKY_MAX_FEATURES), 'cholesky');
  assert.equal(chooseSolver('auto', DUAL_MAX_POINTS, CHOLESKY_MAX_FEATURES + 1), 'dual');
  assert.equal(chooseSolver('auto', 14146, 101939), 'dual'); // Wiki10-31K with the bias column
  assert.equal(chooseSolver('auto', DUAL_MAX_POINTS + 1, CHOLESKY_MAX_FEATURES + 1), 'cg');
  for (const s of ['cholesky', 'dual', 'cg'] as const) assert.equal(chooseSolver(s, 10, 1e6), s);
  // fitRidge follows it: 20 points over CHOLESKY_MAX_FEATURES features (the bias column counts).
  const { x, z } = problem(20, CHOLESKY_MAX_FEATURES, 2, 0.002, 5);
  assert.equal(fitRidge(x, z, 2, { lambda: 1, solver: 'auto', bias: false }).info.solver, 'cholesky');
  assert.equal(fitRidge(x, z, 2, { lambda: 1, solver: 'auto', bias: true }).info.solver, 'dual');
});
