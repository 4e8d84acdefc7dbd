/**
 * Clustered (local) embedding models: spherical k-means on the ℓ2-normalised features splits the
 * training points into C clusters, and each cluster gets its own embedding model
 * (src/model/embed_model.ts: label encoder, ridge regressor, kNN index) over the labels active
 * in it only. SLEEC (Bhatia et al., "Sparse Local Embeddings for Extreme Multi-label
 * Classification", NIPS 2015, §3) learns local embeddings this way, and the ℓ1-AE paper (Wu et
 * al., ICML 2019, §6) names a better partition of the points (AnnexML, Tagami, KDD 2017) as its
 * method's next step. The encoder's work shrinks from n·L to Σ n_c·L_c per epoch, and the
 * clusters are independent jobs.
 *
 * A test point is routed to its `route` most cosine-similar centres; each of those clusters
 * ranks its own labels (ids mapped back to global ones) and the scores are averaged, weighted by
 * the centres' similarities. An ensemble uses a different clustering per member (seed + i, as
 * SLEEC's learners do) and averages the members' merged scores.
 */
import * as path from 'node:path';
import { type Csr, normalizeRowsL2, selectRows } from '../data/csr.js';
import { ModelFormatError, UsageError } from '../errors.js';
import { type LabelEncoder } from '../encoders/encoder.js';
import { ensureBackend, activeBackend } from '../engine/backends.js';
import { resolveIndexKind } from '../knn/hnsw.js';
import { type ProgressEvent, type ProgressFn, task } from '../progress.js';
import { PAD_LABEL, PAD_SCORE } from '../ranking/topk_impl.js';
import { type Ranked } from '../ranking/topk.js';
import { type CentroidRouter, kmeansRouter, sphericalKMeans } from '../regression/kmeans.js';
import { splitRows } from '../encoders/train_loop.js';
import { embeddingBody, EmbeddingModel } from './embed_model.js';
import { FeatureSpace, loadFeatureSpace } from './feature_space.js';
import { decodeFloats, encodeFloats, type Manifest, MANIFEST_FILE, modelFilePath, type ModelWriter, readCsrFile, readModelFile, scopedManifest } from './io.js';
import { isClusteredManifest, JsonChecker, type ManifestBody } from './manifest.js';
import { type ModelClass } from './methods.js';
import { disposedError, embeddingSummary, type Model, type ModelSummary, predictionPlan } from './model.js';
import { type EmbedTrainParams, embedTrainParams, type PredictParams, predictParams, type Strategy, STRATEGIES } from './params.js';
import { type SaveOptions, writeModelDir } from './store.js';
import { checkTrainingData, splitData, type TestFeatures, testInput, testRows, type TrainingData } from './training_data.js';
import { meanPrecision135 } from '../metrics/held_out.js';

/**
 * How clusters are sized and chosen, defined once.
 * - `pointsPerCluster`: `clusters: 'auto'` considers C = ⌊n / 3000⌋ clusters. SLEEC's Wiki10-31K
 *   configuration splits its 14,146 training points into 5 clusters (≈ 2,800 each); a cluster
 *   of a few thousand points keeps enough neighbours and label co-occurrences for a local model.
 * - `minClusterPoints`: a k-means cluster with fewer points (or without labels) is dissolved and
 *   its points go to their next nearest centre: too few to fit an encoder, a regressor and a
 *   validation split.
 * - `validationFraction`, `maxValidation`: `auto` compares the global model with C clusters on
 *   a seeded held-out tenth of the training points (at most 2,000), by the mean of P@1, P@3, P@5,
 *   and keeps the global model unless the clustered one is at least as good there.
 * - `maxGlobalCells`: above this many n·L cells, `auto` does not train both models to compare
 *   (Delicious, 12,920 × 983 ≈ 1.3·10⁷, is compared; EURLex-4K, 15,539 × 3,993 ≈ 6.2·10⁷, is
 *   not) and decides by cost instead:
 * - `maxWorkShare`: the clusters are taken when their encoders' work Σ n_c·L_c is at most this
 *   share of the global n·L (each cluster's labels are few: AmazonCat-13K-like, 0.25), else the
 *   global model (the clusters' labels overlap: EURLex-4K-like, 0.81, where 5 clusters train no
 *   faster and rank a little worse — eval/results/bench_scale.md).
 */
