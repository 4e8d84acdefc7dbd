import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * General kernels (src/engine/native/kernels.cc): BLAS matmuls, element-wise ops, reductions and
 * tile for the `native` backend (native_backend.ts), sparse products and top-k (sparse_impl.ts,
 * src/ranking, src/knn), the fused Adam update (optimizers.ts), thread control.
 */
export interface NativeKernels {
  sgemmBatched(batch: number, transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float32Array, strideA: number, b: Float32Array, strideB: number, beta: number, c: Float32Array, strideC: number): void;
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, shape: Int32Array, stridesA: Int32Array, stridesB: Int32Array): void;
  unary(op: number, x: Float32Array, out: Float32Array): void;
  reduceMid(op: number, x: Float32Array, a: number, r: number, b: number, out: Float32Array): void;
  tile(x: Float32Array, inShape: Int32Array, outShape: Int32Array, out: Float32Array): void;
  adamUpdate(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, out: Float32Array,
    lr: number, beta1: number, beta2: number, eps: number, accBeta1: number, accBeta2: number): void;
  csrMatDense(rowPtr: Int32Array, indices: Int32Array, values: Float32Array, nRows: number, b: Float32Array, m: number, out: Float32Array): void;
  csrTMatDense(rowPtr: Int32Array, indices: Int32Array, values: Float32Array, nRows: number, nCols: number, b: Float32Array, m: number, out: Float32Array): void;
  topkRows(scores: Float32Array, nRows: number, nCols: number, k: number, outIdx: Int32Array, outVals: Float32Array): void;
  /** out += w·a, each row of a (nRows × nCols) scaled to a maximum of 1 first (rows without a positive entry unscaled); src/predict/scores.ts. */
  addRowMaxScaled(out: Float32Array, a: Float32Array, nRows: number, nCols: number, w: number): void;
  /** For every query row, out[i·nLabels + l] += w·(its neighbours' max-scaled float32 label vote); src/predict/knn_vote.ts addKnnVoteRowsMaxScaled. */
  addKnnVoteRows(ids: Int32Array, sims: Float32Array, nRows: number, k: number, useK: number, rowPtr: Int32Array, indices: Int32Array, values: Float32Array, nLabels: number, w: number, out: Float32Array): void;
  /**
   * For every query row (nq × dim), the k points (n × dim) of largest inner product, best first
   * (ties: smaller id; missing: id −1, −Infinity); blocked products and a running top-k
   * (src/engine/native/knn_exact.cc), for src/knn/exact_dense.ts. Absent from addons built before it.
   */
  exactKnnDense?(points: Float32Array, n: number, dim: number, queries: Float32Array, nq: number, k: number, outIds: Int32Array, outSims: Float32Array): void;
  setThreads(n: number): void;
  info(): { blas: string; blasCore: string; blasThreads: number; ompThreads: number };
}

/** The ℓ1-AE's fused decoder (src/engine/native/l1ae_fused.cc); its only caller is src/encoders/l1ae_network.ts. */
export interface NativeL1aeFused {
  /** All T blocks of the ℓ1-AE decoder forward (BN with batch statistics); see {@link L1aeDecoderForwardArgs}. Returns Σ r² when `target` is given. */
  l1aeDecoderForward(o: L1aeDecoderForwardArgs): number | undefined;
  /** All T blocks backward from the state the forward call left; see {@link L1aeDecoderBackwardArgs}. Returns dβ. */
  l1aeDecoderBackward(o: L1aeDecoderBackwardArgs): number;
  /** The decoder without BN in inference mode, row blocks per thread; see {@link L1aeDecodeRowsArgs}. */
  l1aeDecodeRows(o: L1aeDecodeRowsArgs): void;
  /**
   * A (m × d) packed as the bfloat16 operands of {@link l1aeDecodeRowsBf16}: pa ⌈m/2⌉ × d16 × 2 and
   * pt ⌈d/2⌉ × m16 × 2 values (d16, m16: rounded up to 16). Only in addons built for AVX512-BF16.
   */
  l1aePackBf16?(a: Float32Array, m: number, d: number, pa: Uint16Array, pt: Uint16Array): void;
  /** {@link l1aeDecodeRows} with the block products on bfloat16 operands (src/engine/native/l1ae_bf16.cc). Only in addons built for AVX512-BF16. */
  l1aeDecodeRowsBf16?(o: L1aeDecodeRowsArgs & { pa: Uint16Array; pt: Uint16Array }): void;
}

