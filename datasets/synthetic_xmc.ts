/**
 * Synthetic extreme multi-label datasets shaped like real benchmarks (EURLex-4K, Wiki10-31K):
 * the same numbers of points, features and labels, about the same nonzeros and labels per
 * point, power-law label frequencies, and features that carry signal about the labels.
 *
 * The generative model (ours; every random choice from one seeded {@link Rng}):
 *
 * 1. Label popularity. Label ranks r = 0..L−1 get Zipf–Mandelbrot weights (r+1+b)^(−a); a
 *    random permutation assigns ranks to label ids, so frequent labels are not the low ids.
 *    Extreme-classification label frequencies follow such a power law (Babbar & Schölkopf,
 *    "Data scarcity, robustness and extreme multi-label classification", Machine Learning
 *    2019; Jain, Prabhu & Varma, KDD 2016, on tail labels).
 * 2. Topics. Every label owns a "topic": `topicSize` distinct features drawn uniformly at
 *    random, the j-th weighted (j+1)^(−topicExponent).
 * 3. Background. Features get Zipf weights (rank+1)^(−1) under another random permutation
 *    (Zipf's law of word frequencies): the words every document uses.
 * 4. A point (train and test alike): k = 1 + Poisson(labelsPerPoint − 1) distinct labels
 *    drawn from the label popularity (duplicates redrawn), and a number of distinct features
 *    m, log-normal around `featuresPerPoint` (σ = `lengthSigma`). Word tokens are drawn until
 *    m distinct features have appeared: with probability `topicShare` from the topic of one of
 *    the point's labels (chosen uniformly), otherwise from the background. A feature's term
 *    frequency tf is its number of tokens.
 * 5. Values: tf-idf in SMART's "ltc" form (Salton & Buckley, "Term-weighting approaches in
 *    automatic text retrieval", 1988): (1 + ln tf)·idf with the smoothed
 *    idf = ln((1 + n_train)/(1 + df)) + 1 from the training split's document frequencies
 *    (the test split uses the training idf, as a vectoriser fitted on train would), then
 *    every row scaled to unit ℓ2 norm.
 *
 * A point's features thus mix its labels' topics with common words: points sharing labels
 * share rare, high-idf features, which a kNN or linear classifier can pick up.
 *
 * Optional categories (`categories`, used by the AmazonCat-13K-like set): every label joins
 * one of G categories uniformly at random; a point first draws a category with probability
 * proportional to its labels' total popularity, then each label, with probability
 * `categoryCohesion`, from that category's labels (by popularity) and otherwise from all
 * labels. Every category also owns a topic (drawn like a label's); a word token comes from
 * the point's category topic with probability `categoryTopicShare`, otherwise as in step 4.
 * Points of one category share labels and vocabulary: the data have clusters (as product
 * categories do in AmazonCat-13K, whose labels form a category hierarchy — McAuley &
 * Leskovec, RecSys 2013). These draws come after the others of the model and of each point
 * (and the token's extra draw before them), so sets without categories are unchanged.
 *
 * Memory: CSR arrays are allocated once at their final size (the per-row counts are drawn
 * first); the scratch is a few arrays of length nFeatures and nLabels.
 */
import { type Csr } from '../src/data/csr.js';
import { type Dataset } from '../src/data/parser.js';
import type { ProgressFn } from '../src/progress.js';
import { Rng } from '../src/util/rng.js';
import { DiscreteSampler, logNormalCount, normalizeRowsInPlace, permutation, poisson, zipfWeights } from './sampling.js';
import { InvalidArgumentError } from '../src/errors.js';

