/**
 * A sparse linear re-ranker in front of any xmlc model (issue 18). The model (the ensemble)
 * shortlists the top-S labels of a point; one-vs-rest ℓ2-regularised linear classifiers over the
 * point's ℓ2-normalised features (src/linear: dual coordinate descent as LIBLINEAR, weights pruned
 * as DiSMEC/napkinXC do) re-score the shortlist, and the final score of a shortlisted label is
 *
 *   α · (the model's score) + (1 − α) · σ(w_l · x + b·w_l0),
 *
 * σ the logistic function. Shortlisting by an embedding model and re-scoring by per-label linear
 * classifiers is the two-stage design of the XMC shortlist methods (e.g. SLICE, Jain et al., WSDM
 * 2019; PECOS/XR-Linear's ranker, Yu et al., JMLR 2022): the embedding sees label correlations, the
 * classifiers see what an embedding loses for rare labels.
 *
 * α (and optionally C) is chosen on a held-out split of the training data: the model and the
 * classifiers are trained on the rest, the held-out points scored for every α on a grid, and the
 * best mean of P@1, P@3 and P@5 kept (ties to the larger α: the model's own ranking) when the same
 * choice, cross-validated within the held-out points, gains over the model's own ranking; then both
 * are trained on all the training data. The default model (`rerank: 'auto'`) makes the choice on the
 * held-out split its merge rule is chosen on (MixedModel) and keeps the classifiers only when the
 * choice gives them a weight (α < 1).
 */
import * as path from 'node:path';
import { type Csr, normalizeRowsL2, selectRows, sliceRows } from '../data/csr.js';
import { Rng } from '../util/rng.js';
import { splitRows } from '../util/split.js';
import { type BinaryLoss, type OvrModel, ovrScores, trainOneVsRest } from '../linear/ovr.js';
import { type ProgressFn, task } from '../progress.js';
import { type Ranked, scoreBlockRows } from '../ranking/topk.js';
import { decodeCsr, decodeFloats, encodeCsr, encodeFloats, type Manifest, MANIFEST_FILE, type ModelWriter, readModelFile } from './io.js';
import { JsonChecker, type ManifestBody } from './manifest.js';
import { type Model, type ModelSummary } from './model.js';
import { ParamsError, type PredictParams, predictParams } from './params.js';
import { WrappedModel } from './wrapped_model.js';
import { splitData, type TestFeatures, testInput, type TrainingData } from './training_data.js';
import { meanPrecision135, MIN_HELD_OUT, pairedGain, pointPrecision135 } from '../metrics/held_out.js';

/** The re-ranker's parameters (the `rerank` object of the training parameters). */
export interface RerankParams {
  /** Labels of the model's ranking that are re-scored (S). */
  readonly shortlist: number;
  /** The classifiers' loss. */
  readonly loss: BinaryLoss;
  /** The classifiers' C (½‖w‖² + C Σ loss), or `auto`: 1, 10 or 100, chosen with α on the held-out split. */
  readonly c: number | 'auto';
  /** The value of the constant feature (a regularised bias, as LIBLINEAR's -B); 0: none. */
  readonly bias: number;
  /** Weights below this in magnitude are dropped (DiSMEC's 0.01). */
  readonly pruneBelow: number;
  /** The model's weight α in [0, 1], or `auto`: chosen on the held-out split. */
  readonly alpha: number | 'auto';
  /** The held-out fraction of the training points for the `auto` choices. */
  readonly validationFraction: number;
  /**
   * The points each label's classifier is trained on: `all` (plain one-vs-rest: every training point), `shortlist` (its
   * positives and the training points whose top-S by the model holds it: the only points where it is asked to score, as
   * the rankers of SLICE and PECOS are trained; far cheaper with many labels), or `auto`: `shortlist` when there are more
   * than 10·S labels.
   */
  readonly negatives: 'all' | 'shortlist' | 'auto';
}

/** The re-ranker's defaults. */
export const RERANK_DEFAULTS: RerankParams = Object.freeze({
  shortlist: 100, loss: 'logistic', c: 'auto', bias: 1, pruneBelow: 0.01, alpha: 'auto', validationFraction: 0.1, negatives: 'auto',
});

