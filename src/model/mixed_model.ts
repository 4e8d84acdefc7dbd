/**
 * Heterogeneous ensembles (issue 18): models of different methods (label encoders, the forest, the
 * feature kNN), each possibly an ensemble itself, trained on the same data; a point's label scores
 * merge the parts' top-S rankings, each part weighted by its number of models, by one of
 * {@link MERGE_RULES} (the mean of max-normalised scores, as the single-method ensembles merge their
 * members, or rank averaging), chosen on held-out training points unless given. Different methods
 * err differently — the forest is ahead of one ℓ1-AE model on Delicious, behind it on Medical — so
 * their merge is steadier than either.
 */
import { ParamsError } from './params.js';
import { type ProgressFn, task } from '../progress.js';
import { type Ranked, scoreBlockRows, topKRows } from '../ranking/topk.js';
import { type Csr } from '../data/csr.js';
import { HELD_OUT_MARGIN, meanPrecision135, MIN_HELD_OUT } from '../metrics/held_out.js';
import { splitRows } from '../util/split.js';
import { type Manifest, MANIFEST_FILE, type ModelWriter, scopedManifest } from './io.js';
import { JsonChecker, type ManifestBody } from './manifest.js';
import { methodEntry, methodOf } from './methods.js';
import { type Model, type ModelMethod, type ModelSummary, type TrainOptions } from './model.js';
import { EMBED_DEFAULTS, FOREST_DEFAULTS, KNN_DEFAULTS, type PredictParams, predictParams, type Strategy, UNUSED_PREDICT_OPTIONS } from './params.js';
import { splitData, type TestFeatures, type TrainingData } from './training_data.js';
import { WrappedModel } from './wrapped_model.js';
import * as path from 'node:path';

/** One kind of member: a method and how many models of it (seeds seed, seed + 1, …). */
export interface MixPart {
  /** The part's method. */
  readonly method: ModelMethod;
  /** Its models (an ensemble of that method). */
  readonly ensemble: number;
}

/** Labels of each member's ranking that enter the merge. */
const SHORTLIST = 100;

/**
 * How a mixed ensemble merges its parts' top-S rankings into one score per label: `mean`, the
 * weighted mean of each part's scores scaled to a row maximum of 1 (as the single-method
 * ensembles merge their members); `rank`, the weighted mean of (S − r)/S for a label at rank r
 * (0-based) of a part's list (Borda's rank averaging: only the order of each part counts, not
 * how its scores are spread). A label outside a part's list gets 0 from it.
 */
export const MERGE_RULES = Object.freeze(['mean', 'rank'] as const);
/** A merge rule of {@link MERGE_RULES}. @useDeclaredType */
export type MergeRule = (typeof MERGE_RULES)[number];

/** The `merge` parameter: a rule of {@link MERGE_RULES} or `auto`. @throws ParamsError for anything else. */
export function mergeParam(v: unknown): MergeRule | 'auto' {
  if (v !== 'auto' && !(MERGE_RULES as readonly unknown[]).includes(v)) throw new ParamsError(`parameter 'merge' must be one of auto, ${MERGE_RULES.join(', ')} but got ${JSON.stringify(v)}`);
  return v as MergeRule | 'auto';
}

/** What the held-out choice of a merge rule saw: the mean of P@1, P@3, P@5 of each rule, and the rule chosen. */
export interface MergeChoice {
  /** The rule chosen. */
  readonly rule: MergeRule;
  /** Held-out mean of P@1, P@3 and P@5 (a fraction) by rule. */
  readonly scores: Readonly<Record<MergeRule, number>>;
}

/** Share of the training points the merge rule's choice holds out (as the other held-out choices). */
const MERGE_VALIDATION_FRACTION = 0.1;

/** Each part's weight: its share of the models. */
function partWeights(parts: readonly MixPart[]): number[] {
  const total = parts.reduce((a, p) => a + p.ensemble, 0);
  return parts.map((p) => p.ensemble / total);
}

/** Train every part on `data`; on a failure the parts trained so far are freed. */
async function trainParts(data: TrainingData, base: TrainOptions, parts: readonly MixPart[], onProgress: ProgressFn | undefined, what: string): Promise<Model[]> {
  const models: Model[] = [];
  try {
    for (const part of parts) {
      const params = mixPartParams(base, part);
      const cls = await methodEntry(part.method)!.load();
      models.push(await task(onProgress, `mixed ensemble: ${what}${part.method} × ${part.ensemble}`, undefined, () => cls.train(data, params, onProgress)));
    }
  } catch (e) {
    for (const m of models) m.dispose();
    throw e;
  }
  return models;
}

