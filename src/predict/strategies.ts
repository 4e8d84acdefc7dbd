/**
 * The prediction strategies of the embedding pipeline (Wu et al., ICML 2019, Section 5:
 * "ℓ1-AE 1/2/3"): the kNN vote over the training embeddings, the label encoder's decoder, and
 * their weighted average, each max-normalised per row; an ensemble averages its members. This
 * module only scores: the model (src/model) trains the members and orchestrates.
 */
import { type Csr, sliceRows } from '../data/csr.js';
import { ROW_BLOCK } from '../engine/row_block.js';
import { type Neighbors, type SearchOptions } from '../ranking/neighbors.js';
import { type Ranked, topKRows } from '../ranking/topk.js';
import { addKnnVoteRowsMaxScaled, addKnnVotes, addRowVoteMaxScaled, clearTouched, touchedLabels, voteScratch } from './knn_vote.js';
import { topKSparseImpl } from '../ranking/topk_impl.js';
import { normalizeDenseRows } from '../linalg/dense.js';
import { addRowMaxScaled, addScaled, normalizeRowsMax } from './scores.js';

/**
 * Precisions of the decoder's matrix products at prediction: `bfloat16` (bfloat16 operands,
 * float32 sums, where the CPU has AVX512-BF16; float32 elsewhere) or `float32`. The first is the
 * default.
 */
export const DECODER_PRECISIONS = Object.freeze(['bfloat16', 'float32'] as const);
/**
 * A precision of the decoder's products (see {@link DECODER_PRECISIONS}).
 * @useDeclaredType
 */
export type DecoderPrecision = (typeof DECODER_PRECISIONS)[number];

/** How an embedding model turns a test point into label scores. */
export const STRATEGIES = Object.freeze(['knn', 'decoder', 'average'] as const);
/**
 * A prediction strategy: `'knn'` (the vote of the nearest training embeddings), `'decoder'` (the
 * label encoder's decoder) or `'average'` (their weighted average).
 * @useDeclaredType
 */
export type Strategy = (typeof STRATEGIES)[number];

/**
 * What the strategies need of one ensemble member (structural: the model's label encoder, ridge
 * regressor and kNN index fit it).
 */
export interface ScoringMember {
  readonly encoder: {
    /** Embedding dimension m. */
    readonly dim: number;
    /** Label scores (n × L) of embeddings z (n × m), in `out` if the encoder can; absent for encoders without a decoder. */
    readonly decode?: (z: Float32Array, n: number, out?: Float32Array, precision?: DecoderPrecision) => Float32Array;
  };
  /** Feature rows → embeddings (n × m). */
  readonly regressor: { predict(x: Csr): Float32Array };
  /** Cosine index over the (ℓ2-normalised) training embeddings. */
  readonly index: { searchDense(queries: Float32Array, nq: number, k: number, opts?: SearchOptions): Neighbors };
  /** Mean ℓ2 norm of the training label embeddings: the decoder's inputs are rescaled to it. */
  readonly embeddingNorm: number;
}

/** A member's max-normalised label scores (rows × L) by the kNN vote and/or the decoder. */
export interface MemberScores { knn?: Float32Array; decoder?: Float32Array }

/**
 * One member's max-normalised label scores (rows × L) for normalised feature rows `x`: the
 * similarity-weighted vote of the first `k` neighbours among the training embeddings (labels
 * `trainLabels`) when `knn`, the decoder's output when `decoder` (and the encoder has one), its
 * products in `precision` (prediction's default unless given).
 */
export function memberScores(member: ScoringMember, x: Csr, trainLabels: Csr, k: number, knn: boolean, decoder: boolean, efSearch?: number, precision: DecoderPrecision = DECODER_PRECISIONS[0]): MemberScores {
  const n = x.nRows, L = trainLabels.nCols;
  const z = member.regressor.predict(x);
  const out: MemberScores = {};
  if (knn) {
    const nb = searchMember(member, z, n, k, efSearch);
    const votes = new Float32Array(n * L);
    addKnnVotes(nb, k, trainLabels, votes);
    out.knn = normalizeRowsMax(votes, n, L);
  }
  if (decoder && member.encoder.decode) out.decoder = normalizeRowsMax(decodeMember(member, z, n, undefined, precision), n, L);
  return out;
}

