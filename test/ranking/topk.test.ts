import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/util/rng.js';
import { rankedFromLists, topKRows } from '../../src/ranking/topk.js';
import { topKDenseImpl, topKDenseRowsImpl, topKSparseImpl } from '../../src/ranking/topk_impl.js';
import { InvalidArgumentError } from '../../src/errors.js';

/** Seeded uniform numbers in [0, 1) (xmlc's own generator). */
function seededUniform(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

/** Reference: full sort of (score, id), score descending then id ascending, after filtering. */
function reference(ids: number[], scores: number[], k: number, onlyPositive = false): number[] {
  return scores
    .map((s, c) => [s, ids[c]!] as const)
    .filter(([s]) => s > -Infinity && (!onlyPositive || s > 0)) // drops NaN too
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, k)
    .map(([, id]) => id);
}

const padded = (labels: number[], k: number): number[] => [...labels, ...Array<number>(k - labels.length).fill(-1)];

/** Run topKDenseImpl into a window of a larger buffer, checking nothing outside it is touched. */
function dense(scores: number[], k: number, onlyPositive = false): { labels: number[]; scores: number[]; count: number } {
  const labels = new Int32Array(k + 3).fill(99), out = new Float32Array(k + 3).fill(99);
  const count = topKDenseImpl(scores, scores.length, k, labels, out, 2, onlyPositive);
  assert.deepEqual([...labels.subarray(0, 2), labels[k + 2]], [99, 99, 99], 'writes only [offset, offset + k)');
  assert.deepEqual([...out.subarray(0, 2), out[k + 2]], [99, 99, 99], 'writes only [offset, offset + k)');
  return { labels: [...labels.subarray(2, k + 2)], scores: [...out.subarray(2, k + 2)], count };
}

test('ties go to the smaller label id', () => {
  assert.deepEqual(dense([0.5, 0.9, 0.5, 0.9, 0.1], 4).labels, [1, 3, 0, 2]);
  assert.deepEqual(dense([0.5, 0.9, 0.5, 0.9, 0.1], 3).labels, [1, 3, 0]);
  // The tie at the cut-off: of the three 0.5s, the two smallest ids survive.
  assert.deepEqual(dense([0.5, 1, 0.5, 0.5], 3).labels, [1, 0, 2]);
  assert.deepEqual(dense([0.5, 1, 0.5, 0.5], 3).scores, [1, 0.5, 0.5]);
});

test('all-equal scores rank by id', () => {
  assert.deepEqual(dense([2, 2, 2, 2, 2], 3).labels, [0, 1, 2]);
  assert.deepEqual(dense([-7, -7, -7], 3).labels, [0, 1, 2]);
});

test('k > n pads with −1 / −Infinity; k = n; n = 0', () => {
  const more = dense([2, 3, 1], 5);
  assert.deepEqual(more.labels, [1, 0, 2, -1, -1]);
  assert.deepEqual(more.scores, [3, 2, 1, -Infinity, -Infinity]);
  assert.equal(more.count, 3);
  const equal = dense([3, 1, 2], 3);
  assert.deepEqual(equal.labels, [0, 2, 1]);
  assert.equal(equal.count, 3);
  const none = dense([], 2);
  assert.deepEqual(none.labels, [-1, -1]);
  assert.deepEqual(none.scores, [-Infinity, -Infinity]);
  assert.equal(none.count, 0);
  assert.equal(dense([1, 2], 0).count, 0, 'k = 0 writes nothing');
});

test('negative scores rank normally unless onlyPositive', () => {
  assert.deepEqual(dense([-3, -1, -2, -0.5], 4).labels, [3, 1, 2, 0]);
  assert.deepEqual(dense([-3, -1, -2, -0.5], 4, true).labels, [-1, -1, -1, -1]);
  // onlyPositive keeps scores > 0 only: 0 and −0 are dropped as well.
  const r = dense([0, 0.25, -0, -1, 2, 0.25], 5, true);
  assert.deepEqual(r.labels, [4, 1, 5, -1, -1]);
  assert.equal(r.count, 3);
});

