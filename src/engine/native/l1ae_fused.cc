// The ℓ1-AE's fused decoder kernels (src/encoders/l1ae_network.ts is their only caller): the
// whole unrolled decoder, forward and backward, one call each. Built on the shared argument
// readers of xmlc_native.h and OpenBLAS sgemm; nothing else in the addon depends on this file.
#include "xmlc_native.h"

namespace xmlc {

namespace {

// ---------------------------------------------------------------------------------------
// The whole ℓ1-AE decoder (Wu et al. 2019), all T blocks, forward and backward, one call each
// (the training step's hot path). Rows are points: x is b × d, A is m × d. Block t is one
// projected-subgradient step followed by batch normalisation:
//
//   z = sign(x);  p = z·Aᵀ (b × m);  q = p·A;  w = z − q;  u = x − c·w      (c = β/t)
//   BN:  μ_j, σ²_j over the batch;  x̂ = (u − μ)·(σ² + ε)^−½;  y = γ⊙x̂ + δ
//
// rearranged so that each block costs one element-wise sweep forward and one backward besides
// its products:
//
// - Batch-norm statistics are per column, so a sweep over a block of columns (all rows) can
//   compute u = x − c·(z − q), the column moments, and then BN's output y and the next block's
//   z = sign(y) while those columns are still in cache. Threads own column blocks.
// - The backward pass needs no element-wise data beyond u (x̂ is recomputed from u, μ, 1/σ
//   exactly as the forward computed it), p = z·Aᵀ, and z stored as int8 signs.
// - dc = −Σ du⊙w with w = z − q is rewritten −Σ du⊙z + Σ p⊙dp0 (dp0 = du·Aᵀ, b × m):
//   Σ du⊙(p·A) = Σ p⊙(du·Aᵀ). So w is never stored, and dp0 is the product the gradient of A
//   needs anyway (dA += c·pᵀ·du + c·dp0ᵀ·z). For block 1, dp0 is also dY = dx(1)·Aᵀ.

namespace l1ae {

// Columns per block of a sweep: 256 columns × b = 128 rows is 128 KiB per array, so the
// three or four arrays a sweep touches stay in a core's L2 (1 MiB here).
constexpr int64_t kCols = 256;

// Named-property access for the decoder calls' option objects.
// (PropInt, PropNum and PropArray are xmlc_native.h's.) A Float32Array of at least `need` elements.
bool PropF32(const Napi::Object& o, const char* key, float** p, size_t need, bool optional) {
  Napi::Value v = o.Get(key);
  if (optional && (v.IsNull() || v.IsUndefined())) { *p = nullptr; return true; }
  size_t len = 0;
  if (!PropArray<float, napi_float32_array>(o, "l1aeDecoder", key, "Float32Array", p, &len)) return false;
  if (len < need) {
    std::string msg = std::string("l1aeDecoder: '") + key + "' is too short for the given sizes";
    return Fail(o.Env(), msg.c_str());
  }
  return true;
}

bool PropI8(const Napi::Object& o, const char* key, int8_t** p, size_t need) {
  Napi::Value v = o.Get(key);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int8_array || v.As<Napi::Int8Array>().ElementLength() < need) {
    return Fail(o.Env(), "l1aeDecoder: 'zs' must be an Int8Array of depth·b·d");
  }
  *p = v.As<Napi::Int8Array>().Data();
  return true;
}

// A list of `count` Float32Arrays of at least `need` elements each (or null: an empty list).
bool PropF32List(const Napi::Object& o, const char* key, std::vector<float*>* out, size_t count, size_t need) {
  out->clear();
  Napi::Value v = o.Get(key);
  if (v.IsNull() || v.IsUndefined()) return true;
  if (!v.IsArray() || v.As<Napi::Array>().Length() != count) {
    std::string msg = std::string("l1aeDecoder: '") + key + "' must be null or an array of one Float32Array per block";
    return Fail(o.Env(), msg.c_str());
  }
  Napi::Array arr = v.As<Napi::Array>();
  for (uint32_t i = 0; i < count; i++) {
    Napi::Value e = arr.Get(i);
    if (!e.IsTypedArray() || e.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array || e.As<Napi::Float32Array>().ElementLength() < need) {
      std::string msg = std::string("l1aeDecoder: '") + key + "' holds an entry that is not a long enough Float32Array";
      return Fail(o.Env(), msg.c_str());
    }
    out->push_back(e.As<Napi::Float32Array>().Data());
  }
  return true;
}

// The shapes and per-block state shared by forward and backward.
struct Net {
  int64_t b = 0, d = 0, m = 0, depth = 0;
  float beta = 0.0f;
  float* a = nullptr;
  std::vector<float*> gamma, shift;  // empty without BN (the backward pass needs no shift)
  int8_t* zs = nullptr;              // depth × b × d: z_t = sign(x(t))
  float* p = nullptr;                // depth × b × m: p_t = z_t·Aᵀ
  float* u = nullptr;                // depth × b × d: BN's input u_t (BN only)
  float* mean = nullptr;             // depth × d (BN only)
  float* invstd = nullptr;           // depth × d (BN only)
  bool bn() const { return !gamma.empty(); }
};

bool ReadNet(const Napi::Object& o, Net* net) {
  const Napi::Env env = o.Env();
  net->b = PropInt(o, "b"); net->d = PropInt(o, "d"); net->m = PropInt(o, "m"); net->depth = PropInt(o, "depth");
  net->beta = static_cast<float>(PropNum(o, "beta", 0.0));
  const int64_t b = net->b, d = net->d, m = net->m, T = net->depth;
  if (b < 1 || d < 1 || m < 1 || T < 1 || b > INT32_MAX || d > INT32_MAX || m > INT32_MAX) return Fail(env, "l1aeDecoder: need b, d, m, depth >= 1");
  const size_t n = static_cast<size_t>(b * d);
  if (!PropF32(o, "a", &net->a, static_cast<size_t>(m * d), false) || !PropF32List(o, "gammas", &net->gamma, static_cast<size_t>(T), static_cast<size_t>(d)) ||
      !PropF32List(o, "shifts", &net->shift, static_cast<size_t>(T), static_cast<size_t>(d)) ||
      !PropI8(o, "zs", &net->zs, static_cast<size_t>(T) * n) || !PropF32(o, "p", &net->p, static_cast<size_t>(T * b * m), false))
    return false;
  if (net->bn() && (!PropF32(o, "u", &net->u, static_cast<size_t>(T) * n, false) || !PropF32(o, "mean", &net->mean, static_cast<size_t>(T * d), false) ||
                    !PropF32(o, "invstd", &net->invstd, static_cast<size_t>(T * d), false)))
    return false;
  return true;
}

// The sweeps below keep every inner loop free of cross-element reductions and of possible
// aliasing (per-column parameters copied to locals, __restrict rows, per-column accumulators),
// so that they vectorise: a floating-point reduction over j, or a pointer that might alias the
// output, leaves a loop scalar (measured: 0.8 → 0.37 ms per forward sweep of 128 × 3993).

// u = x − c·(z − q) in place in q, rows [0, b), columns [j0, j0 + w).
inline void StepCols(int64_t b, int64_t d, int64_t j0, int64_t w, float c, const float* x, const float* z, float* q) {
  for (int64_t i = 0; i < b; i++) {
    const float* __restrict xr = x + i * d + j0;
    const float* __restrict zr = z + i * d + j0;
    float* __restrict qr = q + i * d + j0;
    for (int64_t j = 0; j < w; j++) qr[j] = xr[j] - c * (zr[j] - qr[j]);
  }
}

// Column mean and 1/σ (population variance, as tf.moments) of u over the b rows, into mu, is
// (and the locals lmu, lis). Shifted by the first row's value for accuracy, in double (the
// "shifted data" algorithm: Chan, Golub & LeVeque, "Algorithms for computing the sample
// variance: analysis and recommendations", The American Statistician 37(3), 1983).
inline void MomentCols(int64_t b, int64_t d, int64_t j0, int64_t w, float eps, const float* u, float* mu, float* is, float* lmu, float* lis) {
  double s1[kCols], s2[kCols];
  float k0[kCols];
  for (int64_t j = 0; j < w; j++) { k0[j] = u[j0 + j]; s1[j] = 0.0; s2[j] = 0.0; }
  for (int64_t i = 0; i < b; i++) {
    const float* __restrict ur = u + i * d + j0;
    for (int64_t j = 0; j < w; j++) { const double e = static_cast<double>(ur[j]) - k0[j]; s1[j] += e; s2[j] += e * e; }
  }
  const double invB = 1.0 / static_cast<double>(b);
  for (int64_t j = 0; j < w; j++) {
    const double m1 = s1[j] * invB;
    const double var = std::max(0.0, s2[j] * invB - m1 * m1);
    lmu[j] = mu[j0 + j] = static_cast<float>(k0[j] + m1);
    lis[j] = is[j0 + j] = static_cast<float>(1.0 / std::sqrt(var + static_cast<double>(eps)));
  }
}

// A block's output y = BN(u) (or u itself without BN, when y already is u) and, unless it is
// the last block, the next block's z = sign(y) as float (zf) and int8 (zs); for the last block
// with a target, r = target − ReLU?(y) and Σ r² per column into lossCol.
template <bool kBn, bool kLast>
void OutputCols(int64_t b, int64_t d, int64_t j0, int64_t w, const float* u, const float* lg, const float* lmu, const float* lis, const float* ls,
                float* y, float* zf, int8_t* zs, const float* target, float* r, bool relu, double* lossCol) {
  for (int64_t i = 0; i < b; i++) {
    const float* __restrict ur = u + i * d + j0;
    float* __restrict yr = y + i * d + j0;
    if constexpr (kBn) {
      for (int64_t j = 0; j < w; j++) yr[j] = lg[j] * ((ur[j] - lmu[j]) * lis[j]) + ls[j];
    }
    if constexpr (!kLast) {
      float* __restrict zr = zf + i * d + j0;
      int8_t* __restrict sr = zs + i * d + j0;
      for (int64_t j = 0; j < w; j++) {
        const float v = yr[j];
        const int32_t sgn = (v > 0.0f) - (v < 0.0f);
        zr[j] = static_cast<float>(sgn);
        sr[j] = static_cast<int8_t>(sgn);
      }
    } else if (target != nullptr) {
      const float* __restrict tr = target + i * d + j0;
      float* __restrict rr = r + i * d + j0;
      for (int64_t j = 0; j < w; j++) {
        const float v = yr[j];
        const float ri = tr[j] - (relu && !(v > 0.0f) ? 0.0f : v);
        rr[j] = ri;
        lossCol[j] += static_cast<double>(ri) * ri;
      }
    }
  }
}

// Backward through a block's BN for columns [j0, j0 + w): dδ = Σ g, dγ = Σ g⊙x̂ (x̂ recomputed
// from u as the forward computed it), du = γ/σ·(g − mean(g) − x̂·mean(g⊙x̂)) (Ioffe & Szegedy,
// "Batch Normalization", ICML 2015); without BN du = g. Also z as float (from the int8 signs)
// and Σ du⊙z per column into duz.
template <bool kBn>
void BackwardCols(int64_t b, int64_t d, int64_t j0, int64_t w, const float* g, const float* u, const float* mu, const float* is,
                  const float* gam, float* dg, float* ds, const int8_t* zs, float* du, float* zf, double* duz) {
  float lmu[kCols], lis[kCols], lgi[kCols], k1[kCols], k2[kCols];
  if constexpr (kBn) {
    double sg[kCols], sgx[kCols];
    for (int64_t j = 0; j < w; j++) { lmu[j] = mu[j0 + j]; lis[j] = is[j0 + j]; lgi[j] = gam[j0 + j] * is[j0 + j]; sg[j] = 0.0; sgx[j] = 0.0; }
    for (int64_t i = 0; i < b; i++) {
      const float* __restrict gr = g + i * d + j0;
      const float* __restrict ur = u + i * d + j0;
      for (int64_t j = 0; j < w; j++) {
        const float xh = (ur[j] - lmu[j]) * lis[j];
        sg[j] += gr[j];
        sgx[j] += static_cast<double>(gr[j]) * xh;
      }
    }
    const double invB = 1.0 / static_cast<double>(b);
    for (int64_t j = 0; j < w; j++) {
      ds[j0 + j] = static_cast<float>(sg[j]);
      dg[j0 + j] = static_cast<float>(sgx[j]);
      k1[j] = static_cast<float>(sg[j] * invB);
      k2[j] = static_cast<float>(sgx[j] * invB);
    }
  }
  for (int64_t j = 0; j < w; j++) duz[j] = 0.0;
  for (int64_t i = 0; i < b; i++) {
    const float* __restrict gr = g + i * d + j0;
    const int8_t* __restrict sr = zs + i * d + j0;
    float* __restrict dr = du + i * d + j0;
    float* __restrict zr = zf + i * d + j0;
    if constexpr (kBn) {
      const float* __restrict ur = u + i * d + j0;
      for (int64_t j = 0; j < w; j++) dr[j] = lgi[j] * (gr[j] - k1[j] - (ur[j] - lmu[j]) * lis[j] * k2[j]);
    } else {
      for (int64_t j = 0; j < w; j++) dr[j] = gr[j];
    }
    for (int64_t j = 0; j < w; j++) {
      const float z = static_cast<float>(sr[j]);
      zr[j] = z;
      duz[j] += static_cast<double>(dr[j]) * z;
    }
  }
}

// A decoder call's one argument, an options object, read into net (false: an exception is pending).
bool ReadCall(const Napi::CallbackInfo& info, const char* fn, Napi::Object* o, Net* net) {
  if (info.Length() != 1 || !info[0].IsObject()) return Fail(info.Env(), (std::string(fn) + ": expected one options object").c_str());
  *o = info[0].As<Napi::Object>();
  return ReadNet(*o, net);
}

#ifdef _OPENMP
inline int ThreadId() { return omp_get_thread_num(); }
inline int TeamSize() { return omp_get_num_threads(); }
inline int MaxThreads() { return omp_get_max_threads(); }
#else
inline int ThreadId() { return 0; }
inline int TeamSize() { return 1; }
inline int MaxThreads() { return 1; }
#endif

// The columns [c0, c1) thread `tid` of `nth` owns: contiguous, starting on multiples of 16
// floats (64 bytes).
inline void OwnCols(int64_t d, int tid, int nth, int64_t* c0, int64_t* c1) {
  const int64_t per = ((d + nth - 1) / nth + 15) / 16 * 16;
  *c0 = std::min(d, tid * per);
  *c1 = std::min(d, *c0 + per);
}

// The calling thread's share of a decoder call: its id in the team and the columns [c0, c1)
// (cw of them) it owns.
struct Share {
  explicit Share(int64_t d) : tid(ThreadId()) {
    OwnCols(d, tid, TeamSize(), &c0, &c1);
    cw = static_cast<int>(c1 - c0);
  }
  int tid, cw;
  int64_t c0, c1;
};

using xmlc::SerialBlas;  // xmlc_native.h

// A barrier for the team of one decoder call that spins (then yields) instead of sleeping:
// its waits are short (the threads' halves of a product are balanced), and OpenMP's barrier,
// with the passive wait policy the addon sets (see addon.ts), sleeps in the kernel and costs a
// wake-up each time.
class SpinBarrier {
 public:
  explicit SpinBarrier(int n) : n_(n) {}
  void Wait() {
    const int gen = gen_.load(std::memory_order_acquire);
    if (count_.fetch_add(1, std::memory_order_acq_rel) == n_ - 1) {
      count_.store(0, std::memory_order_relaxed);
      gen_.fetch_add(1, std::memory_order_acq_rel);
      return;
    }
    for (int spins = 0; gen_.load(std::memory_order_acquire) == gen; spins++) {
      if (spins < 20000) {
        _mm_pause();
      } else {
        std::this_thread::yield();  // the other thread lost its core: let it run
      }
    }
  }

