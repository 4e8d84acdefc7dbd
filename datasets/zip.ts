/**
 * A streaming reader of ZIP archives (the Extreme Classification Repository ships its datasets
 * as .zip): the central directory is read from the end of the file, each wanted entry is
 * inflated (method 8) or copied (method 0) straight to its destination and checked against the
 * CRC-32 and size the directory records. ZIP64 sizes and offsets are understood.
 * Format: PKWARE APPNOTE.TXT 6.3.x, sections 4.3.7 (local header), 4.3.12 (central directory
 * header), 4.3.14–4.3.16 (ZIP64 and end of central directory records), 4.5.3 (ZIP64 extra field).
 */
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Transform, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import { XmlcError } from '../src/errors.js';

/** A damaged or unsupported archive. */
export class ArchiveError extends XmlcError {}

/** One file in the archive's central directory. */
export interface ZipEntry {
  /** Path inside the archive ('/'-separated). */
  readonly name: string;
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  /** Offset of the entry's local header. */
  readonly localOffset: number;
}

const EOCD_SIG = 0x06054b50, EOCD64_SIG = 0x06064b50, LOC64_SIG = 0x07064b50, CEN_SIG = 0x02014b50, LOC_SIG = 0x04034b50;

async function readAt(fh: fs.FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, offset);
  return buf.subarray(0, bytesRead);
}

function u64(b: Buffer, at: number): number {
  const v = b.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ArchiveError('a ZIP64 size or offset is too large');
  return Number(v);
}

/** The entries of the ZIP archive `file`. */
export async function listZip(file: string): Promise<ZipEntry[]> {
  const fh = await fs.open(file, 'r');
  try {
    const { size } = await fh.stat();
    // The end-of-central-directory record is 22 bytes plus a comment of at most 65,535.
    const tailLen = Math.min(size, 22 + 0xffff);
    const tail = await readAt(fh, size - tailLen, tailLen);
    let e = -1;
    for (let i = tail.length - 22; i >= 0; i--) if (tail.readUInt32LE(i) === EOCD_SIG) { e = i; break; }
    if (e < 0) throw new ArchiveError(`${file}: not a ZIP archive (no end-of-central-directory record; truncated or another format)`);
    let count = tail.readUInt16LE(e + 10), cdSize = tail.readUInt32LE(e + 12), cdOffset = tail.readUInt32LE(e + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const locAt = e - 20;
      if (locAt < 0 || tail.readUInt32LE(locAt) !== LOC64_SIG) throw new ArchiveError(`${file}: ZIP64 archive without its locator`);
      const eocd64 = await readAt(fh, u64(tail, locAt + 8), 56);
      if (eocd64.length < 56 || eocd64.readUInt32LE(0) !== EOCD64_SIG) throw new ArchiveError(`${file}: damaged ZIP64 end-of-central-directory record`);
      count = u64(eocd64, 32); cdSize = u64(eocd64, 40); cdOffset = u64(eocd64, 48);
    }
    if (cdOffset + cdSize > size) throw new ArchiveError(`${file}: the central directory lies beyond the end of the file (truncated archive)`);
    const cd = await readAt(fh, cdOffset, cdSize);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== CEN_SIG) throw new ArchiveError(`${file}: damaged central directory (entry ${i + 1} of ${count})`);
      const method = cd.readUInt16LE(p + 10), crc32 = cd.readUInt32LE(p + 16);
      let compressedSize = cd.readUInt32LE(p + 20), sizeU = cd.readUInt32LE(p + 24), localOffset = cd.readUInt32LE(p + 42);
      const nameLen = cd.readUInt16LE(p + 28), extraLen = cd.readUInt16LE(p + 30), commentLen = cd.readUInt16LE(p + 32);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
      // ZIP64 extended information (header id 1): the 8-byte values of the fields saturated above, in order.
      let x = p + 46 + nameLen;
      const xEnd = x + extraLen;
      while (x + 4 <= xEnd) {
        const id = cd.readUInt16LE(x), len = cd.readUInt16LE(x + 2);
        if (id === 1) {
          let q = x + 4;
          if (sizeU === 0xffffffff) { sizeU = u64(cd, q); q += 8; }
          if (compressedSize === 0xffffffff) { compressedSize = u64(cd, q); q += 8; }
          if (localOffset === 0xffffffff) { localOffset = u64(cd, q); }
        }
        x += 4 + len;
      }
      entries.push({ name, method, crc32, compressedSize, size: sizeU, localOffset });
      p = xEnd + commentLen;
    }
    return entries;
  } finally {
    await fh.close();
  }
}

/**
 * Largest inflated/compressed ratio accepted for an entry. DEFLATE itself caps the ratio at
 * about 1032:1 (David Fifield, "A better zip bomb", USENIX WOOT 2019: a match copies at most
 * 258 bytes and costs at least 2 bits), so a size limit alone lets a 1 MB archive claim up to ~1 GB; a ratio limit
 * stops such a bomb after its first bytes. 100:1 is Apache POI's default (ZipSecureFile's
 * minimum inflate ratio 0.01), a common choice of zip-bomb defences; real data sits far below
 * it (the repository's BoW text deflates 2.5–8:1).
 */