/**
 * `negatives: 'auto'` trains on shortlists when the labels outnumber the shortlist by more than this factor, i.e. when
 * the shortlist holds under a tenth of the labels: then plain one-vs-rest would spend over 90% of its work on points
 * where the label is never re-scored.
 */
export const SHORTLIST_NEGATIVES_RATIO = 10;

/**
 * Whether the classifiers are trained on shortlists (`negatives`, for a model of `nLabels` labels). Trained so, label l's
 * classifier sees its positives and the points whose top-S holds l — the only points where it is ever asked to score l —
 * instead of every point, as the rankers of the shortlist methods are trained (SLICE, Jain et al., WSDM 2019: negatives
 * from the shortlist; PECOS/XR-Linear, Yu et al., JMLR 2022: "matcher-aware" negatives). A label's cost falls from n
 * points to about n·(S + labels per point)/L, which is what makes the re-ranker affordable at tens of thousands of labels.
 */
export function shortlistNegatives(p: RerankParams, nLabels: number): boolean {
  return p.negatives === 'shortlist' || (p.negatives === 'auto' && nLabels > SHORTLIST_NEGATIVES_RATIO * p.shortlist);
}

/** The n × L pattern of a ranking's labels (each row's top-S), the candidates of trainOneVsRest. */
export function shortlistPattern(ranked: Ranked, nLabels: number): Csr {
  const n = ranked.nRows, S = ranked.k, rowPtr = new Int32Array(n + 1);
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < S; j++) if (ranked.labels[i * S + j]! >= 0) nnz++;
    rowPtr[i + 1] = nnz;
  }
  const indices = new Int32Array(nnz);
  for (let i = 0; i < n; i++) indices.set(ranked.labels.subarray(i * S, (i + 1) * S).filter((l) => l >= 0).sort(), rowPtr[i]!);
  return { nRows: n, nCols: nLabels, rowPtr, indices, values: new Float32Array(nnz).fill(1) };
}

/** The grid of α (the model's weight) and of C tried on the held-out split (C: the grid of the one-vs-rest baseline, eval/compare.ts). */
export const RERANK_ALPHAS: readonly number[] = Object.freeze(Array.from({ length: 11 }, (_, i) => i / 10));
export const RERANK_CS: readonly number[] = Object.freeze([1, 10, 100]);

/**
 * Check and complete re-ranker parameters.
 * @throws ParamsError naming the bad one.
 */
export function rerankParams(given: Partial<RerankParams> = {}): RerankParams {
  if (given === null || typeof given !== 'object' || Array.isArray(given)) throw new ParamsError(`parameter 'rerank' must be an object of re-ranker parameters (${Object.keys(RERANK_DEFAULTS).join(', ')})`);
  const unknown = Object.keys(given).filter((k) => !Object.hasOwn(RERANK_DEFAULTS, k));
  if (unknown.length > 0) throw new ParamsError(`unknown re-ranker parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${Object.keys(RERANK_DEFAULTS).join(', ')})`);
  const p = { ...RERANK_DEFAULTS, ...given };
  const bad = (name: string, expected: string, got: unknown): never => {
    throw new ParamsError(`re-ranker parameter '${name}' must be ${expected} but got ${JSON.stringify(got)}`);
  };
  if (!Number.isInteger(p.shortlist) || p.shortlist < 1) bad('shortlist', 'an integer ≥ 1', p.shortlist);
  if (p.loss !== 'logistic' && p.loss !== 'squared-hinge') bad('loss', '"logistic" or "squared-hinge"', p.loss);
  if (p.c !== 'auto' && !(typeof p.c === 'number' && Number.isFinite(p.c) && p.c > 0)) bad('c', 'a number > 0 or "auto"', p.c);
  if (!(typeof p.bias === 'number' && Number.isFinite(p.bias) && p.bias >= 0)) bad('bias', 'a number ≥ 0', p.bias);
  if (!(typeof p.pruneBelow === 'number' && Number.isFinite(p.pruneBelow) && p.pruneBelow >= 0)) bad('pruneBelow', 'a number ≥ 0', p.pruneBelow);
  if (p.alpha !== 'auto' && !(typeof p.alpha === 'number' && p.alpha >= 0 && p.alpha <= 1)) bad('alpha', 'a number in [0, 1] or "auto"', p.alpha);
  if (p.negatives !== 'all' && p.negatives !== 'shortlist' && p.negatives !== 'auto') bad('negatives', '"all", "shortlist" or "auto"', p.negatives);
  if (!(typeof p.validationFraction === 'number' && p.validationFraction > 0 && p.validationFraction < 1)) bad('validationFraction', 'a fraction in (0, 1)', p.validationFraction);
  return Object.freeze(p);
}

