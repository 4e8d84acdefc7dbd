/**
 * Stage 2 of the XMC pipeline: regressors from sparse features to label embeddings (ridge
 * regression by Cholesky or CG, spherical k-means, SLEEC-style local ridge models).
 */
export {
  CHOLESKY_MAX_FEATURES, chooseSolver, DUAL_MAX_POINTS, fitRidge, RIDGE_DEFAULTS, ridgeFromWeights,
  type RidgeInfo, type RidgeModel, type RidgeOptions,
} from './ridge.js';
export {
  type CentroidRouter, KMEANS_DEFAULTS, type KMeansOptions, kmeansRouter, sphericalKMeans, type SphericalKMeans,
} from './kmeans.js';
export { fitLocalRidge, localRidgeFromParts, type LocalRidgeModel, type LocalRidgeOptions } from './local_ridge.js';
export { gram } from './gram.js';
export { dualRidge } from './dual.js';
