import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../tmp.js';
import { test } from 'node:test';
import { generateSynthetic, SYNTHETIC_DATASETS, type SyntheticName } from '../../datasets/synthetic.js';
import { powerLawProbabilities } from '../../datasets/synthetic_sensing.js';
import { AMAZONCAT_13K_LIKE, generateXmcLike, xmcLabelCategories } from '../../datasets/synthetic_xmc.js';
import { Rng } from '../../src/util/rng.js';
import { type Csr, columnCounts, nnz, rowNorms } from '../../src/data/csr.js';
import { readDataset, writeDataset } from '../../src/data/index.js';
import { InvalidArgumentError } from '../../src/errors.js';

const tmp = tempDir('synth');
test.after(() => fs.rm(tmp, { recursive: true, force: true }));

// Generated once, shared by the tests below (the scaled-down XMC-like sets take ~0.3 s each).
const eurlex = generateSynthetic('eurlex-4k-like', { seed: 11, scale: 0.1 });
const wiki10 = generateSynthetic('wiki10-31k-like', { seed: 11, scale: 0.05 });
const amazoncat = generateSynthetic('amazoncat-13k-like', { seed: 11, scale: 0.002 });
const sensing = {
  synthetic1: generateSynthetic('synthetic1', { seed: 11 }),
  synthetic2: generateSynthetic('synthetic2', { seed: 11 }),
  synthetic3: generateSynthetic('synthetic3', { seed: 11 }),
};

/** Row i's column ids. */
function row(m: Csr, i: number): number[] {
  return Array.from(m.indices.subarray(m.rowPtr[i]!, m.rowPtr[i + 1]!));
}

/** Every row of `m` has unit ℓ2 norm and only positive values. */
function assertUnitPositiveRows(m: Csr, what: string): void {
  const norms = rowNorms(m);
  for (let i = 0; i < m.nRows; i++) assert.ok(Math.abs(norms[i]! - 1) < 1e-5, `${what}: row ${i} has norm ${norms[i]}`);
  for (let p = 0; p < m.values.length; p++) assert.ok(m.values[p]! > 0, `${what}: value ${m.values[p]} at ${p} is not positive`);
}

function within(actual: number, target: number, rel: number, what: string): void {
  assert.ok(Math.abs(actual - target) <= rel * target, `${what}: ${actual} is not within ${100 * rel}% of ${target}`);
}

test('same seed gives identical data, another seed different data', () => {
  for (const [name, scale] of [['eurlex-4k-like', 0.02], ['amazoncat-13k-like', 0.001], ['synthetic1', 0.1], ['synthetic3', 0.1]] as const) {
    const a = generateSynthetic(name, { seed: 5, scale });
    const b = generateSynthetic(name, { seed: 5, scale });
    const c = generateSynthetic(name, { seed: 6, scale });
    for (const split of ['train', 'test'] as const) {
      assert.deepEqual(a[split].features, b[split].features, `${name} ${split}: features differ for the same seed`);
      assert.deepEqual(a[split].labels, b[split].labels, `${name} ${split}: labels differ for the same seed`);
      assert.notDeepEqual(a[split].features, c[split].features, `${name} ${split}: seeds 5 and 6 give the same features`);
    }
  }
});

