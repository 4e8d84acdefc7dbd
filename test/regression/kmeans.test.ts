import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Csr, fromDense } from '../../src/data/csr.js';
import { type ProgressEvent } from '../../src/progress.js';
import { kmeansRouter, sphericalKMeans } from '../../src/regression/kmeans.js';
import { Rng } from '../../src/util/rng.js';
import { problem } from './problems.js';
import { InvalidArgumentError } from '../../src/errors.js';

/** Rows drawn around `groups` directions, each on its own block of 6 features (plus noise features). */
function blocks(nPer: number, groups: number, seed: number): { x: Csr; truth: number[] } {
  const rng = new Rng(seed), p = groups * 6 + 4, data: number[] = [], truth: number[] = [];
  for (let g = 0; g < groups; g++) {
    for (let i = 0; i < nPer; i++) {
      const row = new Array<number>(p).fill(0);
      for (let f = 0; f < 6; f++) if (rng.next() < 0.8) row[g * 6 + f] = 0.5 + rng.next();
      row[g * 6 + rng.int(6)] = 1; // never empty
      if (rng.next() < 0.3) row[groups * 6 + rng.int(4)] = 0.2 * rng.next();
      data.push(...row); truth.push(g);
    }
  }
  return { x: fromDense(nPer * groups, p, data), truth };
}

/** Dense float64 cosine similarities of the rows of x to the k × p centroids (n × k). */
function cosines(x: Csr, c: Float32Array, k: number): Float64Array {
  const p = x.nCols, out = new Float64Array(x.nRows * k);
  for (let i = 0; i < x.nRows; i++) {
    let nx = 0;
    for (let q = x.rowPtr[i]!; q < x.rowPtr[i + 1]!; q++) nx += x.values[q]! ** 2;
    for (let j = 0; j < k; j++) {
      let dot = 0, nc = 0;
      for (let f = 0; f < p; f++) nc += c[j * p + f]! ** 2;
      for (let q = x.rowPtr[i]!; q < x.rowPtr[i + 1]!; q++) dot += x.values[q]! * c[j * p + x.indices[q]!]!;
      out[i * k + j] = nx > 0 && nc > 0 ? dot / Math.sqrt(nx * nc) : 0;
    }
  }
  return out;
}

test('kmeans: the same seed gives the same clustering', () => {
  const { x } = problem(120, 30, 1, 0.2, 1);
  const a = sphericalKMeans(x, { k: 5, seed: 7 }), b = sphericalKMeans(x, { k: 5, seed: 7 });
  assert.deepEqual(Array.from(a.assignments), Array.from(b.assignments));
  assert.deepEqual(Array.from(a.centroids), Array.from(b.centroids));
  assert.equal(a.iterations, b.iterations);
});

test('kmeans: at convergence every row is assigned to its most cosine-similar centroid, and each centroid is its rows\' mean direction', () => {
  const { x } = problem(150, 25, 1, 0.25, 2);
  for (const k of [2, 4, 9]) {
    const km = sphericalKMeans(x, { k, seed: k, maxIter: 200 });
    assert.ok(km.converged, `k ${k}: not converged in ${km.iterations}`);
    assert.equal(km.centroids.length, k * x.nCols);
    const cos = cosines(x, km.centroids, k);
    const sizes = new Array<number>(k).fill(0);
    for (let i = 0; i < x.nRows; i++) {
      const a = km.assignments[i]!;
      sizes[a]!++;
      const best = Math.max(...cos.subarray(i * k, (i + 1) * k));
      assert.ok(cos[i * k + a]! >= best - 1e-6, `k ${k} row ${i}: cluster ${a} has cosine ${cos[i * k + a]} < ${best}`);
    }
    assert.ok(sizes.every((s) => s > 0), `k ${k}: empty cluster in ${sizes}`);
    // Mean direction of the normalised rows of each cluster.
    const p = x.nCols;
    for (let j = 0; j < k; j++) {
      const mean = new Float64Array(p);
      for (let i = 0; i < x.nRows; i++) {
        if (km.assignments[i] !== j) continue;
        let nx = 0;
        for (let q = x.rowPtr[i]!; q < x.rowPtr[i + 1]!; q++) nx += x.values[q]! ** 2;
        for (let q = x.rowPtr[i]!; q < x.rowPtr[i + 1]!; q++) mean[x.indices[q]!]! += x.values[q]! / Math.sqrt(nx);
      }
      const nm = Math.hypot(...mean);
      for (let f = 0; f < p; f++) assert.ok(Math.abs(mean[f]! / nm - km.centroids[j * p + f]!) < 1e-5, `k ${k} centroid ${j} feature ${f}`);
    }
    assert.deepEqual(Array.from(km.nearestCentroid(x)), Array.from(km.assignments));
  }
});

