/**
 * The label-clustering forest (src/forest/label_forest.ts): a hand-made case with two separable
 * groups, the structural invariants of every tree on real data (each training point in exactly one
 * leaf, a training point routed at prediction time reaches the leaf that holds it), the scores
 * against a direct computation from the leaves, determinism by seed, and the parameter checks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Csr, csr, normalizeRowsL2, sliceRows } from '../../src/data/csr.js';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { readDataset } from '../../src/data/index.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { type Forest, type ForestParams, forestScores, leavesOf, trainForest } from '../../src/forest/label_forest.js';
import { FOREST_DEFAULTS } from '../../src/model/params.js';

const P: ForestParams = { ...FOREST_DEFAULTS, trees: 3 };

/** Rows given as [index, value] lists. */
function rows(nCols: number, list: readonly (readonly [number, number])[][]): Csr {
  const rowPtr = new Int32Array(list.length + 1), indices: number[] = [], values: number[] = [];
  list.forEach((r, i) => { for (const [j, v] of r) { indices.push(j); values.push(v); } rowPtr[i + 1] = indices.length; });
  return csr(list.length, nCols, rowPtr, Int32Array.from(indices), Float32Array.from(values));
}

test('two separable groups: the root splits them, a new point of each group gets its group\'s labels only', () => {
  // Points 0–5 use features 0–2 and labels {0, 1}; points 6–11 features 3–5 and labels {2}.
  const xs: [number, number][][] = [], ys: [number, number][][] = [];
  for (let i = 0; i < 12; i++) {
    const g = i < 6 ? 0 : 3;
    xs.push([[g + (i % 3), 1] as [number, number], [g + ((i + 1) % 3), 0.5] as [number, number]].sort((a, b) => a[0] - b[0]));
    ys.push(i < 6 ? [[0, 1], [1, 1]] : [[2, 1]]);
  }
  const x = normalizeRowsL2(rows(6, xs)), y = rows(3, ys);
  const f = trainForest(x, y, { ...P, trees: 2, branching: 2, leafSize: 6 });
  for (let t = 0; t < 2; t++) {
    const root = f.roots[t]!;
    assert.equal(f.childPtr[root + 1]! - f.childPtr[root]!, 2, 'the root splits in two');
    const groups = [f.children[f.childPtr[root]!]!, f.children[f.childPtr[root]! + 1]!].map((c) => [...f.leafPoints.subarray(f.leafPtr[c]!, f.leafPtr[c + 1]!)].map((i) => (i < 6 ? 0 : 1)));
    for (const g of groups) assert.equal(new Set(g).size, 1, `a child holds one group: ${g}`);
  }
  const q = normalizeRowsL2(rows(6, [[[1, 1]], [[4, 1], [5, 1]]]));
  const out = new Float32Array(2 * 3);
  forestScores(f, y, q, 0, 2, out);
  assert.deepEqual([...out], [1, 1, 0, 0, 0, 1]);
});

const train = await readDataset(BUNDLED_BIBTEX.train);
const x = normalizeRowsL2(sliceRows(train.features, 0, 1500)), y = sliceRows(train.labels, 0, 1500);
const forest = trainForest(x, y, P);

/** The leaf holding each training point, per tree. */
function leafOfPoint(f: Forest, t: number, n: number): Int32Array {
  const out = new Int32Array(n).fill(-1);
  const stack = [f.roots[t]!];
  while (stack.length) {
    const node = stack.pop()!;
    for (let q = f.childPtr[node]!; q < f.childPtr[node + 1]!; q++) stack.push(f.children[q]!);
    for (let q = f.leafPtr[node]!; q < f.leafPtr[node + 1]!; q++) {
      assert.equal(out[f.leafPoints[q]!], -1, `point ${f.leafPoints[q]} in two leaves of tree ${t}`);
      out[f.leafPoints[q]!] = node;
    }
  }
  return out;
}

test('every tree holds each training point in exactly one leaf, and routing a training point reaches that leaf', () => {
  for (let t = 0; t < P.trees; t++) {
    const holder = leafOfPoint(forest, t, x.nRows);
    assert.ok(holder.every((v) => v >= 0), `tree ${t} misses a point`);
    const reached = new Int32Array(x.nRows);
    leavesOf(forest, t, x, 0, x.nRows, reached);
    assert.deepEqual(reached, holder, `tree ${t}: training routing = prediction routing`);
  }
  // Children come after their parent, and internal nodes hold no points.
  for (let i = 0; i + 1 < forest.childPtr.length; i++) {
    for (let q = forest.childPtr[i]!; q < forest.childPtr[i + 1]!; q++) assert.ok(forest.children[q]! > i);
    if (forest.childPtr[i + 1]! > forest.childPtr[i]!) assert.equal(forest.leafPtr[i + 1], forest.leafPtr[i]);
    else assert.ok(forest.leafPtr[i + 1]! > forest.leafPtr[i]!, `leaf ${i} is empty`);
  }
});

test('scores are the mean over trees of the reached leaf\'s label frequencies (direct computation)', () => {
  const q = sliceRows(x, 0, 40), L = y.nCols;
  const out = new Float32Array(40 * L);
  forestScores(forest, y, q, 0, 40, out);
  const want = new Float64Array(40 * L);
  const leaf = new Int32Array(40);
  for (let t = 0; t < P.trees; t++) {
    leavesOf(forest, t, q, 0, 40, leaf);
    for (let r = 0; r < 40; r++) {
      const pts = forest.leafPoints.subarray(forest.leafPtr[leaf[r]!]!, forest.leafPtr[leaf[r]! + 1]!);
      for (const i of pts) for (let u = y.rowPtr[i]!; u < y.rowPtr[i + 1]!; u++) want[r * L + y.indices[u]!]! += 1 / (pts.length * P.trees);
    }
  }
  for (let v = 0; v < out.length; v++) assert.ok(Math.abs(out[v]! - want[v]!) < 1e-6, `entry ${v}`);
  // A training point's own labels score at least 1/leafSize in each tree it sits in alone or with few others.
  for (let r = 0; r < 40; r++) for (let u = y.rowPtr[r]!; u < y.rowPtr[r + 1]!; u++) assert.ok(out[r * L + y.indices[u]!]! >= 1 / P.leafSize - 1e-6);
});

test('same seed, same forest; another seed, another forest; leaves stay within leafSize unless a split is impossible', () => {
  const again = trainForest(x, y, P);
  assert.deepEqual(again, forest);
  const other = trainForest(x, y, { ...P, seed: 1 });
  assert.notDeepEqual(other.leafPoints, forest.leafPoints);
  let big = 0;
  for (let i = 0; i + 1 < forest.leafPtr.length; i++) if (forest.leafPtr[i + 1]! - forest.leafPtr[i]! > P.leafSize) big++;
  assert.ok(big < 0.05 * (forest.leafPtr.length - 1), `${big} oversized leaves`);
});

test('bad parameters and shapes are InvalidArgumentErrors', () => {
  for (const bad of [{ trees: 0 }, { branching: 1 }, { branching: 256 }, { leafSize: 0 }, { kmeansIterations: 0 }, { kmeansSample: 1 }, { centroidNnz: 0 }, { centroidMinCount: 0 }, { centroidMinCount: 256 }, { maxDepth: -1 }, { seed: 0.5 }]) {
    assert.throws(() => trainForest(x, y, { ...P, ...bad }), InvalidArgumentError, JSON.stringify(bad));
  }
  assert.throws(() => trainForest(x, sliceRows(y, 0, 10), P), InvalidArgumentError);
});
