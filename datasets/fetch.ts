/**
 * Getting a registered dataset onto the machine: download its archive (resuming a partial
 * download with an HTTP Range request), unpack the standard train/test split, verify the counts
 * against the registry, and only then move the files into place — a failure at any step leaves
 * the data directory as it was (a partial download is kept as `<Name>.zip.part` for resuming;
 * a corrupt archive is removed).
 */
import { constants as bufferConstants } from 'node:buffer';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { nnz } from '../src/data/csr.js';
import { type Dataset } from '../src/data/parser.js';
import { readDataset } from '../src/data/reader.js';
import { UsageError, XmlcError } from '../src/errors.js';
import { type ProgressFn, task } from '../src/progress.js';
import { writeDirAtomic } from '../src/util/atomic.js';
import { type DatasetInfo, DATASETS, findDataset, maxFileBytes } from './registry.js';
import { ArchiveError, extractZipEntry, listZip, type ZipEntry } from './zip.js';

const MAX_STRING_LENGTH = bufferConstants.MAX_STRING_LENGTH;

/** Environment variable naming the data directory when `--data-dir` is not given. */
export const DATA_DIR_ENV = 'XMLC_DATA_DIR';

/** The data directory: the given one, else $XMLC_DATA_DIR, else a cache directory under the user's home. */
export function resolveDataDir(given?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (given) return path.resolve(given);
  if (env[DATA_DIR_ENV]) return path.resolve(env[DATA_DIR_ENV]!);
  const cache = env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache');
  return path.join(cache, 'xmlc', 'datasets');
}

/** Where the split files of a dataset live in a data directory: `<dataDir>/<Name>/<Name>_train.txt` and `_test.txt`. */
export function splitPath(dataDir: string, info: DatasetInfo, split: 'train' | 'test'): string {
  return path.join(dataDir, info.name, `${info.name}_${split}.txt`);
}

/** One check of {@link verifyDataset}. */
export interface VerifyCheck {
  /** What was counted: `'train points'`, `'test points'`, `'features'`, `'labels'` or `'labels per point'`. */
  readonly what: string;
  /** The registry's count. */
  readonly expected: number;
  /** The count in the files read. */
  readonly actual: number;
  /** Whether they agree (exactly; labels per point within the repository's rounding). */
  readonly ok: boolean;
}

/** Compare read splits with the registry's official counts. */
export function checkCounts(info: DatasetInfo, train: Dataset, test: Dataset): VerifyCheck[] {
  const s = info.stats;
  // The repository's averages are over all points for some sets and over the training points
  // for others (Wiki10-31K, AmazonCat-13K): either may match.
  const lppAll = (nnz(train.labels) + nnz(test.labels)) / Math.max(1, train.labels.nRows + test.labels.nRows);
  const lppTrain = nnz(train.labels) / Math.max(1, train.labels.nRows);
  const lpp = Math.abs(lppAll - s.labelsPerPoint) <= Math.abs(lppTrain - s.labelsPerPoint) ? lppAll : lppTrain;
  const exact = (what: string, expected: number, actual: number): VerifyCheck => ({ what, expected, actual, ok: expected === actual });
  return [
    exact('train points', s.train, train.features.nRows),
    exact('test points', s.test, test.features.nRows),
    exact('features', s.features, Math.max(train.features.nCols, test.features.nCols)),
    exact('labels', s.labels, Math.max(train.labels.nCols, test.labels.nCols)),
    // The repository rounds to two decimals; 1% leaves room for its rounding, nothing more.
    { what: 'labels per point', expected: s.labelsPerPoint, actual: Number(lpp.toFixed(2)), ok: Math.abs(lpp - s.labelsPerPoint) <= 0.01 * s.labelsPerPoint + 0.005 },
  ];
}

/**
 * Read both splits of `name` from `dataDir` and check them against the registry's counts.
 * Throws `UsageError` for an unknown name, `XmlcError` when a split file is missing (the message
 * says how to fetch it) and `DataFormatError` for a malformed file.
 */
