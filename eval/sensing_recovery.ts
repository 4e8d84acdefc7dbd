/**
 * Reproduction of the recovery experiments of Wu et al., "Learning a Compressed Sensing
 * Measurement Matrix via Gradient Unrolling" (ICML 2019): Figure 2 (fraction of test vectors
 * recovered exactly, and RMSE, against the number of measurements m) and Table 2 (how many
 * measurements the learned matrix saves against a Gaussian one).
 *
 *   node dist/eval/sensing_recovery.js [--datasets synthetic1,synthetic2,synthetic3,Delicious,RCV1-sub2]
 *       [--ms 10,20,30] [--seeds 1] [--first-seed 2] [--methods gauss-l1pos,l1ae-l1pos,...] [--test-points N]
 *       [--out sensing_recovery] [--merge] [--cache DIR] [--depth T] [--epochs E] [--patience P] [--selection-points N] [--data-dir ../shared/datasets]
 *
 * Datasets: the paper's three synthetic sets (d = 1000, generated per seed: 6000 / 2000 / 2000),
 * Delicious label vectors (d = 983; its train file split 80/20 into train / validation, its
 * test file for testing) and RCV1-sub2 TF-IDF feature vectors (d = 47,236, the feature space of
 * the paper's RCV1; 6000 points split 4000 / 1000 / 1000). All vectors ℓ2-normalised.
 * Each learned network is selected for its use: the matrices used with ℓ1-min pos at the epoch
 * of best ℓ1-min pos recovery on validation vectors, the network whose own decoder is scored at
 * the epoch of best validation loss (src/model/learned_matrix.ts).
 * Methods (as in the paper's Figure 2): Gaussian + ℓ1-min pos, ℓ1-AE + ℓ1-min pos, the ℓ1-AE's
 * own decoder, PCA + ℓ1-min pos, simple AE + ℓ1-min pos, LBCS + ℓ1-min pos, Gaussian +
 * model-based CoSaMP pos (block-sparse sets only). A vector counts as recovered exactly when
 * ‖x − x̂‖₂ ≤ 1e-10; RMSE = √(mean ‖x − x̂‖₂²) as in the authors' code.
 * `--report-only` rewrites OUT.md and the plots from OUT.json without computing anything.
 * `--merge` keeps the rows of an earlier run's OUT.json that this run does not recompute.
 * `--cache DIR` keeps every trained ℓ1-AE / simple AE (eval/learned_cache.ts) so a sweep can
 * be resumed or re-scored without retraining.
 * Seeds: seed s generates the synthetic set (real sets: the split), the random matrices and the
 * networks' initialisation; seeds 2, 3, ... (`--first-seed`), since seed 1's synthetic1 chose
 * the training defaults. Writes eval/results/OUT.json, OUT.md and one SVG plot per dataset.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateSynthetic } from '../datasets/synthetic.js';
import { type Csr, normalizeRowsL2 } from '../src/data/csr.js';
import { readDataset } from '../src/data/index.js';
import { useBackend } from '../src/engine/backends.js';
import { splitRows } from '../src/encoders/train_loop.js';
import { type L1aeEncoder } from '../src/encoders/l1ae.js';
import { gaussianMatrix, lbcsMatrix, measureRows, type MeasurementMatrix, pcaMatrix } from '../src/sensing/matrices.js';
import { type SparsityModel } from '../src/sensing/iterative.js';
import { type SensingAeOptions } from '../src/sensing/ae_defaults.js';
import { recover, type RecoveryMethod, recoveryStats } from '../src/sensing/recover.js';
import { writeFileAtomic } from '../src/util/atomic.js';
import { dataDir, flag, opt, root } from './args.js';
import { type CachedLearned, learnCached } from './learned_cache.js';
import { lineChartSvg, type PlotPanel } from './svg_plot.js';

interface DatasetSpec {
  /** Measurement counts swept by default. */
  ms: number[];
  /** Test points used by default. */
  testPoints: number;
  /** Block-sparsity model for model-based CoSaMP (block-sparse sets). */
  model?: SparsityModel;
  load(seed: number): Promise<{ train: Csr; valid: Csr; test: Csr }>;
}

