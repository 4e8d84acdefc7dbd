import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { type Csr, csr } from '../data/csr.js';
import { ModelFormatError } from '../errors.js';
import { faultPoint } from '../util/process.js';
import { readRegularFile } from '../util/regular_file.js';
import { VERSION } from '../version.js';
import { type FileEntry, type Manifest, type ManifestBody, MODEL_FORMAT, MODEL_FORMAT_VERSION, validateManifest } from './manifest.js';

export { MODEL_FORMAT, MODEL_FORMAT_VERSION, type Manifest } from './manifest.js';

/** The manifest's file name in a model directory. */
export const MANIFEST_FILE = 'manifest.json';

const CSR_MAGIC = 'XMLCCSR1';
const HEADER_BYTES = 24;
// Typed arrays are written in the machine's byte order; refuse big-endian hosts rather than write files nobody else can read.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Serialise a CSR matrix: 8-byte magic `XMLCCSR1`, u32 nRows, nCols, nnz, 0 (little endian),
 * then rowPtr (int32), indices (int32), values (float32).
 */
export function encodeCsr(m: Csr): Uint8Array {
  if (!LITTLE_ENDIAN) throw new ModelFormatError('xmlc model files are little-endian; this host is big-endian');
  const total = m.rowPtr[m.nRows]!;
  const buf = new Uint8Array(HEADER_BYTES + 4 * (m.nRows + 1) + 8 * total);
  buf.set(Buffer.from(CSR_MAGIC, 'ascii'), 0);
  const dv = new DataView(buf.buffer);
  dv.setUint32(8, m.nRows, true);
  dv.setUint32(12, m.nCols, true);
  dv.setUint32(16, total, true);
  let off = HEADER_BYTES;
  buf.set(new Uint8Array(m.rowPtr.buffer, m.rowPtr.byteOffset, 4 * (m.nRows + 1)), off); off += 4 * (m.nRows + 1);
  buf.set(new Uint8Array(m.indices.buffer, m.indices.byteOffset, 4 * total), off); off += 4 * total;
  buf.set(new Uint8Array(m.values.buffer, m.values.byteOffset, 4 * total), off);
  return buf;
}

