import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { type Csr } from './csr.js';
import { type DataFormat } from './parser.js';
import { writeAtomic } from '../util/atomic.js';
import { InvalidArgumentError } from '../errors.js';

/** Options of {@link writeDataset}. */
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

// Exact powers of ten as doubles: 10^0 .. 10^22 are all exactly representable.
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/**
 * The shortest decimal that reads back as the same float32 (values are stored as float32,
 * so 0.1f prints as `0.1`, not 0.10000000149011612): the smallest precision p in 1..9 whose
 * p-digit rounding of `v` parses back to `v` (9 digits always suffice for float32).
 *
 * Fast path: for p = 1, 2, … take m = round(|v| / 10^k), k = e − p + 1 (e the decimal
 * exponent of v), and the candidate m·10^k computed with one exact power of ten (≤ 10^22),
 * which is the correctly rounded double of that decimal (Clinger 1990); `String` of that
 * double prints exactly the digits of m. Values whose k falls outside ±22 go through
 * `toPrecision`.
 */
export function formatFloat32(v: number): string {
  // Below 2^24 every integer is a float32 and neighbours are ≤ 1 apart: all its digits are needed.
  if (Number.isInteger(v) && Math.abs(v) < 16777216) return Object.is(v, -0) ? '-0' : String(v);
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  let e = Math.floor(Math.log10(a));
  // log10 may be off by one next to powers of ten.
  if (Math.pow(10, e) > a) e--;
  else if (Math.pow(10, e + 1) <= a) e++;
  for (let p = 1; p <= 9; p++) {
    const k = e - p + 1;
    if (k < -22 || k > 22) return slowFormatFloat32(v, p);
    const m = Math.round(k >= 0 ? a / POW10[k]! : a * POW10[-k]!);
    const c = k >= 0 ? m * POW10[k]! : m / POW10[-k]!;
    if (Math.fround(c) === a) return String(v < 0 ? -c : c);
  }
  return slowFormatFloat32(v, 1);
}

/** {@link formatFloat32} by `toPrecision`, trying precisions from `from` up to 9. */
function slowFormatFloat32(v: number, from: number): string {
  for (let p = from; p < 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(Number(v.toPrecision(9)));
}

function checkShapes(data: { features: Csr; labels: Csr }): void {
  if (data.features.nRows !== data.labels.nRows) {
    throw new InvalidArgumentError('writeDataset', `writeDataset(): features have ${data.features.nRows} rows but labels have ${data.labels.nRows}`);
  }
}

/** A column id the file could not be read back with (out of range or not increasing): refuse to write it. */
function badEntry(what: string, m: Csr, row: number, p: number, prev: number): never {
  const c = m.indices[p]!;
  const why = c < 0 || c >= m.nCols ? `out of range [0, ${m.nCols})` : `not greater than the previous id ${prev}`;
  throw new InvalidArgumentError('writeDataset', `writeDataset(): ${what} id ${c} in row ${row} is ${why}`);
}

/**
 * Yields the file's text in pieces of about 64 KB. Checks every entry as it goes (ids in
 * range and strictly increasing, values finite) so that what is written reads back.
 */
function* pieces(data: { features: Csr; labels: Csr }, options: Omit<WriteOptions, 'gzip'>): Generator<string> {
  checkShapes(data);
  const format = options.format ?? 'bow';
  if (format !== 'bow' && format !== 'libsvm') throw new InvalidArgumentError('writeDataset', `writeDataset(): format must be bow or libsvm but got ${String(format)}`);
  const bow = format === 'bow';
  const fBase = bow ? 0 : options.featureBase ?? 1;
  const lBase = bow ? 0 : options.labelBase ?? 0;
  for (const [name, v] of [['featureBase', fBase], ['labelBase', lBase]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new InvalidArgumentError('writeDataset', `writeDataset(): '${name}' must be a non-negative integer but got ${v}`);
  }
  const { features: X, labels: Y } = data;
  let text = bow ? `${X.nRows} ${X.nCols} ${Y.nCols}\n` : '';
  for (let i = 0; i < X.nRows; i++) {
    let line = '';
    let prev = -1;
    for (let p = Y.rowPtr[i]!, e = Y.rowPtr[i + 1]!; p < e; p++) {
      const c = Y.indices[p]!;
      if (!(c > prev && c < Y.nCols)) badEntry('label', Y, i, p, prev);
      line += p === Y.rowPtr[i] ? `${c + lBase}` : `,${c + lBase}`;
      prev = c;
    }
    // A point without labels starts with the separating space (both formats); a point with
    // neither labels nor features is a line holding one space.
    if (line === '') line = ' ';
    prev = -1;
    for (let p = X.rowPtr[i]!, e = X.rowPtr[i + 1]!; p < e; p++) {
      const c = X.indices[p]!, v = X.values[p]!;
      if (!(c > prev && c < X.nCols)) badEntry('feature', X, i, p, prev);
      if (!Number.isFinite(v)) throw new InvalidArgumentError('writeDataset', `writeDataset(): feature ${c} of row ${i} has the non-finite value ${v}`);
      line += line === ' ' ? `${c + fBase}:${formatFloat32(v)}` : ` ${c + fBase}:${formatFloat32(v)}`;
      prev = c;
    }
    text += line + '\n';
    if (text.length >= 1 << 16) { yield text; text = ''; }
  }
  if (text.length > 0) yield text;
}

/**
 * The dataset as text, in the BoW format (default) or the LIBSVM format: for small data and
 * tests (files: {@link writeDataset}).
 * @throws InvalidArgumentError if the matrices disagree in rows or hold ids or values a reader would reject.
 */
export function formatDataset(data: { features: Csr; labels: Csr }, options: Omit<WriteOptions, 'gzip'> = {}): string {
  return [...pieces(data, options)].join('');
}

/**
 * Write a dataset file (BoW by default, LIBSVM on request; gzip-compressed when `gzip` or a
 * `.gz` path), atomically: the text goes to a temporary sibling which is renamed over `path`
 * only when complete; on any failure the temporary file is removed, so `path` is never left
 * partial (an existing `path` stays as it was). An existing symbolic link, device or FIFO is
 * written through in place.
 * @throws InvalidArgumentError if the matrices disagree in rows or hold ids or values a reader would
 *   reject (found while writing: the temporary file is removed); file system errors as is.
 */
export async function writeDataset(path: string, data: { features: Csr; labels: Csr }, options: WriteOptions = {}): Promise<void> {
  checkShapes(data);
  const gzip = options.gzip ?? path.endsWith('.gz');
  await writeAtomic(path, async (file) => {
    const source = Readable.from(pieces(data, options), { objectMode: false, encoding: 'utf8' });
    const out = createWriteStream(file, { highWaterMark: 1 << 20 });
    if (gzip) await pipeline(source, createGzip(), out);
    else await pipeline(source, out);
  });
}