/** The `k` nearest training embeddings of the regressed embeddings `z` (n × m; not modified), by cosine. */
function searchMember(member: ScoringMember, z: Float32Array, n: number, k: number, efSearch?: number): Neighbors {
  const q = normalizeDenseRows(Float32Array.from(z), n, member.encoder.dim);
  return member.index.searchDense(q, n, k, efSearch !== undefined ? { efSearch } : {});
}

/**
 * The decoder's label scores (n × L) for the regressed embeddings `z` (n × m; normalised and
 * rescaled in place), written into `out` when the encoder can (see LabelEncoder.decode), its
 * products in `precision`.
 */
function decodeMember(member: ScoringMember, z: Float32Array, n: number, out: Float32Array | undefined, precision: DecoderPrecision): Float32Array {
  // The unrolled decoder takes steps of fixed size β/t, so it is not scale-invariant, and ridge
  // regression shrinks its outputs: decode V·x rescaled to the training embeddings' mean norm
  // (a no-op for the linear and ReLU decoders of the baselines, which are positively
  // homogeneous, once max-normalised).
  const zd = normalizeDenseRows(z, n, member.encoder.dim), norm = member.embeddingNorm;
  for (let i = 0; i < zd.length; i++) zd[i] = zd[i]! * norm;
  return member.encoder.decode!(zd, n, out, precision);
}

/** The average strategy: out += ((1 − w)·kNN + w·decoder) / nMembers, for the parts present. */
export function addWeighted(out: Float32Array, parts: MemberScores, w: number, nMembers = 1): void {
  if (parts.knn) addScaled(out, parts.knn, (1 - w) / nMembers);
  if (parts.decoder) addScaled(out, parts.decoder, w / nMembers);
}

/** The decoder's weight under `strategy`: 0 for the kNN vote, 1 for the decoder, `averageWeight` for the average. */
export function decoderWeightOf(strategy: Strategy, averageWeight: number): number {
  return strategy === 'knn' ? 0 : strategy === 'decoder' ? 1 : averageWeight;
}

/** Settings of {@link rankByStrategy}. */
export interface StrategyOptions {
  readonly strategy: Strategy;
  /** The decoder's weight in the average strategy. */
  readonly decoderWeight: number;
  /** Voting neighbours. */
  readonly k: number;
  /** Labels ranked per row (at most the number of labels). */
  readonly topK: number;
  /** HNSW search list size (undefined: the index's own). */
  readonly efSearch?: number;
  /** The decoder's products (default: the first of {@link DECODER_PRECISIONS}). */
  readonly decoderPrecision?: DecoderPrecision;
}

/**
 * Score blocks hold about this many (test rows × labels) entries (1 MB of float32), and at least
 * {@link MIN_BLOCK_ROWS} rows. The block and the decoder's output are allocated once and reused
 * block after block: fresh memory costs a page fault per 4 KB on its first write (on this
 * project's 2-core VM, ~3 ms per MB — as much as the decoder's arithmetic on Delicious), and
 * blocks this size stay in the cache between the kernels that write and read them.
 */
const SCORE_BLOCK_ENTRIES = 1 << 18;
/** At least this many rows per score block: a few of the decoder's 64-row blocks for every core. */
const MIN_BLOCK_ROWS = 4 * ROW_BLOCK;

/**
 * Row alignment of prediction ({@link ROW_BLOCK}): the score blocks start at multiples of it, and
 * so do the blocks of the kernels they call, so a batch of rows that starts at a multiple of it (a
 * shard of a distributed prediction) is ranked bit for bit as those rows are in the whole batch
 * (global models; a clustered model's clusters see other subsets of the rows).
 */
