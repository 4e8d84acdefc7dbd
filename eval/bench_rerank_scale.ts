/**
 * The re-ranker's classifiers at scale: trainOneVsRest on every point (`negatives: 'all'`) against training on shortlists
 * (`negatives: 'shortlist'`, the candidates a model's top-S of the training points), on one training file.
 *
 *   node dist/eval/bench_rerank_scale.js --train FILE [--name NAME] [--shortlist 100] [--cs 1,10,100] [--sample 200]
 *
 * The shortlists come from xmlc's kNN model (`method: 'knn'`, its defaults) predicting its own training points, top S.
 * Shortlist training is timed on every label; training on every point costs hours at tens of thousands of labels, so it
 * is timed on `--sample` labels spread evenly over the label ids (the others given no positives, so not trained) and
 * scaled up by L / sample — an estimate, marked so. Rows ℓ2-normalised, logistic loss, bias 1, pruned below 0.01, as the
 * re-ranker trains them. Appends to eval/results/bench_rerank_scale.json (a run replaces an earlier one of the same name)
 * and rewrites bench_rerank_scale.md.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Csr, normalizeRowsL2 } from '../src/data/csr.js';
import { readDataset } from '../src/data/index.js';
import { trainOneVsRest } from '../src/linear/ovr.js';
import { trainModel } from '../src/model/methods.js';
import { shortlistPattern } from '../src/model/reranked_model.js';
import { opt, root, runMain, writeResults } from './args.js';

interface Fit { c: number; shortlistSeconds: number; allSecondsEstimate: number; sampledLabels: number; shortlistPasses: number; allPasses: number }
interface Run { name: string; n: number; d: number; L: number; S: number; candidatesPerLabel: number; knnSeconds: number; fits: Fit[]; date: string; machine: string }

/** `y` with only the labels `keep` (the other columns emptied). */
function onlyLabels(y: Csr, keep: Set<number>): Csr {
  const rowPtr = new Int32Array(y.nRows + 1), idx: number[] = [];
  for (let i = 0; i < y.nRows; i++) {
    for (let p = y.rowPtr[i]!; p < y.rowPtr[i + 1]!; p++) if (keep.has(y.indices[p]!)) idx.push(y.indices[p]!);
    rowPtr[i + 1] = idx.length;
  }
  return { nRows: y.nRows, nCols: y.nCols, rowPtr, indices: Int32Array.from(idx), values: new Float32Array(idx.length).fill(1) };
}

const mean = (a: Int32Array, keep?: Set<number>): number => {
  let s = 0, k = 0;
  a.forEach((v, l) => { if (!keep || keep.has(l)) { s += v; k++; } });
  return k ? s / k : 0;
};

async function main(): Promise<void> {
  const file = opt('train', ''), S = Number(opt('shortlist', '100')), sample = Number(opt('sample', '200'));
  if (!file) throw new Error('--train FILE is required');
  const name = opt('name', path.basename(path.dirname(file)));
  const cs = opt('cs', '1,10,100').split(',').map(Number);
  const data = await readDataset(file);
  const x = normalizeRowsL2(data.features), y = data.labels, L = y.nCols;
  let t0 = performance.now();
  const knn = await trainModel(data, { method: 'knn' });
  const ranked = await knn.predict(data.features, { topK: S });
  knn.dispose();
  const knnSeconds = (performance.now() - t0) / 1000;
  const candidates = shortlistPattern(ranked, L);
  const keep = new Set(Array.from({ length: Math.min(sample, L) }, (_, k) => Math.floor((k * L) / Math.min(sample, L))));
  const ySample = onlyLabels(y, keep);
  const fits: Fit[] = [];
  for (const c of cs) {
    const o = { loss: 'logistic', c, bias: 1, pruneBelow: 0.01, seed: 0 } as const;
    t0 = performance.now();
    const short = trainOneVsRest(x, y, { ...o, candidates });
    const shortlistSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    const all = trainOneVsRest(x, ySample, o);
    const allSecondsEstimate = ((performance.now() - t0) / 1000) * (L / keep.size);
    fits.push({ c, shortlistSeconds, allSecondsEstimate, sampledLabels: keep.size, shortlistPasses: mean(short.iterations), allPasses: mean(all.iterations, keep) });
    process.stderr.write(`${name} C ${c}: shortlist ${shortlistSeconds.toFixed(1)} s, every point ≈ ${allSecondsEstimate.toFixed(0)} s\n`);
  }
  const run: Run = {
    name, n: x.nRows, d: x.nCols, L, S, candidatesPerLabel: candidates.indices.length / L, knnSeconds, fits,
    date: new Date().toISOString().slice(0, 10), machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`,
  };
  const out = path.join(root, 'eval', 'results', 'bench_rerank_scale');
  let runs: Run[] = [];
  try { runs = JSON.parse(await fs.readFile(out + '.json', 'utf8')) as Run[]; } catch { /* first run */ }
  runs = [...runs.filter((r) => r.name !== name), run];
  const md = [
    '# The re-ranker\'s classifiers at scale: every point or shortlists (eval/bench_rerank_scale.ts)',
    '',
    'trainOneVsRest as the re-ranker trains it (rows ℓ2-normalised, logistic, bias 1, pruned below 0.01) on a whole training file:',
    'on shortlists (each label on its positives and the training points whose top S by xmlc\'s kNN model holds it; every label',
    'timed) and on every point (timed on an even sample of labels and scaled by L / sample: an estimate). Addon solvers, both',
    'threads; OPENBLAS_CORETYPE as the run\'s environment (BLAS is not used here).',
    '',
    '| data | n | features | L | S | shortlist entries per label (n·S/L) | kNN shortlists s | C | shortlist s | every point s (est.) | speed-up | mean passes (shortlist / every point) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...runs.flatMap((r) => r.fits.map((f) => `| ${r.name} | ${r.n} | ${r.d} | ${r.L} | ${r.S} | ${r.candidatesPerLabel.toFixed(0)} | ${r.knnSeconds.toFixed(1)} | ${f.c} | ${f.shortlistSeconds.toFixed(1)} | ${f.allSecondsEstimate.toFixed(0)} (${f.sampledLabels} labels) | ${(f.allSecondsEstimate / f.shortlistSeconds).toFixed(0)}× | ${f.shortlistPasses.toFixed(1)} / ${f.allPasses.toFixed(1)} |`)),
    '',
    `Machine: ${run.machine}. Command: \`node dist/eval/bench_rerank_scale.js --train DIR/train.txt --name NAME\` (data from \`xmlc data synth NAME --seed 1\`).`,
    '',
  ].join('\n');
  await writeResults(out, runs, md);
}

runMain(main);
