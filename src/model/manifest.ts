import { createHash } from 'node:crypto';
import { ModelFormatError, UsageError } from '../errors.js';

/** Name written in every manifest. */
export const MODEL_FORMAT = 'xmlc-model';
/**
 * Current version of the on-disk layout. 2: the files live in the version folder `root`, each
 * with its size, and the manifest carries its own checksum; 1: flat layout (still read).
 */
export const MODEL_FORMAT_VERSION = 2;
/** Versions this xmlc reads. */
const READABLE_VERSIONS: readonly number[] = [1, 2];
/** Upper bound of every count in a manifest (points, features, labels, array lengths). */
const MAX_COUNT = 2 ** 31 - 1;
/** A model file name: plain, no folders, not hidden. */
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;
/** A version folder's name: `v-<pid>-<8 hex>` (the pid of the writer, for stale-folder cleanup). */
export const VERSION_DIR = /^v-(\d+)-[0-9a-f]{8}$/;

/** One file of a model: SHA-256 of its bytes and (format 2) its size. */
export interface FileEntry { readonly sha256: string; readonly bytes?: number }

/** Shape of the training data a model was trained on. */
export interface DataShape { readonly nPoints: number; readonly nFeatures: number; readonly nLabels: number }

/** A validated `manifest.json` of a saved model directory. */
export interface Manifest {
  readonly format: typeof MODEL_FORMAT;
  readonly formatVersion: number;
  readonly xmlcVersion: string;
  readonly method: string;
  readonly createdAt: string;
  /** Folder of the model's files inside the model directory ('' for format 1: the directory itself). */
  readonly root: string;
  readonly data: DataShape;
  /** All parameters the model was trained with (validated by the method's loader). */
  readonly params: Record<string, unknown>;
  /** File name → checksum and size. */
  readonly files: ReadonlyMap<string, FileEntry>;
  /** Method-specific metadata (validated by the method's loader). */
  readonly extra?: Record<string, unknown>;
  /** The compute backend the model was trained on (embedding models; optional: a manifest without it loads, with the backend unknown). */
  readonly backend?: string;
  /** A model trained on text: its front end (the TF-IDF vectoriser's and the label names' files; validated by the text model's loader). */
  readonly text?: Record<string, unknown>;
  /** A model with a linear re-ranker: the classifiers' files and choices (validated by the re-ranked model's loader). */
  readonly rerank?: Record<string, unknown>;
  /** A mixed ensemble: its parts and where the other parts' files are (validated by the mixed model's loader). */
  readonly mix?: Record<string, unknown>;
  /** A model with weighted features: the weighting and its idf file (validated by the weighted model's loader). */
  readonly features?: Record<string, unknown>;
  /** For a part of a model (see `scopedManifest`): the prefix of its files' names; never in a manifest file. */
  readonly prefix?: string;
}

/** What a model's `save()` supplies; the writer adds format, version, root, files and checksum. */
export interface ManifestBody {
  readonly method: string;
  readonly data: DataShape;
  readonly params: Record<string, unknown>;
  readonly extra?: Record<string, unknown>;
  readonly backend?: string;
  readonly text?: Record<string, unknown>;
  readonly rerank?: Record<string, unknown>;
  readonly mix?: Record<string, unknown>;
  readonly features?: Record<string, unknown>;
}

/** Whether a saved embedding model is clustered (its manifest lists partitions). */
export function isClusteredManifest(manifest: Manifest): boolean {
  return manifest.extra !== undefined && Object.hasOwn(manifest.extra, 'partitions');
}

/** JSON with object keys sorted at every level: the bytes the manifest checksum covers. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** SHA-256 (hex) of the canonical JSON of a manifest object without its `manifestSha256` field. */
export function manifestChecksum(raw: Record<string, unknown>): string {
  const { manifestSha256: _, ...rest } = raw;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** The text of a format-2 `manifest.json`, checksum included. */
export function manifestText(m: Manifest): string {
  const raw: Record<string, unknown> = {
    format: m.format, formatVersion: m.formatVersion, xmlcVersion: m.xmlcVersion, method: m.method, createdAt: m.createdAt,
    root: m.root, data: m.data, params: m.params,
    files: Object.fromEntries([...m.files].map(([name, f]) => [name, { sha256: f.sha256, bytes: f.bytes }])),
    ...(m.extra !== undefined ? { extra: m.extra } : {}),
    ...(m.backend !== undefined ? { backend: m.backend } : {}),
    ...(m.text !== undefined ? { text: m.text } : {}),
    ...(m.rerank !== undefined ? { rerank: m.rerank } : {}),
    ...(m.mix !== undefined ? { mix: m.mix } : {}),
    ...(m.features !== undefined ? { features: m.features } : {}),
  };
  return JSON.stringify({ ...raw, manifestSha256: manifestChecksum(raw) }, null, 2) + '\n';
}

/**
 * Typed checks of untrusted JSON: each returns the value with its type or throws a
 * {@link ModelFormatError} naming the file, the field and what was expected. Fields are read as
 * own properties only, so `__proto__` or `constructor` are never inherited members.
 */
export class JsonChecker {
  constructor(readonly file: string) {}

  fail(where: string, expected: string, got: unknown): never {
    const shown = got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 80) ?? String(got);
    throw new ModelFormatError(`${this.file}: "${where}" must be ${expected}, got ${shown}`);
  }

  /** Own property `key` of `o` (undefined when absent). */
  static field(o: Record<string, unknown>, key: string): unknown {
    return Object.hasOwn(o, key) ? o[key] : undefined;
  }

  object(v: unknown, where: string): Record<string, unknown> {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(where, 'an object', v);
    return v as Record<string, unknown>;
  }

  array(v: unknown, where: string): unknown[] {
    if (!Array.isArray(v)) this.fail(where, 'a list', v);
    return v;
  }

  string(v: unknown, where: string, pattern?: RegExp): string {
    if (typeof v !== 'string' || (pattern && !pattern.test(v))) this.fail(where, pattern ? `a string matching ${pattern}` : 'a string', v);
    return v;
  }

  int(v: unknown, where: string, min = 0, max = MAX_COUNT): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.fail(where, `an integer in [${min}, ${max}]`, v);
    return v;
  }

  number(v: unknown, where: string, min: number, max: number): number {
    if (typeof v !== 'number' || !(v >= min && v <= max)) this.fail(where, `a number in [${min}, ${max}]`, v);
    return v;
  }

  /**
   * Run a params validator (which throws {@link UsageError} for a bad value, a CLI exit 2) on
   * params read from this file: its complaint becomes a {@link ModelFormatError} naming the file.
   */
  params<T>(validate: (p: Record<string, unknown>) => T, params: Record<string, unknown>): T {
    try {
      return validate(params);
    } catch (e) {
      if (e instanceof UsageError) throw new ModelFormatError(`${this.file}: "params": ${e.message}`);
      throw e;
    }
  }
}

