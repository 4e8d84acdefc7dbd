/**
 * One-vs-rest (binary relevance) sparse linear classifiers: for every label l an independent
 * ℓ2-regularised binary classifier w_l on the features,
 *
 *   min_w ½‖w‖² + C Σ_i ℓ(y_il w·x_i),   y_il = +1 if point i has label l, else −1,
 *
 * without a bias by default. With `bias` b > 0, as LIBLINEAR's `-B b` (and scikit-learn's
 * liblinear with its default intercept_scaling = 1), every x_i gets an extra constant feature b
 * whose weight is regularised like the others; the score is then w·x + b·w_bias. The model is
 * trained by dual coordinate descent (./dual_cd.ts: LIBLINEAR's solvers 7, logistic, and 1, squared
 * hinge), then pruned: weights with |w_lj| < `pruneBelow` are dropped, as DiSMEC (Babbar &
 * Schölkopf, "DiSMEC: distributed sparse machines for extreme multi-label classification", WSDM
 * 2017, Δ = 0.01) and napkinXC (Jasinska-Kobus et al., weight threshold 0.1 for its node
 * classifiers) do to keep a model of many labels small at little cost in precision. Scores of a
 * point are x·W with W the nFeatures × nLabels weight matrix, stored sparse and feature-major so
 * that scoring a sparse row touches only the weight rows of its features: O(Σ_{j ∈ x} nnz(W_j)).
 *
 * Cost: per label, each outer pass of the dual CD reads every row of X twice (y·w·x and the update).
 * With the native addon the labels are trained in parallel, in chunks (src/engine/native/linear_cd.cc,
 * the same solvers step for step, OpenMP threads as set by setThreads, each with its own dense
 * float64 weight vector of nFeatures); without it, in JavaScript one after another, one weight
 * vector reused between them. Both give the same model (up to the last bit of `log`, which glibc
 * and V8 may round differently), for any number of threads.
 */
import { type Csr, transpose } from '../data/csr.js';
import { AddonSwitch, type NativeLinear } from '../engine/addon.js';
import { threadReport } from '../engine/threads.js';
import { InvalidArgumentError } from '../errors.js';
import { scoreBlockRows, topKRows, type Ranked } from '../ranking/topk.js';
import { type BinaryLoss, type DualCdData, type DualCdParams, type DualCdResult, logisticDualCd, squaredHingeDualCd, squaredRowNorms } from './dual_cd.js';

export { type BinaryLoss } from './dual_cd.js';

/** Options of {@link trainOneVsRest}. */
export interface OvrOptions {
  /** The binary loss: 'logistic' (logistic regression) or 'squared-hinge' (ℓ2-loss linear SVM). */
  readonly loss: BinaryLoss;
  /** The loss weight C > 0 (LIBLINEAR's `-c`). */
  readonly c: number;
  /** Stopping tolerance of the dual CD, > 0; default 0.1 (LIBLINEAR's default for both dual solvers). */
  readonly eps?: number;
  /** Maximum outer passes per label, an integer ≥ 1; default 1000. */
  readonly maxIterations?: number;
  /** Seed of the coordinate orders (label l uses a seed derived from it and l); an integer, default 0. */
  readonly seed?: number;
  /**
   * Drop weights with |w| below this, ≥ 0; default 0: keep every non-zero weight. DiSMEC prunes
   * at 0.01, napkinXC at 0.1; on text features a logistic model is dense without pruning.
   */
  readonly pruneBelow?: number;
  /**
   * The value b ≥ 0 of the constant feature appended to every point (LIBLINEAR's `-B`); default 0:
   * no bias. The bias weights are never pruned.
   */
  readonly bias?: number;
  /**
   * The points each label is trained on, for a re-ranker that only re-scores a shortlist: an n × L
   * pattern (its values are ignored); label l is then trained on its positives and on the points with
   * an entry in column l, its negatives being only those (the "hard" negatives of a shortlist, as the
   * rankers of SLICE, Jain et al., WSDM 2019, and of PECOS/XR-Linear, Yu et al., JMLR 2022, are
   * trained). Absent: every point (plain one-vs-rest). The cost of a label drops from every point to
   * those. A label's result is the same as training it on just those rows with the same seed.
   */
  readonly candidates?: Csr;
  /** Called after each label is trained (for progress reports); may throw to abort. */
  readonly onLabel?: (report: OvrLabelReport) => void;
}

