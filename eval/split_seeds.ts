/**
 * The default model against one-vs-rest logistic regression over several seeded train/test splits
 * of a one-file set (RCV1-sub2: 75% train, 25% test, as eval/accuracy.ts splits it with seed 0):
 * one test split is too small to tell them apart (1,500 points: the standard error of P@1 is
 * ~1.25 points), the mean over splits of the paired differences is the steadier comparison.
 *
 *   node dist/eval/split_seeds.js [--dataset RCV1-sub2] [--seeds 0,1,2,3,4] [--out split_seeds_rcv1]
 *
 * Per split: the default model (`trainModel(train)`) and the baseline (C chosen on a held-out 10% of
 * the training points), P@1/3/5 of each on the split's test points and the paired lead (± SE); then
 * the mean over splits of each and of the lead, ± the standard error over splits.
 * Writes eval/results/OUT.json and OUT.md.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Csr, selectRows } from '../src/data/csr.js';
import { readDataset } from '../src/data/index.js';
import { evaluateRanking } from '../src/metrics/index.js';
import { trainModel, DEFAULT_MIX } from '../src/model/methods.js';
import { type Ranked } from '../src/ranking/topk.js';
import { splitRows } from '../src/util/split.js';
import { dataDir, opt, root } from './args.js';
import { ovrAlone, pairedLead } from './compare.js';

const log = (s: string): void => { process.stderr.write(s + '\n'); };
const pk = (r: Ranked, truth: Csr): number[] => {
  const m = evaluateRanking(r, truth, { ks: [1, 3, 5], metrics: ['P'] }) as Record<string, number>;
  return [m['P@1']!, m['P@3']!, m['P@5']!].map((v) => 100 * v);
};
const meanSe = (v: number[]): string => {
  const n = v.length, mean = v.reduce((a, b) => a + b, 0) / n;
  const se = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) / n) : NaN;
  return `${mean >= 0 ? '' : '−'}${Math.abs(mean).toFixed(2)} ± ${se.toFixed(2)}`;
};

/** The default model's re-ranker choice from its training notes, short: "α 0.4, C 1 (+0.21 ± 0.30)" or "not kept (…)". */
function rerankCell(notes: readonly string[]): string {
  const note = notes.find((n) => n.startsWith('re-ranker:'));
  if (note === undefined) return '–';
  const cv = /([+−]\d+\.\d\d ± \d+\.\d\d) cross-validated/.exec(note)?.[1] ?? '';
  const kept = /^re-ranker: α = ([\d.]+), C = (\d+)/.exec(note);
  return kept ? `α ${kept[1]}, C ${kept[2]} (${cv})` : `not kept${cv ? ` (${cv})` : ''}`;
}

async function main(): Promise<void> {
  const name = opt('dataset', 'RCV1-sub2');
  const seeds = opt('seeds', '0,1,2,3,4').split(',').map(Number);
  const out = path.join(root, 'eval', 'results', opt('out', 'split_seeds_rcv1'));
  const all = await readDataset(path.join(dataDir, name, `${name}_all.txt`));
  const rows: { seed: number; def: number[]; ovr: number[]; c: number; lead: string; seconds: number; rerank: string }[] = [];
  for (const seed of seeds) {
    const { train, valid } = splitRows(all.features.nRows, 0.25, seed);
    const part = (r: Int32Array): { features: Csr; labels: Csr } => ({ features: selectRows(all.features, r), labels: selectRows(all.labels, r) });
    const tr = part(train), te = part(valid);
    const t0 = performance.now();
    const model = await trainModel(tr);
    const seconds = (performance.now() - t0) / 1000;
    const rerank = rerankCell(model.notes);
    const def = await model.predict(te, { topK: 5 });
    model.dispose();
    const ovr = await ovrAlone(tr);
    const or = ovr.ranked(te.features);
    const row = { seed, def: pk(def, te.labels), ovr: pk(or, te.labels), c: ovr.c, lead: pairedLead(def, or, te.labels), seconds, rerank };
    rows.push(row);
    log(JSON.stringify(row));
  }
  const col = (f: (r: (typeof rows)[number]) => number[], k: number): number[] => rows.map((r) => f(r)[k]!);
  const md = [
    `# ${name}: the default model against one-vs-rest logistic regression over ${rows.length} seeded splits (eval/split_seeds.ts)`,
    '',
    `Each split: ${all.features.nRows} points, a seeded 25% test (seed 0 is eval/results/accuracy.md's split). The default model is`,
    `\`trainModel(train)\` (${DEFAULT_MIX}, choices on held-out training points); the baseline chooses C ∈ {1, 10, 100} on a held-out 10%.`,
    `P@k in %; "lead" is the paired default − baseline difference on the split's test points ± its SE.`,
    `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}; ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '| split seed | default P@1 / P@3 / P@5 | its re-ranker (held-out gain cross-validated) | one-vs-rest LR | C | lead (paired) | default train s |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.seed} | ${r.def.map((v) => v.toFixed(2)).join(' / ')} | ${r.rerank} | ${r.ovr.map((v) => v.toFixed(2)).join(' / ')} | ${r.c} | ${r.lead} | ${r.seconds.toFixed(0)} |`),
    '',
    `Mean over the splits ± SE over the splits: default ${[0, 1, 2].map((k) => meanSe(col((r) => r.def, k))).join(' / ')}; `
      + `one-vs-rest ${[0, 1, 2].map((k) => meanSe(col((r) => r.ovr, k))).join(' / ')}; `
      + `default − one-vs-rest ${[0, 1, 2].map((k) => meanSe(rows.map((r) => r.def[k]! - r.ovr[k]!))).join(' / ')}.`,
    '',
    `Command: \`env -u OPENBLAS_CORETYPE node dist/eval/split_seeds.js --dataset ${name} --seeds ${seeds.join(',')}\`.`,
    '',
  ].join('\n');
  await fs.writeFile(out + '.json', JSON.stringify({ date: new Date().toISOString(), dataset: name, rows }, null, 2) + '\n');
  await fs.writeFile(out + '.md', md);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
