/**
 * SLEEC-style local regressors (Bhatia et al., "Sparse Local Embeddings for Extreme
 * Multi-label Classification", NIPS 2015, §3): cluster the training points by their features
 * (spherical k-means, ./kmeans.ts), fit one ridge regressor per cluster on that cluster's points,
 * and predict a new point with the regressor of its nearest centroid. Each local problem is
 * smaller and its embeddings more homogeneous than the global one.
 */
import { type Csr, selectRows } from '../data/csr.js';
import { type ProgressFn } from '../progress.js';
import { type CentroidRouter, sphericalKMeans, type SphericalKMeans } from './kmeans.js';
import { fitRidge, type RidgeModel, type RidgeOptions } from './ridge.js';
import { InvalidArgumentError } from '../errors.js';

/** Settings of {@link fitLocalRidge}: the ridge settings of every local model plus the clustering. */
export interface LocalRidgeOptions extends RidgeOptions {
  /** Number of clusters (local models), 1 ≤ clusters ≤ number of rows. */
  readonly clusters: number;
  /** Seed of the clustering. */
  readonly seed: number;
  /** k-means iteration limit (default: the k-means default). */
  readonly kmeansMaxIter?: number;
}

/** One ridge regressor per cluster, with the routing. */
export interface LocalRidgeModel {
  /** The clustering (for a fitted model, a {@link SphericalKMeans} with the training assignments). */
  readonly clustering: CentroidRouter;
  /** models[j] serves the rows nearest to centroid j. */
  readonly models: readonly RidgeModel[];
  readonly nFeatures: number;
  readonly dim: number;
  /** The cluster of every row of `x` (fewer columns than the model are fine, more are not). */
  clusterOf(x: Csr): Int32Array;
  /** Outputs (n × dim row-major): each row through its cluster's regressor. */
  predict(x: Csr): Float32Array;
}

/**
 * A local model from its parts (a router and one regressor per centroid), e.g. when loading.
 * @throws InvalidArgumentError when the parts' counts or shapes disagree.
 */
export function localRidgeFromParts(clustering: CentroidRouter, models: readonly RidgeModel[]): LocalRidgeModel {
  if (models.length !== clustering.k) throw new InvalidArgumentError('localRidgeFromParts', `localRidgeFromParts(): expected ${clustering.k} models (one per centroid) but got ${models.length}`);
  const dim = models[0]!.dim, nFeatures = clustering.nFeatures;
  models.forEach((r, j) => {
    if (r.dim !== dim || r.nFeatures !== nFeatures) throw new InvalidArgumentError('localRidgeFromParts', `localRidgeFromParts(): model ${j} maps ${r.nFeatures} features to ${r.dim} but model 0 maps ${nFeatures} to ${dim}`);
  });
  const clusterOf = (x: Csr): Int32Array => clustering.nearestCentroid(x);
  return {
    clustering, models, nFeatures, dim, clusterOf,
    predict(x: Csr): Float32Array {
      const cl = clusterOf(x);
      const out = new Float32Array(x.nRows * dim);
      for (const [j, rows] of groupRows(cl, clustering.k)) {
        const part = models[j]!.predict(selectRows(x, rows));
        rows.forEach((r, t) => out.set(part.subarray(t * dim, (t + 1) * dim), r * dim));
      }
      return out;
    },
  };
}

/** The rows of each non-empty cluster, in increasing order. */
function groupRows(cl: Int32Array, k: number): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (let j = 0; j < k; j++) groups.set(j, []);
  cl.forEach((j, i) => groups.get(j)!.push(i));
  for (const [j, rows] of groups) if (rows.length === 0) groups.delete(j);
  return groups;
}

/**
 * Cluster the rows of `x` and fit one ridge regressor per cluster to the matching rows of `z`
 * (n × m row-major).
 * @param onProgress events of the clustering and of each local fit.
 * @example
 * const local = fitLocalRidge(x, z, 100, { clusters: 4, seed: 1, lambda: 1, solver: 'auto', bias: true });
 * local.predict(xTest); // xTest.nRows × 100
 */
export function fitLocalRidge(x: Csr, z: Float32Array, m: number, opts: LocalRidgeOptions, onProgress?: ProgressFn): LocalRidgeModel & { readonly clustering: SphericalKMeans } {
  if (z.length !== x.nRows * m) throw new InvalidArgumentError('fitLocalRidge', `fitLocalRidge(): expected ${x.nRows} × ${m} = ${x.nRows * m} targets but got ${z.length}`);
  const clustering = sphericalKMeans(x, { k: opts.clusters, seed: opts.seed, ...(opts.kmeansMaxIter !== undefined ? { maxIter: opts.kmeansMaxIter } : {}) }, onProgress);
  const groups = groupRows(clustering.assignments, clustering.k);
  const models: RidgeModel[] = [];
  for (let j = 0; j < clustering.k; j++) {
    // k-means gives every cluster points, except when it stops at maxIter or there are fewer
    // distinct rows than clusters: an empty cluster's model is fitted on all rows.
    const rows = groups.get(j);
    if (!rows) { models.push(fitRidge(x, z, m, opts, onProgress)); continue; }
    const zj = new Float32Array(rows.length * m);
    rows.forEach((r, t) => zj.set(z.subarray(r * m, (r + 1) * m), t * m));
    models.push(fitRidge(selectRows(x, rows), zj, m, opts, onProgress));
  }
  return { ...localRidgeFromParts(clustering, models), clustering };
}
