/**
 * A forest of label-clustering trees, after CRAFTML (Siblini, Kuntz & Meyer, "CRAFTML, an efficient
 * clustering-based random forest for extreme multi-label learning", ICML 2018), written anew:
 *
 * - Each node splits its training points in two steps. First the points are clustered by their
 *   *labels*: spherical k-means (Dhillon & Modha 2001) on the ℓ2-normalised label rows, k =
 *   `branching` clusters seeded with k distinct random points, on at most `kmeansSample` points
 *   (CRAFTML's n_s: the sample keeps a node's cost bounded on large sets). Then each cluster gets a
 *   *feature* centroid, the normalised sum of its points' ℓ2-normalised feature rows over the
 *   features at least `centroidMinCount` of them share, pruned to its `centroidNnz` largest entries; every point of the node, training or test alike, goes to the
 *   child whose feature centroid has the largest dot product with it (ties to the lower child; a
 *   point sharing no feature with any centroid goes to the child that took most training points).
 *   So the children group points with similar labels, reached through their features.
 * - A node with at most `leafSize` points, whose sample shares one label set, whose routing sends
 *   every point one way, or at depth `maxDepth`, is a leaf: it keeps its training points' ids.
 * - A point's score for label l is the mean over the trees of the fraction of its leaf's training
 *   points that have l (CRAFTML's average of the leaves' label distributions). The leaves keep point
 *   ids, not label vectors: the label rows are the model's training labels, stored once.
 *
 * CRAFTML's randomness comes from random projections of features and labels at each node; here the
 * trees differ by their k-means seeds and samples (tree t draws from seed ⊕ t), and the features
 * keep their own space (the centroids are sparse and pruned instead of projected). The same seed
 * gives the same forest.
 *
 * Cost per tree: each level clusters at most `kmeansSample` label rows (`kmeansIterations` passes
 * of nnz(Y)·k), builds centroids (nnz(X)) and routes every point (nnz(x)·log per node); the depth is
 * about log_k(n / leafSize). Prediction routes a point down each tree (the same routing) and sums
 * the label rows of ≤ leafSize points per tree.
 */
import { type Csr, rowNorms } from '../data/csr.js';
import { InvalidArgumentError } from '../errors.js';
import { Rng } from '../util/rng.js';

/** Settings of {@link trainForest}. */
export interface ForestParams {
  /** Trees in the forest (CRAFTML: 50). */
  readonly trees: number;
  /** Children per split, k of the k-means (CRAFTML: 10). */
  readonly branching: number;
  /** A node with at most this many training points is a leaf (CRAFTML: 10). */
  readonly leafSize: number;
  /** Passes of spherical k-means per split. */
  readonly kmeansIterations: number;
  /** Most points a split clusters (a seeded sample of the node's points; CRAFTML's n_s = 20,000). */
  readonly kmeansSample: number;
  /** Most non-zero entries a feature centroid keeps (its largest). */
  readonly centroidNnz: number;
  /**
   * A centroid keeps only the features at least this many of its cluster's (sampled) members have
   * (all of them when no feature is shared so often); 1 keeps every feature.
   */
  readonly centroidMinCount: number;
  /** Deepest level (the root is level 0); a node there is a leaf. */
  readonly maxDepth: number;
  /** Seed of every random choice; tree t uses its own stream derived from it. */
  readonly seed: number;
}

/**
 * A trained forest, every tree's nodes in flat arrays (node ids are global; tree t's root is
 * `roots[t]`). Node i is internal when `childPtr[i] < childPtr[i + 1]` (its children are
 * `children[childPtr[i] .. childPtr[i + 1])`), else a leaf whose training points are
 * `leafPoints[leafPtr[i] .. leafPtr[i + 1])`. An internal node's centroids are its entries
 * `entFeat/entChild/entValue[entPtr[i] .. entPtr[i + 1])` — (feature, child position, centroid value)
 * sorted by feature, then child: feature-major, so that routing a sparse row looks up only its own
 * features; 9 bytes an entry.
 */
