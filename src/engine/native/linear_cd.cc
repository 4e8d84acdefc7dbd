// One-vs-rest dual coordinate descent (issue 18), for src/linear/ovr.ts: a chunk of labels
// [l0, l1) trained in one call, OpenMP-parallel over the labels (each thread with its own weight
// vector and dual variables). The solvers are src/linear/dual_cd.ts's, step for step — the
// logistic dual CD of Yu, Huang & Lin ("Dual coordinate descent methods for logistic regression
// and maximum entropy models", Machine Learning 85, 2011, Algorithm 3) and the squared-hinge dual
// CD with shrinking of Hsieh, Chang, Lin, Keerthi & Sundararajan ("A dual coordinate descent method
// for large-scale linear SVM", ICML 2008, Algorithm 3) — with the coordinate order drawn from the
// same generator as src/util/rng.ts (splitmix32 seeding into xoshiro128**, Blackman & Vigna 2018)
// and the same float64 operations in the same order, so that a label's weights are those of the
// JavaScript solver up to the last bit of `log` (glibc's and V8's may differ there).
#include "xmlc_native.h"

#include <exception>

// No fused multiply-add anywhere in this file: every product and sum must round as JavaScript's do.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

namespace xmlc {

namespace {

// src/util/rng.ts's Rng, in uint32 arithmetic: the same seed gives the same numbers.
class Rng {
 public:
  explicit Rng(uint32_t seed) {
    uint32_t x = seed ^ 0x9e3779b9u;
    auto next = [&x]() {
      x += 0x9e3779b9u;
      uint32_t z = x;
      z = (z ^ (z >> 16)) * 0x85ebca6bu;
      z = (z ^ (z >> 13)) * 0xc2b2ae35u;
      return z ^ (z >> 16);
    };
    s0_ = next(); s1_ = next(); s2_ = next(); s3_ = next();
    if ((s0_ | s1_ | s2_ | s3_) == 0) s0_ = 1;
  }
  uint32_t NextUint32() {
    const uint32_t result = Rotl(s1_ * 5u, 7) * 9u;
    const uint32_t t = s1_ << 9;
    s2_ ^= s0_; s3_ ^= s1_; s1_ ^= s2_; s0_ ^= s3_;
    s2_ ^= t;
    s3_ = Rotl(s3_, 11);
    return result;
  }
  // Uniform in [0, 1) with 53 random bits (the high word first, as Rng.next()).
  double Next() {
    const uint32_t hi = NextUint32() >> 5;
    const uint32_t lo = NextUint32() >> 6;
    return (static_cast<double>(hi) * 67108864.0 + static_cast<double>(lo)) / 9007199254740992.0;
  }
  // floor(next()·n), as Rng.int(n).
  int64_t Int(int64_t n) { return static_cast<int64_t>(std::floor(Next() * static_cast<double>(n))); }

