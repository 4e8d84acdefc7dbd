/**
 * The two findings of Rangamani et al., "Sparse coding and autoencoders" (ISIT 2018, arXiv
 * 1708.03735), measured on the paper's generative model (src/encoders/sparse_coding_model.ts)
 * for the tied-weight ReLU autoencoder x̂ = Wᵀ·ReLU(W·y − ε) (src/encoders/tied_relu.ts):
 *
 *   (1) support recovery: with the rows of W within δ of the atoms of A* and the bias ε of the
 *       paper's form, ReLU(W·y − ε) is non-zero exactly on supp(x*) — the fraction of codes for
 *       which that holds, against the code dimension h, for δ = 0, δ = h^−(p+ν²) (the paper's
 *       neighbourhood) and a fixed δ (outside it), with two bias rules;
 *   (2) the expected gradient of the squared loss with respect to W near A* (same δ's), against
 *       h, per activation (÷ P(i ∈ S), so that it does not fall merely because units are used
 *       rarely), with both bias rules; the fixed δ (outside the neighbourhood) is the reference.
 *
 *   node dist/eval/tied_relu_theory.js [--hs 256,512,1024,2048] [--dictionaries two-ortho,gaussian]
 *       [--p 0.2] [--nu2 0.2] [--overcompleteness 2] [--code-min 0.5] [--code-max 1.5] [--fixed-delta 0.25]
 *       [--samples 20000] [--grad-rows 12] [--grad-samples 1000] [--seed 1] [--backend auto] [--out tied_relu_theory]
 *
 * Regime (the paper's): k = |S| = h^p, incoherence μ/√n = h^−ξ with p + ν² < ξ, δ = O(h^−(p+ν²)).
 * n = h / overcompleteness. The two-ortho dictionary (identity ∪ Hadamard) has μ/√n = 1/√n
 * exactly, so ξ ≈ 0.44–0.46 over the default sweep and p + ν² = 0.4 < ξ holds; the Gaussian
 * one's measured ξ is smaller (the maximum coherence of random atoms carries a √log h factor)
 * and the condition fails at these sizes — reported, as a contrast.
 * Writes eval/results/OUT.json, OUT.md and OUT.svg.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { type BackendChoice, useBackend } from '../src/engine/backends.js';
import {
  type BiasRule, BIAS_RULES, coherence, crossGram, type DictionaryKind, expectedGradientNorm, perturbedWeights, sparseCodingModel,
  supportBias, supportRecovery, supportRecoveryGuaranteed,
} from '../src/encoders/sparse_coding_model.js';
import { writeFileAtomic } from '../src/util/atomic.js';
import { opt, root } from './args.js';
import { lineChartSvg, type PlotPanel, type PlotSeries } from './svg_plot.js';

const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean);
const hs = list(opt('hs', '256,512,1024,2048')).map(Number);
const dictionaries = list(opt('dictionaries', 'two-ortho,gaussian')) as DictionaryKind[];
const p = Number(opt('p', '0.2'));
const nu2 = Number(opt('nu2', '0.2'));
const overcompleteness = Number(opt('overcompleteness', '2'));
const codeMin = Number(opt('code-min', '0.5'));
const codeMax = Number(opt('code-max', '1.5'));
const fixedDelta = Number(opt('fixed-delta', '0.25'));
const samples = Number(opt('samples', '20000'));
const gradRows = Number(opt('grad-rows', '12'));
const gradSamples = Number(opt('grad-samples', '1000'));
const seed = Number(opt('seed', '1'));
const out = opt('out', 'tied_relu_theory');
const backend = await useBackend(opt('backend', 'auto') as BackendChoice);

interface DeltaSchedule { readonly name: string; readonly inRegime: boolean; delta(h: number): number }
const SCHEDULES: DeltaSchedule[] = [
  { name: 'δ = 0 (W = A*ᵀ)', inRegime: true, delta: () => 0 },
  { name: 'δ = h^−(p+ν²)', inRegime: true, delta: (h) => h ** -(p + nu2) },
  { name: `δ = ${fixedDelta} fixed`, inRegime: false, delta: () => fixedDelta },
];

interface RecoveryRow {
  dictionary: DictionaryKind; h: number; n: number; k: number; muOverSqrtN: number; xi: number; schedule: string; delta: number; rule: BiasRule; eps: number;
  exactRate: number; subsetRate: number; missedRate: number; falsePerCode: number; guaranteedSubset: boolean; guaranteedExact: boolean; samples: number;
}
interface GradientRow {
  dictionary: DictionaryKind; h: number; n: number; k: number; schedule: string; rule: BiasRule; delta: number; eps: number;
  perActivation: number; noisePerActivation: number; frobenius: number; loss: number; rows: number; samplesPerStratum: number;
}

const recovery: RecoveryRow[] = [];
const gradients: GradientRow[] = [];
const t0 = performance.now();
const log = (s: string): void => { process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${s}\n`); };

for (const dictionary of dictionaries) {
  for (const [hi, h] of hs.entries()) {
    const modelSeed = seed * 1000 + hi;
    const model = sparseCodingModel(h, { p, overcompleteness, kind: dictionary, codeMin, codeMax, seed: modelSeed });
    const { n, k, atoms } = model;
    const gram = crossGram(atoms, h, atoms, h, n);
    const mu = coherence(gram, h);
    const xi = -Math.log(mu) / Math.log(h);
    log(`${dictionary} h = ${h}: n = ${n}, k = ${k}, μ/√n = ${mu.toFixed(4)} (ξ = ${xi.toFixed(3)})`);
    for (const [si, schedule] of SCHEDULES.entries()) {
      const delta = schedule.delta(h);
      const w = perturbedWeights(atoms, h, n, delta, modelSeed * 10 + si);
      const c = delta === 0 ? gram : crossGram(atoms, h, w, h, n);
      for (const rule of BIAS_RULES) {
        const eps = supportBias(rule, model, delta, mu);
        const stats = supportRecovery(model, c, eps, samples, modelSeed * 100 + si);
        const g = supportRecoveryGuaranteed(model, delta, mu, eps);
        recovery.push({ dictionary, h, n, k, muOverSqrtN: mu, xi, schedule: schedule.name, delta, rule, eps, ...stats, guaranteedSubset: g.subset, guaranteedExact: g.exact });
      }
      for (const rule of BIAS_RULES) {
        const eps = supportBias(rule, model, delta, mu);
        const gr = expectedGradientNorm(model, w, c, eps, gradSamples, modelSeed * 100 + 50 + si, gradRows);
        gradients.push({ dictionary, h, n, k, schedule: schedule.name, rule, delta, eps, ...gr, samplesPerStratum: gradSamples });
      }
      log(`  ${schedule.name}: exact recovery ${recovery.slice(-2).map((r) => `${r.rule} ${r.exactRate.toFixed(4)}`).join(', ')}; ‖E∇‖/q ${gradients.slice(-2).map((g) => `${g.rule} ${g.perActivation.toExponential(3)} ± ${g.noisePerActivation.toExponential(1)}`).join(', ')}`);
    }
  }
}
const seconds = (performance.now() - t0) / 1000;

/** Least-squares slope of log y against log h. */
function logSlope(points: { h: number; y: number }[]): number {
  const pts = points.filter((q) => q.y > 0);
  if (pts.length < 2) return NaN;
  const xs = pts.map((q) => Math.log(q.h)), ys = pts.map((q) => Math.log(q.y));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length, my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0, sxx = 0;
  xs.forEach((x, i) => { sxy += (x - mx) * (ys[i]! - my); sxx += (x - mx) ** 2; });
  return sxy / sxx;
}

