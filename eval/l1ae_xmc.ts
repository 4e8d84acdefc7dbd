/**
 * The ℓ1-AE XMC pipeline on the real benchmarks: P@k and PSP@k for the kNN, decoder and
 * average strategies, one model and a 5-model ensemble, train and predict times, prediction
 * throughput; the baseline encoders for comparison; and a Wiki10-31K-shaped synthetic run
 * (time and peak memory).
 *
 *   node dist/eval/l1ae_xmc.js [--data-dir ../shared/datasets] [--datasets Bibtex,Delicious]
 *        [--methods l1ae,pca,gaussian,simple-ae] [--ensemble 5] [--wiki10-like] [--wiki10-epochs 2] [--out NAME]
 *
 * Every label encoder side by side (one model each, same regression and kNN):
 *
 *   node dist/eval/l1ae_xmc.js --methods l1ae,l1-sae,tied-relu,deep-l0,m-sparse,pca,gaussian,simple-ae --ensemble 1 --out encoders_xmc
 *
 * Every run uses the default parameters (src/model/params.ts) and the native backend when it
 * loads. Writes eval/results/NAME.json and NAME.md (default NAME: l1ae_xmc).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateSynthetic } from '../datasets/synthetic.js';
import { type Csr } from '../src/data/csr.js';
import { readDataset } from '../src/data/index.js';
import { ENCODER_KINDS, type EncoderKind } from '../src/encoders/encoder.js';
import { useBackend } from '../src/engine/backends.js';
import { evaluateAgainstTraining } from '../src/metrics/index.js';
import { EmbeddingModel } from '../src/model/embed_model.js';
import { STRATEGIES } from '../src/model/params.js';
import { type Ranked } from '../src/ranking/topk.js';
import { type ProgressEvent } from '../src/progress.js';
import { argv, dataDir, flag, opt, peakRssMb, root } from './args.js';

const names = opt('datasets', 'Bibtex,Delicious').split(',').filter(Boolean);
const methods = opt('methods', 'l1ae,pca,gaussian,simple-ae').split(',').filter(Boolean);
const unknown = methods.filter((m) => !(ENCODER_KINDS as readonly string[]).includes(m));
if (unknown.length) throw new Error(`--methods: unknown encoder(s) ${unknown.join(', ')}; known: ${ENCODER_KINDS.join(', ')}`);
const ensemble = Number(opt('ensemble', '5'));
const KS = [1, 3, 5];
/** P@1/3/5 (%) published in the Extreme Classification Repository's tables (Bhatia et al.). */
const PUBLISHED: Record<string, Record<string, number[]>> = {
  Bibtex: { SLEEC: [65.08, 39.64, 28.87], FastXML: [63.42, 39.23, 28.86], kNN: [57.04, 34.38, 25.44] },
  Delicious: { SLEEC: [67.59, 61.38, 56.56], FastXML: [69.61, 64.12, 59.27], kNN: [64.95, 58.89, 54.11] },
};

const backend = (await useBackend('auto')).name;

function score(ranked: Ranked, truth: Csr, trainLabels: Csr): Record<string, number> {
  const m = evaluateAgainstTraining(ranked, truth, trainLabels, { ks: KS, metrics: ['P', 'PSP'] });
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Number((100 * v).toFixed(2))]));
}


/** Seconds of the training tasks of ensemble member `i` (tasks tagged "(model i+1/N)"), or of all tasks for a single model. */
function memberSeconds(events: ProgressEvent[], i: number, n: number): number {
  let s = 0;
  for (const e of events) if (e.status === 'done' && (n === 1 || e.task.includes(`(model ${i + 1}/${n})`))) s += e.seconds;
  return s;
}

interface Row {
  dataset: string; method: string; models: number; strategy: string;
  metrics: Record<string, number>; trainSeconds: number; predictSeconds: number; pointsPerSecond: number;
}
const rows: Row[] = [];
const extra: Record<string, unknown> = {};

