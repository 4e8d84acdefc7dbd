/**
 * Reader throughput and memory.
 *
 *   node dist/eval/bench_read.js [--size-mb 200] [--data-dir ../shared/datasets]
 *
 * Times readDataset on Delicious_train.txt (one cold run, then best of 3) plain and gzipped,
 * and on a seeded synthetic BoW file of about --size-mb MB written to os.tmpdir() (deleted
 * afterwards); reports MB/s of file bytes and memory growth (RSS, heap, array buffers; at the
 * end and the peak sampled every 4 MiB through onProgress) against the byte size of the CSR
 * arrays read. Also times writeDataset on Delicious. Writes eval/results/bench_read.json.
 */
import { createWriteStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { finished } from 'node:stream/promises';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { gzipSync } from 'node:zlib';
import { type Dataset, readDataset, writeDataset } from '../src/data/index.js';
import { argv, dataDir, opt, root } from './args.js';

const sizeMb = Number(opt('size-mb', '200'));
if (!(sizeMb > 0)) throw new Error(`--size-mb must be a positive number but got ${opt('size-mb', '')}`);

// A garbage collector to call between runs, so memory deltas measure one read only.
v8.setFlagsFromString('--expose-gc');
const gc = ((globalThis as { gc?: () => void }).gc ?? vm.runInNewContext('gc')) as () => void;
const MB = 2 ** 20;
const round = (x: number): number => Number(x.toFixed(2));

function csrBytes(ds: Dataset): number {
  const b = (m: Dataset['features']): number => m.rowPtr.byteLength + m.indices.byteLength + m.values.byteLength;
  return b(ds.features) + b(ds.labels);
}

async function settle(): Promise<void> {
  gc(); await new Promise((r) => setImmediate(r)); gc();
}

/** One timed read with memory sampling. */
async function readOnce(file: string): Promise<{ seconds: number; csr: number; mem: Record<string, number> }> {
  await settle();
  const before = process.memoryUsage();
  let peakRss = before.rss, peakAb = before.arrayBuffers, peakHeap = before.heapUsed;
  const sample = (): void => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss); peakAb = Math.max(peakAb, m.arrayBuffers); peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const t0 = performance.now();
  const ds = await readDataset(file, { onProgress: sample });
  const seconds = (performance.now() - t0) / 1000;
  sample();
  const after = process.memoryUsage();
  const csr = csrBytes(ds);
  await settle();
  const retained = process.memoryUsage();
  // Keep ds alive until after the retained measurement.
  if (ds.features.nRows < 0) throw new Error('unreachable');
  return {
    seconds, csr,
    mem: {
      rssGrowthMB: (after.rss - before.rss) / MB,
      heapGrowthMB: (after.heapUsed - before.heapUsed) / MB,
      arrayBuffersGrowthMB: (after.arrayBuffers - before.arrayBuffers) / MB,
      peakRssGrowthMB: (peakRss - before.rss) / MB,
      peakHeapGrowthMB: (peakHeap - before.heapUsed) / MB,
      peakArrayBuffersGrowthMB: (peakAb - before.arrayBuffers) / MB,
      // What stays allocated once the reader's garbage (chunks, outgrown buffers) is collected.
      arrayBuffersRetainedMB: (retained.arrayBuffers - before.arrayBuffers) / MB,
    },
  };
}

async function measure(file: string, repeats: number): Promise<Record<string, number>> {
  const size = (await fs.stat(file)).size;
  const cold = await readOnce(file);
  let best = cold;
  for (let r = 0; r < repeats; r++) {
    const run = await readOnce(file);
    if (run.seconds < best.seconds) best = run;
  }
  return {
    fileMB: round(size / MB), coldSeconds: Number(cold.seconds.toFixed(4)), seconds: Number(best.seconds.toFixed(4)),
    mbPerSecond: round(size / MB / best.seconds), csrMB: round(best.csr / MB),
    ...Object.fromEntries(Object.entries(best.mem).map(([k, v]) => [k, round(v)])),
    peakArrayBuffersOverCsr: round(best.mem.peakArrayBuffersGrowthMB! / (best.csr / MB)),
  };
}