 private:
  const int n_;
  std::atomic<int> count_{0}, gen_{0};
};

// The team's shared state for products whose inner dimension is d (src·Aᵀ, b × m): each thread
// multiplies its own columns, then every thread sums the partial products (in thread order, so
// every thread holds the same full product). Partials alternate between two sets, so a thread
// that runs ahead into the next product cannot overwrite a set another thread is still reading:
// one barrier per product.
class ColumnSplitProduct {
 public:
  ColumnSplitProduct(int nth, int64_t b, int64_t m) : nth_(nth), bm_(b * m), barrier_(nth), part_(static_cast<size_t>(2 * nth * b * m)),
      full_(static_cast<size_t>(nth * b * m)), scalar_(static_cast<size_t>(2 * nth), 0.0) {}
  // Called by every thread of the team, the k-th time with parity k % 2. `extra` is a per-thread
  // scalar summed the same way (returned through *extraSum).
  const float* Run(int tid, int parity, int64_t b, int64_t m, int64_t d, int64_t c0, int64_t c1, const float* src, const float* a,
                   double extra, double* extraSum) {
    float* mine = part_.data() + (parity * nth_ + tid) * bm_;
    if (c1 > c0) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(b), static_cast<int>(m), static_cast<int>(c1 - c0), 1.0f,
                  src + c0, static_cast<int>(d), a + c0, static_cast<int>(d), 0.0f, mine, static_cast<int>(m));
    } else {
      std::fill(mine, mine + bm_, 0.0f);
    }
    scalar_[static_cast<size_t>(parity * nth_ + tid)] = extra;
    barrier_.Wait();
    float* full = full_.data() + tid * bm_;
    const float* p0 = part_.data() + parity * nth_ * bm_;
    std::memcpy(full, p0, sizeof(float) * static_cast<size_t>(bm_));
    for (int k = 1; k < nth_; k++) {
      const float* pk = p0 + k * bm_;
      for (int64_t i = 0; i < bm_; i++) full[i] += pk[i];
    }
    double e = 0.0;
    for (int k = 0; k < nth_; k++) e += scalar_[static_cast<size_t>(parity * nth_ + k)];
    *extraSum = e;
    return full;
  }