/** The defaults of the optional {@link OvrOptions}. */
export const OVR_DEFAULTS: Readonly<Required<Pick<OvrOptions, 'eps' | 'maxIterations' | 'seed' | 'pruneBelow' | 'bias'>>> = Object.freeze({ eps: 0.1, maxIterations: 1000, seed: 0, pruneBelow: 0, bias: 0 });

/** What {@link OvrOptions.onLabel} learns about one trained label. */
export interface OvrLabelReport {
  /** The label id. */
  readonly label: number;
  /** Its number of positive training points (0: no classifier was trained). */
  readonly positives: number;
  /** Outer passes of the dual CD (0 when there were no positives). */
  readonly iterations: number;
  /** Whether the stopping tolerance was met within `maxIterations`. */
  readonly converged: boolean;
  /** Weights kept after pruning. */
  readonly nnz: number;
}

/** A trained one-vs-rest model (see {@link trainOneVsRest}). */
export interface OvrModel {
  /** The loss it was trained with. */
  readonly loss: BinaryLoss;
  /** The loss weight C. */
  readonly c: number;
  /** Number of features d; scored rows may have at most this many columns. */
  readonly nFeatures: number;
  /** Number of labels L. */
  readonly nLabels: number;
  /**
   * W, nFeatures × nLabels (feature-major CSR): row j holds the labels with a kept weight on
   * feature j, in increasing label order; the scores of the rows of X are X·W.
   */
  readonly weights: Csr;
  /** The constant feature's value b (0: no bias). */
  readonly bias: number;
  /** Per label: the weight of the constant feature (all 0 without a bias); scores add b times it. */
  readonly biasWeights: Float32Array;
  /** Per label: outer passes of the dual CD (0 for a label without positives). */
  readonly iterations: Int32Array;
  /** Per label: 1 if the stopping tolerance was met (also for labels without positives), 0 if not. */
  readonly converged: Uint8Array;
}

function checkCsr(fn: string, name: string, m: Csr): void {
  if (m === null || typeof m !== 'object' || !(m.rowPtr instanceof Int32Array) || !(m.indices instanceof Int32Array) || !(m.values instanceof Float32Array)) {
    throw new InvalidArgumentError(fn, `'${name}' passed to ${fn}() must be a CSR matrix ({nRows, nCols, rowPtr, indices, values})`);
  }
}

/** The options with defaults filled in, validated. */
function resolveOptions(o: OvrOptions): DualCdParams & { loss: BinaryLoss; pruneBelow: number; bias: number } {
  const fn = 'trainOneVsRest';
  if (o === null || typeof o !== 'object') throw new InvalidArgumentError(fn, `'options' passed to ${fn}() must be an object with 'loss' and 'c'`);
  if (o.loss !== 'logistic' && o.loss !== 'squared-hinge') {
    throw new InvalidArgumentError(fn, `'loss' passed to ${fn}() must be 'logistic' or 'squared-hinge' but got ${JSON.stringify(o.loss)}`);
  }
  const eps = o.eps ?? OVR_DEFAULTS.eps, maxIterations = o.maxIterations ?? OVR_DEFAULTS.maxIterations;
  const seed = o.seed ?? OVR_DEFAULTS.seed, pruneBelow = o.pruneBelow ?? OVR_DEFAULTS.pruneBelow;
  if (typeof o.c !== 'number' || !Number.isFinite(o.c) || o.c <= 0) throw new InvalidArgumentError(fn, `'c' passed to ${fn}() must be a finite number > 0 but got ${o.c}`);
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps <= 0) throw new InvalidArgumentError(fn, `'eps' passed to ${fn}() must be a finite number > 0 but got ${eps}`);
  if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new InvalidArgumentError(fn, `'maxIterations' passed to ${fn}() must be an integer >= 1 but got ${maxIterations}`);
  if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError(fn, `'seed' passed to ${fn}() must be an integer but got ${seed}`);
  if (typeof pruneBelow !== 'number' || !Number.isFinite(pruneBelow) || pruneBelow < 0) {
    throw new InvalidArgumentError(fn, `'pruneBelow' passed to ${fn}() must be a finite number >= 0 but got ${pruneBelow}`);
  }
  const bias = o.bias ?? OVR_DEFAULTS.bias;
  if (typeof bias !== 'number' || !Number.isFinite(bias) || bias < 0) throw new InvalidArgumentError(fn, `'bias' passed to ${fn}() must be a finite number >= 0 but got ${bias}`);
  return { loss: o.loss, c: o.c, eps, maxIterations, seed, pruneBelow, bias };
}

