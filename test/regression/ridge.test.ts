import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fromDense } from '../../src/data/csr.js';
import { type ProgressEvent } from '../../src/progress.js';
import { choleskySolveJs } from '../../src/linalg/cholesky.js';
import { fitRidge, type RidgeModel, ridgeFromWeights } from '../../src/regression/ridge.js';
import { repoRoot } from '../helpers.js';
import { maxDiff, normalEquations, numpyRidge, problem } from './problems.js';
import { InvalidArgumentError } from '../../src/errors.js';

/** A lower estimate of λ_min(A) by 300 steps of power iteration on A⁻¹, divided by 1.5 for safety. */
function lambdaMin(a: Float64Array, q: number): number {
  let u = Float64Array.from({ length: q }, (_, i) => 1 + ((i * 7919) % 13) / 13);
  let est = 0;
  for (let it = 0; it < 300; it++) {
    const w = Float64Array.from(u);
    choleskySolveJs(Float64Array.from(a), w, q, 1);
    est = Math.hypot(...w) / Math.hypot(...u);
    const s = Math.hypot(...w);
    u = w.map((t) => t / s);
  }
  return 1 / est / 1.5;
}

const column = (v: ArrayLike<number>, rows: number, m: number, c: number): number[] => Array.from({ length: rows }, (_, j) => v[j * m + c]!);
const norm = (v: number[]): number => Math.hypot(...v);
/** V with the bias appended as the last row ((p + 1) × m), in float64. */
const stacked = (f: RidgeModel, bias: boolean): Float64Array => Float64Array.from(bias ? [...f.weights, ...f.bias] : f.weights);

for (const [n, p, label] of [[200, 40, 'p < n'], [30, 80, 'p > n']] as const) {
  test(`ridge: Cholesky and CG agree within the error bound tol·‖Xᵀz‖/λ_min, with ∇ ≈ 0 (${label})`, () => {
    const m = 4, tol = 1e-4, slack = 1e-5; // slack: the float32 products and right-hand sides
    const { x, xd, z } = problem(n, p, m, 0.15, n + p);
    for (const bias of [true, false]) {
      for (const lambda of [0.01, 1, 30]) {
        const what = `bias ${bias} λ ${lambda}`;
        const ch = fitRidge(x, z, m, { lambda, solver: 'cholesky', bias });
        const cg = fitRidge(x, z, m, { lambda, solver: 'cg', bias, tol, maxIter: 5000 });
        assert.equal(ch.info.solver, 'cholesky');
        assert.equal(cg.info.solver, 'cg');
        assert.ok(cg.info.converged && cg.info.iterations > 0 && cg.info.relResidual! <= tol, `${what}: ${JSON.stringify(cg.info)}`);
        if (!bias) { assert.deepEqual(Array.from(ch.bias), new Array(m).fill(0)); assert.deepEqual(Array.from(cg.bias), new Array(m).fill(0)); }
        const { a, b, q } = normalEquations(xd, n, p, z, m, lambda, bias);
        const exact = Float64Array.from(b);
        choleskySolveJs(Float64Array.from(a), exact, q, m);
        const lmin = bias ? lambdaMin(a, q) : lambda;
        const aNorm = Math.hypot(...a);
        const vch = stacked(ch, bias), vcg = stacked(cg, bias);
        for (let c = 0; c < m; c++) {
          const bc = norm(column(b, q, m, c)), ex = column(exact, q, m, c);
          const errCh = norm(column(vch, q, m, c).map((t, j) => t - ex[j]!));
          const errCg = norm(column(vcg, q, m, c).map((t, j) => t - ex[j]!));
          assert.ok(errCh <= slack * bc / lmin, `${what} column ${c}: Cholesky error ${errCh} > ${slack * bc / lmin}`);
          assert.ok(errCg <= (tol + slack) * bc / lmin, `${what} column ${c}: CG error ${errCg} > ${(tol + slack) * bc / lmin}`);
          // ∇ = 2(A·v − b): bounded by the residual tolerance plus the float32 rounding of v (2^-24 relative).
          for (const [name, v] of [['Cholesky', vch], ['CG', vcg]] as const) {
            const vc = column(v, q, m, c);
            const grad = norm(Array.from({ length: q }, (_, j) => 2 * (vc.reduce((s, t, k) => s + a[j * q + k]! * t, 0) - b[j * m + c]!)));
            const bound = 2 * (name === 'CG' ? tol + slack : slack) * bc + 2 * aNorm * 2 ** -23 * norm(vc);
            assert.ok(grad <= bound, `${what} column ${c}: ${name} gradient ${grad} > ${bound}`);
          }
        }
      }
    }
  });
}

test('ridge: agrees with numpy solving the normal equations (bias on and off)', (t) => {
  const n = 120, p = 25, m = 3, lambda = 0.7;
  const { x, xd, z } = problem(n, p, m, 0.3, 9);
  const body = `P=np.eye(X.shape[1])*lam
if bias: P[-1,-1]=0
print(json.dumps(np.linalg.solve(X.T@X+P, X.T@Z).ravel().tolist()))`;
  for (const bias of [true, false]) {
    const py = numpyRidge(body, xd, n, p, z, m, lambda, bias);
    if ('skip' in py) { t.skip(py.skip); return; }
    const ref = py.ref;
    for (const solver of ['cholesky', 'cg'] as const) {
      const fit = fitRidge(x, z, m, { lambda, solver, bias, tol: 1e-7 });
      const ours = bias ? [...fit.weights, ...fit.bias] : [...fit.weights];
      assert.equal(ours.length, ref.length);
      for (let i = 0; i < ref.length; i++) {
        assert.ok(Math.abs(ours[i]! - ref[i]!) < 1e-4 * Math.max(1, Math.abs(ref[i]!)), `${solver} bias ${bias} entry ${i}: ${ours[i]} vs ${ref[i]}`);
      }
    }
  }
});