 private:
  int nth_;
  int64_t bm_;
  SpinBarrier barrier_;
  std::vector<float> part_, full_;
  std::vector<double> scalar_;
};

}  // namespace l1ae

// l1aeDecoderForward({b, d, m, depth, beta, eps, a, gammas|null, shifts|null, x1, zs, p, u, mean,
//                     invstd, xb0, xb1, zf, out, target?, y?, r?, relu?}) -> Σ r² (or undefined)
// Blocks 1..T from x(1) (b × d, not modified) into `out`, keeping what the backward pass
// needs (zs, p and, with BN, u, mean, invstd). xb0, xb1, zf (b × d) are scratch. Loss mode,
// with `target` X (b × d): the encoder too, Y = X·Aᵀ into y (b × m) and x(1) = Y·A into x1
// (scratch then), and r = X − ReLU?(out) into r; returns Σ r².
//
// One OpenMP team runs the whole call; each thread owns a range of columns for every sweep and
// every product (see ColumnSplitProduct), so BN's per-column statistics never cross threads.
Napi::Value L1aeDecoderForward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o;
  l1ae::Net net;
  if (!l1ae::ReadCall(info, "l1aeDecoderForward", &o, &net)) return env.Undefined();
  const int64_t b = net.b, d = net.d, m = net.m, T = net.depth, n = b * d;
  const size_t N = static_cast<size_t>(n);
  float *x1, *xb[2], *zf, *out, *target, *r = nullptr, *y = nullptr;
  if (!l1ae::PropF32(o, "x1", &x1, N, false) || !l1ae::PropF32(o, "xb0", &xb[0], N, false) || !l1ae::PropF32(o, "xb1", &xb[1], N, false) ||
      !l1ae::PropF32(o, "zf", &zf, N, false) || !l1ae::PropF32(o, "out", &out, N, false) || !l1ae::PropF32(o, "target", &target, N, true) ||
      (target != nullptr && (!l1ae::PropF32(o, "r", &r, N, false) || !l1ae::PropF32(o, "y", &y, static_cast<size_t>(b * m), false))))
    return env.Undefined();
  const float eps = static_cast<float>(PropNum(o, "eps", 0.0));
  const bool relu = o.Get("relu").ToBoolean().Value();
  const bool bn = net.bn();
  if (net.shift.size() != net.gamma.size()) { Fail(env, "l1aeDecoderForward: 'gammas' and 'shifts' must both be given or both be null"); return env.Undefined(); }
  const float* a = net.a;
  const int nth = n >= kParallelMin ? l1ae::MaxThreads() : 1;
  l1ae::ColumnSplitProduct prod(nth, b, m);
  std::vector<double> lossPart(static_cast<size_t>(nth), 0.0);
  l1ae::SerialBlas serial;