export async function verifyDataset(name: string | DatasetInfo, dataDir: string, onProgress?: ProgressFn): Promise<{
  /** The registry entry checked against. */
  info: DatasetInfo;
  /** Every count compared. */
  checks: VerifyCheck[];
  /** Whether every check passed. */
  ok: boolean;
}> {
  const info = typeof name === 'string' ? requireDataset(name) : name;
  const files = (['train', 'test'] as const).map((s) => splitPath(dataDir, info, s));
  for (const f of files) {
    try { await fs.access(f); } catch { throw new XmlcError(`${info.name} is not in ${dataDir} (no ${f}); run: xmlc datasets fetch ${info.name}${dataDir === resolveDataDir() ? '' : ` --data-dir ${dataDir}`}`); }
  }
  const checks = await task(onProgress, `verify ${info.name}`, undefined, () => readAndCheck(info, files[0]!, files[1]!));
  return { info, checks, ok: checks.every((c) => c.ok) };
}

/** Read a train and a test file (the test with the train's dimensions) and check them against the registry. */
async function readAndCheck(info: DatasetInfo, trainFile: string, testFile: string): Promise<VerifyCheck[]> {
  const train = await readDataset(trainFile);
  const test = await readDataset(testFile, { nFeatures: train.features.nCols, nLabels: train.labels.nCols });
  return checkCounts(info, train, test);
}

/** The registry entry of `name`, or a usage error listing the known names. */
export function requireDataset(name: string): DatasetInfo {
  const info = findDataset(name);
  if (!info) throw new UsageError(`unknown dataset '${name}'; known: ${Object.keys(DATASETS).join(', ')} (xmlc datasets list)`);
  return info;
}

/** Options of {@link fetchDataset}. */
export interface FetchOptions {
  /** Directory the dataset is unpacked into, as `<dataDir>/<Name>/`. */
  readonly dataDir: string;
  /** Download from here instead of the registry's URL (a mirror, or a test server). */
  readonly url?: string;
  /** Use this already-downloaded archive instead of downloading. */
  readonly archive?: string;
  /** Fetch again even when a verified copy is present. */
  readonly force?: boolean;
  /** Receives download, unpack and read progress. */
  readonly onProgress?: ProgressFn;
}

/** Download `url` to `dest`, resuming from `dest.part`. */
async function download(url: string, dest: string, onProgress?: ProgressFn): Promise<void> {
  const part = `${dest}.part`;
  let have = 0;
  try { have = (await fs.stat(part)).size; } catch { /* no partial download */ }
  let res: Response;
  try {
    res = await fetch(url, have > 0 ? { headers: { Range: `bytes=${have}-` } } : {});
  } catch (e) {
    const cause = (e as { cause?: Error }).cause?.message ?? (e as Error).message;
    throw new XmlcError(`cannot download ${url}: ${cause}`);
  }
  if (res.status === 416 && have > 0) {
    // The partial file already holds everything the server has.
    await res.body?.cancel();
    await fs.rename(part, dest);
    return;
  }
  if (!(res.status === 200 || res.status === 206)) {
    await res.body?.cancel();
    throw new XmlcError(`cannot download ${url}: HTTP ${res.status} ${res.statusText}`);
  }
  if ((res.headers.get('content-type') ?? '').startsWith('text/html')) {
    await res.body?.cancel();
    throw new XmlcError(`${url} returned a web page, not the archive (a download quota or a confirmation page); download the archive by hand and run: xmlc datasets fetch NAME --archive FILE`);
  }
  const resumed = res.status === 206;
  if (!resumed) have = 0;
  const length = Number(res.headers.get('content-length') ?? NaN);
  const total = Number.isFinite(length) ? have + length : undefined;
  const name = `download ${path.basename(dest)}${resumed ? ` (resuming at ${have} bytes)` : ''}`;
  await task(onProgress, name, total, async (tick) => {
    let got = have;
    const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
    // Each chunk is written before the next is read, so an interrupted download keeps every byte
    // it received in the .part file (a piped write stream would drop its pending writes on error).
    const out = await fs.open(part, resumed ? 'a' : 'w');
    try {
      for await (const c of body) {
        await out.write(c as Uint8Array);
        got += (c as Uint8Array).length;
        tick(Math.min(got, total ?? got));
      }
    } catch (e) {
      throw new XmlcError(`the download of ${url} was interrupted after ${got} bytes${total ? ` of ${total}` : ''} (${(e as Error).message}); run the same command again to resume`);
    } finally {
      await out.close();
    }
    if (total !== undefined && got !== total) {
      throw new XmlcError(`the download of ${url} ended after ${got} of ${total} bytes; run the same command again to resume`);
    }
  });
  await fs.rename(part, dest);
}