/**
 * Inference: out (n × d) = ReLU?(x(T+1)) for the embeddings y (n × m), x(1) = y·A (A m × d), T =
 * depth blocks without BN, c_t = β/t.
 */
export interface L1aeDecodeRowsArgs {
  n: number; d: number; m: number; depth: number; beta: number; a: Float32Array; y: Float32Array; out: Float32Array; relu: boolean;
}

/** Dense float64 linear algebra from LAPACK (src/engine/native/linalg.cc), for src/linalg/cholesky.ts. */
export interface NativeLinalg {
  /** Solve a·x = b for a symmetric positive definite (LAPACK dpotrf/dpotrs); a and b are overwritten. Returns LAPACK's info (0: success). */
  choleskySolve(a: Float64Array, b: Float64Array, p: number, m: number): number;
}

/**
 * One-vs-rest dual coordinate descent (src/engine/native/linear_cd.cc), for src/linear/ovr.ts: the
 * solvers of src/linear/dual_cd.ts step for step, a chunk of labels per call, OpenMP-parallel over
 * the labels.
 */
export interface NativeLinear {
  /** Train labels [l0, l1); see {@link OvrChunkArgs} and {@link OvrChunkResult}. */
  ovrTrainChunk(o: OvrChunkArgs): OvrChunkResult;
}

/**
 * X (n × (nFeatures + 1 with `bias`), CSR, the constant column last) with its ‖x_i‖² (sqNorms, so
 * n = sqNorms.length); the labels' points (the transposed label matrix: label l's points at
 * labelPoints[labelPtr[l] .. labelPtr[l + 1]), positives where labelValues is not 0); label l0 + k
 * is trained with seeds[k]; with subsetPtr/subsetRows (a CSR of all labels × n, ascending rows) label l is
 * trained on its rows subsetRows[subsetPtr[l] .. subsetPtr[l + 1]) only.
 */
export interface OvrChunkArgs {
  rowPtr: Int32Array; indices: Int32Array; values: Float32Array; sqNorms: Float64Array; nFeatures: number; bias: boolean;
  labelPtr: Int32Array; labelPoints: Int32Array; labelValues: Float32Array; l0: number; l1: number; seeds: Uint32Array;
  logistic: boolean; c: number; eps: number; maxIterations: number; pruneBelow: number;
  subsetPtr?: Int32Array; subsetRows?: Int32Array;
}

/**
 * Per label of the chunk (index k for label l0 + k): positives, outer passes, 1 if converged (also
 * for a label without positives, which is not trained), the bias weight (0 without `bias`), and
 * the kept weights (|w_j| ≥ pruneBelow and non-zero in float32, feature ids increasing) at
 * indices/values[offsets[k] .. offsets[k + 1]).
 */
export interface OvrChunkResult {
  positives: Int32Array; iterations: Int32Array; converged: Uint8Array; biasWeights: Float64Array;
  offsets: Int32Array; indices: Int32Array; values: Float32Array;
}

/** A table of text terms held by the addon (opaque). */
export type NativeTermTableHandle = { readonly __nativeTermTable: unique symbol };

/**
 * The TF-IDF vectoriser's hot loops (src/engine/native/text_terms.cc), for src/text/tfidf.ts: the
 * default tokeniser over lower-cased text, the term table (tokens, word n-grams as node pairs),
 * document frequencies and the rows. The same algorithm as tfidf.ts's JavaScript fallback.
 */