export const CLUSTER_DEFAULTS = Object.freeze({
  /** Training points per cluster that `auto` aims at. */
  pointsPerCluster: 3000,
  /** Fewest labelled points a cluster keeps. */
  minClusterPoints: 50,
  /** Share of the training points `auto` holds out to compare models. */
  validationFraction: 0.1,
  /** Most held-out points `auto` scores. */
  maxValidation: 2000,
  /** Most n·L cells for which `auto` trains both models to compare. */
  maxGlobalCells: 2e7,
  /** Largest share of the global encoder's work at which `auto` takes the clusters without comparing. */
  maxWorkShare: 0.5,
});

/** One cluster: its local label ids' global ids, and its model over those labels. */
/** @internal */
export interface Cluster {
  /** Local label id → global label id (increasing). */
  readonly labels: Int32Array;
  readonly model: EmbeddingModel;
}

/** One ensemble member: a clustering of the training points and a model per cluster. */
interface Partition {
  readonly router: CentroidRouter;
  readonly clusters: readonly Cluster[];
}

/** The parameters of a cluster's model in ensemble member `member`: one global model, seed + member. */
function clusterParams(p: EmbedTrainParams, member: number): EmbedTrainParams {
  return Object.freeze({ ...p, clusters: 1, route: 1, ensemble: 1, seed: p.seed + member });
}

/**
 * The clusters a training set splits into: spherical k-means with `k` centres (seeded), then
 * clusters with fewer than {@link CLUSTER_DEFAULTS}.minClusterPoints points or no labels are
 * dissolved (their points go to the nearest remaining centre), until every cluster has enough.
 * @param x ℓ2-normalised training features (in the model's feature space); @param labels their labels.
 * @returns the router over the kept centres and each training point's cluster.
 */
export function clusterPoints(x: Csr, labels: Csr, k: number, seed: number, onProgress?: ProgressFn): Clustering {
  const km = sphericalKMeans(x, { k: Math.min(k, x.nRows), seed }, onProgress);
  let router: CentroidRouter = km;
  let assignments = km.assignments;
  for (;;) {
    const size = new Int32Array(router.k), labelled = new Int32Array(router.k);
    for (let i = 0; i < x.nRows; i++) {
      size[assignments[i]!]!++;
      if (labels.rowPtr[i + 1]! > labels.rowPtr[i]!) labelled[assignments[i]!]!++;
    }
    const keep: number[] = [];
    for (let j = 0; j < router.k; j++) if (size[j]! >= CLUSTER_DEFAULTS.minClusterPoints && labelled[j]! > 0) keep.push(j);
    if (keep.length === router.k) break;
    if (keep.length === 0) { // nothing big enough: one cluster of everything
      keep.push(size.indexOf(Math.max(...size)));
    }
    const p = router.nFeatures;
    const centroids = new Float32Array(keep.length * p);
    keep.forEach((j, t) => centroids.set(router.centroids.subarray(j * p, (j + 1) * p), t * p));
    router = kmeansRouter(centroids, keep.length, p);
    assignments = router.nearestCentroid(x);
    if (keep.length === 1) break;
  }
  return { router, assignments };
}

/** A clustering of training points: the router over its centres and each point's cluster. */
export interface Clustering {
  /** The cluster centres and the routing of new points to them. */
  readonly router: CentroidRouter;
  /** The cluster of every training point. */
  readonly assignments: Int32Array;
}

/** Σ n_c·L_c over the clusters (L_c: the labels occurring in cluster c) over n·L (L: the labels occurring at all). */
export function clusterWorkShare(labels: Csr, { router, assignments }: Clustering): number {
  let cells = 0;
  for (const rows of rowsByCluster(assignments, router.k)) cells += rows.length * FeatureSpace.fromTraining(selectRows(labels, rows)).dim;
  return cells / (labels.nRows * FeatureSpace.fromTraining(labels).dim);
}