export interface Forest {
  /** Columns of the feature rows it routes (after the model's feature space). */
  readonly nFeatures: number;
  /** Root node of each tree. */
  readonly roots: Int32Array;
  /** Children ranges per node, length nodes + 1. */
  readonly childPtr: Int32Array;
  /** Children node ids. */
  readonly children: Int32Array;
  /** Per node: the child position taken when a point shares no feature with the centroids. */
  readonly fallback: Int32Array;
  /** Leaf point ranges per node, length nodes + 1. */
  readonly leafPtr: Int32Array;
  /** Training point ids of the leaves. */
  readonly leafPoints: Int32Array;
  /** Centroid entry ranges per node, length nodes + 1. */
  readonly entPtr: Int32Array;
  /** Feature of each entry (non-decreasing within a node). */
  readonly entFeat: Int32Array;
  /** Child position of each entry (increasing within a feature). */
  readonly entChild: Uint8Array;
  /** Centroid value of each entry. */
  readonly entValue: Float32Array;
}

/** Most children a node may have (a child position is one byte). */
export const MAX_BRANCHING = 255;

/** A growable typed array (int32 or float32) for the flat arrays. */
class GrowList<T extends Int32Array | Float32Array | Uint8Array> {
  length = 0;
  constructor(private data: T, private readonly make: (n: number) => T) {}
  push(v: number): void {
    if (this.length === this.data.length) { const d = this.make(this.data.length * 2); d.set(this.data); this.data = d; }
    this.data[this.length++] = v;
  }
  toArray(): T { return this.data.slice(0, this.length) as T; }
}
const intList = (): GrowList<Int32Array> => new GrowList(new Int32Array(1024), (n) => new Int32Array(n));
const floatList = (): GrowList<Float32Array> => new GrowList(new Float32Array(1024), (n) => new Float32Array(n));
const byteList = (): GrowList<Uint8Array> => new GrowList(new Uint8Array(1024), (n) => new Uint8Array(n));

/** The seed of tree t: independent streams for every tree. */
function treeSeed(seed: number, t: number): number {
  return ((seed % 0x100000000) ^ Math.imul(t + 1, 0x85ebca6b)) >>> 0;
}

/**
 * The child position a node sends row `i` of `x` to: the centroid with the largest dot product
 * (ties to the lower position), or the node's fallback when no feature is shared. `acc` is scratch
 * of at least the node's child count, left zeroed.
 */
function routeRow(f: Pick<Forest, 'entPtr' | 'entFeat' | 'entChild' | 'entValue' | 'fallback'>, node: number, nChildren: number,
  x: Csr, i: number, acc: Float64Array): number {
  const { entPtr, entFeat, entChild, entValue } = f;
  let lo = entPtr[node]!;
  const hi = entPtr[node + 1]!;
  let hit = false;
  for (let p = x.rowPtr[i]!, e = x.rowPtr[i + 1]!; p < e && lo < hi; p++) {
    const j = x.indices[p]!;
    // Row indices increase, so the search for the next feature starts where this one ended.
    let a = lo, b = hi;
    while (a < b) { const mid = (a + b) >>> 1; if (entFeat[mid]! < j) a = mid + 1; else b = mid; }
    if (a < hi && entFeat[a] === j) {
      const v = x.values[p]!;
      for (; a < hi && entFeat[a] === j; a++) acc[entChild[a]!]! += v * entValue[a]!;
      hit = true;
    }
    lo = a;
  }
  if (!hit) return f.fallback[node]!;
  let best = 0;
  for (let c = 1; c < nChildren; c++) if (acc[c]! > acc[best]!) best = c;
  acc.fill(0, 0, nChildren);
  return best;
}

/** Check a parameter is an integer within [min, max]. */
function checkInt(name: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new InvalidArgumentError('trainForest', `'${name}' passed to trainForest() must be an integer in [${min}, ${max}] but got ${v}`);
}

/**
 * Grow the forest on ℓ2-normalised feature rows `x` (n × d) and label rows `y` (n × L).
 * @param onTree called after each tree (progress); may throw to abort.
 * @throws InvalidArgumentError for parameters out of range or x, y of different heights.
 */