#pragma omp parallel num_threads(nth)
  {
    const l1ae::Share me(d);
    const int tid = me.tid, cw = me.cw;
    const int64_t c0 = me.c0, c1 = me.c1;
    int parity = 0;
    double unused;
    if (target != nullptr) {
      // Y = X·Aᵀ, x(1) = Y·A (own columns).
      const float* yFull = prod.Run(tid, parity, b, m, d, c0, c1, target, a, 0.0, &unused);
      parity ^= 1;
      if (tid == 0) std::memcpy(y, yFull, sizeof(float) * static_cast<size_t>(b * m));
      if (cw > 0) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b, cw, m, 1.0f, yFull, m, a + c0, d, 0.0f, x1 + c0, d);
    }
    // z_1 = sign(x(1)).
    for (int64_t i = 0; i < b; i++) {
      const float* __restrict xr = x1 + i * d;
      float* __restrict zr = zf + i * d;
      int8_t* __restrict sr = net.zs + i * d;
      for (int64_t j = c0; j < c1; j++) {
        const int32_t sgn = (xr[j] > 0.0f) - (xr[j] < 0.0f);
        zr[j] = static_cast<float>(sgn);
        sr[j] = static_cast<int8_t>(sgn);
      }
    }
    double lossAcc = 0.0;
    for (int64_t t = 1; t <= T; t++) {
      const float c = net.beta / static_cast<float>(t);
      const bool last = t == T;
      const float* xin = t == 1 ? x1 : xb[t & 1];
      float* xout = last ? out : xb[(t + 1) & 1];
      int8_t* zNext = last ? nullptr : net.zs + t * n;
      // p = z·Aᵀ (kept for the backward pass); q = p·A lands where the sweep turns it into u
      // (BN) or straight into y (no BN).
      const float* pFull = prod.Run(tid, parity, b, m, d, c0, c1, zf, a, 0.0, &unused);
      parity ^= 1;
      if (tid == 0) std::memcpy(net.p + (t - 1) * b * m, pFull, sizeof(float) * static_cast<size_t>(b * m));
      float* q = bn ? net.u + (t - 1) * n : xout;
      if (cw > 0) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b, cw, m, 1.0f, pFull, m, a + c0, d, 0.0f, q + c0, d);
      const float* gam = bn ? net.gamma[t - 1] : nullptr;
      const float* sft = bn ? net.shift[t - 1] : nullptr;
      float* mu = bn ? net.mean + (t - 1) * d : nullptr;
      float* is = bn ? net.invstd + (t - 1) * d : nullptr;
      for (int64_t j0 = c0; j0 < c1; j0 += l1ae::kCols) {
        const int64_t w = std::min(c1, j0 + l1ae::kCols) - j0;
        float lg[l1ae::kCols], lmu[l1ae::kCols], lis[l1ae::kCols], ls[l1ae::kCols];
        double lossCol[l1ae::kCols];
        l1ae::StepCols(b, d, j0, w, c, xin, zf, q);  // u (or y without BN)
        if (bn) {
          l1ae::MomentCols(b, d, j0, w, eps, q, mu, is, lmu, lis);
          for (int64_t j = 0; j < w; j++) { lg[j] = gam[j0 + j]; ls[j] = sft[j0 + j]; }
        }
        for (int64_t j = 0; j < w; j++) lossCol[j] = 0.0;
        if (bn && last) l1ae::OutputCols<true, true>(b, d, j0, w, q, lg, lmu, lis, ls, xout, zf, zNext, target, r, relu, lossCol);
        else if (bn) l1ae::OutputCols<true, false>(b, d, j0, w, q, lg, lmu, lis, ls, xout, zf, zNext, target, r, relu, lossCol);
        else if (last) l1ae::OutputCols<false, true>(b, d, j0, w, q, lg, lmu, lis, ls, xout, zf, zNext, target, r, relu, lossCol);
        else l1ae::OutputCols<false, false>(b, d, j0, w, q, lg, lmu, lis, ls, xout, zf, zNext, target, r, relu, lossCol);
        for (int64_t j = 0; j < w; j++) lossAcc += lossCol[j];
      }
    }
    lossPart[static_cast<size_t>(tid)] = lossAcc;
  }
  if (target == nullptr) return env.Undefined();
  double loss = 0.0;
  for (const double v : lossPart) loss += v;  // thread order: the same sum on every run
  return Napi::Number::New(env, loss);
}

