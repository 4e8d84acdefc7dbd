import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyCsr, fromDense } from '../../src/data/csr.js';
import {
  accumulateRankingSums, evaluateAgainstTraining, evaluateRanking, isMetricFamily, METRIC_FAMILIES, METRICS,
  ndcgAtK, precisionAtK, propensities, psndcgAtK, pspAtK, rankedFromLists, recallAtK,
} from '../../src/metrics/index.js';
import { topKRows } from '../../src/ranking/topk.js';
import { InvalidArgumentError } from '../../src/errors.js';

/** |actual − expected| < 1e-12, with a readable message. */
function close(actual: number | undefined, expected: number, what: string): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-12, `${what}: got ${actual}, expected ${expected}`);
}

// ---------------------------------------------------------------------------------------------
// Fixture: 4 points, 8 labels, rankings of width 5 made by topKRows(onlyPositive), so the
// tie-breaking and filtering rules are part of it.
//
//            label:  0    1    2    3    4    5     6     7
const SCORES = Float32Array.from([
  /* row 0 */        0.9, 0.3, 0.9, 0.1, 0.5, 0,    0.3,  0.2,
  /* row 1 */        -1,  0.7, 0,   0,   0.7, -0.5, 0,    0,
  /* row 2 */        0.2, 0.2, 0.2, 0.2, 0.2, 0.2,  0.2,  0.2,
  /* row 3 */        0.1, 0.6, 0.2, 0.6, 0.9, NaN,  0.05, 0.3,
]);
// Top-5 (ties → smaller label; NaN, 0 and negative scores dropped by onlyPositive):
//   row 0: 0.9 tie {0, 2} → 0, 2; then 4 (0.5); 0.3 tie {1, 6} → 1, 6      ⇒ [0, 2, 4, 1, 6]
//          (true label 5 has score 0 and is never ranked)
//   row 1: only two positive scores, tie 0.7 {1, 4}                        ⇒ [1, 4, −1, −1, −1]
//   row 2: all equal                                                      ⇒ [0, 1, 2, 3, 4]
//   row 3: 4 (0.9); 0.6 tie {1, 3}; 7 (0.3); 2 (0.2); NaN at 5 dropped       ⇒ [4, 1, 3, 7, 2]
const PRED = topKRows(SCORES, 4, 8, 5, { onlyPositive: true });
// Ground truth and hits:
//   row 0: {0, 2, 5}           |y| = 3   hits at ranks 1, 2
//   row 1: {1}                 |y| = 1   hit at rank 1 (then padding)
//   row 2: {}                  |y| = 0   contributes 0 to every metric but counts in the mean
//   row 3: {0, 1, 3, 4, 6, 7}  |y| = 6   hits at ranks 1, 2, 3, 4 (rank 5, label 2, misses)
const TRUTH = fromDense(4, 8, [
  1, 0, 1, 0, 0, 1, 0, 0,
  0, 1, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0,
  1, 1, 0, 1, 1, 0, 1, 1,
]);
// Hand-chosen propensities; gains 1/p = [2, 4, 4, 2, 5, 1.25, 2.5, 1].
const PROP = Float64Array.from([0.5, 0.25, 0.25, 0.5, 0.2, 0.8, 0.4, 1]);
// Discounts d_j = 1/log2(j + 1) of ranks 1..5, and IDCG(m) = d_1 + … + d_m.
const D1 = 1, D2 = 1 / Math.log2(3), D3 = 0.5, D4 = 1 / Math.log2(5), D5 = 1 / Math.log2(6);
const I1 = D1, I3 = D1 + D2 + D3, I5 = D1 + D2 + D3 + D4 + D5;
const KS = [1, 3, 5];
// ---------------------------------------------------------------------------------------------

test('the fixture ranking (ties, padding, NaN, all-equal row)', () => {
  assert.deepEqual([...PRED.labels], [0, 2, 4, 1, 6, /**/ 1, 4, -1, -1, -1, /**/ 0, 1, 2, 3, 4, /**/ 4, 1, 3, 7, 2]);
  assert.deepEqual([...PRED.scores.subarray(7, 10)], [-Infinity, -Infinity, -Infinity]);
});