/** Seeded xorshift32 for the synthetic file. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 4294967296; };
}

/**
 * A seeded synthetic BoW file of about `targetMb` MB: 1M features, 5,000 labels, 50–150
 * features (sorted, distinct) and 1–9 labels per row, values in [0, 1) with 6 decimals.
 * Streamed to disk in pieces; the row count goes in a fixed-width header written last.
 */
async function synthesize(file: string, targetMb: number): Promise<void> {
  const rnd = xorshift(1);
  const D = 1_000_000, L = 5_000;
  const out = createWriteStream(file);
  const headerWidth = 40;
  out.write(' '.repeat(headerWidth - 1) + '\n');
  let bytes = headerWidth, rows = 0, piece = '';
  const feats = new Int32Array(160), labels = new Int32Array(10);
  const sortedDistinct = (a: Int32Array, n: number, range: number): number => {
    for (let k = 0; k < n; k++) a[k] = Math.floor(rnd() * range);
    const s = a.subarray(0, n).sort();
    let m = 0;
    for (let k = 0; k < n; k++) if (k === 0 || s[k] !== s[k - 1]) s[m++] = s[k]!;
    return m;
  };
  while (bytes < targetMb * MB) {
    const nl = sortedDistinct(labels, 1 + Math.floor(rnd() * 9), L);
    const nf = sortedDistinct(feats, 50 + Math.floor(rnd() * 101), D);
    let line = '';
    for (let k = 0; k < nl; k++) line += (k ? ',' : '') + labels[k];
    for (let k = 0; k < nf; k++) line += ` ${feats[k]}:${rnd().toFixed(6)}`;
    piece += line + '\n';
    rows++;
    if (piece.length > 1 << 20) {
      bytes += piece.length;
      if (!out.write(piece)) await new Promise<void>((r) => out.once('drain', () => r()));
      piece = '';
    }
  }
  out.end(piece);
  await finished(out);
  const header = `${rows} ${D} ${L}`;
  const fh = await fs.open(file, 'r+');
  try { await fh.write(header.padEnd(headerWidth - 1, ' '), 0, 'latin1'); } finally { await fh.close(); }
}

const results: Record<string, unknown> = {};
const log = (name: string): void => { process.stderr.write(`${name}: ${JSON.stringify(results[name])}\n`); };
const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'xmlc-bench-read-'));
try {
  const delicious = path.join(dataDir, 'Delicious', 'Delicious_train.txt');
  results['Delicious_train.txt'] = await measure(delicious, 3);
  log('Delicious_train.txt');
  const deliciousGz = path.join(tmp, 'Delicious_train.txt.gz');
  await fs.writeFile(deliciousGz, gzipSync(await fs.readFile(delicious)));
  results['Delicious_train.txt.gz'] = await measure(deliciousGz, 3);
  log('Delicious_train.txt.gz');

  // Writer throughput (BoW text, shortest float32 values).
  const ds = await readDataset(delicious);
  const written = path.join(tmp, 'Delicious_copy.txt');
  let bestWrite = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    await writeDataset(written, ds);
    bestWrite = Math.min(bestWrite, (performance.now() - t0) / 1000);
  }
  const writtenMb = (await fs.stat(written)).size / MB;
  results['write_Delicious_train.txt'] = { fileMB: round(writtenMb), seconds: Number(bestWrite.toFixed(4)), mbPerSecond: round(writtenMb / bestWrite) };
  log('write_Delicious_train.txt');
  await fs.rm(written, { force: true });

  const synth = path.join(tmp, 'synthetic.txt');
  const t0 = performance.now();
  await synthesize(synth, sizeMb);
  process.stderr.write(`synthesized ${sizeMb} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  results[`synthetic_${sizeMb}MB`] = await measure(synth, 2);
  log(`synthetic_${sizeMb}MB`);
} finally {
  await fs.rm(tmp, { recursive: true, force: true });
}
const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, date: new Date().toISOString() };
await fs.mkdir(path.join(root, 'eval', 'results'), { recursive: true });
const command = `node dist/eval/bench_read.js${argv.length ? ' ' + argv.join(' ') : ''}`;
await fs.writeFile(path.join(root, 'eval', 'results', 'bench_read.json'), JSON.stringify({ machine, command, results }, null, 2) + '\n');
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
