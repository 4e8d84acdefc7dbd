/**
 * Ridge regression fit times, Cholesky against CG (and the dual).
 *
 *   node dist/eval/bench_regression.js [--m 100] [--lambda 1] [--seed 1] [--sweep 2500,5000,7500,10000]
 *                                      [--data-dir ../shared/datasets]
 *                                      [--solvers cholesky,cg:1e-4,cg:1e-6] [--problems Bibtex,Delicious,eurlex-4k-like]
 *                                      [--scale 1]
 *
 * Problems: the Bibtex and Delicious train sets, and the seeded EURLex-4K-like synthetic train
 * set (15,539 × 5,000, ~237 features per row); `--problems` may also name wiki10-31k-like (the
 * seeded Wiki10-31K-like train set, 14,146 × 101,938, ~673 features per row), and `--scale`
 * scales the synthetic sets' point counts (as `xmlc data synth --scale`). Targets Z = Y·G,
 * G ~ N(0, 1/m) (d × m), a Gaussian projection of the label matrix. For each: fitRidge with bias
 * by each of `--solvers` (`cholesky`, `dual`, `cg:TOL`; default Cholesky, and CG to tol 1e-4 and
 * 1e-6); reports seconds, CG iterations, the weights' relative distance to the first solver's,
 * and the training fit ‖XV + 1bᵀ − Z‖/‖Z‖. `--sweep` reruns both solvers on EURLex-like
 * matrices with the same rows and nonzeros per row but the given numbers of features, to place
 * CHOLESKY_MAX_FEATURES (Gram memory p²·8 bytes; factorisation p³/3). Run with
 * XMLC_DISABLE_NATIVE=1 for the JavaScript fallbacks (results then go to
 * bench_regression.fallback.json and .md). Writes eval/results/bench_regression.json and .md
 * (with other `--problems`: bench_regression.<problems>.json and .md).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EURLEX_4K_LIKE, generateXmcLike, WIKI10_31K_LIKE } from '../datasets/synthetic_xmc.js';
import { type Csr } from '../src/data/csr.js';
import { readDataset } from '../src/data/index.js';
import { nativeAddon } from '../src/engine/addon.js';
import { csrMatDense } from '../src/engine/sparse.js';
import { fitRidge, type RidgeModel } from '../src/regression/index.js';
import { Rng } from '../src/util/rng.js';
import { argv, dataDir, opt, peakRssMb, root } from './args.js';

const m = Number(opt('m', '100'));
const lambda = Number(opt('lambda', '1'));
const seed = Number(opt('seed', '1'));
const sweep = opt('sweep', '').split(',').filter((s) => s !== '').map(Number);
const scale = Number(opt('scale', '1'));
const DEFAULT_PROBLEMS = 'Bibtex,Delicious,eurlex-4k-like';
const problems = opt('problems', DEFAULT_PROBLEMS).split(',').filter((s) => s !== '');
const SYNTHETIC = { 'eurlex-4k-like': EURLEX_4K_LIKE, 'wiki10-31k-like': WIKI10_31K_LIKE } as const;
/** `--solvers`: [solver, CG tolerance]. */
const solvers = opt('solvers', 'cholesky,cg:1e-4,cg:1e-6').split(',').filter((s) => s !== '').map((s) => {
  const [name, tol] = s.split(':');
  if (name === 'cg' && tol !== undefined && Number(tol) > 0) return ['cg', Number(tol)] as const;
  if ((name === 'cholesky' || name === 'dual') && tol === undefined) return [name, undefined] as const;
  throw new Error(`--solvers lists cholesky, dual or cg:TOL but got ${s}`);
});
if (!(Number.isInteger(m) && m > 0)) throw new Error(`--m must be a positive integer but got ${opt('m', '')}`);
if (!(lambda > 0)) throw new Error(`--lambda must be > 0 but got ${opt('lambda', '')}`);
if (sweep.some((p) => !(Number.isInteger(p) && p > 0))) throw new Error(`--sweep must list positive integers but got ${opt('sweep', '')}`);
/** The first solver's name, the reference of the weights' distances. */
const REF_NAME = solvers[0]?.filter((t) => t !== undefined).join(':') ?? '';
if (!(scale > 0)) throw new Error(`--scale must be > 0 but got ${opt('scale', '')}`);
for (const p of problems) if (!['Bibtex', 'Delicious', ...Object.keys(SYNTHETIC)].includes(p)) throw new Error(`--problems lists Bibtex, Delicious, ${Object.keys(SYNTHETIC).join(', ')} but got ${p}`);
const native = nativeAddon().addon !== undefined;

/** Z = Y·G with G (d × m) ~ N(0, 1/m), seeded. */
function projectLabels(y: Csr): Float32Array {
  const rng = new Rng(seed), s = 1 / Math.sqrt(m);
  const g = Float32Array.from({ length: y.nCols * m }, () => rng.normal() * s);
  return csrMatDense(y, g, m);
}

const relDist = (a: Float32Array, b: Float32Array): number => {
  let d = 0, n = 0;
  for (let i = 0; i < a.length; i++) { d += (a[i]! - b[i]!) ** 2; n += b[i]! ** 2; }
  return Math.sqrt(d / Math.max(n, 1e-300));
};