test('XMC-like sets have the registered shape and per-point averages (scaled down)', () => {
  for (const [name, data, scale] of [['eurlex-4k-like', eurlex, 0.1], ['wiki10-31k-like', wiki10, 0.05], ['amazoncat-13k-like', amazoncat, 0.002]] as const) {
    const info = SYNTHETIC_DATASETS[name];
    let points = 0, featureNnz = 0, labelNnz = 0;
    for (const split of ['train', 'test'] as const) {
      const { features: X, labels: Y } = data[split];
      assert.equal(X.nRows, Math.round(info.splits[split]! * scale), `${name} ${split}: points`);
      assert.equal(Y.nRows, X.nRows);
      assert.equal(X.nCols, info.nFeatures);
      assert.equal(Y.nCols, info.nLabels);
      points += X.nRows; featureNnz += nnz(X); labelNnz += nnz(Y);
      assertUnitPositiveRows(X, `${name} ${split} features`);
      for (let i = 0; i < Y.nRows; i++) assert.ok(Y.rowPtr[i + 1]! > Y.rowPtr[i]!, `${name} ${split}: row ${i} has no label`);
      assert.ok(Y.values.every((v) => v === 1));
    }
    // Both counts per point have a coefficient of variation below 0.55 (log-normal σ = 0.5:
    // 0.53; 1 + Poisson(λ−1): √(λ−1)/λ ≤ 0.4): allow four standard errors of the mean.
    const tol = (4 * 0.55) / Math.sqrt(points);
    within(featureNnz / points, info.featuresPerPoint, tol, `${name}: nonzeros per point`);
    within(labelNnz / points, info.labelsPerPoint, tol, `${name}: labels per point`);
  }
  assert.deepEqual(SYNTHETIC_DATASETS['eurlex-4k-like'].splits, { train: 15539, test: 3809 });
  assert.deepEqual(SYNTHETIC_DATASETS['wiki10-31k-like'].splits, { train: 14146, test: 6616 });
  assert.equal(SYNTHETIC_DATASETS['wiki10-31k-like'].nFeatures, 101938);
  assert.equal(SYNTHETIC_DATASETS['wiki10-31k-like'].nLabels, 30938);
  assert.deepEqual(SYNTHETIC_DATASETS['amazoncat-13k-like'].splits, { train: 1186239, test: 306782 });
  assert.equal(SYNTHETIC_DATASETS['amazoncat-13k-like'].nFeatures, 203882);
  assert.equal(SYNTHETIC_DATASETS['amazoncat-13k-like'].nLabels, 13330);
});

test('label frequencies are power-law-like: the top 1% of labels carry a large share', () => {
  for (const [name, data] of [['eurlex-4k-like', eurlex], ['wiki10-31k-like', wiki10], ['amazoncat-13k-like', amazoncat]] as const) {
    const counts = Array.from(columnCounts(data.train.labels)).sort((a, b) => b - a);
    const total = counts.reduce((a, b) => a + b, 0);
    const top = counts.slice(0, Math.ceil(counts.length / 100)).reduce((a, b) => a + b, 0);
    // Uniform popularity would give the top 1% about 1% (a little more from sampling noise).
    assert.ok(top / total > 0.2, `${name}: the top 1% of labels carry ${(100 * top / total).toFixed(1)}% of the occurrences`);
    // A long tail: the median label is far rarer than the head.
    assert.ok(counts[0]! > 20 * counts[Math.floor(counts.length / 2)]!, `${name}: head ${counts[0]} vs median ${counts[Math.floor(counts.length / 2)]}`);
  }
});

test('features carry signal: a 10-NN vote beats predicting the most frequent label', () => {
  const data = generateSynthetic('eurlex-4k-like', { seed: 2, scale: 0.05 });
  const { features: X, labels: Y } = data.train;
  const { features: Q, labels: T } = data.test;
  const counts = columnCounts(Y);
  let popular = 0;
  for (let l = 1; l < counts.length; l++) if (counts[l]! > counts[popular]!) popular = l;
  const dense = new Float32Array(X.nCols), sims = new Float64Array(X.nRows), score = new Float64Array(Y.nCols);
  let knnHits = 0, popularHits = 0;
  for (let i = 0; i < Q.nRows; i++) {
    dense.fill(0);
    for (let p = Q.rowPtr[i]!; p < Q.rowPtr[i + 1]!; p++) dense[Q.indices[p]!] = Q.values[p]!;
    for (let j = 0; j < X.nRows; j++) {
      let s = 0;
      for (let p = X.rowPtr[j]!; p < X.rowPtr[j + 1]!; p++) s += X.values[p]! * dense[X.indices[p]!]!;
      sims[j] = s;
    }
    const neighbours = Array.from(sims.keys()).sort((a, b) => sims[b]! - sims[a]!).slice(0, 10);
    score.fill(0);
    let best = -1;
    for (const j of neighbours) {
      for (const l of row(Y, j)) {
        score[l]! += sims[j]!;
        if (best < 0 || score[l]! > score[best]!) best = l;
      }
    }
    const truth = new Set(row(T, i));
    if (truth.has(best)) knnHits++;
    if (truth.has(popular)) popularHits++;
  }
  const p1 = knnHits / Q.nRows, base = popularHits / Q.nRows;
  assert.ok(p1 > 0.4 && p1 > 2 * base, `10-NN P@1 ${p1.toFixed(3)} vs most-frequent-label P@1 ${base.toFixed(3)}`);
});

