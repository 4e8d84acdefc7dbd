/** The compressed-sensing core: measurement matrices, exact LP recovery, iterative recovery (learned matrices: src/model/learned_matrix.ts). */
export { type MeasurementMatrix, gaussianMatrix, fourierMatrix, pcaMatrix, lbcsMatrix, measureRows } from './matrices.js';
export { l1Min, l1MinPos, type LpBatchResult, type LpStatus } from './simplex.js';
export { projectedSubgradient, withPseudoInverse, withTranspose, type SubgradientOperator } from './subgradient.js';
export { recover, recoveryStats, RECOVERY_METHODS, SUBGRADIENT_STEPS, type MeasurementDecoder, type RecoveryMethod, type RecoveryOptions } from './recover.js';
export { SENSING_AE_DEFAULTS, type SensingAeOptions } from './ae_defaults.js';
export {
  cosamp, modelCosamp, omp, ista, fista, modelSupport, modelApprox, leastSquaresOnSupport,
  type SparsityModel, type CosampOptions, type LassoOptions,
} from './iterative.js';
export { iht, batchIht, type SparseRule, type IhtOptions, type IhtResult } from './iht.js';
