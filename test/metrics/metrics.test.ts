import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fromDense } from '../../src/data/csr.js';
import { evaluateAgainstTraining, evaluateRanking, propensities, propensitiesFromLabels, rankedFromLists } from '../../src/metrics/index.js';
import { Rng } from '../../src/util/rng.js';

const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

// Fixture, 4 points, 5 labels:
//   truth            predictions (best first)
//   row0: {0, 2}     [2, 1, 0]   hits at ranks 1 and 3
//   row1: {1}        [1]         hit at rank 1, then padding
//   row2: {}         [0, 1, 2]   no true labels: contributes 0 everywhere
//   row3: {0,1,3,4}  [4, 2, 3]   hits at ranks 1 and 3
const truth = fromDense(4, 5, [
  1, 0, 1, 0, 0,
  0, 1, 0, 0, 0,
  0, 0, 0, 0, 0,
  1, 1, 0, 1, 1,
]);
const pred = rankedFromLists([[2, 1, 0], [1], [0, 1, 2], [4, 2, 3]], 3);
const c = 1 / Math.log2(3); // discount of rank 2; rank 3's is 1/log2(4) = 0.5
const idcg2 = 1 + c, idcg3 = 1 + c + 0.5;

test('P@k, nDCG@k and recall@k of the hand-computed fixture', () => {
  const m = evaluateRanking(pred, truth, { ks: [1, 2, 3] });
  close(m['P@1']!, (1 + 1 + 0 + 1) / 4, 'P@1');
  close(m['P@2']!, (1 / 2 + 1 / 2 + 0 + 1 / 2) / 4, 'P@2');
  close(m['P@3']!, (2 / 3 + 1 / 3 + 0 + 2 / 3) / 4, 'P@3');
  // nDCG@1 = P@1 for rows with labels.
  close(m['nDCG@1']!, 0.75, 'nDCG@1');
  // nDCG@2: row0 DCG 1 / IDCG(2) ; row1 1/1 ; row3 1 / IDCG(2).
  close(m['nDCG@2']!, (1 / idcg2 + 1 + 0 + 1 / idcg2) / 4, 'nDCG@2');
  // nDCG@3: row0 (1 + 0.5)/IDCG(min(3,2)) ; row1 1 ; row3 (1 + 0.5)/IDCG(3).
  close(m['nDCG@3']!, (1.5 / idcg2 + 1 + 0 + 1.5 / idcg3) / 4, 'nDCG@3');
  close(m['R@1']!, (1 / 2 + 1 + 0 + 1 / 4) / 4, 'R@1');
  close(m['R@3']!, (1 + 1 + 0 + 2 / 4) / 4, 'R@3');
  assert.equal(m['PSP@1'], undefined);
});

test('PSP@k and PSnDCG@k of the fixture with hand-chosen propensities', () => {
  // p = [0.5, 0.25, 1, 0.5, 0.2]  ⇒  1/p = [2, 4, 1, 2, 5].
  const p = Float64Array.from([0.5, 0.25, 1, 0.5, 0.2]);
  const m = evaluateRanking(pred, truth, { ks: [1, 3], propensities: p, metrics: ['PSP', 'PSnDCG'] });
  // Gains @1: row0 label 2 → 1, row1 label 1 → 4, row3 label 4 → 5: sum 10.
  // Ideal @1: row0 max(2, 1) = 2, row1 4, row3 max(2, 4, 2, 5) = 5: sum 11.
  close(m['PSP@1']!, 10 / 11, 'PSP@1');
  // Gains @3: row0 1 + 2 = 3, row1 4, row3 5 + 2 = 7: 14. Ideal @3: row0 2 + 1, row1 4, row3 5 + 4 + 2: 18.
  close(m['PSP@3']!, 14 / 18, 'PSP@3');
  // PSnDCG@3: per row PSDCG / IDCG(min(3, |y|)), summed, over the same for the ideal ranking.
  const got = 1 / idcg2 * (1 + 2 * 0.5) + 4 + (5 + 2 * 0.5) / idcg3;
  const best = (2 + 1 * c) / idcg2 + 4 + (5 + 4 * c + 2 * 0.5) / idcg3;
  close(m['PSnDCG@3']!, got / best, 'PSnDCG@3');
  close(m['PSnDCG@1']!, (1 / 1 + 4 + 5) / (2 + 4 + 5), 'PSnDCG@1');
  // A perfect ranking (true labels by decreasing 1/p) scores 1.
  const perfect = rankedFromLists([[0, 2], [1], [], [4, 1, 0]], 3);
  const mp = evaluateRanking(perfect, truth, { ks: [1, 2, 3], propensities: p, metrics: ['PSP', 'PSnDCG'] });
  for (const v of Object.values(mp)) close(v, 1, 'perfect');
});

test('propensities of Jain et al. (2016) for hand-computed counts', () => {
  // N = 100, A = 0.55, B = 1.5: C = (ln 100 − 1)·2.5^0.55 = 5.967504781407847,
  // p = 1 / (1 + C·(N_l + 1.5)^−0.55):
  const p = propensities([0, 1, 9, 99], 100);
  close(p[0]!, 0.17317032497262708, 'N_l = 0');
  close(p[1]!, 0.21714724095162588, 'N_l = 1');
  close(p[2]!, 0.37917003532992044, 'N_l = 9');
  close(p[3]!, 0.6790169711897959, 'N_l = 99');
  // Settable constants; frequent labels have higher propensity.
  const q = propensities([1, 10, 100], 1000, { a: 0.5, b: 0.4 });
  assert.ok(q[0]! < q[1]! && q[1]! < q[2]!);
  close(q[0]!, 1 / (1 + (Math.log(1000) - 1) * Math.pow(1.4, 0.5) * Math.pow(1.4, -0.5)), 'a = 0.5, b = 0.4');
  const fromY = propensitiesFromLabels(truth);
  assert.deepEqual([...fromY], [...propensities([2, 2, 1, 1, 1], 4)]);
  assert.throws(() => propensities([1], 0), RangeError);
});

