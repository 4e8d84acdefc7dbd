import { promises as fs } from 'node:fs';
import { DATA_DIR_ENV, resolveDataArg, resolveDataDir } from '../datasets/fetch.js';
import type { Argv, Options } from 'yargs';
import { BUNDLED_BIBTEX } from '../src/data/bundled.js';
import { type Dataset, readDataset, readDatasetStream, type ReadOptions } from '../src/data/index.js';
import { readTextDataset, type TextDataset, type TextFormat, textFormatOf, type TextReadOptions } from '../src/data/text_reader.js';
import { BACKEND_CHOICES, BACKENDS, type BackendChoice } from '../src/engine/backend_names.js';
import { UsageError } from '../src/errors.js';
import { describeNumeric, inRange, type NumericSpec, showValue } from '../src/model/params.js';
import type { ProgressFn } from '../src/progress.js';
import { note } from './progress.js';
import { writeFileAtomic } from '../src/util/atomic.js';
import { readRegularFile } from '../src/util/regular_file.js';

/** Options every command that reads data accepts. */
export interface DataArgs {
  format: 'auto' | 'bow' | 'libsvm' | TextFormat;
  'text-field'?: string;
  'labels-field'?: string;
  'id-field'?: string;
  separator?: string;
  'label-separator'?: string;
  'skip-invalid'?: boolean;
  'feature-base'?: number;
  'label-base'?: number;
  'data-dir'?: string;
  quiet: boolean;
  verbose: boolean;
}

/** Adds the data-format options to a command. */
export function withDataOptions<T>(y: Argv<T>): Argv<T & DataArgs> {
  return y
    .option('format', { choices: ['auto', 'bow', 'libsvm', 'jsonl', 'csv', 'tsv'] as const, default: 'auto' as const, describe: 'input format: BoW (header `N D L`) or LIBSVM multi-label (no header), or text: JSONL, CSV, TSV; auto: text by the file name (.jsonl, .ndjson, .csv, .tsv), else BoW/LIBSVM by the first line', group: 'Data:' })
    .option('text-field', { type: 'string', requiresArg: true, describe: 'text data: the field (JSONL) or column (CSV/TSV) of the text', defaultDescription: 'text', group: 'Text data:' })
    .option('labels-field', { type: 'string', requiresArg: true, describe: 'text data: the field of the label names (JSONL: a list of strings; CSV/TSV: one column, names split by --label-separator)', defaultDescription: 'labels', group: 'Text data:' })
    .option('id-field', { type: 'string', requiresArg: true, describe: 'text data: an id field or column, written with each document\'s predictions', group: 'Text data:' })
    .option('separator', { type: 'string', requiresArg: true, describe: 'CSV/TSV: the field separator (one character)', defaultDescription: ', (CSV) or a tab (TSV)', group: 'Text data:' })
    .option('label-separator', { type: 'string', requiresArg: true, describe: 'CSV/TSV: what separates label names in the labels column', defaultDescription: '|', group: 'Text data:' })
    .option('skip-invalid', { type: 'boolean', describe: 'text data: skip invalid records (counted on stderr) instead of stopping at the first', group: 'Text data:' })
    .option(...numericFlag('feature-base', ID_BASE, { describe: 'LIBSVM only: id of the first feature', defaultDescription: '1', group: 'Data:' }))
    .option(...numericFlag('label-base', ID_BASE, { describe: 'LIBSVM only: id of the first label', defaultDescription: '0', group: 'Data:' }))
    .option('data-dir', { type: 'string', describe: `where registered datasets live: a data argument may be a dataset name (Bibtex, Bibtex:test, EURLex-4K, …; see xmlc datasets list)`, defaultDescription: `$${DATA_DIR_ENV}, else ~/.cache/xmlc/datasets`, group: 'Data:' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress output on stderr' })
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'also say on stderr how long each stage took (read, encoder training, regression, index, decoder weight, save)' }) as Argv<T & DataArgs>;
}