const slopes = dictionaries.flatMap((dictionary) => SCHEDULES.flatMap((schedule) => BIAS_RULES.map((rule) => {
  const rows = gradients.filter((g) => g.dictionary === dictionary && g.schedule === schedule.name && g.rule === rule);
  return { dictionary, schedule: schedule.name, rule, gradientSlope: logSlope(rows.map((g) => ({ h: g.h, y: g.perActivation }))), epsSlope: logSlope(rows.map((g) => ({ h: g.h, y: g.eps }))) };
})));

const settings = { hs, dictionaries, p, nu2, overcompleteness, codeMin, codeMax, fixedDelta, samples, gradRows, gradSamples, seed };
const command = `node dist/eval/tied_relu_theory.js ${process.argv.slice(2).join(' ')}`.trim();
const dir = path.join(root, 'eval', 'results');
await writeFileAtomic(path.join(dir, `${out}.json`), JSON.stringify({
  paper: 'Rangamani, Mukherjee, Basu, Arora, Ganapathi, Chin & Tran, "Sparse coding and autoencoders", ISIT 2018 (arXiv 1708.03735)',
  command, settings, backend: backend.name, machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? '?' }, date: new Date().toISOString(), seconds,
  recovery, gradients, slopes,
}, null, 1) + '\n');

