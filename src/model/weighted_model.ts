/**
 * Feature weighting (issue 18, `features: 'raw' | 'log' | 'tfidf'`): the feature values of every
 * point are re-weighted before a model sees them (each model ℓ2-normalises its rows after):
 *
 * - `raw`: as given (the default — see {@link FEATURES_DEFAULT});
 * - `log`: sign(v)·ln(1 + |v|), damping large counts (sublinear tf, as SMART's "l" weighting);
 * - `tfidf`: v·idf_j with the smooth idf_j = ln((1 + n) / (1 + df_j)) + 1 of the n training points,
 *   df_j the training points with a non-zero feature j (scikit-learn's `smooth_idf` form, the one
 *   xmlc's text vectoriser uses); unseen features keep idf ln(1 + n) + 1.
 *
 * The weighted model wraps any model (kNN, forest, embedding, mixed, re-ranked): the idf vector is
 * fitted on the training points, saved beside the model (manifest entry `features`) and applied to
 * every point the model predicts.
 */
import * as path from 'node:path';
import { type Csr } from '../data/csr.js';
import { ParamsError } from '../errors.js';
import { HELD_OUT_MARGIN, meanPrecision135, MIN_HELD_OUT } from '../metrics/held_out.js';
import { splitRows } from '../util/split.js';
import { type ProgressFn } from '../progress.js';
import { type Ranked } from '../ranking/topk.js';
import { decodeFloats, encodeFloats, type Manifest, MANIFEST_FILE, type ModelWriter, readModelFile } from './io.js';
import { JsonChecker, type ManifestBody } from './manifest.js';
import { type Model, type ModelSummary } from './model.js';
import { type PredictParams } from './params.js';
import { splitData, testInput, type TestFeatures, type TrainingData } from './training_data.js';
import { WrappedModel } from './wrapped_model.js';

/** The feature weightings. */
export const FEATURE_WEIGHTINGS = Object.freeze(['raw', 'log', 'tfidf'] as const);
/** A feature weighting: `raw`, `log` or `tfidf` (see the module comment). @useDeclaredType */
export type FeatureWeighting = (typeof FEATURE_WEIGHTINGS)[number];

/**
 * The `features` parameter's default for a model that names its method (or mix): `raw`. The
 * default model (no method, mix or ensemble) takes `auto` instead: on held-out 10% splits of the
 * training sets (eval/results/features.md, never a test split) no weighting wins everywhere — tfidf
 * is ahead on Bibtex and Medical, raw on Corel5k and Enron — so it is chosen per training set.
 */
export const FEATURES_DEFAULT: FeatureWeighting = 'raw';

/** The weighting `v` names. @throws ParamsError for anything else (the message names `auto` too, which {@link featuresParam} takes). */
export function featureWeighting(v: unknown): FeatureWeighting {
  if (typeof v !== 'string' || !(FEATURE_WEIGHTINGS as readonly string[]).includes(v)) throw new ParamsError(`parameter 'features' must be one of ${FEATURE_WEIGHTINGS.join(', ')}, auto but got ${JSON.stringify(v)}`);
  return v as FeatureWeighting;
}

/** The `features` parameter: a weighting or `auto`. @throws ParamsError for anything else. */
export function featuresParam(v: unknown): FeatureWeighting | 'auto' {
  return v === 'auto' ? 'auto' : featureWeighting(v);
}

/** What the held-out choice of a weighting saw: the held-out mean of P@1, P@3, P@5 of each candidate. */
export interface FeatureChoice {
  /** The weighting chosen. */
  readonly weighting: FeatureWeighting;
  /** Held-out mean of P@1, P@3 and P@5 (a fraction) by candidate weighting. */
  readonly scores: Readonly<Partial<Record<FeatureWeighting, number>>>;
}

/**
 * The weightings that differ on `x`: `raw` always; `tfidf` unless every column has the same
 * document frequency (then idf is a constant factor, undone by ℓ2 normalisation); `log` unless
 * every value is 0 or ±1 (then it only scales by ln 2).
 */
export function distinctWeightings(x: Csr): FeatureWeighting[] {
  const out: FeatureWeighting[] = ['raw'];
  const idf = smoothIdf(x);
  if (idf.some((v) => v !== idf[0])) out.push('tfidf');
  const nz = x.rowPtr[x.nRows]!;
  for (let p = 0; p < nz; p++) { const v = Math.abs(x.values[p]!); if (v !== 0 && v !== 1) { out.push('log'); break; } }
  return out;
}

/**
 * Choose the weighting on held-out points: train (`train`) on a seeded 90% of `data` with each
 * distinct weighting, score the other 10% by the mean of P@1, P@3, P@5, and take the best only when
 * it beats `raw` by more than {@link HELD_OUT_MARGIN} (else `raw`).
 */
export async function chooseWeighting(data: TrainingData, seed: number, train: (data: TrainingData, weighting: FeatureWeighting) => Promise<Model>): Promise<FeatureChoice> {
  const candidates = distinctWeightings(data.features);
  const { train: fitRows, valid } = splitRows(data.features.nRows, 0.1, seed ^ 0x27d4eb2f);
  if (candidates.length === 1 || valid.length < MIN_HELD_OUT) return { weighting: 'raw', scores: {} };
  const { fit, held } = splitData(data, fitRows, valid);
  const scores: Partial<Record<FeatureWeighting, number>> = {};
  for (const w of candidates) {
    const model = await train(fit, w);
    try {
      scores[w] = meanPrecision135(await model.predict(held.features, { topK: 5 }), held.labels);
    } finally {
      model.dispose();
    }
  }
  let best: FeatureWeighting = 'raw';
  for (const w of candidates) if (scores[w]! > scores[best]! + (best === 'raw' ? HELD_OUT_MARGIN : 0)) best = w;
  return { weighting: best, scores };
}