export function trainForest(x: Csr, y: Csr, p: ForestParams, onTree?: (t: number) => void): Forest {
  if (x.nRows !== y.nRows) throw new InvalidArgumentError('trainForest', `trainForest(): x has ${x.nRows} rows but y has ${y.nRows}`);
  checkInt('trees', p.trees, 1, 100000);
  checkInt('branching', p.branching, 2, MAX_BRANCHING);
  checkInt('leafSize', p.leafSize, 1);
  checkInt('kmeansIterations', p.kmeansIterations, 1, 10000);
  checkInt('kmeansSample', p.kmeansSample, 2);
  checkInt('centroidNnz', p.centroidNnz, 1);
  checkInt('centroidMinCount', p.centroidMinCount, 1, 255);
  checkInt('maxDepth', p.maxDepth, 0, 10000);
  if (!Number.isSafeInteger(p.seed)) throw new InvalidArgumentError('trainForest', `'seed' passed to trainForest() must be an integer but got ${p.seed}`);
  const b = new ForestBuilder(x, y, p);
  for (let t = 0; t < p.trees; t++) {
    b.growTree(new Rng(treeSeed(p.seed, t)));
    onTree?.(t);
  }
  return b.finish();
}

/** Builds the flat arrays tree by tree. */
class ForestBuilder {
  readonly roots: number[] = [];
  readonly childPtr = intList();
  readonly children = intList();
  readonly fallback = intList();
  readonly leafPtr = intList();
  readonly leafPoints = intList();
  readonly entPtr = intList();
  readonly entFeat = intList();
  readonly entChild = byteList();
  readonly entValue = floatList();
  private nodes = 0;
  // Scratch: label → local id of the current sample; a feature centroid's sums and member counts.
  private readonly labelLocal: Int32Array;
  private readonly featAcc: Float64Array;
  private readonly featSeen: Uint8Array;
  private readonly acc: Float64Array;
  /** 1/‖y_i‖ (0 for an empty row). */
  private readonly yScale: Float64Array;

  constructor(readonly x: Csr, readonly y: Csr, readonly p: ForestParams) {
    this.labelLocal = new Int32Array(y.nCols).fill(-1);
    this.featAcc = new Float64Array(x.nCols);
    this.featSeen = new Uint8Array(x.nCols);
    this.acc = new Float64Array(p.branching);
    this.yScale = rowNorms(y).map((v) => (v > 0 ? 1 / v : 0));
    this.childPtr.push(0); this.leafPtr.push(0); this.entPtr.push(0);
  }

  /** A new node id; its ranges are appended when the queue reaches it (ids are in queue order). */
  private newNode(): number { return this.nodes++; }

  growTree(rng: Rng): void {
    const n = this.x.nRows;
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    // Breadth-first: nodes are numbered in the order their ranges are appended.
    const queue: { points: Int32Array; depth: number; id: number }[] = [{ points: all, depth: 0, id: this.newNode() }];
    this.roots.push(queue[0]!.id);
    for (let h = 0; h < queue.length; h++) {
      const { points, depth } = queue[h]!;
      queue[h] = undefined as never; // free the point list once split
      const split = depth < this.p.maxDepth && points.length > this.p.leafSize ? this.split(points, rng) : undefined;
      if (!split) {
        for (const i of points) this.leafPoints.push(i);
        this.childPtr.push(this.children.length);
        this.fallback.push(0);
        this.entPtr.push(this.entFeat.length);
        this.leafPtr.push(this.leafPoints.length);
        continue;
      }
      for (const part of split.parts) {
        const id = this.newNode();
        this.children.push(id);
        queue.push({ points: part, depth: depth + 1, id });
      }
      this.childPtr.push(this.children.length);
      this.fallback.push(split.fallback);
      this.leafPtr.push(this.leafPoints.length);
      // entPtr was extended by split(); nothing more to close.
    }
  }

