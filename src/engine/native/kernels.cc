// xmlc's general native CPU kernels, used by the `native` tfjs backend and the sparse / top-k
// helpers: OpenBLAS sgemm, element-wise ops with broadcasting, reductions, tile, the sparse
// kernels (CSR x dense, CSR^T x dense, row-wise top-k), the fused Adam update, thread control.
//
// Every function takes its inputs and a preallocated output as typed arrays; the JavaScript
// side (src/engine/native_backend.ts, sparse_impl.ts, optimizers.ts) checks shapes before
// calling, so this file only re-checks what would corrupt memory. Loops split across threads
// with OpenMP when the work is large enough to pay for it (both cores of the target machine).
#include "xmlc_native.h"

namespace xmlc {

namespace {

// ---------------------------------------------------------------------------------------
// sgemmBatched(batch, transA, transB, m, n, k, alpha, A, strideA, B, strideB, beta, C, strideC)
// C_b = alpha * op(A_b) * op(B_b) + beta * C_b for b < batch, row-major; a stride of 0
// broadcasts that operand over the batch.
Napi::Value SgemmBatched(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 14) { Fail(env, "sgemmBatched: expected 14 arguments"); return env.Undefined(); }
  const int64_t batch = Int(info, 0);
  const bool ta = info[1].As<Napi::Boolean>().Value(), tb = info[2].As<Napi::Boolean>().Value();
  const int64_t m = Int(info, 3), n = Int(info, 4), k = Int(info, 5);
  const float alpha = static_cast<float>(Num(info, 6)), beta = static_cast<float>(Num(info, 11));
  float *a, *b, *c;
  size_t la, lb, lc;
  if (!F32(info, 7, &a, &la) || !F32(info, 9, &b, &lb) || !F32(info, 12, &c, &lc)) return env.Undefined();
  const int64_t sa = Int(info, 8), sb = Int(info, 10), sc = Int(info, 13);
  if (batch < 0 || m < 0 || n < 0 || k < 0) { Fail(env, "sgemmBatched: negative size"); return env.Undefined(); }
  if (batch == 0 || m == 0 || n == 0) return env.Undefined();
  if ((batch - 1) * sa + m * k > static_cast<int64_t>(la) || (batch - 1) * sb + k * n > static_cast<int64_t>(lb) ||
      (batch - 1) * sc + m * n > static_cast<int64_t>(lc)) {
    Fail(env, "sgemmBatched: operand too small for the given sizes");
    return env.Undefined();
  }
  const int lda = ta ? static_cast<int>(m) : static_cast<int>(k);
  const int ldb = tb ? static_cast<int>(k) : static_cast<int>(n);
  for (int64_t i = 0; i < batch; i++) {
    if (k == 0) {
      float* ci = c + i * sc;
      for (int64_t j = 0; j < m * n; j++) ci[j] = beta == 0.0f ? 0.0f : beta * ci[j];
      continue;
    }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a + i * sa, lda,
                b + i * sb, ldb, beta, c + i * sc, static_cast<int>(n));
  }
  return env.Undefined();
}

// ---------------------------------------------------------------------------------------
// Element-wise binary ops with broadcasting.
enum BinaryOp { kAdd = 0, kSub, kMul, kDiv, kMaximum, kMinimum, kSquaredDiff, kRealDiv = kDiv };

template <int Op>
inline float Apply(float x, float y) {
  if constexpr (Op == kAdd) return x + y;
  else if constexpr (Op == kSub) return x - y;
  else if constexpr (Op == kMul) return x * y;
  else if constexpr (Op == kDiv) return x / y;
  else if constexpr (Op == kMaximum) return (x >= y || std::isnan(x)) ? x : y;
  else if constexpr (Op == kMinimum) return (x <= y || std::isnan(x)) ? x : y;
  else return (x - y) * (x - y);
}

