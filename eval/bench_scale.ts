/**
 * Training and prediction at scale (issue 15): one training run of the embedding pipeline on a
 * train/test pair, in this process, with the wall time of every stage (from the library's
 * progress events), the save, the prediction rate, P@1/3/5 and the peak memory (VmHWM).
 * Each run is appended to eval/results/bench_scale.json under its `--name` (a run replaces an
 * earlier one of the same name), and eval/results/bench_scale.md and bench_scale.svg (time and
 * memory vs training points and vs labels) are rewritten from all the runs.
 *
 *   node dist/eval/bench_scale.js --name eurlex-default --train DIR/train.txt --test DIR/test.txt [--params '{"clusters":1}']
 *   node dist/eval/bench_scale.js --report     # only rewrite the .md and .svg
 *
 * Run one configuration per process (peak memory is the process's). The machine is named in
 * the report; `OPENBLAS_CORETYPE` is left as the environment sets it and recorded with the run,
 * as is the commit measured. A run of a name measured before on another commit keeps that
 * earlier run, renamed NAME@COMMIT (before → after).
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readDataset } from '../src/data/index.js';
import { ensureBackend } from '../src/engine/backends.js';
import { evaluateRanking } from '../src/metrics/ranking_metrics.js';
import { trainModel } from '../src/model/methods.js';
import { type TrainOptions } from '../src/model/model.js';
import { type ProgressEvent } from '../src/progress.js';
import { dirBytes, flag, opt, peakRssMb, root } from './args.js';
import { lineChartSvg, type PlotPanel } from './svg_plot.js';
import { tempSibling } from '../src/util/atomic.js';
import { AMAZONCAT_13K_LIKE } from '../datasets/synthetic_xmc.js';

/** One measured run. */
interface ScaleRun {
  name: string;
  train: string;
  params: Record<string, unknown>;
  nTrain: number;
  nTest: number;
  nFeatures: number;
  nLabels: number;
  /** Wall seconds by stage: read, cluster, validate (clusters: auto), encoder, ridge, index, decoderWeight, save, other. */
  stages: Record<string, number>;
  trainSeconds: number;
  predictSeconds: number;
  pointsPerSecond: number;
  p1: number; p3: number; p5: number;
  peakMb: number;
  modelMb: number;
  notes: string[];
  date: string;
  machine: string;
  /** The commit measured (`git rev-parse --short HEAD`, `+` when the tree had changes). */
  code?: string;
  /** `OPENBLAS_CORETYPE` during the run ('unset' when it was not set). */
  blas?: string;
}

