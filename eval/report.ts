/**
 * The evaluation report: one command runs the benchmark matrix — datasets × methods (label
 * encoders and the feature kNN) × strategies × ensemble sizes — and writes
 * eval/results/NAME.json, NAME.md and SVG plots (precision@k per method, training-loss curves),
 * with the published numbers (the `published` field of datasets/registry.ts) beside ours.
 *
 *   node dist/eval/report.js [--data-dir DIR] [--datasets Bibtex,Delicious,EURLex-4K,Wiki10-31K]
 *        [--methods knn,l1ae,l1-sae,tied-relu,deep-l0,m-sparse,pca,gaussian,simple-ae] [--ensembles 1,5]
 *        [--ensemble-methods l1ae] [--out report] [--resume] [--epochs N] [--report-only]
 *
 * Every (dataset, method) pair trains in a child process of its own, so its peak memory (VmHWM)
 * is its own and a crash costs one row. Datasets that are not in the data directory (default
 * ../shared/datasets, else `xmlc datasets fetch NAME --data-dir DIR`) are listed as "not
 * available". `--report-only` rewrites NAME.md and the plots from NAME.json. `--resume` keeps the rows of an earlier NAME.json and runs only the missing ones.
 * All training uses the library defaults (src/model/params.ts); `--epochs` caps them (a quick look).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitPath } from '../datasets/fetch.js';
import { type DatasetInfo, findDataset } from '../datasets/registry.js';
import { readDataset } from '../src/data/index.js';
import { ENCODER_KINDS, type EncoderKind } from '../src/encoders/encoder.js';
import { useBackend } from '../src/engine/backends.js';
import { evaluateAgainstTraining } from '../src/metrics/index.js';
import { EmbeddingModel } from '../src/model/embed_model.js';
import { modelFilePath, readManifest } from '../src/model/io.js';
import { KnnModel } from '../src/model/knn_model.js';
import { type ProgressEvent } from '../src/progress.js';
import { argv, dataDir, flag, opt, peakRssMb, root } from './args.js';
import { lineChartSvg, type PlotSeries } from './svg_plot.js';

const KS = [1, 3, 5] as const;
const FAMILIES = ['P', 'nDCG', 'PSP'] as const;

/** One evaluated configuration. */
interface Row {
  dataset: string; method: string; models: number; strategy: string;
  /** Percentages: P@k, nDCG@k, PSP@k for k = 1, 3, 5. */
  metrics: Record<string, number>;
  trainSeconds: number; predictMsPerPoint: number;
  /** Saved model size with this many members. */
  modelBytes: number;
}

/** What a worker reports for one (dataset, method). */
interface WorkerResult {
  dataset: string; method: string; rows: Row[];
  peakRssMB: number; decoderWeight?: number;
  loss?: { train: number[]; valid: number[]; bestEpoch: number };
  error?: string;
}


/**
 * Bytes of a saved model with its first k members, k = 1…n: the shared files (manifest, training
 * labels) plus the member files `m<i>.*` (encoder, regressor, index) of members 0…k−1.
 */
async function modelBytesByMembers(dir: string, n: number): Promise<number[]> {
  let shared = (await fs.stat(path.join(dir, 'manifest.json'))).size;
  const member = new Array<number>(n).fill(0);
  const manifest = await readManifest(dir);
  for (const f of manifest.files.keys()) {
    const size = (await fs.stat(modelFilePath(dir, manifest, f))).size;
    const m = /^m(\d+)\./.exec(f);
    if (m && Number(m[1]) < n) member[Number(m[1])]! += size;
    else shared += size;
  }
  let acc = shared;
  return member.map((b) => (acc += b));
}

const round2 = (v: number): number => Number(v.toFixed(2));

