/**
 * One-vs-rest training speed (issue 18): trainOneVsRest in JavaScript against the addon's solvers
 * (src/engine/native/linear_cd.cc, parallel over labels) on 1 and 2 threads, on a training split
 * with the re-ranker's preprocessing (rows ℓ2-normalised).
 *
 *   node dist/eval/bench_ovr.js [--dataset Delicious] [--loss logistic] [--c 10] [--bias 1]
 *                               [--prune 0.01] [--repeats 1] [--threads 1,2] [--data-dir ../shared/datasets]
 *
 * Reads DIR/NAME/NAME_train.txt. Each repeat runs the configurations in turn (JavaScript, then the
 * addon on each thread count), so a change of load hits them alike. Reported: the median wall
 * seconds (and their range), the process's CPU seconds (all threads), labels per second, the
 * speed-up over JavaScript, the 1-minute load average around the runs (the machine has two cores,
 * often shared), and whether each model is the JavaScript one: labels with the same passes and
 * weight bits. Writes eval/results/bench_ovr.md.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { normalizeRowsL2 } from '../src/data/csr.js';
import { readDataset } from '../src/data/index.js';
import { nativeAddon } from '../src/engine/addon.js';
import { setThreads } from '../src/engine/threads.js';
import { type BinaryLoss, type OvrModel, trainOneVsRest, useNativeOvr } from '../src/linear/ovr.js';
import { argv, dataDir, opt, root } from './args.js';

interface Config { name: string; native: boolean; threads: number }
interface Run { seconds: number; cpuSeconds: number; load: [number, number] }

/** Labels whose passes, convergence, bias weight and kept weights (ids and bits) are the same in both models. */
function sameLabels(a: OvrModel, b: OvrModel): number {
  // Both are feature-major: compare label by label through the per-label weight lists.
  const lists = (m: OvrModel): string[] => {
    const out: string[][] = Array.from({ length: m.nLabels }, () => []);
    const { rowPtr, indices, values } = m.weights;
    const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
    for (let j = 0; j < m.nFeatures; j++) for (let p = rowPtr[j]!; p < rowPtr[j + 1]!; p++) out[indices[p]!]!.push(`${j}:${bits[p]}`);
    return out.map((s) => s.join(','));
  };
  const la = lists(a), lb = lists(b);
  let same = 0;
  for (let l = 0; l < a.nLabels; l++) {
    if (a.iterations[l] === b.iterations[l] && a.converged[l] === b.converged[l] && Object.is(a.biasWeights[l], b.biasWeights[l]) && la[l] === lb[l]) same++;
  }
  return same;
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b), h = s.length >> 1; return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2; };

async function main(): Promise<void> {
  const name = opt('dataset', 'Delicious');
  const loss = opt('loss', 'logistic') as BinaryLoss;
  const c = Number(opt('c', '10')), bias = Number(opt('bias', '1')), pruneBelow = Number(opt('prune', '0.01'));
  const repeats = Number(opt('repeats', '1'));
  const threadCounts = opt('threads', '1,2').split(',').map(Number);
  if (!nativeAddon().addon) throw new Error(`the native addon is not built: ${nativeAddon().error}`);
  const train = await readDataset(path.join(dataDir, name, `${name}_train.txt`));
  const x = normalizeRowsL2(train.features), y = train.labels;
  const options = { loss, c, bias, pruneBelow };
  const configs: Config[] = [{ name: 'JavaScript', native: false, threads: 1 }, ...threadCounts.map((t) => ({ name: `addon, ${t} thread${t === 1 ? '' : 's'}`, native: true, threads: t }))];
  const runs: Run[][] = configs.map(() => []);
  const models: (OvrModel | undefined)[] = configs.map(() => undefined);
  for (let r = 0; r < repeats; r++) {
    configs.forEach((config, k) => {
      setThreads(config.threads);
      useNativeOvr(config.native);
      const load0 = os.loadavg()[0]!;
      const t0 = performance.now(), cpu0 = process.cpuUsage();
      const model = trainOneVsRest(x, y, options);
      const seconds = (performance.now() - t0) / 1000, cpu = process.cpuUsage(cpu0);
      runs[k]!.push({ seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, load: [load0, os.loadavg()[0]!] });
      models[k] ??= model;
      process.stderr.write(`${config.name}: run ${r + 1}: ${seconds.toFixed(2)} s (load ${load0.toFixed(2)} → ${os.loadavg()[0]!.toFixed(2)})\n`);
    });
  }
  useNativeOvr(true);
  const js = models[0]!;
  const jsSeconds = median(runs[0]!.map((r) => r.seconds));
  const nnz = js.weights.values.length;
  let passes = 0;
  for (const v of js.iterations) passes += v;
  const rows = configs.map((config, k) => {
    const seconds = median(runs[k]!.map((r) => r.seconds)), all = runs[k]!.map((r) => r.seconds);
    const loads = runs[k]!.flatMap((r) => r.load);
    const same = k === 0 ? '—' : `${sameLabels(models[k]!, js)} / ${js.nLabels}`;
    return `| ${config.name} | ${seconds.toFixed(2)} (${Math.min(...all).toFixed(2)}–${Math.max(...all).toFixed(2)}) | ${median(runs[k]!.map((r) => r.cpuSeconds)).toFixed(2)} | ${(js.nLabels / seconds).toFixed(1)} | ${(jsSeconds / seconds).toFixed(2)}× | ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} | ${same} |`;
  });
  const command = `env -u OPENBLAS_CORETYPE node dist/eval/bench_ovr.js${argv.length ? ' ' + argv.join(' ') : ''}`;
  const md = [
    '# One-vs-rest training speed (eval/bench_ovr.ts)',
    '',
    `trainOneVsRest on ${name} training split (${x.nRows} points, ${x.nCols} features, ${y.nCols} labels; rows ℓ2-normalised as the re-ranker does),`,
    `loss ${loss}, C = ${c}, bias ${bias}, pruneBelow ${pruneBelow}, eps and maxIterations the defaults: ${passes} outer passes over all labels, ${nnz} kept weights.`,
    `JavaScript: src/linear/dual_cd.ts, one label after another; addon: src/engine/native/linear_cd.cc, labels in parallel (OpenMP).`,
    `Median of ${repeats} run${repeats === 1 ? '' : 's'} each (configurations in turn per repeat). ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '| configuration | wall s (range) | CPU s | labels/s | speed-up | load (1 min) | labels identical to JavaScript |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    '"Labels identical": the same passes, convergence flag, bias weight and kept weight ids and float32 bits as the JavaScript model.',
    'CPU s: user + system seconds of the process (every thread). The load column is the 1-minute load average before and after the runs;',
    'above ~0.2, other jobs shared the two cores and the wall times (the 2-thread speed-up above all) are pessimistic.',
    '',
    `Command: \`${command}\` (after \`npm run build\`).`,
    '',
  ].join('\n');
  await fs.writeFile(path.join(root, 'eval', 'results', 'bench_ovr.md'), md);
  process.stdout.write(md);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