/**
 * Each model's top-`shortlist` ranking of `features`: every option goes to the parts that have it
 * (a strategy to those that have that strategy; see UNUSED_PREDICT_OPTIONS for kNN and the forest).
 */
async function partRankings(models: readonly Model[], features: TestFeatures, options: Partial<PredictParams>, shortlist: number, onProgress?: ProgressFn): Promise<Ranked[]> {
  const rankings: Ranked[] = [];
  for (const m of models) {
    const own: Record<string, unknown> = { ...options, topK: Math.min(shortlist, m.nLabels) };
    if (own['strategy'] !== undefined && !m.strategies.includes(own['strategy'] as Strategy)) delete own['strategy'];
    if (m.method === 'knn' || m.method === 'forest') for (const key of UNUSED_PREDICT_OPTIONS[m.method]) delete own[key];
    rankings.push(await m.predict(features, own as Partial<PredictParams>, onProgress));
  }
  return rankings;
}

/**
 * Merge the parts' rankings by `rule` with `weights` (see {@link MERGE_RULES}); the best k labels
 * per row (ties to the smaller label).
 */
export function mergeRankings(rankings: readonly Ranked[], weights: readonly number[], rule: MergeRule, nLabels: number, k: number): Ranked {
  const n = rankings[0]!.nRows, L = nLabels;
  const block = scoreBlockRows(L);
  const labels = new Int32Array(n * k), scores = new Float32Array(n * k);
  for (let s = 0; s < n; s += block) {
    const e = Math.min(n, s + block), acc = new Float32Array((e - s) * L);
    rankings.forEach((r, p) => {
      const w = weights[p]!;
      for (let i = s; i < e; i++) {
        const top = r.scores[i * r.k]!, scale = top > 0 ? 1 / top : 1;
        for (let j = 0; j < r.k; j++) {
          const l = r.labels[i * r.k + j]!;
          if (l < 0) continue;
          acc[(i - s) * L + l]! += rule === 'mean' ? w * scale * r.scores[i * r.k + j]! : w * (r.k - j) / r.k;
        }
      }
    });
    const best = topKRows(acc, e - s, L, k);
    labels.set(best.labels, s * k);
    scores.set(best.scores, s * k);
  }
  return { nRows: n, k, labels, scores };
}

/**
 * Choose the merge rule on held-out points: `rank` only when its mean of P@1, P@3 and P@5 beats
 * `mean`'s by more than {@link HELD_OUT_MARGIN} (the margin of every held-out choice), else `mean`.
 */
export function chooseMerge(rankings: readonly Ranked[], weights: readonly number[], truth: Csr, nLabels: number): MergeChoice {
  const mean = meanPrecision135(mergeRankings(rankings, weights, 'mean', nLabels, 5), truth);
  const rank = meanPrecision135(mergeRankings(rankings, weights, 'rank', nLabels, 5), truth);
  return { rule: rank > mean + HELD_OUT_MARGIN ? 'rank' : 'mean', scores: { mean, rank } };
}

/**
 * The parts of a mixed ensemble: `"l1ae:3,tied-relu:2"` or a list of `{ method, ensemble }`.
 * @throws ParamsError for an unknown method, a bad count, a repeated method, or fewer than two models.
 */
export function parseMix(v: unknown): MixPart[] {
  const bad = (why: string): never => { throw new ParamsError(`parameter 'mix' ${why}: give "method:count,method:count", e.g. "l1ae:3,tied-relu:2"`); };
  let parts: { method: unknown; ensemble: unknown }[];
  if (typeof v === 'string') {
    parts = v.split(',').map((s) => {
      const [method, count, ...rest] = s.trim().split(':');
      if (rest.length > 0) bad(`has a malformed part ${JSON.stringify(s)}`);
      return { method, ensemble: count === undefined ? 1 : Number(count) };
    });
  } else if (Array.isArray(v)) {
    parts = v.map((p) => (p !== null && typeof p === 'object' ? { method: (p as Record<string, unknown>)['method'], ensemble: (p as Record<string, unknown>)['ensemble'] ?? 1 } : bad('must list objects')));
  } else {
    return bad('must be a string or a list');
  }
  const seen = new Set<string>();
  const out = parts.map(({ method, ensemble }) => {
    const m = methodOf({ method });
    if (seen.has(m)) bad(`names ${m} twice`);
    seen.add(m);
    if (!Number.isInteger(ensemble) || (ensemble as number) < 1 || (ensemble as number) > 1000) bad(`has a count ${JSON.stringify(ensemble)} for ${m} (an integer in [1, 1000])`);
    if ((m === 'knn' || m === 'forest') && ensemble !== 1) bad(`can hold one ${m} model only`);
    return { method: m, ensemble: ensemble as number };
  });
  if (out.reduce((a, p) => a + p.ensemble, 0) < 2 || out.length < 2) bad('needs at least two methods');
  return out;
}

