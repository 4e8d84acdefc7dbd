// Exact k-nearest-neighbour search over dense vectors by inner product (cosine on ℓ2-normalised
// rows), for src/knn/exact_dense.ts: the similarities of a block of queries to a chunk of the
// points as one single-threaded sgemm, and a running top-k per query that most similarities only
// compare against (a vectorised test against the k-th best so far; a min-heap takes the few that
// pass). Each thread takes a range of query blocks and reads the points once, chunk by chunk; no
// similarity matrix larger than a block × a chunk (512 KB) is ever stored, in buffers each thread
// keeps from call to call.
//
// Every product has kQueries rows (the last block padded with zero queries) and the chunks are
// fixed, so a query's similarities, and hence its neighbours, do not depend on the other queries
// or on the thread count (see src/engine/row_block.ts).
#include "xmlc_native.h"

namespace xmlc {

namespace {

constexpr int64_t kQueries = 64;   // ROW_BLOCK of src/engine/row_block.ts
constexpr int64_t kChunk = 2048;   // points per product

// exactKnnDense(points, n, dim, queries, nq, k, outIds, outSims): for each query row (nq × dim),
// the k points (n × dim) of largest inner product, best first (ties: smaller id); rows with fewer
// than k points are padded with id -1 and similarity -Infinity.
Napi::Value ExactKnnDense(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 8) { Fail(env, "exactKnnDense: expected 8 arguments"); return env.Undefined(); }
  float *pts, *qs, *os;
  int32_t* oi;
  size_t lp = 0, lq = 0, li = 0, ls = 0;
  if (!F32(info, 0, &pts, &lp) || !F32(info, 3, &qs, &lq) || !I32(info, 6, &oi, &li) || !F32(info, 7, &os, &ls)) return env.Undefined();
  const int64_t n = Int(info, 1), dim = Int(info, 2), nq = Int(info, 4), k = Int(info, 5);
  if (n < 0 || dim < 1 || nq < 0 || k < 1 || n > INT32_MAX || static_cast<int64_t>(lp) < n * dim || static_cast<int64_t>(lq) < nq * dim ||
      static_cast<int64_t>(li) < nq * k || static_cast<int64_t>(ls) < nq * k) {
    Fail(env, "exactKnnDense: sizes do not match the arrays");
    return env.Undefined();
  }
  const int64_t blocks = (nq + kQueries - 1) / kQueries;
  const int nth = BlockThreads(blocks);
  const SerialBlas serial;  // the threads' products run on one OpenBLAS thread each
#pragma omp parallel num_threads(nth)
  {
    // Each thread takes a contiguous range of query blocks and walks the points chunk by chunk,
    // every chunk (800 KB at m = 100) once for all its blocks while it is in the cache. Its
    // buffers outlive the call (prediction calls this block after block): fresh memory would
    // cost a page fault per 4 KB on every call.
#ifdef _OPENMP
    const int tid = omp_get_thread_num(), nt = omp_get_num_threads();
#else
    const int tid = 0, nt = 1;
#endif
    const int64_t b0 = blocks * tid / nt, b1 = blocks * (tid + 1) / nt, nb = b1 - b0;
    thread_local std::vector<float> q, sims;
    thread_local std::vector<std::vector<TopEntry>> heaps;
    q.assign(static_cast<size_t>(nb * kQueries * dim), 0.0f);
    if (sims.size() < static_cast<size_t>(kQueries * kChunk)) sims.resize(static_cast<size_t>(kQueries * kChunk));
    if (heaps.size() < static_cast<size_t>(nb * kQueries)) heaps.resize(static_cast<size_t>(nb * kQueries));
    const int64_t qFirst = b0 * kQueries, qEnd = std::min(nq, b1 * kQueries);
    if (qEnd > qFirst) std::copy(qs + qFirst * dim, qs + qEnd * dim, q.begin());
    for (int64_t i = 0; i < qEnd - qFirst; i++) heaps[static_cast<size_t>(i)].clear();
    for (int64_t c0 = 0; c0 < n; c0 += kChunk) {
      const int64_t w = std::min(kChunk, n - c0);
      for (int64_t blk = b0; blk < b1; blk++) {
        const int64_t local = (blk - b0) * kQueries, rows = std::min(kQueries, nq - blk * kQueries);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(kQueries), static_cast<int>(w), static_cast<int>(dim), 1.0f,
                    q.data() + local * dim, static_cast<int>(dim), pts + c0 * dim, static_cast<int>(dim), 0.0f, sims.data(), static_cast<int>(w));
        for (int64_t i = 0; i < rows; i++) TopOffer(sims.data() + i * w, w, static_cast<int32_t>(c0), k, &heaps[static_cast<size_t>(local + i)]);
      }
    }
    for (int64_t i = 0; i < qEnd - qFirst; i++) {
      std::vector<TopEntry>& h = heaps[static_cast<size_t>(i)];
      std::sort_heap(h.begin(), h.end(), TopBetter);
      int32_t* ri = oi + (qFirst + i) * k;
      float* rs = os + (qFirst + i) * k;
      int64_t t = 0;
      for (; t < static_cast<int64_t>(h.size()); t++) { ri[t] = h[static_cast<size_t>(t)].second; rs[t] = h[static_cast<size_t>(t)].first; }
      for (; t < k; t++) { ri[t] = -1; rs[t] = -INFINITY; }
    }
  }
  return env.Undefined();
}

}  // namespace

void RegisterKnnExact(Napi::Env env, Napi::Object exports) {
  exports.Set("exactKnnDense", Napi::Function::New(env, ExactKnnDense));
}

}  // namespace xmlc
