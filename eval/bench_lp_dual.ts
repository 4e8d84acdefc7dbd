/**
 * Speed of the exact ℓ1-minimisation LP solvers (src/sensing/lp.ts), one thread.
 *
 *   node dist/eval/bench_lp_dual.js [--points 200] [--big-points 2] [--sizes 200,400,800]
 *                                   [--sift-sizes 200,400,800] [--seed 1]
 *
 * Problems: A Gaussian with N(0, 1/m) entries; x k-sparse, non-negative (|N(0, 1)| on a random
 * support), unit ℓ2 norm — the paper's synthetic sets; y = A·x. ℓ1-min pos and ℓ1-min solve the
 * same y (a non-negative x is a valid ℓ1-min point too).
 * - d = 1,000, m = 50, k = 10, `--points` points: solves per second for ℓ1-min pos and ℓ1-min,
 *   each with sifting on and off (the default, `auto`, does not sift at d/m = 20), to see
 *   whether sifting pays at this size.
 * - d = 47,236 (the dimension of the larger real data set), k = 100, m in `--sizes`,
 *   `--big-points` points: seconds per solve of ℓ1-min pos with the default settings (the
 *   screened dual simplex over all columns), and with sifting for m in `--sift-sizes`.
 * Reports wall time and process CPU time (the machine may be shared), mean simplex iterations,
 * the statuses, and how many points were recovered (‖x̂ − x‖₂ ≤ 1e-6). Prints a Markdown table
 * and writes eval/results/bench_lp_dual.json and .md. (eval/bench_lp.ts measures the primal
 * simplex of src/sensing/simplex.ts.)
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { l1Min, l1MinPos, type L1MinOptions, type L1MinResult } from '../src/sensing/lp.js';
import { Rng } from '../src/util/rng.js';
import { argv, opt, root } from './args.js';

const points = Number(opt('points', '200'));
const bigPoints = Number(opt('big-points', '2'));
const sizes = opt('sizes', '200,400,800').split(',').filter((s) => s !== '').map(Number);
const siftSizes = opt('sift-sizes', '200,400,800').split(',').filter((s) => s !== '').map(Number);
const seed = Number(opt('seed', '1'));
if (!(Number.isInteger(points) && points > 0)) throw new Error(`--points must be a positive integer but got ${opt('points', '')}`);
if (!(Number.isInteger(bigPoints) && bigPoints >= 0)) throw new Error(`--big-points must be a non-negative integer but got ${opt('big-points', '')}`);
if ([...sizes, ...siftSizes].some((m) => !(Number.isInteger(m) && m > 0))) throw new Error(`--sizes and --sift-sizes must list positive integers but got ${opt('sizes', '')} and ${opt('sift-sizes', '')}`);

interface Instance { m: number; d: number; k: number; a: Float64Array; x: Float64Array; y: Float64Array; n: number }

function instance(m: number, d: number, k: number, n: number, rng: Rng): Instance {
  const s = 1 / Math.sqrt(m);
  const a = new Float64Array(m * d);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal() * s;
  const x = new Float64Array(n * d), y = new Float64Array(n * m);
  const perm = Int32Array.from({ length: d }, (_, j) => j);
  for (let r = 0; r < n; r++) {
    rng.shuffle(perm);
    let nn = 0;
    for (let c = 0; c < k; c++) { const v = Math.abs(rng.normal()); x[r * d + perm[c]!] = v; nn += v * v; }
    const inv = 1 / Math.sqrt(nn);
    for (let c = 0; c < k; c++) {
      const j = perm[c]!, v = x[r * d + j]! * inv;
      x[r * d + j] = v;
      for (let i = 0; i < m; i++) y[r * m + i]! += a[i * d + j]! * v;
    }
  }
  return { m, d, k, a, x, y, n };
}

interface Row {
  solver: 'l1MinPos' | 'l1Min'; m: number; d: number; k: number; points: number; sifting: string;
  wallSeconds: number; cpuSeconds: number; solvesPerSecond: number; secondsPerSolve: number;
  meanIterations: number; statuses: Record<string, number>; recovered: number;
}

function run(inst: Instance, solver: Row['solver'], options: L1MinOptions): Row {
  const f = solver === 'l1MinPos' ? l1MinPos : l1Min;
  const c0 = process.cpuUsage(), t0 = performance.now();
  const res: L1MinResult = f(inst.a, inst.m, inst.d, inst.y, inst.n, options);
  const wall = (performance.now() - t0) / 1000, cu = process.cpuUsage(c0), cpu = (cu.user + cu.system) / 1e6;
  const statuses: Record<string, number> = {};
  let recovered = 0, its = 0;
  for (let r = 0; r < inst.n; r++) {
    statuses[res.status[r]!] = (statuses[res.status[r]!] ?? 0) + 1;
    its += res.iterations[r]!;
    let e = 0;
    for (let j = 0; j < inst.d; j++) e += (res.x[r * inst.d + j]! - inst.x[r * inst.d + j]!) ** 2;
    if (Math.sqrt(e) <= 1e-6) recovered++;
  }
  const row: Row = {
    solver, m: inst.m, d: inst.d, k: inst.k, points: inst.n, sifting: String(options.sifting ?? 'auto'),
    wallSeconds: Number(wall.toFixed(3)), cpuSeconds: Number(cpu.toFixed(3)),
    solvesPerSecond: Number((inst.n / wall).toPrecision(3)), secondsPerSolve: Number((wall / inst.n).toPrecision(3)),
    meanIterations: Number((its / inst.n).toFixed(1)), statuses, recovered,
  };
  console.error(`${solver.padEnd(8)} m ${String(inst.m).padStart(4)} d ${String(inst.d).padStart(6)} sifting ${row.sifting.padEnd(5)} ${row.secondsPerSolve} s/solve (${row.solvesPerSecond}/s), cpu ${row.cpuSeconds} s, ${row.meanIterations} it, recovered ${recovered}/${inst.n}`);
  return row;
}

const rng = new Rng(seed);
const rows: Row[] = [];
const small = instance(50, 1000, 10, points, rng);
// A short warm-up so the first measurement does not pay for the JIT.
l1MinPos(small.a, small.m, small.d, small.y.subarray(0, 10 * small.m), 10);
for (const solver of ['l1MinPos', 'l1Min'] as const) {
  for (const sifting of ['auto', true] as const) rows.push(run(small, solver, { sifting }));
}
for (const m of bigPoints > 0 ? [...new Set([...sizes, ...siftSizes])].sort((p, q) => p - q) : []) {
  const big = instance(m, 47236, 100, bigPoints, rng);
  if (sizes.includes(m)) rows.push(run(big, 'l1MinPos', {}));
  if (siftSizes.includes(m)) rows.push(run(big, 'l1MinPos', { sifting: true }));
}

const out = {
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? '', node: process.version, loadavg: os.loadavg().map((v) => Number(v.toFixed(2))), date: new Date().toISOString() },
  command: ['node dist/eval/bench_lp_dual.js', ...argv].join(' '),
  seed, results: rows,
};
const md = [
  '# Exact ℓ1-minimisation by the dual simplex of src/sensing/lp.ts, one thread', '',
  `\`${out.command}\` on ${out.machine.cpus} × ${out.machine.cpu}, Node ${out.machine.node}, load average ${out.machine.loadavg.join(' / ')} at the end.`,
  'A Gaussian N(0, 1/m); x k-sparse, non-negative, unit norm; y = A·x. "recovered": ‖x̂ − x‖₂ ≤ 1e-6. Wall and CPU seconds of the whole batch.', '',
  '| solver | m | d | k | points | sifting | solves/s | s/solve | wall s | CPU s | mean iterations | statuses | recovered |',
  '|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---|---:|',
  ...rows.map((r) => `| ${r.solver} | ${r.m} | ${r.d} | ${r.k} | ${r.points} | ${r.sifting} | ${r.solvesPerSecond} | ${r.secondsPerSolve} | ${r.wallSeconds} | ${r.cpuSeconds} | ${r.meanIterations} | ${Object.entries(r.statuses).map(([s, c]) => `${s} ${c}`).join(', ')} | ${r.recovered}/${r.points} |`),
  '',
].join('\n');
console.log(md);
const dir = path.join(root, 'eval', 'results');
await fs.mkdir(dir, { recursive: true });
for (const [file, text] of [['bench_lp_dual.json', `${JSON.stringify(out, null, 2)}\n`], ['bench_lp_dual.md', md]] as const) {
  const tmp = path.join(dir, `.${file}.${process.pid}.tmp`);
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, path.join(dir, file));
}