/** The seed of label l's coordinate order: labels are independent of the order they are trained in. */
function labelSeed(seed: number, label: number): number {
  return ((seed % 0x100000000) ^ Math.imul(label + 1, 0x9e3779b1)) >>> 0;
}

/** One label's kept weights: feature ids (increasing) and values. */
interface WeightPiece { readonly indices: Int32Array; readonly values: Float32Array }

/** x with a constant column of value b appended (column x.nCols). */
function withConstantColumn(x: Csr, b: number): Csr {
  const n = x.nRows, total = x.rowPtr[n]!;
  const rowPtr = new Int32Array(n + 1), indices = new Int32Array(total + n), values = new Float32Array(total + n);
  for (let i = 0; i < n; i++) {
    const s = x.rowPtr[i]!, e = x.rowPtr[i + 1]!, at = s + i;
    indices.set(x.indices.subarray(s, e), at);
    values.set(x.values.subarray(s, e), at);
    indices[at + e - s] = x.nCols;
    values[at + e - s] = b;
    rowPtr[i + 1] = e + i + 1;
  }
  return { nRows: n, nCols: x.nCols + 1, rowPtr, indices, values };
}

/** The kept weights among the first d of one label: |w_j| ≥ pruneBelow and non-zero in float32. */
function sparsify(w: Float64Array, d: number, pruneBelow: number): WeightPiece {
  let count = 0;
  for (let j = 0; j < d; j++) { const v = w[j]!; if (Math.abs(v) >= pruneBelow && Math.fround(v) !== 0) count++; }
  const indices = new Int32Array(count), values = new Float32Array(count);
  for (let j = 0, q = 0; j < d; j++) {
    const v = w[j]!;
    if (Math.abs(v) >= pruneBelow && Math.fround(v) !== 0) { indices[q] = j; values[q++] = v; }
  }
  return { indices, values };
}

/** One trained label, as {@link trainOneVsRest} records it. */
interface LabelResult {
  readonly positives: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly piece: WeightPiece;
  /** w's last entry with a bias, else 0. */
  readonly biasWeight: number;
}

type ResolvedOptions = ReturnType<typeof resolveOptions>;

/** The labels one after another in JavaScript (./dual_cd.ts), each reported to `done` when trained. */
function trainLabelsJs(data: DualCdData, byLabel: Csr, subsets: LabelRows | undefined, params: ResolvedOptions, d: number, done: (l: number, r: LabelResult) => void): void {
  const sign = new Int8Array(data.x.nRows);
  const w = new Float64Array(data.x.nCols);
  const solve: (data: DualCdData, y: Int8Array, p: DualCdParams, w: Float64Array, rows?: Int32Array) => DualCdResult = params.loss === 'logistic' ? logisticDualCd : squaredHingeDualCd;
  for (let l = 0; l < byLabel.nRows; l++) {
    sign.fill(-1);
    let positives = 0;
    for (let p = byLabel.rowPtr[l]!, e = byLabel.rowPtr[l + 1]!; p < e; p++) {
      if (byLabel.values[p] !== 0) { sign[byLabel.indices[p]!] = 1; positives++; }
    }
    if (positives === 0) {
      done(l, { positives, iterations: 0, converged: true, piece: { indices: new Int32Array(0), values: new Float32Array(0) }, biasWeight: 0 });
      continue;
    }
    const rows = subsets?.rows.subarray(subsets.ptr[l]!, subsets.ptr[l + 1]!);
    const r = solve(data, sign, { ...params, seed: labelSeed(params.seed, l) }, w, rows);
    done(l, { positives, iterations: r.iterations, converged: r.converged, piece: sparsify(r.w, d, params.pruneBelow), biasWeight: params.bias > 0 ? r.w[d]! : 0 });
  }
}