test('kmeans: k = 1 gives the normalised mean direction of the normalised rows', () => {
  const x = fromDense(3, 3, [3, 4, 0, 0, 0, 2, 0, 0, 0]); // unit rows (0.6, 0.8, 0), (0, 0, 1) and an empty row
  const km = sphericalKMeans(x, { k: 1, seed: 3 });
  const s = Math.hypot(0.6, 0.8, 1);
  const expected = [0.6 / s, 0.8 / s, 1 / s];
  Array.from(km.centroids).forEach((v, f) => assert.ok(Math.abs(v - expected[f]!) < 1e-6, `feature ${f}: ${v} vs ${expected[f]}`));
  assert.deepEqual(Array.from(km.assignments), [0, 0, 0]);
});

test('kmeans: well-separated directions are recovered exactly', () => {
  const { x, truth } = blocks(40, 4, 5);
  const km = sphericalKMeans(x, { k: 4, seed: 11 });
  // A one-to-one map between true groups and clusters.
  const map = new Map<number, number>();
  truth.forEach((g, i) => {
    const c = km.assignments[i]!;
    if (!map.has(g)) map.set(g, c);
    assert.equal(c, map.get(g), `row ${i} of group ${g}`);
  });
  assert.equal(new Set(map.values()).size, 4);
});

test('kmeans: routing accepts fewer columns, refuses more; k out of range is refused; progress is reported', () => {
  const { x } = blocks(10, 2, 6);
  const events: ProgressEvent[] = [];
  const km = sphericalKMeans(x, { k: 2, seed: 1 }, (e) => events.push(e));
  assert.deepEqual(events.map((e) => e.status).filter((s, i, a) => a.indexOf(s) === i), ['start', 'progress', 'done']);
  const short = fromDense(2, 6, [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  assert.equal(km.nearestCentroid(short)[0], km.assignments[0]);
  assert.equal(km.nearestCentroid(short)[1], 0); // an empty row: ties go to centroid 0
  assert.throws(() => km.nearestCentroid(fromDense(1, x.nCols + 1, new Array(x.nCols + 1).fill(1))), InvalidArgumentError);
  assert.throws(() => sphericalKMeans(x, { k: 0, seed: 1 }), /k must be an integer in \[1, 20\]/);
  assert.throws(() => sphericalKMeans(x, { k: 21, seed: 1 }), /but got 21/);
  const router = kmeansRouter(km.centroids, 2, x.nCols);
  assert.deepEqual(Array.from(router.nearestCentroid(x)), Array.from(km.assignments));
});

test('kmeans: more clusters than distinct rows still gives every cluster a row', () => {
  const x = fromDense(5, 2, [1, 0, 1, 0, 1, 0, 0, 1, 0, 1]);
  const km = sphericalKMeans(x, { k: 4, seed: 2 });
  assert.equal(new Set(km.assignments).size >= 2, true);
  assert.equal(km.assignments.length, 5);
});

test('kmeans on a sample (sampleRows < n): the centroids of the sample\'s clustering, every row routed to its most similar one, the same on every run', () => {
  const { x } = blocks(40, 4, 11); // 160 rows
  const km = sphericalKMeans(x, { k: 4, seed: 3, sampleRows: 50 });
  const again = sphericalKMeans(x, { k: 4, seed: 3, sampleRows: 50 });
  assert.deepEqual(again.centroids, km.centroids);
  assert.deepEqual(again.assignments, km.assignments);
  assert.equal(km.assignments.length, x.nRows);
  // Every row (sampled or not) goes to its most cosine-similar centroid.
  const cos = cosines(x, km.centroids, 4);
  for (let i = 0; i < x.nRows; i++) {
    const best = Math.max(...cos.subarray(i * 4, (i + 1) * 4));
    assert.ok(cos[i * 4 + km.assignments[i]!]! >= best - 1e-6, `row ${i}`);
  }
  // Rows that fit in the sample cluster exactly as without a sample.
  const whole = sphericalKMeans(x, { k: 4, seed: 3 }), fits = sphericalKMeans(x, { k: 4, seed: 3, sampleRows: x.nRows });
  assert.deepEqual(fits.centroids, whole.centroids);
  assert.deepEqual(fits.assignments, whole.assignments);
  assert.notDeepEqual(km.centroids, whole.centroids, 'a sample of 50 of 160 rows gives other centroids');
  assert.throws(() => sphericalKMeans(x, { k: 4, seed: 3, sampleRows: 0 }), InvalidArgumentError);
});