for (const name of names) {
  const train = await readDataset(path.join(dataDir, name, `${name}_train.txt`));
  const test = await readDataset(path.join(dataDir, name, `${name}_test.txt`), { nFeatures: train.features.nCols, nLabels: train.labels.nCols });
  for (const method of methods) {
    const n = method === 'l1ae' ? ensemble : 1; // ensembles of the ℓ1-AE only
    const events: ProgressEvent[] = [];
    const t0 = performance.now();
    const model = await EmbeddingModel.train(train, { method: method as EncoderKind, ensemble: n }, (e) => events.push(e));
    const trainAll = (performance.now() - t0) / 1000;
    const h = model.histories[0];
    if (h) extra[`${name}/${method}/epochs`] = { run: h.epochsRun, best: h.bestEpoch, validLoss: h.validLoss.at(-1) };
    for (const models of n > 1 ? [1, n] : [1]) {
      // The paper's plain average (w = 0.5) beside the trained weight.
      const variants = [...STRATEGIES.map((s) => ({ label: s as string, strategy: s, w: undefined as number | undefined })), { label: 'average w=0.5', strategy: 'average' as const, w: 0.5 }];
      for (const { label, strategy, w } of variants) {
        if (w !== undefined && model.decoderWeight === w) continue;
        const t1 = performance.now();
        const ranked = await model.predict(test.features, { topK: 5, strategy, members: models, ...(w !== undefined ? { decoderWeight: w } : {}) });
        const predictSeconds = (performance.now() - t1) / 1000;
        const trainSeconds = models === n ? trainAll : memberSeconds(events, 0, n);
        const row = {
          dataset: name, method, models, strategy: strategy === 'average' && w === undefined ? `average w=${model.decoderWeight}` : label, metrics: score(ranked, test.labels, train.labels),
          trainSeconds: Number(trainSeconds.toFixed(1)), predictSeconds: Number(predictSeconds.toFixed(2)),
          pointsPerSecond: Math.round(test.features.nRows / predictSeconds),
        };
        rows.push(row);
        process.stderr.write(`${JSON.stringify(row)}\n`);
      }
    }
    model.dispose();
  }
}

if (flag('wiki10-like')) {
  // The regression and kNN at Wiki10-31K scale (101,938 sparse features, 30,938 labels): a
  // seeded synthetic set of that shape, one ℓ1-AE model with m = 75 (the paper's) and few epochs.
  const epochs = Number(opt('wiki10-epochs', '2'));
  const t0 = performance.now();
  const { train, test } = generateSynthetic('wiki10-31k-like', { seed: 1 });
  const genSeconds = (performance.now() - t0) / 1000;
  const events: ProgressEvent[] = [];
  const t1 = performance.now();
  const model = await EmbeddingModel.train(train, { method: 'l1ae', embeddingDim: 75, epochs }, (e) => {
    events.push(e);
    if (e.status === 'done') process.stderr.write(`wiki10-like: ${e.task} ${e.seconds.toFixed(1)} s\n`);
  });
  const trainSeconds = (performance.now() - t1) / 1000;
  const stages = Object.fromEntries(events.filter((e) => e.status === 'done').map((e) => [e.task, Number((e as { seconds: number }).seconds.toFixed(1))]));
  const results: Record<string, unknown> = {};
  for (const strategy of STRATEGIES) {
    const t2 = performance.now();
    const ranked = await model.predict(test.features, { topK: 5, strategy });
    const s = (performance.now() - t2) / 1000;
    results[strategy] = { ...score(ranked, test.labels, train.labels), predictSeconds: Number(s.toFixed(1)), pointsPerSecond: Math.round(test.features.nRows / s) };
  }
  extra['wiki10-31k-like'] = {
    shape: { train: train.features.nRows, test: test.features.nRows, features: train.features.nCols, labels: train.labels.nCols },
    epochs, generateSeconds: Number(genSeconds.toFixed(1)), trainSeconds: Number(trainSeconds.toFixed(1)), stages, results,
    peakRssMB: Math.round(await peakRssMb()),
  };
  process.stderr.write(`${JSON.stringify(extra['wiki10-31k-like'])}\n`);
}