/** The rows each label is trained on: label l's at rows[ptr[l] .. ptr[l + 1]), ascending. */
interface LabelRows { readonly ptr: Int32Array; readonly rows: Int32Array }

/**
 * The rows each label is trained on: the union of the label's positives in `y` and its points in
 * `candidates` (both n × L).
 */
function labelSubsets(fn: string, y: Csr, candidates: Csr): LabelRows {
  checkCsr(fn, 'candidates', candidates);
  if (candidates.nRows !== y.nRows || candidates.nCols !== y.nCols) throw new InvalidArgumentError(fn, `'candidates' passed to ${fn}() must be ${y.nRows} × ${y.nCols} (points × labels) but is ${candidates.nRows} × ${candidates.nCols}`);
  const n = y.nRows, L = y.nCols, count = new Int32Array(L + 1), mark = new Int32Array(L).fill(-1);
  // Two passes over the points: count each label's distinct rows, then fill them in row order.
  const each = (visit: (i: number, l: number) => void): void => {
    for (let i = 0; i < n; i++) {
      for (const m of [y, candidates]) {
        for (let p = m.rowPtr[i]!, e = m.rowPtr[i + 1]!; p < e; p++) {
          const l = m.indices[p]!;
          if (!(l >= 0 && l < L)) throw new InvalidArgumentError(fn, `'candidates' passed to ${fn}() has a label id ${l} outside [0, ${L}) in row ${i}`);
          if (mark[l] !== i) { mark[l] = i; visit(i, l); }
        }
      }
    }
  };
  each((_, l) => { count[l + 1]!++; });
  for (let l = 0; l < L; l++) count[l + 1]! += count[l]!;
  const next = count.slice(0, L), rows = new Int32Array(count[L]!);
  mark.fill(-1);
  each((i, l) => { rows[next[l]!++] = i; });
  return { ptr: count, rows };
}

/** The addon's one-vs-rest solvers (off: the JavaScript path, which tests compare them with). */
const nativeOvr = new AddonSwitch('ovrTrainChunk');

/**
 * Train with the addon's solvers when it is built (the default), or always in JavaScript
 * (`false`; the same model up to the last bit of `log`, slower). For tests and benchmarks.
 */
export function useNativeOvr(on: boolean): void { nativeOvr.on = on; }

/** Wall time one native call aims at: `onLabel` (progress, aborts) is called between calls. */
const CHUNK_MS = 1000;

/**
 * The labels in chunks on the addon (src/engine/native/linear_cd.cc: the same solvers, OpenMP-
 * parallel over the labels of a chunk), each label reported to `done` once its chunk returns. A
 * chunk starts at 8 labels per thread and then holds about {@link CHUNK_MS} of work at the rate
 * measured so far; labels are independent, so the chunks do not change the model.
 */