/** The rows of each of `k` clusters, in order. @internal */
export function rowsByCluster(assignments: Int32Array, k: number): Int32Array[] {
  const counts = new Int32Array(k);
  for (const c of assignments) counts[c]!++;
  const out = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(k);
  assignments.forEach((c, i) => { out[c]![fill[c]!++] = i; });
  return out;
}

/** Progress of a cluster's training, its task names tagged with the cluster. */
function tagged(onProgress: ProgressFn | undefined, tag: string): ProgressFn | undefined {
  return onProgress && ((e: ProgressEvent) => onProgress({ ...e, task: `${e.task}${tag}` }));
}

/**
 * A clustered embedding model (see the file comment). Train one with `trainModel(data, {
 * clusters: C })`; `clusters: 'auto'` (the default) trains one when it is the better choice.
 */
export class ClusteredModel implements Model {
  private constructor(
    readonly params: EmbedTrainParams,
    /** Training label matrix (n × L), global ids: the label frequencies of propensity-scored metrics. */
    readonly trainLabels: Csr,
    /** The feature columns of the training data (routing works in it). @internal */
    readonly space: FeatureSpace,
    /** The ensemble's clusterings; empty once disposed. */
    private partitions: readonly Partition[],
    /** The compute backend the model was trained on (undefined when its manifest has no `backend` field). */
    readonly backend: string | undefined,
  ) {}

  /** What training chose for the caller; empty for loaded models. */
  notes: readonly string[] = [];

  /** The label encoder of every cluster's model. */
  get method(): EmbedTrainParams['method'] { return this.params.method; }
  /** Features the training data declared. */
  get nFeatures(): number { return this.space.nFeatures; }
  /** Labels the training data declared: label ids in predictions are 0 … nLabels − 1. */
  get nLabels(): number { return this.trainLabels.nCols; }
  /** Training points. */
  get nTrain(): number { return this.trainLabels.nRows; }
  /** The strategies every cluster's model accepts. */
  get strategies(): readonly Strategy[] {
    const models = this.live('list the strategies').flatMap((p) => p.clusters.map((c) => c.model));
    return STRATEGIES.filter((s) => models.every((m) => m.strategies.includes(s)));
  }
  /** Empty: each cluster's encoder embeds its own labels only (see {@link clusterEncoders}). */
  get encoders(): readonly LabelEncoder[] { this.live('read the encoders'); return []; }
  /** Every cluster's label encoder with its local → global label ids, per ensemble member. */
  clusterEncoders(): {
    /** The cluster's local label ids' global ids. */
    readonly labels: Int32Array;
    /** The cluster's label encoder (over its local labels). */
    readonly encoder: LabelEncoder;
  }[][] {
    return this.live('read the encoders').map((p) => p.clusters.map((c) => ({ labels: c.labels, encoder: c.model.encoders[0]! })));
  }
  /** Clusters of each ensemble member. */
  get clusterCounts(): number[] { return this.live('read the clusters').map((p) => p.clusters.length); }

  private live(what: string): readonly Partition[] {
    if (this.partitions.length === 0) throw disposedError(this.method, what);
    return this.partitions;
  }

  /**
   * Fit with `params.clusters` clusters per ensemble member (a number ≥ 1; `auto` is resolved by
   * `trainModel`). `first`: the first member's clustering, when already made (same seed). Member i clusters with seed + i and its clusters' models use seed + i.
   */
  static async train(data: TrainingData, params: Partial<EmbedTrainParams> = {}, onProgress?: ProgressFn, first?: Clustering): Promise<ClusteredModel> {
    const { p, notes, space, x } = await ClusteredModel.prepare(data, params);
    const partitions: Partition[] = [];
    for (let i = 0; i < p.ensemble; i++) {
      const { router, assignments } = i === 0 && first ? first : await ClusteredModel.memberClustering(x, data.labels, p, i, notes, onProgress);
      const clusters: Cluster[] = [];
      for (const [j, rows] of rowsByCluster(assignments, router.k).entries()) clusters.push(await ClusteredModel.trainCluster(data, rows, p, i, j, router.k, notes, onProgress));
      partitions.push({ router, clusters });
    }
    const model = new ClusteredModel(p, data.labels, space, partitions, activeBackend());
    model.notes = notes;
    return model;
  }