// l1aeDecodeRows({n, d, m, depth, beta, a, y, out, relu}) — the decoder without BN in inference
// mode: out = ReLU?(x(T+1)) for every row of the embeddings y (n × m), x(1) = y·A. The same
// blocks as l1aeDecoderForward (z = sign(x); x ← x − c·(z − (z·Aᵀ)·A), c = β/t), computed for
// prediction: nothing is kept for a backward pass, and instead of splitting every product's
// columns over a team (one barrier per product), each thread takes whole blocks of kRows rows
// (OpenBLAS single-threaded) and walks their columns in tiles of kTile: per tile, q = p·A_tile,
// the step, z = sign(x_tile), and the next p += z·A_tileᵀ, while the tile of A and the rows'
// tile of x are in L2. z is never stored (it is sign(x), recomputed). x lives in `out`. The
// row blocks are fixed (they do not depend on the thread count), so the result does not either;
// kRows is ROW_BLOCK of src/engine/row_block.ts.
Napi::Value L1aeDecodeRows(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsObject()) { Fail(env, "l1aeDecodeRows: expected one options object"); return env.Undefined(); }
  const Napi::Object o = info[0].As<Napi::Object>();
  const int64_t n = PropInt(o, "n"), d = PropInt(o, "d"), m = PropInt(o, "m"), T = PropInt(o, "depth");
  if (n < 0 || d < 1 || m < 1 || T < 0 || n > INT32_MAX || d > INT32_MAX || m > INT32_MAX) { Fail(env, "l1aeDecodeRows: need n >= 0, d, m >= 1, depth >= 0"); return env.Undefined(); }
  const float beta = static_cast<float>(PropNum(o, "beta", 0.0));
  const bool relu = o.Get("relu").ToBoolean().Value();
  float *a, *y, *out;
  if (!l1ae::PropF32(o, "a", &a, static_cast<size_t>(m * d), false) || !l1ae::PropF32(o, "y", &y, static_cast<size_t>(n * m), false) ||
      !l1ae::PropF32(o, "out", &out, static_cast<size_t>(n * d), false))
    return env.Undefined();
  constexpr int64_t kRows = 64, kTile = 512;
  const int64_t blocks = (n + kRows - 1) / kRows;
  const int nth = BlockThreads(blocks);
  l1ae::SerialBlas serial;
