import type { Argv } from 'yargs';
import { datasetArg } from '../datasets/fetch.js';
import type { Csr } from '../src/data/csr.js';
import { UsageError } from '../src/errors.js';
import { evaluateAgainstTraining, evaluateRanking, METRIC_FAMILIES, type MetricFamily, PROPENSITY_FAMILIES } from '../src/metrics/index.js';
import { PROPENSITY_DEFAULTS } from '../src/metrics/propensity.js';
import { PARAM_SPECS, type NumericSpec } from '../src/model/params.js';
import { type Ranked, widenRanked } from '../src/ranking/topk.js';
import { checkNumericFlag, numericFlag, pct } from './common.js';
import { note } from './progress.js';

/** The cut-offs reported by default. */
export const REPORTED_KS = Object.freeze([1, 3, 5]);

/** Options of every metric report (`evaluate`, `test`, `run`). */
export interface ReportFlags {
  json: boolean;
  ks: readonly number[];
  /** Given: exactly these (a family that cannot be computed is an error); not given: every family that can be. */
  metrics?: readonly MetricFamily[];
  'propensity-a'?: number;
  'propensity-b'?: number;
}

/** Propensity constants: A > 0 and B > 0 (Jain et al. 2016; B > 0 keeps log(N_l + B) finite for N_l = 0). */
const PROPENSITY_SPEC: NumericSpec = Object.freeze({ int: false, min: 0, minOpen: true, max: 1e6 });

/** `--ks 1,3,5,10`: positive integers, each checked like any numeric flag. @throws UsageError */
export function parseKs(v: unknown): number[] {
  const text = Array.isArray(v) ? v.join(',') : String(v);
  const ks = text.split(',').map((t) => t.trim()).map((t) => checkNumericFlag('ks', /^[+-]?\d+$/.test(t) ? Number(t) : t, PARAM_SPECS.topK));
  return [...new Set(ks)];
}

/** `--metrics P,nDCG,PSP,PSnDCG,R`: family names (case-insensitive), in report order as given. @throws UsageError */
export function parseMetrics(v: unknown): MetricFamily[] {
  const text = Array.isArray(v) ? v.join(',') : String(v);
  const out: MetricFamily[] = [];
  for (const t of text.split(',').map((s) => s.trim())) {
    const f = METRIC_FAMILIES.find((m) => m.toLowerCase() === t.toLowerCase());
    if (!f) throw new UsageError(`--metrics: unknown metric ${JSON.stringify(t)} (known: ${METRIC_FAMILIES.join(', ')}). Example usage: --metrics P,nDCG,PSP`);
    if (!out.includes(f)) out.push(f);
  }
  return out;
}

/** Adds `--json`, `--ks`, `--metrics` and the propensity constants. */
export function withReportOptions<T>(y: Argv<T>): Argv<T & ReportFlags> {
  return y
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON object: every metric the table shows, keyed "P@1", …, in % (as the table); evaluate --model and test add predictSeconds and pointsPerSecond (the predict call alone)' })
    .option('ks', { type: 'string', default: REPORTED_KS.join(','), coerce: parseKs, describe: 'cut-offs k, comma-separated', group: 'Metrics:' })
    .option('metrics', { type: 'string', coerce: (v: unknown) => (v === undefined ? v : parseMetrics(v)), defaultDescription: METRIC_FAMILIES.join(','), describe: 'metric families, comma-separated: P (precision), nDCG, PSP, PSnDCG (propensity-scored), R (recall)', group: 'Metrics:' })
    .option(...numericFlag('propensity-a', PROPENSITY_SPEC, { defaultDescription: `${PROPENSITY_DEFAULTS.a}, or the registry's for a named dataset`, describe: 'propensity model constant A > 0 (Jain et al. 2016)', group: 'Metrics:' }))
    .option(...numericFlag('propensity-b', PROPENSITY_SPEC, { defaultDescription: `${PROPENSITY_DEFAULTS.b}, or the registry's for a named dataset`, describe: 'propensity model constant B > 0 (Jain et al. 2016)', group: 'Metrics:' })) as unknown as Argv<T & ReportFlags>;
}

/**
 * The propensity constants A, B: the flags, else the registry's for a test set named by its
 * dataset name (e.g. Wiki10-31K: 0.5, 0.4), else Jain et al.'s general {@link PROPENSITY_DEFAULTS}.
 */
export function propensityConstants(args: ReportFlags, test: string | undefined): { a: number; b: number } {
  const info = test !== undefined ? datasetArg(test)?.info : undefined;
  const d = info?.propensity ?? PROPENSITY_DEFAULTS;
  return { a: args['propensity-a'] ?? d.a, b: args['propensity-b'] ?? d.b };
}