test('argument checks', () => {
  assert.throws(() => evaluateRanking(pred, truth, { ks: [4] }), /each k must be an integer in \[1, 3\]/);
  assert.throws(() => evaluateRanking(pred, truth, { ks: [1], metrics: ['PSP'] }), /needs 'propensities'/);
  assert.throws(() => evaluateRanking(pred, truth, { ks: [1], metrics: ['MAP'] }), /unknown metric 'MAP'/);
  assert.throws(() => evaluateRanking(rankedFromLists([[1]], 1), truth, { ks: [1] }), /1 rows but the ground truth has 4/);
});

test('a label predicted twice counts once; padding never hits', () => {
  const t = fromDense(1, 3, [1, 1, 0]);
  const m = evaluateRanking(rankedFromLists([[0, 0, -1]], 3), t, { ks: [3] });
  close(m['P@3']!, 1 / 3, 'P@3');
});

/** An independent reference in numpy, written from the definitions (pyxclib conventions). */
function numpyReference(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import numpy'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return undefined;
}

test('agrees with a numpy reference on random data', (t) => {
  const py = numpyReference();
  if (!py) { t.skip('numpy is not available'); return; }
  const rng = new Rng(9);
  const n = 200, L = 30, K = 5;
  const dense = new Float64Array(n * L);
  for (let i = 0; i < n * L; i++) if (rng.next() < 0.1) dense[i] = 1;
  const Y = fromDense(n, L, dense);
  const lists = Array.from({ length: n }, () => {
    const perm = rng.shuffle(Array.from({ length: L }, (_, i) => i));
    return perm.slice(0, rng.int(K + 1));
  });
  const counts = Array.from({ length: L }, () => rng.int(50));
  const prop = propensities(counts, 500);
  const ours = evaluateRanking(rankedFromLists(lists, K), Y, { ks: [1, 3, 5], propensities: prop });
  const script = `
import json, sys, numpy as np
d = json.load(sys.stdin)
Y = np.array(d['Y']).reshape(${n}, ${L}); inv = 1 / np.array(d['p']); K = ${K}
idx = np.full((${n}, K), -1)
for i, l in enumerate(d['lists']): idx[i, :len(l)] = l
hit = np.where(idx >= 0, Y[np.arange(${n})[:, None], np.maximum(idx, 0)], 0)
disc = 1 / np.log2(np.arange(K) + 2); cnt = Y.sum(1).astype(int)
ideal_g = -np.sort(-(Y * inv), axis=1)[:, :K]
out = {}
for k in (1, 3, 5):
    out['P@%d' % k] = hit[:, :k].sum() / (k * ${n})
    idcg = np.array([disc[:min(k, c)].sum() if c > 0 else 1.0 for c in cnt])
    out['nDCG@%d' % k] = np.mean((hit[:, :k] * disc[:k]).sum(1) / idcg)
    out['R@%d' % k] = np.mean(np.where(cnt > 0, hit[:, :k].sum(1) / np.maximum(cnt, 1), 0))
    g = hit * np.where(idx >= 0, inv[np.maximum(idx, 0)], 0)
    out['PSP@%d' % k] = g[:, :k].sum() / ideal_g[:, :k].sum()
    out['PSnDCG@%d' % k] = ((g[:, :k] * disc[:k]).sum(1) / idcg).sum() / ((ideal_g[:, :k] * disc[:k]).sum(1) / idcg).sum()
print(json.dumps(out))
`;
  const r = spawnSync(py, ['-c', script], { input: JSON.stringify({ Y: [...dense], p: [...prop], lists }), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as Record<string, number>;
  assert.deepEqual(Object.keys(ours).sort(), Object.keys(ref).sort());
  for (const key of Object.keys(ref)) assert.ok(Math.abs(ours[key]! - ref[key]!) < 1e-12, `${key}: ${ours[key]} vs numpy ${ref[key]}`);
});

test('evaluateAgainstTraining: propensities from training counts, unseen test labels get N_l = 0', () => {
  // Train: 4 points over 5 labels (counts [2, 2, 1, 1, 1]); test truth has a sixth label never seen in training.
  const test6 = fromDense(1, 6, [0, 0, 0, 0, 0, 1]);
  const r = rankedFromLists([[5, 0]], 2);
  const m = evaluateAgainstTraining(r, test6, truth, { ks: [1, 2], metrics: ['P', 'PSP'] });
  close(m['P@1']!, 1, 'P@1');
  close(m['PSP@1']!, 1, 'PSP@1 (the only true label is ranked first)');
  const p = propensities([2, 2, 1, 1, 1, 0], 4);
  // @2: gain 1/p5 at rank 1, miss at rank 2; ideal: 1/p5 then nothing.
  close(m['PSP@2']!, (1 / p[5]!) / (1 / p[5]!), 'PSP@2');
  assert.throws(() => evaluateRanking(r, test6, { ks: [1], propensities: propensities([1, 1, 1, 1, 1], 4) }), /'propensities' has 5 entries but the ground truth has 6 labels/);
});