test('P@k, nDCG@k and R@k at k = 1, 3, 5 by hand', () => {
  const m = evaluateRanking(PRED, TRUTH, { ks: KS });
  assert.deepEqual(Object.keys(m), ['P@1', 'P@3', 'P@5', 'nDCG@1', 'nDCG@3', 'nDCG@5', 'R@1', 'R@3', 'R@5']);
  // P@k = mean over the 4 rows of hits/k:
  close(m['P@1'], (1 + 1 + 0 + 1) / 4, 'P@1');                 // = 3/4
  close(m['P@3'], (2 / 3 + 1 / 3 + 0 + 3 / 3) / 4, 'P@3');     // = 1/2
  close(m['P@5'], (2 / 5 + 1 / 5 + 0 + 4 / 5) / 4, 'P@5');     // = 7/20
  close(m['P@5'], 7 / 20, 'P@5 as a fraction');
  // nDCG@k = mean of DCG@k / IDCG(min(k, |y|)):
  //   @1: every row with labels has a hit at rank 1 → (1 + 1 + 0 + 1)/4
  close(m['nDCG@1'], 3 / 4, 'nDCG@1');
  //   @3: row 0 (d1 + d2)/IDCG(3); row 1 d1/IDCG(1) = 1; row 3 (d1 + d2 + d3)/IDCG(3) = 1
  close(m['nDCG@3'], ((D1 + D2) / I3 + 1 + 0 + 1) / 4, 'nDCG@3');
  //   @5: row 0 (d1 + d2)/IDCG(min(5, 3)); row 1 1; row 3 (d1 + d2 + d3 + d4)/IDCG(5)
  close(m['nDCG@5'], ((D1 + D2) / I3 + 1 + 0 + (D1 + D2 + D3 + D4) / I5) / 4, 'nDCG@5');
  // R@k = mean of hits/|y| (0 for row 2):
  close(m['R@1'], (1 / 3 + 1 + 0 + 1 / 6) / 4, 'R@1');          // = 3/8
  close(m['R@3'], (2 / 3 + 1 + 0 + 3 / 6) / 4, 'R@3');          // = 13/24
  close(m['R@5'], (2 / 3 + 1 + 0 + 4 / 6) / 4, 'R@5');          // = 7/12
  close(m['R@3'], 13 / 24, 'R@3 as a fraction');
});

test('PSP@k and PSnDCG@k at k = 1, 3, 5 by hand (pyxclib normalisation: ratio of dataset sums)', () => {
  const m = evaluateRanking(PRED, TRUTH, { ks: KS, propensities: PROP });
  assert.deepEqual(Object.keys(m).filter((key) => key.startsWith('PS')), ['PSP@1', 'PSP@3', 'PSP@5', 'PSnDCG@1', 'PSnDCG@3', 'PSnDCG@5']);
  // Per-rank gains of the predictions ([l ∈ y]/p_l) and of the best ranking (y by decreasing 1/p):
  //   row 0: preds [0, 2, 4, 1, 6] → [2, 4, 0, 0, 0]    best: {0:2, 2:4, 5:1.25} → [4, 2, 1.25]
  //   row 1: preds [1, 4, −, −, −] → [4, 0, 0, 0, 0]    best: [4]
  //   row 2: nothing                                    best: nothing
  //   row 3: preds [4, 1, 3, 7, 2] → [5, 4, 2, 1, 0]    best: [5, 4, 2.5, 2, 2] (then 1)
  // PSP@k = Σ_rows gains@k / Σ_rows best gains@k:
  close(m['PSP@1'], (2 + 4 + 5) / (4 + 4 + 5), 'PSP@1');                          // = 11/13
  close(m['PSP@3'], (6 + 4 + 11) / (7.25 + 4 + 11.5), 'PSP@3');                   // = 21/22.75 = 12/13
  close(m['PSP@3'], 12 / 13, 'PSP@3 as a fraction');
  close(m['PSP@5'], (6 + 4 + 12) / (7.25 + 4 + 15.5), 'PSP@5');                   // = 88/107
  // PSnDCG@k = Σ_rows PSDCG@k / IDCG(min(k, |y|))  ÷  Σ_rows PSDCG*@k / IDCG(min(k, |y|)),
  // the normaliser being the count-based IDCG of the row (as in pyxclib's psndcg):
  //   @1: all normalisers are IDCG(1) = 1 → (2 + 4 + 5)/(4 + 4 + 5)
  close(m['PSnDCG@1'], (2 * D1 / I1 + 4 + 5 * D1 / I1) / (4 * D1 / I1 + 4 + 5 * D1 / I1), 'PSnDCG@1');
  close(m['PSnDCG@1'], 11 / 13, 'PSnDCG@1 as a fraction');
  //   @3: row 0 (2d1 + 4d2)/I3 over (4d1 + 2d2 + 1.25d3)/I3; row 1 4 over 4;
  //       row 3 (5d1 + 4d2 + 2d3)/I3 over (5d1 + 4d2 + 2.5d3)/I3
  const num3 = (2 * D1 + 4 * D2) / I3 + 4 + (5 * D1 + 4 * D2 + 2 * D3) / I3;
  const den3 = (4 * D1 + 2 * D2 + 1.25 * D3) / I3 + 4 + (5 * D1 + 4 * D2 + 2.5 * D3) / I3;
  close(m['PSnDCG@3'], num3 / den3, 'PSnDCG@3');
  //   @5: row 0 as at 3 (its normaliser stays IDCG(min(5, 3)) = I3); row 1 4 over 4;
  //       row 3 (5d1 + 4d2 + 2d3 + 1d4)/I5 over (5d1 + 4d2 + 2.5d3 + 2d4 + 2d5)/I5
  const num5 = (2 * D1 + 4 * D2) / I3 + 4 + (5 * D1 + 4 * D2 + 2 * D3 + 1 * D4) / I5;
  const den5 = (4 * D1 + 2 * D2 + 1.25 * D3) / I3 + 4 + (5 * D1 + 4 * D2 + 2.5 * D3 + 2 * D4 + 2 * D5) / I5;
  close(m['PSnDCG@5'], num5 / den5, 'PSnDCG@5');
  // Not the mean of per-row ratios, which would give PSP@1 = (2/4 + 4/4 + 0 + 5/5)/4 = 0.625.
  assert.ok(Math.abs(m['PSP@1']! - 0.625) > 0.2);
});

