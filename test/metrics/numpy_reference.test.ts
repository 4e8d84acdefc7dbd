import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { Rng } from '../../src/util/rng.js';
import { fromDense } from '../../src/data/csr.js';
import { evaluateRanking, propensities } from '../../src/metrics/index.js';
import { topKRows } from '../../src/ranking/topk.js';

/** Seeded uniform numbers in [0, 1) (xmlc's own generator). */
function seededUniform(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

/** python3 if it can import numpy, else undefined. */
function pythonWithNumpy(): string | undefined {
  // Debian's python3-numpy (installed by .ci/run) lives with /usr/bin/python3; try it first.
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import numpy'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return undefined;
}

// An independent reference, written from the definitions and the pyxclib conventions
// (averages over all rows; PSP and PSnDCG as ratios of dataset-wide sums, PSnDCG with the
// count-based per-row IDCG), with dense numpy arrays and no shared code.
const REFERENCE = String.raw`
import json, sys
import numpy as np
d = json.load(sys.stdin)
n, L, K = d['n'], d['L'], d['K']
Y = np.array(d['Y'], dtype=np.float64).reshape(n, L) > 0
lab = np.array(d['labels'], dtype=np.int64).reshape(n, K)
inv = 1.0 / np.array(d['p'], dtype=np.float64)
valid = lab >= 0
safe = np.where(valid, lab, 0)
hit = valid & Y[np.arange(n)[:, None], safe]
gain = np.where(hit, inv[safe], 0.0)
best = -np.sort(-np.where(Y, inv[None, :], 0.0), axis=1)[:, :K]
cnt = Y.sum(axis=1)
disc = 1.0 / np.log2(np.arange(2, K + 2))
out = {}
for k in d['ks']:
    idcg = np.array([disc[:min(k, c)].sum() for c in cnt])
    has = cnt > 0
    norm = np.where(has, idcg, 1.0)
    out['P@%d' % k] = hit[:, :k].sum() / (k * n)
    out['nDCG@%d' % k] = np.where(has, (hit[:, :k] * disc[:k]).sum(axis=1) / norm, 0.0).mean()
    out['R@%d' % k] = np.where(has, hit[:, :k].sum(axis=1) / np.maximum(cnt, 1), 0.0).mean()
    out['PSP@%d' % k] = gain[:, :k].sum() / best[:, :k].sum()
    out['PSnDCG@%d' % k] = ((gain[:, :k] * disc[:k]).sum(axis=1) / norm).sum() / ((best[:, :k] * disc[:k]).sum(axis=1) / norm).sum()
print(json.dumps(out))
`;

test('P@k, nDCG@k, R@k, PSP@k, PSnDCG@k agree with an independent numpy reference on random data', (t) => {
  const py = pythonWithNumpy();
  if (!py) { t.skip('python3 with numpy is not available'); return; }
  const rand = seededUniform(20240517);
  const n = 300, L = 40, K = 5, ks = [1, 3, 5];
  // Truth: label density varies by row, so some rows are empty and some have more than K labels.
  const Y = new Float64Array(n * L);
  for (let i = 0; i < n; i++) {
    const density = rand() < 0.1 ? 0 : rand() * 0.3;
    for (let l = 0; l < L; l++) if (rand() < density) Y[i * L + l] = 1;
  }
  // Scores with many ties (small integers), NaN and −∞; onlyPositive leaves some rows short (padding).
  const scores = new Float32Array(n * L);
  for (let i = 0; i < n; i++) {
    const positive = rand() < 0.3 ? 0.05 : 0.5; // a third of the rows have ~2 positive scores
    for (let l = 0; l < L; l++) {
      const u = rand();
      scores[i * L + l] = u < 0.03 ? NaN : u < 0.06 ? -Infinity : rand() < positive ? 1 + Math.floor(rand() * 4) : -Math.floor(rand() * 3);
    }
  }
  const pred = topKRows(scores, n, L, K, { onlyPositive: true });
  assert.ok(pred.labels.includes(-1), 'the instance has padding');
  const counts = Array.from({ length: L }, () => Math.floor(rand() * 60));
  const p = propensities(counts, 500);
  const ours = evaluateRanking(pred, fromDense(n, L, Y), { ks, propensities: p });
  const input = JSON.stringify({ n, L, K, ks, Y: [...Y], labels: [...pred.labels], p: [...p] });
  const r = spawnSync(py, ['-c', REFERENCE], { input, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as Record<string, number>;
  assert.deepEqual(Object.keys(ours).sort(), Object.keys(ref).sort());
  for (const key of Object.keys(ref)) {
    assert.ok(Math.abs(ours[key]! - ref[key]!) < 1e-12, `${key}: ours ${ours[key]} vs numpy ${ref[key]}`);
  }
});