export const PREDICT_ROW_ALIGN = ROW_BLOCK;

/**
 * Rank labels for normalised feature rows `x` by `members`' averaged strategy scores, a block of
 * rows at a time (at most {@link SCORE_BLOCK_ENTRIES} dense scores in memory). The kNN strategy
 * ranks only labels with a positive vote. `onRows` is told the rows done after every block.
 *
 * The scores are those of {@link memberScores} averaged by {@link addWeighted} (the reference
 * definition, also used by the decoder-weight choice), bit for bit, computed without their dense
 * L-wide vote blocks: the kNN vote of a row is added sparsely (only the labels its neighbours
 * carry), into one reused dense block when the decoder contributes (the votes of the whole block
 * in one native call; the decoder's scores, dense anyway, normalised and added in one fused native
 * pass), else into a sparse row whose candidates alone are ranked (the kNN strategy).
 */
export function rankByStrategy(x: Csr, members: readonly ScoringMember[], trainLabels: Csr, o: StrategyOptions, onRows?: (done: number) => void): Ranked {
  const n = x.nRows, L = trainLabels.nCols, topK = o.topK;
  const labels = new Int32Array(n * topK), scores = new Float32Array(n * topK);
  const stride = Math.max(MIN_BLOCK_ROWS, PREDICT_ROW_ALIGN * Math.floor(SCORE_BLOCK_ENTRIES / Math.max(1, L) / PREDICT_ROW_ALIGN));
  const block = Math.max(1, Math.min(n, stride));
  const w = decoderWeightOf(o.strategy, o.decoderWeight);
  const useKnn = w < 1, nm = members.length, precision = o.decoderPrecision ?? DECODER_PRECISIONS[0];
  const scratch = voteScratch(L);
  // The kNN strategy: one sparse row of summed member votes at a time; otherwise a dense block.
  const sparse = o.strategy === 'knn';
  const total = sparse ? new Float32Array(L) : new Float32Array(block * L);
  const decoded = w > 0 && members.some((m) => m.encoder.decode) ? new Float32Array(block * L) : undefined;
  const rowLabels = sparse ? touchedLabels(L) : undefined, cand = sparse ? new Float64Array(L) : undefined;
  for (let s = 0; s < n; s += block) {
    const e = Math.min(n, s + block), nb = e - s;
    const xb = sliceRows(x, s, e);
    if (!sparse && s > 0) total.fill(0, 0, nb * L);
    const votes: Neighbors[] = [];
    for (const member of members) {
      const z = member.regressor.predict(xb);
      const nbrs = useKnn ? searchMember(member, z, nb, o.k, o.efSearch) : undefined;
      if (nbrs && sparse) votes.push(nbrs);
      else if (nbrs) addKnnVoteRowsMaxScaled(nbrs, o.k, trainLabels, (1 - w) / nm, total, scratch);
      if (w > 0 && member.encoder.decode) addRowMaxScaled(total, decodeMember(member, z, nb, decoded, precision), nb, L, w / nm);
    }
    if (sparse) {
      for (let i = 0; i < nb; i++) {
        for (const nbrs of votes) addRowVoteMaxScaled(nbrs, i, Math.min(o.k, nbrs.k), trainLabels, scratch, (1 - w) / nm, total, 0, rowLabels);
        const list = rowLabels!.list, count = rowLabels!.n;
        for (let c = 0; c < count; c++) { const l = list[c]!; cand![c] = total[l]!; total[l] = 0; }
        topKSparseImpl(list, cand!, count, topK, labels, scores, (s + i) * topK, true);
        clearTouched(rowLabels!);
      }
    } else {
      const top = topKRows(nb === block ? total : total.subarray(0, nb * L), nb, L, topK);
      labels.set(top.labels, s * topK);
      scores.set(top.scores, s * topK);
    }
    onRows?.(e);
  }
  return { nRows: n, k: topK, labels, scores };
}