/** The text form of parts: "l1ae:3,tied-relu:2". */
export function mixText(parts: readonly MixPart[]): string {
  return parts.map((p) => `${p.method}:${p.ensemble}`).join(',');
}

/**
 * The training parameters of one part: the common ones with its method and count. A kNN or forest
 * part takes only its own keys; an embedding part all but the forest's own.
 */
export function mixPartParams(base: TrainOptions, part: MixPart): TrainOptions {
  const single = part.method === 'knn' ? KNN_DEFAULTS : part.method === 'forest' ? FOREST_DEFAULTS : undefined;
  if (single) {
    const own = Object.fromEntries(Object.entries(base).filter(([k]) => Object.hasOwn(single, k)));
    return { ...own, method: part.method } as TrainOptions;
  }
  const own = Object.fromEntries(Object.entries(base).filter(([k]) => !Object.hasOwn(FOREST_DEFAULTS, k) || Object.hasOwn(EMBED_DEFAULTS, k)));
  return { ...own, method: part.method, ensemble: part.ensemble } as TrainOptions;
}

/**
 * A heterogeneous ensemble: `model` (the first part) and the `others`, their normalised scores
 * averaged, each part weighted by its number of models.
 */
export class MixedModel extends WrappedModel {
  constructor(
    /** The first part's model. */
    model: Model,
    /** The other parts' models. */
    readonly others: readonly Model[],
    /** The parts, in order. */
    readonly parts: readonly MixPart[],
    /** How the parts' rankings are merged. */
    readonly merge: MergeRule = 'mean',
    /** The held-out scores behind an `auto` choice of the `merge` rule (absent when given, and for loaded models). */
    readonly mergeChoice?: MergeChoice,
    /** Notes of further held-out choices made on the merge rule's split (the default model's re-ranker when not kept); not saved. */
    readonly heldOutNotes: readonly string[] = [],
  ) {
    super(model);
  }

  /** Every part's model, in order. */
  get members(): readonly Model[] { return [this.model, ...this.others]; }

  /** The first part's notes and those of the held-out choices made on its split. */
  override get notes(): readonly string[] { return [...this.model.notes, ...this.heldOutNotes]; }

  /** The same model with `notes` added to its held-out notes. */
  withHeldOutNotes(notes: readonly string[]): MixedModel {
    return new MixedModel(this.model, this.others, this.parts, this.merge, this.mergeChoice, [...this.heldOutNotes, ...notes]);
  }

  /**
   * Train every part on `data` (the common parameters `base`, each part's method and count). With
   * `merge: 'auto'` the parts are first trained on a seeded 90% of the points and the merge rule
   * chosen on the other 10% (rank averaging only when it beats the mean by more than the held-out margin), then trained on everything.
   * `heldOut`, when given, is then called with the parts trained on the 90% merged by the chosen rule, the fit rows and
   * the held-out rows, so that a further choice is made on the same split (the default model's re-ranker,
   * src/model/methods.ts); the model is freed after the call (the hook must not keep or dispose it). Never called
   * without a held-out split.
   */
  static async train(data: TrainingData, base: TrainOptions, parts: readonly MixPart[], merge: MergeRule | 'auto' = 'auto', onProgress?: ProgressFn,
    heldOut?: (model: Model, fitRows: Int32Array, valid: Int32Array) => Promise<void>): Promise<MixedModel> {
    let rule: MergeRule = merge === 'auto' ? 'mean' : merge;
    let choice: MergeChoice | undefined;
    const seed = typeof base.seed === 'number' ? base.seed : 0;
    if (merge === 'auto') {
      const { train, valid } = splitRows(data.features.nRows, MERGE_VALIDATION_FRACTION, seed ^ 0x1b873593);
      if (valid.length >= MIN_HELD_OUT) {
        const { fit, held } = splitData(data, train, valid);
        const models = await trainParts(fit, base, parts, onProgress, 'merge rule: held-out fit, ');
        try {
          const rankings = await partRankings(models, held.features, {}, SHORTLIST, onProgress);
          choice = chooseMerge(rankings, partWeights(parts), held.labels, data.labels.nCols);
          rule = choice.rule;
          if (heldOut) await heldOut(new MixedModel(models[0]!, models.slice(1), parts, rule), train, valid);
        } finally {
          for (const m of models) m.dispose();
        }
      }
    }
    const models = await trainParts(data, base, parts, onProgress, '');
    return new MixedModel(models[0]!, models.slice(1), parts, rule, choice);
  }