// ---- Markdown ----
const f = (x: number, d = 4): string => (Number.isFinite(x) ? x.toFixed(d) : '–');
const e = (x: number): string => (Number.isFinite(x) ? x.toExponential(2) : '–');
const md: string[] = [];
md.push('# Tied-weight ReLU autoencoder: the two findings of Rangamani et al. (ISIT 2018)', '');
md.push('Paper: A. Rangamani, A. Mukherjee, A. Basu, A. Arora, T. Ganapathi, S. Chin, T. D. Tran, "Sparse coding and autoencoders", ISIT 2018, arXiv 1708.03735.', '');
md.push('Command (from the package root, after `npx tsc -p tsconfig.json`):', '', '```', command, '```', '');
md.push(`Backend ${backend.name} (used only for the h × h products ⟨A*_j, W_i⟩; everything else Float64), ${os.cpus().length} CPUs, ${seconds.toFixed(0)} s.`, '');
md.push('## Setting', '');
md.push(`- Generative model: y = A*·x*, A* ∈ R^{n×h} with unit-norm atoms, n = h/${overcompleteness}; x* ≥ 0 with a uniformly random support of size k = round(h^p), p = ${p}, non-zeros i.i.d. uniform on [${codeMin}, ${codeMax}] (m₁ = ${(codeMin + codeMax) / 2}).`);
md.push('- Dictionaries: `two-ortho` = identity ∪ normalised Hadamard with random atom signs (μ/√n = 1/√n exactly); `gaussian` = normalised Gaussian atoms (μ/√n measured). ξ = −ln(μ/√n)/ln h, the paper\'s incoherence exponent.');
md.push(`- Encoder W (h × n): row i = A*_i + δ·u_i, u_i uniform on the sphere (‖W_i − A*_i‖ = δ). The paper's neighbourhood: δ = O(h^−(p+ν²)) with p + ν² < ξ; here ν² = ${nu2}, p + ν² = ${p + nu2}. The fixed δ = ${fixedDelta} is outside it for large h.`);
md.push('- Bias ε (same for every unit, as in the paper): `mean` = ½·m₁·k·(δ + μ/√n), the form of the paper\'s support-recovery theorem (ε ∝ h^p(δ + μ/√n)) with the constant of the authors\' simulation code; `worst-case` = codeMax·k·(δ + μ/√n), the largest interference a unit outside the support can receive, so no false positive is possible.');
md.push(`- Support recovery: ${samples} codes per cell; "exact" = {i : W_i·y > ε} = supp(x*). "guaranteed" = the deterministic margin condition (1 − δ)·codeMin − (k − 1)·codeMax·(δ + μ/√n) > ε ≥ k·codeMax·(δ + μ/√n) holds, which implies exact recovery for every code.`);
md.push(`- Gradient: the squared loss L = ½‖Wᵀ·ReLU(W·y − ε) − y‖², gradient with respect to W (ε fixed, both rules). A zero gradient with "support units firing" near 0 is a dead layer (ε above every pre-activation), not a good W. E[∇_{W_i} L] estimated for ${gradRows} evenly spaced rows with ${gradSamples} codes with i ∈ S and ${gradSamples} with i ∉ S (stratified), Monte Carlo noise removed from the squared norm. Reported per activation: √(mean_i ‖E∇_{W_i} L‖²) / q, q = k/h = P(i ∈ S); also ‖E∇_W L‖_F (extrapolated to all h rows), which carries the extra factor k/√h.`, '');

md.push('## Paper\'s predictions beside the measurements', '');
md.push('- (1) Support recovery: in the neighbourhood δ = O(h^−(p+ν²)), p + ν² < ξ, the ReLU layer recovers supp(x*) with probability → 1 as h → ∞ (for any loss). No claim for a fixed δ: there the δ-part of ε, ∝ k·δ = h^p·δ, grows with h and eventually exceeds the code values, so recovery must fail.');
md.push('- (2) Gradient: ‖E∇_W L‖ is asymptotically negligible (→ 0 as h → ∞) for all W in that neighbourhood. At leading order the gradient at W near A*ᵀ is of the size of ε and δ (the residual is A*_S·((G_S − I)x − ε·1) plus δ-terms), so it should fall like ε ∝ h^p(δ + μ/√n): the "slope of ε" column is that heuristic rate.', '');

