/**
 * Reader throughput and memory.
 *
 *   node --expose-gc dist/eval/bench_read.js [--size-mb 200] [--data-dir ../shared/datasets]
 *
 * Times readDataset on Delicious_train.txt (best of 3) and on a seeded synthetic BoW file of
 * about --size-mb MB, reports MB/s and memory growth (RSS, heap, array buffers) against the
 * CSR arrays' byte size, and writes eval/results/bench_read.json.
 */
import { createWriteStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { type Dataset, readDataset } from '../src/data/index.js';
import { Rng } from '../src/util/rng.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const sizeMb = Number(opt('size-mb', '200'));
const dataDir = path.resolve(opt('data-dir', path.join(root, '..', 'shared', 'datasets')));
const gc = (globalThis as { gc?: () => void }).gc;

function csrBytes(ds: Dataset): number {
  const b = (m: Dataset['features']): number => m.rowPtr.byteLength + m.indices.byteLength + m.values.byteLength;
  return b(ds.features) + b(ds.labels);
}

async function measure(file: string, repeats: number): Promise<Record<string, number>> {
  const size = (await fs.stat(file)).size;
  let best = Infinity;
  let mem: Record<string, number> = {};
  let bytes = 0;
  for (let r = 0; r < repeats; r++) {
    gc?.();
    const before = process.memoryUsage();
    const t0 = performance.now();
    const ds = await readDataset(file);
    const seconds = (performance.now() - t0) / 1000;
    const after = process.memoryUsage();
    gc?.(); await new Promise((r) => setImmediate(r)); gc?.();
    const retained = process.memoryUsage();
    if (seconds < best) {
      best = seconds;
      bytes = csrBytes(ds);
      mem = {
        rssGrowthMB: (after.rss - before.rss) / 2 ** 20,
        heapGrowthMB: (after.heapUsed - before.heapUsed) / 2 ** 20,
        arrayBuffersGrowthMB: (after.arrayBuffers - before.arrayBuffers) / 2 ** 20,
        // What stays allocated once the reader's garbage (outgrown buffers, chunks) is collected.
        arrayBuffersRetainedMB: (retained.arrayBuffers - before.arrayBuffers) / 2 ** 20,
      };
    }
  }
  const round = (x: number): number => Number(x.toFixed(2));
  return {
    fileMB: round(size / 2 ** 20), seconds: Number(best.toFixed(4)), mbPerSecond: round(size / 2 ** 20 / best),
    csrMB: round(bytes / 2 ** 20), ...Object.fromEntries(Object.entries(mem).map(([k, v]) => [k, round(v)])),
  };
}

/** A seeded synthetic BoW file: 1M features, 5,000 labels, ~100 features and ~5 labels per row, 6-digit values. */
async function synthesize(file: string, targetMb: number): Promise<void> {
  const rng = new Rng(1);
  const D = 1_000_000, L = 5_000;
  let bytes = 0;
  const lines: string[] = [];
  while (bytes < targetMb * 2 ** 20) {
    const nl = 1 + rng.int(9), nf = 50 + rng.int(101);
    const labels = new Set<number>();
    while (labels.size < nl) labels.add(rng.int(L));
    const feats = new Set<number>();
    while (feats.size < nf) feats.add(rng.int(D));
    const line = [...labels].sort((a, b) => a - b).join(',') + ' ' + [...feats].sort((a, b) => a - b).map((f) => `${f}:${rng.next().toFixed(6)}`).join(' ');
    lines.push(line);
    bytes += line.length + 1;
  }
  const out = createWriteStream(file);
  out.write(`${lines.length} ${D} ${L}\n`);
  for (let i = 0; i < lines.length; i += 1000) {
    if (!out.write(lines.slice(i, i + 1000).join('\n') + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await finished(out);
}

const results: Record<string, unknown> = {};
const delicious = path.join(dataDir, 'Delicious', 'Delicious_train.txt');
results['Delicious_train.txt'] = await measure(delicious, 3);
process.stderr.write(`Delicious_train.txt: ${JSON.stringify(results['Delicious_train.txt'])}\n`);
const synth = path.join(os.tmpdir(), `xmlc-bench-read-${process.pid}.txt`);
try {
  await synthesize(synth, sizeMb);
  gc?.();
  results[`synthetic_${sizeMb}MB`] = await measure(synth, 2);
  process.stderr.write(`synthetic: ${JSON.stringify(results[`synthetic_${sizeMb}MB`])}\n`);
} finally {
  await fs.rm(synth, { force: true });
}
const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, date: new Date().toISOString() };
await fs.mkdir(path.join(root, 'eval', 'results'), { recursive: true });
await fs.writeFile(path.join(root, 'eval', 'results', 'bench_read.json'), JSON.stringify({ machine, command: 'node --expose-gc dist/eval/bench_read.js', results }, null, 2) + '\n');
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
