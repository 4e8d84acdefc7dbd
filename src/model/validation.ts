/**
 * Choices made on held-out training points: the embedding model's decoder weight (`decoderWeight:
 * 'auto'`) and ridge penalty (`lambda: 'auto'`). The model calls this; the scoring is the prediction strategies' (src/predict) and the
 * measure the metrics' (src/metrics).
 */
import { type Csr, selectRows } from '../data/csr.js';
import { splitRows } from '../encoders/train_loop.js';
import { ExactDenseIndex } from '../knn/exact_dense.js';
import { meanRowNorm, normalizeDenseRows } from '../linalg/dense.js';
import { addWeighted, decoderWeightOf, memberScores, type ScoringMember } from '../predict/strategies.js';
import { topKRows } from '../ranking/topk.js';
import { HELD_OUT_MARGIN, meanPrecision135, MIN_HELD_OUT } from '../metrics/held_out.js';
import { fitRidge, ridgePath, type RidgeModel } from '../regression/ridge.js';
import { type EmbedTrainParams } from './params.js';


/** What the choice needs of the trained member: its label encoder (embeddings and decoder). */
export interface ValidationMember extends ScoringMember {
  readonly encoder: ScoringMember['encoder'] & { encode(labels: Csr): Float32Array };
}

/**
 * The ridge penalties the held-out choice of λ (`lambda: 'auto'`) walks, about √10 apart. The walk
 * starts at {@link LAMBDA_START}.
 */
export const LAMBDA_GRID: readonly number[] = Object.freeze([0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000]);

/** The fixed penalty (EMBED_DEFAULTS.lambda) the held-out walk starts from and keeps unless another beats it by {@link HELD_OUT_MARGIN}. */
export const LAMBDA_START = 1;

/** The held-out tenth of the training points (at most 2,000) and the rest, with the rest's label embeddings. */
interface HeldOut {
  readonly xt: Csr; readonly yt: Csr; readonly xv: Csr; readonly yv: Csr;
  /** The member's embeddings of the rest's labels (xt.nRows × dim). */
  readonly z: Float32Array;
}

/** The seeded split every held-out choice of an embedding member uses, or undefined with fewer than {@link MIN_HELD_OUT} held-out points. */
function heldOut(x: Csr, labels: Csr, encoder: ValidationMember['encoder'], seed: number): HeldOut | undefined {
  const { train, valid: allValid } = splitRows(x.nRows, 0.1, seed ^ 0x3c6ef372);
  const valid = allValid.slice(0, 2000);
  if (valid.length < MIN_HELD_OUT) return undefined;
  const yt = selectRows(labels, train);
  return { xt: selectRows(x, train), yt, xv: selectRows(x, valid), yv: selectRows(labels, valid), z: encoder.encode(yt) };
}

/**
 * The held-out mean of P@1, P@3 and P@5 of a member with `regressor` (fitted on h's rest) at each
 * decoder weight of `weights` (the average strategy's; 0 is the kNN vote, 1 the decoder).
 */
function weightScores(h: HeldOut, encoder: ValidationMember['encoder'], regressor: RidgeModel, p: EmbedTrainParams, weights: readonly number[]): number[] {
  const m = encoder.dim;
  const points = normalizeDenseRows(p.knnSpace === 'regressed' ? regressor.predict(h.xt) : h.z, h.xt.nRows, m);
  const probe: ScoringMember = { encoder, regressor, index: new ExactDenseIndex(points, h.xt.nRows, m), embeddingNorm: meanRowNorm(h.z, h.xt.nRows, m) };
  const parts = memberScores(probe, h.xv, h.yt, p.k, weights.some((w) => w < 1), weights.some((w) => w > 0));
  const n = h.xv.nRows, L = h.yv.nCols;
  return weights.map((w) => {
    const sc = new Float32Array(n * L);
    addWeighted(sc, parts, w);
    return meanPrecision135(topKRows(sc, n, L, 5), h.yv);
  });
}

/** The decoder weights chooseDecoderWeight scores: 0, 0.1, …, 1. */
const WEIGHTS = Object.freeze(Array.from({ length: 11 }, (_, i) => i / 10));

/**
 * The weight from the held-out scores of {@link WEIGHTS}: the paper's plain average (0.5) unless
 * another weight is better by more than half a point (about one standard error of these held-out
 * means); among the others the best, ties to the smaller w.
 */
function weightFromScores(scores: readonly number[]): number {
  const best = scores.reduce((b, v, i) => (v > scores[b]! ? i : b), 0);
  return scores[5]! >= scores[best]! - HELD_OUT_MARGIN ? 0.5 : best / 10;
}

/** A held-out choice of the decoder weight: the weight and the score of every w ∈ {0, 0.1, …, 1} (empty when there were too few held-out points). */
export interface WeightChoice { readonly weight: number; readonly scores: number[] }