test('NaN and −Infinity are never selected, +Infinity is', () => {
  assert.deepEqual(dense([NaN, -Infinity, -1, 0, 2], 5).labels, [4, 3, 2, -1, -1]);
  assert.deepEqual(dense([NaN, NaN], 2).labels, [-1, -1]);
  assert.deepEqual(dense([-Infinity, 1, Infinity, NaN], 4).labels, [2, 1, -1, -1]);
  assert.deepEqual(dense([NaN, -1, 0, 2, 0.5], 5, true).labels, [3, 4, -1, -1, -1]);
});

test('sparse candidates: any order, arbitrary ids, same rules', () => {
  const labels = new Int32Array(4), scores = new Float32Array(4);
  const count = topKSparseImpl([40, 7, 12, 3, 9], [0.5, 0.5, NaN, 0.9, -Infinity], 5, 4, labels, scores, 0);
  assert.equal(count, 3);
  assert.deepEqual([...labels], [3, 7, 40, -1]);
  assert.deepEqual([...scores], [Math.fround(0.9), 0.5, 0.5, -Infinity]); // written as float32
  // count limits the candidates read.
  topKSparseImpl([5, 6, 7], [1, 2, 3], 2, 2, labels, scores, 2);
  assert.deepEqual([...labels.subarray(2)], [6, 5]);
});

test('random dense and sparse inputs match a full sort (many ties)', () => {
  const rand = seededUniform(17);
  const int = (m: number): number => Math.floor(rand() * m);
  for (let trial = 0; trial < 500; trial++) {
    const n = int(80), k = 1 + int(15);
    const scores = Array.from({ length: n }, () => {
      const u = rand();
      return u < 0.05 ? NaN : u < 0.1 ? -Infinity : int(9) - 3 + (rand() < 0.3 ? 0.5 : 0);
    });
    const onlyPositive = rand() < 0.3;
    const expected = reference(scores.map((_, i) => i), scores, k, onlyPositive);
    const r = dense(scores, k, onlyPositive);
    assert.deepEqual(r.labels, padded(expected, k), `dense trial ${trial}`);
    assert.equal(r.count, expected.length);
    assert.deepEqual(r.scores.slice(0, expected.length), expected.map((i) => scores[i]));
    // The same candidates, shuffled, with ids 3i + 1 (so ids are not positions).
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) { const j = int(i + 1); [order[i], order[j]] = [order[j]!, order[i]!]; }
    const ids = order.map((i) => 3 * i + 1), vals = order.map((i) => scores[i]!);
    const lab = new Int32Array(k), sc = new Float32Array(k);
    const count = topKSparseImpl(ids, Float64Array.from(vals), n, k, lab, sc, 0, onlyPositive);
    assert.equal(count, expected.length);
    assert.deepEqual([...lab], padded(expected.map((i) => 3 * i + 1), k), `sparse trial ${trial}`);
  }
});

test('topKRows ranks each row of a dense matrix', () => {
  const r = topKRows(Float32Array.from([0.1, 0.9, 0.5, /**/ 3, 2, 1]), 2, 3, 2);
  assert.equal(r.nRows, 2);
  assert.equal(r.k, 2);
  assert.deepEqual([...r.labels], [1, 2, 0, 1]);
  assert.deepEqual([...r.scores], [Math.fround(0.9), 0.5, 3, 2]);
  // k > nCols, onlyPositive, and nCols = 0 / nRows = 0.
  const p = topKRows(Float32Array.from([0, -1, 2, /**/ 1, 1, 1]), 2, 3, 4, { onlyPositive: true });
  assert.deepEqual([...p.labels], [2, -1, -1, -1, 0, 1, 2, -1]);
  assert.deepEqual([...topKRows(new Float32Array(0), 2, 0, 1).labels], [-1, -1]);
  const empty = topKRows(new Float32Array(0), 0, 5, 3);
  assert.equal(empty.labels.length, 0);
  // Matches a full sort row by row on random data.
  const rand = seededUniform(5);
  // Rows of 75 columns: the native kernel's 16-wide threshold test, ties, NaN and −Infinity.
  const nRows = 30, nCols = 75, k = 7;
  const s = Float32Array.from({ length: nRows * nCols }, () => { const u = rand(); return u < 0.04 ? NaN : u < 0.08 ? -Infinity : Math.floor(rand() * 6) - 2; });
  const m = topKRows(s, nRows, nCols, k);
  for (let i = 0; i < nRows; i++) {
    const row = [...s.subarray(i * nCols, (i + 1) * nCols)];
    assert.deepEqual([...m.labels.subarray(i * k, (i + 1) * k)], padded(reference(row.map((_, j) => j), row, k), k));
  }
  // The impl writes the same as the wrapper.
  const labels = new Int32Array(nRows * k), out = new Float32Array(nRows * k);
  topKDenseRowsImpl(s, nRows, nCols, k, labels, out);
  assert.deepEqual(labels, m.labels);
  assert.deepEqual(out, m.scores);
});