  /**
   * The resolved parameters (index kind), the checked data, the feature space and the projected,
   * normalised feature rows every member's clustering starts from.
   * @internal (the distributed jobs, src/distributed, train the clusters one by one)
   */
  static async prepare(data: TrainingData, params: Partial<EmbedTrainParams>): Promise<{ p: EmbedTrainParams; notes: string[]; space: FeatureSpace; x: Csr }> {
    const notes: string[] = [];
    const given = embedTrainParams(params);
    if (given.clusters === 'auto') throw new UsageError('ClusteredModel.train() needs a number of clusters; trainModel() resolves clusters: "auto"');
    const p: EmbedTrainParams = Object.freeze({ ...given, index: resolveIndexKind(given.index, params.index !== undefined, notes, { points: data.features.nRows, dim: given.embeddingDim, embeddings: true }) });
    checkTrainingData(data, p.method);
    await ensureBackend();
    const space = FeatureSpace.fromTraining(data.features);
    return { p, notes, space, x: space.project(normalizeRowsL2(data.features)) };
  }

  /** Ensemble member `i`'s clustering of the prepared rows `x` (seed + i); a shortfall of clusters is noted. @internal */
  static async memberClustering(x: Csr, labels: Csr, p: EmbedTrainParams, i: number, notes: string[], onProgress?: ProgressFn): Promise<Clustering> {
    const tag = p.ensemble > 1 ? ` (model ${i + 1}/${p.ensemble})` : '';
    const c = await task(onProgress, `cluster the training points${tag}`, undefined, () => clusterPoints(x, labels, p.clusters as number, p.seed + i));
    if (c.router.k < (p.clusters as number)) notes.push(`${c.router.k} clusters instead of ${p.clusters as number}${tag}: clusters need ${CLUSTER_DEFAULTS.minClusterPoints} points with labels`);
    return c;
  }

  /** Train cluster `j` of member `i` (of `k`) on its training `rows`: a global model over the labels occurring in them. @internal */
  static async trainCluster(data: TrainingData, rows: Int32Array, p: EmbedTrainParams, i: number, j: number, k: number, notes: string[], onProgress?: ProgressFn): Promise<Cluster> {
    const { features, labels } = data;
    const local = selectRows(labels, rows);
    const labelSpace = FeatureSpace.fromTraining(local);
    const model = await EmbeddingModel.train(
      { features: selectRows(features, rows), labels: labelSpace.project(local), ...(data.source !== undefined ? { source: data.source } : {}) },
      clusterParams(p, i), tagged(onProgress, ` [cluster ${j + 1}/${k}${p.ensemble > 1 ? `, model ${i + 1}` : ''}]`));
    for (const n of model.notes) if (!notes.includes(n)) notes.push(n);
    return { labels: labelSpace.columns ?? Int32Array.from({ length: labels.nCols }, (_, l) => l), model };
  }

