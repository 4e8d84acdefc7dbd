/**
 * The ℓ1-AE's epochs, before and after (issue 15 item 4): for every dataset and configuration,
 * the epochs the encoder ran, the epoch of its best validation loss, the encoder's seconds, the
 * validation P@1/3/5 of the full model and the test P@1/3/5.
 *
 *   node dist/eval/bench_epochs.js [--datasets Bibtex,Delicious,eurlex-4k-like] [--scale 1]
 *        [--configs before,after] [--variants FILE.json] [--no-valid] [--no-test] [--out bench_epochs] [--append] [--report-only]
 *
 * Configurations: `before` passes the defaults of the code before the change explicitly (100
 * epochs at a constant rate 0.01, batch 128, patience 10, random initialisation); `after` is the
 * library's defaults; `--variants` adds named parameter sets from a JSON object {name: params}.
 * Validation P@1: a model trained on a seeded 90% of the training points predicts the other 10%
 * (the test set is never used to choose anything); test P@k: a model trained on all of them. Both
 * the validation and the test model report their encoder's epochs and seconds. Datasets: names
 * under --data-dir (default ../shared/datasets; Bibtex is also bundled) or a synthetic set's name
 * (generated with seed 1 at `--scale`). Writes eval/results/NAME.json and NAME.md; `--append` keeps
 * the rows of an earlier NAME.json (a row of the same dataset and configuration is replaced), so
 * the datasets can be measured by separate commands (each row names its command).
 */
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateSynthetic, isSyntheticName } from '../datasets/synthetic.js';
import { type Dataset, readDataset } from '../src/data/index.js';
import { selectRows } from '../src/data/csr.js';
import { splitRows } from '../src/encoders/train_loop.js';
import { useBackend } from '../src/engine/backends.js';
import { precisionAtK } from '../src/metrics/precision.js';
import { EmbeddingModel } from '../src/model/embed_model.js';
import { type EmbedTrainParams } from '../src/model/params.js';
import { argv, dataDir, flag, opt, root } from './args.js';

/** The defaults before this change, passed explicitly. */
const BEFORE: Partial<EmbedTrainParams> = Object.freeze({
  epochs: 100, batchSize: 128, learningRate: 0.01, patience: 10, validationFraction: 0.1, warmStart: 'random', scheduleEpochs: 0, warmupEpochs: 0,
});

/** One trained model's measurements. */
interface Run {
  epochsRun: number; bestEpoch: number; bestValidEpoch: number; encoderSeconds: number; trainSeconds: number;
  /** The encoder's validation loss at its best epoch (its own held-out label vectors). */
  bestValidLoss: number;
  /** P@1, P@3, P@5 in percent on the evaluated split. */
  p: [number, number, number];
  /** The encoder's validation loss after every epoch, and of its starting weights when they competed (the PCA warm start). */
  validLoss: number[];
  initialValidLoss?: number;
}
interface Row { dataset: string; config: string; params: Partial<EmbedTrainParams>; valid?: Run; test?: Run; command: string; date: string }

const log = (s: string): void => { process.stderr.write(`${s}\n`); };
const pct = (v: number): number => Number((100 * v).toFixed(2));

async function loadData(name: string): Promise<{ train: Dataset; test: Dataset }> {
  if (isSyntheticName(name)) {
    const { train, test } = generateSynthetic(name, { seed: 1, scale: Number(opt('scale', '1')) });
    return { train, test };
  }
  const dir = [path.join(dataDir, name), path.join(root, 'datasets', name.toLowerCase())].find((d) => existsSync(d));
  if (!dir) throw new Error(`dataset ${name} not found under ${dataDir} or datasets/`);
  const file = (split: string): string => [`${name}_${split}.txt`, `${name}_${split}.txt.gz`].map((f) => path.join(dir, f)).find((f) => existsSync(f))!;
  const train = await readDataset(file('train'));
  const test = await readDataset(file('test'), { nFeatures: train.features.nCols, nLabels: train.labels.nCols });
  return { train, test };
}

/** Train on `train`, predict `evalSet`: the encoder's history, the time, P@1/3/5. */
async function run(train: Dataset, evalSet: Dataset, params: Partial<EmbedTrainParams>): Promise<Run> {
  const t0 = performance.now();
  const model = await EmbeddingModel.train(train, params);
  const trainSeconds = (performance.now() - t0) / 1000;
  const h = model.histories[0]!;
  const ranked = await model.predict(evalSet.features, { topK: 5 });
  model.dispose();
  const p = [1, 3, 5].map((k) => pct(precisionAtK(ranked, evalSet.labels, k))) as [number, number, number];
  return {
    epochsRun: h.epochsRun, bestEpoch: h.bestEpoch, bestValidEpoch: h.bestValidEpoch, encoderSeconds: Number(h.seconds.toFixed(1)),
    trainSeconds: Number(trainSeconds.toFixed(1)), bestValidLoss: Number((h.bestValidEpoch === 0 ? h.initialValidLoss ?? NaN : h.validLoss[h.bestValidEpoch - 1]!).toFixed(5)), p,
    validLoss: h.validLoss.map((v) => Number(v.toFixed(5))),
    ...(h.initialValidLoss !== undefined ? { initialValidLoss: Number(h.initialValidLoss.toFixed(5)) } : {}),
  };
}

