/**
 * kNN over embeddings: exact search (the addon's blocked-product kernel, src/engine/native/knn_exact.cc)
 * against HNSW (build, then the addon's batched search at efSearch 100), by the number of indexed
 * points — the evidence for EXACT_MAX_EMBEDDING_ENTRIES (src/knn/hnsw.ts), the size up to which the
 * embedding models search exactly by default.
 *
 *   node dist/eval/bench_knn_embed.js [--sizes 12920,40000,100000] [--dim 100] [--queries 3185] [--k 20] [--repeat 3]
 *
 * Points and queries are unit vectors around 200 seeded random centres (like embeddings of related
 * label sets). Reported per size: the median search time of the queries (exact, HNSW), HNSW's build
 * time and its recall@k against the exact neighbours. Appends a section to eval/results/knn_index_choice.md.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { useBackend } from '../src/engine/backends.js';
import { ExactDenseIndex } from '../src/knn/exact_dense.js';
import { HNSW_DEFAULTS, HnswIndex } from '../src/knn/hnsw.js';
import { Rng } from '../src/util/rng.js';
import { opt, root } from './args.js';

const sizes = opt('sizes', '12920,40000,100000').split(',').map(Number);
const dim = Number(opt('dim', '100')), nq = Number(opt('queries', '3185')), k = Number(opt('k', '20')), repeat = Number(opt('repeat', '3'));

/** n unit vectors in `dim` dimensions around `c` random centres. */
function points(n: number, c: number, seed: number, centres?: number[][]): Float32Array {
  const rng = new Rng(seed);
  const ctr = centres ?? Array.from({ length: c }, () => Array.from({ length: dim }, () => rng.normal()));
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const m = ctr[rng.int(ctr.length)]!;
    let s = 0;
    for (let j = 0; j < dim; j++) { const v = m[j]! + 0.7 * rng.normal(); out[i * dim + j] = v; s += v * v; }
    for (let j = 0; j < dim; j++) out[i * dim + j]! /= Math.sqrt(s);
  }
  return out;
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)]!;
const time = <T>(f: () => T): [T, number] => { const t = performance.now(); const r = f(); return [r, performance.now() - t]; };

await useBackend('native');
const centreRng = new Rng(1);
const centres = Array.from({ length: 200 }, () => Array.from({ length: dim }, () => centreRng.normal()));
const queries = points(nq, 200, 3, centres);
const rows: string[] = [];
for (const n of sizes) {
  const pts = points(n, 200, 2, centres);
  const exact = new ExactDenseIndex(pts, n, dim);
  const [hnsw, buildMs] = time(() => HnswIndex.buildDense(pts, n, dim, { ...HNSW_DEFAULTS, seed: 1 }));
  // The addon searches a saved index (hnswlib-node searches one built in the process): save and load it.
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xmlc-knn-embed-'));
  const file = path.join(dir, 'index.hnsw');
  hnsw.save(file);
  const loaded = HnswIndex.load(file, new Uint8Array(await fs.readFile(file)), dim, n, { ...HNSW_DEFAULTS, seed: 1 });
  const te: number[] = [], th: number[] = [];
  let truth = exact.searchDense(queries, nq, k), approx = loaded.searchDense(queries, nq, k);
  for (let r = 0; r < repeat; r++) {
    let t: number;
    [truth, t] = time(() => exact.searchDense(queries, nq, k)); te.push(t);
    [approx, t] = time(() => loaded.searchDense(queries, nq, k)); th.push(t);
  }
  let hit = 0;
  for (let i = 0; i < nq; i++) {
    const want = new Set(truth.ids.subarray(i * k, (i + 1) * k));
    for (const id of approx.ids.subarray(i * k, (i + 1) * k)) if (want.has(id)) hit++;
  }
  await fs.rm(dir, { recursive: true, force: true });
  const row = `| ${n.toLocaleString('en')} | ${(n * dim / 1e6).toFixed(2)}·10⁶ | ${median(te).toFixed(1)} | ${median(th).toFixed(1)} | ${(buildMs / 1000).toFixed(1)} | ${(hit / (nq * k)).toFixed(4)} |`;
  process.stderr.write(`${row}\n`);
  rows.push(row);
}
const text = [
  '',
  `## kNN over embeddings: exact search vs HNSW (eval/bench_knn_embed.ts, ${new Date().toISOString().slice(0, 10)})`,
  '',
  `${nq.toLocaleString('en')} queries, k = ${k}, m = ${dim}, unit vectors around 200 random centres; median of ${repeat} searches`,
  `(ms, both cores; HNSW: the addon's batched search of the saved index at efSearch ${HNSW_DEFAULTS.efSearch}, M ${HNSW_DEFAULTS.m}). The embedding models`,
  'search exactly by default up to EXACT_MAX_EMBEDDING_ENTRIES = 4·10⁶ points × m (src/knn/hnsw.ts).',
  '',
  '| points | entries | exact (ms) | HNSW (ms) | HNSW build (s) | HNSW recall@k |',
  '|---|---|---|---|---|---|',
  ...rows,
  '',
  `Command: \`node dist/eval/bench_knn_embed.js --sizes ${sizes.join(',')} --dim ${dim} --queries ${nq} --k ${k} --repeat ${repeat}\``,
  '',
].join('\n');
await fs.appendFile(path.join(root, 'eval', 'results', 'knn_index_choice.md'), text);