/** Shape and generative constants of an XMC-like synthetic dataset. */
export interface XmcLikeConfig {
  nTrain: number;
  nTest: number;
  nFeatures: number;
  nLabels: number;
  /** Target average number of nonzero features per point. */
  featuresPerPoint: number;
  /** Target average number of labels per point (≥ 1). */
  labelsPerPoint: number;
  /** Zipf–Mandelbrot exponent a of label popularity. */
  labelExponent: number;
  /** Zipf–Mandelbrot offset b of label popularity (flattens the head). */
  labelOffset: number;
  /** Features per label topic. */
  topicSize: number;
  /** Zipf exponent of the weights within a topic. */
  topicExponent: number;
  /** Probability that a token comes from a label topic rather than the background. */
  topicShare: number;
  /** σ of the log-normal number of distinct features per point. */
  lengthSigma: number;
  /** Number G of label categories (absent: labels are drawn independently of each other). */
  categories?: number;
  /** With categories: probability in [0, 1) that a label comes from the point's category. */
  categoryCohesion?: number;
  /** With categories: probability in [0, 1) that a word token comes from the category's topic. */
  categoryTopicShare?: number;
}

/** Options of the generators. */
export interface SynthOptions {
  /** Seed of every random choice (default 1). */
  seed?: number;
  /** Multiplies the point counts (default 1; each split keeps at least one point). */
  scale?: number;
  /** Receives generation progress (one task per dataset, counted in points). */
  onProgress?: ProgressFn;
}

/** Defaults of {@link SynthOptions}. */
export const SYNTH_DEFAULTS = Object.freeze({ seed: 1, scale: 1 });

/** Check the seed and scale of {@link SynthOptions}. @throws InvalidArgumentError naming the bad value. */
export function validateSynthOptions(options: SynthOptions): { seed: number; scale: number } {
  const seed = options.seed ?? SYNTH_DEFAULTS.seed;
  const scale = options.scale ?? SYNTH_DEFAULTS.scale;
  if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError('validateSynthOptions', `synthetic data: 'seed' must be an integer but got ${seed}`);
  if (!(scale > 0 && Number.isFinite(scale))) throw new InvalidArgumentError('validateSynthOptions', `synthetic data: 'scale' must be a positive number but got ${scale}`);
  return { seed, scale };
}

/** A split's point count under `scale`: at least 1. */
export function scaledCount(n: number, scale: number): number {
  return Math.max(1, Math.round(n * scale));
}

/** The model shared by the train and test points. */
interface XmcModel {
  labelOfRank: Int32Array;
  labels: DiscreteSampler;
  featureOfRank: Int32Array;
  background: DiscreteSampler;
  topics: Int32Array;
  topicWeights: DiscreteSampler;
  categories?: Categories;
}

/** Label categories: the ranks of category g are ranks[start[g]..start[g+1]). */
interface Categories {
  /** Draws a category by its labels' total popularity. */
  pick: DiscreteSampler;
  start: Int32Array;
  ranks: Int32Array;
  /** One sampler per category over its ranks' popularity (null for an empty category). */
  within: (DiscreteSampler | null)[];
  cohesion: number;
  /** Category g's topic: topics[g·topicSize ..], weighted like label topics. */
  topics: Int32Array;
  topicShare: number;
}

/** `count` topics of `size` distinct features each, drawn uniformly at random, concatenated. */
function drawTopics(rng: Rng, count: number, size: number, nFeatures: number): Int32Array {
  const topics = new Int32Array(count * size);
  const stamp = new Int32Array(nFeatures).fill(-1);
  for (let t = 0; t < count; t++) {
    for (let j = 0; j < size; j++) {
      let f: number;
      do f = rng.int(nFeatures); while (stamp[f] === t);
      stamp[f] = t;
      topics[t * size + j] = f;
    }
  }
  return topics;
}