const backend = (await useBackend('auto')).name;
// --report-only: rewrite NAME.md from NAME.json, training nothing.
const names = flag('report-only') ? [] : opt('datasets', 'Bibtex,Delicious,eurlex-4k-like').split(',');
const variants: Record<string, Partial<EmbedTrainParams>> = { before: BEFORE, after: {} };
if (argv.includes('--variants')) Object.assign(variants, JSON.parse(await fs.readFile(opt('variants', ''), 'utf8')) as Record<string, Partial<EmbedTrainParams>>);
const configs = opt('configs', 'before,after').split(',');
const command = `node dist/eval/bench_epochs.js ${argv.join(' ')}`.trim();
const outName = opt('out', 'bench_epochs');
const outDir = path.join(root, 'eval', 'results');
const jsonFile = path.resolve(outDir, `${outName}.json`);
const mine: Row[] = [];
for (const name of names) {
  const { train, test } = await loadData(name);
  // The validation split of the training points (seeded; the same for every configuration).
  const split = splitRows(train.features.nRows, 0.1, 1);
  const part = (rows: Int32Array): Dataset => ({ ...train, features: selectRows(train.features, rows), labels: selectRows(train.labels, rows) });
  const fit = part(split.train.sort()), valid = part(split.valid);
  for (const config of configs) {
    const params = variants[config];
    if (!params) throw new Error(`unknown configuration ${config} (known: ${Object.keys(variants).join(', ')})`);
    // A synthetic set at another scale is another dataset.
    const scale = Number(opt('scale', '1'));
    const dataset = isSyntheticName(name) && scale !== 1 ? `${name} (scale ${scale})` : name;
    const row: Row = { dataset, config, params, command, date: new Date().toISOString() };
    if (!flag('no-valid')) row.valid = await run(fit, valid, params);
    if (!flag('no-test')) row.test = await run(train, test, params);
    mine.push(row);
    log(JSON.stringify(row));
  }
}

const stamp = new Date().toISOString();
const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, backend };
await fs.mkdir(path.dirname(jsonFile), { recursive: true });
// With --append, the rows of the file as it is now (another run may have written it meanwhile), this run's replacing the same dataset and configuration.
const rows: Row[] = (flag('append') || flag('report-only')) && existsSync(jsonFile) ? (JSON.parse(await fs.readFile(jsonFile, 'utf8')) as { rows: Row[] }).rows : [];
for (const row of mine) {
  const same = rows.findIndex((r) => r.dataset === row.dataset && r.config === row.config);
  if (same >= 0) rows[same] = row; else rows.push(row);
}
const write = async (file: string, text: string): Promise<void> => {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, file);
};
await write(jsonFile, JSON.stringify({ date: stamp, machine, rows }, null, 2) + '\n');
const cell = (r: Run | undefined, f: (r: Run) => string, cells = 1): string => (r ? f(r) : Array(cells).fill('–').join(' | '));
const md = [
  '# ℓ1-AE epochs: before and after', '',
  `${stamp}; ${machine.cpus} × ${machine.model}, Node ${machine.node}, backend ${backend}; the machine was shared (seconds are`,
  'wall-clock under that load; the epochs are exact). Commands (each row\'s is in the JSON):', '',
  ...[...new Set(rows.map((r) => r.command))].map((c) => `    ${c}`), '',
  'One model per row, default parameters except as named. **valid**: a model trained on a seeded 90% of the training points, evaluated on the',
  'other 10% (P@k of the full model\'s prediction); **test**: a model trained on all training points, evaluated on the test set. Epochs:',
  'run / best (the epoch with the lowest validation loss on the encoder\'s own held-out tenth of the label vectors, whose weights are kept;',
  '0: the PCA warm start itself, which competes as epoch 0); encoder s: the ℓ1-AE stage, warm start included. The JSON has every',
  'epoch\'s validation loss (and the warm start\'s, `initialValidLoss`).', '',
  '| dataset | config | valid epochs run / best | valid encoder s | valid P@1 | valid P@3 | valid P@5 | test epochs run / best | test encoder s | test train s | test P@1 | test P@3 | test P@5 |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.dataset} | ${r.config} | ${cell(r.valid, (v) => `${v.epochsRun} / ${v.bestValidEpoch}`)} | ${cell(r.valid, (v) => String(v.encoderSeconds))} | ${cell(r.valid, (v) => v.p.join(' | '), 3)} | `
    + `${cell(r.test, (v) => `${v.epochsRun} / ${v.bestValidEpoch}`)} | ${cell(r.test, (v) => String(v.encoderSeconds))} | ${cell(r.test, (v) => String(v.trainSeconds))} | ${cell(r.test, (v) => v.p.join(' | '), 3)} |`),
  '', 'Configurations:', '',
  ...[...new Map(rows.map((r) => [r.config, r.params])).entries()].map(([k, v]) => `- ${k}: ${Object.keys(v).length ? `\`${JSON.stringify(v)}\`` : 'the library defaults'}`), '',
];
await write(jsonFile.replace(/\.json$/, '.md'), md.join('\n'));
log(`wrote eval/results/${outName}.json and .md`);