#pragma omp parallel num_threads(nth)
  {
    // Each thread's buffers outlive the call (prediction decodes block after block): fresh
    // memory would cost a page fault per 4 KB on every call. All are written before being read.
    thread_local std::vector<float> q, z, p, pNext, yPad, xPad;  // yPad, xPad: the last block's rows, padded to kRows
    q.resize(static_cast<size_t>(kRows * kTile));
    z.resize(static_cast<size_t>(kRows * kTile));
    p.resize(static_cast<size_t>(kRows * m));
    pNext.resize(static_cast<size_t>(kRows * m));
#pragma omp for schedule(dynamic, 1)
    for (int64_t blk = 0; blk < blocks; blk++) {
      // Every product has kRows rows: the last block is padded with zero rows, so that a row's
      // result does not depend on how many rows it was decoded with (BLAS kernels may sum in
      // another order for another shape) — a shard of a test set decodes as the whole set does.
      const int64_t r0 = blk * kRows, rows = std::min(kRows, n - r0), R = kRows;
      const bool padded = rows < kRows;
      if (padded) { yPad.resize(static_cast<size_t>(kRows * m)); xPad.resize(static_cast<size_t>(kRows * d)); }
      if (padded) {
        std::fill(yPad.begin(), yPad.end(), 0.0f);
        std::copy(y + r0 * m, y + (r0 + rows) * m, yPad.begin());
      }
      float* x = padded ? xPad.data() : out + r0 * d;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, R, d, m, 1.0f, padded ? yPad.data() : y + r0 * m, m, a, d, 0.0f, x, d);  // x(1) = y·A
      // p = sign(x(1))·Aᵀ, tile by tile.
      std::fill(pNext.begin(), pNext.end(), 0.0f);
      for (int64_t j0 = 0; j0 < d && T > 0; j0 += kTile) {
        const int64_t w = std::min(kTile, d - j0);
        for (int64_t i = 0; i < R; i++) {
          const float* __restrict xr = x + i * d + j0;
          float* __restrict zr = z.data() + i * w;
          for (int64_t j = 0; j < w; j++) zr[j] = static_cast<float>((xr[j] > 0.0f) - (xr[j] < 0.0f));
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, R, m, w, 1.0f, z.data(), w, a + j0, d, 1.0f, pNext.data(), m);
      }
      for (int64_t t = 1; t <= T; t++) {
        const float c = beta / static_cast<float>(t);
        const bool last = t == T;
        std::swap(p, pNext);
        if (!last) std::fill(pNext.begin(), pNext.end(), 0.0f);
        for (int64_t j0 = 0; j0 < d; j0 += kTile) {
          const int64_t w = std::min(kTile, d - j0);
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, R, w, m, 1.0f, p.data(), m, a + j0, d, 0.0f, q.data(), w);  // q = p·A_tile
          for (int64_t i = 0; i < R; i++) {
            float* __restrict xr = x + i * d + j0;
            const float* __restrict qr = q.data() + i * w;
            float* __restrict zr = z.data() + i * w;
            for (int64_t j = 0; j < w; j++) {
              const float zj = static_cast<float>((xr[j] > 0.0f) - (xr[j] < 0.0f));
              const float u = xr[j] - c * (zj - qr[j]);
              xr[j] = u;
              zr[j] = static_cast<float>((u > 0.0f) - (u < 0.0f));
            }
            if (last && relu) {
              for (int64_t j = 0; j < w; j++) xr[j] = xr[j] > 0.0f ? xr[j] : 0.0f;
            }
          }
          if (!last) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, R, m, w, 1.0f, z.data(), w, a + j0, d, 1.0f, pNext.data(), m);
        }
      }
      if (T == 0 && relu) {
        for (int64_t k = 0; k < R * d; k++) x[k] = x[k] > 0.0f ? x[k] : 0.0f;
      }
      if (padded) std::copy(xPad.begin(), xPad.begin() + rows * d, out + r0 * d);
    }
  }
  return env.Undefined();
}

