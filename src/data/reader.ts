import { type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip, type Gunzip, gunzipSync } from 'node:zlib';
import { XmlcError } from '../errors.js';
import { openRegularFile } from './file.js';
import { type Dataset, DatasetParser, type ParseOptions } from './parser.js';

/** Options of {@link readDataset}: the parse options plus a progress callback. */
export interface ReadOptions extends ParseOptions {
  /**
   * Called with the raw (possibly compressed) bytes read so far and the file size, every 4 MiB
   * and at the end ({@link readDataset} only: a stream's size is unknown).
   */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

const CHUNK = 4 << 20;
/** Bytes parsed before the parser is told the expected total size. */
const HINT_AFTER = 1 << 20;
const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Read a multi-label dataset file in the Extreme Classification Repository BoW format or the
 * LIBSVM multi-label format (detected from the first line unless `format` says), gzip-
 * compressed or not (detected from the magic bytes). Streams the file in 4 MiB chunks into
 * typed buffers; memory stays near the size of the resulting CSR arrays (nothing is sized by
 * a header's counts). Only regular files are read (for standard input or any other stream,
 * use {@link readDatasetStream}).
 * @throws DataFormatError naming the file and line for malformed input; XmlcError if the
 *   file cannot be read or is not a regular file (a directory, device, FIFO or socket).
 */
export async function readDataset(path: string, options: ReadOptions = {}): Promise<Dataset> {
  const fh = await openRegularFile(path, 'data file');
  try {
    const size = (await fh.stat()).size;
    // Small files get a read buffer of their size, not 4 MiB.
    return await parseChunks(fileChunks(fh, Math.max(1 << 16, Math.min(CHUNK, size + 1))), path, size, options);
  } finally {
    await fh.close();
  }
}

/**
 * Read a dataset from a stream of bytes (standard input, a network body, …) with the same
 * parser, gzip detection and errors as {@link readDataset}; `source` names it in error
 * messages (e.g. `<stdin>`). The stream is consumed to its end, or destroyed on an error.
 */
export async function readDatasetStream(input: AsyncIterable<Uint8Array>, source: string, options: ParseOptions = {}): Promise<Dataset> {
  return parseChunks(input, source, undefined, options);
}

/** The file's bytes in chunks of `size` (a fresh buffer each: the parser and gunzip may keep them). */
export async function* fileChunks(fh: FileHandle, size: number): AsyncGenerator<Uint8Array> {
  for (;;) {
    const buf = Buffer.allocUnsafe(size);
    const { bytesRead } = await fh.read(buf, 0, size, null);
    if (bytesRead === 0) return;
    yield buf.subarray(0, bytesRead);
  }
}

/**
 * The first bytes of `input` (at least `n` unless it ends sooner) and all of its bytes again,
 * from the start, as one iterable.
 */
async function peek(input: AsyncIterable<Uint8Array>, n: number): Promise<{ head: Uint8Array; all: AsyncIterable<Uint8Array> }> {
  const it = input[Symbol.asyncIterator]();
  const first: Uint8Array[] = [];
  let have = 0;
  while (have < n) {
    const r = await it.next();
    if (r.done) break;
    first.push(r.value);
    have += r.value.length;
  }
  async function* all(): AsyncGenerator<Uint8Array> {
    try {
      yield* first;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    } finally {
      await it.return?.();
    }
  }
  return { head: Buffer.concat(first), all: all() };
}

/** Parse `input` (gzip-compressed or not), `size` its length in bytes if known. */
async function parseChunks(input: AsyncIterable<Uint8Array>, source: string, size: number | undefined, options: ReadOptions): Promise<Dataset> {
  const { onProgress, ...parseOptions } = options;
  const parser = new DatasetParser(source, parseOptions);
  let bytesRead = 0, lastReport = 0;
  const tap = (c: Uint8Array): void => {
    bytesRead += c.length;
    if (onProgress && size !== undefined && (bytesRead - lastReport >= CHUNK || bytesRead === size)) { lastReport = bytesRead; onProgress(bytesRead, size); }
  };
  await consumeDecompressed(input, source, (text, gunzip) => feedAll(parser, text, size, gunzip), tap);
  return parser.finish();
}

/**
 * Hand the bytes of `input` to `consume`, inflated first when they start with gzip's magic number
 * (`gunzip` is then the inflater, for its byte counts); `tap` sees every raw chunk. A failure that
 * is not an XmlcError becomes one naming `source` (corrupt gzip data, a read error).
 * @throws XmlcError
 */
export async function consumeDecompressed(input: AsyncIterable<Uint8Array>, source: string, consume: (bytes: AsyncIterable<Uint8Array>, gunzip: Gunzip | undefined) => Promise<void>, tap?: (chunk: Uint8Array) => void): Promise<void> {
  try {
    const { head, all } = await peek(input, GZIP_MAGIC.length);
    const gunzip = GZIP_MAGIC.every((b, i) => head[i] === b) ? createGunzip({ chunkSize: 1 << 20 }) : undefined;
    async function* tapped(): AsyncGenerator<Uint8Array> {
      for await (const c of all) {
        tap?.(c);
        yield c;
      }
    }
    if (gunzip) await pipeline(tapped(), gunzip, (text: AsyncIterable<Uint8Array>) => consume(text, gunzip));
    else await consume(tapped(), undefined);
  } catch (e) {
    if (e instanceof XmlcError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') throw new XmlcError(`cannot read ${source}: corrupt gzip data (${(e as Error).message})`);
    throw new XmlcError(`cannot read ${source}: ${(e as Error).message}`);
  }
}

/**
 * Feed every chunk of `text` to `parser`. Once 1 MiB is parsed and the input's size is known,
 * extrapolate to the whole input so that the output buffers are allocated about once (gzip:
 * scale by the compressed bytes the inflater consumed).
 */
async function feedAll(parser: DatasetParser, text: AsyncIterable<Uint8Array>, size: number | undefined, gunzip: Gunzip | undefined): Promise<void> {
  let fed = 0, hinted = size === undefined;
  for await (const c of text) {
    let chunk = c;
    if (!hinted) {
      const head = Math.min(chunk.length, HINT_AFTER - fed);
      parser.feed(chunk.subarray(0, head));
      fed += head;
      chunk = chunk.subarray(head);
      if (fed >= HINT_AFTER) {
        hinted = true;
        const consumed = gunzip ? gunzip.bytesWritten : fed;
        if (consumed > 0 && consumed < size!) parser.sizeHint((fed * size!) / consumed);
      }
    }
    parser.feed(chunk);
    fed += chunk.length;
  }
}

/**
 * Parse a dataset held in memory with the same parser and errors as {@link readDataset}
 * (gzip bytes, recognized by their magic number, are inflated first); `source` names it in
 * error messages.
 */
export function parseDataset(data: string | Uint8Array, source: string, options: ParseOptions = {}): Dataset {
  const parser = new DatasetParser(source, options);
  let bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (GZIP_MAGIC.every((b, i) => bytes[i] === b)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new XmlcError(`cannot read ${source}: the gzip data inflates to more than a buffer can hold (use readDataset, which streams)`);
      throw new XmlcError(`cannot read ${source}: corrupt gzip data (${(e as Error).message})`);
    }
  }
  parser.feed(bytes);
  return parser.finish();
}