function trainLabelsNative(addon: NativeLinear, data: DualCdData, byLabel: Csr, subsets: LabelRows | undefined, params: ResolvedOptions, d: number, done: (l: number, r: LabelResult) => void): void {
  const nLabels = byLabel.nRows, { x, sqNorms } = data;
  const minChunk = 8 * Math.max(1, threadReport()?.openmp ?? 1);
  let size = minChunk;
  for (let l0 = 0; l0 < nLabels;) {
    const l1 = Math.min(nLabels, l0 + size);
    const seeds = Uint32Array.from({ length: l1 - l0 }, (_, k) => labelSeed(params.seed, l0 + k));
    const t0 = performance.now();
    const r = addon.ovrTrainChunk({
      rowPtr: x.rowPtr, indices: x.indices, values: x.values, sqNorms, nFeatures: d, bias: params.bias > 0,
      labelPtr: byLabel.rowPtr, labelPoints: byLabel.indices, labelValues: byLabel.values, l0, l1, seeds,
      logistic: params.loss === 'logistic', c: params.c, eps: params.eps, maxIterations: params.maxIterations, pruneBelow: params.pruneBelow,
      ...(subsets && { subsetPtr: subsets.ptr, subsetRows: subsets.rows }),
    });
    const ms = performance.now() - t0;
    for (let k = 0; k < l1 - l0; k++) {
      const s = r.offsets[k]!, e = r.offsets[k + 1]!;
      done(l0 + k, {
        positives: r.positives[k]!, iterations: r.iterations[k]!, converged: r.converged[k] === 1,
        piece: { indices: r.indices.subarray(s, e), values: r.values.subarray(s, e) }, biasWeight: r.biasWeights[k]!,
      });
    }
    size = Math.max(minChunk, Math.min(4 * (l1 - l0), Math.round(((l1 - l0) * CHUNK_MS) / Math.max(ms, 1))));
    l0 = l1;
  }
}

/**
 * Train one binary classifier per label (one-vs-rest) by dual coordinate descent.
 *
 * Label l's positives are the rows of `y` with a non-zero entry in column l; all other rows are
 * its negatives. A label without positives gets no weights (it scores 0 everywhere) and is not
 * trained. Each label draws its coordinate order from its own seed, derived from `seed` and l, so
 * a label's weights do not depend on the other labels; the same options give the same model. With
 * the native addon the labels are trained in parallel on the compute threads (see setThreads), in
 * chunks with `onLabel` called between them; the model is the same for any number of threads.
 * @param x features, n × d.
 * @param y labels, n × L.
 * @example
 * const model = trainOneVsRest(features, labels, { loss: 'logistic', c: 10, pruneBelow: 0.01 });
 * const top5 = predictTopK(model, testFeatures, 5);
 * @throws InvalidArgumentError if an option is out of range, or `x` and `y` are not CSR matrices
 *   with the same number of rows.
 */
export function trainOneVsRest(x: Csr, y: Csr, options: OvrOptions): OvrModel {
  const fn = 'trainOneVsRest';
  checkCsr(fn, 'x', x);
  checkCsr(fn, 'y', y);
  if (x.nRows !== y.nRows) throw new InvalidArgumentError(fn, `'x' and 'y' passed to ${fn}() must have the same number of rows but have ${x.nRows} and ${y.nRows}`);
  const params = resolveOptions(options);
  const d = x.nCols, nLabels = y.nCols;
  const xb = params.bias > 0 ? withConstantColumn(x, params.bias) : x;
  const data: DualCdData = { x: xb, sqNorms: squaredRowNorms(xb) };
  const byLabel = transpose(y); // L × n: row l lists the points of label l
  const subsets = options.candidates === undefined ? undefined : labelSubsets(fn, y, options.candidates);
  const iterations = new Int32Array(nLabels), converged = new Uint8Array(nLabels), biasWeights = new Float32Array(nLabels);
  const pieces: (WeightPiece | undefined)[] = new Array(nLabels);
  const perFeature = new Int32Array(d + 1);
  const done = (l: number, r: LabelResult): void => {
    iterations[l] = r.iterations;
    converged[l] = r.converged ? 1 : 0;
    biasWeights[l] = r.biasWeight;
    pieces[l] = r.piece;
    for (let q = 0; q < r.piece.indices.length; q++) perFeature[r.piece.indices[q]! + 1]!++;
    options.onLabel?.({ label: l, positives: r.positives, iterations: r.iterations, converged: r.converged, nnz: r.piece.indices.length });
  };
  const addon = nativeOvr.get();
  if (addon) trainLabelsNative(addon, data, byLabel, subsets, params, d, done);
  else trainLabelsJs(data, byLabel, subsets, params, d, done);
  // The feature-major W by a counting transpose of the label pieces, each freed once copied.
  for (let j = 0; j < d; j++) perFeature[j + 1]! += perFeature[j]!;
  const next = perFeature.slice(0, d);
  const indices = new Int32Array(perFeature[d]!), values = new Float32Array(perFeature[d]!);
  for (let l = 0; l < nLabels; l++) {
    const piece = pieces[l]!;
    for (let q = 0; q < piece.indices.length; q++) {
      const at = next[piece.indices[q]!]!++;
      indices[at] = l;
      values[at] = piece.values[q]!;
    }
    pieces[l] = undefined;
  }
  return {
    loss: params.loss, c: params.c, nFeatures: d, nLabels,
    weights: { nRows: d, nCols: nLabels, rowPtr: perFeature, indices, values }, bias: params.bias, biasWeights, iterations, converged,
  };
}