/** The commit of the working tree, `+` when it has uncommitted changes. */
function commitOf(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+` : head;
  } catch { return 'unknown'; }
}

const RESULTS = path.join(root, 'eval', 'results');
const JSON_FILE = path.join(RESULTS, 'bench_scale.json');

/** The stage a progress task belongs to (by the library's task names). */
function stageOf(task: string): string | undefined {
  if (task.startsWith('clusters: auto')) return 'validate';
  if (task.startsWith('cluster the training points')) return 'cluster';
  if (task.startsWith('train ')) return 'encoder';
  if (task.startsWith('ridge regression') && !task.startsWith('ridge regression:')) return 'ridge';
  if (task.startsWith('build HNSW index')) return 'index';
  if (task.startsWith('choose the decoder weight')) return 'decoderWeight';
  return undefined;
}

async function readRuns(): Promise<ScaleRun[]> {
  try { return JSON.parse(await fs.readFile(JSON_FILE, 'utf8')) as ScaleRun[]; } catch { return []; }
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = tempSibling(file);
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, file);
}

async function measure(): Promise<ScaleRun> {
  const name = opt('name', '');
  const trainFile = opt('train', ''), testFile = opt('test', '');
  if (!name || !trainFile || !testFile) throw new Error('usage: bench_scale --name NAME --train FILE --test FILE [--params JSON]');
  // Issue 15 measures one ℓ1-AE model: name the method, or `trainModel` would train the default mixed ensemble.
  const params = { method: 'l1ae', ...(JSON.parse(opt('params', '{}')) as Record<string, unknown>) };
  const stages: Record<string, number> = {};
  const add = (stage: string, s: number): void => { stages[stage] = (stages[stage] ?? 0) + s; };
  let t = performance.now();
  const train = await readDataset(trainFile), test = await readDataset(testFile);
  add('read', (performance.now() - t) / 1000);
  await ensureBackend();
  // Stages nest (a validation run contains encoder stages): count a stage only outside 'validate'.
  let inValidation = 0;
  const onProgress = (e: ProgressEvent): void => {
    const stage = stageOf(e.task);
    if (stage === 'validate') { if (e.status === 'start') inValidation++; else if (e.status === 'done') { inValidation--; add('validate', e.seconds); } return; }
    if (e.status === 'done' && stage && inValidation === 0) add(stage, e.seconds);
  };
  t = performance.now();
  const model = await trainModel(train, params as TrainOptions, onProgress);
  const trainSeconds = (performance.now() - t) / 1000;
  const known = Object.values(stages).reduce((a, b) => a + b, 0) - (stages['read'] ?? 0);
  add('other', Math.max(0, trainSeconds - known));
  const dir = path.join(os.tmpdir(), `xmlc-bench-scale-${process.pid}`);
  t = performance.now();
  await model.save(dir);
  add('save', (performance.now() - t) / 1000);
  const modelMb = (await dirBytes(dir)) / 2 ** 20;
  await fs.rm(dir, { recursive: true, force: true });
  t = performance.now();
  const ranked = await model.predict(test, { topK: 5 });
  const predictSeconds = (performance.now() - t) / 1000;
  const r = evaluateRanking(ranked, test.labels, { ks: [1, 3, 5], metrics: ['P'] });
  const round = (v: number, d = 2): number => Number(v.toFixed(d));
  return {
    name, train: path.relative(root, path.resolve(trainFile)), params,
    nTrain: train.features.nRows, nTest: test.features.nRows, nFeatures: train.features.nCols, nLabels: train.labels.nCols,
    stages: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, round(v, 1)])),
    trainSeconds: round(trainSeconds, 1), predictSeconds: round(predictSeconds, 2), pointsPerSecond: Math.round(test.features.nRows / predictSeconds),
    p1: round(100 * r['P@1']!), p3: round(100 * r['P@3']!), p5: round(100 * r['P@5']!),
    peakMb: Math.round(await peakRssMb()), modelMb: round(modelMb, 1), notes: [...model.notes],
    date: new Date().toISOString().slice(0, 10), machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    code: commitOf(), blas: process.env['OPENBLAS_CORETYPE'] ?? 'unset',
  };
}

function report(runs: ScaleRun[]): { md: string; svg: string } {
  const lines = [
    '# Training and prediction at scale',
    '',
    'One run per row, in its own process: `node dist/eval/bench_scale.js --name NAME --train FILE --test FILE [--params JSON]`',
    '(the rows below list their parameters; the data files come from `xmlc data synth NAME --seed 1 [--scale F]`).',
    'Stage seconds come from the library\'s progress events; "validate" is `clusters: auto` comparing models on held-out points;',
    'peak memory is the process\'s VmHWM (reading the data included). "code" is the commit measured (+: with uncommitted changes;',
    'NAME@COMMIT rows are earlier runs of NAME, kept for before → after), "BLAS" the run\'s `OPENBLAS_CORETYPE` (unset: OpenBLAS picks',
    'its kernels for the CPU; Haswell, this machine\'s environment default, selects AVX2 kernels).',
    '',
    '| run | code | BLAS | params | n | L | read | cluster | validate | encoder | ridge | index | dec. weight | other | save | train (s) | peak (MB) | model (MB) | predict pts/s | P@1 | P@3 | P@5 |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const s = (r: ScaleRun, k: string): string => (r.stages[k] !== undefined ? String(r.stages[k]) : '');
  for (const r of runs) {
    lines.push(`| ${r.name} | ${r.code ?? ''} | ${r.blas ?? 'not recorded'} | \`${JSON.stringify(r.params)}\` | ${r.nTrain} | ${r.nLabels} | ${s(r, 'read')} | ${s(r, 'cluster')} | ${s(r, 'validate')} | ${s(r, 'encoder')} | ${s(r, 'ridge')} | ${s(r, 'index')} | ${s(r, 'decoderWeight')} | ${s(r, 'other')} | ${s(r, 'save')} | ${r.trainSeconds} | ${r.peakMb} | ${r.modelMb} | ${r.pointsPerSecond} | ${r.p1} | ${r.p3} | ${r.p5} |`);
  }
  lines.push('', 'Notes of the runs (what training chose):', '');
  for (const r of runs) for (const n of r.notes) lines.push(`- ${r.name}: ${n}`);
  // Time and memory vs n (runs on one dataset family at several scales) and vs L.
  const byFamily = new Map<string, ScaleRun[]>();
  for (const r of runs) {
    const family = r.name.replace(/-(0\.\d+|1\.0)(?=-)/, ''); // runs of one dataset at several scales: NAME-0.25-CONFIG, NAME-1.0-CONFIG
    byFamily.set(family, [...(byFamily.get(family) ?? []), r]);
  }
  lines.push('', '![time and memory vs n and L](bench_scale.svg)', '');
  // Growth over scales of one family (≥ 3 runs): least-squares fit of log y = a + α·log n.
  for (const [family, rs] of byFamily) {
    if (rs.length < 3) continue;
    const full = family.startsWith('amazoncat') ? AMAZONCAT_13K_LIKE.nTrain : undefined;
    const fit = (y: (r: ScaleRun) => number): { alpha: number; at: (n: number) => number } => {
      const xs = rs.map((r) => Math.log(r.nTrain)), ys = rs.map((r) => Math.log(y(r)));
      const mx = xs.reduce((a, b) => a + b, 0) / xs.length, my = ys.reduce((a, b) => a + b, 0) / ys.length;
      const alpha = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
      return { alpha, at: (n) => Math.exp(my + alpha * (Math.log(n) - mx)) };
    };
    const t = fit((r) => r.trainSeconds), m = fit((r) => r.peakMb);
    const measured = full !== undefined ? rs.find((r) => r.nTrain === full) : undefined;
    const codes = [...new Set(rs.map((r) => r.code ?? '?'))];
    lines.push(`Growth of \`${family}\` over n = ${rs.map((r) => r.nTrain).join(', ')}${codes.length > 1 ? ` (runs of commits ${codes.join(', ')})` : ''}: training time ∝ n^${t.alpha.toFixed(2)}, peak memory ∝ n^${m.alpha.toFixed(2)}` +
      (measured ? `; the full set was measured: ${(measured.trainSeconds / 60).toFixed(0)} min and ${(measured.peakMb / 1024).toFixed(1)} GiB (row ${measured.name}).`
        : full ? `; extrapolated to the full ${full} training points: ${(t.at(full) / 60).toFixed(0)} min and ${(m.at(full) / 1024).toFixed(1)} GiB.` : '.'), '');
  }
  const series = (key: 'nTrain' | 'nLabels', y: (r: ScaleRun) => number) => [...byFamily].map(([name, rs]) => ({ name, points: rs.map((r) => ({ x: r[key], y: y(r) })).sort((a, b) => a.x - b.x) }));
  const panels: PlotPanel[] = [
    { title: 'training time vs training points', xLabel: 'n', yLabel: 'seconds', yLog: true, series: series('nTrain', (r) => r.trainSeconds) },
    { title: 'peak memory vs training points', xLabel: 'n', yLabel: 'MB', yLog: true, series: series('nTrain', (r) => r.peakMb) },
    { title: 'training time vs labels', xLabel: 'L', yLabel: 'seconds', yLog: true, series: series('nLabels', (r) => r.trainSeconds) },
  ];
  return { md: lines.join('\n'), svg: lineChartSvg(panels, 'xmlc training at scale') };
}

const runs = await readRuns();
if (!flag('report')) {
  const run = await measure();
  const i = runs.findIndex((r) => r.name === run.name);
  const old = i >= 0 ? runs[i]! : undefined;
  if (old?.code && old.code.replace('+', '') !== run.code!.replace('+', '')) {
    // Another commit's run of this name: keep it as NAME@COMMIT (the latest earlier one).
    const renamed = `${old.name}@${old.code.replace('+', '')}`;
    const j = runs.findIndex((r) => r.name === renamed);
    if (j >= 0) runs.splice(j, 1);
    runs[runs.indexOf(old)] = { ...old, name: renamed };
    runs.push(run);
  } else if (old) runs[i] = run;
  else runs.push(run);
  await writeAtomic(JSON_FILE, JSON.stringify(runs, null, 2) + '\n');
  process.stdout.write(JSON.stringify(run) + '\n');
}
const { md, svg } = report(runs);
await writeAtomic(path.join(RESULTS, 'bench_scale.md'), md);
await writeAtomic(path.join(RESULTS, 'bench_scale.svg'), svg);
