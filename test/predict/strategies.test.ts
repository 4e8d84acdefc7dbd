import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromDense, sliceRows } from '../../src/data/csr.js';
import { useBackend } from '../../src/engine/backends.js';
import { ExactDenseIndex } from '../../src/knn/exact_dense.js';
import { normalizeDenseRows } from '../../src/linalg/dense.js';
import { addWeighted, decoderWeightOf, memberScores, rankByStrategy, type ScoringMember, type Strategy } from '../../src/predict/strategies.js';
import { ridgeFromWeights } from '../../src/regression/ridge.js';
import { topKRows } from '../../src/ranking/topk.js';
import { Rng } from '../../src/util/rng.js';

const p = 12, m = 6, L = 40, nTrain = 50, nTest = 37;

/** A member with a random linear regressor, an exact index over random unit points, and a decoder z ↦ z·B whose rows are all negative for some points. */
function member(seed: number): ScoringMember {
  const rng = new Rng(seed);
  const weights = Float32Array.from({ length: p * m }, () => rng.normal());
  const bias = Float32Array.from({ length: m }, () => 0.1 * rng.normal());
  const points = normalizeDenseRows(Float32Array.from({ length: nTrain * m }, () => rng.normal()), nTrain, m);
  const b = Float32Array.from({ length: m * L }, () => rng.normal());
  const decode = (z: Float32Array, n: number): Float32Array => {
    const out = new Float32Array(n * L);
    for (let i = 0; i < n; i++) {
      const negative = z[i * m]! < -0.3; // no positive score in this row: it is not rescaled
      for (let l = 0; l < L; l++) {
        let s = 0;
        for (let c = 0; c < m; c++) s += z[i * m + c]! * b[c * L + l]!;
        out[i * L + l] = negative ? -Math.abs(s) - 0.01 : s;
      }
    }
    return out;
  };
  return { encoder: { dim: m, decode }, regressor: ridgeFromWeights(weights, bias, p, m), index: new ExactDenseIndex(points, nTrain, m), embeddingNorm: 1.37 };
}

/** The reference: memberScores' dense L-wide blocks, averaged by addWeighted, ranked by topKRows (the code before blocks were merged sparsely). */
function reference(x: ReturnType<typeof fromDense>, members: ScoringMember[], y: ReturnType<typeof fromDense>, strategy: Strategy, weight: number, k: number, topK: number) {
  const w = decoderWeightOf(strategy, weight);
  const total = new Float32Array(x.nRows * L);
  for (const mem of members) addWeighted(total, memberScores(mem, x, y, k, w < 1, w > 0), w, members.length);
  return topKRows(total, x.nRows, L, topK, { onlyPositive: strategy === 'knn' });
}

test('rankByStrategy: the same labels and float32 scores, bit for bit, as the dense reference (memberScores + addWeighted), every strategy, 1 and 2 members', async () => {
  await useBackend('cpu');
  const rng = new Rng(4);
  // Features with a few nonzeros per row; labels with non-dyadic weights (every sum rounds).
  const x = fromDense(nTest, p, Array.from({ length: nTest * p }, () => (rng.next() < 0.4 ? rng.next() : 0)));
  const y = fromDense(nTrain, L, Array.from({ length: nTrain * L }, () => (rng.next() < 0.12 ? 0.1 + rng.next() : 0)));
  const members = [member(1), member(2)];
  const cases: [Strategy, number][] = [['knn', 0.5], ['decoder', 0.5], ['average', 0.3], ['average', 0], ['average', 1]];
  let compared = 0;
  for (const nm of [1, 2]) {
    for (const [strategy, weight] of cases) {
      for (const [k, topK] of [[5, 5], [nTrain + 3, L], [1, 3]] as const) {
        const want = reference(x, members.slice(0, nm), y, strategy, weight, k, topK);
        const got = rankByStrategy(x, members.slice(0, nm), y, { strategy, decoderWeight: weight, k, topK });
        const what = `${nm} member(s), ${strategy} w=${weight}, k=${k}, topK=${topK}`;
        assert.deepEqual(Array.from(got.labels), Array.from(want.labels), what);
        assert.deepEqual(Array.from(got.scores), Array.from(want.scores), what);
        compared++;
      }
    }
  }
  assert.equal(compared, 30);
});

test('rankByStrategy: a slice of rows is ranked as within the whole, and progress ends at the last row', async () => {
  await useBackend('cpu');
  const rng = new Rng(9);
  const x = fromDense(nTest, p, Array.from({ length: nTest * p }, () => (rng.next() < 0.4 ? rng.next() : 0)));
  const y = fromDense(nTrain, L, Array.from({ length: nTrain * L }, () => (rng.next() < 0.12 ? 1 : 0)));
  const mem = member(3);
  const done: number[] = [];
  const o = { strategy: 'average', decoderWeight: 0.5, k: 4, topK: 4 } as const;
  const all = rankByStrategy(x, [mem], y, o, (r) => done.push(r));
  assert.equal(done.at(-1), nTest);
  for (let i = 0; i < nTest; i += 9) {
    const e = Math.min(nTest, i + 9);
    const part = rankByStrategy(sliceRows(x, i, e), [mem], y, o);
    assert.deepEqual(Array.from(part.labels), Array.from(all.labels.subarray(i * 4, e * 4)));
    assert.deepEqual(Array.from(part.scores), Array.from(all.scores.subarray(i * 4, e * 4)));
  }
});
