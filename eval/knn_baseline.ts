/**
 * The kNN baseline on the real benchmarks: P@k / nDCG@k / PSP@k, train and predict times,
 * HNSW and exact search, and the choice of k on a validation split of the training data.
 *
 *   node dist/eval/knn_baseline.js [--data-dir ../shared/datasets] [--datasets Bibtex,Delicious]
 *
 * Writes eval/results/knn_baseline.json and eval/results/knn_baseline.md.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Csr, selectRows } from '../src/data/csr.js';
import { readDataset } from '../src/data/index.js';
import { evaluateAgainstTraining } from '../src/metrics/index.js';
import { KnnModel } from '../src/model/knn_model.js';
import { Rng } from '../src/util/rng.js';
import { dataDir, opt, root } from './args.js';

const names = opt('datasets', 'Bibtex,Delicious').split(',');
const KS = [1, 3, 5];
const PUBLISHED: Record<string, number[]> = { Bibtex: [57.04, 34.38, 25.44], Delicious: [64.95, 58.89, 54.11] };

function score(ranked: Awaited<ReturnType<KnnModel['predict']>>, truth: Csr, trainLabels: Csr): Record<string, number> {
  const m = evaluateAgainstTraining(ranked, truth, trainLabels, { ks: KS, metrics: ['P', 'nDCG', 'PSP', 'PSnDCG'] });
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Number((100 * v).toFixed(2))]));
}

const results: Record<string, unknown>[] = [];
for (const name of names) {
  const train = await readDataset(path.join(dataDir, name, `${name}_train.txt`));
  const test = await readDataset(path.join(dataDir, name, `${name}_test.txt`), { nFeatures: train.features.nCols, nLabels: train.labels.nCols });

  // Choose k on a seeded 80/20 split of the training set (never on the test set).
  const perm = new Rng(0).shuffle(Int32Array.from({ length: train.features.nRows }, (_, i) => i));
  const cut = Math.floor(0.8 * perm.length);
  const fit = { features: selectRows(train.features, perm.subarray(0, cut)), labels: selectRows(train.labels, perm.subarray(0, cut)) };
  const val = { features: selectRows(train.features, perm.subarray(cut)), labels: selectRows(train.labels, perm.subarray(cut)) };
  const valModel = await KnnModel.train(fit, { index: 'exact' });
  const sweep: Record<string, number> = {};
  for (const k of [1, 3, 5, 10, 15, 20, 30, 50]) {
    const m = score(await valModel.predict(val.features, { topK: 5, k }), val.labels, fit.labels);
    sweep[String(k)] = m['P@1']!;
  }

  for (const index of ['hnsw', 'exact'] as const) {
    const t0 = performance.now();
    const model = await KnnModel.train(train, { index });
    const trainSeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const ranked = await model.predict(test.features, { topK: 5 });
    const predictSeconds = (performance.now() - t1) / 1000;
    const row = { dataset: name, index, k: model.params.k, trainSeconds: Number(trainSeconds.toFixed(3)), predictSeconds: Number(predictSeconds.toFixed(3)), predictMsPerPoint: Number((1000 * predictSeconds / test.features.nRows).toFixed(4)), metrics: score(ranked, test.labels, train.labels), validationP1ByK: sweep };
    results.push(row);
    process.stderr.write(`${name} ${index}: ${JSON.stringify(row.metrics)} train ${row.trainSeconds}s predict ${row.predictSeconds}s\n`);
  }
}

const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString() };
const outDir = path.join(root, 'eval', 'results');
await fs.mkdir(outDir, { recursive: true });
await fs.writeFile(path.join(outDir, 'knn_baseline.json'), JSON.stringify({ machine, results }, null, 2) + '\n');
const md = [
  '# kNN baseline',
  '',
  `Command: \`node dist/eval/knn_baseline.js\` — ${machine.date.slice(0, 10)}, ${machine.cpus} × ${machine.cpu}, Node ${machine.node}.`,
  '',
  '| dataset | search | k | P@1 | P@3 | P@5 | nDCG@3 | nDCG@5 | PSP@1 | PSP@3 | PSP@5 | train s | predict ms/pt | published kNN P@1/3/5 |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...results.map((r) => {
    const m = r['metrics'] as Record<string, number>;
    return `| ${r['dataset']} | ${r['index']} | ${r['k']} | ${m['P@1']} | ${m['P@3']} | ${m['P@5']} | ${m['nDCG@3']} | ${m['nDCG@5']} | ${m['PSP@1']} | ${m['PSP@3']} | ${m['PSP@5']} | ${r['trainSeconds']} | ${r['predictMsPerPoint']} | ${(PUBLISHED[r['dataset'] as string] ?? []).join(' / ')} |`;
  }),
  '',
  'Validation P@1 by k (exact search, seeded 80/20 split of the training set):',
  '',
  ...results.filter((r) => r['index'] === 'exact').map((r) => `- ${r['dataset']}: ${Object.entries(r['validationP1ByK'] as Record<string, number>).map(([k, v]) => `k=${k}: ${v.toFixed(2)}`).join(', ')}`),
  '',
];
await fs.writeFile(path.join(outDir, 'knn_baseline.md'), md.join('\n'));
process.stdout.write(md.join('\n'));