// out[i] = a[..] op b[..] over an output of `rank` dims; sa/sb are element strides of a and
// b per output dim (0 where broadcast). The innermost dim is a tight loop.
template <int Op>
void BinaryND(const float* a, const float* b, float* out, const int64_t* shape, const int64_t* sa, const int64_t* sb,
              int rank, int64_t total) {
  if (total == 0) return;
  const int64_t inner = shape[rank - 1];
  const int64_t ia = sa[rank - 1], ib = sb[rank - 1];
  const int64_t outerCount = total / inner;
#pragma omp parallel for schedule(static) if (total >= kParallelMin)
  for (int64_t o = 0; o < outerCount; o++) {
    // Decompose the outer index into the offsets of a and b.
    int64_t rem = o, offA = 0, offB = 0;
    for (int d = rank - 2; d >= 0; d--) {
      const int64_t idx = rem % shape[d];
      rem /= shape[d];
      offA += idx * sa[d];
      offB += idx * sb[d];
    }
    const float* pa = a + offA;
    const float* pb = b + offB;
    float* po = out + o * inner;
    if (ia == 1 && ib == 1) {
      for (int64_t i = 0; i < inner; i++) po[i] = Apply<Op>(pa[i], pb[i]);
    } else if (ia == 1 && ib == 0) {
      const float y = pb[0];
      for (int64_t i = 0; i < inner; i++) po[i] = Apply<Op>(pa[i], y);
    } else if (ia == 0 && ib == 1) {
      const float x = pa[0];
      for (int64_t i = 0; i < inner; i++) po[i] = Apply<Op>(x, pb[i]);
    } else {
      for (int64_t i = 0; i < inner; i++) po[i] = Apply<Op>(pa[i * ia], pb[i * ib]);
    }
  }
}

// binary(op, a, b, out, outShape: Int32Array, stridesA: Int32Array, stridesB: Int32Array)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 7) { Fail(env, "binary: expected 7 arguments"); return env.Undefined(); }
  const int op = static_cast<int>(Int(info, 0));
  float *a, *b, *out;
  int32_t *shape32, *sa32, *sb32;
  size_t la, lb, lo, rank, r2, r3;
  if (!F32(info, 1, &a, &la) || !F32(info, 2, &b, &lb) || !F32(info, 3, &out, &lo) || !I32(info, 4, &shape32, &rank) ||
      !I32(info, 5, &sa32, &r2) || !I32(info, 6, &sb32, &r3))
    return env.Undefined();
  if (rank == 0 || rank != r2 || rank != r3 || rank > 8) { Fail(env, "binary: bad rank"); return env.Undefined(); }
  int64_t shape[8], sa[8], sb[8], total = 1, maxA = 0, maxB = 0;
  for (size_t d = 0; d < rank; d++) {
    shape[d] = shape32[d]; sa[d] = sa32[d]; sb[d] = sb32[d];
    total *= shape[d];
    if (shape[d] > 0) { maxA += (shape[d] - 1) * sa[d]; maxB += (shape[d] - 1) * sb[d]; }
  }
  if (static_cast<int64_t>(lo) < total || (total > 0 && (maxA >= static_cast<int64_t>(la) || maxB >= static_cast<int64_t>(lb)))) {
    Fail(env, "binary: operand too small for the given shape");
    return env.Undefined();
  }
  const int r = static_cast<int>(rank);
  switch (op) {
    case kAdd: BinaryND<kAdd>(a, b, out, shape, sa, sb, r, total); break;
    case kSub: BinaryND<kSub>(a, b, out, shape, sa, sb, r, total); break;
    case kMul: BinaryND<kMul>(a, b, out, shape, sa, sb, r, total); break;
    case kDiv: BinaryND<kDiv>(a, b, out, shape, sa, sb, r, total); break;
    case kMaximum: BinaryND<kMaximum>(a, b, out, shape, sa, sb, r, total); break;
    case kMinimum: BinaryND<kMinimum>(a, b, out, shape, sa, sb, r, total); break;
    case kSquaredDiff: BinaryND<kSquaredDiff>(a, b, out, shape, sa, sb, r, total); break;
    default: Fail(env, "binary: unknown op");
  }
  return env.Undefined();
}

// ---------------------------------------------------------------------------------------
// Element-wise unary ops.
enum UnaryOp { kNeg = 0, kAbs, kRelu, kSign, kTanh, kExp, kLog, kSqrt, kSquare, kSigmoid, kStep };

template <int Op>
inline float ApplyU(float x) {
  if constexpr (Op == kNeg) return -x;
  else if constexpr (Op == kAbs) return std::fabs(x);
  else if constexpr (Op == kRelu) return std::isnan(x) ? x : (x > 0.0f ? x : 0.0f);
  else if constexpr (Op == kSign) return std::isnan(x) ? 0.0f : static_cast<float>((x > 0.0f) - (x < 0.0f));
  else if constexpr (Op == kTanh) return std::tanh(x);
  else if constexpr (Op == kExp) return std::exp(x);
  else if constexpr (Op == kLog) return std::log(x);
  else if constexpr (Op == kSqrt) return std::sqrt(x);
  else if constexpr (Op == kSquare) return x * x;
  else if constexpr (Op == kSigmoid) return 1.0f / (1.0f + std::exp(-x));
  else return std::isnan(x) ? x : (x > 0.0f ? 1.0f : 0.0f);
}