/** The archive entry whose base name is `base` (case-insensitive). */
function entryNamed(entries: ZipEntry[], base: string, archive: string): ZipEntry {
  const want = base.toLowerCase();
  const e = entries.find((x) => path.posix.basename(x.name).toLowerCase() === want && !x.name.endsWith('/'));
  if (!e) throw new ArchiveError(`${archive}: has no file ${base} (it holds ${entries.map((x) => x.name).slice(0, 10).join(', ')}${entries.length > 10 ? ', …' : ''})`);
  return e;
}

/**
 * Rows of a split from the repository's `<Name>_data.txt` (header `N D L`, then one line per
 * point) and a split file (one row per line, whitespace-separated columns of 1-based row numbers).
 */
export function selectSplit(dataText: string, splitText: string, column: number, source: { data: string; split: string }): string {
  const lines = dataText.split(/\r?\n/);
  const header = (lines[0] ?? '').trim().split(/\s+/);
  const n = Number(header[0]);
  if (header.length !== 3 || !Number.isInteger(n) || n < 0) throw new ArchiveError(`${source.data}:1: expected the header "points features labels" but got "${lines[0]}"`);
  const out: string[] = [];
  const splitLines = splitText.split(/\r?\n/);
  splitLines.forEach((line, i) => {
    if (!line.trim()) return;
    const cols = line.trim().split(/\s+/);
    const v = Number(cols[column]);
    if (cols[column] === undefined || !Number.isInteger(v) || v < 1 || v > n) {
      throw new ArchiveError(`${source.split}:${i + 1}: expected a row number from 1 to ${n} in column ${column + 1} but got "${cols[column] ?? ''}"`);
    }
    out.push(lines[v]!);
  });
  return `${out.length} ${header[1]} ${header[2]}\n${out.join('\n')}\n`;
}

/** An unpacked file as text; one too long for a string is an archive error, not V8's "Invalid string length". */
async function readText(file: string, archive: string): Promise<string> {
  const { size } = await fs.stat(file);
  if (size > MAX_STRING_LENGTH) throw new ArchiveError(`${archive}: ${path.basename(file)} holds ${size} bytes, more than this dataset's layout can be split in memory (${MAX_STRING_LENGTH})`);
  return fs.readFile(file, 'utf8');
}

/**
 * Download (or take `archive`), unpack and verify `name` (a registered name, or an entry of
 * one's own shape) into `<dataDir>/<Name>/`. Returns the
 * split files. Already present and verified: nothing is downloaded (unless `force`).
 * @example
 * ```ts
 * const { train, test } = await fetchDataset('Bibtex', { dataDir: 'data' });
 * const ds = await readDataset(train);
 * ```
 */