/** Train and evaluate one method on one dataset (runs in the child process). */
async function work(info: DatasetInfo, method: string, ensembles: number[], epochs: number | undefined): Promise<WorkerResult> {
  await useBackend('auto');
  const train = await readDataset(splitPath(dataDir, info, 'train'));
  const test = await readDataset(splitPath(dataDir, info, 'test'), { nFeatures: train.features.nCols, nLabels: train.labels.nCols });
  const events: ProgressEvent[] = [];
  const onProgress = (e: ProgressEvent): void => {
    events.push(e);
    if (e.status === 'done') process.stderr.write(`  ${info.name}/${method}: ${e.task} ${e.seconds.toFixed(1)} s\n`);
  };
  const nMax = Math.max(...ensembles);
  const t0 = performance.now();
  const model = method === 'knn'
    ? await KnnModel.train(train, { method: 'knn' }, onProgress)
    : await EmbeddingModel.train(train, { method: method as EncoderKind, ensemble: nMax, ...(epochs ? { epochs } : {}) }, onProgress);
  const trainAll = (performance.now() - t0) / 1000;
  // Seconds of the first member alone: its tagged tasks, plus the untagged ones (the decoder-weight choice).
  const firstMember = (): number => events.reduce((s, e) => s + (e.status === 'done' && (!/\(model \d+\//.test(e.task) || e.task.includes('(model 1/')) ? e.seconds : 0), 0);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'xmlc-report-'));
  let bytes: number[] = [];
  try {
    await model.save(path.join(tmp, 'model'));
    bytes = await modelBytesByMembers(path.join(tmp, 'model'), model instanceof KnnModel ? 1 : nMax);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
  const rows: Row[] = [];
  const { a, b } = info.propensity;
  const variants: { strategy: 'knn' | 'decoder' | 'average'; models: number }[] = model instanceof KnnModel
    ? [{ strategy: 'knn', models: 1 }]
    : ensembles.flatMap((models) => (['knn', 'decoder', 'average'] as const).map((strategy) => ({ strategy, models })));
  for (const { strategy, models } of variants) {
    const t1 = performance.now();
    const ranked = model instanceof KnnModel ? await model.predict(test.features, { topK: 5 }) : await model.predict(test.features, { topK: 5, strategy, members: models });
    const ms = (performance.now() - t1) / test.features.nRows;
    const m = evaluateAgainstTraining(ranked, test.labels, train.labels, { ks: KS, metrics: FAMILIES, a, b });
    rows.push({
      dataset: info.name, method, models, strategy: strategy === 'average' && model instanceof EmbeddingModel ? `average (w=${model.decoderWeight})` : strategy,
      metrics: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, round2(100 * v)])),
      trainSeconds: Number((models === nMax ? trainAll : firstMember()).toFixed(1)), predictMsPerPoint: Number(ms.toPrecision(3)), modelBytes: bytes[models - 1]!,
    });
    process.stderr.write(`  ${info.name}/${method} ${models} model(s) ${strategy}: P@1 ${rows.at(-1)!.metrics['P@1']}\n`);
  }
  const h = model instanceof EmbeddingModel ? model.histories[0] : undefined;
  const out: WorkerResult = {
    dataset: info.name, method, rows, peakRssMB: Math.round(await peakRssMb()),
    ...(model instanceof EmbeddingModel ? { decoderWeight: model.decoderWeight } : {}),
    ...(h ? { loss: { train: h.trainLoss.map((v) => Number(v.toPrecision(4))), valid: h.validLoss.map((v) => Number(v.toPrecision(4))), bestEpoch: h.bestEpoch } } : {}),
  };
  if (model instanceof EmbeddingModel) model.dispose();
  return out;
}

const names = opt('datasets', 'Bibtex,Delicious,EURLex-4K,Wiki10-31K').split(',').filter(Boolean);
const methods = opt('methods', ['knn', ...ENCODER_KINDS].join(',')).split(',').filter(Boolean);
const ensembles = opt('ensembles', '1,5').split(',').map(Number);
const ensembleMethods = new Set(opt('ensemble-methods', 'l1ae').split(','));
const epochs = flag('epochs') ? Number(opt('epochs', '0')) : undefined;
for (const m of methods) if (m !== 'knn' && !(ENCODER_KINDS as readonly string[]).includes(m)) throw new Error(`--methods: unknown method '${m}'; known: knn, ${ENCODER_KINDS.join(', ')}`);
for (const n of names) if (!findDataset(n)) throw new Error(`--datasets: unknown dataset '${n}' (datasets/registry.ts)`);
if (ensembles.some((e) => !(Number.isInteger(e) && e >= 1))) throw new Error(`--ensembles: positive integers, e.g. 1,5`);

if (flag('worker')) {
  const info = findDataset(opt('dataset', ''))!;
  const method = opt('method', '');
  const result = await work(info, method, ensembleMethods.has(method) ? ensembles : [1], epochs);
  await fs.writeFile(opt('result', ''), JSON.stringify(result));
} else if (flag('report-only')) {
  // Rewrite NAME.md and the plots from NAME.json (no training).
  const outName = opt('out', 'report');
  const outDir = path.join(root, 'eval', 'results');
  const saved = JSON.parse(await fs.readFile(path.join(outDir, `${outName}.json`), 'utf8')) as { date: string; command: string; machine: Record<string, unknown>; missing: { dataset: string; reason: string }[]; results: WorkerResult[] };
  await writeReport(outDir, outName, { started: saved.date, command: saved.command, machine: saved.machine, missing: saved.missing, results: saved.results });
} else {
  const outName = opt('out', 'report');
  const outDir = path.join(root, 'eval', 'results');
  await fs.mkdir(outDir, { recursive: true });
  const jsonPath = path.join(outDir, `${outName}.json`);
  const previous: WorkerResult[] = flag('resume') && existsSync(jsonPath) ? (JSON.parse(await fs.readFile(jsonPath, 'utf8')) as { results: WorkerResult[] }).results : [];
  const results: WorkerResult[] = [...previous.filter((r) => !r.error)];
  const missing: { dataset: string; reason: string }[] = [];
  const backend = (await useBackend('auto')).name;
  const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}`, backend };
  const started = new Date().toISOString();
  const command = ['node dist/eval/report.js', ...argv].join(' ');
  const save = async (): Promise<void> => {
    await fs.writeFile(jsonPath, JSON.stringify({ date: started, command, machine, dataDir, missing, results }, null, 1) + '\n');
  };
  const script = fileURLToPath(import.meta.url);
  for (const name of names) {
    const info = findDataset(name)!;
    if (!existsSync(splitPath(dataDir, info, 'train')) || !existsSync(splitPath(dataDir, info, 'test'))) {
      missing.push({ dataset: info.name, reason: `not available: not in ${dataDir} (xmlc datasets fetch ${info.name} --data-dir ${dataDir})` });
      process.stderr.write(`${info.name}: not available in ${dataDir}\n`);
      continue;
    }
    for (const method of methods) {
      if (results.some((r) => r.dataset === info.name && r.method === method)) continue;
      process.stderr.write(`${info.name} / ${method}\n`);
      const resultFile = path.join(os.tmpdir(), `xmlc-report-${process.pid}-${info.name}-${method}.json`);
      const args = [script, '--worker', '--dataset', info.name, '--method', method, '--result', resultFile, '--data-dir', dataDir,
        '--ensembles', ensembles.join(','), '--ensemble-methods', [...ensembleMethods].join(','), ...(epochs ? ['--epochs', String(epochs)] : [])];
      const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
      if (r.status === 0 && existsSync(resultFile)) {
        results.push(JSON.parse(await fs.readFile(resultFile, 'utf8')) as WorkerResult);
        await fs.rm(resultFile, { force: true });
      } else {
        results.push({ dataset: info.name, method, rows: [], peakRssMB: 0, error: `worker exited with ${r.status ?? r.signal}` });
      }
      await save();
    }
  }
  await save();
  await writeReport(outDir, outName, { started, command, machine, missing, results });
}

/** The Markdown report and the SVG plots. */
async function writeReport(outDir: string, outName: string, r: { started: string; command: string; machine: Record<string, unknown>; missing: { dataset: string; reason: string }[]; results: WorkerResult[] }): Promise<void> {
  const m = r.machine;
  const md: string[] = [
    '# xmlc evaluation report', '',
    `Generated ${r.started} by \`${r.command.trim()}\` on ${m['cpus']} × ${m['model']}, ${m['memGB']} GB, ${m['platform']}, Node ${m['node']}, tfjs backend \`${m['backend']}\`.`,
    'Every method uses the library defaults (src/model/params.ts); test splits are the Extreme Classification Repository\'s.',
    'Metrics in %; PSP with the registry\'s propensity constants (Jain et al. 2016). Train time includes the label encoder, ridge regression, the HNSW index and the decoder-weight choice; peak memory is the worker process\'s VmHWM.', '',
  ];
  const datasets = [...new Set([...r.results.map((x) => x.dataset), ...r.missing.map((x) => x.dataset)])];
  // One table, every method side by side: one model, the default strategy (the trained average;
  // kNN for the feature-kNN baseline), the same regression and kNN for every encoder.
  const have = datasets.filter((d) => r.results.some((x) => x.dataset === d && x.rows.length));
  if (have.length) {
    const methodsSeen = [...new Set(r.results.map((x) => x.method))];
    md.push('## Summary: every method, one model, default strategy', '',
      `| method | ${have.map((d) => `${d} P@1 | P@3 | P@5 | train (s)`).join(' | ')} |`,
      `|---|${have.map(() => '---|---|---|---|').join('')}`);
    for (const method of methodsSeen) {
      const cells = have.map((d) => {
        const row = r.results.find((x) => x.dataset === d && x.method === method)?.rows.find((x) => x.models === 1 && (x.strategy.startsWith('average') || x.strategy === 'knn' && method === 'knn'));
        return row ? `${row.metrics['P@1']} | ${row.metrics['P@3']} | ${row.metrics['P@5']} | ${row.trainSeconds}` : '— | — | — | —';
      });
      md.push(`| ${method} | ${cells.join(' | ')} |`);
    }
    md.push('');
  }
  for (const ds of datasets) {
    const info = findDataset(ds)!;
    md.push(`## ${ds}`, '');
    const miss = r.missing.find((x) => x.dataset === ds);
    if (miss) { md.push(`${miss.reason}.`, ''); }
    else {
      md.push('| method | models | strategy | P@1 | P@3 | P@5 | nDCG@1 | nDCG@3 | nDCG@5 | PSP@1 | PSP@3 | PSP@5 | train (s) | predict (ms/pt) | peak mem (MB) | model (MB) |',
        '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
      const order = (x: WorkerResult): number => { const i = methods.indexOf(x.method); return i < 0 ? methods.length : i; };
      for (const res of r.results.filter((x) => x.dataset === ds).sort((p, q) => order(p) - order(q))) {
        if (res.error) { md.push(`| ${res.method} | | failed: ${res.error} | | | | | | | | | | | | | |`); continue; }
        for (const row of res.rows) {
          const v = (k: string): string => String(row.metrics[k]);
          md.push(`| ${row.method} | ${row.models} | ${row.strategy} | ${v('P@1')} | ${v('P@3')} | ${v('P@5')} | ${v('nDCG@1')} | ${v('nDCG@3')} | ${v('nDCG@5')} | ${v('PSP@1')} | ${v('PSP@3')} | ${v('PSP@5')} | ${row.trainSeconds} | ${row.predictMsPerPoint} | ${res.peakRssMB} | ${(row.modelBytes / 2 ** 20).toFixed(1)} |`);
        }
      }
      md.push('');
    }
    const pub = Object.entries(info.published);
    if (pub.length) {
      md.push(`Published on ${ds} (P@1 / P@3 / P@5): ${pub.map(([k, p]) => `${k} ${p.join(' / ')}`).join('; ')}.`, '');
    }
  }
  // Plots: precision@k per method (best strategy of one model, and each ensemble), training loss per encoder.
  const plots: string[] = [];
  const present = datasets.filter((d) => r.results.some((x) => x.dataset === d && x.rows.length));
  if (present.length) {
    const panels = present.map((ds) => ({
      title: `${ds}: precision@k (best strategy)`, xLabel: 'k', yLabel: 'P@k (%)',
      series: r.results.filter((x) => x.dataset === ds && x.rows.length).flatMap((x): PlotSeries[] => {
        const sizes = [...new Set(x.rows.map((row) => row.models))];
        return sizes.map((n) => {
          const rows = x.rows.filter((row) => row.models === n);
          const best = rows.reduce((b, row) => (row.metrics['P@1']! + row.metrics['P@3']! + row.metrics['P@5']! > b.metrics['P@1']! + b.metrics['P@3']! + b.metrics['P@5']! ? row : b));
          return { name: `${x.method}${n > 1 ? ` ×${n}` : ''}`, points: KS.map((k) => ({ x: k, y: best.metrics[`P@${k}`]! })) };
        });
      }),
    }));
    await fs.writeFile(path.join(outDir, `${outName}_precision.svg`), lineChartSvg(panels, 'Precision@k by method'));
    plots.push(`![precision@k](${outName}_precision.svg)`);
    const lossPanels = present.map((ds) => ({
      title: `${ds}: training loss of the label autoencoders`, xLabel: 'epoch', yLabel: 'mean training loss', yLog: true,
      series: r.results.filter((x) => x.dataset === ds && x.loss && x.loss.train.length).map((x) => ({ name: x.method, points: x.loss!.train.map((y, i) => ({ x: i + 1, y })) })),
    })).filter((p) => p.series.length);
    if (lossPanels.length) {
      await fs.writeFile(path.join(outDir, `${outName}_loss.svg`), lineChartSvg(lossPanels, 'Training loss'));
      plots.push(`![training loss](${outName}_loss.svg)`);
    }
  }
  const sensing = (await fs.readdir(outDir)).filter((f) => /^sensing_.*\.svg$/.test(f)).sort();
  md.push('## Plots', '', ...plots.map((p) => `${p}\n`), ...(sensing.length ? ['Compressed-sensing recovery vs measurements (eval/sensing_recovery.ts):', '', ...sensing.map((f) => `![${f}](${f})\n`)] : []));
  await fs.writeFile(path.join(outDir, `${outName}.md`), md.join('\n') + '\n');
  process.stdout.write(md.join('\n') + '\n');
}
