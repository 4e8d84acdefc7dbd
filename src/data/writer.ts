import { createWriteStream, promises as fs } from 'node:fs';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { type Csr } from './csr.js';
import { type DataFormat } from './parser.js';
import { tempSibling } from '../util/atomic.js';

/** Options of {@link writeDataset} and {@link formatDataset}. */
export interface WriteOptions {
  /** Default `bow` (with the `N D L` header). */
  format?: DataFormat;
  /** LIBSVM only: id written for the first feature (default 1). */
  featureBase?: number;
  /** LIBSVM only: id written for the first label (default 0). */
  labelBase?: number;
  /** Compress with gzip; default: the path ends with `.gz`. */
  gzip?: boolean;
}

/**
 * The shortest decimal that reads back as the same float32 (values are stored as float32,
 * so 0.1f prints as `0.1`, not 0.10000000149011612).
 */
export function formatFloat32(v: number): string {
  // Below 2^24 every integer is a float32 and neighbours are ≤ 1 apart: all its digits are needed.
  if (Number.isInteger(v) && Math.abs(v) < 16777216) return String(v);
  for (let p = 1; p < 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(Number(v.toPrecision(9)));
}

function checkShapes(data: { features: Csr; labels: Csr }): void {
  if (data.features.nRows !== data.labels.nRows) {
    throw new RangeError(`writeDataset(): features have ${data.features.nRows} rows but labels have ${data.labels.nRows}`);
  }
}

/** Yields the file's text in pieces of a few hundred rows. */
function* lines(data: { features: Csr; labels: Csr }, options: Omit<WriteOptions, 'gzip'>): Generator<string> {
  checkShapes(data);
  const bow = (options.format ?? 'bow') === 'bow';
  const fBase = bow ? 0 : options.featureBase ?? 1;
  const lBase = bow ? 0 : options.labelBase ?? 0;
  const { features: X, labels: Y } = data;
  if (bow) yield `${X.nRows} ${X.nCols} ${Y.nCols}\n`;
  let piece: string[] = [];
  for (let i = 0; i < X.nRows; i++) {
    const labels: string[] = [];
    for (let p = Y.rowPtr[i]!; p < Y.rowPtr[i + 1]!; p++) labels.push(String(Y.indices[p]! + lBase));
    let line = labels.join(',');
    for (let p = X.rowPtr[i]!; p < X.rowPtr[i + 1]!; p++) line += ` ${X.indices[p]! + fBase}:${formatFloat32(X.values[p]!)}`;
    // A point with neither labels nor features is a line holding one space.
    if (line === '') line = ' ';
    piece.push(line);
    if (piece.length === 512) { yield piece.join('\n') + '\n'; piece = []; }
  }
  if (piece.length) yield piece.join('\n') + '\n';
}

/** The dataset as text (small data and tests; files: {@link writeDataset}). */
export function formatDataset(data: { features: Csr; labels: Csr }, options: Omit<WriteOptions, 'gzip'> = {}): string {
  return [...lines(data, options)].join('');
}

/**
 * Write a dataset file, atomically: to a temporary sibling first, renamed into place when
 * complete, so a failure never leaves a partial file under `path`.
 */
export async function writeDataset(path: string, data: { features: Csr; labels: Csr }, options: WriteOptions = {}): Promise<void> {
  checkShapes(data);
  const gzip = options.gzip ?? path.endsWith('.gz');
  const tmp = tempSibling(path);
  try {
    const file = createWriteStream(tmp);
    const out = gzip ? createGzip() : file;
    if (gzip) out.pipe(file);
    for (const text of lines(data, options)) {
      if (!out.write(text)) await new Promise<void>((resolve, reject) => { out.once('drain', resolve); file.once('error', reject); });
    }
    out.end();
    await finished(file);
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}
