/** The compressed-sensing core: measurement matrices, exact LP recovery, iterative recovery, learned matrices. */
export { type MeasurementMatrix, gaussianMatrix, fourierMatrix, pcaMatrix, lbcsMatrix, matrixFromEncoder, measureRows } from './matrices.js';
export { l1Min, l1MinPos, type LpBatchResult, type LpStatus } from './simplex.js';
export { projectedSubgradient, withPseudoInverse, withTranspose, type SubgradientOperator } from './subgradient.js';
export { recover, recoveryStats, RECOVERY_METHODS, SUBGRADIENT_STEPS, type RecoveryMethod, type RecoveryOptions } from './recover.js';
export { learnMatrix, SENSING_AE_DEFAULTS, type LearnedMatrix, type LearnedMatrixKind, type SensingAeOptions } from './learned.js';
export {
  cosamp, modelCosamp, iht, omp, ista, fista, modelSupport, modelApprox, leastSquaresOnSupport, spectralNormSquared,
  type SparsityModel, type CosampOptions, type LassoOptions,
} from './iterative.js';