  /**
   * Rank labels for every row of `features`: route each row to its `route` nearest centres per
   * ensemble member, rank with those clusters' models, merge (see the file comment).
   */
  async predict(features: TestFeatures, options: Partial<PredictParams> = {}, onProgress?: ProgressFn): Promise<Ranked> {
    const all = this.live('predict');
    const pp = predictParams(options);
    const { strategy, members } = predictionPlan(this, pp, this.params.strategy, all);
    const raw = testInput(features);
    const x = testRows(features, this.space);
    const n = x.nRows, topK = Math.min(pp.topK, Math.max(1, this.nLabels));
    const route = pp.route ?? this.params.route;
    // Each cluster ranks more than topK labels when several rankings are merged, so that a label
    // second in two of them can overtake one first in only one.
    const merging = members.length * Math.min(route, Math.max(...members.map((m) => m.router.k))) > 1;
    const inner = { strategy, ...(pp.k !== undefined ? { k: pp.k } : {}), ...(pp.efSearch !== undefined ? { efSearch: pp.efSearch } : {}), ...(pp.decoderWeight !== undefined ? { decoderWeight: pp.decoderWeight } : {}), ...(pp.decoderPrecision !== undefined ? { decoderPrecision: pp.decoderPrecision } : {}) };
    const merge = new ScoreMerge(n);
    await task(onProgress, `predict (${strategy}, clustered)`, members.length * n, async (tick) => {
      let done = 0;
      for (const part of members) {
        const { r, ids, sims } = part.router.nearestCentroids(x, route);
        const rows: number[][] = part.clusters.map(() => []);
        const weights = new Float32Array(n * r);
        for (let i = 0; i < n; i++) {
          let total = 0;
          for (let t = 0; t < r; t++) total += Math.max(0, sims[i * r + t]!);
          for (let t = 0; t < r; t++) {
            rows[ids[i * r + t]!]!.push(i);
            weights[i * r + t] = total > 0 ? Math.max(0, sims[i * r + t]!) / total : 1 / r;
          }
        }
        for (const [j, cluster] of part.clusters.entries()) {
          const list = rows[j]!;
          if (list.length === 0) continue;
          const width = merging ? Math.min(cluster.labels.length, Math.max(2 * topK, 20)) : topK;
          const ranked = await cluster.model.predict({ ...raw, features: selectRows(raw.features, list) }, { ...inner, topK: width });
          for (let q = 0; q < list.length; q++) {
            const i = list[q]!;
            let w = 0;
            for (let t = 0; t < r; t++) if (ids[i * r + t] === j) w = weights[i * r + t]!;
            merge.add(i, ranked, q, cluster.labels, w / members.length);
          }
          done += list.length / r;
          tick(Math.round(done));
        }
      }
    });
    return merge.ranked(topK);
  }

  describe(options: Partial<PredictParams> = {}): ModelSummary {
    const all = this.live('describe');
    const pp = predictParams(options);
    return embeddingSummary(this, pp, all.length, this.params.embeddingDim, () => ({ clusters: all.map((p) => p.clusters.length), route: pp.route ?? this.params.route }));
  }

  /** Save as a model directory, crash-safely (see `writeModelDir`): each cluster's model is written with the prefix `p<i>c<j>.`. */
  async save(dir: string, options: SaveOptions = {}): Promise<void> {
    this.live('save');
    await writeModelDir(dir, options, (w) => this.writeTo(w));
  }

  /** Write the model's files through `w` and return its manifest body (what {@link save} puts in `manifest.json`). @internal */
  async writeTo(w: ModelWriter): Promise<ManifestBody> {
    const all = this.live('save');
    await EmbeddingModel.writeShared(w, this.trainLabels, this.space);
    const partitions: unknown[] = [];
    for (const [i, part] of all.entries()) {
      await w.writeBytes(`p${i}.centroids.f32`, encodeFloats([part.router.centroids]));
      const clusters: unknown[] = [];
      for (const [j, c] of part.clusters.entries()) clusters.push(await ClusteredModel.writeCluster(w, i, j, c));
      partitions.push({ clusters });
    }
    return ClusteredModel.body(this.params, this.trainLabels, this.space, partitions, this.backend);
  }

  /** Write cluster `j` of member `i` (its label map and its model, prefixed `p<i>c<j>.`); returns its manifest entry. @internal */
  static async writeCluster(w: ModelWriter, i: number, j: number, c: Cluster): Promise<unknown> {
    await w.writeBytes(`p${i}c${j}.labels.i32`, new Uint8Array(c.labels.buffer, c.labels.byteOffset, c.labels.byteLength));
    const body = await c.model.writeTo(w.scoped(`p${i}c${j}.`));
    return { nLabels: c.labels.length, data: body.data, extra: body.extra };
  }