/** Assign every label rank to one of `c.categories` categories (uniformly, seeded). */
function buildCategories(c: XmcLikeConfig, popularity: Float64Array, rng: Rng): Categories {
  const G = c.categories!, cohesion = c.categoryCohesion ?? 0, topicShare = c.categoryTopicShare ?? 0;
  if (!(Number.isInteger(G) && G >= 1)) throw new InvalidArgumentError('generateXmcLike', `synthetic data: 'categories' must be a positive integer but got ${G}`);
  for (const [name, v] of [['categoryCohesion', cohesion], ['categoryTopicShare', topicShare]] as const) {
    if (!(v >= 0 && v < 1)) throw new InvalidArgumentError('generateXmcLike', `synthetic data: '${name}' must be in [0, 1) but got ${v}`);
  }
  const of = new Int32Array(c.nLabels), start = new Int32Array(G + 1);
  for (let r = 0; r < c.nLabels; r++) { of[r] = rng.int(G); start[of[r]! + 1]!++; }
  for (let g = 0; g < G; g++) start[g + 1]! += start[g]!;
  const ranks = new Int32Array(c.nLabels), fill = start.slice(0, G);
  for (let r = 0; r < c.nLabels; r++) ranks[fill[of[r]!]!++] = r;
  const mass = new Float64Array(G);
  const within = Array.from({ length: G }, (_, g) => {
    const w = Float64Array.from(ranks.subarray(start[g]!, start[g + 1]!), (r) => popularity[r]!);
    for (const x of w) mass[g]! += x;
    return w.length > 0 ? new DiscreteSampler(w) : null;
  });
  const topics = drawTopics(rng, G, c.topicSize, c.nFeatures);
  return { pick: new DiscreteSampler(mass), start, ranks, within, cohesion, topics, topicShare };
}

function buildModel(c: XmcLikeConfig, rng: Rng): XmcModel {
  const labelOfRank = permutation(rng, c.nLabels);
  const featureOfRank = permutation(rng, c.nFeatures);
  const popularity = zipfWeights(c.nLabels, c.labelExponent, c.labelOffset);
  const topics = drawTopics(rng, c.nLabels, c.topicSize, c.nFeatures);
  return {
    labelOfRank,
    labels: new DiscreteSampler(popularity),
    featureOfRank,
    background: new DiscreteSampler(zipfWeights(c.nFeatures, 1)),
    topics,
    topicWeights: new DiscreteSampler(zipfWeights(c.topicSize, c.topicExponent)),
    ...(c.categories === undefined ? {} : { categories: buildCategories(c, popularity, rng) }),
  };
}

/**
 * The category of every label id of the XMC-like set `c` under `seed` (what
 * {@link generateXmcLike} uses), or null when `c` has no categories: for tests and analyses.
 */
export function xmcLabelCategories(c: XmcLikeConfig, seed: number = SYNTH_DEFAULTS.seed): Int32Array | null {
  const model = buildModel(c, new Rng(seed));
  const cats = model.categories;
  if (!cats) return null;
  const of = new Int32Array(c.nLabels);
  for (let g = 0; g + 1 < cats.start.length; g++) {
    for (let p = cats.start[g]!; p < cats.start[g + 1]!; p++) of[model.labelOfRank[cats.ranks[p]!]!] = g;
  }
  return of;
}

