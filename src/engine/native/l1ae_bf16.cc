// The ℓ1-AE's inference decoder (l1aeDecodeRows of l1ae_fused.cc) with its two products per
// block on bfloat16 operands: q = p·A and p = z·Aᵀ, as AVX512-BF16 dot products (vdpbf16ps:
// two bf16 products added into each float32 lane), twice the multiply-adds per instruction of
// float32 FMA. z = sign(x) is exact in bf16; A is rounded once (to nearest even; 8 significant
// bits) and p once per block; every sum, x, the step and the output stay float32. Everything
// else — the row blocks, the column tiles, x(1) = y·A in float32 sgemm, the step, the ReLU — is
// l1aeDecodeRows'. Compiled only where the compiler targets AVX512-BF16 (-march=native on such
// a CPU); elsewhere the functions are not exported and src/encoders/l1ae.ts keeps float32.
#include "xmlc_native.h"

namespace xmlc {

#if defined(__AVX512BF16__) && defined(__AVX512F__)

namespace {

constexpr int64_t kRows = 64, kTile = 512;  // as l1aeDecodeRows
constexpr int64_t kSub = 16;                // rows stepped together (a multiple of 4, dividing kRows)

// float32 → bfloat16, round to nearest even (finite inputs).
inline uint16_t Bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return static_cast<uint16_t>((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

// C (M × 16·nv, ldc floats) (+)= L·B for M a multiple of 4: L's rows are bf16 pairs (ldl pairs a
// row, K2 used), B is packed [K2][ldb][2] bf16 (the pair of rows 2kp, 2kp+1 of the right
// operand, interleaved per column). Each call does 4 rows × NV column vectors (16 floats each).
template <int NV>
inline void Tile4(int64_t K2, const uint32_t* __restrict l, int64_t ldl, const uint16_t* __restrict b, int64_t ldb, float* __restrict c, int64_t ldc, bool acc) {
  __m512 s[4][NV];
  for (int r = 0; r < 4; r++)
    for (int v = 0; v < NV; v++) s[r][v] = acc ? _mm512_loadu_ps(c + r * ldc + v * 16) : _mm512_setzero_ps();
  for (int64_t kp = 0; kp < K2; kp++) {
    __m512bh bv[NV];
    for (int v = 0; v < NV; v++) bv[v] = (__m512bh)_mm512_loadu_si512(b + (kp * ldb + v * 16) * 2);
    for (int r = 0; r < 4; r++) {
      const __m512bh a = (__m512bh)_mm512_set1_epi32(static_cast<int>(l[r * ldl + kp]));
      for (int v = 0; v < NV; v++) s[r][v] = _mm512_dpbf16_ps(s[r][v], a, bv[v]);
    }
  }
  for (int r = 0; r < 4; r++)
    for (int v = 0; v < NV; v++) _mm512_storeu_ps(c + r * ldc + v * 16, s[r][v]);
}

// C (M × 16·nVec) (+)= L·B, rows in fours, columns in groups of four vectors.
void GemmBf16(int64_t M, int64_t nVec, int64_t K2, const uint32_t* l, int64_t ldl, const uint16_t* b, int64_t ldb, float* c, int64_t ldc, bool acc) {
  for (int64_t r = 0; r < M; r += 4) {
    const uint32_t* lr = l + r * ldl;
    float* cr = c + r * ldc;
    int64_t v = 0;
    for (; v + 4 <= nVec; v += 4) Tile4<4>(K2, lr, ldl, b + v * 32, ldb, cr + v * 16, ldc, acc);
    switch (nVec - v) {
      case 3: Tile4<3>(K2, lr, ldl, b + v * 32, ldb, cr + v * 16, ldc, acc); break;
      case 2: Tile4<2>(K2, lr, ldl, b + v * 32, ldb, cr + v * 16, ldc, acc); break;
      case 1: Tile4<1>(K2, lr, ldl, b + v * 32, ldb, cr + v * 16, ldc, acc); break;
      default: break;
    }
  }
}

inline int64_t RoundUp(int64_t v, int64_t to) { return (v + to - 1) / to * to; }

// l1aePackBf16(a, m, d, outA, outAt): A (m × d float32) as the two packed bf16 operands of
// l1aeDecodeRowsBf16 — outA [ceil(m/2)][d16][2] (right operand of p·A; d16 = d rounded up to
// 16) and outAt [ceil(d/2)][m16][2] (right operand of z·Aᵀ; m16 = m rounded up to 16), zero
// where the padding is. Sizes: ceil(m/2)·d16·2 and ceil(d/2)·m16·2 uint16 values.
Napi::Value L1aePackBf16(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  float* a = nullptr;
  size_t la = 0;
  if (info.Length() != 5 || !F32(info, 0, &a, &la)) { Fail(env, "l1aePackBf16: expected (a, m, d, outA, outAt)"); return env.Undefined(); }
  const int64_t m = Int(info, 1), d = Int(info, 2);
  if (m < 1 || d < 1 || static_cast<int64_t>(la) < m * d || !info[3].IsTypedArray() || !info[4].IsTypedArray() ||
      info[3].As<Napi::TypedArray>().TypedArrayType() != napi_uint16_array || info[4].As<Napi::TypedArray>().TypedArrayType() != napi_uint16_array) {
    Fail(env, "l1aePackBf16: sizes or array types do not match");
    return env.Undefined();
  }
  Napi::Uint16Array pa = info[3].As<Napi::Uint16Array>(), pt = info[4].As<Napi::Uint16Array>();
  const int64_t m2 = (m + 1) / 2, d2 = (d + 1) / 2, d16 = RoundUp(d, 16), m16 = RoundUp(m, 16);
  if (static_cast<int64_t>(pa.ElementLength()) < m2 * d16 * 2 || static_cast<int64_t>(pt.ElementLength()) < d2 * m16 * 2) {
    Fail(env, "l1aePackBf16: output arrays too short");
    return env.Undefined();
  }
  uint16_t* A = pa.Data();
  uint16_t* At = pt.Data();
  std::fill(A, A + m2 * d16 * 2, static_cast<uint16_t>(0));
  std::fill(At, At + d2 * m16 * 2, static_cast<uint16_t>(0));
  for (int64_t k = 0; k < m; k++)
    for (int64_t j = 0; j < d; j++) {
      const uint16_t v = Bf16(a[k * d + j]);
      A[((k / 2) * d16 + j) * 2 + (k % 2)] = v;
      At[((j / 2) * m16 + k) * 2 + (j % 2)] = v;
    }
  return env.Undefined();
}

// l1aeDecodeRowsBf16({n, d, m, depth, beta, a, pa, pt, y, out, relu}): l1aeDecodeRows (same
// arguments and output) with the block products on the bf16 operands pa, pt of l1aePackBf16(a).
Napi::Value L1aeDecodeRowsBf16(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsObject()) { Fail(env, "l1aeDecodeRowsBf16: expected one options object"); return env.Undefined(); }
  const Napi::Object o = info[0].As<Napi::Object>();
  const int64_t n = PropInt(o, "n"), d = PropInt(o, "d"), m = PropInt(o, "m"), T = PropInt(o, "depth");
  if (n < 0 || d < 1 || m < 1 || T < 0 || n > INT32_MAX || d > INT32_MAX || m > INT32_MAX) { Fail(env, "l1aeDecodeRowsBf16: need n >= 0, d, m >= 1, depth >= 0"); return env.Undefined(); }
  const float beta = static_cast<float>(PropNum(o, "beta", 0.0));
  const bool relu = o.Get("relu").ToBoolean().Value();
  const int64_t m2 = (m + 1) / 2, d2 = (d + 1) / 2, d16 = RoundUp(d, 16), m16 = RoundUp(m, 16);
  constexpr const char* kWho = "l1aeDecodeRowsBf16";
  float *a = nullptr, *y = nullptr, *out = nullptr;
  uint16_t *pa = nullptr, *pt = nullptr;
  size_t la = 0, ly = 0, lo = 0, lpa = 0, lpt = 0;
  if (!PropArray<float, napi_float32_array>(o, kWho, "a", "Float32Array", &a, &la) || !PropArray<float, napi_float32_array>(o, kWho, "y", "Float32Array", &y, &ly) ||
      !PropArray<float, napi_float32_array>(o, kWho, "out", "Float32Array", &out, &lo) || !PropArray<uint16_t, napi_uint16_array>(o, kWho, "pa", "Uint16Array", &pa, &lpa) ||
      !PropArray<uint16_t, napi_uint16_array>(o, kWho, "pt", "Uint16Array", &pt, &lpt))
    return env.Undefined();
  if (static_cast<int64_t>(la) < m * d || static_cast<int64_t>(ly) < n * m || static_cast<int64_t>(lo) < n * d || static_cast<int64_t>(lpa) < m2 * d16 * 2 || static_cast<int64_t>(lpt) < d2 * m16 * 2) {
    Fail(env, "l1aeDecodeRowsBf16: arrays too short for the given sizes");
    return env.Undefined();
  }
  const int64_t blocks = (n + kRows - 1) / kRows;
  const int nth = BlockThreads(blocks);
  const SerialBlas serial;  // the threads' products run on one OpenBLAS thread each
#pragma omp parallel num_threads(nth)
  {
    // Kept from call to call (prediction decodes block after block; see l1aeDecodeRows).
    thread_local std::vector<float> q, p, yPad, xPad;
    thread_local std::vector<uint16_t> zb, pb;
    q.resize(static_cast<size_t>(kSub * kTile));
    p.resize(static_cast<size_t>(kSub * m16));
    zb.resize(static_cast<size_t>(kSub * kTile));
    pb.resize(static_cast<size_t>(kSub * m2 * 2));
    const uint32_t* zl = reinterpret_cast<const uint32_t*>(zb.data());
    const uint32_t* pl = reinterpret_cast<const uint32_t*>(pb.data());
#pragma omp for schedule(dynamic, 1)
    for (int64_t blk = 0; blk < blocks; blk++) {
      const int64_t r0 = blk * kRows, rows = std::min(kRows, n - r0), R = kRows;
      const bool padded = rows < kRows;
      if (padded) {
        yPad.assign(static_cast<size_t>(kRows * m), 0.0f);
        xPad.resize(static_cast<size_t>(kRows * d));
        std::copy(y + r0 * m, y + (r0 + rows) * m, yPad.begin());
      }
      float* x = padded ? xPad.data() : out + r0 * d;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, R, d, m, 1.0f, padded ? yPad.data() : y + r0 * m, m, a, d, 0.0f, x, d);  // x(1) = y·A
      // The steps run on sub-blocks of kSub rows: a sub-block's x (kSub × d) is swept T times and
      // stays in the cache where a whole block's (64 × d; 7.9 MB at Wiki10-31K's 30,938 labels)
      // would not. Rows do not interact, so this changes no result.
      for (int64_t sb = 0; sb < rows; sb += kSub) {
      float* const xs = x + sb * d;
      const int64_t RS = kSub;
      // z as bf16 pairs for the tile [j0, j0 + w): row i at zb + i·w2 (w2 = w rounded up to even).
      auto signTile = [&](int64_t j0, int64_t w) {
        const int64_t w2 = RoundUp(w, 2);
        for (int64_t i = 0; i < RS; i++) {
          const float* __restrict xr = xs + i * d + j0;
          uint16_t* __restrict zr = zb.data() + i * w2;
          for (int64_t j = 0; j < w; j++) zr[j] = xr[j] > 0.0f ? 0x3F80 : (xr[j] < 0.0f ? 0xBF80 : 0);
          if (w2 > w) zr[w] = 0;
        }
        return w2;
      };
      // p = z(1)·Aᵀ over the tiles (pt's rows of pairs j0/2 …).
      std::fill(p.begin(), p.end(), 0.0f);
      for (int64_t j0 = 0; j0 < d && T > 0; j0 += kTile) {
        const int64_t w = std::min(kTile, d - j0), w2 = signTile(j0, w);
        GemmBf16(RS, m16 / 16, w2 / 2, zl, w2 / 2, pt + (j0 / 2) * m16 * 2, m16, p.data(), m16, true);
      }
      for (int64_t t = 1; t <= T; t++) {
        const float c = beta / static_cast<float>(t);
        const bool last = t == T;
        // This step's p in bf16 pairs (m2 pairs a row), then p is zeroed to collect the next one.
        for (int64_t i = 0; i < RS; i++) {
          for (int64_t k = 0; k < m; k++) pb[static_cast<size_t>(i * m2 * 2 + k)] = Bf16(p[static_cast<size_t>(i * m16 + k)]);
          if (m2 * 2 > m) pb[static_cast<size_t>(i * m2 * 2 + m)] = 0;
        }
        if (!last) std::fill(p.begin(), p.end(), 0.0f);
        for (int64_t j0 = 0; j0 < d; j0 += kTile) {
          const int64_t w = std::min(kTile, d - j0), w16 = RoundUp(w, 16);
          GemmBf16(RS, w16 / 16, m2, pl, m2, pa + j0 * 2, d16, q.data(), kTile, false);  // q = p·A_tile
          for (int64_t i = 0; i < RS; i++) {
            float* __restrict xr = xs + i * d + j0;
            const float* __restrict qr = q.data() + i * kTile;
            for (int64_t j = 0; j < w; j++) {
              const float zj = static_cast<float>((xr[j] > 0.0f) - (xr[j] < 0.0f));
              xr[j] = xr[j] - c * (zj - qr[j]);
            }
            if (last && relu) {
              for (int64_t j = 0; j < w; j++) xr[j] = xr[j] > 0.0f ? xr[j] : 0.0f;
            }
          }
          if (!last) {
            const int64_t w2 = signTile(j0, w);
            GemmBf16(RS, m16 / 16, w2 / 2, zl, w2 / 2, pt + (j0 / 2) * m16 * 2, m16, p.data(), m16, true);
          }
        }
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

}  // namespace

void RegisterL1aeBf16(Napi::Env env, Napi::Object exports) {
  exports.Set("l1aePackBf16", Napi::Function::New(env, L1aePackBf16));
  exports.Set("l1aeDecodeRowsBf16", Napi::Function::New(env, L1aeDecodeRowsBf16));
}

#else

void RegisterL1aeBf16(Napi::Env, Napi::Object) {}

#endif

}  // namespace xmlc