/** The classifiers' scores of a block of rows, squashed to (0, 1). */
function classifierProbabilities(ovr: OvrModel, x: Csr): Float32Array {
  const s = ovrScores(ovr, x);
  for (let i = 0; i < s.length; i++) s[i] = 1 / (1 + Math.exp(-s[i]!));
  return s;
}

/**
 * The top `k` of each row's shortlist by α·(model score) + (1 − α)·σ(classifier score); the
 * shortlist is `ranked` (width S), the classifier probabilities `prob` (rows × L, the rows of `ranked` from `row0`).
 */
function combine(ranked: Ranked, row0: number, rows: number, prob: Float32Array, L: number, alpha: number, k: number, out: { labels: Int32Array; scores: Float32Array }): void {
  const S = ranked.k;
  const cand = new Float64Array(S), ids = new Int32Array(S), order = new Int32Array(S);
  for (let r = 0; r < rows; r++) {
    const i = row0 + r;
    let m = 0;
    for (let j = 0; j < S; j++) {
      const l = ranked.labels[i * S + j]!;
      if (l < 0) break;
      ids[m] = l;
      cand[m] = alpha * ranked.scores[i * S + j]! + (1 - alpha) * prob[r * L + l]!;
      order[m] = m;
      m++;
    }
    // Best first; ties to the smaller label (as topKRows).
    const o = Array.from(order.subarray(0, m)).sort((a, b) => cand[b]! - cand[a]! || ids[a]! - ids[b]!);
    for (let j = 0; j < k; j++) {
      out.labels[i * k + j] = j < m ? ids[o[j]!]! : -1;
      out.scores[i * k + j] = j < m ? cand[o[j]!]! : -Infinity;
    }
  }
}

/** Re-rank a shortlist `ranked` of the rows of `x` (ℓ2-normalised features) with `ovr` and weight α; top k per row. */
function rerank(ranked: Ranked, x: Csr, ovr: OvrModel, alpha: number, k: number): Ranked {
  const n = ranked.nRows, L = ovr.nLabels, out = { labels: new Int32Array(n * k), scores: new Float32Array(n * k) };
  const block = scoreBlockRows(L);
  for (let s = 0; s < n; s += block) {
    const e = Math.min(n, s + block);
    combine(ranked, s, e - s, classifierProbabilities(ovr, sliceRows(x, s, e)), L, alpha, k, out);
  }
  return { nRows: n, k, labels: out.labels, scores: out.scores };
}

/**
 * One-vs-rest classifiers of the re-ranker on the ℓ2-normalised rows `x`, with a progress bar of labels; each label trained
 * on its positives and its rows in `candidates` when given (a shortlist pattern, see {@link shortlistNegatives}).
 */
function fitClassifiers(x: Csr, labels: Csr, p: RerankParams, c: number, seed: number, what: string, onProgress?: ProgressFn, candidates?: Csr): Promise<OvrModel> {
  return task(onProgress, what, labels.nCols, async (tick) => trainOneVsRest(x, labels, { loss: p.loss, c, bias: p.bias, pruneBelow: p.pruneBelow, seed, onLabel: () => tick(1), ...(candidates && { candidates }) }));
}

/**
 * Folds of the held-out points over which the re-ranker's choice is cross-validated (nested in the held-out split: the
 * (α, C) choice made on four fifths of the points, scored on the fifth; Varma and Simon, "Bias in error estimation when
 * using cross-validation for model selection", BMC Bioinformatics 2006). The best of the 33 (α, C) pairs on the same
 * points it was picked on overstates its gain; the nested estimate does not, so its sign decides.
 */