/** A held-out choice of the ridge penalty: λ, the score of every λ tried, and — when the decoder weight is `auto` — its choice at that λ. */
export interface LambdaChoice {
  readonly lambda: number;
  /** Held-out mean P@1,3,5 by λ (its text), in the order tried. */
  readonly scores: Readonly<Record<string, number>>;
  /** The decoder-weight choice at the chosen λ (the same numbers {@link chooseDecoderWeight} gives with it), when `decoderWeight` is `auto`. */
  readonly weight?: WeightChoice;
}

/**
 * Choose the ridge penalty λ of one member (`lambda: 'auto'`) on the held-out split of
 * {@link chooseDecoderWeight}: fit the rest's features to the member's embeddings of their labels
 * for λ = 1, then walk {@link LAMBDA_GRID} up (if 3 beats 1) or down while the held-out mean of
 * P@1, P@3 and P@5 improves, one Cholesky factorisation per λ of a Gram matrix formed once
 * (ridgePath). A member is scored by the model's strategy — the average at the best decoder weight
 * when that is `auto` too. λ stays 1 unless the best beats it by more than {@link HELD_OUT_MARGIN}.
 * (The grid search on held-out data is the usual way of setting a ridge penalty: Hastie, Tibshirani
 * & Friedman, "The Elements of Statistical Learning", 2nd ed., §7.10.)
 * @param x ℓ2-normalised training feature rows; @param labels their label rows; @param encoder the trained member's.
 */
export function chooseLambda(x: Csr, labels: Csr, encoder: ValidationMember['encoder'], p: EmbedTrainParams): LambdaChoice {
  const h = heldOut(x, labels, encoder, p.seed);
  if (!h) return { lambda: LAMBDA_START, scores: {} };
  const autoWeight = p.strategy === 'average' && p.decoderWeight === 'auto' && encoder.decode !== undefined;
  const weights = !encoder.decode ? [0] : autoWeight ? WEIGHTS : [decoderWeightOf(p.strategy, p.decoderWeight as number)];
  const path = ridgePath(h.xt, h.z, encoder.dim, { solver: p.solver, bias: true });
  const byWeight = new Map<number, number[]>();
  const { lambda, scores } = walkLambdas((l) => {
    const s = weightScores(h, encoder, path.fit(l), p, weights);
    byWeight.set(l, s);
    return Math.max(...s);
  });
  return { lambda, scores, ...(autoWeight ? { weight: { weight: weightFromScores(byWeight.get(lambda)!), scores: byWeight.get(lambda)! } } : {}) };
}

/**
 * The walk of {@link chooseLambda} over {@link LAMBDA_GRID} for a held-out score of λ (higher is
 * better; called once per λ tried): from {@link LAMBDA_START} up while the score improves if the
 * next λ up improves on it, else down while it improves; the best λ tried unless it beats the
 * start by no more than {@link HELD_OUT_MARGIN} (then the start).
 * @returns the λ and the score of every λ tried (keys: the λ's text, in the order tried).
 * @internal
 */
export function walkLambdas(score: (lambda: number) => number): { lambda: number; scores: Record<string, number> } {
  const scores: Record<string, number> = {};
  const at = (i: number): number => (scores[String(LAMBDA_GRID[i])] ??= score(LAMBDA_GRID[i]!));
  const start = LAMBDA_GRID.indexOf(LAMBDA_START);
  let best = start;
  const first = at(start);
  const dir = start + 1 < LAMBDA_GRID.length && at(start + 1) > first ? 1 : -1;
  for (let i = start + dir; i >= 0 && i < LAMBDA_GRID.length && at(i) > at(best); i += dir) best = i;
  return { lambda: at(best) > at(start) + HELD_OUT_MARGIN ? LAMBDA_GRID[best]! : LAMBDA_START, scores };
}

/**
 * Choose the average strategy's decoder weight w ∈ {0, 0.1, …, 1}: refit the regressor of the
 * first model (penalty `lambda`) on 90% of the training points (seeded split), index them, and score the other
 * 10% (at most 2,000) by the mean of P@1, P@3 and P@5; w stays 0.5 (the paper's plain average)
 * unless another weight beats it by more than {@link HELD_OUT_MARGIN}. The encoder is the
 * trained one (it has seen those labels, not their features).
 * @param x ℓ2-normalised training feature rows; @param labels their label rows.
 * @returns the weight and the held-out score of every w (empty with fewer than 10 held-out points: w = 0.5).
 */
export function chooseDecoderWeight(x: Csr, labels: Csr, member: Pick<ValidationMember, 'encoder'>, p: EmbedTrainParams, lambda: number): WeightChoice {
  const h = heldOut(x, labels, member.encoder, p.seed);
  if (!h) return { weight: 0.5, scores: [] };
  const regressor = fitRidge(h.xt, h.z, member.encoder.dim, { lambda, solver: p.solver, bias: true });
  const scores = weightScores(h, member.encoder, regressor, p, WEIGHTS);
  return { weight: weightFromScores(scores), scores };
}