template <int Op>
void UnaryLoop(const float* x, float* out, int64_t n) {
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t i = 0; i < n; i++) out[i] = ApplyU<Op>(x[i]);
}

// unary(op, x, out)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int op = static_cast<int>(Int(info, 0));
  float *x, *out;
  size_t lx, lo;
  if (!F32(info, 1, &x, &lx) || !F32(info, 2, &out, &lo)) return env.Undefined();
  if (lo < lx) { Fail(env, "unary: output too small"); return env.Undefined(); }
  const int64_t n = static_cast<int64_t>(lx);
  switch (op) {
    case kNeg: UnaryLoop<kNeg>(x, out, n); break;
    case kAbs: UnaryLoop<kAbs>(x, out, n); break;
    case kRelu: UnaryLoop<kRelu>(x, out, n); break;
    case kSign: UnaryLoop<kSign>(x, out, n); break;
    case kTanh: UnaryLoop<kTanh>(x, out, n); break;
    case kExp: UnaryLoop<kExp>(x, out, n); break;
    case kLog: UnaryLoop<kLog>(x, out, n); break;
    case kSqrt: UnaryLoop<kSqrt>(x, out, n); break;
    case kSquare: UnaryLoop<kSquare>(x, out, n); break;
    case kSigmoid: UnaryLoop<kSigmoid>(x, out, n); break;
    case kStep: UnaryLoop<kStep>(x, out, n); break;
    default: Fail(env, "unary: unknown op");
  }
  return env.Undefined();
}

// ---------------------------------------------------------------------------------------
// reduceMid(op, x, a, r, b, out): x viewed as a × r × b, out[i, j] = reduce_k x[i, k, j]
// (any contiguous block of axes, without a transpose; b = 1 reduces whole rows). op 0 sum,
// 1 max, 2 min, 3 mean; sums accumulate in double; max and min propagate NaN.
Napi::Value ReduceMid(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int op = static_cast<int>(Int(info, 0));
  float *x, *out;
  size_t lx, lo;
  if (!F32(info, 1, &x, &lx) || !F32(info, 5, &out, &lo)) return env.Undefined();
  const int64_t A = Int(info, 2), R = Int(info, 3), B = Int(info, 4);
  if (A < 0 || R < 1 || B < 1 || A * R * B > static_cast<int64_t>(lx) || A * B > static_cast<int64_t>(lo)) {
    Fail(env, "reduceMid: sizes do not match the arrays");
    return env.Undefined();
  }
  // Parallel over column blocks of b: each thread owns whole output entries.
  constexpr int64_t kBlock = 256;
  const int64_t blocks = (B + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) collapse(2) if (A * R * B >= kParallelMin)
  for (int64_t i = 0; i < A; i++) {
    for (int64_t blk = 0; blk < blocks; blk++) {
      const int64_t j0 = blk * kBlock, j1 = std::min(B, j0 + kBlock);
      double acc[kBlock];
      float ext[kBlock];
      const float* base = x + i * R * B;
      if (op == 0 || op == 3) {
        for (int64_t j = j0; j < j1; j++) acc[j - j0] = 0.0;
        for (int64_t k = 0; k < R; k++) {
          const float* row = base + k * B;
          for (int64_t j = j0; j < j1; j++) acc[j - j0] += row[j];
        }
        for (int64_t j = j0; j < j1; j++) out[i * B + j] = static_cast<float>(op == 3 ? acc[j - j0] / static_cast<double>(R) : acc[j - j0]);
      } else {
        for (int64_t j = j0; j < j1; j++) ext[j - j0] = base[j];
        for (int64_t k = 1; k < R; k++) {
          const float* row = base + k * B;
          for (int64_t j = j0; j < j1; j++) {
            const float y = row[j], v = ext[j - j0];
            if (std::isnan(v)) continue;
            ext[j - j0] = std::isnan(y) ? y : (op == 1 ? (y > v ? y : v) : (y < v ? y : v));
          }
        }
        for (int64_t j = j0; j < j1; j++) out[i * B + j] = ext[j - j0];
      }
    }
  }
  return env.Undefined();
}

