import * as path from 'node:path';
import { type Csr, normalizeRowsL2 } from '../data/csr.js';
import type { LabelEncoder } from '../encoders/encoder.js';
import { InvalidArgumentError, ModelFormatError, UsageError } from '../errors.js';
import { type Forest, forestScores, trainForest } from '../forest/label_forest.js';
import { type ProgressFn, task } from '../progress.js';
import { type Ranked, scoreBlockRows, topKRows } from '../ranking/topk.js';
import { FeatureSpace, loadFeatureSpace, saveFeatureSpace } from './feature_space.js';
import { encodeCsr, type Manifest, MANIFEST_FILE, type ModelWriter, readCsrFile, readModelFile } from './io.js';
import { JsonChecker, type ManifestBody } from './manifest.js';
import { disposedError, type Model, type ModelSummary } from './model.js';
import { forestTrainParams, type ForestTrainParams, type PredictParams, predictParams, type Strategy, UNUSED_PREDICT_OPTIONS } from './params.js';
import { type SaveOptions, writeModelDir } from './store.js';
import { checkLabelSpace, checkTrainingData, type TestFeatures, testRows, type TrainingData } from './training_data.js';

/** Scratch per label of a block of scores (a float64 accumulator and the float32 block). */
const SCORE_BYTES_PER_LABEL = 12;

/** The forest's int32 arrays, in file order; its child positions (bytes) and centroid values (float32) have files of their own. */
const INT_ARRAYS = ['roots', 'childPtr', 'children', 'fallback', 'leafPtr', 'leafPoints', 'entPtr', 'entFeat'] as const;
const FOREST_INTS = 'forest.i32';
const FOREST_CHILDREN = 'forest_children.u8';
const FOREST_FLOATS = 'forest_values.f32';

/**
 * The label-clustering forest (`--method forest`, src/forest/label_forest.ts, after CRAFTML): trees
 * that split the training points by spherical k-means on their labels and route points by
 * feature centroids; a point's label scores are the mean over the trees of its leaf's label
 * frequencies. Tree ensembles are the strongest published methods on sets like Delicious (FastXML,
 * CRAFTML); as a member of a mixed ensemble it sees what a linear map to an embedding misses.
 */
export class ForestModel implements Model {
  /** Always `'forest'`. */
  readonly method = 'forest' as const;
  /** What training chose for the caller; empty. */
  notes: readonly string[] = [];
  /** A forest scores one way. */
  readonly strategies: readonly Strategy[] = Object.freeze([]);
  /** A forest embeds no labels. */
  readonly encoders: readonly LabelEncoder[] = Object.freeze([]);

  private constructor(
    readonly params: ForestTrainParams,
    /** Training label matrix (n × L): the leaves' label rows. */
    readonly trainLabels: Csr,
    /** The feature columns of the training data. @internal */
    readonly space: FeatureSpace,
    /** The trees; undefined once disposed. */
    private forest: Forest | undefined,
  ) {}

  private live(what: string): Forest {
    if (!this.forest) throw disposedError(this.method, what);
    return this.forest;
  }

  /** Labels the training data declared. */
  get nLabels(): number { return this.trainLabels.nCols; }
  /** Training points. */
  get nTrain(): number { return this.trainLabels.nRows; }
  /** Features the training data declared. */
  get nFeatures(): number { return this.space.nFeatures; }

  /** Grow the forest on `data` with `params` over {@link FOREST_DEFAULTS} (validated; a ParamsError for bad ones). */
  static async train(data: TrainingData, params: Partial<ForestTrainParams> = {}, onProgress?: ProgressFn): Promise<ForestModel> {
    const p = forestTrainParams(params);
    checkTrainingData(data, 'forest');
    checkLabelSpace(data, 'forest', SCORE_BYTES_PER_LABEL);
    const space = FeatureSpace.fromTraining(data.features);
    const x = space.project(normalizeRowsL2(data.features));
    const forest = await task(onProgress, `grow ${p.trees} label-clustering trees`, p.trees, async (tick) =>
      trainForest(x, data.labels, p, () => tick(1)));
    return new ForestModel(p, data.labels, space, forest);
  }