test('synthetic1/2/3 have the paper sizes, unit-norm positive rows and no labels', () => {
  for (const name of ['synthetic1', 'synthetic2', 'synthetic3'] as const) {
    const data = sensing[name];
    for (const [split, n] of [['train', 6000], ['valid', 2000], ['test', 2000]] as const) {
      const ds = data[split]!;
      assert.equal(ds.features.nRows, n, `${name} ${split}: points`);
      assert.equal(ds.features.nCols, 1000);
      assert.equal(ds.labels.nCols, 0);
      assert.equal(nnz(ds.labels), 0);
      assertUnitPositiveRows(ds.features, `${name} ${split}`);
    }
  }
});

test('synthetic1 rows are one aligned block of 10 consecutive coordinates', () => {
  for (const split of ['train', 'valid', 'test'] as const) {
    const m = sensing.synthetic1[split]!.features;
    const starts = new Set<number>();
    for (let i = 0; i < m.nRows; i++) {
      const r = row(m, i);
      assert.equal(r.length, 10, `row ${i}: ${r.length} nonzeros`);
      assert.equal(r[0]! % 10, 0, `row ${i} starts at ${r[0]}`);
      r.forEach((c, j) => assert.equal(c, r[0]! + j, `row ${i}: not consecutive: ${r.join(',')}`));
      starts.add(r[0]!);
    }
    if (split === 'train') assert.equal(starts.size, 100, 'all 100 blocks occur among 6000 rows');
  }
});

test('synthetic2 rows are two distinct aligned blocks of 5', () => {
  const m = sensing.synthetic2.train.features;
  let adjacent = 0;
  for (let i = 0; i < m.nRows; i++) {
    const r = row(m, i);
    assert.equal(r.length, 10, `row ${i}: ${r.length} nonzeros`);
    const a = r[0]!, b = r[5]!;
    assert.ok(a % 5 === 0 && b % 5 === 0 && b > a, `row ${i}: blocks start at ${a} and ${b}`);
    r.forEach((c, j) => assert.equal(c, (j < 5 ? a : b - 5) + j, `row ${i}: not two blocks of 5: ${r.join(',')}`));
    if (b === a + 5) adjacent++;
  }
  // Blocks are independent: adjacency happens (≈ 6000·2/200 = 60 times) but is rare.
  assert.ok(adjacent > 0 && adjacent < 200, `${adjacent} rows with adjacent blocks`);
});

test('synthetic3: power-law inclusion probabilities with 10 nonzeros expected', () => {
  const p = powerLawProbabilities(1000, 10);
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 10) < 1e-9);
  assert.equal(p[0], 1);
  for (let i = 1; i < p.length; i++) assert.ok(p[i]! <= p[i - 1]! && p[i]! > 0);
  assert.ok(Math.abs(p[100]! / p[200]! - 201 / 101) < 1e-9, 'unclipped entries are ∝ 1/(i+1)');
  const m = sensing.synthetic3.train.features;
  within(nnz(m) / m.nRows, 10, 0.02, 'synthetic3 nonzeros per point');
  // Empirical frequency of coordinate 0 is 1, of coordinate 9 close to p[9].
  const counts = columnCounts(m);
  assert.equal(counts[0], m.nRows);
  assert.ok(Math.abs(counts[9]! / m.nRows - p[9]!) < 0.03, `coordinate 9: ${counts[9]! / m.nRows} vs ${p[9]}`);
  assert.throws(() => powerLawProbabilities(10, 11), InvalidArgumentError);
});

/** Dot product of rows i of `a` and j of `b` (sorted column ids). */
function rowDot(a: Csr, i: number, b: Csr, j: number): number {
  let p = a.rowPtr[i]!, q = b.rowPtr[j]!, s = 0;
  const pe = a.rowPtr[i + 1]!, qe = b.rowPtr[j + 1]!;
  while (p < pe && q < qe) {
    const c = a.indices[p]!, d = b.indices[q]!;
    if (c === d) s += a.values[p++]! * b.values[q++]!; else if (c < d) p++; else q++;
  }
  return s;
}

