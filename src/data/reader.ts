import { createReadStream, promises as fs } from 'node:fs';
import { createGunzip, gunzipSync } from 'node:zlib';
import { XmlcError } from '../errors.js';
import { type Dataset, DatasetParser, type ParseOptions } from './parser.js';

/** Options of {@link readDataset}: the parse options plus a progress callback. */
export interface ReadOptions extends ParseOptions {
  /** Called with the raw (possibly compressed) bytes read so far and the file size, every 4 MiB and at the end. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

const CHUNK = 4 << 20;
/** Bytes parsed before the parser is told the expected total size. */
const HINT_AFTER = 1 << 20;

/**
 * Read a multi-label dataset file in the Extreme Classification Repository BoW format or the
 * LIBSVM multi-label format (detected from the first line unless `format` says), gzip-
 * compressed or not (detected from the magic bytes). Streams the file in 4 MiB chunks into
 * typed buffers; memory stays near the size of the resulting CSR arrays.
 * @throws DataFormatError naming the file and line for malformed input; XmlcError if the
 *   file cannot be read.
 */
export async function readDataset(path: string, options: ReadOptions = {}): Promise<Dataset> {
  let size: number;
  let gz = false;
  try {
    const st = await fs.stat(path);
    if (st.isDirectory()) throw new XmlcError(`cannot read ${path}: it is a directory, expected a data file`);
    size = st.size;
    const fh = await fs.open(path, 'r');
    try {
      const head = Buffer.alloc(2);
      const { bytesRead } = await fh.read(head, 0, 2, 0);
      gz = bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (e instanceof XmlcError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new XmlcError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  }
  const { onProgress, ...parseOptions } = options;
  const parser = new DatasetParser(path, parseOptions);
  // Small files get a read buffer of their size, not 4 MiB.
  const raw = createReadStream(path, { highWaterMark: Math.max(1 << 16, Math.min(CHUNK, size + 1)) });
  let bytesRead = 0, lastReport = 0;
  raw.on('data', (c) => {
    bytesRead += c.length;
    if (onProgress && (bytesRead - lastReport >= CHUNK || bytesRead === size)) { lastReport = bytesRead; onProgress(bytesRead, size); }
  });
  const gunzip = gz ? createGunzip({ chunkSize: 1 << 20 }) : undefined;
  const stream = gunzip ? raw.pipe(gunzip) : raw;
  if (gunzip) raw.on('error', (e) => gunzip.destroy(e));
  let fed = 0, hinted = false;
  try {
    for await (const c of stream) {
      let chunk = c as Buffer;
      if (!hinted) {
        // Once 1 MiB is parsed, extrapolate to the whole file so that the output buffers are
        // allocated about once (gzip: scale by the compressed bytes the inflater consumed).
        const head = Math.min(chunk.length, HINT_AFTER - fed);
        parser.feed(chunk.subarray(0, head));
        fed += head;
        chunk = chunk.subarray(head);
        if (fed >= HINT_AFTER) {
          hinted = true;
          const consumed = gunzip ? gunzip.bytesWritten : fed;
          if (consumed > 0 && consumed < size) parser.sizeHint((fed * size) / consumed);
        }
      }
      parser.feed(chunk);
      fed += chunk.length;
    }
  } catch (e) {
    raw.destroy();
    if (e instanceof XmlcError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') throw new XmlcError(`cannot read ${path}: corrupt gzip data (${(e as Error).message})`);
    throw new XmlcError(`cannot read ${path}: ${(e as Error).message}`);
  }
  return parser.finish();
}

/**
 * Parse a dataset held in memory with the same parser and errors as {@link readDataset}
 * (gzip bytes, recognized by their magic number, are inflated first); `source` names it in
 * error messages.
 */
export function parseDataset(data: string | Uint8Array, source: string, options: ParseOptions = {}): Dataset {
  const parser = new DatasetParser(source, options);
  let bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new XmlcError(`cannot read ${source}: corrupt gzip data (${(e as Error).message})`);
    }
  }
  parser.feed(bytes);
  return parser.finish();
}