/**
 * Keep row by row only the first `topK` labels and, with a `threshold`, only those scoring at
 * least it; the rest become padding (label −1, score −Infinity), the width is unchanged.
 */
export function limitRanked(r: Ranked, topK: number, threshold?: number): Ranked {
  const labels = r.labels.slice(), scores = r.scores.slice();
  for (let i = 0; i < r.nRows; i++) {
    for (let t = 0; t < r.k; t++) {
      const j = i * r.k + t;
      if (t >= topK || labels[j]! < 0 || (threshold !== undefined && !(scores[j]! >= threshold))) { labels[j] = -1; scores[j] = -Infinity; }
    }
  }
  return { nRows: r.nRows, k: r.k, labels, scores };
}

/**
 * Score ranked predictions against the test labels: the asked families at the asked cut-offs,
 * as fractions (the library's unit). PSP and PSnDCG need the training labels' frequencies
 * (propensities, Jain et al. 2016): without `trainLabels` they are left out with a note, or are a
 * usage error when `--metrics` named them.
 * @param ranked any width: a model ranks at most its labels, and the places beyond count as misses.
 */
export function scorePredictions(ranked: Ranked, truth: Csr, trainLabels: Csr | undefined, args: ReportFlags, propensity: { a: number; b: number }, quiet: boolean): Record<string, number> {
  ranked = widenRanked(ranked, Math.max(...args.ks));
  let metrics = args.metrics ?? METRIC_FAMILIES;
  if (!trainLabels) {
    const ps = metrics.filter((f) => PROPENSITY_FAMILIES.has(f));
    if (ps.length && args.metrics) throw new UsageError(`--metrics ${ps.join(',')} needs the training labels (propensities): give --train FILE`);
    if (ps.length) note(quiet, `${ps.join(' and ')} left out: propensities need the training labels (give --train FILE)`);
    metrics = metrics.filter((f) => !PROPENSITY_FAMILIES.has(f));
    return evaluateRanking(ranked, truth, { ks: args.ks, metrics });
  }
  return evaluateAgainstTraining(ranked, truth, trainLabels, { ks: args.ks, metrics, ...propensity });
}

/** How fast a model predicted the test set: the wall time of its predict call (loading and reading excluded). */
export interface PredictSpeed {
  /** Test points predicted. */
  readonly points: number;
  /** Seconds the model's predict call took. */
  readonly seconds: number;
}

/**
 * `predictSeconds` (unrounded, at least 1 µs so that the rate is finite) and `pointsPerSecond`
 * (points / predictSeconds, to one decimal) of a {@link PredictSpeed}.
 */
export function speedFields(speed: PredictSpeed): { predictSeconds: number; pointsPerSecond: number } {
  const predictSeconds = Math.max(speed.seconds, 1e-6);
  return { predictSeconds, pointsPerSecond: Number((speed.points / predictSeconds).toFixed(1)) };
}

/**
 * Print metrics (fractions, keyed `${family}@${k}`): a table of percentages, one row per family
 * and one column per cut-off, or with `json` one object holding every metric of the table, in
 * percent rounded to two decimals like the table. With `speed` (a model predicted the test set)
 * the JSON also holds `predictSeconds` and `pointsPerSecond`, and the table is followed by one
 * line with them.
 */
export function printMetrics(metrics: Record<string, number>, args: Pick<ReportFlags, 'json' | 'ks'>, speed?: PredictSpeed): void {
  const families = [...new Set(Object.keys(metrics).map((key) => key.split('@')[0]!))];
  const fields = speed && speedFields(speed);
  if (args.json) {
    const out: Record<string, number> = {};
    for (const f of families) for (const k of args.ks) out[`${f}@${k}`] = Number(pct(metrics[`${f}@${k}`]!));
    process.stdout.write(JSON.stringify(fields ? { ...out, ...fields } : out) + '\n');
    return;
  }
  const header = ['metric (%)', ...args.ks.map((k) => `@${k}`)];
  const lines = [header.map((h, i) => (i === 0 ? h.padEnd(12) : h.padStart(8))).join('')];
  for (const f of families) lines.push(f.padEnd(12) + args.ks.map((k) => pct(metrics[`${f}@${k}`]!).padStart(8)).join(''));
  if (fields) lines.push(`predicted ${speed!.points} points in ${fields.predictSeconds.toFixed(3)} s: ${Math.round(fields.pointsPerSecond)} points/s (model loading and data reading excluded)`);
  process.stdout.write(lines.join('\n') + '\n');
}