  /** The manifest body of a clustered model with these partitions' entries. @internal */
  static body(p: EmbedTrainParams, labels: Csr, space: FeatureSpace, partitions: unknown[], backend: string | undefined): ManifestBody {
    return embeddingBody(p, labels, space, { partitions }, backend);
  }

  /**
   * Load a directory written by {@link save}: every cluster's shape, label map and model files are
   * checked against the manifest. Use `loadModel`.
   * @internal
   */
  static async load(dir: string, manifest: Manifest): Promise<ClusteredModel> {
    const check = new JsonChecker(path.join(dir, MANIFEST_FILE));
    const f = JsonChecker.field;
    const p = check.params(embedTrainParams, manifest.params);
    if (p.method !== manifest.method) check.fail('params.method', `"${manifest.method}" (the model's method)`, p.method);
    if (p.clusters === 'auto') check.fail('params.clusters', 'the number of clusters', p.clusters);
    const { nPoints, nLabels } = manifest.data;
    const labels = await readCsrFile(dir, manifest, 'train_labels.csr', nPoints, nLabels);
    const space = await loadFeatureSpace(dir, manifest);
    const list = check.array(f(manifest.extra ?? {}, 'partitions'), 'extra.partitions');
    if (list.length !== p.ensemble) check.fail('extra.partitions', `a list of ${p.ensemble} ensemble members`, `${list.length} members`);
    const partitions: Partition[] = [];
    for (const [i, rawPart] of list.entries()) {
      const where = `extra.partitions[${i}]`;
      const metas = check.array(f(check.object(rawPart, where), 'clusters'), `${where}.clusters`);
      if (metas.length < 1 || metas.length > (p.clusters as number)) check.fail(`${where}.clusters`, `1 to ${p.clusters as number} clusters`, `${metas.length}`);
      const [centroids] = decodeFloats(await readModelFile(dir, manifest, `p${i}.centroids.f32`), [metas.length * space.dim], modelFilePath(dir, manifest, `p${i}.centroids.f32`));
      const router = kmeansRouter(centroids!, metas.length, space.dim);
      const clusters: Cluster[] = [];
      for (const [j, rawMeta] of metas.entries()) {
        const w = `${where}.clusters[${j}]`, prefix = `p${i}c${j}.`;
        const meta = check.object(rawMeta, w);
        const nLocal = check.int(f(meta, 'nLabels'), `${w}.nLabels`, 1, nLabels);
        const data = check.object(f(meta, 'data'), `${w}.data`);
        const shape = { nPoints: check.int(f(data, 'nPoints'), `${w}.data.nPoints`, 1, nPoints), nFeatures: check.int(f(data, 'nFeatures'), `${w}.data.nFeatures`, manifest.data.nFeatures, manifest.data.nFeatures), nLabels: check.int(f(data, 'nLabels'), `${w}.data.nLabels`, nLocal, nLocal) };
        const map = await readLabelMap(dir, manifest, `${prefix}labels.i32`, nLocal, nLabels);
        const model = await EmbeddingModel.load(dir, scopedManifest(manifest, prefix, { method: manifest.method, data: shape, params: { ...clusterParams(p, i) }, extra: check.object(f(meta, 'extra'), `${w}.extra`) }));
        clusters.push({ labels: map, model });
      }
      partitions.push({ router, clusters });
    }
    return new ClusteredModel(p, labels, space, partitions, manifest.backend);
  }

  /** Release every cluster's tensors and indexes. */
  dispose(): void {
    for (const p of this.partitions) for (const c of p.clusters) c.model.dispose();
    this.partitions = [];
  }
}