export const RERANK_FOLDS = 5;

/**
 * The cross-validated gain of picking the best of `candidates` (per-point held-out scores, in order of preference: the
 * first of equal means wins) over `own`: the points are dealt into `folds` seeded folds; for each fold the candidate with
 * the best mean over the other folds' points is taken, and its scores of the fold's points are compared with `own`'s.
 * Returns the mean of those paired differences over all points and its standard error.
 */
export function crossValidatedGain(candidates: readonly Float64Array[], own: Float64Array, folds: number, seed: number): { gain: number; se: number } {
  const n = own.length, perm = Int32Array.from({ length: n }, (_, i) => i);
  new Rng(seed).shuffle(perm);
  const fold = new Int32Array(n);
  perm.forEach((row, pos) => { fold[row] = pos % folds; });
  const picked = new Float64Array(n);
  for (let f = 0; f < folds; f++) {
    let best = -Infinity, chosen = candidates[0]!;
    for (const cand of candidates) {
      let sum = 0;
      for (let i = 0; i < n; i++) if (fold[i] !== f) sum += cand[i]!;
      if (sum > best) { best = sum; chosen = cand; }
    }
    for (let i = 0; i < n; i++) if (fold[i] === f) picked[i] = chosen[i]!;
  }
  return pairedGain(picked, own);
}

/**
 * What {@link chooseRerank} re-scores and trains on, from `model` trained on the rows `fitRows` of `features`: its top-S of
 * the rows `valid`, and — when the classifiers are trained on shortlists — of the rows `fitRows` too.
 */
export async function heldOutShortlists(model: Model, features: Csr, nLabels: number, fitRows: Int32Array, valid: Int32Array, p: RerankParams): Promise<{ ranked: Ranked; fitRanked?: Ranked }> {
  const ranked = await model.predict(selectRows(features, valid), { topK: p.shortlist });
  if (!shortlistNegatives(p, nLabels)) return { ranked };
  return { ranked, fitRanked: await model.predict(selectRows(features, fitRows), { topK: p.shortlist }) };
}

/**
 * Choose α and C on held-out points (see the module comment): classifiers trained on the rows `fitRows` of `data` for
 * every C tried, and `ranked` — the top-S of the rows `valid` by the shortlisting model trained on `fitRows` — re-scored
 * for every α. The best held-out mean of P@1, P@3 and P@5 wins (ties keep the larger α and the smaller C) if the same
 * choice, cross-validated over RERANK_FOLDS folds of the held-out points ({@link crossValidatedGain}), gains over α = 1
 * (the model's own ranking); else α = 1. A given α or C is the only one tried. `fitRanked`, the same model's top-S of the
 * rows `fitRows`, is what the classifiers are trained on when {@link shortlistNegatives} (required then).
 */