  /**
   * Split `points`: label k-means on a sample, feature centroids, routing. Appends the node's
   * centroid entries (and its entPtr end) and returns the children's point lists, or undefined
   * for a leaf (nothing appended).
   */
  private split(points: Int32Array, rng: Rng): { parts: Int32Array[]; fallback: number } | undefined {
    const { p } = this;
    let sample = points;
    if (points.length > p.kmeansSample) {
      const copy = points.slice();
      for (let i = 0; i < p.kmeansSample; i++) { const j = i + rng.int(copy.length - i); const t = copy[i]!; copy[i] = copy[j]!; copy[j] = t; }
      sample = copy.subarray(0, p.kmeansSample).sort();
    }
    const assign = this.labelKmeans(sample, rng);
    if (!assign) return undefined;
    const k = assign.k;
    // Feature centroids of the sample's clusters, pruned and normalised.
    const cents = this.featureCentroids(sample, assign.cluster, k);
    // Route every point of the node with a temporary feature-major table.
    const table = featureMajor(cents, k);
    const route = new Int32Array(points.length);
    const counts = new Int32Array(k);
    const fallback = largest(assign.sizes);
    const tmpForest = { entPtr: Int32Array.of(0, table.entFeat.length), ...table, fallback: Int32Array.of(fallback) };
    for (let a = 0; a < points.length; a++) {
      const c = routeRow(tmpForest, 0, k, this.x, points[a]!, this.acc);
      route[a] = c;
      counts[c]!++;
    }
    // Children that took no training point are dropped (dropping a centroid that never wins changes no routing).
    const position = new Int32Array(k).fill(-1);
    let used = 0;
    for (let c = 0; c < k; c++) if (counts[c]! > 0) position[c] = used++;
    if (used < 2) return undefined;
    const parts = Array.from({ length: used }, (_, c) => new Int32Array(counts[position.indexOf(c)]!));
    const fill = new Int32Array(used);
    for (let a = 0; a < points.length; a++) { const c = position[route[a]!]!; parts[c]![fill[c]!++] = points[a]!; }
    for (let q = 0; q < table.entFeat.length; q++) {
      const c = position[table.entChild[q]!]!;
      if (c < 0) continue;
      this.entFeat.push(table.entFeat[q]!);
      this.entChild.push(c);
      this.entValue.push(table.entValue[q]!);
    }
    this.entPtr.push(this.entFeat.length);
    // The fallback the training points took; it kept its points unless none shared no feature.
    const fb = position[fallback]!;
    return { parts, fallback: fb >= 0 ? fb : position[largest(counts)]! };
  }