export const MAX_INFLATE_RATIO = 100;
/** Output below this many bytes is not held to the ratio (headers dominate tiny entries; POI: 100 KiB). */
const RATIO_GRACE_BYTES = 100 << 10;

/** Limits on what an entry may inflate to (see {@link extractZipEntry}). */
export interface ExtractLimits {
  /** At most this many bytes (e.g. the registry's bound for the file); default: no bound beyond the entry's declared size. */
  readonly maxBytes?: number;
  /** At most this ratio of inflated to compressed bytes; default {@link MAX_INFLATE_RATIO}. */
  readonly maxRatio?: number;
}

/**
 * Counts bytes and the running CRC-32 of what passes through, and stops the stream as soon as
 * the output exceeds the entry's declared size, `maxBytes`, or `maxRatio` times the compressed
 * bytes read so far (`compressedRead`, an over-count while the inflater buffers: never a false alarm).
 */
class Check extends Transform {
  crc = 0;
  bytes = 0;
  constructor(private readonly fail: (why: string) => ArchiveError, private readonly entry: ZipEntry,
    private readonly maxBytes: number, private readonly maxRatio: number, private readonly compressedRead: () => number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.entry.size) return done(this.fail(`inflates past the ${this.entry.size} bytes its directory entry declares`));
    if (this.bytes > this.maxBytes) return done(this.fail(`inflates past ${this.maxBytes} bytes, the most this file can hold`));
    if (this.bytes > RATIO_GRACE_BYTES && this.bytes > this.maxRatio * this.compressedRead()) {
      return done(this.fail(`inflates more than ${this.maxRatio}× its compressed size`));
    }
    this.crc = zlib.crc32(chunk, this.crc);
    done(null, chunk);
  }
}

/**
 * Extract `entry` of the archive `file` to `dest` (created or overwritten), verifying its size and
 * CRC-32, and defending against zip bombs: an entry whose declared size exceeds
 * `limits.maxBytes`, or whose declared sizes give a ratio above `limits.maxRatio`, is refused
 * before inflating; while inflating, the output is stopped as soon as it passes the declared
 * size, `maxBytes`, or the ratio. On any failure `dest` is removed. `onBytes` receives the
 * compressed bytes read so far.
 * @throws ArchiveError naming the archive and entry.
 */
export async function extractZipEntry(file: string, entry: ZipEntry, dest: string, limits: ExtractLimits = {}, onBytes?: (n: number) => void): Promise<void> {
  const maxBytes = limits.maxBytes ?? Infinity, maxRatio = limits.maxRatio ?? MAX_INFLATE_RATIO;
  const bomb = (why: string): ArchiveError => new ArchiveError(`${file}: ${entry.name} ${why} (a damaged archive or a zip bomb); nothing was kept`);
  if (entry.size > maxBytes) throw bomb(`declares ${entry.size} bytes, more than the ${maxBytes} this file can hold`);
  if (entry.method !== 0 && entry.method !== 8) throw new ArchiveError(`${file}: ${entry.name} uses compression method ${entry.method}; only stored (0) and deflate (8) are supported`);
  if (entry.size > RATIO_GRACE_BYTES && entry.size > maxRatio * entry.compressedSize) {
    throw bomb(`declares ${entry.size} bytes from ${entry.compressedSize} compressed, more than ${maxRatio}× its compressed size`);
  }
  const fh = await fs.open(file, 'r');
  let start: number;
  try {
    const loc = await readAt(fh, entry.localOffset, 30);
    if (loc.length < 30 || loc.readUInt32LE(0) !== LOC_SIG) throw new ArchiveError(`${file}: damaged local header of ${entry.name}`);
    start = entry.localOffset + 30 + loc.readUInt16LE(26) + loc.readUInt16LE(28);
  } finally {
    await fh.close();
  }
  const src = createReadStream(file, entry.compressedSize > 0 ? { start, end: start + entry.compressedSize - 1 } : { start, end: start - 1 });
  let read = 0;
  src.on('data', (c: Buffer | string) => { read += c.length; onBytes?.(read); });
  const check = new Check(bomb, entry, maxBytes, maxRatio, () => read);
  try {
    if (entry.method === 8) await pipeline(src, zlib.createInflateRaw(), check, createWriteStream(dest));
    else await pipeline(src, check, createWriteStream(dest));
    if (check.bytes !== entry.size || (check.crc >>> 0) !== (entry.crc32 >>> 0)) {
      throw new ArchiveError(`${file}: ${entry.name} is corrupt (got ${check.bytes} bytes with CRC-32 ${(check.crc >>> 0).toString(16)}, the archive records ${entry.size} bytes with ${(entry.crc32 >>> 0).toString(16)})`);
    }
  } catch (e) {
    await fs.rm(dest, { force: true });
    if (e instanceof ArchiveError) throw e;
    throw new ArchiveError(`${file}: cannot extract ${entry.name}: ${(e as Error).message} (corrupt archive)`);
  }
}