// tile(x, inShape: Int32Array, outShape: Int32Array, out): out[o] = x[o mod inShape], per dim.
Napi::Value Tile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  float *x, *out;
  int32_t *inShape, *outShape;
  size_t lx, lo, r1, r2;
  if (!F32(info, 0, &x, &lx) || !I32(info, 1, &inShape, &r1) || !I32(info, 2, &outShape, &r2) || !F32(info, 3, &out, &lo)) return env.Undefined();
  if (r1 != r2 || r1 == 0 || r1 > 8) { Fail(env, "tile: bad rank"); return env.Undefined(); }
  const int rank = static_cast<int>(r1);
  int64_t inStride[8], total = 1, inTotal = 1;
  for (int d = rank - 1; d >= 0; d--) { inStride[d] = inTotal; inTotal *= inShape[d]; total *= outShape[d]; }
  if (static_cast<int64_t>(lx) < inTotal || static_cast<int64_t>(lo) < total) { Fail(env, "tile: arrays too small"); return env.Undefined(); }
  if (total == 0) return env.Undefined();
  const int64_t inner = outShape[rank - 1], innerIn = inShape[rank - 1];
  const int64_t rows = total / inner;
#pragma omp parallel for schedule(static) if (total >= kParallelMin)
  for (int64_t o = 0; o < rows; o++) {
    int64_t rem = o, off = 0;
    for (int d = rank - 2; d >= 0; d--) {
      const int64_t idx = rem % outShape[d];
      rem /= outShape[d];
      off += (idx % inShape[d]) * inStride[d];
    }
    const float* src = x + off;
    float* dst = out + o * inner;
    for (int64_t j = 0; j < inner; j++) dst[j] = src[j % innerIn];
  }
  return env.Undefined();
}

// ---------------------------------------------------------------------------------------
// csrMatDense(rowPtr, indices, values, nRows, B, m, out): out (nRows x m) = A (CSR) * B (p x m).
Napi::Value CsrMatDense(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t *rowPtr, *indices;
  float *values, *b, *out;
  size_t lr, li, lv, lb, lo;
  if (!I32(info, 0, &rowPtr, &lr) || !I32(info, 1, &indices, &li) || !F32(info, 2, &values, &lv) ||
      !F32(info, 4, &b, &lb) || !F32(info, 6, &out, &lo))
    return env.Undefined();
  const int64_t nRows = Int(info, 3), m = Int(info, 5);
  if (static_cast<int64_t>(lr) != nRows + 1 || static_cast<int64_t>(lo) < nRows * m || m < 0) {
    Fail(env, "csrMatDense: sizes do not match the arrays");
    return env.Undefined();
  }
  const int64_t pRows = m > 0 ? static_cast<int64_t>(lb) / m : 0;
  for (int32_t q = 0; q < rowPtr[nRows]; q++) {
    if (indices[q] < 0 || (m > 0 && indices[q] >= pRows)) { Fail(env, "csrMatDense: a column id exceeds the rows of B"); return env.Undefined(); }
  }
#pragma omp parallel for schedule(dynamic, 64) if (nRows * m >= kParallelMin)
  for (int64_t i = 0; i < nRows; i++) {
    float* o = out + i * m;
    std::fill(o, o + m, 0.0f);
    for (int32_t q = rowPtr[i]; q < rowPtr[i + 1]; q++) {
      const int64_t j = indices[q];
      const float v = values[q];
      const float* brow = b + j * m;
      for (int64_t c = 0; c < m; c++) o[c] += v * brow[c];
    }
  }
  return env.Undefined();
}

