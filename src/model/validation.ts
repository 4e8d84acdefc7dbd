/**
 * Choices made on held-out training points: the embedding model's decoder weight (`decoderWeight:
 * 'auto'`). The model calls this; the scoring is the prediction strategies' (src/predict) and the
 * measure the metrics' (src/metrics).
 */
import { type Csr, selectRows } from '../data/csr.js';
import { splitRows } from '../encoders/train_loop.js';
import { ExactDenseIndex } from '../knn/exact_dense.js';
import { meanRowNorm, normalizeDenseRows } from '../linalg/dense.js';
import { addWeighted, memberScores, type ScoringMember } from '../predict/strategies.js';
import { topKRows } from '../ranking/topk.js';
import { HELD_OUT_MARGIN, meanPrecision135, MIN_HELD_OUT } from '../metrics/held_out.js';
import { fitRidge } from '../regression/ridge.js';
import { type EmbedTrainParams } from './params.js';


/** What the choice needs of the trained member: its label encoder (embeddings and decoder). */
export interface ValidationMember extends ScoringMember {
  readonly encoder: ScoringMember['encoder'] & { encode(labels: Csr): Float32Array };
}

/**
 * Choose the average strategy's decoder weight w ∈ {0, 0.1, …, 1}: refit the regressor of the
 * first model on 90% of the training points (seeded split), index them, and score the other
 * 10% (at most 2,000) by the mean of P@1, P@3 and P@5; w stays 0.5 (the paper's plain average)
 * unless another weight beats it by more than {@link HELD_OUT_MARGIN}. The encoder is the
 * trained one (it has seen those labels, not their features).
 * @param x ℓ2-normalised training feature rows; @param labels their label rows.
 * @returns the weight and the held-out score of every w (empty with fewer than 10 held-out points: w = 0.5).
 */
export function chooseDecoderWeight(x: Csr, labels: Csr, member: Pick<ValidationMember, 'encoder'>, p: EmbedTrainParams): { weight: number; scores: number[] } {
  const { train, valid: allValid } = splitRows(x.nRows, 0.1, p.seed ^ 0x3c6ef372);
  const valid = allValid.slice(0, 2000);
  if (valid.length < MIN_HELD_OUT) return { weight: 0.5, scores: [] };
  const m = member.encoder.dim;
  const xt = selectRows(x, train), yt = selectRows(labels, train), xv = selectRows(x, valid), yv = selectRows(labels, valid);
  const z = member.encoder.encode(yt);
  const regressor = fitRidge(xt, z, m, { lambda: p.lambda, solver: p.solver, bias: true });
  const points = normalizeDenseRows(p.knnSpace === 'regressed' ? regressor.predict(xt) : z, xt.nRows, m);
  const probe: ScoringMember = { encoder: member.encoder, regressor, index: new ExactDenseIndex(points, xt.nRows, m), embeddingNorm: meanRowNorm(z, xt.nRows, m) };
  const parts = memberScores(probe, xv, yt, p.k, true, true);
  const n = valid.length, L = labels.nCols;
  const scores: number[] = [];
  for (let i = 0; i <= 10; i++) {
    const w = i / 10;
    const sc = new Float32Array(n * L);
    addWeighted(sc, parts, w);
    scores.push(meanPrecision135(topKRows(sc, n, L, 5), yv));
  }
  // Keep the paper's plain average unless another weight is better by more than half a point
  // (about one standard error of these held-out means); among the others the best, ties to the smaller w.
  const best = scores.reduce((b, v, i) => (v > scores[b]! ? i : b), 0);
  const weight = scores[5]! >= scores[best]! - HELD_OUT_MARGIN ? 0.5 : best / 10;
  return { weight, scores };
}