export async function fetchDataset(name: string | DatasetInfo, opts: FetchOptions): Promise<{
  /** The registry entry fetched. */
  info: DatasetInfo;
  /** Path of the training split file. */
  train: string;
  /** Path of the test split file. */
  test: string;
  /** The counts checked after unpacking (or of the copy already present). */
  checks: VerifyCheck[];
  /** False when a verified copy was already present and nothing was downloaded. */
  fetched: boolean;
}> {
  const info = typeof name === 'string' ? requireDataset(name) : name;
  const { dataDir, onProgress } = opts;
  const files = { train: splitPath(dataDir, info, 'train'), test: splitPath(dataDir, info, 'test') };
  if (!opts.force) {
    try {
      const v = await verifyDataset(info, dataDir, onProgress);
      if (v.ok) return { info, ...files, checks: v.checks, fetched: false };
    } catch { /* absent or unreadable: fetch it */ }
  }
  await fs.mkdir(dataDir, { recursive: true });
  let archive = opts.archive;
  const downloaded = archive === undefined;
  if (archive === undefined) {
    archive = path.join(dataDir, `${info.name}.zip`);
    try { await fs.access(archive); } catch { await download(opts.url ?? info.url, archive, onProgress); }
  }
  let checks: VerifyCheck[] = [];
  try {
    await writeDirAtomic(path.join(dataDir, info.name), async (tmp) => {
      const entries = await listZip(archive);
      const layout = info.layout;
      // Each file is held to the registry's bound on its size (and the default ratio limit) while it inflates.
      const bounds = maxFileBytes(info);
      const extract = (name: string, dest: string): Promise<void> => extractZipEntry(archive, entryNamed(entries, name, archive), dest, { maxBytes: bounds[name]! });
      await task(onProgress, `unpack ${path.basename(archive)}`, undefined, async () => {
        if (layout.kind === 'train-test') {
          await extract(layout.train, path.join(tmp, path.basename(files.train)));
          await extract(layout.test, path.join(tmp, path.basename(files.test)));
        } else {
          const raw = path.join(tmp, '.raw');
          await fs.mkdir(raw);
          for (const f of [layout.data, layout.trainSplit, layout.testSplit]) await extract(f, path.join(raw, f));
          const data = await readText(path.join(raw, layout.data), archive);
          for (const [split, file] of [['train', layout.trainSplit], ['test', layout.testSplit]] as const) {
            const text = selectSplit(data, await readText(path.join(raw, file), archive), layout.column, { data: layout.data, split: file });
            await fs.writeFile(path.join(tmp, path.basename(files[split])), text);
          }
          await fs.rm(raw, { recursive: true });
        }
      });
      checks = await readAndCheck(info, path.join(tmp, path.basename(files.train)), path.join(tmp, path.basename(files.test)));
      const bad = checks.filter((c) => !c.ok);
      if (bad.length) {
        throw new ArchiveError(`${archive}: the unpacked ${info.name} does not match the registry: ${bad.map((c) => `${c.what} ${c.actual} (expected ${c.expected})`).join('; ')}`);
      }
    });
  } catch (e) {
    // A complete but bad archive would fail the same way again: remove what we downloaded.
    if (e instanceof ArchiveError && downloaded) await fs.rm(archive, { force: true });
    throw e instanceof ArchiveError ? new XmlcError(`${e.message}${downloaded ? ' — the archive was removed; run the command again to download it anew' : ''}`) : e;
  }
  if (downloaded) await fs.rm(archive, { force: true });
  return { info, ...files, checks, fetched: true };
}

/** The registered dataset a data argument `NAME` or `NAME:train|test` names (case-insensitive), with the split if given. */
export function datasetArg(arg: string): { info: DatasetInfo; split?: 'train' | 'test' } | undefined {
  const m = /^([^:]+)(?::(train|test))?$/.exec(arg);
  const info = m ? findDataset(m[1]!) : undefined;
  if (!info) return undefined;
  return m![2] ? { info, split: m![2] as 'train' | 'test' } : { info };
}

/**
 * A data argument that may name a registered dataset: `NAME` (the split `split`) or
 * `NAME:train` / `NAME:test`, resolved in `dataDir`, else in the splits shipped with xmlc (Bibtex).
 * An existing file path always wins.
 */
export async function resolveDataArg(arg: string, split: 'train' | 'test', dataDir: string): Promise<string> {
  try { await fs.access(arg); return arg; } catch { /* not a file: maybe a dataset name */ }
  const named = datasetArg(arg);
  if (!named) return arg;
  const { info } = named;
  const file = splitPath(dataDir, info, named.split ?? split);
  try { await fs.access(file); } catch {
    if (info.bundled) return info.bundled[named.split ?? split];
    throw new XmlcError(`dataset ${info.name} is not in ${dataDir}; fetch it first: xmlc datasets fetch ${info.name} (or name the data directory with --data-dir or $${DATA_DIR_ENV})`);
  }
  return file;
}