// csrTMatDense(rowPtr, indices, values, nRows, nCols, B, m, out): out (nCols x m) = A^T * B,
// A CSR nRows x nCols, B dense nRows x m. Each thread accumulates into its own copy of the
// output (the scatter would race otherwise), then the copies are summed.
Napi::Value CsrTMatDense(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t *rowPtr, *indices;
  float *values, *b, *out;
  size_t lr, li, lv, lb, lo;
  if (!I32(info, 0, &rowPtr, &lr) || !I32(info, 1, &indices, &li) || !F32(info, 2, &values, &lv) ||
      !F32(info, 5, &b, &lb) || !F32(info, 7, &out, &lo))
    return env.Undefined();
  const int64_t nRows = Int(info, 3), nCols = Int(info, 4), m = Int(info, 6);
  if (static_cast<int64_t>(lr) != nRows + 1 || static_cast<int64_t>(lb) < nRows * m || static_cast<int64_t>(lo) < nCols * m) {
    Fail(env, "csrTMatDense: sizes do not match the arrays");
    return env.Undefined();
  }
  for (int32_t q = 0; q < rowPtr[nRows]; q++) {
    if (indices[q] < 0 || indices[q] >= nCols) { Fail(env, "csrTMatDense: a column id is out of range"); return env.Undefined(); }
  }
  std::fill(out, out + nCols * m, 0.0f);
  int threads = 1;
#ifdef _OPENMP
  if (static_cast<int64_t>(rowPtr[nRows]) * m >= kParallelMin) threads = omp_get_max_threads();
#endif
  if (threads <= 1) {
    for (int64_t i = 0; i < nRows; i++) {
      const float* brow = b + i * m;
      for (int32_t q = rowPtr[i]; q < rowPtr[i + 1]; q++) {
        float* o = out + static_cast<int64_t>(indices[q]) * m;
        const float v = values[q];
        for (int64_t c = 0; c < m; c++) o[c] += v * brow[c];
      }
    }
    return env.Undefined();
  }
  std::vector<std::vector<float>> partial(threads - 1, std::vector<float>());
#pragma omp parallel num_threads(threads)
  {
#ifdef _OPENMP
    const int t = omp_get_thread_num();
#else
    const int t = 0;
#endif
    float* acc = out;
    if (t > 0) { partial[t - 1].assign(nCols * m, 0.0f); acc = partial[t - 1].data(); }
#pragma omp for schedule(static)
    for (int64_t i = 0; i < nRows; i++) {
      const float* brow = b + i * m;
      for (int32_t q = rowPtr[i]; q < rowPtr[i + 1]; q++) {
        float* o = acc + static_cast<int64_t>(indices[q]) * m;
        const float v = values[q];
        for (int64_t c = 0; c < m; c++) o[c] += v * brow[c];
      }
    }
  }
  for (auto& p : partial) {
    for (int64_t j = 0; j < nCols * m; j++) out[j] += p[j];
  }
  return env.Undefined();
}

// ---------------------------------------------------------------------------------------
// topkRows(scores, nRows, nCols, k, outIdx, outVals): per row, the k largest scores, ties to
// the smaller column, NaN and -inf never chosen, padding index -1 / value -inf.
Napi::Value TopkRows(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  float *s, *ov;
  int32_t* oi;
  size_t ls, lOi, lOv;
  if (!F32(info, 0, &s, &ls) || !I32(info, 4, &oi, &lOi) || !F32(info, 5, &ov, &lOv)) return env.Undefined();
  const int64_t nRows = Int(info, 1), nCols = Int(info, 2), k = Int(info, 3);
  if (k < 1 || static_cast<int64_t>(ls) < nRows * nCols || static_cast<int64_t>(lOi) < nRows * k || static_cast<int64_t>(lOv) < nRows * k) {
    Fail(env, "topkRows: sizes do not match the arrays");
    return env.Undefined();
  }
#pragma omp parallel for schedule(static) if (nRows * nCols >= kParallelMin)
  for (int64_t r = 0; r < nRows; r++) {
    const float* row = s + r * nCols;
    std::vector<TopEntry> heap;
    heap.reserve(static_cast<size_t>(std::min(k, nCols)));
    TopOffer(row, nCols, 0, k, &heap);
    std::sort_heap(heap.begin(), heap.end(), TopBetter);
    int64_t t = 0;
    for (; t < static_cast<int64_t>(heap.size()); t++) { oi[r * k + t] = heap[t].second; ov[r * k + t] = heap[t].first; }
    for (; t < k; t++) { oi[r * k + t] = -1; ov[r * k + t] = -INFINITY; }
  }
  return env.Undefined();
}

