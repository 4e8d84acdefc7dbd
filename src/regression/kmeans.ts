/**
 * Spherical k-means: k-means under cosine similarity on ℓ2-normalised rows, each centroid the
 * normalised mean direction of its points (Dhillon & Modha, "Concept decompositions for large
 * sparse text data using clustering", Machine Learning 2001), seeded by k-means++ (Arthur &
 * Vassilvitskii, SODA 2007) with D(x)² = ‖x − c‖² = 2(1 − cos(x, c)) for unit vectors.
 * Used to split the training points for SLEEC-style local regressors (Bhatia et al., NIPS 2015).
 *
 * Centroids are dense, k × p float32: the mean of a few hundred tf-idf rows already has most of
 * the vocabulary among its nonzeros, and SLEEC uses few clusters (thousands of points each), so
 * k·p stays small (k = 10 at Wiki10-31K's p = 101,938: 4 MB). Similarities for all rows are one
 * sparse × dense product X·Cᵀ through the native kernel.
 */
import { type Csr, normalizeRowsL2, selectRows, sliceRows } from '../data/csr.js';
import { csrMatDense, csrTMatDense } from '../engine/sparse.js';
import { normalizeDenseRows, transposeDense } from '../linalg/dense.js';
import { type ProgressFn } from '../progress.js';
import { Rng } from '../util/rng.js';
import { reporter } from './report.js';
import { topKRows } from '../ranking/topk.js';
import { InvalidArgumentError } from '../errors.js';

/** Settings of {@link sphericalKMeans}. */
export interface KMeansOptions {
  /** Number of clusters, 1 ≤ k ≤ number of rows. */
  readonly k: number;
  /** Seed of the k-means++ choices: the same seed gives the same clustering. */
  readonly seed: number;
  /** Iteration limit (default {@link KMEANS_DEFAULTS}.maxIter). */
  readonly maxIter?: number;
  /**
   * Rows the seeding and the iterations run on, at most (default {@link KMEANS_DEFAULTS}.sampleRows):
   * with more rows, a seeded uniform sample of this many (at least k) is clustered and every row is
   * then assigned to the nearest of its centroids.
   */
  readonly sampleRows?: number;
}

/**
 * Defaults of the optional {@link KMeansOptions}. sampleRows = 65,536: an iteration costs
 * n·k·(nonzeros per row), and with SLEEC's k ∝ n (a cluster per ~3,000 points) clustering all
 * rows grows as n²: 153 s of the AmazonCat-13K-like set's ¼ (296,560 points, k = 98), and ~16×
 * that for the whole set. k-means on a uniform sample, then one pass assigning every row, is the
 * classic remedy (CLARA, Kaufman & Rousseeuw, "Finding Groups in Data", 1990, ch. 3; Bradley &
 * Fayyad, "Refining initial points for k-means clustering", ICML 1998); at 65,536 rows a sample
 * still holds ≥ 160 points per cluster up to k = 400. Sets of up to 65,536 points cluster as before.
 */
export const KMEANS_DEFAULTS = Object.freeze({ maxIter: 50, sampleRows: 65536 } as const);

/** Rows per block of the routing products (a block's n × k similarities are held at once). */
const ROUTE_BLOCK = 1 << 15;

/** Centroids and the routing of rows to them. */
export interface CentroidRouter {
  /** Number of centroids. */
  readonly k: number;
  /** Feature columns of every centroid. */
  readonly nFeatures: number;
  /** k × p row-major, unit rows (a cluster of all-zero rows has a zero centroid). */
  readonly centroids: Float32Array;
  /**
   * The index of the most cosine-similar centroid for every row of `x` (ties: the lowest index;
   * all-zero rows go to 0). x may have fewer columns than `nFeatures`, not more.
   * @throws InvalidArgumentError when x has more columns than the centroids.
   */
  nearestCentroid(x: Csr): Int32Array;
  /**
   * The `r` most cosine-similar centroids of every row of `x`, best first (ties: the lower index),
   * with the cosine similarities (0 for an all-zero row): n × r each. r is clipped to k.
   * @throws InvalidArgumentError when x has more columns than the centroids, or r < 1.
   */
  nearestCentroids(x: Csr, r: number): {
    /** Centroids per row (r clipped to k). */
    readonly r: number;
    /** n × r centroid ids, best first. */
    readonly ids: Int32Array;
    /** n × r cosine similarities. */
    readonly sims: Float32Array;
  };
}

/** A fitted clustering of the training rows. */
export interface SphericalKMeans extends CentroidRouter {
  /** The training rows' clusters: always `nearestCentroid(x)` of the returned centroids. */
  readonly assignments: Int32Array;
  readonly iterations: number;
  /** The assignments stopped changing (so each centroid is also its points' mean direction); with a sample (`sampleRows`), the sample's. */
  readonly converged: boolean;
}