export interface NativeText {
  /** An empty term table. */
  textTableNew(): NativeTermTableHandle;
  /**
   * Scan texts[0, done) (lower-cased first when `lowercase`, as String.prototype.toLowerCase) into
   * the table's scan buffer (see textTake); `done` < texts.length only
   * when a text holds an astral code point and `astralClass` is null. With `create`, new terms
   * become nodes and the statistics count the documents as docBase + d.
   */
  textScan(table: NativeTermTableHandle, texts: readonly string[], docBase: number, ngramMin: number, ngramMax: number, create: boolean,
    bmpClass: Uint8Array, astralClass: Uint8Array | null, lowercase: boolean): number;
  /** The scan buffer since the last call (document d's term nodes at nodes[offsets[d], offsets[d + 1])), handed over. */
  textTake(table: NativeTermTableHandle): { nodes: Int32Array; offsets: Int32Array };
  /** The table's per-node arrays: prefix node (−1 for a token), last token node, document frequency, count. */
  textTableInfo(table: NativeTermTableHandle): { size: number; prefix: Int32Array; last: Int32Array; df: Int32Array; count: Int32Array };
  /** The texts of token nodes. */
  textTokens(table: NativeTermTableHandle, nodes: Int32Array): string[];
  /** The node of a token (−1 when absent and not `create`). */
  textToken(table: NativeTermTableHandle, token: string, create: boolean): number;
  /** The node of the n-gram (node a, token node b) (−1 when absent and not `create`). */
  textPair(table: NativeTermTableHandle, a: number, b: number, create: boolean): number;
  /** TF-IDF rows from documents' term nodes: feature[node] (−1: dropped), values tfWeight[tf]·idf[f], ℓ2 rows, features sorted. */
  tfidfRows(nodes: Int32Array, offsets: Int32Array, feature: Int32Array, idf: Float32Array, tfWeight: Float64Array): { rowPtr: Int32Array; indices: Int32Array; values: Float32Array };
}

/** An hnswlib index held by the addon (opaque). */
export type NativeHnswHandle = { readonly __nativeHnsw: unique symbol };

/**
 * Batched HNSW search through hnswlib's own headers (src/engine/native/hnsw_search.cc), for
 * src/knn/hnsw.ts; absent when the addon was built without hnswlib-node's headers.
 */
export interface NativeHnsw {
  /** Read an inner-product hnswlib index file (checked by the caller first). */
  hnswLoad(path: string, dim: number): NativeHnswHandle;
  /** hnswlib's searchKnn for each of nq query rows (nq × dim) with candidate list ef: row i's neighbours at out*[i·k ..], by (distance, id), similarity 1 − distance; later slots untouched. */
  /** Points in the index. */
  hnswCount(handle: NativeHnswHandle): number;
  /** Write the index to `path` (hnswlib's saveIndex: the format hnswlib-node writes). */
  hnswSave(handle: NativeHnswHandle, path: string): void;
  hnswSearch(handle: NativeHnswHandle, queries: Float32Array, nq: number, k: number, ef: number, outIds: Int32Array, outSims: Float32Array): void;
}

/** The native addon: one module (entry src/engine/native/xmlc_native.cc) with the groups of functions above. */
export type NativeAddon = NativeKernels & NativeL1aeFused & NativeLinalg & NativeLinear & NativeText & Partial<NativeHnsw>;

/**
 * The network and the per-block state shared by the whole-decoder kernels (l1ae_fused.cc,
 * l1aeDecoderForward): rows are points, x is b × d, A is m × d; T = depth blocks.
 */
export interface L1aeDecoderNet {
  b: number; d: number; m: number; depth: number; beta: number;
  /** m × d. */
  a: Float32Array;
  /** BN scale and shift per block (each of length d), or null without BN (the backward call needs no shifts). */
  gammas: Float32Array[] | null; shifts: Float32Array[] | null;
  /** Written by the forward call, read by the backward one: z_t = sign(x(t)) (T·b·d), p_t = z_t·Aᵀ (T·b·m), with BN u_t (T·b·d), μ_t and 1/σ_t (T·d). */
  zs: Int8Array; p: Float32Array; u: Float32Array | null; mean: Float32Array | null; invstd: Float32Array | null;
}

/**
 * Forward: x(1) (b × d, not modified) through the blocks into `out`; xb0, xb1, zf (b × d) are
 * scratch. Loss mode, with a target X (b × d): the encoder too (Y = X·Aᵀ into y, b × m, and
 * x(1) = Y·A into x1, which is scratch then), r = X − ReLU?(out) into `r` (ReLU when `relu`),
 * and the call returns Σ r².
 */
