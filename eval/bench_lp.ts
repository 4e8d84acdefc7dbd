/**
 * Speed of the exact ℓ1-minimisation LPs (src/sensing/simplex.ts).
 *
 *   node dist/eval/bench_lp.js [--points 500] [--large-points 5] [--seed 1]
 *
 * Problems like the ℓ1-AE paper's: A Gaussian N(0, 1/m); x with k non-negative entries
 * uniform in (0, 1] on a random support, ℓ2-normalised (synthetic1-like vectors use one
 * aligned block of 10). Reports solves per second for ℓ1-min pos and ℓ1-min at d = 1000,
 * m = 20 / 50 / 100 (the issue's target: ≥ 50/s at m = 50), the fraction recovered exactly,
 * and seconds per solve at RCV1's dimension d = 47,236 (k = 77, its mean nonzeros) for
 * m = 200 and 400. Single thread. Writes eval/results/bench_lp.json and .md.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { l1Min, l1MinPos } from '../src/sensing/simplex.js';
import { writeFileAtomic } from '../src/util/atomic.js';
import { Rng } from '../src/util/rng.js';
import { opt, root } from './args.js';

const points = Number(opt('points', '500'));
const largePoints = Number(opt('large-points', '5'));
const seed = Number(opt('seed', '1'));

interface Row { d: number; m: number; k: number; support: string; lp: string; points: number; solvesPerSecond: number; secondsPerSolve: number; exactFraction: number; pivotsPerSolve: number }

function problem(d: number, m: number, k: number, n: number, block: boolean, rng: Rng): { a: Float64Array; x: Float64Array; y: Float64Array } {
  const a = Float64Array.from({ length: m * d }, () => rng.normal() / Math.sqrt(m));
  const x = new Float64Array(n * d), y = new Float64Array(n * m);
  for (let r = 0; r < n; r++) {
    const b0 = block ? rng.int(Math.floor(d / k)) * k : 0;
    const support = block ? Array.from({ length: k }, (_, t) => b0 + t) : rng.shuffle(Array.from({ length: d }, (_, j) => j)).slice(0, k);
    let s = 0;
    for (const j of support) { const v = 1 - rng.next(); x[r * d + j] = v; s += v * v; }
    for (const j of support) x[r * d + j] = x[r * d + j]! / Math.sqrt(s);
    for (let i = 0; i < m; i++) { let v = 0; for (const j of support) v += a[i * d + j]! * x[r * d + j]!; y[r * m + i] = v; }
  }
  return { a, x, y };
}

function run(d: number, m: number, k: number, n: number, block: boolean, rng: Rng): Row[] {
  const { a, x, y } = problem(d, m, k, n, block, rng);
  return (['l1-min-pos', 'l1-min'] as const).map((lp) => {
    const t0 = performance.now();
    const r = lp === 'l1-min-pos' ? l1MinPos(a, m, d, y, n) : l1Min(a, m, d, y, n);
    const s = (performance.now() - t0) / 1000;
    let exact = 0;
    for (let p = 0; p < n; p++) {
      let e = 0;
      for (let j = p * d; j < (p + 1) * d; j++) e += (r.x[j]! - x[j]!) ** 2;
      if (Math.sqrt(e) <= 1e-10) exact++;
    }
    const row: Row = { d, m, k, support: block ? `one block of ${k}` : `${k} random`, lp, points: n, solvesPerSecond: n / s, secondsPerSolve: s / n, exactFraction: exact / n, pivotsPerSolve: r.iterations / n };
    process.stderr.write(`d=${d} m=${m} ${row.support} ${lp}: ${row.solvesPerSecond.toFixed(1)} solves/s, exact ${(100 * row.exactFraction).toFixed(1)}%, ${row.pivotsPerSolve.toFixed(0)} pivots\n`);
    return row;
  });
}

const rng = new Rng(seed);
const rows: Row[] = [];
for (const m of [20, 50, 100]) rows.push(...run(1000, m, 10, points, true, rng));
rows.push(...run(1000, 50, 10, points, false, rng));
for (const m of [200, 400]) rows.push(...run(47236, m, 77, largePoints, false, rng));

const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, node ${process.version}`;
const md = [
  '# Exact ℓ1-minimisation LP speed (src/sensing/simplex.ts)', '',
  `Command: \`node dist/eval/bench_lp.js ${process.argv.slice(2).join(' ')}\`. Machine: ${machine}, one thread. Date: ${new Date().toISOString().slice(0, 10)}.`, '',
  '| d | m | x | LP | points | solves/s | s/solve | exact % | pivots/solve |', '|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.d} | ${r.m} | ${r.support} | ${r.lp} | ${r.points} | ${r.solvesPerSecond.toFixed(1)} | ${r.secondsPerSolve.toPrecision(3)} | ${(100 * r.exactFraction).toFixed(1)} | ${r.pivotsPerSolve.toFixed(0)} |`),
  '',
].join('\n');
const dir = path.join(root, 'eval', 'results');
await writeFileAtomic(path.join(dir, 'bench_lp.json'), JSON.stringify({ machine, date: new Date().toISOString(), args: process.argv.slice(2), rows }, null, 1) + '\n');
await writeFileAtomic(path.join(dir, 'bench_lp.md'), md);
process.stdout.write(md);