/** The data argument that means standard input, and the name it has in messages. */
export const STDIN_ARG = '-';

/**
 * yargs reads a lone `-` as a flag without a name, so `stats -` and `--train -` lose it
 * (yargs/yargs#1312, yargs/yargs-parser#381). {@link hideDash} swaps it for a token no real
 * argument can be (it holds a NUL) before parsing, {@link restoreDash} swaps it back after.
 */
const DASH_TOKEN = '\u0000-';
/** `argv` with every lone `-` replaced by a token yargs keeps as a plain value. */
export function hideDash(argv: readonly string[]): string[] {
  return argv.map((a) => (a === '-' ? DASH_TOKEN : a));
}
/** yargs middleware: the token of {@link hideDash} back to `-` in every parsed value. */
export function restoreDash(parsed: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(parsed)) {
    if (v === DASH_TOKEN) parsed[k] = '-';
    else if (Array.isArray(v)) parsed[k] = v.map((x) => (x === DASH_TOKEN ? '-' : x));
  }
}
const STDIN_NAME = '<stdin>';
let stdinTaken = false;

/** How the command's data options (`--format`, `--feature-base`, `--label-base`) say to parse a data file. */
export function parseOptionsOf(args: DataArgs): Pick<ReadOptions, 'format' | 'featureBase' | 'labelBase'> {
  return {
    format: isTextFormat(args.format) ? 'auto' : args.format,
    ...(args['feature-base'] !== undefined ? { featureBase: args['feature-base'] } : {}),
    ...(args['label-base'] !== undefined ? { labelBase: args['label-base'] } : {}),
  };
}

/**
 * Read a data file with the command's data options, reporting progress. `-` reads standard
 * input (streamed; gzip is detected there too), at most once per process. A registered dataset
 * name (`NAME`, `NAME:train|test`) is resolved here, once (datasets/fetch.ts `resolveDataArg`):
 * a bare `NAME` means its `split`.
 */
export async function loadData(arg: string, args: DataArgs, onProgress: ProgressFn, extra: Partial<ReadOptions> = {}, split: 'train' | 'test' = 'train'): Promise<Dataset> {
  const stdin = arg === STDIN_ARG;
  if (stdin && stdinTaken) throw new UsageError(`only one data argument can be '-' (standard input is read once)`);
  stdinTaken ||= stdin;
  const file = stdin ? STDIN_NAME : await resolveDataArg(arg, split, resolveDataDir(args['data-dir']));
  const opts: ReadOptions = { ...parseOptionsOf(args), ...extra };
  return readTask(file, onProgress, (task) => (stdin
    ? readDatasetStream(process.stdin, file, opts)
    : readDataset(file, { ...opts, onProgress: (done, total) => onProgress({ status: 'progress', task, done, total }) })),
  (ds) => `${ds.features.nRows} points, ${ds.features.nCols} features, ${ds.labels.nCols} labels`);
}

/** Run `read` as the task `read FILE`, reported to `onProgress` (start, then done with `detail` of what was read). */
async function readTask<T>(file: string, onProgress: ProgressFn, read: (task: string) => Promise<T>, detail: (data: T) => string): Promise<T> {
  const t0 = performance.now();
  const task = `read ${file}`;
  onProgress({ status: 'start', task });
  const data = await read(task);
  onProgress({ status: 'done', task, seconds: (performance.now() - t0) / 1000, detail: detail(data) });
  return data;
}

/** Whether a `--format` is a text format. */
export function isTextFormat(f: string): f is TextFormat {
  return f === 'jsonl' || f === 'csv' || f === 'tsv';
}

/** The text format of a data argument (by --format, else by its file name), or undefined for BoW/LIBSVM data. */
export function textFormatOfArg(file: string | undefined, args: Pick<DataArgs, 'format'>): TextFormat | undefined {
  if (isTextFormat(args.format)) return args.format;
  if (args.format !== 'auto' || file === undefined || file === STDIN_ARG) return undefined;
  return textFormatOf(file);
}