// l1aeDecoderBackward({b, d, m, depth, beta, a, gammas|null, zs, p, u, mean, invstd (as the
//   forward left them), dy, g0, g1, zf (scratch), dx1, dA, dgammas|null, dshifts|null, y?, dY?,
//   accumulate?, x?, r?, out?, k?, relu?, dX?}) -> dβ
// From the gradient dy at the output of block T: the gradient at x(1) into dx1, the blocks'
// gradient of A into dA (overwritten, or added to with accumulate), BN's dγ_t, dδ_t; dY
// (b × m), if given, receives dx(1)·Aᵀ. Loss mode (x = X, r and out from the forward call, y =
// Y): dy is not read but computed from r and out (−k·r where the ReLU passes; k = 2/b times
// the upstream gradient), dA gets the encoder's Yᵀ·dx(1) + dYᵀ·X too, and dX (b × d) receives
// k·r + dY·A. Same thread layout as the forward call.
Napi::Value L1aeDecoderBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o;
  l1ae::Net net;
  if (!l1ae::ReadCall(info, "l1aeDecoderBackward", &o, &net)) return env.Undefined();
  const bool bn = net.bn();
  const int64_t b = net.b, d = net.d, m = net.m, T = net.depth, n = b * d;
  const size_t N = static_cast<size_t>(n), BM = static_cast<size_t>(b * m);
  float *dy, *gb[2], *zf, *dx1, *dA, *y, *dY, *x, *r = nullptr, *outv = nullptr, *dX = nullptr;
  std::vector<float*> dgam, dsft;
  if (!l1ae::PropF32(o, "dy", &dy, N, false) || !l1ae::PropF32(o, "g0", &gb[0], N, false) || !l1ae::PropF32(o, "g1", &gb[1], N, false) ||
      !l1ae::PropF32(o, "zf", &zf, N, false) || !l1ae::PropF32(o, "dx1", &dx1, N, false) || !l1ae::PropF32(o, "dA", &dA, static_cast<size_t>(m * d), false) ||
      !l1ae::PropF32(o, "y", &y, BM, true) || !l1ae::PropF32(o, "dY", &dY, BM, true) || !l1ae::PropF32(o, "x", &x, N, true) ||
      !l1ae::PropF32List(o, "dgammas", &dgam, bn ? static_cast<size_t>(T) : 0, static_cast<size_t>(d)) ||
      !l1ae::PropF32List(o, "dshifts", &dsft, bn ? static_cast<size_t>(T) : 0, static_cast<size_t>(d)))
    return env.Undefined();
  if (bn && (dgam.size() != static_cast<size_t>(T) || dsft.size() != static_cast<size_t>(T))) { Fail(env, "l1aeDecoderBackward: BN needs dgammas and dshifts"); return env.Undefined(); }
  const bool loss = x != nullptr;
  if (loss && (y == nullptr || !l1ae::PropF32(o, "r", &r, N, false) || !l1ae::PropF32(o, "out", &outv, N, false) || !l1ae::PropF32(o, "dX", &dX, N, false))) {
    if (!env.IsExceptionPending()) Fail(env, "l1aeDecoderBackward: loss mode (x given) needs y, r, out and dX");
    return env.Undefined();
  }
  const float k = static_cast<float>(PropNum(o, "k", 0.0));
  const bool relu = o.Get("relu").ToBoolean().Value();
  const bool accumulate = o.Get("accumulate").ToBoolean().Value();
  const float* a = net.a;
  const int nth = n >= kParallelMin ? l1ae::MaxThreads() : 1;
  l1ae::ColumnSplitProduct prod(nth, b, m);
  std::vector<float> lbufs(static_cast<size_t>(nth) * BM);
  double dBeta = 0.0;
  l1ae::SerialBlas serial;