  /**
   * Spherical k-means of the sample's ℓ2-normalised label rows; undefined when fewer than two
   * distinct non-empty clusters form (e.g. every point has the same labels).
   */
  private labelKmeans(sample: Int32Array, rng: Rng): { cluster: Int32Array; k: number; sizes: Int32Array } | undefined {
    const { y, labelLocal, yScale } = this;
    // Local label ids of the sample.
    const labels: number[] = [];
    for (const i of sample) {
      for (let q = y.rowPtr[i]!, e = y.rowPtr[i + 1]!; q < e; q++) {
        const l = y.indices[q]!;
        if (labelLocal[l] === -1) { labelLocal[l] = labels.length; labels.push(l); }
      }
    }
    const nl = labels.length, ns = sample.length;
    try {
      if (nl === 0) return undefined;
      const k = Math.min(this.p.branching, ns);
      // Seeds: k distinct sample points with distinct label rows where possible (a shuffled prefix).
      const order = new Int32Array(ns);
      for (let a = 0; a < ns; a++) order[a] = a;
      const cent = new Float64Array(k * nl); // cluster-major: centroid c at [c·nl, (c+1)·nl)
      let seeded = 0;
      const seen = new Set<string>();
      for (let a = 0; a < ns && seeded < k; a++) {
        const j = a + rng.int(ns - a); const t = order[a]!; order[a] = order[j]!; order[j] = t;
        const i = sample[order[a]!]!;
        const s = y.rowPtr[i]!, e = y.rowPtr[i + 1]!;
        if (s === e) continue;
        const key = y.indices.subarray(s, e).join(',');
        if (seen.has(key)) continue;
        seen.add(key);
        for (let q = s; q < e; q++) cent[seeded * nl + labelLocal[y.indices[q]!]!] = y.values[q]! * yScale[i]!;
        seeded++;
      }
      if (seeded < 2) return undefined;
      const kk = seeded;
      const cluster = new Int32Array(ns).fill(-1);
      const score = new Float64Array(kk);
      const sizes = new Int32Array(kk);
      for (let it = 0; it < this.p.kmeansIterations; it++) {
        let changed = 0;
        sizes.fill(0);
        for (let a = 0; a < ns; a++) {
          const i = sample[a]!;
          score.fill(0);
          for (let q = y.rowPtr[i]!, e = y.rowPtr[i + 1]!; q < e; q++) {
            const l = labelLocal[y.indices[q]!]!, v = y.values[q]!;
            for (let c = 0; c < kk; c++) score[c]! += v * cent[c * nl + l]!;
          }
          let best = 0;
          for (let c = 1; c < kk; c++) if (score[c]! > score[best]!) best = c;
          if (cluster[a] !== best) { cluster[a] = best; changed++; }
          sizes[best]!++;
        }
        if (changed === 0 && it > 0) break;
        // New centroids: the normalised sums of the members' normalised rows; an empty cluster keeps its centroid.
        const next = new Float64Array(kk * nl);
        for (let a = 0; a < ns; a++) {
          const i = sample[a]!, c = cluster[a]!, sc = yScale[i]!;
          for (let q = y.rowPtr[i]!, e = y.rowPtr[i + 1]!; q < e; q++) next[c * nl + labelLocal[y.indices[q]!]!]! += y.values[q]! * sc;
        }
        for (let c = 0; c < kk; c++) {
          if (sizes[c] === 0) { next.set(cent.subarray(c * nl, (c + 1) * nl), c * nl); continue; }
          let s = 0;
          for (let l = 0; l < nl; l++) s += next[c * nl + l]! ** 2;
          const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
          for (let l = 0; l < nl; l++) next[c * nl + l]! *= inv;
        }
        cent.set(next);
      }
      let nonEmpty = 0;
      for (let c = 0; c < kk; c++) if (sizes[c]! > 0) nonEmpty++;
      if (nonEmpty < 2) return undefined;
      return { cluster, k: kk, sizes };
    } finally {
      for (const l of labels) labelLocal[l] = -1;
    }
  }

  /** Per cluster: its sparse feature centroid (sum of member rows, top `centroidNnz` entries, normalised). */
  private featureCentroids(sample: Int32Array, cluster: Int32Array, k: number): { indices: Int32Array; values: Float32Array }[] {
    const { x, featAcc: acc, featSeen: seen } = this;
    const out: { indices: Int32Array; values: Float32Array }[] = [];
    // Members of each cluster, in sample order.
    for (let c = 0; c < k; c++) {
      const touched: number[] = [];
      for (let a = 0; a < sample.length; a++) {
        if (cluster[a] !== c) continue;
        const i = sample[a]!;
        for (let q = x.rowPtr[i]!, e = x.rowPtr[i + 1]!; q < e; q++) {
          const j = x.indices[q]!;
          if (!seen[j]) touched.push(j);
          if (seen[j]! < 255) seen[j]!++; // members having j (at most 255 counted)
          acc[j]! += x.values[q]!;
        }
      }
      // The features at least centroidMinCount members share (all of them when none is shared).
      let keep = touched;
      if (this.p.centroidMinCount > 1) {
        const shared = touched.filter((j) => seen[j]! >= this.p.centroidMinCount);
        if (shared.length > 0) keep = shared;
      }
      if (keep.length > this.p.centroidNnz) {
        // The largest |value| entries (ties to the lower feature id).
        keep = keep.slice().sort((u, v) => Math.abs(acc[v]!) - Math.abs(acc[u]!) || u - v).slice(0, this.p.centroidNnz);
      }
      keep.sort((u, v) => u - v);
      let s = 0;
      for (const j of keep) s += acc[j]! * acc[j]!;
      const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
      const indices = Int32Array.from(keep), values = new Float32Array(keep.length);
      for (let q = 0; q < keep.length; q++) values[q] = acc[keep[q]!]! * inv;
      for (const j of touched) { acc[j] = 0; seen[j] = 0; }
      out.push({ indices, values });
    }
    return out;
  }