 private:
  static uint32_t Rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
  uint32_t s0_, s1_, s2_, s3_;
};

// Math.max / Math.min: NaN wins, and +0 is above −0.
inline double JsMax(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return NAN;
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}
inline double JsMin(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return NAN;
  if (a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

// The features of one fit (the bias column already appended): n rows, `cols` columns, and ‖x_i‖².
struct Rows {
  const int32_t* rowPtr;
  const int32_t* indices;
  const float* values;
  const double* sqNorms;
  int64_t n, cols;

  double Dot(int64_t i, const double* w) const {
    double s = 0;
    for (int32_t p = rowPtr[i], e = rowPtr[i + 1]; p < e; p++) s += w[indices[p]] * static_cast<double>(values[p]);
    return s;
  }
  void Axpy(int64_t i, double a, double* w) const {
    for (int32_t p = rowPtr[i], e = rowPtr[i + 1]; p < e; p++) w[indices[p]] += a * static_cast<double>(values[p]);
  }
};

struct Settings {
  double c, eps;
  int64_t maxIterations;
};

// One thread's buffers, reused for every label it trains.
struct Work {
  std::vector<double> w, alpha, qd;
  std::vector<int32_t> index;
  std::vector<int8_t> y;
};

struct Outcome {
  int64_t iterations = 0;
  bool converged = false;
};

// A uniformly random permutation of index[0 .. size) in place (Fisher–Yates), as dual_cd.ts's shufflePrefix.
void ShufflePrefix(int32_t* index, int64_t size, Rng* rng) {
  for (int64_t i = 0; i < size - 1; i++) {
    const int64_t j = i + rng->Int(size - i);
    const int32_t t = index[i]; index[i] = index[j]; index[j] = t;
  }
}

// The rows one label is trained on: rows[0 .. m) in ascending order, or every row (rows null, m = n).
struct Subset {
  const int32_t* rows;
  int64_t m;
  int32_t At(int64_t k) const { return rows ? rows[k] : static_cast<int32_t>(k); }
};

// dual_cd.ts logisticDualCd (without the dual objective): w and the dual variables in `work`, over the rows `sub`.
Outcome LogisticDualCd(const Rows& x, const Subset& sub, const Settings& s, uint32_t seed, Work* work) {
  const int64_t n = sub.m;
  const double c = s.c;
  const int8_t* y = work->y.data();
  double* w = work->w.data();
  std::fill(work->w.begin(), work->w.end(), 0.0);
  // alpha[2i] = α_i and alpha[2i + 1] = C − α_i, both kept so that either can be tiny exactly.
  double* alpha = work->alpha.data();
  int32_t* index = work->index.data();
  const double a0 = JsMin(0.001 * c, 1e-8);
  for (int64_t k = 0; k < n; k++) {
    const int32_t i = sub.At(k);
    alpha[2 * i] = a0;
    alpha[2 * i + 1] = c - a0;
    x.Axpy(i, y[i] > 0 ? a0 : -a0, w);
    index[k] = i;
  }
  Rng rng(seed);
  const int64_t maxInner = 100;
  const double shrinkNewton = 0.1;
  const double innerEpsMin = JsMin(1e-8, s.eps);
  double innerEps = 1e-2;
  Outcome out;
  while (out.iterations < s.maxIterations) {
    ShufflePrefix(index, n, &rng);
    int64_t newtonSteps = 0;
    double gMax = 0;
    for (int64_t k = 0; k < n; k++) {
      const int64_t i = index[k];
      const double yi = y[i] > 0 ? 1 : -1;
      const double a = x.sqNorms[i], b = yi * x.Dot(i, w);
      // The sub-problem in z = α_i (sign +1) or in z = C − α_i (sign −1), whichever has its minimum in (0, C/2].
      int64_t i1 = 2 * i, i2 = 2 * i + 1;
      double sign = 1;
      if (0.5 * a * (alpha[i2] - alpha[i1]) + b < 0) { i1 = 2 * i + 1; i2 = 2 * i; sign = -1; }
      const double z0 = alpha[i1], other = alpha[i2];
      double z = z0;
      if (c - z < 0.5 * c) z *= 0.1;
      // log is a third of the cost, so two shortcuts that leave every value as it was: gMax only
      // decides `gMax < eps`, so once it is not below eps (or NaN) this pass's later terms cannot
      // change that; and when the Newton start is z0 with C − z0 = the stored C − α, the start's
      // log is the stopping measure's, computed once.
      const double logStart = std::log(z / (c - z));
      if (gMax < s.eps) gMax = JsMax(gMax, std::fabs(sign * b + (z == z0 && c - z == other ? logStart : std::log(z0 / other))));
      double gp = a * (z - z0) + sign * b + logStart;
      int64_t inner = 0;
      while (inner <= maxInner && std::fabs(gp) >= innerEps) {
        const double gpp = a + c / ((c - z) * z);
        const double t = z - gp / gpp;
        if (t <= 0) z *= shrinkNewton;
        else if (t >= c) z = 0.5 * (z + c);
        else z = t;
        gp = a * (z - z0) + sign * b + std::log(z / (c - z));
        inner++;
      }
      newtonSteps += inner;
      if (inner > 0) {
        alpha[i1] = z;
        alpha[i2] = c - z;
        x.Axpy(i, sign * (z - z0) * yi, w);
      }
    }
    out.iterations++;
    if (gMax < s.eps) { out.converged = true; break; }
    if (static_cast<double>(newtonSteps) <= static_cast<double>(n) / 10) innerEps = JsMax(innerEpsMin, 0.1 * innerEps);
  }
  return out;
}

// dual_cd.ts squaredHingeDualCd (without the dual objective), shrinking included, over the rows `sub`.
Outcome SquaredHingeDualCd(const Rows& x, const Subset& sub, const Settings& s, uint32_t seed, Work* work) {
  const int64_t n = sub.m;
  const double diag = 0.5 / s.c;
  const int8_t* y = work->y.data();
  double* w = work->w.data();
  std::fill(work->w.begin(), work->w.end(), 0.0);
  double* alpha = work->alpha.data();
  double* qd = work->qd.data();
  int32_t* index = work->index.data();
  for (int64_t k = 0; k < n; k++) {
    const int32_t i = sub.At(k);
    alpha[i] = 0;
    index[k] = i;
    qd[i] = x.sqNorms[i] + diag;
  }
  Rng rng(seed);
  int64_t active = n;
  double pgMaxOld = INFINITY;
  Outcome out;
  while (out.iterations < s.maxIterations) {
    double pgMax = -INFINITY, pgMin = INFINITY;
    ShufflePrefix(index, active, &rng);
    for (int64_t k = 0; k < active; k++) {
      const int64_t i = index[k];
      const double yi = y[i] > 0 ? 1 : -1;
      const double ai = alpha[i];
      const double g = yi * x.Dot(i, w) - 1 + ai * diag;
      double pg = g;
      if (ai == 0) {
        if (g > pgMaxOld) {
          active--;
          index[k] = index[active]; index[active] = static_cast<int32_t>(i);
          k--;
          continue;
        }
        if (g > 0) pg = 0;
      }
      pgMax = JsMax(pgMax, pg);
      pgMin = JsMin(pgMin, pg);
      if (std::fabs(pg) > 1e-12) {
        const double next = JsMax(ai - g / qd[i], 0);
        alpha[i] = next;
        x.Axpy(i, (next - ai) * yi, w);
      }
    }
    out.iterations++;
    if (pgMax == -INFINITY) pgMax = pgMin = 0;
    if (pgMax - pgMin <= s.eps && std::fabs(pgMax) <= s.eps && std::fabs(pgMin) <= s.eps) {
      if (active == n) { out.converged = true; break; }
      active = n;
      pgMaxOld = INFINITY;
      continue;
    }
    pgMaxOld = pgMax <= 0 ? INFINITY : pgMax;
  }
  return out;
}

// What one label leaves: as ovr.ts's sparsify and bias weight.
struct LabelOut {
  int32_t positives = 0, iterations = 0;
  bool converged = true;
  double biasWeight = 0;
  std::vector<int32_t> indices;
  std::vector<float> values;
};

// ovrTrainChunk's typed-array arguments (xmlc_native.h's PropArray, the errors naming the call).
template <typename T, napi_typedarray_type kType>
bool Prop(const Napi::Object& o, const char* key, const char* kind, T** data, size_t* len) {
  return PropArray<T, kType>(o, "ovrTrainChunk", key, kind, data, len);
}

// A number argument ovrTrainChunk needs: an error naming it when it is not a number.
bool RequiredNum(const Napi::Object& o, const char* key, double* out) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) {
    const std::string msg = std::string("ovrTrainChunk: '") + key + "' must be a number";
    return Fail(o.Env(), msg.c_str());
  }
  *out = v.As<Napi::Number>().DoubleValue();
  return true;
}

bool RangeFail(const Napi::Env& env, const char* msg) {
  Napi::RangeError::New(env, msg).ThrowAsJavaScriptException();
  return false;
}

// Whether a CSR structure is sound: rowPtr of `rows` + 1 non-decreasing entries from 0 within
// the `nnz` entries, every index in [0, cols).
bool SoundCsr(const int32_t* rowPtr, size_t lPtr, const int32_t* indices, size_t nnz, int64_t rows, int64_t cols) {
  if (static_cast<int64_t>(lPtr) != rows + 1 || rowPtr[0] != 0) return false;
  for (int64_t i = 0; i < rows; i++) if (rowPtr[i + 1] < rowPtr[i]) return false;
  if (static_cast<size_t>(rowPtr[rows]) > nnz) return false;
  for (int32_t p = 0; p < rowPtr[rows]; p++) if (indices[p] < 0 || indices[p] >= cols) return false;
  return true;
}

// ovrTrainChunk({ rowPtr, indices, values, sqNorms, nFeatures, bias, labelPtr, labelPoints,
//   labelValues, l0, l1, seeds, logistic, c, eps, maxIterations, pruneBelow[, subsetPtr, subsetRows] }) →
//   { positives, iterations, converged, biasWeights, offsets, indices, values }
// X is n × (nFeatures + bias) CSR (the constant column last when `bias`), sqNorms its ‖x_i‖²; the
// labels' points are the rows l of the transposed label matrix (labelPtr, labelPoints, labelValues:
// a point is a positive when its value is not 0). Label l0 + k is trained with seeds[k]; labels
// without positives are not trained. Label l0 + k's kept weights (|w_j| ≥ pruneBelow and non-zero
// in float32, j < nFeatures) are indices/values[offsets[k] .. offsets[k + 1]). With subsetPtr/subsetRows
// (a CSR of all labels × n), label l is trained on the rows subsetRows[subsetPtr[l] .. subsetPtr[l + 1]) only.
Napi::Value OvrTrainChunk(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsObject()) return Fail(env, "ovrTrainChunk: expected one options object"), env.Undefined();
  const Napi::Object o = info[0].As<Napi::Object>();
  int32_t *rowPtr, *indices, *labelPtr, *labelPoints;
  float *values, *labelValues;
  double *sqNorms;
  uint32_t* seeds;
  size_t lPtr, lIdx, lVal, lSq, lLabPtr, lLabPts, lLabVal, lSeeds;
  double nFeaturesD, l0D, l1D, c, eps, maxIterationsD, pruneBelow;
  if (!Prop<int32_t, napi_int32_array>(o, "rowPtr", "Int32Array", &rowPtr, &lPtr) ||
      !Prop<int32_t, napi_int32_array>(o, "indices", "Int32Array", &indices, &lIdx) ||
      !Prop<float, napi_float32_array>(o, "values", "Float32Array", &values, &lVal) ||
      !Prop<double, napi_float64_array>(o, "sqNorms", "Float64Array", &sqNorms, &lSq) ||
      !Prop<int32_t, napi_int32_array>(o, "labelPtr", "Int32Array", &labelPtr, &lLabPtr) ||
      !Prop<int32_t, napi_int32_array>(o, "labelPoints", "Int32Array", &labelPoints, &lLabPts) ||
      !Prop<float, napi_float32_array>(o, "labelValues", "Float32Array", &labelValues, &lLabVal) ||
      !Prop<uint32_t, napi_uint32_array>(o, "seeds", "Uint32Array", &seeds, &lSeeds) ||
      !RequiredNum(o, "nFeatures", &nFeaturesD) || !RequiredNum(o, "l0", &l0D) || !RequiredNum(o, "l1", &l1D) || !RequiredNum(o, "c", &c) ||
      !RequiredNum(o, "eps", &eps) || !RequiredNum(o, "maxIterations", &maxIterationsD) || !RequiredNum(o, "pruneBelow", &pruneBelow))
    return env.Undefined();
  const bool bias = o.Get("bias").ToBoolean().Value(), logistic = o.Get("logistic").ToBoolean().Value();
  const int64_t n = static_cast<int64_t>(lSq), d = static_cast<int64_t>(nFeaturesD), cols = d + (bias ? 1 : 0);
  const int64_t l0 = static_cast<int64_t>(l0D), l1 = static_cast<int64_t>(l1D), nLabels = static_cast<int64_t>(lLabPtr) - 1;
  if (!(c > 0) || !(eps > 0) || !(maxIterationsD >= 1 && maxIterationsD <= 9007199254740992.0) || !(pruneBelow >= 0) || !(nFeaturesD >= 0 && nFeaturesD < INT32_MAX) ||
      n >= INT32_MAX)
    return RangeFail(env, "ovrTrainChunk: c, eps, maxIterations, pruneBelow or nFeatures out of range"), env.Undefined();
  if (lIdx != lVal || !SoundCsr(rowPtr, lPtr, indices, lIdx, n, cols))
    return RangeFail(env, "ovrTrainChunk: the features are not a CSR matrix of sqNorms.length rows and nFeatures (+ 1 with bias) columns"), env.Undefined();
  if (lLabPtr < 1 || l0 < 0 || l1 < l0 || l1 > nLabels || static_cast<int64_t>(lSeeds) != l1 - l0 || lLabPts != lLabVal ||
      !SoundCsr(labelPtr, lLabPtr, labelPoints, lLabPts, nLabels, n))
    return RangeFail(env, "ovrTrainChunk: the label lists or [l0, l1) do not match the points (or seeds is not of length l1 − l0)"), env.Undefined();
  // Optional: the rows each label is trained on (subsetPtr over all labels, subsetRows ascending per label).
  int32_t *subsetPtr = nullptr, *subsetRows = nullptr;
  const Napi::Value sp = o.Get("subsetPtr");
  if (!sp.IsUndefined() && !sp.IsNull()) {
    size_t lSubPtr, lSubRows;
    if (!Prop<int32_t, napi_int32_array>(o, "subsetPtr", "Int32Array", &subsetPtr, &lSubPtr) ||
        !Prop<int32_t, napi_int32_array>(o, "subsetRows", "Int32Array", &subsetRows, &lSubRows))
      return env.Undefined();
    bool sound = SoundCsr(subsetPtr, lSubPtr, subsetRows, lSubRows, nLabels, n);
    for (int64_t l = 0; sound && l < nLabels; l++)
      for (int32_t p = subsetPtr[l] + 1; p < subsetPtr[l + 1]; p++) if (subsetRows[p] <= subsetRows[p - 1]) { sound = false; break; }
    if (!sound) return RangeFail(env, "ovrTrainChunk: subsetPtr/subsetRows are not ascending row lists of every label"), env.Undefined();
  }
  const Rows x{rowPtr, indices, values, sqNorms, n, cols};
  const Settings s{c, eps, static_cast<int64_t>(maxIterationsD)};
  const int64_t count = l1 - l0;
  std::vector<LabelOut> outs(static_cast<size_t>(count));
  std::atomic<bool> failed(false);
#pragma omp parallel if (count > 1)
  {
    // Every thread must meet the worksharing loop, so a failed allocation only marks the call failed.
    Work work;
    bool ready = false;
    try {
      work.w.assign(static_cast<size_t>(cols), 0.0);
      work.alpha.assign(static_cast<size_t>(logistic ? 2 * n : n), 0.0);
      if (!logistic) work.qd.assign(static_cast<size_t>(n), 0.0);
      work.index.assign(static_cast<size_t>(n), 0);
      work.y.assign(static_cast<size_t>(n), -1);
      ready = true;
    } catch (...) {
      failed.store(true);
    }
#pragma omp for schedule(dynamic, 1)
    for (int64_t k = 0; k < count; k++) {
      if (!ready || failed.load(std::memory_order_relaxed)) continue;
      try {
        const int64_t l = l0 + k;
        LabelOut& r = outs[static_cast<size_t>(k)];
        std::fill(work.y.begin(), work.y.end(), static_cast<int8_t>(-1));
        for (int32_t p = labelPtr[l]; p < labelPtr[l + 1]; p++) {
          if (labelValues[p] != 0) { work.y[labelPoints[p]] = 1; r.positives++; }
        }
        if (r.positives == 0) continue;
        const Subset sub = subsetPtr ? Subset{subsetRows + subsetPtr[l], subsetPtr[l + 1] - subsetPtr[l]} : Subset{nullptr, n};
        const Outcome res = logistic ? LogisticDualCd(x, sub, s, seeds[k], &work) : SquaredHingeDualCd(x, sub, s, seeds[k], &work);
        r.iterations = static_cast<int32_t>(res.iterations);
        r.converged = res.converged;
        const double* w = work.w.data();
        for (int64_t j = 0; j < d; j++) {
          const double v = w[j];
          if (std::fabs(v) >= pruneBelow && static_cast<float>(v) != 0) { r.indices.push_back(static_cast<int32_t>(j)); r.values.push_back(static_cast<float>(v)); }
        }
        if (bias) r.biasWeight = w[d];
      } catch (...) {
        failed.store(true);
      }
    }
  }
  if (failed.load()) return Fail(env, "ovrTrainChunk: out of memory"), env.Undefined();
  size_t total = 0;
  for (const LabelOut& r : outs) total += r.indices.size();
  if (total > static_cast<size_t>(INT32_MAX)) return RangeFail(env, "ovrTrainChunk: more than 2^31 − 1 kept weights in one chunk"), env.Undefined();
  Napi::Int32Array positives = Napi::Int32Array::New(env, count), iterations = Napi::Int32Array::New(env, count);
  Napi::Uint8Array converged = Napi::Uint8Array::New(env, count);
  Napi::Float64Array biasWeights = Napi::Float64Array::New(env, count);
  Napi::Int32Array offsets = Napi::Int32Array::New(env, count + 1), outIdx = Napi::Int32Array::New(env, total);
  Napi::Float32Array outVal = Napi::Float32Array::New(env, total);
  int32_t *pos = positives.Data(), *iters = iterations.Data(), *off = offsets.Data(), *idx = outIdx.Data();
  uint8_t* conv = converged.Data();
  double* bw = biasWeights.Data();
  float* val = outVal.Data();
  size_t at = 0;
  off[0] = 0;
  for (int64_t k = 0; k < count; k++) {
    LabelOut& r = outs[static_cast<size_t>(k)];
    pos[k] = r.positives;
    iters[k] = r.iterations;
    conv[k] = r.converged ? 1 : 0;
    bw[k] = r.biasWeight;
    if (!r.indices.empty()) {
      std::memcpy(idx + at, r.indices.data(), r.indices.size() * sizeof(int32_t));
      std::memcpy(val + at, r.values.data(), r.values.size() * sizeof(float));
    }
    at += r.indices.size();
    off[k + 1] = static_cast<int32_t>(at);
    std::vector<int32_t>().swap(r.indices);
    std::vector<float>().swap(r.values);
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("positives", positives);
  result.Set("iterations", iterations);
  result.Set("converged", converged);
  result.Set("biasWeights", biasWeights);
  result.Set("offsets", offsets);
  result.Set("indices", outIdx);
  result.Set("values", outVal);
  return result;
}

}  // namespace

void RegisterLinearCd(Napi::Env env, Napi::Object exports) {
  exports.Set("ovrTrainChunk", Napi::Function::New(env, OvrTrainChunk));
}

}  // namespace xmlc
