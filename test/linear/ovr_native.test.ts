/**
 * The addon's one-vs-rest solvers (src/engine/native/linear_cd.cc) against the JavaScript ones
 * (src/linear/dual_cd.ts) through trainOneVsRest: the same model — per label the same passes,
 * convergence and weights, up to the rare last bit where glibc's `log` and V8's differ — for any
 * thread count, with progress reported once per label and aborts between chunks. Skipped
 * without the addon.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Csr, csr, normalizeRowsL2, sliceRows, transpose } from '../../src/data/csr.js';
import { BUNDLED_BIBTEX } from '../../src/data/bundled.js';
import { readDataset } from '../../src/data/index.js';
import { nativeAddon } from '../../src/engine/addon.js';
import { setThreads, threadReport } from '../../src/engine/threads.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { type OvrLabelReport, type OvrModel, type OvrOptions, trainOneVsRest, useNativeOvr } from '../../src/linear/ovr.js';
import { Rng } from '../../src/util/rng.js';

const skip = nativeAddon().addon ? false : 'the native addon is not built';

/** trainOneVsRest on the addon (`native`) and in JavaScript. */
function both(x: Csr, y: Csr, options: OvrOptions): { native: OvrModel; js: OvrModel } {
  try {
    useNativeOvr(false);
    const js = trainOneVsRest(x, y, options);
    useNativeOvr(true);
    return { native: trainOneVsRest(x, y, options), js };
  } finally {
    useNativeOvr(true);
  }
}

/**
 * A seeded sparse problem with the shape of an XMC set: rows of 3–15 features out of d (at most d) (values in
 * (0, 1], float32), label frequencies falling off like 1/rank, and each label's points chosen by a
 * noisy hidden linear score so that positives and negatives overlap; the last label has no points.
 */
function sparseProblem(n: number, d: number, nLabels: number, seed: number): { x: Csr; y: Csr } {
  const rng = new Rng(seed);
  const rowPtr = new Int32Array(n + 1), cols: number[] = [], vals: number[] = [];
  for (let i = 0; i < n; i++) {
    const picked = new Set<number>();
    const k = Math.min(d, 3 + rng.int(13));
    while (picked.size < k) picked.add(rng.int(d));
    for (const j of [...picked].sort((a, b) => a - b)) { cols.push(j); vals.push(Math.fround(1 - rng.next())); }
    rowPtr[i + 1] = cols.length;
  }
  const x = csr(n, d, rowPtr, Int32Array.from(cols), Float32Array.from(vals));
  const points: number[][] = Array.from({ length: n }, () => []);
  for (let l = 0; l < nLabels - 1; l++) {
    const v = Float64Array.from({ length: d }, () => rng.normal());
    const score = Float64Array.from({ length: n }, (_, i) => {
      let s = 0.5 * rng.normal();
      for (let p = rowPtr[i]!; p < rowPtr[i + 1]!; p++) s += v[cols[p]!]! * vals[p]!;
      return s;
    });
    const cut = [...score].sort((a, b) => b - a)[Math.max(0, Math.floor(n / (4 * (l + 1))) - 1)]!;
    for (let i = 0; i < n; i++) if (score[i]! >= cut) points[i]!.push(l);
  }
  const yPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) yPtr[i + 1] = yPtr[i]! + points[i]!.length;
  const y = csr(n, nLabels, yPtr, Int32Array.from(points.flat()), new Float32Array(yPtr[n]!).fill(1));
  return { x, y };
}

/** A seeded n × L candidate pattern (each entry present with probability p). */
function candidatePattern(n: number, nLabels: number, p: number, seed: number): Csr {
  const rng = new Rng(seed), rowPtr = new Int32Array(n + 1), cols: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < nLabels; l++) if (rng.next() < p) cols.push(l);
    rowPtr[i + 1] = cols.length;
  }
  return csr(n, nLabels, rowPtr, Int32Array.from(cols), new Float32Array(cols.length).fill(1));
}

/** Label l's weights (feature ids and values), from the feature-major W. */
function labelWeights(model: OvrModel): { indices: number[]; values: number[] }[] {
  const t = transpose(model.weights);
  return Array.from({ length: model.nLabels }, (_, l) => ({
    indices: Array.from(t.indices.subarray(t.rowPtr[l]!, t.rowPtr[l + 1]!)),
    values: Array.from(t.values.subarray(t.rowPtr[l]!, t.rowPtr[l + 1]!)),
  }));
}

/** The primal ½‖w‖² + C Σ ℓ(y_i (w·x_i + b·w_b)) of label l of a model, over sparse rows. */
function primal(model: OvrModel, x: Csr, y: Csr, l: number): number {
  const { indices, values } = labelWeights(model)[l]!;
  const w = new Float64Array(x.nCols);
  indices.forEach((j, q) => { w[j] = values[q]!; });
  const wb = model.biasWeights[l]!;
  let s = 0.5 * wb * wb;
  for (const v of values) s += 0.5 * v * v;
  const positive = new Uint8Array(x.nRows);
  for (let i = 0; i < y.nRows; i++) for (let p = y.rowPtr[i]!; p < y.rowPtr[i + 1]!; p++) if (y.indices[p] === l) positive[i] = 1;
  for (let i = 0; i < x.nRows; i++) {
    let m = model.bias * wb;
    for (let p = x.rowPtr[i]!; p < x.rowPtr[i + 1]!; p++) m += w[x.indices[p]!]! * x.values[p]!;
    if (!positive[i]) m = -m;
    s += model.c * (model.loss === 'logistic' ? (m > 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m))) : Math.max(0, 1 - m) ** 2);
  }
  return s;
}

