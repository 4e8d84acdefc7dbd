import { createReadStream, promises as fs } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { XmlcError } from '../errors.js';
import { type Dataset, DatasetParser, type ParseOptions } from './parser.js';

/** Options of {@link readDataset}. */
export interface ReadOptions extends ParseOptions {
  /** Called with raw (possibly compressed) bytes read so far and the file size, every few MB. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

const CHUNK = 4 << 20;

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
  const raw = createReadStream(path, { highWaterMark: CHUNK });
  let bytesRead = 0, lastReport = 0;
  raw.on('data', (c) => {
    bytesRead += c.length;
    if (onProgress && (bytesRead - lastReport >= CHUNK || bytesRead === size)) { lastReport = bytesRead; onProgress(bytesRead, size); }
  });
  const stream = gz ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
  if (gz) raw.on('error', (e) => stream.destroy(e));
  try {
    for await (const chunk of stream) parser.feed(chunk as Buffer);
  } catch (e) {
    raw.destroy();
    if (e instanceof XmlcError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') throw new XmlcError(`cannot read ${path}: corrupt gzip data (${(e as Error).message})`);
    throw new XmlcError(`cannot read ${path}: ${(e as Error).message}`);
  }
  return parser.finish();
}

/** Parse a dataset held in memory; `source` names it in error messages. */
export function parseDataset(data: string | Uint8Array, source: string, options: ParseOptions = {}): Dataset {
  const parser = new DatasetParser(source, options);
  parser.feed(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  return parser.finish();
}
