import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { type Csr, csr } from '../data/csr.js';
import { ModelFormatError } from '../errors.js';
import { VERSION } from '../version.js';

/** Name written in every manifest. */
export const MODEL_FORMAT = 'xmlc-model';
/** Current version of the on-disk layout; loading refuses any other. */
export const MODEL_FORMAT_VERSION = 1;

/** `manifest.json` of a saved model directory. */
export interface Manifest {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  xmlcVersion: string;
  method: string;
  createdAt: string;
  /** The training data's shape. */
  data: { nPoints: number; nFeatures: number; nLabels: number };
  /** All parameters the model was trained with. */
  params: Record<string, unknown>;
  /** File name → SHA-256 of its bytes, checked on load. */
  files: Record<string, string>;
  /** Method-specific extra metadata. */
  extra?: Record<string, unknown>;
}

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

/** SHA-256 of some bytes, hex. */
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

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Collects a model's files while it is being written into a (temporary) directory. */
export class ModelWriter {
  readonly files: Record<string, string> = {};
  constructor(readonly dir: string) {}

  async writeBytes(name: string, bytes: Uint8Array): Promise<void> {
    await fs.writeFile(path.join(this.dir, name), bytes);
    this.files[name] = sha256(bytes);
  }

  /** Record a file written by other means (e.g. a native library) under `name`. */
  async addExisting(name: string): Promise<void> {
    this.files[name] = sha256(await fs.readFile(path.join(this.dir, name)));
  }

  /** Write `manifest.json` with the format, this xmlc's version, the time and the files' checksums. */
  async writeManifest(m: Omit<Manifest, 'files' | 'format' | 'formatVersion' | 'xmlcVersion' | 'createdAt'>): Promise<void> {
    const manifest: Manifest = { format: MODEL_FORMAT, formatVersion: MODEL_FORMAT_VERSION, xmlcVersion: VERSION, createdAt: new Date().toISOString(), ...m, files: this.files };
    await fs.writeFile(path.join(this.dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  }
}

/** Read and check `DIR/manifest.json`: format name, version, listed files. */
export async function readManifest(dir: string): Promise<Manifest> {
  const file = path.join(dir, 'manifest.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ModelFormatError(code === 'ENOENT' ? `${dir} is not an xmlc model: ${file} does not exist` : `cannot read ${file}: ${(e as Error).message}`);
  }
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch (e) {
    throw new ModelFormatError(`${file}: invalid JSON (${(e as Error).message})`);
  }
  if (m === null || typeof m !== 'object' || m.format !== MODEL_FORMAT) throw new ModelFormatError(`${file}: not an xmlc model manifest (format is ${JSON.stringify((m as { format?: unknown } | null)?.format)}, expected "${MODEL_FORMAT}")`);
  if (m.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new ModelFormatError(`${file}: model format version ${m.formatVersion} is not supported by this xmlc (it reads version ${MODEL_FORMAT_VERSION}); retrain the model`);
  }
  if (typeof m.files !== 'object' || m.files === null) throw new ModelFormatError(`${file}: missing "files"`);
  return m;
}

/** Read one file of a model and verify its checksum against the manifest. */
export async function readModelFile(dir: string, manifest: Manifest, name: string): Promise<Uint8Array> {
  const expected = manifest.files[name];
  if (expected === undefined) throw new ModelFormatError(`${path.join(dir, 'manifest.json')}: lists no file "${name}"`);
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path.join(dir, name));
  } catch (e) {
    throw new ModelFormatError(`model file ${path.join(dir, name)} cannot be read: ${(e as Error).message}`);
  }
  if (sha256(bytes) !== expected) throw new ModelFormatError(`model file ${path.join(dir, name)} is corrupt (checksum mismatch)`);
  return bytes;
}