/** A cluster's local → global label map: `n` increasing ids below `nLabels`. */
async function readLabelMap(dir: string, manifest: Manifest, name: string, n: number, nLabels: number): Promise<Int32Array> {
  const file = modelFilePath(dir, manifest, name);
  const bytes = await readModelFile(dir, manifest, name);
  if (bytes.length !== 4 * n) throw new ModelFormatError(`${file}: expected ${n} int32 label ids (${4 * n} bytes) but found ${bytes.length} bytes`);
  const ids = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  for (let t = 0; t < n; t++) {
    if (!(ids[t]! >= 0 && ids[t]! < nLabels && (t === 0 || ids[t]! > ids[t - 1]!))) throw new ModelFormatError(`${file}: label ids must increase within [0, ${nLabels}) but entry ${t} is ${ids[t]}`);
  }
  return ids;
}

/**
 * Weighted sums of label scores per row, from several rankings: each row keeps a list of
 * (global label, score) candidates; {@link ranked} adds up repeats and keeps the best.
 * @internal
 */
export class ScoreMerge {
  private readonly lists: { labels: number[]; scores: number[] }[];
  constructor(readonly nRows: number) {
    this.lists = Array.from({ length: nRows }, () => ({ labels: [], scores: [] }));
  }

  /** Add row `q` of `ranked` (local label ids mapped by `map`), times `weight`, to row `row`. */
  add(row: number, ranked: Ranked, q: number, map: Int32Array, weight: number): void {
    const list = this.lists[row]!;
    for (let t = 0; t < ranked.k; t++) {
      const l = ranked.labels[q * ranked.k + t]!;
      if (l === PAD_LABEL) continue;
      list.labels.push(map[l]!);
      list.scores.push(weight * ranked.scores[q * ranked.k + t]!);
    }
  }

  /** The merged rankings, `k` labels per row: best summed score first, ties to the smaller label. */
  ranked(k: number): Ranked {
    const labels = new Int32Array(this.nRows * k).fill(PAD_LABEL), scores = new Float32Array(this.nRows * k).fill(PAD_SCORE);
    const sums = new Map<number, number>();
    for (let i = 0; i < this.nRows; i++) {
      const list = this.lists[i]!;
      sums.clear();
      for (let t = 0; t < list.labels.length; t++) sums.set(list.labels[t]!, (sums.get(list.labels[t]!) ?? 0) + list.scores[t]!);
      const best = [...sums].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, k);
      best.forEach(([l, s], t) => { labels[i * k + t] = l; scores[i * k + t] = s; });
    }
    return { nRows: this.nRows, k, labels, scores };
  }
}

/**
 * The number of clusters for `clusters: 'auto'`: ⌊n / pointsPerCluster⌋ (see
 * {@link CLUSTER_DEFAULTS}); 1 below two clusters' worth of points.
 */
export function autoClusters(nPoints: number): number {
  return Math.max(1, Math.floor(nPoints / CLUSTER_DEFAULTS.pointsPerCluster));
}

/** Mean of P@1, P@3 and P@5 of `model` on `features` against `truth`. */
async function heldOutScore(model: Model, features: Csr, truth: Csr): Promise<number> {
  return meanPrecision135(await model.predict(features, { topK: 5 }), truth);
}

/**
 * Train the embedding pipeline: one global {@link EmbeddingModel} (`clusters: 1`), a
 * {@link ClusteredModel} (`clusters` > 1), or for `clusters: 'auto'` the better of the two:
 * C = {@link autoClusters}(n); with C > 1 and n·L at most `maxGlobalCells`, both are trained on
 * a seeded 90% of the points (one model each, whatever the ensemble size) and scored on the
 * rest (at most 2,000; mean of P@1, P@3, P@5), and
 * the clustered model is kept only when it scores at least as well; above `maxGlobalCells` the
 * points are clustered and the clustered model is taken when its encoders' work is at most
 * `maxWorkShare` of the global one's. The choice is then trained on all points and said in the notes.
 */