/** The text read options of the command's flags. */
export function textReadOptionsOf(args: DataArgs, format: TextFormat, requireLabels: boolean): TextReadOptions {
  return {
    format, requireLabels,
    ...(args['text-field'] !== undefined ? { textField: args['text-field'] } : {}),
    ...(args['labels-field'] !== undefined ? { labelsField: args['labels-field'] } : {}),
    ...(args['id-field'] !== undefined ? { idField: args['id-field'] } : {}),
    ...(args.separator !== undefined ? { separator: args.separator } : {}),
    ...(args['label-separator'] !== undefined ? { labelSeparator: args['label-separator'] } : {}),
    ...(args['skip-invalid'] ? { skipInvalid: true } : {}),
  };
}

/**
 * Read a text dataset (JSONL, CSV, TSV) named by a data argument, reporting progress and, with
 * --skip-invalid, the records skipped.
 */
export async function loadTextData(arg: string, format: TextFormat, args: DataArgs & { quiet: boolean }, onProgress: ProgressFn, requireLabels: boolean, split: 'train' | 'test' = 'train'): Promise<TextDataset> {
  if (arg === STDIN_ARG) throw new UsageError('text data is read from a file, not standard input');
  const file = await resolveDataArg(arg, split, resolveDataDir(args['data-dir']));
  const ds = await readTask(file, onProgress, () => readTextDataset(file, textReadOptionsOf(args, format, requireLabels)), (d) => `${d.texts.length} documents`);
  if (ds.skipped > 0) note(args.quiet, `${file}: skipped ${ds.skipped} invalid record${ds.skipped > 1 ? 's' : ''} (--skip-invalid); the first: ${ds.firstSkipped!}`);
  return ds;
}

/**
 * The data of a `--train` / `--test` option: the named file or dataset (a bare dataset name
 * means that split of it), or the bundled Bibtex split when none was named (with a note on stderr).
 */
export async function loadSplit(file: string | undefined, split: 'train' | 'test', args: DataArgs & { quiet: boolean }, onProgress: ProgressFn, extra: Partial<ReadOptions> = {}): Promise<Dataset> {
  if (file === undefined) note(args.quiet, `no --${split} file named: using the bundled Bibtex ${split} split (${BUNDLED_BIBTEX[split]})`);
  return loadData(file ?? BUNDLED_BIBTEX[split], args, onProgress, extra, split);
}

/** Largest `--params` file read. */
const PARAMS_FILE_MAX_BYTES = 1 << 20;