export async function chooseRerank(data: TrainingData, fitRows: Int32Array, valid: Int32Array, ranked: Ranked, p: RerankParams, seed: number, onProgress?: ProgressFn, fitRanked?: Ranked): Promise<RerankChoice> {
  const onShortlists = shortlistNegatives(p, data.labels.nCols);
  if (onShortlists && (fitRanked === undefined || fitRanked.nRows !== fitRows.length)) throw new Error('chooseRerank: shortlist negatives need the shortlists of the fit rows');
  // Built once for the three fits.
  const pattern = onShortlists ? shortlistPattern(fitRanked!, data.labels.nCols) : undefined;
  const x = normalizeRowsL2(data.features), xf = selectRows(x, fitRows), xv = selectRows(x, valid);
  const yf = selectRows(data.labels, fitRows), truth = selectRows(data.labels, valid);
  const alphas = p.alpha === 'auto' ? RERANK_ALPHAS : [p.alpha], cs = p.c === 'auto' ? RERANK_CS : [p.c];
  const scores: Record<string, number[]> = {};
  // Every (C, α)'s per-point scores, in the order of preference (C ascending, α descending).
  const candidates: Float64Array[] = [];
  let best = -Infinity, alpha = alphas[alphas.length - 1]!, c = cs[0]!, bestPoints: Float64Array | undefined;
  for (const ci of cs) {
    const ovr = await fitClassifiers(xf, yf, p, ci, seed, `re-ranker: classifiers on ${fitRows.length} points (C = ${ci})`, onProgress, pattern);
    const prob = classifierProbabilities(ovr, xv);
    const rankings = alphas.map((a) => {
      const out = { labels: new Int32Array(valid.length * 5), scores: new Float32Array(valid.length * 5) };
      combine(ranked, 0, valid.length, prob, ovr.nLabels, a, 5, out);
      return { nRows: valid.length, k: 5, ...out };
    });
    const row = rankings.map((r) => meanPrecision135(r, truth));
    for (let j = alphas.length - 1; j >= 0; j--) {
      const points = pointPrecision135(rankings[j]!, truth);
      candidates.push(points);
      if (row[j]! > best) { best = row[j]!; alpha = alphas[j]!; c = ci; bestPoints = points; }
    }
    scores[String(ci)] = row;
  }
  // α = 1 (the last α of the grid) is the model's own ranking, the same for every C: the first candidate.
  if (p.alpha !== 'auto' || alpha === 1) return { c, alpha, scores };
  const own = candidates[0]!, test = pairedGain(bestPoints!, own);
  const cv = crossValidatedGain(candidates, own, RERANK_FOLDS, seed ^ 0x2545f491);
  return { c, alpha: cv.gain > 0 ? alpha : 1, scores, bestAlpha: alpha, gain: test.gain, se: test.se, cvGain: cv.gain, cvSe: cv.se };
}

/** What a held-out choice of the re-ranker did, for a model's notes. */
export function rerankNote(choice: RerankChoice): string {
  const pts = (v: number): string => `${v >= 0 ? '+' : '−'}${(100 * Math.abs(v)).toFixed(2)}`, se = (v: number): string => (100 * v).toFixed(2);
  if (choice.gain === undefined || choice.se === undefined || choice.cvGain === undefined || choice.cvSe === undefined) return choice.alpha === 1 ? 're-ranker: not kept (on held-out points the model\'s own ranking, α = 1, was best)' : `re-ranker: α = ${choice.alpha}, C = ${choice.c} chosen on held-out points`;
  const test = `held-out mean P@1,3,5 ${pts(choice.gain)} ± ${se(choice.se)} points over the model's own ranking, ${pts(choice.cvGain)} ± ${se(choice.cvSe)} cross-validated`;
  return choice.alpha < 1
    ? `re-ranker: α = ${choice.alpha}, C = ${choice.c} (${test})`
    : `re-ranker: not kept (best α = ${choice.bestAlpha}, C = ${choice.c}: ${test}, not above 0)`;
}

/** The model directory's file of the classifiers' weights (feature-major CSR) and of their bias weights. */
const WEIGHTS_FILE = 'rerank.weights.csr';
const BIAS_FILE = 'rerank.bias.f32';

/** How the re-ranker was chosen: the held-out scores of every (C, α) tried. */
export interface RerankChoice {
  /** The classifiers' C chosen. */
  readonly c: number;
  /** The model's weight α chosen. */
  readonly alpha: number;
  /** Per C tried: the held-out mean of P@1, P@3, P@5 for α = 0, 0.1, …, 1. */
  readonly scores: Readonly<Record<string, readonly number[]>>;
  /** When α was `auto` and the best was below 1: that α (with C `c`), … */
  readonly bestAlpha?: number;
  /** … its held-out gain over α = 1 (mean of the paired per-point differences of the mean of P@1, P@3, P@5; a fraction), … */
  readonly gain?: number;
  /** … its standard error, … */
  readonly se?: number;
  /** … the same choice's gain over α = 1 cross-validated over RERANK_FOLDS folds of the held-out points (a fraction): α < 1 is kept only when it is above 0, … */
  readonly cvGain?: number;
  /** … and that gain's standard error. */
  readonly cvSe?: number;
}