// ---------------------------------------------------------------------------------------
// addRowMaxScaled(out, a, nRows, nCols, w): out += w * a, every row of a first scaled so that its
// largest entry is 1 (a row with no positive entry is added unscaled); a is not modified. The
// arithmetic is the JavaScript definition's (src/predict/scores.ts): float64 products and sums,
// each result rounded to float32, so both paths give the same bits. That needs w·v + o rounded
// twice, as JavaScript does, never contracted into one fma: contraction is off in this function.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#endif
Napi::Value AddRowMaxScaled(const Napi::CallbackInfo& info) {
#if defined(__clang__)
#pragma clang fp contract(off)
#endif
  Napi::Env env = info.Env();
  float *out, *a;
  size_t lo, la;
  if (!F32(info, 0, &out, &lo) || !F32(info, 1, &a, &la)) return env.Undefined();
  const int64_t nRows = Int(info, 2), nCols = Int(info, 3);
  const double w = Num(info, 4);
  if (nRows < 0 || nCols < 0 || static_cast<int64_t>(lo) < nRows * nCols || static_cast<int64_t>(la) < nRows * nCols) {
    Fail(env, "addRowMaxScaled: sizes do not match the arrays");
    return env.Undefined();
  }
#pragma omp parallel for schedule(static) if (nRows * nCols >= kParallelMin)
  for (int64_t r = 0; r < nRows; r++) {
    const float* __restrict row = a + r * nCols;
    float* __restrict o = out + r * nCols;
    float mx = 0.0f;
    for (int64_t c = 0; c < nCols; c++) if (row[c] > mx) mx = row[c];
    if (mx > 0.0f) {
      const double inv = 1.0 / static_cast<double>(mx);
      for (int64_t c = 0; c < nCols; c++) {
        const float v = static_cast<float>(static_cast<double>(row[c]) * inv);
        o[c] = static_cast<float>(static_cast<double>(o[c]) + w * static_cast<double>(v));
      }
    } else {
      for (int64_t c = 0; c < nCols; c++) o[c] = static_cast<float>(static_cast<double>(o[c]) + w * static_cast<double>(row[c]));
    }
  }
  return env.Undefined();
}