  /**
   * Rank labels for every row of `features` by the forest's mean leaf label frequencies.
   * @throws UsageError for options the forest does not have (`k`, `efSearch`, `strategy`, `decoderWeight`, `members`, `route`).
   */
  async predict(features: TestFeatures, options: Partial<PredictParams> = {}, onProgress?: ProgressFn): Promise<Ranked> {
    const forest = this.live('predict');
    const pp = predictParams(options);
    for (const key of UNUSED_PREDICT_OPTIONS.forest) {
      if (pp[key] !== undefined) throw new UsageError(`prediction option '${key}' does not apply to a forest model`);
    }
    const x = testRows(features, this.space);
    const n = x.nRows, L = this.nLabels, k = Math.min(pp.topK, Math.max(1, L));
    const labels = new Int32Array(n * k), scores = new Float32Array(n * k);
    const block = scoreBlockRows(L);
    await task(onProgress, 'route through the trees', n, async (tick) => {
      for (let s = 0; s < n; s += block) {
        const e = Math.min(n, s + block), out = new Float32Array((e - s) * L);
        forestScores(forest, this.trainLabels, x, s, e, out);
        const r = topKRows(out, e - s, L, k);
        labels.set(r.labels, s * k);
        scores.set(r.scores, s * k);
        tick(e - s);
      }
    });
    return { nRows: n, k, labels, scores };
  }

  /** Save as a model directory, crash-safely (see {@link Model.save}). */
  async save(dir: string, options: SaveOptions = {}): Promise<void> {
    this.live('save');
    await writeModelDir(dir, options, (w) => this.writeTo(w));
  }

  /** Write the model's files through `w` and return its manifest body. @internal */
  async writeTo(w: ModelWriter): Promise<ManifestBody> {
    const f = this.live('save');
    await w.writeBytes('train_labels.csr', encodeCsr(this.trainLabels));
    await saveFeatureSpace(w, this.space);
    const ints = INT_ARRAYS.map((k) => f[k]);
    const all = new Int32Array(ints.reduce((a, v) => a + v.length, 0));
    let o = 0;
    for (const a of ints) { all.set(a, o); o += a.length; }
    await w.writeBytes(FOREST_INTS, new Uint8Array(all.buffer));
    await w.writeBytes(FOREST_CHILDREN, f.entChild);
    await w.writeBytes(FOREST_FLOATS, new Uint8Array(f.entValue.buffer.slice(f.entValue.byteOffset, f.entValue.byteOffset + f.entValue.byteLength)));
    return {
      method: this.method,
      data: { nPoints: this.nTrain, nFeatures: this.nFeatures, nLabels: this.nLabels },
      params: { ...this.params },
      extra: { forest: { lengths: Object.fromEntries(INT_ARRAYS.map((k) => [k, f[k].length])) } },
    };
  }

  /**
   * Load a directory written by {@link save}: sizes and checksums checked, then every tree's
   * structure (ranges, ids) before any use.
   * @internal
   */
  static async load(dir: string, manifest: Manifest): Promise<ForestModel> {
    const file = path.join(dir, MANIFEST_FILE);
    const check = new JsonChecker(file);
    const p = check.params(forestTrainParams, manifest.params);
    const { nPoints, nLabels } = manifest.data;
    const labels = await readCsrFile(dir, manifest, 'train_labels.csr', nPoints, nLabels);
    const space = await loadFeatureSpace(dir, manifest);
    const f = JsonChecker.field;
    const lengths = check.object(f(check.object(f(check.object(manifest.extra, 'extra'), 'forest'), 'extra.forest'), 'lengths'), 'extra.forest.lengths');
    const sizes = INT_ARRAYS.map((k) => check.int(f(lengths, k), `extra.forest.lengths.${k}`, 0, 2 ** 31 - 1));
    const ints = await readModelFile(dir, manifest, FOREST_INTS);
    const total = sizes.reduce((a, v) => a + v, 0);
    if (ints.length !== 4 * total) throw new ModelFormatError(`${path.join(dir, FOREST_INTS)}: expected ${4 * total} bytes but found ${ints.length}`);
    const all = new Int32Array(ints.buffer.slice(ints.byteOffset, ints.byteOffset + ints.length));
    const arrays: Record<string, Int32Array> = {};
    let o = 0;
    INT_ARRAYS.forEach((k, i) => { arrays[k] = all.slice(o, o + sizes[i]!); o += sizes[i]!; });
    const entChild = (await readModelFile(dir, manifest, FOREST_CHILDREN)).slice();
    const floats = await readModelFile(dir, manifest, FOREST_FLOATS);
    if (floats.length % 4 !== 0) throw new ModelFormatError(`${path.join(dir, FOREST_FLOATS)}: ${floats.length} bytes is not a whole number of float32 values`);
    const entValue = new Float32Array(floats.buffer.slice(floats.byteOffset, floats.byteOffset + floats.length));
    const forest = { nFeatures: space.dim, ...(arrays as unknown as Omit<Forest, 'nFeatures' | 'entChild' | 'entValue'>), entChild, entValue };
    try {
      checkForest(forest, nPoints, p.trees);
    } catch (e) {
      throw new ModelFormatError(`${path.join(dir, FOREST_INTS)}: corrupt forest: ${(e as Error).message}`);
    }
    return new ForestModel(p, labels, space, forest);
  }