test('a perfect ranking (true labels by decreasing 1/p) has PSP = PSnDCG = 1 at every k', () => {
  const perfect = rankedFromLists([[2, 0, 5], [1], [], [4, 1, 6, 0, 3]], 5);
  const m = evaluateRanking(perfect, TRUTH, { ks: KS, propensities: PROP, metrics: ['PSP', 'PSnDCG'] });
  for (const [key, v] of Object.entries(m)) close(v, 1, key);
});

test('the single-metric functions and the registry agree with evaluateRanking', () => {
  const m = evaluateRanking(PRED, TRUTH, { ks: KS, propensities: PROP });
  for (const k of KS) {
    close(precisionAtK(PRED, TRUTH, k), m[`P@${k}`]!, `precisionAtK ${k}`);
    close(ndcgAtK(PRED, TRUTH, k), m[`nDCG@${k}`]!, `ndcgAtK ${k}`);
    close(recallAtK(PRED, TRUTH, k), m[`R@${k}`]!, `recallAtK ${k}`);
    close(pspAtK(PRED, TRUTH, k, PROP), m[`PSP@${k}`]!, `pspAtK ${k}`);
    close(psndcgAtK(PRED, TRUTH, k, PROP), m[`PSnDCG@${k}`]!, `psndcgAtK ${k}`);
  }
  const sums = accumulateRankingSums(PRED, TRUTH, 5, PROP);
  for (const f of METRIC_FAMILIES) for (const k of KS) close(METRICS[f](sums, k), m[`${f}@${k}`]!, `METRICS.${f} @${k}`);
  assert.ok(Object.isFrozen(METRICS));
  assert.deepEqual(Object.keys(METRICS), ['P', 'nDCG', 'PSP', 'PSnDCG', 'R']);
  assert.ok(isMetricFamily('PSnDCG') && !isMetricFamily('toString') && !isMetricFamily('p'));
  // Default families: P, nDCG, R; with propensities all five.
  assert.deepEqual(Object.keys(evaluateRanking(PRED, TRUTH, { ks: [1] })), ['P@1', 'nDCG@1', 'R@1']);
  assert.deepEqual(Object.keys(evaluateRanking(PRED, TRUTH, { ks: [1], propensities: PROP })), ['P@1', 'nDCG@1', 'PSP@1', 'PSnDCG@1', 'R@1']);
  assert.deepEqual(Object.keys(evaluateRanking(PRED, TRUTH, { ks: [3, 1], metrics: ['R', 'P'] })), ['R@3', 'R@1', 'P@3', 'P@1']);
});