/**
 * Validate a parsed `manifest.json` against the schema of formats 1 and 2 (format 2: its
 * checksum first, so any edit is caught whatever it changed).
 */
export function validateManifest(json: unknown, file: string): Manifest {
  const c = new JsonChecker(file);
  const f = JsonChecker.field;
  if (json === null || typeof json !== 'object' || Array.isArray(json) || f(json as Record<string, unknown>, 'format') !== MODEL_FORMAT) {
    const format = json !== null && typeof json === 'object' ? f(json as Record<string, unknown>, 'format') : undefined;
    throw new ModelFormatError(`${file}: not an xmlc model manifest (format is ${JSON.stringify(format)}, expected "${MODEL_FORMAT}")`);
  }
  const o = json as Record<string, unknown>;
  const version = f(o, 'formatVersion');
  if (typeof version !== 'number' || !READABLE_VERSIONS.includes(version)) {
    throw new ModelFormatError(`${file}: model format version ${JSON.stringify(version)} is not supported by this xmlc (it reads versions ${READABLE_VERSIONS.join(' and ')}); retrain the model`);
  }
  if (version >= 2) {
    const sum = c.string(f(o, 'manifestSha256'), 'manifestSha256', /^[0-9a-f]{64}$/);
    if (sum !== manifestChecksum(o)) throw new ModelFormatError(`${file} is corrupt or was edited (its checksum "manifestSha256" does not match its content)`);
  }
  const data = c.object(f(o, 'data'), 'data');
  const files = new Map<string, FileEntry>();
  for (const [name, v] of Object.entries(c.object(f(o, 'files'), 'files'))) {
    c.string(name, 'files (a name)', FILE_NAME);
    if (name === 'manifest.json') c.fail('files', 'model files other than manifest.json', name);
    if (version === 1) files.set(name, { sha256: c.string(v, `files.${name}`, /^[0-9a-f]{64}$/) });
    else {
      const e = c.object(v, `files.${name}`);
      files.set(name, { sha256: c.string(f(e, 'sha256'), `files.${name}.sha256`, /^[0-9a-f]{64}$/), bytes: c.int(f(e, 'bytes'), `files.${name}.bytes`, 0, Number.MAX_SAFE_INTEGER) });
    }
  }
  const extra = f(o, 'extra'), backend = f(o, 'backend'), text = f(o, 'text'), rerank = f(o, 'rerank'), mix = f(o, 'mix'), features = f(o, 'features');
  return {
    format: MODEL_FORMAT,
    formatVersion: version,
    xmlcVersion: c.string(f(o, 'xmlcVersion'), 'xmlcVersion'),
    method: c.string(f(o, 'method'), 'method'),
    createdAt: c.string(f(o, 'createdAt'), 'createdAt'),
    root: version === 1 ? '' : c.string(f(o, 'root'), 'root', VERSION_DIR),
    data: {
      nPoints: c.int(f(data, 'nPoints'), 'data.nPoints'),
      nFeatures: c.int(f(data, 'nFeatures'), 'data.nFeatures'),
      nLabels: c.int(f(data, 'nLabels'), 'data.nLabels'),
    },
    params: c.object(f(o, 'params'), 'params'),
    files,
    ...(extra !== undefined ? { extra: c.object(extra, 'extra') } : {}),
    ...(backend !== undefined ? { backend: c.string(backend, 'backend', BACKEND_NAME) } : {}),
    ...(text !== undefined ? { text: c.object(text, 'text') } : {}),
    ...(rerank !== undefined ? { rerank: c.object(rerank, 'rerank') } : {}),
    ...(mix !== undefined ? { mix: c.object(mix, 'mix') } : {}),
    ...(features !== undefined ? { features: c.object(features, 'features') } : {}),
  };
}

/** A backend's name as recorded in a manifest. */
const BACKEND_NAME = /^[a-z][a-z0-9-]{0,31}$/;