export interface L1aeDecoderForwardArgs extends L1aeDecoderNet {
  eps: number; x1: Float32Array; xb0: Float32Array; xb1: Float32Array; zf: Float32Array; out: Float32Array;
  target?: Float32Array | null; y?: Float32Array | null; r?: Float32Array | null; relu?: boolean;
}

/**
 * Backward from dy (b × d, the gradient at the last block's output): dx1 (b × d) receives the
 * gradient at x(1), dA (m × d) the blocks' gradient of A (overwritten unless `accumulate`),
 * dgammas/dshifts BN's, dY (b × m, optional) dx(1)·Aᵀ. g0, g1, zf (b × d) are scratch. Loss mode
 * (x = X, with y, r and out from the forward call): dy is computed from r and out as −k·r where
 * the ReLU passes, dA gets the encoder's terms too, and dX receives the gradient at X.
 */
export interface L1aeDecoderBackwardArgs extends L1aeDecoderNet {
  dy: Float32Array; g0: Float32Array; g1: Float32Array; zf: Float32Array;
  dx1: Float32Array; dA: Float32Array; dgammas: Float32Array[] | null; dshifts: Float32Array[] | null;
  dY?: Float32Array | null; accumulate?: boolean;
  x?: Float32Array | null; y?: Float32Array | null; r?: Float32Array | null; out?: Float32Array; k?: number; relu?: boolean; dX?: Float32Array;
}

/** Op codes shared with the C++ side. */
export const BINARY_OPS = Object.freeze({ add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5, squaredDifference: 6 } as const);
export const UNARY_OPS = Object.freeze({ neg: 0, abs: 1, relu: 2, sign: 3, tanh: 4, exp: 5, log: 6, sqrt: 7, square: 8, sigmoid: 9, step: 10 } as const);
export const REDUCE_OPS = Object.freeze({ sum: 0, max: 1, min: 2, mean: 3 } as const);

/**
 * A switch over one group of the addon's functions, for a module that keeps a JavaScript fallback:
 * {@link AddonSwitch.get} is the addon when it is built, has the group's function `probe` and the
 * switch is on (the default; tests and benchmarks turn it off to run the fallback).
 */
export class AddonSwitch {
  /** Whether the addon is used where it applies. */
  on = true;
  constructor(private readonly probe: keyof NativeAddon) {}
  /** The addon, or undefined (not built, without the group, or switched off). */
  get(): NativeAddon | undefined {
    if (!this.on) return undefined;
    const addon = nativeAddon().addon;
    return addon && typeof addon[this.probe] === 'function' ? addon : undefined;
  }
}

let loaded: { addon?: NativeAddon; error?: string } | undefined;

/**
 * The native addon built by `npm install` (node-gyp, linked against OpenBLAS), or the reason
 * it is not there. Loaded once; never throws. `XMLC_DISABLE_NATIVE=1` hides it (to test the
 * fallbacks).
 */
export function nativeAddon(): { addon?: NativeAddon; error?: string } {
  if (loaded) return loaded;
  if (process.env['XMLC_DISABLE_NATIVE'] === '1') {
    loaded = { error: 'disabled by XMLC_DISABLE_NATIVE=1' };
    return loaded;
  }
  // OpenMP threads that spin after a parallel region steal the cores OpenBLAS's own threads
  // need for the next sgemm (an ℓ1-AE training step takes about twice as long with spinning threads).
  // libgomp reads this once, when the addon loads it; a user's explicit setting wins.
  if (process.env['OMP_WAIT_POLICY'] === undefined) process.env['OMP_WAIT_POLICY'] = 'PASSIVE';
  const require = createRequire(import.meta.url);
  // From dist/src/engine/ (compiled) the package root is three levels up.
  const file = fileURLToPath(new URL('../../../build/Release/xmlc_native.node', import.meta.url));
  try {
    loaded = { addon: require(file) as NativeAddon };
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0] ?? String(e);
    loaded = { error: msg.includes('Cannot find module') ? `the native addon was not built (${file} is missing)` : msg };
  }
  return loaded;
}
