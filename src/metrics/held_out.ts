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
