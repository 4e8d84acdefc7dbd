// Batched HNSW search (Malkov & Yashunin, TPAMI 2018) for src/knn/hnsw.ts: the index file that
// hnswlib-node wrote, loaded by hnswlib itself (the header-only library that hnswlib-node ships,
// included from its install, not copied), and searched for a whole block of queries in one call,
// the queries split over the threads (hnswlib's searchKnn is safe to call concurrently).
//
// This file is compiled apart from the others (binding.gyp target xmlc_hnsw) with the flags
// hnswlib-node's own build uses (no -march=native): hnswlib picks its SIMD distance functions at
// compile time, so the same flags give the same float32 distances, hence the same neighbours,
// bit for bit, as hnswlib-node's searchKnn. Without hnswlib-node's headers (it is an optional
// dependency) the functions are not exported and src/knn/hnsw.ts searches through hnswlib-node.
#include <napi.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#ifdef XMLC_HNSWLIB
#include "hnswlib/hnswlib.h"
#endif

namespace xmlc {

#ifdef XMLC_HNSWLIB
namespace {

struct HnswHandle {
  std::unique_ptr<hnswlib::InnerProductSpace> space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> index;
  int64_t dim = 0;
};

Napi::Value Throw(const Napi::Env& env, const std::string& msg) {
  Napi::Error::New(env, msg).ThrowAsJavaScriptException();
  return env.Undefined();
}

// hnswLoad(path, dim) -> handle: an inner-product index read from an hnswlib file (checked
// by the caller, src/knn/hnsw.ts checkHnswFile, before this call), as hnswlib-node's readIndexSync
// reads it.
Napi::Value HnswLoad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[0].IsString() || !info[1].IsNumber()) return Throw(env, "hnswLoad: expected (path, dim)");
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  const int64_t dim = info[1].As<Napi::Number>().Int64Value();
  if (dim < 1) return Throw(env, "hnswLoad: dim must be >= 1");
  auto h = std::make_unique<HnswHandle>();
  h->dim = dim;
  try {
    h->space = std::make_unique<hnswlib::InnerProductSpace>(static_cast<size_t>(dim));
    h->index = std::make_unique<hnswlib::HierarchicalNSW<float>>(h->space.get(), path, false, 0, false);
  } catch (const std::exception& e) {
    return Throw(env, std::string("hnswLoad: ") + e.what());
  }
  return Napi::External<HnswHandle>::New(env, h.release(), [](Napi::Env, HnswHandle* p) { delete p; });
}

// hnswCount(handle) -> the number of points in the index.
Napi::Value HnswCount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsExternal()) return Throw(env, "hnswCount: expected (handle)");
  return Napi::Number::New(env, static_cast<double>(info[0].As<Napi::External<HnswHandle>>().Data()->index->cur_element_count));
}

// hnswSave(handle, path): hnswlib's saveIndex (the file hnswlib-node's writeIndexSync writes).
Napi::Value HnswSave(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[0].IsExternal() || !info[1].IsString()) return Throw(env, "hnswSave: expected (handle, path)");
  try {
    info[0].As<Napi::External<HnswHandle>>().Data()->index->saveIndex(info[1].As<Napi::String>().Utf8Value());
  } catch (const std::exception& e) {
    return Throw(env, std::string("hnswSave: ") + e.what());
  }
  return env.Undefined();
}

// hnswSearch(handle, queries, nq, k, ef, outIds, outSims): for each of the nq query rows (nq × dim,
// float32), hnswlib's searchKnn(query, k) with candidate list ef; row i's neighbours go to
// outIds/outSims[i*k ..], ordered by (distance, id) ascending, similarity = 1 − distance rounded
// to float32 (the rounding src/knn/hnsw.ts applies to hnswlib-node's results). Slots past the
// neighbours found are left as they are.
Napi::Value HnswSearch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 7 || !info[0].IsExternal() || !info[1].IsTypedArray() || !info[5].IsTypedArray() || !info[6].IsTypedArray())
    return Throw(env, "hnswSearch: expected (handle, queries, nq, k, ef, outIds, outSims)");
  HnswHandle* h = info[0].As<Napi::External<HnswHandle>>().Data();
  Napi::Float32Array q = info[1].As<Napi::Float32Array>();
  Napi::Int32Array ids = info[5].As<Napi::Int32Array>();
  Napi::Float32Array sims = info[6].As<Napi::Float32Array>();
  const int64_t nq = info[2].As<Napi::Number>().Int64Value(), k = info[3].As<Napi::Number>().Int64Value();
  const int64_t ef = info[4].As<Napi::Number>().Int64Value();
  if (q.TypedArrayType() != napi_float32_array || ids.TypedArrayType() != napi_int32_array || sims.TypedArrayType() != napi_float32_array)
    return Throw(env, "hnswSearch: typed arrays of the wrong element type");
  if (nq < 0 || k < 1 || ef < 1 || k > static_cast<int64_t>(h->index->cur_element_count) ||
      static_cast<int64_t>(q.ElementLength()) < nq * h->dim || static_cast<int64_t>(ids.ElementLength()) < nq * k ||
      static_cast<int64_t>(sims.ElementLength()) < nq * k)
    return Throw(env, "hnswSearch: sizes do not match the arrays or the index");
  const float* qd = q.Data();
  int32_t* oi = ids.Data();
  float* os = sims.Data();
  h->index->setEf(static_cast<size_t>(ef));
  std::atomic<bool> failed(false);
#pragma omp parallel for schedule(dynamic, 8)
  for (int64_t i = 0; i < nq; i++) {
    if (failed.load(std::memory_order_relaxed)) continue;
    try {
      auto res = h->index->searchKnn(qd + i * h->dim, static_cast<size_t>(k));
      std::vector<std::pair<float, int64_t>> found;
      found.reserve(res.size());
      for (; !res.empty(); res.pop()) found.emplace_back(res.top().first, static_cast<int64_t>(res.top().second));
      std::sort(found.begin(), found.end());
      for (size_t t = 0; t < found.size(); t++) {
        oi[i * k + static_cast<int64_t>(t)] = static_cast<int32_t>(found[t].second);
        os[i * k + static_cast<int64_t>(t)] = static_cast<float>(1.0 - static_cast<double>(found[t].first));
      }
    } catch (...) {
      failed.store(true);
    }
  }
  if (failed.load()) return Throw(env, "hnswSearch: hnswlib failed");
  return env.Undefined();
}

}  // namespace
#endif

void RegisterHnsw(Napi::Env env, Napi::Object exports) {
#ifdef XMLC_HNSWLIB
  exports.Set("hnswLoad", Napi::Function::New(env, HnswLoad));
  exports.Set("hnswSearch", Napi::Function::New(env, HnswSearch));
  exports.Set("hnswCount", Napi::Function::New(env, HnswCount));
  exports.Set("hnswSave", Napi::Function::New(env, HnswSave));
#else
  (void)env;
  (void)exports;
#endif
}

}  // namespace xmlc