  /** The parts' top-S rankings merged by its `merge` rule (each part weighted by its model count); the best `topK` per row. */
  override async predict(features: TestFeatures, options: Partial<PredictParams> = {}, onProgress?: ProgressFn): Promise<Ranked> {
    const pp = predictParams(options);
    const rankings = await partRankings(this.members, features, options, Math.max(SHORTLIST, pp.topK), onProgress);
    return mergeRankings(rankings, partWeights(this.parts), this.merge, this.nLabels, Math.min(pp.topK, Math.max(1, this.nLabels)));
  }

  /** The first part's summary with the parts (`mix`) and the total model count. */
  override describe(options?: Partial<PredictParams>): ModelSummary {
    return { ...this.model.describe(options), mix: mixText(this.parts), merge: this.merge, ensemble: this.parts.reduce((a, p) => a + p.ensemble, 0) };
  }

  /** Free every part's model. */
  override dispose(): void {
    for (const m of this.members) m.dispose();
  }

  /** The first part's files as the model's own, each other part's under the prefix `x<i>.`; the manifest's `mix` entry lists them. @internal */
  override async writeTo(w: ModelWriter): Promise<ManifestBody> {
    const body = await this.model.writeTo(w);
    const others: unknown[] = [];
    for (const [i, m] of this.others.entries()) {
      const prefix = `x${i + 1}.`, b = await m.writeTo(w.scoped(prefix));
      others.push({ prefix, method: b.method, data: b.data, params: b.params, ...(b.extra !== undefined ? { extra: b.extra } : {}) });
    }
    return { ...body, mix: { parts: this.parts.map((p) => ({ ...p })), others, merge: this.merge } };
  }

  /**
   * The mixed ensemble of a loaded first part whose manifest has a `mix` entry: every other part loaded from its prefixed files.
   * @throws ModelFormatError for a missing or inconsistent part.
   * @internal
   */
  static async attach(model: Model, dir: string, manifest: Manifest): Promise<MixedModel> {
    const check = new JsonChecker(path.join(dir, MANIFEST_FILE));
    const f = JsonChecker.field;
    const entry = check.object(manifest.mix, 'mix');
    let parts: MixPart[];
    try {
      parts = parseMix(check.array(f(entry, 'parts'), 'mix.parts'));
    } catch (e) {
      return check.fail('mix.parts', `a valid list of parts (${(e as Error).message})`, f(entry, 'parts'));
    }
    const list = check.array(f(entry, 'others'), 'mix.others');
    if (list.length !== parts.length - 1 || parts[0]!.method !== model.method) check.fail('mix', `the ${parts.length} parts, the first (${parts[0]!.method}) being the model's own method ${model.method}`, `${list.length + 1} parts`);
    const others: Model[] = [];
    try {
      for (const [i, raw] of list.entries()) {
        const w = `mix.others[${i}]`, o = check.object(raw, w);
        const prefix = check.string(f(o, 'prefix'), `${w}.prefix`, /^x[0-9]{1,4}\.$/);
        const method = check.string(f(o, 'method'), `${w}.method`);
        if (method !== parts[i + 1]!.method) check.fail(`${w}.method`, `"${parts[i + 1]!.method}"`, method);
        const data = check.object(f(o, 'data'), `${w}.data`) as unknown as Manifest['data'];
        if (data.nLabels !== model.nLabels || data.nPoints !== model.nTrain) check.fail(`${w}.data`, 'the first part\'s data shape', data);
        const extra = f(o, 'extra');
        const part = scopedManifest(manifest, prefix, { method, data, params: check.object(f(o, 'params'), `${w}.params`), ...(extra !== undefined ? { extra: check.object(extra, `${w}.extra`) } : {}) });
        others.push(await (await methodEntry(method)!.load()).load(dir, part));
      }
    } catch (e) {
      for (const m of others) m.dispose();
      throw e;
    }
    const merge = f(entry, 'merge') === undefined ? 'mean' : check.string(f(entry, 'merge'), 'mix.merge', /^(mean|rank)$/) as MergeRule;
    return new MixedModel(model, others, parts, merge);
  }
}