/** Inverse of {@link encodeCsr}; validates the structure. `name` is used in error messages. */
export function decodeCsr(bytes: Uint8Array, name: string): Csr {
  if (bytes.length < HEADER_BYTES || Buffer.from(bytes.subarray(0, 8)).toString('ascii') !== CSR_MAGIC) {
    throw new ModelFormatError(`${name}: not an xmlc CSR file (bad magic)`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nRows = dv.getUint32(8, true), nCols = dv.getUint32(12, true), total = dv.getUint32(16, true);
  const expected = HEADER_BYTES + 4 * (nRows + 1) + 8 * total;
  if (bytes.length !== expected) throw new ModelFormatError(`${name}: expected ${expected} bytes for a ${nRows}×${nCols} matrix with ${total} nonzeros but found ${bytes.length}`);
  // Copy into fresh, aligned buffers.
  const copy = (off: number, len: number): ArrayBuffer => bytes.buffer.slice(bytes.byteOffset + off, bytes.byteOffset + off + len) as ArrayBuffer;
  let off = HEADER_BYTES;
  const rowPtr = new Int32Array(copy(off, 4 * (nRows + 1))); off += 4 * (nRows + 1);
  const indices = new Int32Array(copy(off, 4 * total)); off += 4 * total;
  const values = new Float32Array(copy(off, 4 * total));
  try {
    return csr(nRows, nCols, rowPtr, indices, values);
  } catch (e) {
    throw new ModelFormatError(`${name}: corrupt matrix: ${(e as Error).message}`);
  }
}

/** Concatenate float32 arrays into one little-endian byte block (lengths are recorded in the manifest). */
export function encodeFloats(arrays: readonly Float32Array[]): Uint8Array {
  if (!LITTLE_ENDIAN) throw new ModelFormatError('xmlc model files are little-endian; this host is big-endian');
  const total = arrays.reduce((s, a) => s + a.length, 0);
  const out = new Float32Array(total);
  let o = 0;
  for (const a of arrays) { out.set(a, o); o += a.length; }
  return new Uint8Array(out.buffer);
}

/** Split a block written by {@link encodeFloats} back into arrays of the given lengths. */
export function decodeFloats(bytes: Uint8Array, lengths: readonly number[], name: string): Float32Array[] {
  const total = lengths.reduce((s, n) => s + n, 0);
  if (bytes.length !== total * 4) throw new ModelFormatError(`${name}: expected ${total * 4} bytes (${total} float32 values) but found ${bytes.length}`);
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const out: Float32Array[] = [];
  let o = 0;
  for (const n of lengths) { out.push(all.subarray(o, o + n)); o += n; }
  return out;
}

/** SHA-256 of some bytes, hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Collects a model's files while it is being written into its (version) folder. A part of a
 * model (one cluster's model inside a clustered model) writes through {@link scoped}: the same
 * folder and file list, every name prefixed.
 */
export class ModelWriter {
  readonly files: Map<string, FileEntry>;
  /**
   * @param dir the folder the files go to.
   * @param prefix prepended to every file name written through this writer (see {@link scoped}).
   * @param files the file list, shared with the writer this one was scoped from.
   */
  constructor(readonly dir: string, readonly prefix = '', files?: Map<string, FileEntry>) {
    this.files = files ?? new Map<string, FileEntry>();
  }

  /** A writer into the same folder and file list whose names get `prefix` (after this writer's own). */
  scoped(prefix: string): ModelWriter {
    return new ModelWriter(this.dir, this.prefix + prefix, this.files);
  }

  /** The path the file `name` of this writer is written to. */
  path(name: string): string {
    return path.join(this.dir, this.prefix + name);
  }

  async writeBytes(name: string, bytes: Uint8Array): Promise<void> {
    await fs.writeFile(this.path(name), bytes);
    this.files.set(this.prefix + name, { sha256: sha256(bytes), bytes: bytes.length });
    faultPoint('file-written');
  }

  /** Record a file written by other means (e.g. a native library) to {@link path}(`name`). */
  async addExisting(name: string): Promise<void> {
    const bytes = await fs.readFile(this.path(name));
    this.files.set(this.prefix + name, { sha256: sha256(bytes), bytes: bytes.length });
  }

  /** Flush every file to disk (so a power loss after the manifest switch cannot leave a manifest over unwritten files). */
  async sync(): Promise<void> {
    for (const name of this.files.keys()) {
      const fh = await fs.open(path.join(this.dir, name), 'r');
      try { await fh.sync(); } finally { await fh.close(); }
    }
  }

  /** The manifest of the files written so far, for a model in the version folder `root`. */
  manifest(body: ManifestBody, root: string): Manifest {
    return { format: MODEL_FORMAT, formatVersion: MODEL_FORMAT_VERSION, xmlcVersion: VERSION, createdAt: new Date().toISOString(), root, ...body, files: new Map(this.files) };
  }
}

/** Read `DIR/manifest.json` and validate it against the manifest schema (formats 1 and 2). */
export async function readManifest(dir: string): Promise<Manifest> {
  const file = path.join(dir, MANIFEST_FILE);
  const st = await fs.stat(dir).catch(() => undefined);
  if (!st) throw new ModelFormatError(`${dir} is not an xmlc model: it does not exist`);
  if (!st.isDirectory()) throw new ModelFormatError(`${dir} is not an xmlc model: a model is a directory`);
  const bytes = await readRegularFile(file, (detail) => new ModelFormatError(detail === 'does not exist' ? `${dir} is not an xmlc model: ${file} does not exist` : `${file} ${detail}`));
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw new ModelFormatError(`${file}: invalid JSON (${(e as Error).message})`);
  }
  return validateManifest(json, file);
}

/** Path of a model file: in the manifest's version folder (with the prefix of a {@link scopedManifest}). */
export function modelFilePath(dir: string, manifest: Manifest, name: string): string {
  return path.join(dir, manifest.root, (manifest.prefix ?? '') + name);
}

/**
 * The manifest of a part of a model, written through `ModelWriter.scoped(prefix)`: the parent's
 * files whose names start with `prefix`, listed without it (and read from the prefixed paths),
 * with the part's own method, data shape, parameters and metadata.
 */
export function scopedManifest(parent: Manifest, prefix: string, body: ManifestBody): Manifest {
  const files = new Map<string, FileEntry>();
  for (const [name, entry] of parent.files) if (name.startsWith(prefix)) files.set(name.slice(prefix.length), entry);
  const { backend: _, extra: __, ...rest } = parent;
  return { ...rest, ...body, files, prefix: (parent.prefix ?? '') + prefix };
}

/**
 * Read one file of a model: it must be listed by the manifest, be a regular file (a device, FIFO
 * or directory is refused before reading), have the size the manifest records (format 2; checked
 * before reading) and match its checksum.
 */
export async function readModelFile(dir: string, manifest: Manifest, name: string): Promise<Uint8Array> {
  const entry = manifest.files.get(name);
  if (entry === undefined) throw new ModelFormatError(`${path.join(dir, MANIFEST_FILE)}: lists no file "${name}"`);
  const file = modelFilePath(dir, manifest, name);
  const bytes = await readRegularFile(file, (detail) => new ModelFormatError(`model file ${file} ${detail}`), entry.bytes !== undefined ? { bytes: entry.bytes } : {});
  if (sha256(bytes) !== entry.sha256) throw new ModelFormatError(`model file ${file} is corrupt (checksum mismatch)`);
  return bytes;
}

/** Read a model's CSR file and check it is `nRows` × `nCols` as the manifest says. */
export async function readCsrFile(dir: string, manifest: Manifest, name: string, nRows: number, nCols: number): Promise<Csr> {
  const file = modelFilePath(dir, manifest, name);
  const m = decodeCsr(await readModelFile(dir, manifest, name), file);
  if (m.nRows !== nRows || m.nCols !== nCols) throw new ModelFormatError(`${file}: a ${m.nRows}×${m.nCols} matrix, but the manifest says ${nRows}×${nCols}`);
  return m;
}