/** Raw rows of one split: label CSR (values 1) and feature CSR holding term frequencies. */
function drawRows(c: XmcLikeConfig, model: XmcModel, rng: Rng, n: number, tick: (rows: number) => void): { features: Csr; labels: Csr } {
  const maxLabels = Math.max(1, Math.floor(c.nLabels / 2));
  // Reachable within a few passes over the background's tail.
  const maxFeatures = Math.max(1, Math.floor(c.nFeatures / 4));
  const lPtr = new Int32Array(n + 1), fPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    lPtr[i + 1] = lPtr[i]! + Math.min(maxLabels, 1 + poisson(rng, c.labelsPerPoint - 1));
    fPtr[i + 1] = fPtr[i]! + logNormalCount(rng, c.featuresPerPoint, c.lengthSigma, 1, maxFeatures);
  }
  const lIdx = new Int32Array(lPtr[n]!), fIdx = new Int32Array(fPtr[n]!), fVal = new Float32Array(fPtr[n]!);
  const lStamp = new Int32Array(c.nLabels).fill(-1), fStamp = new Int32Array(c.nFeatures).fill(-1);
  const tf = new Int32Array(c.nFeatures);
  const T = c.topicSize;
  const cats = model.categories;
  for (let i = 0; i < n; i++) {
    const ls = lPtr[i]!, k = lPtr[i + 1]! - ls;
    const g = cats ? cats.pick.sample(rng) : -1;
    for (let q = 0; q < k;) {
      const rank = cats && rng.next() < cats.cohesion
        ? cats.ranks[cats.start[g]! + cats.within[g]!.sample(rng)]!
        : model.labels.sample(rng);
      const l = model.labelOfRank[rank]!;
      if (lStamp[l] !== i) { lStamp[l] = i; lIdx[ls + q++] = l; }
    }
    const fs = fPtr[i]!, m = fPtr[i + 1]! - fs;
    for (let q = 0; q < m;) {
      const f = cats && rng.next() < cats.topicShare
        ? cats.topics[g * T + model.topicWeights.sample(rng)]!
        : rng.next() < c.topicShare
        ? model.topics[lIdx[ls + rng.int(k)]! * T + model.topicWeights.sample(rng)]!
        : model.featureOfRank[model.background.sample(rng)]!;
      if (fStamp[f] !== i) { fStamp[f] = i; tf[f] = 1; fIdx[fs + q++] = f; } else tf[f]!++;
    }
    lIdx.subarray(ls, ls + k).sort();
    fIdx.subarray(fs, fs + m).sort();
    for (let p = fs; p < fs + m; p++) fVal[p] = tf[fIdx[p]!]!;
    tick(i + 1);
  }
  return {
    features: { nRows: n, nCols: c.nFeatures, rowPtr: fPtr, indices: fIdx, values: fVal },
    labels: { nRows: n, nCols: c.nLabels, rowPtr: lPtr, indices: lIdx, values: new Float32Array(lIdx.length).fill(1) },
  };
}

/** Smoothed idf of every feature from the document frequencies of `m`. */
function smoothIdf(m: Csr): Float64Array {
  const df = new Int32Array(m.nCols);
  for (let p = 0; p < m.indices.length; p++) df[m.indices[p]!]!++;
  const idf = new Float64Array(m.nCols);
  for (let f = 0; f < m.nCols; f++) idf[f] = Math.log((1 + m.nRows) / (1 + df[f]!)) + 1;
  return idf;
}

/** Turn term frequencies into (1 + ln tf)·idf, rows at unit ℓ2 norm, in place. */
function tfIdfInPlace(m: Csr, idf: Float64Array): void {
  const v = m.values as Float32Array;
  for (let p = 0; p < v.length; p++) v[p] = (1 + Math.log(v[p]!)) * idf[m.indices[p]!]!;
  normalizeRowsInPlace(m.rowPtr, v);
}

/**
 * Generate the train and test splits of an XMC-like dataset (see the module comment for the
 * model). The same seed gives the same data; `scale` shrinks the point counts only (the
 * model — topics, popularity — does not depend on it).
 * @param name names the data in the datasets' `source` and in progress events.
 * @example generateXmcLike('eurlex-4k-like', EURLEX_4K_LIKE, { seed: 7, scale: 0.1 })
 */
export function generateXmcLike(name: string, c: XmcLikeConfig, options: SynthOptions = {}): { train: Dataset; test: Dataset } {
  const { seed, scale } = validateSynthOptions(options);
  const nTrain = scaledCount(c.nTrain, scale), nTest = scaledCount(c.nTest, scale);
  const onProgress = options.onProgress;
  const task = `generate ${name}`;
  const t0 = performance.now();
  onProgress?.({ status: 'start', task, total: nTrain + nTest });
  let last = 0;
  const tickFrom = (offset: number) => (rows: number): void => {
    const done = offset + rows;
    if (onProgress && (done - last >= 1000 || done === nTrain + nTest)) { last = done; onProgress({ status: 'progress', task, done, total: nTrain + nTest }); }
  };
  // Separate streams: the model does not depend on the split sizes.
  const model = buildModel(c, new Rng(seed));
  const rng = new Rng(seed + 0x5eed);
  const train = drawRows(c, model, rng, nTrain, tickFrom(0));
  const test = drawRows(c, model, rng, nTest, tickFrom(nTrain));
  const idf = smoothIdf(train.features);
  tfIdfInPlace(train.features, idf);
  tfIdfInPlace(test.features, idf);
  onProgress?.({ status: 'done', task, seconds: (performance.now() - t0) / 1000, detail: `${nTrain} train and ${nTest} test points` });
  return {
    train: { ...train, format: 'bow', source: `synthetic:${name}/train (seed ${seed})` },
    test: { ...test, format: 'bow', source: `synthetic:${name}/test (seed ${seed})` },
  };
}