function rowsOf(x: Csr, rows: Int32Array): Csr {
  const rowPtr = new Int32Array(rows.length + 1);
  rows.forEach((r, i) => { rowPtr[i + 1] = rowPtr[i]! + x.rowPtr[r + 1]! - x.rowPtr[r]!; });
  const indices = new Int32Array(rowPtr[rows.length]!), values = new Float32Array(rowPtr[rows.length]!);
  rows.forEach((r, i) => {
    indices.set(x.indices.subarray(x.rowPtr[r]!, x.rowPtr[r + 1]!), rowPtr[i]!);
    values.set(x.values.subarray(x.rowPtr[r]!, x.rowPtr[r + 1]!), rowPtr[i]!);
  });
  return { nRows: rows.length, nCols: x.nCols, rowPtr, indices, values };
}

const synthetic = (name: string, model?: SparsityModel): DatasetSpec => ({
  ms: [10, 20, 30, 40, 50, 60, 70],
  testPoints: 2000,
  ...(model ? { model } : {}),
  load: async (seed) => {
    const s = generateSynthetic(name, { seed });
    return { train: s.train.features, valid: s.valid!.features, test: s.test.features };
  },
});

const DATASETS: Record<string, DatasetSpec> = {
  synthetic1: synthetic('synthetic1', { kind: 'block', blockSize: 10, blocks: 1 }),
  synthetic2: synthetic('synthetic2', { kind: 'block', blockSize: 5, blocks: 2 }),
  synthetic3: synthetic('synthetic3'),
  Delicious: {
    ms: [40, 80, 120, 160, 200],
    testPoints: 1000,
    load: async (seed) => {
      const tr = (await readDataset(path.join(dataDir, 'Delicious', 'Delicious_train.txt'))).labels;
      const te = (await readDataset(path.join(dataDir, 'Delicious', 'Delicious_test.txt'))).labels;
      const { train, valid } = splitRows(tr.nRows, 0.2, seed);
      return { train: rowsOf(tr, train), valid: rowsOf(tr, valid), test: te };
    },
  },
  'RCV1-sub2': {
    ms: [200, 400, 600, 800],
    testPoints: 100,
    load: async (seed) => {
      const all = (await readDataset(path.join(dataDir, 'RCV1-sub2', 'RCV1-sub2_all.txt'))).features;
      const { train: rest, valid: test } = splitRows(all.nRows, 1 / 6, seed);
      const restCsr = rowsOf(all, rest);
      const { train, valid } = splitRows(restCsr.nRows, 0.2, seed + 1);
      return { train: rowsOf(restCsr, train), valid: rowsOf(restCsr, valid), test: rowsOf(all, test) };
    },
  },
};

const METHODS = {
  'gauss-l1pos': 'Gauss + ℓ1-min pos',
  'l1ae-l1pos': 'ℓ1-AE + ℓ1-min pos',
  'l1ae-decoder': 'ℓ1-AE decoder',
  'pca-l1pos': 'PCA + ℓ1-min pos',
  'simple-ae-l1pos': 'simple AE + ℓ1-min pos',
  'lbcs-l1pos': 'LBCS + ℓ1-min pos',
  'gauss-model-cosamp-pos': 'Gauss + model-based CoSaMP pos',
} as const;
type MethodId = keyof typeof METHODS;

const list = (s: string): string[] => s.split(',').map((t) => t.trim()).filter((t) => t !== '');
const datasets = list(opt('datasets', Object.keys(DATASETS).join(',')));
const methods = list(opt('methods', Object.keys(METHODS).join(','))) as MethodId[];
const seeds = Number(opt('seeds', '1'));
// Seed 1's synthetic sets chose the learned matrices' training defaults (src/model/learned_matrix.ts): start at 2.
const firstSeed = Number(opt('first-seed', '2'));
const msOverride = list(opt('ms', '')).map(Number);
const testPointsOverride = opt('test-points', '');
const outName = opt('out', 'sensing_recovery');
/** Directory caching the trained encoders (none: train every time). */
const cacheDir = opt('cache', '');
/** Overrides of the learned matrices' training settings (src/sensing/ae_defaults.ts SENSING_AE_DEFAULTS). */
const aeOptions: Partial<SensingAeOptions> = {
  ...(opt('depth', '') ? { depth: Number(opt('depth', '')) } : {}),
  ...(opt('patience', '') ? { patience: Number(opt('patience', '')) } : {}),
  ...(opt('epochs', '') ? { epochs: Number(opt('epochs', '')) } : {}),
  ...(opt('selection-points', '') ? { selectionPoints: Number(opt('selection-points', '')) } : {}),
};
for (const d of datasets) if (!DATASETS[d]) throw new Error(`--datasets: unknown '${d}' (known: ${Object.keys(DATASETS).join(', ')})`);
for (const m of methods) if (!(m in METHODS)) throw new Error(`--methods: unknown '${m}' (known: ${Object.keys(METHODS).join(', ')})`);
if (!(Number.isInteger(seeds) && seeds > 0)) throw new Error(`--seeds must be a positive integer`);
if (msOverride.some((m) => !(Number.isInteger(m) && m > 0))) throw new Error('--ms must list positive integers');