/** Parse a JSON parameters file (`--params FILE.json`): must hold one object. */
export async function readParamsFile(file: string | undefined): Promise<Record<string, unknown>> {
  if (file === undefined) return {};
  // A regular file of at most 1 MiB (a device or FIFO would never end or block).
  const bytes = await readRegularFile(file, (detail) => new UsageError(`parameters file ${file} ${detail}`), { maxBytes: PARAMS_FILE_MAX_BYTES });
  const text = Buffer.from(bytes).toString('utf8');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: invalid JSON (${(e as Error).message})`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new UsageError(`${file}: expected one JSON object of parameters`);
  return v as Record<string, unknown>;
}

/**
 * Write a command's result: to stdout when `out` is undefined or `-` (waits until the data is
 * handed to the OS), else to the file `out` through {@link writeFileAtomic} (temp file + rename
 * for a new path or a regular file; a symlink, device or FIFO is written through in place).
 */
export async function writeOutput(out: string | undefined, text: string | Uint8Array): Promise<void> {
  if (out === undefined || out === '-') {
    await new Promise<void>((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve())));
    return;
  }
  await writeFileAtomic(out, text);
}

/** A metric (a fraction in [0, 1], the library's unit) as the percentage the CLI prints, with two decimals. */
export function pct(x: number): string {
  return (100 * x).toFixed(2);
}

/** LIBSVM id bases: 0 or more. */
const ID_BASE: NumericSpec = Object.freeze({ int: true, min: 0 });

/**
 * The value of a numeric flag if it fits `spec`: the one check every numeric flag of every
 * command goes through (as a yargs `coerce`, see {@link numericFlag}).
 * @throws UsageError `--k must be a positive integer but got "abc"`.
 */
export function checkNumericFlag(flag: string, v: unknown, spec: NumericSpec): number {
  if (Array.isArray(v)) throw new UsageError(`--${flag} was given ${v.length} times (${v.map(showValue).join(', ')}); give it once`);
  const n = inRange(v, spec);
  if (n === undefined) throw new UsageError(`--${flag} must be ${describeNumeric(spec)} but got ${showValue(v)}`);
  return n;
}

/**
 * A numeric option for `.option(...numericFlag('k', PARAM_SPECS.k, { describe }))`: it needs a
 * value, and the value must fit `spec` (else exit 2 naming the flag, the range and the token).
 * No yargs `type`, so a token that is not a number reaches the check as the user wrote it.
 */
export function numericFlag<K extends string>(flag: K, spec: NumericSpec, opts: Omit<Options, 'type' | 'coerce'>): [K, Options] {
  return [flag, { ...opts, requiresArg: true, coerce: (v: unknown) => (v === undefined ? v : checkNumericFlag(flag, v, spec)) }];
}

/** The `--backend` and `--threads` options of commands that compute. */
export interface BackendArgs { backend: BackendChoice; threads?: number }

/** `--threads`: 1 or more. */
export const THREADS_SPEC: NumericSpec = Object.freeze({ int: true, min: 1, max: 4096 });

/** Adds `--backend` and `--threads`. */
export function withBackendOption<T>(y: Argv<T>): Argv<T & BackendArgs> {
  return y.option('backend', {
    choices: BACKEND_CHOICES, default: 'auto' as BackendChoice,
    describe: `compute backend: auto picks the first that loads of ${BACKENDS.join(', ')} (tensorflow: tfjs-node or tfjs-node-gpu; native: the OpenBLAS addon)`,
  })
    .option(...numericFlag('threads', THREADS_SPEC, { describe: 'compute threads (OpenBLAS, OpenMP, libtensorflow)', defaultDescription: 'all cores, or $OMP_NUM_THREADS / $OPENBLAS_NUM_THREADS' })) as Argv<T & BackendArgs>;
}

/**
 * Set the compute threads to `--threads` and say on stderr how many the addon uses. Without the
 * flag the libraries keep their own default: every core, unless $OMP_NUM_THREADS or
 * $OPENBLAS_NUM_THREADS says otherwise.
 */
export async function applyThreads(args: { threads?: number; quiet: boolean }): Promise<void> {
  if (args.threads === undefined) return;
  const { setThreads } = await import('../src/engine/threads.js');
  const r = setThreads(args.threads);
  if (r) note(args.quiet, `threads: ${r.blas} BLAS, ${r.openmp} OpenMP`);
}

/**
 * Prepare to compute with a model: one that makes no tensors (`needsTensors` false, e.g. kNN)
 * needs the threads set, not a tensor backend (nor the memory of loading one); any other gets
 * {@link applyBackend}.
 */
export async function applyCompute(args: BackendArgs & { threads?: number; quiet: boolean }, needsTensors: boolean): Promise<void> {
  if (needsTensors) await applyBackend(args);
  else await applyThreads(args);
}

/** Set the threads, activate the chosen backend; say on stderr which one and why better ones were skipped. */
export async function applyBackend(args: BackendArgs & { quiet: boolean }): Promise<string> {
  await applyThreads(args);
  const { useBackend } = await import('../src/engine/backends.js');
  const { name, notes } = await useBackend(args.backend);
  for (const n of notes) note(args.quiet, n);
  note(args.quiet, `backend: ${name}`);
  return name;
}