  finish(): Forest {
    return {
      nFeatures: this.x.nCols,
      roots: Int32Array.from(this.roots),
      childPtr: this.childPtr.toArray(), children: this.children.toArray(), fallback: this.fallback.toArray(),
      leafPtr: this.leafPtr.toArray(), leafPoints: this.leafPoints.toArray(),
      entPtr: this.entPtr.toArray(), entFeat: this.entFeat.toArray(), entChild: this.entChild.toArray(), entValue: this.entValue.toArray(),
    };
  }
}

/** Index of the largest entry (ties to the lower index). */
function largest(a: Int32Array): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
}

/** The k sparse centroids as one feature-major table: entries by feature, then child. */
function featureMajor(cents: readonly { indices: Int32Array; values: Float32Array }[], k: number): { entFeat: Int32Array; entChild: Uint8Array; entValue: Float32Array } {
  let total = 0;
  for (const c of cents) total += c.indices.length;
  const keys = new Float64Array(total);
  let o = 0;
  for (let c = 0; c < k; c++) for (let q = 0; q < cents[c]!.indices.length; q++) keys[o++] = cents[c]!.indices[q]! * 256 + c;
  keys.sort();
  const entFeat = new Int32Array(total), entChild = new Uint8Array(total), entValue = new Float32Array(total);
  const cursor = new Int32Array(k);
  for (let q = 0; q < total; q++) {
    const j = Math.floor(keys[q]! / 256), c = keys[q]! - j * 256;
    entFeat[q] = j;
    entChild[q] = c;
    entValue[q] = cents[c]!.values[cursor[c]!++]!;
  }
  return { entFeat, entChild, entValue };
}

/** Number of children of node `node`. */
function childCount(f: Forest, node: number): number { return f.childPtr[node + 1]! - f.childPtr[node]!; }

/**
 * The leaf each row of `x` (ℓ2-normalised, the forest's feature space) reaches in tree `t`, for
 * rows [start, end).
 */
export function leavesOf(f: Forest, t: number, x: Csr, start: number, end: number, out: Int32Array): void {
  const acc = new Float64Array(MAX_BRANCHING);
  for (let i = start; i < end; i++) {
    let node = f.roots[t]!;
    for (let k = childCount(f, node); k > 0; k = childCount(f, node)) node = f.children[f.childPtr[node]! + routeRow(f, node, k, x, i, acc)]!;
    out[i - start] = node;
  }
}

/**
 * Label scores of rows [start, end) of `x` into `out` ((end − start) × L, row-major, added to):
 * per tree, the fraction of the reached leaf's training points having each label (`y` the
 * training label rows), averaged over the trees.
 */
export function forestScores(f: Forest, y: Csr, x: Csr, start: number, end: number, out: Float32Array): void {
  const L = y.nCols, T = f.roots.length, rows = end - start;
  const leaves = new Int32Array(rows);
  const acc = new Float64Array(rows * L);
  for (let t = 0; t < T; t++) {
    leavesOf(f, t, x, start, end, leaves);
    for (let r = 0; r < rows; r++) {
      const leaf = leaves[r]!, s = f.leafPtr[leaf]!, e = f.leafPtr[leaf + 1]!;
      if (e === s) continue;
      const w = 1 / ((e - s) * T);
      for (let q = s; q < e; q++) {
        const i = f.leafPoints[q]!;
        for (let u = y.rowPtr[i]!, v = y.rowPtr[i + 1]!; u < v; u++) acc[r * L + y.indices[u]!]! += w * y.values[u]!;
      }
    }
  }
  for (let q = 0; q < rows * L; q++) out[q]! += acc[q]!;
}