/**
 * A model whose rankings are re-scored by one-vs-rest linear classifiers (see the module comment).
 * It is a {@link Model}: `predict` ranks with the inner model's top-S and re-scores them.
 */
export class RerankedModel extends WrappedModel {
  constructor(
    /** The shortlisting model. */
    model: Model,
    /** The per-label classifiers. */
    readonly ovr: OvrModel,
    /** The re-ranker's parameters (as given; `auto` choices resolved in `alpha` and the classifiers' C). */
    readonly rerankParams: RerankParams,
    /** The model's weight α. */
    readonly alpha: number,
    /** How α and C were chosen (absent when both were given, and for loaded models). */
    readonly choice?: RerankChoice,
  ) {
    super(model);
  }

  /**
   * Train the shortlisting model (`train`) and the classifiers on `data`, α and C chosen on a held-out split when `auto`.
   * @param train trains the shortlisting model on given data (called twice when a choice is `auto`: on the split, then on all).
   */
  static async train(data: TrainingData, given: Partial<RerankParams>, train: (data: TrainingData) => Promise<Model>, seed: number, onProgress?: ProgressFn): Promise<RerankedModel> {
    const p = rerankParams(given);
    let choice: RerankChoice | undefined;
    if (p.alpha === 'auto' || p.c === 'auto') {
      choice = await RerankedModel.chooseOnSplit(data, p, train, seed, onProgress);
      if (choice === undefined) throw new ParamsError(`the re-ranker's automatic choices need at least ${MIN_HELD_OUT} held-out points, but ${data.features.nRows} training points × validationFraction ${p.validationFraction} give fewer; give rerank.alpha and rerank.c`);
    }
    const alpha = choice?.alpha ?? (p.alpha as number), c = choice?.c ?? (p.c as number);
    return RerankedModel.around(await train(data), data, p, alpha, c, choice, seed, onProgress);
  }

  /**
   * α and C chosen on the re-ranker's own held-out split (a seeded `validationFraction` of the points): the shortlisting
   * model trained (`train`) on the rest and its ranking of the held-out points re-scored (`chooseRerank`).
   * `undefined` when the split holds fewer than MIN_HELD_OUT points.
   */
  static async chooseOnSplit(data: TrainingData, p: RerankParams, train: (data: TrainingData) => Promise<Model>, seed: number, onProgress?: ProgressFn): Promise<RerankChoice | undefined> {
    const { train: fitRows, valid } = splitRows(data.features.nRows, p.validationFraction, seed ^ 0x5bd1e995);
    if (valid.length < MIN_HELD_OUT) return undefined;
    const { fit } = splitData(data, fitRows, valid);
    const base = await train(fit);
    let shortlists: { ranked: Ranked; fitRanked?: Ranked };
    try {
      shortlists = await heldOutShortlists(base, data.features, data.labels.nCols, fitRows, valid, p);
    } finally {
      base.dispose();
    }
    return chooseRerank(data, fitRows, valid, shortlists.ranked, p, seed, onProgress, shortlists.fitRanked);
  }

  /**
   * `model` (trained on `data`) re-ranked by classifiers trained on all of `data` with C `c`, at weight `alpha`;
   * `model` is disposed if the classifiers fail.
   */
  static async around(model: Model, data: TrainingData, p: RerankParams, alpha: number, c: number, choice: RerankChoice | undefined, seed: number, onProgress?: ProgressFn): Promise<RerankedModel> {
    try {
      const candidates = shortlistNegatives(p, data.labels.nCols) ? shortlistPattern(await model.predict(data.features, { topK: p.shortlist }), data.labels.nCols) : undefined;
      const ovr = await fitClassifiers(normalizeRowsL2(data.features), data.labels, p, c, seed, `re-ranker: classifiers (C = ${c}, one per label)`, onProgress, candidates);
      return new RerankedModel(model, ovr, p, alpha, choice);
    } catch (e) {
      model.dispose();
      throw e;
    }
  }
  /** The inner model's notes, and what the held-out choice of α and C saw. */
  override get notes(): readonly string[] {
    return this.choice ? [...this.model.notes, rerankNote(this.choice)] : this.model.notes;
  }