/**
 * The two models agree: most labels exactly (passes, convergence, weight and bias bits), the rest
 * — where a last-bit difference of `log` changed a float32 rounding, or a pass count — with the
 * same convergence, kept weights within 2·10⁻⁶ of the largest (or the same primal objective to
 * 10⁻⁶ relative where the passes differ). Returns the number of labels that agree exactly.
 */
function assertSameModel(native: OvrModel, js: OvrModel, x: Csr, y: Csr, what: string): number {
  assert.equal(native.nLabels, js.nLabels, what);
  const wn = labelWeights(native), wj = labelWeights(js);
  let exact = 0;
  for (let l = 0; l < js.nLabels; l++) {
    const a = wn[l]!, b = wj[l]!;
    const same = native.iterations[l] === js.iterations[l] && native.converged[l] === js.converged[l] &&
      Object.is(native.biasWeights[l], js.biasWeights[l]) && a.indices.join() === b.indices.join() && a.values.every((v, q) => Object.is(v, b.values[q]));
    if (same) { exact++; continue; }
    const at = `${what}, label ${l}`;
    if (native.iterations[l] === js.iterations[l]) {
      assert.equal(native.converged[l], js.converged[l], at);
      const scale = Math.max(1, ...b.values.map(Math.abs));
      const dense = (p: { indices: number[]; values: number[] }): Map<number, number> => new Map(p.indices.map((j, q) => [j, p.values[q]!]));
      const da = dense(a), db = dense(b);
      for (const j of new Set([...da.keys(), ...db.keys()])) {
        assert.ok(Math.abs((da.get(j) ?? 0) - (db.get(j) ?? 0)) <= 2e-6 * scale, `${at}: weight ${j} ${da.get(j)} vs ${db.get(j)}`);
      }
    } else {
      const pa = primal(native, x, y, l), pb = primal(js, x, y, l);
      assert.ok(Math.abs(pa - pb) <= 1e-6 * Math.abs(pb), `${at}: ${native.iterations[l]} vs ${js.iterations[l]} passes, objective ${pa} vs ${pb}`);
    }
  }
  assert.ok(exact >= 0.9 * js.nLabels, `${what}: only ${exact} of ${js.nLabels} labels agree exactly`);
  return exact;
}

const bibtex = await readDataset(BUNDLED_BIBTEX.train);
const bibtexX = normalizeRowsL2(sliceRows(bibtex.features, 0, 600)), bibtexY = sliceRows(bibtex.labels, 0, 600);

for (const loss of ['logistic', 'squared-hinge'] as const) {
  test(`${loss}: the addon trains the JavaScript model (random sparse data and Bibtex rows; with and without bias and pruning)`, { skip }, () => {
    const random = sparseProblem(700, 300, 30, 41);
    const cases: [string, Csr, Csr, OvrOptions][] = [
      ['random', random.x, random.y, { loss, c: 1, seed: 5 }],
      ['random, bias 1, prune 0.05, eps 1e-4', random.x, random.y, { loss, c: 4, seed: 6, bias: 1, pruneBelow: 0.05, eps: 1e-4 }],
      ['random, maxIterations 3', random.x, random.y, { loss, c: 100, seed: 7, eps: 1e-9, maxIterations: 3 }],
      ['Bibtex', bibtexX, bibtexY, { loss, c: 10, seed: 1 }],
      ['Bibtex, bias 1, prune 0.01', bibtexX, bibtexY, { loss, c: 10, seed: 2, bias: 1, pruneBelow: 0.01 }],
      ['random, candidates', random.x, random.y, { loss, c: 4, seed: 8, bias: 1, candidates: candidatePattern(700, 30, 0.2, 3) }],
      ['Bibtex, candidates', bibtexX, bibtexY, { loss, c: 10, seed: 3, bias: 1, pruneBelow: 0.01, candidates: candidatePattern(600, bibtexY.nCols, 0.1, 4) }],
    ];
    for (const [name, x, y, options] of cases) {
      const { native, js } = both(x, y, options);
      const what = `${loss}, ${name}`;
      assertSameModel(native, js, x, y, what);
      if (y === random.y) assert.ok(native.iterations[y.nCols - 1] === 0 && native.converged[y.nCols - 1] === 1, `${what}: a label without positives is not trained`);
      if (options.bias) assert.ok(native.biasWeights.some((v) => v !== 0), what);
      if (options.maxIterations === 3) assert.ok(Array.from(native.iterations).every((v, l) => v === 3 || (v === 0 && l === y.nCols - 1)) && native.converged.includes(0), what);
    }
  });
}