// addKnnVoteRows(ids, sims, nRows, k, useK, rowPtr, indices, values, nLabels, w, out): for every
// query row i, the similarity-weighted label vote of its first useK neighbours (ids/sims row i of
// width k; an id < 0 ends the list) over the training label rows (CSR, nLabels columns),
// v_l = Σ_t sim_t·y_{j_t,l} accumulated in float32 in neighbour order, scaled so that its largest
// entry is 1 (unscaled without a positive entry), then out[i·nLabels + l] += w·v_l for the
// labels voted for. The roundings are those of src/predict/knn_vote.ts addRowVoteMaxScaled, so
// both give the same bits. Rows are split over the threads, each with its own scratch.
Napi::Value AddKnnVoteRows(const Napi::CallbackInfo& info) {
#if defined(__clang__)
#pragma clang fp contract(off)
#endif
  Napi::Env env = info.Env();
  int32_t *ids, *rowPtr, *indices;
  float *sims, *values, *out;
  size_t lIds, lSims, lPtr, lIdx, lVal, lOut;
  if (!I32(info, 0, &ids, &lIds) || !F32(info, 1, &sims, &lSims) || !I32(info, 5, &rowPtr, &lPtr) || !I32(info, 6, &indices, &lIdx) ||
      !F32(info, 7, &values, &lVal) || !F32(info, 10, &out, &lOut)) return env.Undefined();
  const int64_t nRows = Int(info, 2), k = Int(info, 3), useK = Int(info, 4), nLabels = Int(info, 8);
  const double w = Num(info, 9);
  const int64_t nTrain = static_cast<int64_t>(lPtr) - 1;
  if (nRows < 0 || k < 0 || useK < 0 || useK > k || nLabels < 0 || nTrain < 0 || static_cast<int64_t>(lIds) < nRows * k ||
      static_cast<int64_t>(lSims) < nRows * k || static_cast<int64_t>(lOut) < nRows * nLabels || lIdx != lVal ||
      rowPtr[nTrain] > static_cast<int64_t>(lIdx)) {
    Fail(env, "addKnnVoteRows: sizes do not match the arrays");
    return env.Undefined();
  }
  std::atomic<bool> bad(false);
#pragma omp parallel if (nRows * useK >= 4096)
  {
    std::vector<float> acc(static_cast<size_t>(nLabels), 0.0f);
    std::vector<uint8_t> seen(static_cast<size_t>(nLabels), 0);
    std::vector<int32_t> list;
#pragma omp for schedule(static)
    for (int64_t i = 0; i < nRows; i++) {
      list.clear();
      for (int64_t t = 0; t < useK; t++) {
        const int32_t j = ids[i * k + t];
        if (j < 0) break;
        if (j >= nTrain) { bad.store(true); break; }
        const double s = static_cast<double>(sims[i * k + t]);
        for (int32_t p = rowPtr[j]; p < rowPtr[j + 1]; p++) {
          const int32_t l = indices[p];
          if (l < 0 || l >= nLabels) { bad.store(true); continue; }
          if (!seen[l]) { seen[l] = 1; list.push_back(l); }
          acc[l] = static_cast<float>(static_cast<double>(acc[l]) + s * static_cast<double>(values[p]));
        }
      }
      float mx = 0.0f;
      for (const int32_t l : list) if (acc[l] > mx) mx = acc[l];
      const double inv = 1.0 / static_cast<double>(mx);
      float* o = out + i * nLabels;
      for (const int32_t l : list) {
        const float v = mx > 0.0f ? static_cast<float>(static_cast<double>(acc[l]) * inv) : acc[l];
        o[l] = static_cast<float>(static_cast<double>(o[l]) + w * static_cast<double>(v));
        acc[l] = 0.0f;
        seen[l] = 0;
      }
    }
  }
  if (bad.load()) Fail(env, "addKnnVoteRows: a neighbour or label id out of range");
  return env.Undefined();
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif

// ---------------------------------------------------------------------------------------
// adamUpdate(w, g, m, v, out, lr, beta1, beta2, eps, accBeta1, accBeta2): one Adam step
// (Kingma & Ba 2015) in one pass, with tfjs's AdamOptimizer's form of the bias correction:
//   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  out = w − lr·(m/(1−β1^t)) / (√(v/(1−β2^t)) + ε)
// m and v are updated in place; accBeta1/2 = β1^t, β2^t for this step t.
Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  float *w, *g, *m, *v, *out;
  size_t lw, lg, lm, lv, lo;
  if (!F32(info, 0, &w, &lw) || !F32(info, 1, &g, &lg) || !F32(info, 2, &m, &lm) || !F32(info, 3, &v, &lv) || !F32(info, 4, &out, &lo)) return env.Undefined();
  if (lg != lw || lm != lw || lv != lw || lo != lw) { Fail(env, "adamUpdate: arrays differ in length"); return env.Undefined(); }
  const float lr = static_cast<float>(Num(info, 5)), b1 = static_cast<float>(Num(info, 6)), b2 = static_cast<float>(Num(info, 7));
  const float eps = static_cast<float>(Num(info, 8));
  const float c1 = static_cast<float>(1.0 / (1.0 - Num(info, 9))), c2 = static_cast<float>(1.0 / (1.0 - Num(info, 10)));
  const int64_t n = static_cast<int64_t>(lw);
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = b1 * m[i] + (1.0f - b1) * gi;
    const float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    out[i] = w[i] - lr * (mi * c1) / (std::sqrt(vi * c2) + eps);
  }
  return env.Undefined();
}

// ---------------------------------------------------------------------------------------
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  const int n = static_cast<int>(Int(info, 0));
  openblas_set_num_threads(n);
#ifdef _OPENMP
  omp_set_num_threads(n);
#endif
  return info.Env().Undefined();
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("blas", Napi::String::New(env, openblas_get_config()));
  o.Set("blasCore", Napi::String::New(env, openblas_get_corename()));
  o.Set("blasThreads", Napi::Number::New(env, openblas_get_num_threads()));
#ifdef _OPENMP
  o.Set("ompThreads", Napi::Number::New(env, omp_get_max_threads()));
#else
  o.Set("ompThreads", Napi::Number::New(env, 1));
#endif
  return o;
}

}  // namespace

void RegisterKernels(Napi::Env env, Napi::Object exports) {
  exports.Set("sgemmBatched", Napi::Function::New(env, SgemmBatched));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("reduceMid", Napi::Function::New(env, ReduceMid));
  exports.Set("tile", Napi::Function::New(env, Tile));
  exports.Set("adamUpdate", Napi::Function::New(env, AdamUpdate));
  exports.Set("csrMatDense", Napi::Function::New(env, CsrMatDense));
  exports.Set("csrTMatDense", Napi::Function::New(env, CsrTMatDense));
  exports.Set("topkRows", Napi::Function::New(env, TopkRows));
  exports.Set("addRowMaxScaled", Napi::Function::New(env, AddRowMaxScaled));
  exports.Set("addKnnVoteRows", Napi::Function::New(env, AddKnnVoteRows));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("info", Napi::Function::New(env, Info));
}

}  // namespace xmlc
