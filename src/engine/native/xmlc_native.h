// Shared by the native addon's source files (ownership: see xmlc_native.cc): the includes, the
// argument readers every exported function uses, and the registration hook of each group.
#ifndef XMLC_NATIVE_H_
#define XMLC_NATIVE_H_

#include <napi.h>
#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <immintrin.h>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif


namespace xmlc {

// Below this many elements an element-wise loop stays on one thread.
constexpr int64_t kParallelMin = 1 << 15;

inline bool Fail(const Napi::Env& env, const char* msg) {
  Napi::TypeError::New(env, msg).ThrowAsJavaScriptException();
  return false;
}

template <typename T, napi_typedarray_type kType>
bool Arr(const Napi::CallbackInfo& info, size_t i, T** data, size_t* len) {
  if (i >= info.Length() || !info[i].IsTypedArray()) return Fail(info.Env(), "xmlc native: expected a typed array argument");
  Napi::TypedArray ta = info[i].As<Napi::TypedArray>();
  if (ta.TypedArrayType() != kType) return Fail(info.Env(), "xmlc native: typed array of the wrong element type");
  size_t offset = ta.ByteOffset();
  *data = reinterpret_cast<T*>(static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + offset);
  *len = ta.ElementLength();
  return true;
}

inline bool F32(const Napi::CallbackInfo& info, size_t i, float** d, size_t* n) { return Arr<float, napi_float32_array>(info, i, d, n); }
inline bool I32(const Napi::CallbackInfo& info, size_t i, int32_t** d, size_t* n) { return Arr<int32_t, napi_int32_array>(info, i, d, n); }
inline int64_t Int(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Int64Value(); }
inline double Num(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().DoubleValue(); }

// Named arguments (the properties of a call's one options object). A typed array of element type
// T: its data and length, or an error "WHO: 'KEY' must be a KIND" (`who` names the call).
template <typename T, napi_typedarray_type kType>
bool PropArray(const Napi::Object& o, const char* who, const char* key, const char* kind, T** data, size_t* len) {
  Napi::Value v = o.Get(key);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != kType) {
    const std::string msg = std::string(who) + ": '" + key + "' must be a " + kind;
    return Fail(o.Env(), msg.c_str());
  }
  Napi::TypedArray ta = v.As<Napi::TypedArray>();
  *data = reinterpret_cast<T*>(static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset());
  *len = ta.ElementLength();
  return true;
}

// An integer argument, or -1 when it is not a number (the callers check their sizes).
inline int64_t PropInt(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().Int64Value() : -1;
}

// A number argument, or `dflt` when it is not a number.
inline double PropNum(const Napi::Object& o, const char* key, double dflt) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : dflt;
}


// OpenBLAS single-threaded for a scope: the decoder kernels split each product across their
// own OpenMP threads, so no work is handed between OpenMP's and OpenBLAS's thread pools
// (measured at the ℓ1-AE's shapes, the products split by columns over OpenMP threads, each a
// one-thread sgemm, ran at 120–190 GFLOP/s against 70–150 for OpenBLAS's own two threads
// interleaved with OpenMP sweeps).
class SerialBlas {
 public:
  SerialBlas() : prev_(openblas_get_num_threads()) { openblas_set_num_threads(1); }
  ~SerialBlas() { openblas_set_num_threads(prev_); }
  SerialBlas(const SerialBlas&) = delete;
  SerialBlas& operator=(const SerialBlas&) = delete;

 private:
  int prev_;
};

// Threads for `blocks` independent blocks of work: all of OpenMP's, at most one a block.
inline int BlockThreads(int64_t blocks) {
#ifdef _OPENMP
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(omp_get_max_threads(), blocks)));
#else
  (void)blocks;
  return 1;
#endif
}

// A running top-k of (score, id) pairs: TopBetter(x, y) when x ranks before y (higher score, ties
// to the smaller id). As the heap's "less than" it keeps the worst kept entry at the front, and
// sort_heap leaves the best first.
using TopEntry = std::pair<float, int32_t>;
inline bool TopBetter(const TopEntry& x, const TopEntry& y) { return x.first > y.first || (x.first == y.first && x.second < y.second); }

// Offer the scores s[0..w) (ids id0, id0 + 1, …; NaN and -inf never taken) to a heap of at most
// k entries. Ids only grow from call to call, so once the heap is full an entry enters exactly
// when its score is strictly larger than the worst kept one: most entries meet only that compare
// (16 at a time with AVX-512).
inline void TopOffer(const float* __restrict s, int64_t w, int32_t id0, int64_t k, std::vector<TopEntry>* heap) {
  int64_t j = 0;
  for (; j < w && static_cast<int64_t>(heap->size()) < k; j++) {
    const float v = s[j];
    if (!(v > -INFINITY)) continue;
    heap->emplace_back(v, id0 + static_cast<int32_t>(j));
    std::push_heap(heap->begin(), heap->end(), TopBetter);
  }
  if (static_cast<int64_t>(heap->size()) < k) return;
  float thr = heap->front().first;
  auto take = [&](int64_t col) {
    const float v = s[col];
    if (!(v > thr)) return;  // also when the threshold rose within a group of 16
    std::pop_heap(heap->begin(), heap->end(), TopBetter);
    heap->back() = TopEntry(v, id0 + static_cast<int32_t>(col));
    std::push_heap(heap->begin(), heap->end(), TopBetter);
    thr = heap->front().first;
  };
#if defined(__AVX512F__)
  for (; j + 16 <= w; j += 16) {
    __mmask16 pass = _mm512_cmp_ps_mask(_mm512_loadu_ps(s + j), _mm512_set1_ps(thr), _CMP_GT_OQ);
    while (pass) {
      const int b = __builtin_ctz(pass);
      pass &= pass - 1;
      take(j + b);
    }
  }
#endif
  for (; j < w; j++) take(j);
}

// General kernels (kernels.cc): BLAS matmuls, element-wise ops, reductions, sparse products,
// top-k, the Adam update, thread control.
void RegisterKernels(Napi::Env env, Napi::Object exports);
// The ℓ1-AE's fused decoder forward and backward (l1ae_fused.cc).
void RegisterL1aeFused(Napi::Env env, Napi::Object exports);
// Dense float64 linear algebra from LAPACK (linalg.cc).
void RegisterLinalg(Napi::Env env, Napi::Object exports);
// Batched HNSW search over an hnswlib index file (hnsw_search.cc; absent without hnswlib-node).
void RegisterHnsw(Napi::Env env, Napi::Object exports);
// The TF-IDF vectoriser's tokeniser, term table and rows (text_terms.cc).
void RegisterTextTerms(Napi::Env env, Napi::Object exports);
// One-vs-rest dual coordinate descent, a chunk of labels per call (linear_cd.cc).
void RegisterLinearCd(Napi::Env env, Napi::Object exports);
// Exact k-nearest-neighbour search over dense vectors, blocked products and running top-k (knn_exact.cc).
void RegisterKnnExact(Napi::Env env, Napi::Object exports);
// The ℓ1-AE's inference decoder on bfloat16 products (l1ae_bf16.cc; empty without AVX512-BF16).
void RegisterL1aeBf16(Napi::Env env, Napi::Object exports);

}  // namespace xmlc

#endif  // XMLC_NATIVE_H_