for (const dictionary of dictionaries) {
  md.push(`### ${dictionary}: support recovery`, '');
  md.push('| h | n | k | μ/√n | ξ | δ | ε rule | ε | exact recovery | subset (no false positive) | missed units | false units / code | guaranteed |');
  md.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of recovery.filter((x) => x.dictionary === dictionary)) {
    md.push(`| ${r.h} | ${r.n} | ${r.k} | ${f(r.muOverSqrtN)} | ${f(r.xi, 3)} | ${f(r.delta)} | ${r.rule} | ${f(r.eps)} | **${f(r.exactRate)}** | ${f(r.subsetRate)} | ${f(r.missedRate)} | ${f(r.falsePerCode)} | ${r.guaranteedExact ? 'exact' : r.guaranteedSubset ? 'subset' : 'no'} |`);
  }
  md.push('');
  md.push(`### ${dictionary}: expected gradient of the squared loss`, '');
  md.push('| h | W | ε rule | δ | ε | ‖E∇_{W_i} L‖ / q (± MC noise) | ‖E∇_W L‖_F | E[L] | support units firing |');
  md.push('|---|---|---|---|---|---|---|---|---|');
  for (const g of gradients.filter((x) => x.dictionary === dictionary)) {
    const rec = recovery.find((r) => r.dictionary === dictionary && r.h === g.h && r.schedule === g.schedule && r.rule === g.rule);
    md.push(`| ${g.h} | ${g.schedule} | ${g.rule} | ${f(g.delta)} | ${f(g.eps)} | **${e(g.perActivation)}** ± ${e(g.noisePerActivation)} | ${e(g.frobenius)} | ${f(g.loss)} | ${rec ? f(1 - rec.missedRate, 3) : '–'} |`);
  }
  md.push('', '| W | ε rule | log–log slope of ‖E∇‖/q against h | slope of ε (heuristic prediction) |', '|---|---|---|---|');
  for (const s of slopes.filter((x) => x.dictionary === dictionary)) md.push(`| ${s.schedule} | ${s.rule} | ${f(s.gradientSlope, 2)} | ${f(s.epsSlope, 2)} |`);
  md.push('');
}
md.push(`Plots: \`${out}.svg\` (support recovery and gradient against log₂ h).`, '');
await writeFileAtomic(path.join(dir, `${out}.md`), md.join('\n'));

// ---- SVG ----
const panels: PlotPanel[] = [];
for (const dictionary of dictionaries) {
  const series: PlotSeries[] = [];
  for (const schedule of SCHEDULES) {
    for (const rule of BIAS_RULES) {
      series.push({
        name: `${schedule.name}, ${rule} ε`,
        points: recovery.filter((r) => r.dictionary === dictionary && r.schedule === schedule.name && r.rule === rule).map((r) => ({ x: Math.log2(r.h), y: r.exactRate })),
      });
    }
  }
  panels.push({ title: `${dictionary}: exact support recovery`, xLabel: 'log₂ h', yLabel: 'fraction of codes', series, yMin: 0, yMax: 1 });
}
for (const dictionary of dictionaries) {
  const series: PlotSeries[] = SCHEDULES.flatMap((schedule) => BIAS_RULES.map((rule) => ({
    name: `${schedule.name}, ${rule} ε`,
    points: gradients.filter((g) => g.dictionary === dictionary && g.schedule === schedule.name && g.rule === rule && g.perActivation > 0)
      .map((g) => ({ x: Math.log2(g.h), y: g.perActivation, spread: g.noisePerActivation })),
  })));
  panels.push({ title: `${dictionary}: ‖E∇_{W_i} L‖ / P(i ∈ S)`, xLabel: 'log₂ h', yLabel: 'gradient norm per activation', series, yLog: true });
}
await writeFileAtomic(path.join(dir, `${out}.svg`), lineChartSvg(panels, 'Tied ReLU autoencoder near A* (Rangamani et al., ISIT 2018)'));
log(`wrote ${path.join(dir, out)}.{json,md,svg}`);