/** The smooth idf of every column of `x` (see the module comment). */
export function smoothIdf(x: Csr): Float32Array {
  const df = new Int32Array(x.nCols);
  for (let p = 0; p < x.rowPtr[x.nRows]!; p++) if (x.values[p] !== 0) df[x.indices[p]!]!++;
  const out = new Float32Array(x.nCols);
  for (let j = 0; j < x.nCols; j++) out[j] = Math.log((1 + x.nRows) / (1 + df[j]!)) + 1;
  return out;
}

/** `x` with its values weighted by `mode` (idf: per column, for `tfidf`; columns beyond it take `unseen`). */
export function weightFeatures(x: Csr, mode: FeatureWeighting, idf?: Float32Array, unseen = 1): Csr {
  if (mode === 'raw') return x;
  const nz = x.rowPtr[x.nRows]!, values = new Float32Array(nz);
  for (let p = 0; p < nz; p++) {
    const v = x.values[p]!;
    values[p] = mode === 'log' ? Math.sign(v) * Math.log1p(Math.abs(v)) : v * (idf![x.indices[p]!] ?? unseen);
  }
  return { ...x, values };
}

/** File of the idf vector in a model directory. */
const IDF_FILE = 'features.idf.f32';

/** A model whose points are re-weighted first (see the module comment). */
export class WeightedModel extends WrappedModel {
  constructor(
    model: Model,
    /** The weighting. */
    readonly weighting: FeatureWeighting,
    /** `tfidf`: the idf of each training feature. */
    readonly idf: Float32Array | undefined,
    /** `tfidf`: the idf of a feature no training point had, ln(1 + n) + 1. */
    readonly unseenIdf: number,
    /** The held-out scores behind an `auto` choice (absent when given, and for loaded models). */
    readonly choice?: FeatureChoice,
  ) {
    super(model);
  }

  /**
   * Fit the weights on `data`, then train the model (`train`) on the weighted points. `raw` adds a
   * wrapper only to record an automatic choice (`choice`).
   */
  static async train(data: TrainingData, weighting: FeatureWeighting, train: (data: TrainingData) => Promise<Model>, choice?: FeatureChoice): Promise<Model> {
    if (weighting === 'raw' && !choice) return train(data);
    const idf = weighting === 'tfidf' ? smoothIdf(data.features) : undefined;
    const unseen = Math.log(1 + data.features.nRows) + 1;
    const model = await train({ ...data, features: weightFeatures(data.features, weighting, idf, unseen) });
    return new WeightedModel(model, weighting, idf, unseen, choice);
  }

  /** The weighted points, predicted by the model. */
  override predict(features: TestFeatures, options?: Partial<PredictParams>, onProgress?: ProgressFn): Promise<Ranked> {
    const t = testInput(features);
    return this.model.predict({ ...t, features: weightFeatures(t.features, this.weighting, this.idf, this.unseenIdf) }, options, onProgress);
  }

  /** The model's summary with the weighting. */
  override describe(options?: Partial<PredictParams>): ModelSummary {
    return { ...this.model.describe(options), features: this.weighting };
  }

  /** The model's notes, and the held-out scores of an automatic choice. */
  override get notes(): readonly string[] {
    if (!this.choice) return this.model.notes;
    const pct = (v: number | undefined): string => (v === undefined ? '–' : (100 * v).toFixed(2));
    return [...this.model.notes, `features: auto chose ${this.weighting} (held-out mean P@1,3,5: ${Object.entries(this.choice.scores).map(([w, v]) => `${w} ${pct(v)}`).join(', ')})`];
  }

  /** The model's files, then the idf vector; the manifest's `features` entry names it. @internal */
  override async writeTo(w: ModelWriter): Promise<ManifestBody> {
    const body = await this.model.writeTo(w);
    if (this.idf) await w.writeBytes(IDF_FILE, encodeFloats([this.idf]));
    return { ...body, features: { weighting: this.weighting, unseenIdf: this.unseenIdf, ...(this.idf ? { idf: IDF_FILE } : {}) } };
  }

  /**
   * The weighted model of a loaded model whose manifest has a `features` entry.
   * @throws ModelFormatError for a bad entry or idf file.
   * @internal
   */
  static async attach(model: Model, dir: string, manifest: Manifest): Promise<WeightedModel> {
    const check = new JsonChecker(path.join(dir, MANIFEST_FILE));
    const f = JsonChecker.field;
    const entry = check.object(manifest.features, 'features');
    const weighting = check.string(f(entry, 'weighting'), 'features.weighting', /^(raw|log|tfidf)$/) as FeatureWeighting;
    const unseenIdf = check.number(f(entry, 'unseenIdf'), 'features.unseenIdf', 0, Number.MAX_VALUE);
    let idf: Float32Array | undefined;
    if (weighting === 'tfidf') {
      const file = check.string(f(entry, 'idf'), 'features.idf', /^features\.[a-z0-9.]+$/);
      [idf] = decodeFloats(await readModelFile(dir, manifest, file), [model.nFeatures], path.join(dir, file));
      for (let j = 0; j < idf!.length; j++) if (!(idf![j]! >= 1 && idf![j]! <= Math.fround(unseenIdf))) check.fail(`${file}[${j}]`, `an idf in [1, ${unseenIdf}]`, idf![j]);
    }
    return new WeightedModel(model, weighting, idf, unseenIdf);
  }
}
