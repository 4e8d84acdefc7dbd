/**
 * The files a distributed run shares between machines (issue 16): data files named by path, size
 * and SHA-256; the run's staging folder beside the model directory; and the parts jobs write into
 * it, each a folder with its files and a `part.json` listing their checksums, put in place by one
 * atomic rename (a part is there whole or not at all).
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { type Dataset, readDataset } from '../data/index.js';
import { type ParseOptions } from '../data/parser.js';
import { XmlcError } from '../errors.js';
import { type Manifest, ModelWriter, sha256 } from '../model/io.js';
import { canonicalJson, type ManifestBody, MODEL_FORMAT, MODEL_FORMAT_VERSION } from '../model/manifest.js';
import { tempSibling } from '../util/atomic.js';
import { VERSION } from '../version.js';

/** A data file as jobs see it: where it is, its size and its SHA-256 (hex). */
export interface FileRef {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

/** A shared file (data, a part) is not what the run recorded: changed, truncated or corrupt. */
export class ArtifactError extends XmlcError {}

/** SHA-256 of a file, streamed. */
export async function fileSha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 22 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The reference of a regular file: its absolute path, size and SHA-256. */
export async function fileRef(file: string): Promise<FileRef> {
  const abs = path.resolve(file);
  const st = await fs.stat(abs);
  if (!st.isFile()) throw new ArtifactError(`${abs} is not a regular file`);
  return { path: abs, size: st.size, sha256: await fileSha256(abs) };
}

/** Hashes verified in this process: path → size, mtime and hash (a worker reads the same data file for many jobs). */
const verified = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

/**
 * Check that `ref.path` still is the file the run recorded (size, then SHA-256).
 * @throws ArtifactError naming the file and what differs.
 */
export async function checkFileRef(ref: FileRef): Promise<void> {
  const st = await fs.stat(ref.path).catch(() => undefined);
  if (!st?.isFile()) throw new ArtifactError(`data file ${ref.path} is missing on this machine (every worker must see the submitter's files at the same paths)`);
  if (st.size !== ref.size) throw new ArtifactError(`data file ${ref.path} has ${st.size} bytes but the run recorded ${ref.size}: it changed since the run was submitted`);
  const seen = verified.get(ref.path);
  if (seen && seen.size === st.size && seen.mtimeMs === st.mtimeMs && seen.sha256 === ref.sha256) return;
  const hash = await fileSha256(ref.path);
  if (hash !== ref.sha256) throw new ArtifactError(`data file ${ref.path} has SHA-256 ${hash} but the run recorded ${ref.sha256}: it changed since the run was submitted`);
  verified.set(ref.path, { size: st.size, mtimeMs: st.mtimeMs, sha256: hash });
}

/** The data file a worker read last, and how: the jobs of a run read the same file, once per worker. */
let lastData: { key: string; data: Dataset } | undefined;

/**
 * Read the data file `ref` names with the parse options `read`, after checking it is the file
 * recorded (size, SHA-256). The last file read is kept for the worker's next job (the datasets are
 * never modified by the jobs).
 * @throws ArtifactError if the file changed or is missing.
 */
export async function readDataCached(ref: FileRef, read: ParseOptions): Promise<Dataset> {
  await checkFileRef(ref);
  const key = canonicalJson({ ref, read });
  if (lastData?.key === key) return lastData.data;
  lastData = undefined;
  const data = await readDataset(ref.path, { ...read });
  lastData = { key, data };
  return data;
}

/** Drop the data file kept by {@link readDataCached}. */
export function releaseDataCache(): void {
  lastData = undefined;
}

/** A short id of some JSON-able value (16 hex digits of the SHA-256 of its canonical JSON). */
export function contentId(value: unknown): string {
  return sha256(new TextEncoder().encode(canonicalJson(value))).slice(0, 16);
}


/** The staging folder of run `id` for the model directory `modelDir`: a hidden sibling, `.<name>.dist-<id>`. */
export function stageDir(modelDir: string, id: string): string {
  const abs = path.resolve(modelDir);
  return path.join(path.dirname(abs), `.${path.basename(abs)}.dist-${id}`);
}

/** Name of the file listing a part's files. */
const PART_FILE = 'part.json';

/** A part a job wrote: its folder, files (name → checksum and size) and its metadata. */
export interface Part {
  readonly dir: string;
  readonly files: Map<string, { readonly sha256: string; readonly bytes: number }>;
  readonly meta: unknown;
  /** The files' checked contents, when {@link readPart} was asked to keep them. */
  readonly contents?: Map<string, Uint8Array>;
}

/**
 * Write the part `name` of the staging folder `stage`: `fill` writes its files through a
 * {@link ModelWriter} and returns its metadata; the folder appears, complete with `part.json`,
 * by one rename. An existing part of that name is kept (the job already ran).
 */
export async function writePart(stage: string, name: string, fill: (w: ModelWriter) => Promise<unknown>): Promise<void> {
  const target = path.join(stage, name);
  if (await readPart(stage, name).then(() => true, () => false)) return;
  const tmp = tempSibling(target);
  await fs.mkdir(tmp, { recursive: true });
  try {
    const w = new ModelWriter(tmp);
    const meta = await fill(w);
    await w.sync();
    await fs.writeFile(path.join(tmp, PART_FILE), JSON.stringify({ files: Object.fromEntries(w.files), meta }));
    await fs.rm(target, { recursive: true, force: true }); // a part whose check failed
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Read part `name` of `stage` and check every file it lists (size and SHA-256); with `keep`, the
 * checked contents come with it (small parts: a prediction shard's rankings).
 * @throws ArtifactError when the part is missing, incomplete or corrupt.
 */
export async function readPart(stage: string, name: string, keep = false): Promise<Part> {
  const dir = path.join(stage, name);
  let json: { files?: Record<string, { sha256: string; bytes: number }>; meta?: unknown };
  try {
    json = JSON.parse(await fs.readFile(path.join(dir, PART_FILE), 'utf8')) as typeof json;
  } catch {
    throw new ArtifactError(`part ${dir} is missing or has no readable ${PART_FILE}`);
  }
  const files = new Map(Object.entries(json.files ?? {}));
  const contents = keep ? new Map<string, Uint8Array>() : undefined;
  for (const [file, entry] of files) {
    const bytes = await fs.readFile(path.join(dir, file)).catch(() => undefined);
    if (!bytes || bytes.length !== entry.bytes || sha256(bytes) !== entry.sha256) throw new ArtifactError(`part file ${path.join(dir, file)} is missing or corrupt (checksum mismatch)`);
    contents?.set(file, bytes);
  }
  return { dir, files, meta: json.meta, ...(contents ? { contents } : {}) };
}

/** A part seen as a model directory's manifest (its files at the part folder's root, `body` for the rest), for the model readers. */
export function partManifest(part: Part, body: ManifestBody): Manifest {
  return { format: MODEL_FORMAT, formatVersion: MODEL_FORMAT_VERSION, xmlcVersion: VERSION, createdAt: '', root: '', ...body, files: new Map(part.files) };
}

/** Copy every file of `part` into the model being written through `w` (same names, checksums recorded). */
export async function copyPart(w: ModelWriter, part: Part): Promise<void> {
  for (const name of part.files.keys()) {
    await fs.copyFile(path.join(part.dir, name), w.path(name));
    await w.addExisting(name);
  }
}
