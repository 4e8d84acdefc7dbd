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
import { type ProgressFn } from '../progress.js';
import { type Ranked } from '../ranking/topk.js';
import { decodeFloats, encodeFloats, type Manifest, MANIFEST_FILE, type ModelWriter, readModelFile } from './io.js';
import { JsonChecker, type ManifestBody } from './manifest.js';
import { type Model, type ModelSummary } from './model.js';
import { type PredictParams } from './params.js';
import { testInput, type TestFeatures, type TrainingData } from './training_data.js';
import { WrappedModel } from './wrapped_model.js';

/** The feature weightings. */
export const FEATURE_WEIGHTINGS = Object.freeze(['raw', 'log', 'tfidf'] as const);
/** A feature weighting of {@link FEATURE_WEIGHTINGS}. @useDeclaredType */
export type FeatureWeighting = (typeof FEATURE_WEIGHTINGS)[number];

/**
 * The default weighting, `raw`: on held-out splits of the training sets (eval/features.ts, never
 * a test split) the default model is not better with `log` or `tfidf` on the binary bag-of-words
 * sets, and `log` equals `raw` on 0/1 features.
 */
export const FEATURES_DEFAULT: FeatureWeighting = 'raw';

/** The weighting `v` names. @throws ParamsError for anything else. */
export function featureWeighting(v: unknown): FeatureWeighting {
  if (typeof v !== 'string' || !(FEATURE_WEIGHTINGS as readonly string[]).includes(v)) throw new ParamsError(`parameter 'features' must be one of ${FEATURE_WEIGHTINGS.join(', ')} but got ${JSON.stringify(v)}`);
  return v as FeatureWeighting;
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
  ) {
    super(model);
  }

  /** Fit the weights on `data`, then train the model (`train`) on the weighted points. */
  static async train(data: TrainingData, weighting: FeatureWeighting, train: (data: TrainingData) => Promise<Model>): Promise<Model> {
    if (weighting === 'raw') return train(data);
    const idf = weighting === 'tfidf' ? smoothIdf(data.features) : undefined;
    const unseen = Math.log(1 + data.features.nRows) + 1;
    const model = await train({ ...data, features: weightFeatures(data.features, weighting, idf, unseen) });
    return new WeightedModel(model, weighting, idf, unseen);
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
    const weighting = check.string(f(entry, 'weighting'), 'features.weighting', /^(log|tfidf)$/) as FeatureWeighting;
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
