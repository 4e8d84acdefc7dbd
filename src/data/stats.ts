import { type Csr, nnz } from './csr.js';

/** Summary statistics of a multi-label dataset, as the Extreme Classification Repository tabulates them. */
export interface DatasetStats {
  /** Number of points (rows). */
  points: number;
  /** Feature dimension D. */
  features: number;
  /** Label dimension L. */
  labels: number;
  /** Average number of labels per point. */
  labelsPerPoint: number;
  /** Average number of points per label, over all L labels. */
  pointsPerLabel: number;
  /** Average number of nonzero features per point. */
  nnzPerPoint: number;
}

/** Statistics of `features` (n×D) and `labels` (n×L). */
export function datasetStats(data: { features: Csr; labels: Csr }): DatasetStats {
  const n = data.features.nRows;
  const labelNnz = nnz(data.labels);
  return {
    points: n,
    features: data.features.nCols,
    labels: data.labels.nCols,
    labelsPerPoint: n > 0 ? labelNnz / n : 0,
    pointsPerLabel: data.labels.nCols > 0 ? labelNnz / data.labels.nCols : 0,
    nnzPerPoint: n > 0 ? nnz(data.features) / n : 0,
  };
}