export async function trainEmbeddingModel(data: TrainingData, params: Partial<EmbedTrainParams> = {}, onProgress?: ProgressFn): Promise<Model> {
  const given = embedTrainParams(params);
  if (given.clusters !== 'auto') {
    return given.clusters === 1 ? EmbeddingModel.train(data, params, onProgress) : ClusteredModel.train(data, params, onProgress);
  }
  const { chosen, note, first } = await chooseClusters(data, params, onProgress);
  const model: EmbeddingModel | ClusteredModel = chosen === 1 ? await EmbeddingModel.train(data, { ...params, clusters: 1 }, onProgress) : await ClusteredModel.train(data, { ...params, clusters: chosen }, onProgress, first);
  if (note !== undefined) model.notes = [note, ...model.notes];
  return model;
}

/**
 * The number of clusters `clusters: 'auto'` trains with (see {@link trainEmbeddingModel}), what
 * it says about its choice, and the first member's clustering when it made one (reused).
 * @internal (also the distributed training's plan, src/distributed)
 */
export async function chooseClusters(data: TrainingData, params: Partial<EmbedTrainParams>, onProgress?: ProgressFn): Promise<{ chosen: number; note?: string; first?: Clustering }> {
  const given = embedTrainParams(params);
  if (given.clusters !== 'auto') return { chosen: given.clusters };
  checkTrainingData(data, given.method);
  const { features, labels } = data;
  const c = autoClusters(features.nRows);
  if (c === 1) return { chosen: 1 };
  let note: string;
  let chosen = c;
  let first: Clustering | undefined;
  if (features.nRows * labels.nCols > CLUSTER_DEFAULTS.maxGlobalCells) {
    const x = FeatureSpace.fromTraining(features).project(normalizeRowsL2(features));
    first = await task(onProgress, 'cluster the training points', undefined, () => clusterPoints(x, labels, c, given.seed));
    const share = clusterWorkShare(labels, first);
    chosen = share <= CLUSTER_DEFAULTS.maxWorkShare ? c : 1;
    note = `clusters: auto chose ${chosen === 1 ? 'one global model' : `${c} clusters`}: the ${first.router.k} clusters' encoders would do ${(100 * share).toFixed(0)}% of the global encoder's work (n·L = ${features.nRows} × ${labels.nCols}, too many to train both and compare)`;
  } else {
    const { train, valid: allValid } = splitRows(features.nRows, CLUSTER_DEFAULTS.validationFraction, given.seed ^ 0x1b873593);
    const valid = allValid.slice(0, CLUSTER_DEFAULTS.maxValidation);
    const { fit: part, held } = splitData({ features, labels }, train, valid);
    const scores: number[] = [];
    for (const k of [1, c]) {
      const m = await task<Model>(onProgress, `clusters: auto — validate ${k} cluster${k > 1 ? 's' : ''}`, undefined, () =>
        (k === 1 ? EmbeddingModel.train(part, { ...params, ensemble: 1, clusters: 1 }) : ClusteredModel.train(part, { ...params, ensemble: 1, clusters: k })));
      try {
        scores.push(await heldOutScore(m, held.features, held.labels));
      } finally {
        m.dispose();
      }
    }
    chosen = scores[1]! >= scores[0]! ? c : 1;
    const pct = (v: number): string => (100 * v).toFixed(2);
    note = `clusters: auto chose ${chosen === 1 ? 'one global model' : `${c} clusters`} (held-out mean P@1,3,5: global ${pct(scores[0]!)}, ${c} clusters ${pct(scores[1]!)})`;
  }
  return { chosen, note, ...(first ? { first } : {}) };
}

/** The registry's model class of every embedding method: trains with {@link trainEmbeddingModel}, loads global or clustered models. */
export const EmbeddingPipeline: ModelClass = Object.freeze({
  train: (data: TrainingData, params: Partial<EmbedTrainParams>, onProgress?: ProgressFn) => trainEmbeddingModel(data, params, onProgress),
  load: (dir: string, manifest: Manifest): Promise<Model> => (isClusteredManifest(manifest) ? ClusteredModel.load(dir, manifest) : EmbeddingModel.load(dir, manifest)),
});
