/**
 * The measure every choice on held-out training points uses (the decoder weight, clusters, the
 * re-ranker's α and C), and the margin a choice must clear to leave its plain default.
 */
import { type Csr } from '../data/csr.js';
import { type Ranked } from '../ranking/topk.js';
import { evaluateRanking } from './ranking_metrics.js';

/**
 * A held-out gain (mean of P@1, P@3, P@5, a fraction) below which a choice keeps its plain default:
 * the decoder weight the paper's 0.5, the re-ranker the model's own ranking.
 */
export const HELD_OUT_MARGIN = 0.005;

/** Fewest held-out points a choice is made on: with fewer, a choice keeps its plain default (or, without one, refuses). */
export const MIN_HELD_OUT = 10;

/** The held-out measure of every choice: the mean of P@1, P@3 and P@5 of `ranked` against `truth` (a fraction). */
export function meanPrecision135(ranked: Ranked, truth: Csr): number {
  const r = evaluateRanking(ranked, truth, { ks: [1, 3, 5], metrics: ['P'] });
  return (r['P@1']! + r['P@3']! + r['P@5']!) / 3;
}

/**
 * Per held-out point, the mean of its P@1, P@3 and P@5 under `ranked` (the first 5 labels of each
 * row; missing labels, −1, are misses): the terms whose average is {@link meanPrecision135}, for paired
 * comparisons of two rankings of the same points.
 */
export function pointPrecision135(ranked: Ranked, truth: Csr): Float64Array {
  const out = new Float64Array(ranked.nRows), K = ranked.k;
  for (let i = 0; i < ranked.nRows; i++) {
    const s = truth.rowPtr[i]!, e = truth.rowPtr[i + 1]!;
    let hits = 0, sum = 0;
    for (let j = 0; j < 5; j++) {
      const l = j < K ? ranked.labels[i * K + j]! : -1;
      if (l >= 0) for (let t = s; t < e; t++) if (truth.indices[t] === l) { hits++; break; }
      if (j === 0) sum += hits;
      else if (j === 2) sum += hits / 3;
      else if (j === 4) sum += hits / 5;
    }
    out[i] = sum / 3;
  }
  return out;
}

/** The mean of the paired differences a − b and its standard error sd/√n (0 for fewer than two points). */
export function pairedGain(a: Float64Array, b: Float64Array): { gain: number; se: number } {
  const n = a.length;
  let gain = 0;
  for (let i = 0; i < n; i++) gain += (a[i]! - b[i]!) / n;
  if (n < 2) return { gain, se: 0 };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (a[i]! - b[i]! - gain) ** 2;
  return { gain, se: Math.sqrt(ss / (n - 1) / n) };
}
