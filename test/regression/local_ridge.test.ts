import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromDense, selectRows } from '../../src/data/csr.js';
import { fitLocalRidge } from '../../src/regression/local_ridge.js';
import { fitRidge } from '../../src/regression/ridge.js';
import { maxDiff, problem } from './problems.js';
import { InvalidArgumentError } from '../../src/errors.js';

const opts = { lambda: 0.5, solver: 'cholesky', bias: true } as const;

test('local ridge: one cluster is the global ridge model', () => {
  const { x, z } = problem(80, 15, 3, 0.3, 1);
  const local = fitLocalRidge(x, z, 3, { ...opts, clusters: 1, seed: 1 });
  const global = fitRidge(x, z, 3, opts);
  assert.ok(maxDiff(local.predict(x), global.predict(x)) < 1e-5);
});

test('local ridge: each cluster\'s model is the ridge fit on its rows, and predict routes every row to its cluster\'s model', () => {
  const n = 120, m = 2;
  const { x, z } = problem(n, 20, m, 0.25, 4);
  const local = fitLocalRidge(x, z, m, { ...opts, clusters: 3, seed: 9 });
  assert.equal(local.models.length, 3);
  assert.deepEqual(Array.from(local.clusterOf(x)), Array.from(local.clustering.assignments));
  for (let j = 0; j < 3; j++) {
    const rows = [...local.clustering.assignments.keys()].filter((i) => local.clustering.assignments[i] === j);
    const zj = Float32Array.from(rows.flatMap((r) => Array.from(z.subarray(r * m, (r + 1) * m))));
    const own = fitRidge(selectRows(x, rows), zj, m, opts);
    assert.ok(maxDiff(own.weights, local.models[j]!.weights) < 1e-6, `cluster ${j}`);
  }
  const out = local.predict(x), cl = local.clusterOf(x);
  for (let i = 0; i < n; i++) {
    const alone = local.models[cl[i]!]!.predict(selectRows(x, [i]));
    assert.deepEqual(Array.from(out.subarray(i * m, (i + 1) * m)), Array.from(alone), `row ${i}`);
  }
  // Fewer columns are fine, more are not.
  assert.equal(local.predict(fromDense(1, 5, [1, 0, 0, 0, 1])).length, m);
  assert.throws(() => local.predict(fromDense(1, 21, new Array(21).fill(1))), InvalidArgumentError);
  assert.throws(() => fitLocalRidge(x, z.subarray(1), m, { ...opts, clusters: 2, seed: 1 }), /targets/);
});
