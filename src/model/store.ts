import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { UsageError, XmlcError } from '../errors.js';
import { tempSibling, tempSiblingPid } from '../util/atomic.js';
import { acquireLock } from '../util/lock.js';
import { faultPoint, pidAlive } from '../util/process.js';
import { MANIFEST_FILE, ModelWriter } from './io.js';
import { type ManifestBody, manifestText, MODEL_FORMAT, VERSION_DIR } from './manifest.js';

/**
 * The path a model was to be saved to is taken by something that is not a model the user
 * asked to replace (a file, a folder of other files, or a model without `overwrite`/`--force`).
 * A usage error: CLI exit 2.
 */
export class ModelPathError extends UsageError {}

/** Options of a model's `save()`. */
export interface SaveOptions {
  /** Replace an existing xmlc model at the path (`--force`). Never replaces anything else. */
  readonly overwrite?: boolean;
}

/** Names of the files of a format-1 (flat) model, removed once a newer version replaced it. */
const FLAT_MODEL_FILE = /^(train_labels\.csr|train_features\.csr|index\.hnsw|m\d+\.(encoder|regressor|embeddings)\.f32|m\d+\.index\.hnsw)$/;
/** A temporary manifest of a writer (pid inside). */
const MANIFEST_TMP = new RegExp(`^\\.${MANIFEST_FILE.replace('.', '\\.')}\\.tmp-\\d+-[0-9a-f]{8}$`);

/** The `root` of the xmlc model manifest in `dir`, '' for a flat (format 1) one, or undefined when `dir` holds no xmlc manifest. */
async function modelRoot(dir: string): Promise<string | undefined> {
  try {
    const json = JSON.parse(await fs.readFile(path.join(dir, MANIFEST_FILE), 'utf8')) as unknown;
    if (json === null || typeof json !== 'object' || (json as Record<string, unknown>)['format'] !== MODEL_FORMAT) return undefined;
    const root = (json as Record<string, unknown>)['root'];
    return typeof root === 'string' && VERSION_DIR.test(root) ? root : '';
  } catch {
    return undefined;
  }
}

/**
 * Check that a model may be written to `dir`: a new path, an empty folder, or (with
 * `overwrite`) an xmlc model. Returns which; throws {@link ModelPathError} naming the path
 * otherwise. The CLI calls it before training, `save()` again under the write lock.
 */
export async function checkModelTarget(dir: string, overwrite = false): Promise<'new' | 'empty' | 'model'> {
  const st = await fs.stat(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw new ModelPathError(`cannot write the model to ${dir}: ${e.code ?? e.message}`);
  });
  if (!st) {
    if (await fs.lstat(dir).catch(() => undefined)) throw new ModelPathError(`refusing to write the model to ${dir}: it is a symbolic link to nothing`);
    return 'new';
  }
  if (!st.isDirectory()) throw new ModelPathError(`refusing to write the model to ${dir}: it exists and is not a directory (a model is a directory; name a new or empty folder)`);
  if ((await modelRoot(dir)) !== undefined) {
    if (!overwrite) throw new ModelPathError(`${dir} already holds an xmlc model; use --force (library: save(dir, { overwrite: true })) to replace it`);
    return 'model';
  }
  if ((await fs.readdir(dir)).length === 0) return 'empty';
  throw new ModelPathError(`refusing to write the model to ${dir}: it is a folder that is not empty and holds no xmlc model (${MANIFEST_FILE}); name a new or empty folder${overwrite ? ' (--force replaces xmlc models only)' : ''}`);
}

/** Remove temporary siblings of `target` (`.NAME.tmp-PID-…` and the lock's) whose writer is dead. */
async function cleanStaleSiblings(target: string): Promise<void> {
  const parent = path.dirname(target), base = path.basename(target);
  for (const name of await fs.readdir(parent)) {
    if (!name.startsWith(`.${base}.tmp-`) && !name.startsWith(`..${base}.lock.tmp-`)) continue;
    const pid = tempSiblingPid(name);
    if (pid !== undefined && !pidAlive(pid)) await fs.rm(path.join(parent, name), { recursive: true, force: true });
  }
}

/**
 * Remove what is not the current version inside a model directory: other version folders and
 * temporary manifests (the caller holds the write lock, so no live writer owns them), and the
 * files of a flat format-1 model once a version folder is current. Anything else is the user's
 * and stays.
 */