test('topKRows validates its arguments with messages naming them', () => {
  assert.throws(() => topKRows(new Float32Array(6), 2, 3, 0), { name: 'InvalidArgumentError', message: "'k' passed to topKRows() must be >= 1 but got 0" });
  assert.throws(() => topKRows(new Float32Array(6), 2, 3, 1.5), { name: 'InvalidArgumentError', message: "'k' passed to topKRows() must be an integer but got 1.5" });
  assert.throws(() => topKRows(new Float32Array(6), 2, 3, NaN), /'k' passed to topKRows\(\) must be an integer but got NaN/);
  assert.throws(() => topKRows(new Float32Array(5), 2, 3, 1), /'scores' passed to topKRows\(\) must have nRows × nCols = 6 entries but has 5/);
  assert.throws(() => topKRows(new Float32Array(0), -1, 3, 1), /'nRows' passed to topKRows\(\) must be >= 0 but got -1/);
  assert.throws(() => topKRows(new Float32Array(0), 0, 2.5, 1), /'nCols' passed to topKRows\(\) must be an integer but got 2.5/);
  assert.throws(() => topKRows([1, 2] as unknown as Float32Array, 1, 2, 1), InvalidArgumentError);
});

test('the impl functions refuse an output window that does not fit', () => {
  const labels = new Int32Array(4), scores = new Float32Array(4);
  assert.throws(() => topKDenseImpl([1, 2, 3], 3, 3, labels, scores, 2), /output window \[offset, offset \+ k\) = \[2, 5\)/);
  assert.throws(() => topKDenseImpl([1, 2, 3], 4, 1, labels, scores, 0), /n must be in \[0, scores.length = 3\]/);
  assert.throws(() => topKSparseImpl([1], [1, 2], 2, 1, labels, scores, 0), /count must be in \[0, min\(ids.length, vals.length\) = 1\]/);
  assert.throws(() => topKSparseImpl([1], [1], 1, 2, labels, new Float32Array(1), 0), InvalidArgumentError);
});

test('rankedFromLists: width, truncation, padding, validation', () => {
  const r = rankedFromLists([[3, 1], [2], []]);
  assert.equal(r.k, 2);
  assert.deepEqual([...r.labels], [3, 1, 2, -1, -1, -1]);
  assert.deepEqual([...r.scores], [2, 1, 2, -Infinity, -Infinity, -Infinity]);
  const cut = rankedFromLists([[5, 4, 3, 2]], 2);
  assert.deepEqual([...cut.labels], [5, 4]);
  const explicitPad = rankedFromLists([[0, -1, 2]], 3);
  assert.deepEqual([...explicitPad.labels], [0, -1, 2]);
  assert.deepEqual([...explicitPad.scores], [3, -Infinity, 1]);
  assert.equal(rankedFromLists([]).k, 1);
  assert.equal(rankedFromLists([]).nRows, 0);
  assert.throws(() => rankedFromLists([[1]], 0), /'k' passed to rankedFromLists\(\) must be >= 1 but got 0/);
  assert.throws(() => rankedFromLists([[1, 2.5]]), /lists\[0\]\[1\] is 2.5/);
  assert.throws(() => rankedFromLists([[-2]]), /lists\[0\]\[0\] is -2/);
});