test('ridge: the JavaScript Cholesky solve equals a hand-computed 2 × 2 system and refuses indefinite matrices', () => {
  const g = Float64Array.from([4, 2, 2, 3]), b = Float64Array.from([2, 1, 1, 2]);
  choleskySolveJs(g, b, 2, 2);
  assert.deepEqual(Array.from(b).map((v) => +v.toFixed(12)), [0.5, -0.125, 0, 0.75]);
  // Only the upper triangle is read: garbage below the diagonal changes nothing.
  const g2 = Float64Array.from([4, 2, 99, 3]), b2 = Float64Array.from([2, 1, 1, 2]);
  choleskySolveJs(g2, b2, 2, 2);
  assert.deepEqual(Array.from(b2).map((v) => +v.toFixed(12)), [0.5, -0.125, 0, 0.75]);
  assert.throws(() => choleskySolveJs(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]), 2, 1), /not positive definite/);
});

test('ridge: fitRidge without the native addon (XMLC_DISABLE_NATIVE=1, JavaScript Cholesky and kernels) equals the default', () => {
  const script = `import { fitRidge } from './dist/src/regression/ridge.js';
import { nativeAddon } from './dist/src/engine/addon.js';
import { problem } from './dist/test/regression/problems.js';
const { x, z } = problem(150, 60, 3, 0.2, 5);
const f = fitRidge(x, z, 3, { lambda: 0.5, solver: 'cholesky', bias: true });
process.stdout.write(JSON.stringify({ native: nativeAddon().addon !== undefined, v: [...f.weights, ...f.bias] }));`;
  const run = (env: NodeJS.ProcessEnv): { native: boolean; v: number[] } => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { native: boolean; v: number[] };
  };
  const js = run({ ...process.env, XMLC_DISABLE_NATIVE: '1' });
  const dflt = run({ ...process.env, XMLC_DISABLE_NATIVE: '0' });
  assert.equal(js.native, false);
  const scale = Math.max(...dflt.v.map(Math.abs));
  assert.ok(maxDiff(js.v, dflt.v) <= 1e-5 * scale, `differ by ${maxDiff(js.v, dflt.v)} (native loaded: ${dflt.native})`);
});

test('ridge: predict adds the bias, accepts fewer columns, refuses more; ridgeFromWeights gives the same predictions', () => {
  const { x, z } = problem(50, 10, 2, 0.3, 3);
  const fit = fitRidge(x, z, 2, { lambda: 1, solver: 'cholesky', bias: true });
  assert.deepEqual(Array.from(fit.predict(fromDense(1, 4, [0, 0, 0, 0]))), Array.from(fit.bias));
  // Fewer columns: the missing features are zeros.
  const short = fit.predict(fromDense(1, 3, [1, 0, 2]));
  const full = fit.predict(fromDense(1, 10, [1, 0, 2, 0, 0, 0, 0, 0, 0, 0]));
  assert.deepEqual(Array.from(short), Array.from(full));
  assert.throws(() => fit.predict(fromDense(1, 11, new Array(11).fill(1))), (e: unknown) => e instanceof InvalidArgumentError && /11 features but the model has 10/.test(e.message));
  const again = ridgeFromWeights(fit.weights, fit.bias, fit.nFeatures, fit.dim);
  assert.deepEqual(Array.from(again.predict(x)), Array.from(fit.predict(x)));
  assert.throws(() => ridgeFromWeights(fit.weights, fit.bias, 11, 2), /expected 11 × 2 weights but got 20/);
});

test('ridge: bad options are refused with the value named', () => {
  const { x, z } = problem(20, 5, 2, 0.5, 4);
  assert.throws(() => fitRidge(x, z, 2, { lambda: 0, solver: 'cg', bias: true }), /lambda must be > 0 but got 0/);
  assert.throws(() => fitRidge(x, z, 3, { lambda: 1, solver: 'cg', bias: true }), /expected 20 × 3 = 60 targets but got 40/);
  assert.throws(() => fitRidge(x, z, 2, { lambda: 1, solver: 'qr' as 'cg', bias: true }), InvalidArgumentError);
  assert.throws(() => fitRidge(x, z, 2, { lambda: 1, solver: 'cg', bias: true, maxIter: 0 }), /maxIter must be a positive integer but got 0/);
});

test('ridge: auto picks Cholesky for few features; both solvers report start, progress and done', () => {
  const { x, z } = problem(60, 12, 2, 0.3, 6);
  for (const solver of ['auto', 'cg'] as const) {
    const events: ProgressEvent[] = [];
    const fit = fitRidge(x, z, 2, { lambda: 1, solver, bias: false }, (e) => events.push(e));
    assert.equal(fit.info.solver, solver === 'auto' ? 'cholesky' : 'cg');
    assert.equal(events[0]?.status, 'start');
    assert.equal(events.at(-1)?.status, 'done');
    assert.ok(events.some((e) => e.status === 'progress'), solver);
  }
});

test('ridge: CG stops at maxIter and says it did not converge', () => {
  const { x, z } = problem(80, 30, 2, 0.3, 8);
  const fit = fitRidge(x, z, 2, { lambda: 0.01, solver: 'cg', bias: true, maxIter: 2, tol: 1e-12 });
  assert.equal(fit.info.iterations, 2);
  assert.equal(fit.info.converged, false);
  assert.ok(fit.info.relResidual! > 1e-12);
});
