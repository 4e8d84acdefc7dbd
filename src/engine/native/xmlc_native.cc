// The native addon's module entry. Its functions come in groups, one source file each:
//   kernels.cc     general kernels (BLAS matmuls, element-wise ops, reductions, sparse
//                  products, top-k, Adam, threads) — the `native` backend and src/engine helpers;
//   l1ae_fused.cc  the ℓ1-AE's fused decoder forward/backward — src/encoders/l1ae_network.ts;
//   linalg.cc      LAPACK's Cholesky solve — src/linalg/cholesky.ts;
//   text_terms.cc  the TF-IDF vectoriser's tokeniser, term table and rows — src/text/tfidf.ts;
//   linear_cd.cc   one-vs-rest dual coordinate descent over a chunk of labels — src/linear/ovr.ts;
//   knn_exact.cc   exact k-nearest-neighbour search over dense vectors — src/knn/exact_dense.ts;
//   l1ae_bf16.cc   the ℓ1-AE's inference decoder on bfloat16 products — src/encoders/l1ae_network.ts;
//   hnsw_search.cc batched HNSW search through hnswlib's headers — src/knn/hnsw.ts (its own
//                  binding.gyp target, built with hnswlib-node's compiler flags).
// xmlc_native.h holds what they share (includes, argument readers, the registration hooks).
#include "xmlc_native.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  xmlc::RegisterKernels(env, exports);
  xmlc::RegisterL1aeFused(env, exports);
  xmlc::RegisterLinalg(env, exports);
  xmlc::RegisterHnsw(env, exports);
  xmlc::RegisterTextTerms(env, exports);
  xmlc::RegisterLinearCd(env, exports);
  xmlc::RegisterKnnExact(env, exports);
  xmlc::RegisterL1aeBf16(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(xmlc_native, Init)