test('amazoncat-13k-like has clusters: points of one category are more alike than random pairs', () => {
  const cats = xmcLabelCategories(AMAZONCAT_13K_LIKE, 11)!;
  const G = AMAZONCAT_13K_LIKE.categories!;
  const { features: X, labels: Y } = amazoncat.train;
  // A point's category: the most common category of its labels (4 of 5 labels come from it on average).
  const votes = new Int32Array(G);
  const byCategory: number[][] = Array.from({ length: G }, () => []);
  for (let i = 0; i < X.nRows; i++) {
    votes.fill(0);
    for (const l of row(Y, i)) votes[cats[l]!]!++;
    let g = 0;
    for (let h = 1; h < G; h++) if (votes[h]! > votes[g]!) g = h;
    byCategory[g]!.push(i);
  }
  assert.ok(byCategory.filter((m) => m.length >= 2).length >= G / 2, 'most categories hold at least two points');
  // Mean cosine (rows have unit norm) of 3000 same-category pairs vs 3000 random pairs.
  const rng = new Rng(4);
  const big = byCategory.filter((m) => m.length >= 2);
  let within = 0, random = 0;
  const pairs = 3000;
  for (let t = 0; t < pairs; t++) {
    const m = big[rng.int(big.length)]!;
    const a = rng.int(m.length);
    let b = rng.int(m.length - 1);
    if (b >= a) b++;
    within += rowDot(X, m[a]!, X, m[b]!);
    const i = rng.int(X.nRows);
    let j = rng.int(X.nRows - 1);
    if (j >= i) j++;
    random += rowDot(X, i, X, j);
  }
  within /= pairs; random /= pairs;
  assert.ok(within > 3 * random, `same-category cosine ${within.toFixed(4)} vs random pairs ${random.toFixed(4)}`);
  // Without categories (same constants otherwise) no label grouping exists to find.
  assert.equal(xmcLabelCategories({ ...AMAZONCAT_13K_LIKE, categories: undefined }), null);
});

test('written files read back equal to the generated data', async () => {
  const cases: [SyntheticName, string, Awaited<ReturnType<typeof generateSynthetic>>['train']][] = [
    ['eurlex-4k-like', 'train', eurlex.train],
    ['wiki10-31k-like', 'test', wiki10.test],
    ['synthetic2', 'valid', sensing.synthetic2.valid!],
  ];
  for (const [name, split, ds] of cases) {
    const file = path.join(tmp, `${name}-${split}.txt`);
    await writeDataset(file, ds);
    const back = await readDataset(file);
    assert.deepEqual(back.features, ds.features, `${name} ${split}: features`);
    assert.deepEqual(back.labels, ds.labels, `${name} ${split}: labels`);
  }
});

test('bad names, seeds and scales are rejected', () => {
  assert.throws(() => generateSynthetic('eurlex-4k'), (e: Error) => e instanceof InvalidArgumentError && /eurlex-4k-like, wiki10-31k-like, amazoncat-13k-like, synthetic1/.test(e.message));
  assert.throws(() => generateSynthetic('synthetic1', { scale: 0 }), InvalidArgumentError);
  assert.throws(() => generateSynthetic('synthetic1', { scale: Number.NaN }), InvalidArgumentError);
  assert.throws(() => generateSynthetic('synthetic1', { seed: 1.5 }), InvalidArgumentError);
  assert.equal(generateSynthetic('synthetic1', { scale: 1e-9 }).train.features.nRows, 1, 'each split keeps one point');
  for (const bad of [{ categories: 0 }, { categories: 2.5 }, { categoryCohesion: 1 }, { categoryCohesion: -0.1 }, { categoryTopicShare: 1 }]) {
    assert.throws(() => generateXmcLike('bad', { ...AMAZONCAT_13K_LIKE, ...bad }, { scale: 1e-9 }),
      (e: Error) => e instanceof InvalidArgumentError && /categor/.test(e.message), JSON.stringify(bad));
  }
});
