import type { Csr } from '../src/data/csr.js';
import { evaluateAgainstTraining } from '../src/metrics/index.js';
import { type Ranked, widenRanked } from '../src/predict/topk.js';
import { pct } from './common.js';

/** The metrics `xmlc evaluate --json` prints, in order. */
export const REPORTED_KS = Object.freeze([1, 3, 5]);
const FAMILIES = Object.freeze(['P', 'nDCG', 'PSP', 'PSnDCG', 'R'] as const);
const JSON_FAMILIES = Object.freeze(['P', 'nDCG', 'PSP']);

/** Score ranked predictions against the test labels: every reported metric family at k = 1, 3, 5. */
export function scorePredictions(ranked: Ranked, truth: Csr, trainLabels: Csr, a: number, b: number): Record<string, number> {
  // A model with fewer labels than the largest cut-off ranks them all: the other places are misses.
  return evaluateAgainstTraining(widenRanked(ranked, Math.max(...REPORTED_KS)), truth, trainLabels, { ks: REPORTED_KS, metrics: FAMILIES, a, b });
}

/** Print metrics: one JSON object of percentages (the P, nDCG and PSP keys at 1, 3, 5), or a table. */
export function printMetrics(metrics: Record<string, number>, json: boolean): void {
  if (json) {
    const out: Record<string, number> = {};
    for (const f of JSON_FAMILIES) for (const k of REPORTED_KS) out[`${f}@${k}`] = Number(pct(metrics[`${f}@${k}`]!));
    process.stdout.write(JSON.stringify(out) + '\n');
    return;
  }
  const header = ['metric (%)', ...REPORTED_KS.map((k) => `@${k}`)];
  const lines = [header.map((h, i) => (i === 0 ? h.padEnd(12) : h.padStart(8))).join('')];
  for (const f of FAMILIES) {
    lines.push(f.padEnd(12) + REPORTED_KS.map((k) => pct(metrics[`${f}@${k}`]!).padStart(8)).join(''));
  }
  process.stdout.write(lines.join('\n') + '\n');
}