interface Row {
  dataset: string; m: number; method: MethodId; seed: number; points: number;
  exactFraction: number; rmse: number; matrixSeconds: number; recoverSeconds: number; bestEpoch?: number; epochsRun?: number;
}

function firstRows(x: Csr, n: number): Csr {
  return rowsOf(x, Int32Array.from({ length: Math.min(n, x.nRows) }, (_, i) => i));
}

function dense(x: Csr): Float64Array {
  const out = new Float64Array(x.nRows * x.nCols);
  for (let r = 0; r < x.nRows; r++) for (let p = x.rowPtr[r]!; p < x.rowPtr[r + 1]!; p++) out[r * x.nCols + x.indices[p]!] = x.values[p]!;
  return out;
}

function log(msg: string): void { process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`); }

async function runOne(name: string, spec: DatasetSpec, seed: number, rows: Row[], save: () => Promise<void>): Promise<void> {
  const raw = await spec.load(seed);
  const train = normalizeRowsL2(raw.train), valid = normalizeRowsL2(raw.valid);
  const test = firstRows(normalizeRowsL2(raw.test), testPointsOverride ? Number(testPointsOverride) : spec.testPoints);
  const xTrue = dense(test);
  const d = test.nCols, n = test.nRows;
  for (const m of msOverride.length ? msOverride : spec.ms) {
    const learned: Record<string, CachedLearned> = {};
    const getLearned = async (kind: 'l1ae' | 'simple-ae', selectBy: 'recovery' | 'loss' = 'recovery'): Promise<CachedLearned> => {
      const key = `${kind}-${selectBy}`;
      if (!learned[key]) {
        const r = await learnCached(cacheDir, name, kind, train, valid, m, seed, { ...aeOptions, ...(selectBy === 'loss' ? { selectBy } : {}) });
        learned[key] = r;
        log(`${name} m=${m} seed=${seed}: ${r.cached ? 'read' : 'trained'} ${kind} selected by ${selectBy} (trained in ${r.seconds.toFixed(1)} s, best epoch ${r.bestEpoch} of ${r.epochsRun})`);
      }
      return learned[key]!;
    };
    for (const method of methods) {
      if (method === 'gauss-model-cosamp-pos' && !spec.model) continue;
      let matrix: MeasurementMatrix, decoder: RecoveryMethod = 'l1-min-pos', matrixSeconds = 0;
      let extra: Partial<Row> = {}, l1ae: L1aeEncoder | undefined;
      const t0 = performance.now();
      if (method === 'gauss-l1pos' || method === 'gauss-model-cosamp-pos') {
        matrix = gaussianMatrix(m, d, seed);
        if (method === 'gauss-model-cosamp-pos') decoder = 'model-cosamp-pos';
      } else if (method === 'pca-l1pos') {
        if (m > Math.min(train.nRows, d)) continue;
        matrix = pcaMatrix(train, m, seed);
      } else if (method === 'lbcs-l1pos') {
        matrix = lbcsMatrix(train, m, seed);
      } else {
        const kind = method === 'simple-ae-l1pos' ? 'simple-ae' : 'l1ae';
        // The decoder alone is the network chosen for reconstruction (validation loss); the matrices
        // for ℓ1-min pos are chosen by ℓ1-min pos recovery on validation vectors.
        const l = await getLearned(kind, method === 'l1ae-decoder' ? 'loss' : 'recovery');
        matrix = l.matrix;
        extra = { bestEpoch: l.bestEpoch, epochsRun: l.epochsRun, matrixSeconds: l.seconds };
        if (method === 'l1ae-decoder') { decoder = 'l1ae'; l1ae = l.encoder as L1aeEncoder; }
      }
      matrixSeconds = extra.matrixSeconds ?? (performance.now() - t0) / 1000;
      const y = measureRows(matrix, test);
      const t1 = performance.now();
      const xHat = await recover(decoder, matrix, y, n, { ...(spec.model ? { model: spec.model } : {}), ...(l1ae ? { l1ae } : {}) });
      const recoverSeconds = (performance.now() - t1) / 1000;
      const stats = recoveryStats(xTrue, xHat, n, d);
      rows.push({ dataset: name, m, method, seed, points: n, exactFraction: stats.exactFraction, rmse: stats.rmse, ...extra, matrixSeconds, recoverSeconds });
      log(`${name} m=${m} seed=${seed} ${METHODS[method]}: exact ${(100 * stats.exactFraction).toFixed(1)}%, RMSE ${stats.rmse.toExponential(2)} (${recoverSeconds.toFixed(1)} s, ${(n / recoverSeconds).toFixed(0)} points/s)`);
    }
    for (const l of Object.values(learned)) (l.encoder as { dispose(): void }).dispose();
    await save();
  }
}

interface Agg { dataset: string; m: number; method: MethodId; seeds: number; exactMean: number; exactSd: number; rmseMean: number; rmseSd: number }

function aggregate(rows: Row[]): Agg[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const k = `${r.dataset}|${r.m}|${r.method}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const ms = (v: number[]): [number, number] => {
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    return [mean, v.length > 1 ? Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1)) : 0];
  };
  return [...groups.values()].map((g) => {
    const [exactMean, exactSd] = ms(g.map((r) => r.exactFraction));
    const [rmseMean, rmseSd] = ms(g.map((r) => r.rmse));
    return { dataset: g[0]!.dataset, m: g[0]!.m, method: g[0]!.method, seeds: g.length, exactMean, exactSd, rmseMean, rmseSd };
  });
}