  /** A plain summary (the trained parameters). */
  describe(options: Partial<PredictParams> = {}): ModelSummary {
    this.live('describe');
    predictParams(options);
    return { method: this.method, nFeatures: this.nFeatures, nLabels: this.nLabels, nTrain: this.nTrain, ensemble: 1, params: this.params };
  }

  /** Drop the trees. */
  dispose(): void {
    this.forest = undefined;
  }
}

/**
 * Check the structure of a loaded forest: every range within its array and increasing, children
 * later nodes of the same forest, leaf points training point ids, child positions within the node.
 * @throws InvalidArgumentError naming the first inconsistency.
 */
export function checkForest(f: Forest, nPoints: number, trees: number): void {
  const bad = (why: string): never => { throw new InvalidArgumentError('loadModel', why); };
  const nodes = f.childPtr.length - 1;
  if (f.roots.length !== trees) bad(`${f.roots.length} roots for ${trees} trees`);
  if (nodes < 1 || f.leafPtr.length !== nodes + 1 || f.entPtr.length !== nodes + 1 || f.fallback.length !== nodes) bad('node arrays of different lengths');
  if (f.entFeat.length !== f.entChild.length || f.entChild.length !== f.entValue.length) bad('entry arrays of different lengths');
  const ranges = (name: string, ptr: Int32Array, end: number): void => {
    if (ptr[0] !== 0 || ptr[ptr.length - 1] !== end) bad(`${name} does not span its array`);
    for (let i = 0; i + 1 < ptr.length; i++) if (ptr[i + 1]! < ptr[i]!) bad(`${name} decreases at ${i}`);
  };
  ranges('childPtr', f.childPtr, f.children.length);
  ranges('leafPtr', f.leafPtr, f.leafPoints.length);
  ranges('entPtr', f.entPtr, f.entFeat.length);
  for (const r of f.roots) if (!(r >= 0 && r < nodes)) bad(`root ${r} out of range`);
  for (let i = 0; i < nodes; i++) {
    const k = f.childPtr[i + 1]! - f.childPtr[i]!;
    if (k > 0 && f.leafPtr[i + 1] !== f.leafPtr[i]) bad(`node ${i} is both internal and a leaf`);
    if (k > 0 && !(f.fallback[i]! >= 0 && f.fallback[i]! < k)) bad(`node ${i}'s fallback child out of range`);
    for (let q = f.childPtr[i]!; q < f.childPtr[i + 1]!; q++) if (!(f.children[q]! > i && f.children[q]! < nodes)) bad(`node ${i} has child ${f.children[q]} out of order`);
    for (let q = f.entPtr[i]!; q < f.entPtr[i + 1]!; q++) {
      if (!(f.entFeat[q]! >= 0 && f.entFeat[q]! < f.nFeatures) || (q > f.entPtr[i]! && f.entFeat[q]! < f.entFeat[q - 1]!)) bad(`node ${i}'s entries are not sorted feature ids`);
      if (f.entChild[q]! >= k) bad(`node ${i} has an entry for child ${f.entChild[q]} of ${k}`);
    }
  }
  for (const i of f.leafPoints) if (!(i >= 0 && i < nPoints)) bad(`leaf point ${i} out of range`);
}
