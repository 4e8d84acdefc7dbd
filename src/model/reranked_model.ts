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
 * best mean of P@1, P@3 and P@5 kept; then both are trained on all the training data.
 */
import * as path from 'node:path';
import { type Csr, normalizeRowsL2, selectRows, sliceRows } from '../data/csr.js';
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
import { HELD_OUT_MARGIN, meanPrecision135, MIN_HELD_OUT } from '../metrics/held_out.js';

/** The re-ranker's parameters (the `rerank` object of the training parameters). */
export interface RerankParams {
  /** Labels of the model's ranking that are re-scored (S). */
  readonly shortlist: number;
  /** The classifiers' loss. */
  readonly loss: BinaryLoss;
  /** The classifiers' C (½‖w‖² + C Σ loss), or `auto`: 1 or 10, chosen with α on the held-out split. */
  readonly c: number | 'auto';
  /** The value of the constant feature (a regularised bias, as LIBLINEAR's -B); 0: none. */
  readonly bias: number;
  /** Weights below this in magnitude are dropped (DiSMEC's 0.01). */
  readonly pruneBelow: number;
  /** The model's weight α in [0, 1], or `auto`: chosen on the held-out split. */
  readonly alpha: number | 'auto';
  /** The held-out fraction of the training points for the `auto` choices. */
  readonly validationFraction: number;
}

/** The re-ranker's defaults. */
export const RERANK_DEFAULTS: RerankParams = Object.freeze({
  shortlist: 100, loss: 'logistic', c: 'auto', bias: 1, pruneBelow: 0.01, alpha: 'auto', validationFraction: 0.1,
});

/** The grid of α (the model's weight) and of C tried on the held-out split. */
const ALPHAS = Array.from({ length: 11 }, (_, i) => i / 10);
const CS = [1, 10];

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
    const x = normalizeRowsL2(data.features);
    const fit = (rows: Csr, labels: Csr, c: number, what: string): Promise<OvrModel> =>
      task(onProgress, what, labels.nCols, async (tick) => trainOneVsRest(rows, labels, { loss: p.loss, c, bias: p.bias, pruneBelow: p.pruneBelow, seed, onLabel: () => tick(1) }));
    let alpha = p.alpha === 'auto' ? NaN : p.alpha;
    let c = p.c === 'auto' ? NaN : p.c;
    let choice: RerankChoice | undefined;
    if (p.alpha === 'auto' || p.c === 'auto') {
      const { train: fitRows, valid } = splitRows(x.nRows, p.validationFraction, seed ^ 0x5bd1e995);
      if (valid.length < MIN_HELD_OUT) throw new ParamsError(`the re-ranker's automatic choices need at least ${MIN_HELD_OUT} held-out points, but ${x.nRows} training points × validationFraction ${p.validationFraction} give ${valid.length}; give rerank.alpha and rerank.c`);
      const { fit: part, held } = splitData(data, fitRows, valid);
      const base = await train(part);
      let ranked: Ranked;
      try {
        ranked = await base.predict(held.features, { topK: p.shortlist });
      } finally {
        base.dispose();
      }
      const truth = held.labels, xv = selectRows(x, valid), xf = selectRows(x, fitRows);
      const scores: Record<string, number[]> = {};
      let best = -1;
      for (const ci of p.c === 'auto' ? CS : [p.c]) {
        const ovr = await fit(xf, part.labels, ci, `re-ranker: classifiers on ${fitRows.length} points (C = ${ci})`);
        const prob = classifierProbabilities(ovr, xv);
        const row: number[] = [];
        for (const a of p.alpha === 'auto' ? ALPHAS : [p.alpha]) {
          const out = { labels: new Int32Array(valid.length * 5), scores: new Float32Array(valid.length * 5) };
          combine(ranked, 0, valid.length, prob, ovr.nLabels, a, 5, out);
          const v = meanPrecision135({ nRows: valid.length, k: 5, ...out }, truth);
          row.push(v);
          // Ties keep the earlier (smaller C, smaller α).
          if (v > best) { best = v; alpha = a; c = ci; }
        }
        scores[String(ci)] = row;
      }
      // Re-scoring must beat the model's own ranking (α = 1) by more than the held-out noise, as the
      // decoder weight's choice (src/model/validation.ts): otherwise the model's ranking is kept.
      if (p.alpha === 'auto' && best - scores[String(c)]![ALPHAS.length - 1]! <= HELD_OUT_MARGIN) alpha = 1;
      choice = { c, alpha, scores };
    }
    const model = await train(data);
    try {
      const ovr = await fit(x, data.labels, c, `re-ranker: classifiers (C = ${c}, one per label)`);
      return new RerankedModel(model, ovr, p, alpha, choice);
    } catch (e) {
      model.dispose();
      throw e;
    }
  }

  /** The inner model's top-S per row, re-scored; at most `options.topK` labels per row. */
  override async predict(features: TestFeatures, options: Partial<PredictParams> = {}, onProgress?: ProgressFn): Promise<Ranked> {
    const pp = predictParams(options);
    const ranked = await this.model.predict(features, { ...options, topK: Math.max(this.rerankParams.shortlist, pp.topK) }, onProgress);
    const x = normalizeRowsL2(testInput(features).features);
    return task(onProgress, 're-rank the shortlists', undefined, async () => rerank(ranked, x, this.ovr, this.alpha, Math.min(pp.topK, Math.max(1, this.nLabels))));
  }

  /** The inner model's summary with the re-ranker's shortlist, α, loss and C. */
  override describe(options?: Partial<PredictParams>): ModelSummary {
    return { ...this.model.describe(options), rerank: { shortlist: this.rerankParams.shortlist, alpha: this.alpha, loss: this.ovr.loss, c: this.ovr.c } };
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