test('the same bits on 1 and 2 threads (labels are independent of the chunks and threads they are trained on)', { skip }, () => {
  const before = threadReport()!.openmp;
  try {
    for (const loss of ['logistic', 'squared-hinge'] as const) {
      const options: OvrOptions = { loss, c: 10, seed: 9, bias: 1, pruneBelow: 0.01 };
      setThreads(1);
      const one = trainOneVsRest(bibtexX, bibtexY, options);
      setThreads(2);
      const two = trainOneVsRest(bibtexX, bibtexY, options);
      assert.deepEqual(two, one, loss);
    }
  } finally {
    setThreads(before);
  }
});

test('onLabel: one report per label in label order, as the JavaScript path reports them; a throw aborts the fit', { skip }, () => {
  const { x, y } = sparseProblem(300, 100, 40, 3);
  const reports = (native: boolean): { model: OvrModel; seen: OvrLabelReport[] } => {
    const seen: OvrLabelReport[] = [];
    useNativeOvr(native);
    try {
      return { model: trainOneVsRest(x, y, { loss: 'logistic', c: 1, pruneBelow: 0.01, onLabel: (r) => { seen.push(r); } }), seen };
    } finally {
      useNativeOvr(true);
    }
  };
  const native = reports(true), js = reports(false);
  assert.deepEqual(native.seen.map((r) => r.label), Array.from({ length: 40 }, (_, l) => l));
  assert.deepEqual(native.seen.map((r) => r.positives), js.seen.map((r) => r.positives));
  native.seen.forEach((r, l) => {
    assert.equal(r.iterations, native.model.iterations[l]);
    assert.equal(r.converged, native.model.converged[l] === 1);
  });
  assert.equal(native.seen.reduce((s, r) => s + r.nnz, 0), native.model.weights.values.length);
  assert.equal(native.seen.at(-1)!.positives, 0);
  // A throw from onLabel ends the fit at once (the rest of that chunk is never reported).
  const stop = new Error('stop');
  let calls = 0;
  assert.throws(() => trainOneVsRest(x, y, { loss: 'logistic', c: 1, onLabel: () => { if (++calls === 4) throw stop; } }), (e) => e === stop);
  assert.equal(calls, 4);
  // The addon is left in a usable state.
  assert.deepEqual(trainOneVsRest(x, y, { loss: 'logistic', c: 1, pruneBelow: 0.01 }), native.model);
});

test('invalid options raise the same InvalidArgumentError on both paths; the addon refuses a malformed matrix without crashing', { skip }, () => {
  const { x, y } = sparseProblem(20, 10, 3, 1);
  const bad: object[] = [{ loss: 'hinge', c: 1 }, { loss: 'logistic', c: 0 }, { loss: 'logistic', c: 1, eps: 0 }, { loss: 'squared-hinge', c: 1, maxIterations: 0 },
    { loss: 'logistic', c: 1, seed: 1.5 }, { loss: 'logistic', c: 1, pruneBelow: -1 }, { loss: 'logistic', c: 1, bias: -1 }];
  const message = (native: boolean, o: object): string => {
    useNativeOvr(native);
    try {
      trainOneVsRest(x, y, o as OvrOptions);
    } catch (e) {
      assert.ok(e instanceof InvalidArgumentError && e.fn === 'trainOneVsRest', String(e));
      return e.message;
    } finally {
      useNativeOvr(true);
    }
    throw new Error(`${JSON.stringify(o)} was accepted`);
  };
  for (const o of bad) assert.equal(message(true, o), message(false, o));
  assert.throws(() => trainOneVsRest(x, sliceRows(y, 0, 19), { loss: 'logistic', c: 1 }), InvalidArgumentError);
  // Straight to the addon: a column index out of range, and seeds of the wrong length.
  const addon = nativeAddon().addon!;
  const sqNorms = new Float64Array(x.nRows).fill(1), t = transpose(y);
  const args = {
    rowPtr: x.rowPtr, indices: x.indices, values: x.values, sqNorms, nFeatures: x.nCols, bias: false, labelPtr: t.rowPtr, labelPoints: t.indices,
    labelValues: t.values, l0: 0, l1: 3, seeds: new Uint32Array(3), logistic: true, c: 1, eps: 0.1, maxIterations: 10, pruneBelow: 0,
  };
  assert.equal(addon.ovrTrainChunk(args).offsets.length, 4);
  const broken = Int32Array.from(x.indices);
  broken[5] = x.nCols;
  assert.throws(() => addon.ovrTrainChunk({ ...args, indices: broken }), RangeError);
  assert.throws(() => addon.ovrTrainChunk({ ...args, seeds: new Uint32Array(2) }), RangeError);
  assert.throws(() => addon.ovrTrainChunk({ ...args, labelPoints: Int32Array.from(t.indices, () => 99) }), RangeError);
  assert.throws(() => addon.ovrTrainChunk({ ...args, values: new Float64Array(x.values.length) as never }), TypeError);
});