/** Row-wise argmax of an n × k array (first index on ties). */
function argmaxRows(s: Float32Array, n: number, k: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0, bv = s[i * k]!;
    for (let j = 1; j < k; j++) { const t = s[i * k + j]!; if (t > bv) { bv = t; best = j; } }
    out[i] = best;
  }
  return out;
}

/**
 * A router over given centroids (k × p), e.g. read back from a saved model.
 * @example kmeansRouter(Float32Array.from([1, 0, 0, 1]), 2, 2).nearestCentroid(x)
 */
export function kmeansRouter(centroids: Float32Array, k: number, nFeatures: number): CentroidRouter {
  if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError('kmeansRouter', `kmeansRouter(): k must be a positive integer but got ${k}`);
  if (centroids.length !== k * nFeatures) throw new InvalidArgumentError('kmeansRouter', `kmeansRouter(): expected ${k} × ${nFeatures} centroid entries but got ${centroids.length}`);
  const ct = transposeDense(centroids, k, nFeatures);
  return {
    k, nFeatures, centroids,
    nearestCentroid(x: Csr): Int32Array {
      if (x.nCols > nFeatures) throw new InvalidArgumentError('nearestCentroid', `nearestCentroid(): the rows have ${x.nCols} features but the centroids have ${nFeatures}`);
      // The row norms do not change the argmax: no need to normalise. Blocks of rows bound the
      // similarities held at once (n × k: 1.9 GB for 1.2M points and k = 395).
      const out = new Int32Array(x.nRows), xw = { ...x, nCols: nFeatures };
      for (let s = 0; s < x.nRows; s += ROUTE_BLOCK) {
        const e = Math.min(x.nRows, s + ROUTE_BLOCK);
        out.set(argmaxRows(csrMatDense(sliceRows(xw, s, e), ct, k), e - s, k), s);
      }
      return out;
    },
    nearestCentroids(x: Csr, r: number) {
      if (x.nCols > nFeatures) throw new InvalidArgumentError('nearestCentroids', `nearestCentroids(): the rows have ${x.nCols} features but the centroids have ${nFeatures}`);
      if (!Number.isInteger(r) || r < 1) throw new InvalidArgumentError('nearestCentroids', `nearestCentroids(): r must be a positive integer but got ${r}`);
      const width = Math.min(r, k);
      const top = topKRows(csrMatDense(normalizeRowsL2({ ...x, nCols: nFeatures }), ct, k), x.nRows, k, width);
      return { r: width, ids: top.labels, sims: top.scores };
    },
  };
}

/** k-means++ seeding: row indices of the k initial centroids (rows of the normalised `xn`). */
function seedRows(xn: Csr, k: number, rng: Rng): number[] {
  const n = xn.nRows;
  const nonzero = (i: number): boolean => xn.rowPtr[i + 1]! > xn.rowPtr[i]!;
  // D² to the nearest chosen centre, 1 − cos up to the factor 2; all-zero rows are never chosen.
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) dist[i] = nonzero(i) ? 1 : 0;
  const chosen: number[] = [];
  const taken = new Uint8Array(n);
  for (let c = 0; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += dist[i]!;
    let pick = -1;
    if (total > 0) {
      let u = rng.next() * total;
      for (let i = 0; i < n && pick < 0; i++) { u -= dist[i]!; if (u < 0 && dist[i]! > 0) pick = i; }
      if (pick < 0) for (let i = n - 1; i >= 0 && pick < 0; i--) if (dist[i]! > 0) pick = i; // u at the rounding edge
    } else {
      // Fewer distinct directions than k: any row not yet chosen (an empty cluster is fixed later).
      let r = rng.int(n - c);
      for (let i = 0; i < n && pick < 0; i++) if (!taken[i] && r-- === 0) pick = i;
    }
    chosen.push(pick);
    taken[pick] = 1;
    const e = new Float32Array(xn.nCols);
    for (let q = xn.rowPtr[pick]!; q < xn.rowPtr[pick + 1]!; q++) e[xn.indices[q]!] = xn.values[q]!;
    const sim = csrMatDense(xn, e, 1);
    for (let i = 0; i < n; i++) dist[i] = Math.min(dist[i]!, Math.max(0, 1 - sim[i]!));
    dist[pick] = 0;
  }
  return chosen;
}

/**
 * Give every empty cluster one point: the point least similar to its own centroid among clusters
 * with more than one point (deterministic). Returns a copy of `a`.
 */