test('a label predicted twice counts once; padding and unknown ids never hit', () => {
  // Truth {0, 1} over 3 labels; ranking [0, 0, −1, 7, 1]: hits at ranks 1 and 5 only.
  const t = fromDense(1, 3, [1, 1, 0]);
  const p = Float64Array.from([0.5, 0.25, 1]); // gains 2, 4, 1
  const m = evaluateRanking(rankedFromLists([[0, 0, -1, 7, 1]], 5), t, { ks: [1, 2, 5], propensities: p });
  close(m['P@2'], 1 / 2, 'P@2');
  close(m['P@5'], 2 / 5, 'P@5');
  close(m['R@2'], 1 / 2, 'R@2');
  close(m['R@5'], 1, 'R@5');
  close(m['nDCG@5'], (D1 + D5) / (D1 + D2), 'nDCG@5');            // normaliser IDCG(min(5, 2))
  close(m['PSP@1'], 2 / 4, 'PSP@1');                                // best first gain is 4
  close(m['PSP@5'], (2 + 4) / (4 + 2), 'PSP@5');
  close(m['PSnDCG@5'], (2 * D1 + 4 * D5) / (4 * D1 + 2 * D2), 'PSnDCG@5');
});

test('degenerate inputs: no rows, no true labels at all', () => {
  const none = evaluateRanking(rankedFromLists([], 3), emptyCsr(0, 4), { ks: [1, 3], propensities: new Float64Array(4).fill(0.5) });
  for (const v of Object.values(none)) assert.equal(v, 0);
  const empty = evaluateRanking(rankedFromLists([[0, 1], [2]], 2), emptyCsr(2, 4), { ks: [2], propensities: new Float64Array(4).fill(0.5) });
  assert.deepEqual(empty, { 'P@2': 0, 'nDCG@2': 0, 'PSP@2': 0, 'PSnDCG@2': 0, 'R@2': 0 });
});

test('argument checks', () => {
  assert.throws(() => evaluateRanking(PRED, TRUTH, { ks: [6] }), /each k must be an integer in \[1, 5\] \(the ranking's width\) but got 6/);
  assert.throws(() => evaluateRanking(PRED, TRUTH, { ks: [0] }), InvalidArgumentError);
  assert.throws(() => evaluateRanking(PRED, TRUTH, { ks: [1.5] }), InvalidArgumentError);
  assert.throws(() => precisionAtK(PRED, TRUTH, 6), /precisionAtK\(\): each k must be/);
  assert.throws(() => evaluateRanking(PRED, TRUTH, { ks: [1], metrics: ['PSP'] }), /metric 'PSP' needs 'propensities'/);
  assert.throws(() => evaluateRanking(PRED, TRUTH, { ks: [1], metrics: ['MAP'] }), /unknown metric 'MAP'/);
  assert.throws(() => evaluateRanking(PRED, TRUTH, { ks: [1], metrics: ['toString'] }), /unknown metric 'toString'/);
  assert.throws(() => evaluateRanking(rankedFromLists([[1]], 1), TRUTH, { ks: [1] }), /predictions have 1 rows but the ground truth has 4/);
  assert.throws(() => evaluateRanking(PRED, TRUTH, { ks: [1], propensities: PROP.subarray(0, 7) }), /'propensities' has 7 entries but the ground truth has 8 labels/);
  const bad = PROP.slice(); bad[3] = 0;
  assert.throws(() => pspAtK(PRED, TRUTH, 1, bad), /propensity 3 must be finite and > 0 but is 0/);
  assert.throws(() => evaluateRanking({ nRows: 4, k: 5, labels: new Int32Array(19), scores: new Float32Array(19) }, TRUTH, { ks: [1] }), /must have nRows × k = 20 entries/);
});

test('evaluateAgainstTraining: propensities from training counts; unseen test labels get N_l = 0', () => {
  // Training labels = TRUTH (4 points; counts [2, 2, 1, 1, 2, 1, 1, 1]); the test truth has a
  // ninth label never seen in training.
  const test9 = fromDense(1, 9, [0, 0, 0, 0, 0, 0, 0, 0, 1]);
  const r = rankedFromLists([[8, 0]], 2);
  const m = evaluateAgainstTraining(r, test9, TRUTH, { ks: [1, 2], metrics: ['P', 'PSP'] });
  close(m['P@1'], 1, 'P@1');
  close(m['P@2'], 1 / 2, 'P@2');
  close(m['PSP@1'], 1, 'PSP@1: the only true label is ranked first');
  close(m['PSP@2'], 1, 'PSP@2');
  const p = propensities([2, 2, 1, 1, 2, 1, 1, 1, 0], 4);
  const direct = evaluateRanking(r, test9, { ks: [1, 2], propensities: p, metrics: ['P', 'PSP'] });
  assert.deepEqual(m, direct);
});