interface Row {
  problem: string; n: number; p: number; nnzPerRow: number; solver: string; tol?: number;
  seconds: number; iterations: number; converged: boolean; relResidual?: number;
  /** The weights' relative distance to those of the first of `--solvers` (`reference`). */
  weightsRelDist?: number; reference?: string; trainRelError: number;
}

function runProblem(name: string, x: Csr, z: Float32Array): Row[] {
  const rows: Row[] = [];
  const base = { problem: name, n: x.nRows, p: x.nCols, nnzPerRow: Number((x.rowPtr[x.nRows]! / x.nRows).toFixed(1)) };
  let first: RidgeModel | undefined;
  for (const [solver, tol] of solvers) {
    const t0 = performance.now();
    const fit = fitRidge(x, z, m, { lambda, solver, bias: true, maxIter: 1000, ...(tol !== undefined ? { tol } : {}) });
    const seconds = (performance.now() - t0) / 1000;
    const ref = first;
    first ??= fit;
    rows.push({
      ...base, solver, ...(tol !== undefined ? { tol } : {}), seconds: Number(seconds.toFixed(3)),
      iterations: fit.info.iterations, converged: fit.info.converged ?? true,
      ...(fit.info.relResidual !== undefined ? { relResidual: Number(fit.info.relResidual.toExponential(2)) } : {}),
      ...(ref ? { weightsRelDist: Number(relDist(fit.weights, ref.weights).toExponential(2)), reference: REF_NAME } : {}),
      trainRelError: Number(relDist(fit.predict(x), z).toFixed(4)),
    });
    const r = rows.at(-1)!;
    console.log(`${name.padEnd(22)} ${String(r.p).padStart(6)} ${solver.padEnd(8)} ${String(tol ?? '').padEnd(6)} ${r.seconds.toFixed(2).padStart(8)} s ${String(r.iterations).padStart(5)} it  fit ${r.trainRelError}  Δ ${r.weightsRelDist ?? ''}`);
  }
  return rows;
}

console.log(`native addon: ${native ? 'loaded' : nativeAddon().error}; m = ${m}, λ = ${lambda}, bias, seed ${seed}`);
console.log(`${'problem'.padEnd(22)} ${'p'.padStart(6)} solver   tol    ${'time'.padStart(10)} ${'iter'.padStart(8)}  train ‖XV+b−Z‖/‖Z‖  vs ${REF_NAME}`);
const results: Row[] = [];
for (const name of problems.filter((q) => q === 'Bibtex' || q === 'Delicious')) {
  const file = path.join(dataDir, name, `${name}_train.txt`);
  const ds = await readDataset(file);
  results.push(...runProblem(name, ds.features, projectLabels(ds.labels)));
}
const scaled = scale === 1 ? '' : ` scale ${scale}`;
for (const name of ['eurlex-4k-like', 'wiki10-31k-like'] as const) {
  const c = SYNTHETIC[name];
  if (!problems.includes(name)) continue;
  for (const p of [c.nFeatures, ...(name === 'eurlex-4k-like' ? sweep.filter((q) => q !== c.nFeatures) : [])]) {
    const { train } = generateXmcLike(name, { ...c, nFeatures: p }, { seed, scale });
    results.push(...runProblem(`${name}${scaled}${p === c.nFeatures ? '' : ` p=${p}`}`, train.features, projectLabels(train.labels)));
  }
}
const peakMb = Math.round(await peakRssMb());
console.log(`peak memory (VmHWM) ${peakMb} MB`);

const stem = `bench_regression${native ? '' : '.fallback'}${problems.join(',') === DEFAULT_PROBLEMS ? '' : `.${problems.join('+')}`}`;
const out = {
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? '', node: process.version, date: new Date().toISOString() },
  command: [...(native ? [] : ['XMLC_DISABLE_NATIVE=1']), 'node dist/eval/bench_regression.js', ...argv].join(' '),
  native, m, lambda, seed, scale, peakMb, results,
};
await fs.mkdir(path.join(root, 'eval', 'results'), { recursive: true });
await fs.writeFile(path.join(root, 'eval', 'results', `${stem}.json`), `${JSON.stringify(out, null, 2)}\n`);
const md = [
  `# Ridge regression fit times (${native ? 'native addon' : 'JavaScript fallback'})`, '',
  `\`${out.command}\` on ${out.machine.cpus} × ${out.machine.cpu}, Node ${out.machine.node}; m = ${m}, λ = ${lambda}, bias; peak memory (VmHWM) ${peakMb} MB.`, '',
  `| problem | n | p | nnz/row | solver | tol | seconds | iterations | train rel. error | weights vs ${REF_NAME} |`,
  '|---|---:|---:|---:|---|---:|---:|---:|---:|---:|',
  ...results.map((r) => `| ${r.problem} | ${r.n} | ${r.p} | ${r.nnzPerRow} | ${r.solver} | ${r.tol ?? ''} | ${r.seconds.toFixed(2)} | ${r.iterations} | ${r.trainRelError} | ${r.weightsRelDist ?? ''} |`),
  '',
];
await fs.writeFile(path.join(root, 'eval', 'results', `${stem}.md`), md.join('\n'));