function fillEmpty(a: Int32Array, sim: Float32Array, k: number): Int32Array {
  const out = Int32Array.from(a);
  const size = new Int32Array(k);
  for (const c of out) size[c]!++;
  for (let j = 0; j < k; j++) {
    if (size[j]! > 0) continue;
    let worst = -1, wv = Infinity;
    for (let i = 0; i < out.length; i++) {
      const c = out[i]!, s = sim[i * k + c]!;
      if (size[c]! > 1 && s < wv) { wv = s; worst = i; }
    }
    if (worst < 0) break; // k > n cannot happen (checked); nothing left to move
    size[out[worst]!]!--; out[worst] = j; size[j] = 1;
  }
  return out;
}

/** Normalised mean direction of each cluster's rows: k × p. */
function centroidsOf(xn: Csr, a: Int32Array, k: number): Float32Array {
  const onehot = new Float32Array(xn.nRows * k);
  for (let i = 0; i < xn.nRows; i++) onehot[i * k + a[i]!] = 1;
  const sums = csrTMatDense(xn, onehot, k); // p × k
  return normalizeDenseRows(transposeDense(sums, xn.nCols, k), k, xn.nCols);
}

/**
 * Cluster the rows of `x` (n × p) by spherical k-means. Rows are ℓ2-normalised first (a copy).
 * Each iteration: give empty clusters a point, recompute the centroids as mean directions, then
 * reassign every row to its most similar centroid; stop when the assignments repeat.
 * @param onProgress `start` / `progress` (iterations) / `done` events.
 * @throws InvalidArgumentError unless 1 ≤ k ≤ n.
 * @example
 * const km = sphericalKMeans(x, { k: 4, seed: 1 });
 * km.assignments; // cluster of each training row
 * km.nearestCentroid(xTest); // routing of new rows
 */
export function sphericalKMeans(x: Csr, opts: KMeansOptions, onProgress?: ProgressFn): SphericalKMeans {
  const { k, seed } = opts;
  const maxIter = opts.maxIter ?? KMEANS_DEFAULTS.maxIter;
  if (!Number.isInteger(k) || k < 1 || k > x.nRows) throw new InvalidArgumentError('sphericalKMeans', `sphericalKMeans(): k must be an integer in [1, ${x.nRows}] (the number of rows) but got ${k}`);
  if (!Number.isInteger(maxIter) || maxIter < 0) throw new InvalidArgumentError('sphericalKMeans', `sphericalKMeans(): maxIter must be a non-negative integer but got ${maxIter}`);
  const sampleRows = opts.sampleRows ?? KMEANS_DEFAULTS.sampleRows;
  if (!(sampleRows >= 1)) throw new InvalidArgumentError('sphericalKMeans', `sphericalKMeans(): sampleRows must be at least 1 but got ${sampleRows}`);
  const n = x.nRows, p = x.nCols;
  if (n > Math.max(k, sampleRows)) {
    // Cluster a seeded uniform sample (rows kept in their order), then route every row.
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const rng = new Rng(seed ^ 0x5bd1e995);
    const size = Math.max(k, Math.floor(sampleRows));
    for (let i = 0; i < size; i++) { const j = i + rng.int(n - i); const t = order[i]!; order[i] = order[j]!; order[j] = t; }
    const fit = sphericalKMeans(selectRows(x, order.subarray(0, size).sort()), { k, seed, maxIter, sampleRows: Infinity }, onProgress);
    return { ...kmeansRouter(fit.centroids, k, p), assignments: fit.nearestCentroid(x), iterations: fit.iterations, converged: fit.converged };
  }
  const rep = reporter(onProgress, `spherical k-means (k = ${k})`, maxIter);
  const xn = normalizeRowsL2(x);
  const rows = seedRows(xn, k, new Rng(seed));
  let c: Float32Array = new Float32Array(k * p);
  rows.forEach((r, j) => { for (let q = xn.rowPtr[r]!; q < xn.rowPtr[r + 1]!; q++) c[j * p + xn.indices[q]!] = xn.values[q]!; });
  let sim = csrMatDense(xn, transposeDense(c, k, p), k);
  let a = argmaxRows(sim, n, k);
  let it = 0, converged = false;
  while (it < maxIter) {
    const filled = fillEmpty(a, sim, k);
    const next = centroidsOf(xn, filled, k);
    const nextSim = csrMatDense(xn, transposeDense(next, k, p), k);
    const nextA = argmaxRows(nextSim, n, k);
    it++;
    rep.tick(it);
    c = next; sim = nextSim;
    const same = nextA.every((t, i) => t === filled[i]);
    a = nextA;
    if (same) { converged = true; break; }
  }
  rep.end(`${it} iterations${converged ? '' : ' (not converged)'}`);
  return { ...kmeansRouter(c, k, p), assignments: a, iterations: it, converged };
}
