import { type Csr } from '../data/csr.js';
import { InvalidArgumentError, ModelFormatError } from '../errors.js';
import { type Manifest, modelFilePath, type ModelWriter, readModelFile } from './io.js';

/**
 * The feature columns a model works in: those that occur in its training data, in order.
 *
 * A data file's header may declare far more features than occur (a 25-byte file can declare
 * 2^25); a model sized by the declared count would allocate, index and save dense vectors of
 * that width. Columns absent from every training row cannot change a model's output: they add
 * nothing to a dot product with a training point, and ridge regression gives them zero weight
 * (their row of XᵀX + λI is λ·e_j and of XᵀZ zero). So the models keep only the occurring
 * columns, renumbered 0…dim−1 in increasing order (the order of a row's indices is kept), and
 * a test row is first ℓ2-normalised over all its features, then its unseen columns dropped.
 * Everything here is sized by the number of nonzeros, never by the declared count.
 */
export class FeatureSpace {
  private constructor(
    /** Features the training data declared: test data may not have more. */
    readonly nFeatures: number,
    /** The occurring columns, increasing; `null` when every declared column occurs (the identity). */
    readonly columns: Int32Array | null,
  ) {}

  /** Columns the model works in. */
  get dim(): number { return this.columns ? this.columns.length : this.nFeatures; }

  /** Every declared column kept (models trained before column maps existed). */
  static identity(nFeatures: number): FeatureSpace { return new FeatureSpace(nFeatures, null); }

  /** The space of the given (increasing, in-range: the caller checks) columns of `nFeatures`. */
  static withColumns(nFeatures: number, columns: Int32Array): FeatureSpace {
    return new FeatureSpace(nFeatures, columns.length === nFeatures ? null : columns);
  }

  /** The columns that occur in `x` (memory and time O(nnz log nnz), whatever `x.nCols` says). */
  static fromTraining(x: Csr): FeatureSpace {
    const sorted = x.indices.slice(0, x.rowPtr[x.nRows]!).sort();
    let u = 0;
    for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[u++] = sorted[i]!;
    return FeatureSpace.withColumns(x.nCols, sorted.slice(0, u));
  }

  /**
   * `x` (at most {@link nFeatures} columns) with its columns renumbered into this space and the
   * columns outside it dropped; values are unchanged (normalise before, over all features).
   */
  project(x: Csr): Csr {
    if (x.nCols > this.nFeatures) throw new InvalidArgumentError('FeatureSpace.project', `FeatureSpace.project(): the rows have ${x.nCols} features but the space was declared with ${this.nFeatures}`);
    const cols = this.columns;
    if (!cols) return { ...x, nCols: this.nFeatures };
    const n = x.nRows, nz = x.rowPtr[n]!;
    const rowPtr = new Int32Array(n + 1), idx = new Int32Array(nz), val = new Float32Array(nz);
    let q = 0;
    for (let i = 0; i < n; i++) {
      for (let p = x.rowPtr[i]!, e = x.rowPtr[i + 1]!; p < e; p++) {
        const c = indexOf(cols, x.indices[p]!);
        if (c >= 0) { idx[q] = c; val[q++] = x.values[p]!; }
      }
      rowPtr[i + 1] = q;
    }
    return { nRows: n, nCols: cols.length, rowPtr, indices: idx.slice(0, q), values: val.slice(0, q) };
  }
}

/** Position of `v` in the increasing array `a`, or −1. */
function indexOf(a: Int32Array, v: number): number {
  let lo = 0, hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1, x = a[mid]!;
    if (x === v) return mid;
    if (x < v) lo = mid + 1; else hi = mid - 1;
  }
  return -1;
}

/** File of a model directory holding the column map (absent: the identity). */
const COLUMNS_FILE = 'feature_columns.i32';

/** Record `space`'s column map in a model being written (nothing for the identity). */
export async function saveFeatureSpace(w: ModelWriter, space: FeatureSpace): Promise<void> {
  if (space.columns) await w.writeBytes(COLUMNS_FILE, new Uint8Array(space.columns.buffer, space.columns.byteOffset, space.columns.byteLength));
}

/** The feature space of a saved model: its column map if it has one, else all `nFeatures` columns. */
export async function loadFeatureSpace(dir: string, manifest: Manifest): Promise<FeatureSpace> {
  const { nFeatures } = manifest.data;
  if (!manifest.files.has(COLUMNS_FILE)) return FeatureSpace.identity(nFeatures);
  const file = modelFilePath(dir, manifest, COLUMNS_FILE);
  const bytes = await readModelFile(dir, manifest, COLUMNS_FILE);
  if (bytes.length % 4 !== 0) throw new ModelFormatError(`${file}: expected int32 column ids but found ${bytes.length} bytes`);
  const cols = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  for (let i = 0; i < cols.length; i++) {
    if (!(cols[i]! >= 0 && cols[i]! < nFeatures && (i === 0 || cols[i]! > cols[i - 1]!))) {
      throw new ModelFormatError(`${file}: column ids must increase within [0, ${nFeatures}) but entry ${i} is ${cols[i]}`);
    }
  }
  return FeatureSpace.withColumns(nFeatures, cols);
}