/**
 * The smallest m at which a method's mean exact-recovery fraction reaches `level`, by linear
 * interpolation between swept m values (undefined if never reached in the sweep).
 */
function measurementsFor(aggs: Agg[], level: number): number | undefined {
  const pts = [...aggs].sort((a, b) => a.m - b.m);
  for (let i = 0; i < pts.length; i++) {
    if (pts[i]!.exactMean >= level) {
      if (i === 0) return pts[0]!.m;
      const a = pts[i - 1]!, b = pts[i]!;
      return a.m + ((level - a.exactMean) / (b.exactMean - a.exactMean)) * (b.m - a.m);
    }
  }
  return undefined;
}

function markdown(rows: Row[], aggs: Agg[], machine: string, seconds: number, commands: string[]): string {
  const out: string[] = [];
  out.push(`# Compressed-sensing recovery (Wu et al. 2019, Figure 2 / Table 2)`, '');
  out.push(`Command${commands.length > 1 ? 's (later ones recomputed some rows, --merge)' : ''}: ${commands.map((c) => `\`${c}\``).join('; ')}`);
  out.push(`Machine: ${machine}. Date: ${new Date().toISOString().slice(0, 10)}. Wall time of the last command ${(seconds / 60).toFixed(1)} min.`, '');
  out.push('Exact = ‖x − x̂‖₂ ≤ 1e-10. Cells: mean exact-recovery % / mean RMSE (± sample sd over seeds when there are several).', '');
  for (const ds of [...new Set(aggs.map((a) => a.dataset))]) {
    const A = aggs.filter((a) => a.dataset === ds);
    const mids = (Object.keys(METHODS) as MethodId[]).filter((mid) => A.some((a) => a.method === mid));
    const mvals = [...new Set(A.map((a) => a.m))].sort((a, b) => a - b);
    const pts = rows.find((r) => r.dataset === ds)?.points;
    out.push(`## ${ds} (${pts} test points, ${A[0]!.seeds} seed${A[0]!.seeds > 1 ? 's' : ''})`, '');
    out.push(`| m | ${mids.map((mid) => METHODS[mid]).join(' | ')} |`, `|---|${mids.map(() => '---|').join('')}`);
    for (const m of mvals) {
      const cells = mids.map((mid) => {
        const a = A.find((x) => x.m === m && x.method === mid);
        if (!a) return '–';
        return `${(100 * a.exactMean).toFixed(1)}${a.seeds > 1 ? ` ± ${(100 * a.exactSd).toFixed(1)}` : ''} / ${a.rmseMean.toExponential(1)}${a.seeds > 1 ? ` ± ${a.rmseSd.toExponential(0)}` : ''}`;
      });
      out.push(`| ${m} | ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  out.push('## Measurements needed (Table 2)', '');
  out.push('Smallest m reaching a mean exact-recovery fraction of 50% / 90%, interpolated linearly between swept m; ratio = Gauss / ℓ1-AE (both with ℓ1-min pos). "> M": not reached up to the largest swept M.', '');
  out.push('| dataset | level | Gauss + ℓ1-min pos | ℓ1-AE + ℓ1-min pos | ratio |', '|---|---|---|---|---|');
  for (const ds of [...new Set(aggs.map((a) => a.dataset))]) {
    const A = aggs.filter((a) => a.dataset === ds);
    const maxM = Math.max(...A.map((a) => a.m));
    for (const level of [0.5, 0.9]) {
      const g = measurementsFor(A.filter((a) => a.method === 'gauss-l1pos'), level);
      const l = measurementsFor(A.filter((a) => a.method === 'l1ae-l1pos'), level);
      const f = (v: number | undefined): string => (v === undefined ? `> ${maxM}` : v.toFixed(1));
      const ratio = g !== undefined && l !== undefined ? (g / l).toFixed(2) : g === undefined && l !== undefined ? `> ${(maxM / l).toFixed(2)}` : '–';
      out.push(`| ${ds} | ${level * 100}% | ${f(g)} | ${f(l)} | ${ratio} |`);
    }
  }
  out.push('');
  return out.join('\n');
}

function plot(ds: string, aggs: Agg[]): string {
  const A = aggs.filter((a) => a.dataset === ds);
  const series = (key: 'exact' | 'rmse') => (Object.keys(METHODS) as MethodId[]).filter((mid) => A.some((a) => a.method === mid)).map((mid) => ({
    name: METHODS[mid],
    points: A.filter((a) => a.method === mid).map((a) => key === 'exact'
      ? { x: a.m, y: a.exactMean, spread: a.exactSd }
      : { x: a.m, y: a.rmseMean }),
  }));
  const panels: PlotPanel[] = [
    { title: 'Fraction of exact recovery', xLabel: 'number of measurements m', yLabel: 'fraction (‖x − x̂‖ ≤ 1e-10)', series: series('exact'), yMin: 0, yMax: 1 },
    { title: 'Test RMSE', xLabel: 'number of measurements m', yLabel: 'RMSE (log scale)', series: series('rmse'), yLog: true },
  ];
  return lineChartSvg(panels, `${ds}: recovery against measurements`);
}

async function main(): Promise<void> {
  const backend = await useBackend('auto');
  const t0 = performance.now();
  const resultsDir = path.join(root, 'eval', 'results');
  await fs.mkdir(resultsDir, { recursive: true });
  const rows: Row[] = [];
  const thisCommand = `node dist/eval/sensing_recovery.js ${process.argv.slice(2).join(' ')}`;
  const commands: string[] = [];
  if (flag('merge') || flag('report-only')) {
    // Keep the rows of an earlier run that this run does not recompute.
    const prev = await fs.readFile(path.join(resultsDir, `${outName}.json`), 'utf8').then((t) => JSON.parse(t) as { rows: Row[]; commands?: string[]; args?: string[] }).catch(() => null);
    const old = prev?.rows ?? [];
    commands.push(...(prev?.commands ?? (prev?.args ? [`node dist/eval/sensing_recovery.js ${prev.args.join(' ')}`] : [])));
    const redo = (r: Row): boolean => datasets.includes(r.dataset) && (methods as string[]).includes(r.method) && r.seed >= firstSeed && r.seed < firstSeed + seeds
      && (msOverride.length === 0 || msOverride.includes(r.m));
    rows.push(...(flag('report-only') ? old : old.filter((r) => !redo(r))));
  }
  if (!flag('report-only')) commands.push(thisCommand);
  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, backend ${backend.name}, node ${process.version}`;
  const save = async (): Promise<void> => {
    const aggs = aggregate(rows);
    const seconds = (performance.now() - t0) / 1000;
    await writeFileAtomic(path.join(resultsDir, `${outName}.json`), JSON.stringify({ machine, date: new Date().toISOString(), commands, seconds, rows, aggregate: aggs }, null, 1) + '\n');
    await writeFileAtomic(path.join(resultsDir, `${outName}.md`), markdown(rows, aggs, machine, seconds, commands));
    for (const ds of new Set(aggs.map((a) => a.dataset))) await writeFileAtomic(path.join(resultsDir, `${outName}_${ds}.svg`), plot(ds, aggs));
  };
  for (const ds of flag('report-only') ? [] : datasets) {
    for (let s = firstSeed; s < firstSeed + seeds; s++) {
      await runOne(ds, DATASETS[ds]!, s, rows, save);
    }
  }
  await save();
  process.stdout.write(markdown(rows, aggregate(rows), machine, (performance.now() - t0) / 1000, commands));
}

await main();