#pragma omp parallel num_threads(nth)
  {
    const l1ae::Share me(d);
    const int tid = me.tid, cw = me.cw;
    const int64_t c0 = me.c0, c1 = me.c1;
    float* lbuf = lbufs.data() + tid * BM;
    int parity = 0;
    if (loss) {
      // d loss / d out = −k·r through the ReLU; d loss / d X = k·r directly.
      for (int64_t i = 0; i < b; i++) {
        const float* __restrict rr = r + i * d;
        const float* __restrict orow = outv + i * d;
        float* __restrict xr = dX + i * d;
        float* __restrict gr = dy + i * d;
        for (int64_t j = c0; j < c1; j++) {
          const float v = k * rr[j];
          xr[j] = v;
          gr[j] = relu && !(orow[j] > 0.0f) ? 0.0f : -v;
        }
      }
    }
    const float* g = dy;
    const float* dp0 = nullptr;
    for (int64_t t = T; t >= 1; t--) {
      const float c = net.beta / static_cast<float>(t);
      float* du = t == 1 ? dx1 : gb[t & 1];  // never g: g is dy or the other buffer
      const int8_t* zt = net.zs + (t - 1) * n;
      const float* ut = bn ? net.u + (t - 1) * n : nullptr;
      const float* mu = bn ? net.mean + (t - 1) * d : nullptr;
      const float* is = bn ? net.invstd + (t - 1) * d : nullptr;
      const float* gam = bn ? net.gamma[t - 1] : nullptr;
      float* dg = bn ? dgam[t - 1] : nullptr;
      float* ds = bn ? dsft[t - 1] : nullptr;
      // du through BN, z as float for the products, Σ du⊙z (own columns).
      double duz = 0.0;
      for (int64_t j0 = c0; j0 < c1; j0 += l1ae::kCols) {
        const int64_t w = std::min(c1, j0 + l1ae::kCols) - j0;
        double duzCol[l1ae::kCols];
        if (bn) l1ae::BackwardCols<true>(b, d, j0, w, g, ut, mu, is, gam, dg, ds, zt, du, zf, duzCol);
        else l1ae::BackwardCols<false>(b, d, j0, w, g, ut, mu, is, gam, dg, ds, zt, du, zf, duzCol);
        for (int64_t j = 0; j < w; j++) duz += duzCol[j];
      }
      // dp0 = du·Aᵀ; dc = −Σ du⊙z + Σ p⊙dp0; dβ = Σ_t dc_t / t.
      double duzAll;
      dp0 = prod.Run(tid, parity, b, m, d, c0, c1, du, a, duz, &duzAll);
      parity ^= 1;
      const float* pt = net.p + (t - 1) * b * m;
      if (tid == 0) {
        double pdp = 0.0;
        for (int64_t i = 0; i < b * m; i++) pdp += static_cast<double>(pt[i]) * dp0[i];
        dBeta += (pdp - duzAll) / static_cast<double>(t);
        if (t == 1 && dY != nullptr) std::memcpy(dY, dp0, sizeof(float) * BM);
      }
      // dA += (c·p (+ Y for block 1))ᵀ·du + c·dp0ᵀ·z (own columns).
      for (int64_t i = 0; i < b * m; i++) lbuf[i] = c * pt[i] + (t == 1 && y != nullptr ? y[i] : 0.0f);
      if (cw > 0) {
        const float first = (t == T && !accumulate) ? 0.0f : 1.0f;
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, cw, b, 1.0f, lbuf, m, du + c0, d, first, dA + c0, d);
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, cw, b, c, dp0, m, zf + c0, d, 1.0f, dA + c0, d);
      }
      g = du;
    }
    if (loss && cw > 0) {
      // The encoder: dY = dx(1)·Aᵀ (dp0 of block 1); dA += dYᵀ·X, dX += dY·A.
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, cw, b, 1.0f, dp0, m, x + c0, d, 1.0f, dA + c0, d);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b, cw, m, 1.0f, dp0, m, a + c0, d, 1.0f, dX + c0, d);
    }
  }
  return Napi::Number::New(env, dBeta);
}

}  // namespace

void RegisterL1aeFused(Napi::Env env, Napi::Object exports) {
  exports.Set("l1aeDecoderForward", Napi::Function::New(env, L1aeDecoderForward));
  exports.Set("l1aeDecoderBackward", Napi::Function::New(env, L1aeDecoderBackward));
  exports.Set("l1aeDecodeRows", Napi::Function::New(env, L1aeDecodeRows));
}

}  // namespace xmlc