function checkRows(fn: string, model: OvrModel, x: Csr): void {
  checkCsr(fn, 'x', x);
  if (x.nCols > model.nFeatures) throw new InvalidArgumentError(fn, `'x' passed to ${fn}() has ${x.nCols} features but the model has ${model.nFeatures}`);
}

/** Scores of rows [start, end) of x into `out` ((end − start) × L, row-major), accumulated in float64. */
function scoreRows(model: OvrModel, x: Csr, start: number, end: number, out: Float32Array): void {
  const L = model.nLabels, { rowPtr: wPtr, indices: wInd, values: wVal } = model.weights;
  const acc = new Float64Array(L), offset = new Float64Array(L);
  for (let l = 0; l < L; l++) offset[l] = model.bias * model.biasWeights[l]!;
  for (let i = start; i < end; i++) {
    acc.set(offset);
    for (let p = x.rowPtr[i]!, e = x.rowPtr[i + 1]!; p < e; p++) {
      const j = x.indices[p]!, v = x.values[p]!;
      for (let q = wPtr[j]!, f = wPtr[j + 1]!; q < f; q++) acc[wInd[q]!]! += v * wVal[q]!;
    }
    out.set(acc, (i - start) * L);
  }
}

/**
 * The scores w_l·x_i (plus b times the bias weight) of every row of `x` for every label: a dense row-major x.nRows × nLabels
 * matrix (float32, accumulated in float64). Memory n·L·4 bytes; for top-k of many rows use
 * {@link predictTopK}, which works in blocks.
 * @throws InvalidArgumentError if `x` is not a CSR matrix or has more columns than the model has features.
 */
export function ovrScores(model: OvrModel, x: Csr): Float32Array {
  checkRows('ovrScores', model, x);
  const out = new Float32Array(x.nRows * model.nLabels);
  scoreRows(model, x, 0, x.nRows, out);
  return out;
}

/**
 * The k best labels of every row of `x` by score w_l·x (ties to the smaller label, as
 * {@link topKRows}), k > nLabels padded with −1. Rows are scored in blocks of about 2²⁰ scores.
 * @throws InvalidArgumentError if k is not an integer ≥ 1, or `x` is not a CSR matrix or has more
 *   columns than the model has features.
 */
export function predictTopK(model: OvrModel, x: Csr, k: number): Ranked {
  const fn = 'predictTopK';
  if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError(fn, `'k' passed to ${fn}() must be an integer >= 1 but got ${k}`);
  checkRows(fn, model, x);
  const n = x.nRows, L = model.nLabels;
  const labels = new Int32Array(n * k).fill(-1), scores = new Float32Array(n * k).fill(-Infinity);
  if (L === 0) return { nRows: n, k, labels, scores };
  const block = scoreBlockRows(L, 2 ** 20);
  const buf = new Float32Array(Math.min(block, n) * L);
  for (let s = 0; s < n; s += block) {
    const e = Math.min(n, s + block);
    const part = buf.subarray(0, (e - s) * L);
    scoreRows(model, x, s, e, part);
    const r = topKRows(part, e - s, L, k);
    labels.set(r.labels, s * k);
    scores.set(r.scores, s * k);
  }
  return { nRows: n, k, labels, scores };
}