/**
 * EURLex-4K-like: the shape of EURLex-4K in the Extreme Classification Repository (Bhatia et
 * al.; Mencía & Fürnkranz 2008): 15,539 / 3,809 train / test points, 5,000 features, 3,993
 * labels, 5.31 labels per point, and about 236.8 nonzero features per point (the figure
 * usually reported for its BoW files; not measured here).
 * The generative constants are ours, chosen so the most frequent label appears in about 13%
 * of points, the top 1% of labels carry about a third of the label occurrences, and a plain
 * 10-NN vote (cosine) is neither hopeless nor perfect: far above always predicting the most
 * frequent label, below 1. Labels of a point are drawn independently, so P@5 stays below real
 * data's.
 */
export const EURLEX_4K_LIKE: Readonly<XmcLikeConfig> = Object.freeze({
  nTrain: 15539, nTest: 3809, nFeatures: 5000, nLabels: 3993,
  featuresPerPoint: 236.8, labelsPerPoint: 5.31,
  labelExponent: 1, labelOffset: 5,
  topicSize: 100, topicExponent: 0.5, topicShare: 0.2, lengthSigma: 0.5,
});

/**
 * Wiki10-31K-like: the shape of Wiki10-31K in the Extreme Classification Repository (Bhatia
 * et al.; Zubiaga 2012): 14,146 / 6,616 train / test points, 101,938 features, 30,938 labels,
 * 18.64 labels per point, and about 673.4 nonzero features per point (as reported; not
 * measured here). The
 * generative constants are ours, chosen as for {@link EURLEX_4K_LIKE}.
 */
export const WIKI10_31K_LIKE: Readonly<XmcLikeConfig> = Object.freeze({
  nTrain: 14146, nTest: 6616, nFeatures: 101938, nLabels: 30938,
  featuresPerPoint: 673.4, labelsPerPoint: 18.64,
  labelExponent: 1, labelOffset: 5,
  topicSize: 100, topicExponent: 0.5, topicShare: 0.5, lengthSigma: 0.5,
});

/**
 * AmazonCat-13K-like: the shape of AmazonCat-13K in the Extreme Classification Repository
 * (Bhatia et al.; built from the Amazon reviews of McAuley & Leskovec, "Hidden factors and
 * hidden topics", RecSys 2013): 1,186,239 / 306,782 train / test points, 203,882 features,
 * 13,330 labels, 5.04 labels per point, and about 71.09 nonzero features per point (as
 * reported; not measured here). Labels are product categories: `categories` groups them so
 * that points form clusters. The generative constants are ours, chosen as for
 * {@link EURLEX_4K_LIKE}. At full scale the data hold about 106M feature nonzeros (84M in
 * train): the CSR arrays (8 bytes per nonzero) are the bulk of the memory.
 */
export const AMAZONCAT_13K_LIKE: Readonly<XmcLikeConfig> = Object.freeze({
  nTrain: 1186239, nTest: 306782, nFeatures: 203882, nLabels: 13330,
  featuresPerPoint: 71.09, labelsPerPoint: 5.04,
  labelExponent: 1, labelOffset: 5,
  topicSize: 100, topicExponent: 0.5, topicShare: 0.5, lengthSigma: 0.5,
  categories: 64, categoryCohesion: 0.8, categoryTopicShare: 0.25,
});