const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGB: Math.round(os.totalmem() / 2 ** 30), node: process.version, backend };
const outDir = path.join(root, 'eval', 'results');
await fs.mkdir(outDir, { recursive: true });
const stamp = new Date().toISOString();
const outName = opt('out', 'l1ae_xmc');
await fs.writeFile(path.join(outDir, `${outName}.json`), JSON.stringify({ date: stamp, machine, ensemble, rows, extra }, null, 2) + '\n');

const md: string[] = [
  '# XMC embedding pipeline by label encoder (default parameters)', '',
  `${stamp}; ${machine.cpus} × ${machine.model}, ${machine.memGB} GB, Node ${machine.node}, backend ${backend}. Command: \`node dist/eval/l1ae_xmc.js ${argv.join(' ')}\`.`, '',
  '| dataset | encoder | models | strategy | P@1 | P@3 | P@5 | PSP@1 | PSP@3 | PSP@5 | train (s) | predict (s) | points/s |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
];
for (const r of rows) {
  const m = r.metrics;
  md.push(`| ${r.dataset} | ${r.method} | ${r.models} | ${r.strategy} | ${m['P@1']} | ${m['P@3']} | ${m['P@5']} | ${m['PSP@1']} | ${m['PSP@3']} | ${m['PSP@5']} | ${r.trainSeconds} | ${r.predictSeconds} | ${r.pointsPerSecond} |`);
}
// One line per encoder and dataset (one model): the kNN strategy and the trained average side by
// side with the training time, all encoders sharing the same ridge regression and kNN.
const one = rows.filter((r) => r.models === 1);
if (new Set(one.map((r) => r.method)).size > 1) {
  md.push('', '## Encoders side by side (one model; same regression, kNN and defaults)', '',
    '| dataset | encoder | kNN P@1 | P@3 | P@5 | decoder P@1 | average (trained w) P@1 | P@3 | P@5 | train (s) |', '|---|---|---|---|---|---|---|---|---|---|');
  for (const name of names) {
    for (const method of methods) {
      const of = one.filter((r) => r.dataset === name && r.method === method);
      const knn = of.find((r) => r.strategy === 'knn'), dec = of.find((r) => r.strategy === 'decoder');
      const avg = of.find((r) => r.strategy.startsWith('average w=') && r.strategy !== 'average w=0.5') ?? of.find((r) => r.strategy === 'average w=0.5');
      if (!knn) continue;
      const p = (r: Row | undefined, k: number): string => (r ? String(r.metrics[`P@${k}`]) : '—');
      md.push(`| ${name} | ${method} | ${p(knn, 1)} | ${p(knn, 3)} | ${p(knn, 5)} | ${p(dec, 1)} | ${avg ? `${p(avg, 1)} (${avg.strategy.slice(8)})` : '—'} | ${p(avg, 3)} | ${p(avg, 5)} | ${knn.trainSeconds} |`);
    }
  }
}
md.push('', 'Published (Extreme Classification Repository), P@1 / P@3 / P@5:', '');
for (const name of names) for (const [method, p] of Object.entries(PUBLISHED[name] ?? {})) md.push(`- ${name} ${method}: ${p.join(' / ')}`);
if (extra['wiki10-31k-like']) md.push('', '## Wiki10-31K-shaped synthetic run', '', '```json', JSON.stringify(extra['wiki10-31k-like'], null, 2), '```');
await fs.writeFile(path.join(outDir, `${outName}.md`), md.join('\n') + '\n');
process.stdout.write(md.join('\n') + '\n');