async function cleanModelDir(dir: string, current: string): Promise<void> {
  for (const name of await fs.readdir(dir)) {
    const full = path.join(dir, name);
    if ((VERSION_DIR.test(name) && name !== current) || MANIFEST_TMP.test(name)) await fs.rm(full, { recursive: true, force: true });
    else if (current !== '' && FLAT_MODEL_FILE.test(name) && (await fs.lstat(full)).isFile()) await fs.rm(full, { force: true });
  }
}

/** A fresh version folder name: `v-<pid>-<8 hex>`. */
function versionName(): string {
  return `v-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Fill a new version folder `dir/version` and return the manifest text for it. */
async function writeVersion(dir: string, version: string, fill: (w: ModelWriter) => Promise<ManifestBody>): Promise<string> {
  const w = new ModelWriter(path.join(dir, version));
  await fs.mkdir(w.dir);
  faultPoint('version-dir');
  const body = await fill(w);
  await w.sync();
  faultPoint('version-filled');
  return manifestText(w.manifest(body, version));
}

/** Write `text` to a new file and flush it. */
async function writeSynced(file: string, text: string): Promise<void> {
  const fh = await fs.open(file, 'wx');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * First model at a new path or an empty folder: build it whole in a temporary sibling
 * (`manifest.json` + version folder) and rename that into place.
 */
async function createModel(target: string, fill: (w: ModelWriter) => Promise<ManifestBody>): Promise<void> {
  const tmp = tempSibling(target);
  await fs.mkdir(tmp);
  try {
    const text = await writeVersion(tmp, versionName(), fill);
    await writeSynced(path.join(tmp, MANIFEST_FILE), text);
    faultPoint('manifest-written');
    await fs.rename(tmp, target).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOTEMPTY' || e.code === 'EEXIST' || e.code === 'ENOTDIR') throw new XmlcError(`${target} changed while the model was being written (something else wrote there); nothing was replaced`);
      throw e;
    });
    faultPoint('switched');
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Replace the model in `target`: the new version goes to its own folder, then a new
 * `manifest.json` naming it is renamed over the old one — one atomic rename, so at every
 * instant the directory loads as the old model or the new one — and the old version is removed.
 */
async function replaceModel(target: string, fill: (w: ModelWriter) => Promise<ManifestBody>): Promise<void> {
  const version = versionName();
  const tmpManifest = path.join(target, `.${MANIFEST_FILE}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const text = await writeVersion(target, version, fill);
    await writeSynced(tmpManifest, text);
    faultPoint('manifest-written');
    await fs.rename(tmpManifest, path.join(target, MANIFEST_FILE));
  } catch (e) {
    await fs.rm(tmpManifest, { force: true });
    await fs.rm(path.join(target, version), { recursive: true, force: true });
    throw e;
  }
  faultPoint('switched');
  await cleanModelDir(target, version);
  faultPoint('cleaned');
}

/**
 * Write a model directory crash-safely. `dir` may be a new path or an empty folder, or (with
 * `overwrite`) an xmlc model to replace; anything else is refused ({@link ModelPathError}).
 * One writer at a time: a lock file `.NAME.lock` beside `dir` holds the writer's pid, and a
 * second writer gets a {@link LockedError} naming it. Leftovers of writers that died (their pid
 * is no longer running) are removed first.
 *
 * Layout: `dir/manifest.json` names the folder `dir/v-PID-HEX/` that holds the files; the
 * manifest is the pointer, replaced by one atomic rename.
 */
export async function writeModelDir(dir: string, options: SaveOptions, fill: (w: ModelWriter) => Promise<ManifestBody>): Promise<void> {
  const resolved = path.resolve(dir);
  await fs.mkdir(path.dirname(resolved), { recursive: true });
  // Write where a symbolic link to a folder points (so the link stays a link).
  const target = await fs.realpath(resolved).catch(() => resolved);
  const release = await acquireLock(path.join(path.dirname(target), `.${path.basename(target)}.lock`), target);
  try {
    const state = await checkModelTarget(dir, options.overwrite ?? false);
    await cleanStaleSiblings(target);
    if (state === 'model') {
      const current = await modelRoot(target);
      if (current !== undefined) await cleanModelDir(target, current);
      await replaceModel(target, fill);
    } else {
      await createModel(target, fill);
    }
  } finally {
    await release();
  }
}
