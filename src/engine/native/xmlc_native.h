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

}  // namespace xmlc

#endif  // XMLC_NATIVE_H_
