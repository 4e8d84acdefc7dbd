/**
 * TF-IDF vectoriser throughput (issue 17: target ≥ 20 MB/s on one core) on the Debtags training
 * text (../shared/datasets/Debtags, 24,329 package descriptions, 10.5 MB of UTF-8).
 *
 *   node dist/eval/bench_vectorizer.js [--repeats 3] [--data-dir ../shared/datasets]
 *
 * Every measurement runs in a fresh process (the first call of a process is what a user's
 * `xmlc train` pays: code not yet optimised, memory not yet mapped): it reads the JSONL files,
 * then times fitTransform of the training text (fit + transform: the tokeniser, the term table,
 * the cuts, the sorted vocabulary and the rows) once cold and twice more warm, and transform of
 * the test text. Configurations: the defaults (word 1–2-grams) with the addon's kernels and with
 * the JavaScript fallback, word 1–3-grams, a custom token pattern and character 2–4-grams (both
 * JavaScript). Reports MB of UTF-8 text per second (median over --repeats processes) and writes
 * eval/results/bench_vectorizer.json and .md.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTextDataset } from '../src/data/text_reader.js';
import { nativeAddon } from '../src/engine/addon.js';
import { type TfidfParams, TfidfVectorizer, useNativeVectorizer } from '../src/text/tfidf.js';
import { argv, dataDir, opt, root } from './args.js';

interface Config { name: string; native: boolean; params: Partial<TfidfParams> }

const CONFIGS: Config[] = [
  { name: 'defaults (word 1–2-grams), addon', native: true, params: {} },
  { name: 'defaults (word 1–2-grams), JavaScript', native: false, params: {} },
  { name: 'word 1–3-grams, addon', native: true, params: { ngramMax: 3 } },
  { name: 'token pattern `\\S+` (JavaScript tokeniser)', native: true, params: { tokenPattern: '\\S+' } },
  { name: 'character 2–4-grams (JavaScript tokeniser)', native: true, params: { analyzer: 'char', ngramMin: 2, ngramMax: 4 } },
];

interface ChildResult { megabytes: number; cold: number; warm: number[]; test: number; testMegabytes: number; terms: number; nnz: number; native: boolean }

/** One process: the timings of one configuration. */
async function child(config: Config): Promise<ChildResult> {
  const dir = path.join(dataDir, 'Debtags');
  const train = await readTextDataset(path.join(dir, 'Debtags_train.jsonl'));
  const test = await readTextDataset(path.join(dir, 'Debtags_test.jsonl'));
  const mb = (texts: readonly string[]): number => texts.reduce((a, t) => a + Buffer.byteLength(t), 0) / 1e6;
  useNativeVectorizer(config.native);
  const times: number[] = [];
  let fitted: ReturnType<typeof TfidfVectorizer.fitTransform> | undefined;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    fitted = TfidfVectorizer.fitTransform(train.texts, config.params);
    times.push((performance.now() - t0) / 1000);
  }
  const t1 = performance.now();
  fitted!.vectorizer.transform(test.texts);
  const testSeconds = (performance.now() - t1) / 1000;
  return {
    megabytes: mb(train.texts), cold: times[0]!, warm: times.slice(1), test: testSeconds, testMegabytes: mb(test.texts),
    terms: fitted!.vectorizer.nFeatures, nnz: fitted!.features.rowPtr[fitted!.features.nRows]!, native: config.native && nativeAddon().addon !== undefined,
  };
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]!; };

async function main(): Promise<void> {
  const childAt = argv.indexOf('--child');
  if (childAt >= 0) {
    process.stdout.write(JSON.stringify(await child(CONFIGS[Number(argv[childAt + 1])]!)) + '\n');
    return;
  }
  const repeats = Number(opt('repeats', '3'));
  const self = fileURLToPath(import.meta.url);
  const rows: { config: Config; runs: ChildResult[] }[] = [];
  for (let c = 0; c < CONFIGS.length; c++) {
    const runs: ChildResult[] = [];
    for (let r = 0; r < repeats; r++) {
      const p = spawnSync(process.execPath, [self, '--child', String(c), '--data-dir', dataDir], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (p.status !== 0) throw new Error(`child ${c} failed: ${p.stderr}`);
      runs.push(JSON.parse(p.stdout) as ChildResult);
      process.stderr.write(`${CONFIGS[c]!.name}: run ${r + 1}: cold ${runs.at(-1)!.cold.toFixed(3)} s\n`);
    }
    rows.push({ config: CONFIGS[c]!, runs });
  }
  const first = rows[0]!.runs[0]!;
  const result = {
    date: new Date().toISOString(), machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`, node: process.version,
    addon: nativeAddon().addon !== undefined, megabytes: first.megabytes, testMegabytes: first.testMegabytes, repeats,
    rows: rows.map(({ config, runs }) => ({
      name: config.name, params: config.params, native: runs[0]!.native, terms: runs[0]!.terms, nnz: runs[0]!.nnz,
      coldSeconds: median(runs.map((r) => r.cold)), warmSeconds: median(runs.flatMap((r) => r.warm)), testSeconds: median(runs.map((r) => r.test)),
      coldMbPerSecond: first.megabytes / median(runs.map((r) => r.cold)), warmMbPerSecond: first.megabytes / median(runs.flatMap((r) => r.warm)),
      runs,
    })),
  };
  const out = path.join(root, 'eval', 'results', 'bench_vectorizer');
  await fs.writeFile(out + '.json', JSON.stringify(result, null, 2) + '\n');
  const md = [
    '# TF-IDF vectoriser throughput (eval/bench_vectorizer.ts)',
    '',
    `Debtags training text: ${first.megabytes.toFixed(2)} MB of UTF-8 in 24,329 documents (fit + transform, one core);`,
    `test text ${first.testMegabytes.toFixed(2)} MB (transform). Each number is the median over ${repeats} fresh processes:`,
    '"cold" is the first call of a process (what `xmlc train` pays), "warm" the next two.',
    `${result.machine}, node ${result.node}, ${result.date.slice(0, 10)}.`,
    '',
    '| configuration | terms | nonzeros | cold s | cold MB/s | warm s | warm MB/s | test transform s |',
    '|---|---|---|---|---|---|---|---|',
    ...result.rows.map((r) => `| ${r.name}${r.native ? '' : r.name.includes('addon') ? ' (addon not built!)' : ''} | ${r.terms} | ${r.nnz} | ${r.coldSeconds.toFixed(3)} | **${r.coldMbPerSecond.toFixed(1)}** | ${r.warmSeconds.toFixed(3)} | ${r.warmMbPerSecond.toFixed(1)} | ${r.testSeconds.toFixed(3)} |`),
    '',
    'Command: `node dist/eval/bench_vectorizer.js` (a quiet machine; OPENBLAS_CORETYPE does not matter here: no BLAS).',
    '',
  ].join('\n');
  await fs.writeFile(out + '.md', md);
  process.stdout.write(md);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