  /** The inner model's top-S per row, re-scored; at most `options.topK` labels per row. */
  override async predict(features: TestFeatures, options: Partial<PredictParams> = {}, onProgress?: ProgressFn): Promise<Ranked> {
    const pp = predictParams(options);
    const ranked = await this.model.predict(features, { ...options, topK: Math.max(this.rerankParams.shortlist, pp.topK) }, onProgress);
    const x = normalizeRowsL2(testInput(features).features);
    return task(onProgress, 're-rank the shortlists', undefined, async () => rerank(ranked, x, this.ovr, this.alpha, Math.min(pp.topK, Math.max(1, this.nLabels))));
  }

  /** The inner model's summary with the re-ranker's shortlist, α, loss, C and what the classifiers were trained on. */
  override describe(options?: Partial<PredictParams>): ModelSummary {
    const negatives = shortlistNegatives(this.rerankParams, this.nLabels) ? 'shortlist' : 'all';
    return { ...this.model.describe(options), rerank: { shortlist: this.rerankParams.shortlist, alpha: this.alpha, loss: this.ovr.loss, c: this.ovr.c, negatives } };
  }
  /** The inner model's files and the classifiers'; the manifest body describes them under `rerank`. @internal */
  override async writeTo(w: ModelWriter): Promise<ManifestBody> {
    const body = await this.model.writeTo(w);
    await w.writeBytes(WEIGHTS_FILE, encodeCsr(this.ovr.weights));
    await w.writeBytes(BIAS_FILE, encodeFloats([this.ovr.biasWeights]));
    return {
      ...body,
      rerank: {
        params: { ...this.rerankParams }, alpha: this.alpha, c: this.ovr.c, weights: WEIGHTS_FILE, biasWeights: BIAS_FILE,
        ...(this.choice ? { choice: this.choice } : {}),
      },
    };
  }

  /**
   * The re-ranked model of a loaded `model` whose manifest has a `rerank` entry (files checksummed and checked against its shape).
   * @throws ModelFormatError for a missing, corrupt or inconsistent re-ranker.
   * @internal
   */
  static async attach(model: Model, dir: string, manifest: Manifest): Promise<RerankedModel> {
    const check = new JsonChecker(path.join(dir, MANIFEST_FILE));
    const f = JsonChecker.field;
    const entry = check.object(manifest.rerank, 'rerank');
    let p: RerankParams;
    try {
      p = rerankParams(check.object(f(entry, 'params'), 'rerank.params') as Partial<RerankParams>);
    } catch (e) {
      return check.fail('rerank.params', `valid re-ranker parameters (${(e as Error).message})`, f(entry, 'params'));
    }
    const alpha = check.number(f(entry, 'alpha'), 'rerank.alpha', 0, 1);
    const c = check.number(f(entry, 'c'), 'rerank.c', Number.MIN_VALUE, Number.MAX_VALUE);
    const wFile = check.string(f(entry, 'weights'), 'rerank.weights', /^rerank\.[a-z0-9.]+$/);
    const bFile = check.string(f(entry, 'biasWeights'), 'rerank.biasWeights', /^rerank\.[a-z0-9.]+$/);
    const weights = decodeCsr(await readModelFile(dir, manifest, wFile), path.join(dir, wFile));
    if (weights.nRows !== model.nFeatures || weights.nCols !== model.nLabels) check.fail('rerank.weights', `a ${model.nFeatures} × ${model.nLabels} weight matrix (the model's features × labels)`, `${weights.nRows} × ${weights.nCols}`);
    const [biasWeights] = decodeFloats(await readModelFile(dir, manifest, bFile), [model.nLabels], path.join(dir, bFile));
    const ovr: OvrModel = {
      loss: p.loss, c, nFeatures: model.nFeatures, nLabels: model.nLabels, weights, bias: p.bias, biasWeights: biasWeights!,
      iterations: new Int32Array(model.nLabels), converged: new Uint8Array(model.nLabels).fill(1),
    };
    return new RerankedModel(model, ovr, p, alpha);
  }
}
