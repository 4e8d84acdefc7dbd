// Dense double-precision linear algebra from OpenBLAS's bundled LAPACK: the Cholesky solve
// of ridge regression's normal equations (XᵀX + λI)V = XᵀZ.
#include <napi.h>

#include <cstdint>
#include <vector>

extern "C" {
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info);
void dpotrs_(const char* uplo, const int* n, const int* nrhs, const double* a, const int* lda, double* b, const int* ldb, int* info);
}

namespace xmlc {

namespace {

bool F64(const Napi::CallbackInfo& info, size_t i, double** data, size_t* len) {
  if (i >= info.Length() || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    Napi::TypeError::New(info.Env(), "xmlc native: expected a Float64Array argument").ThrowAsJavaScriptException();
    return false;
  }
  Napi::TypedArray ta = info[i].As<Napi::TypedArray>();
  *data = reinterpret_cast<double*>(static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset());
  *len = ta.ElementLength();
  return true;
}

// choleskySolve(a, b, p, m): a (p×p, symmetric positive definite, overwritten by its Cholesky
// factor), b (p×m row-major, overwritten by the solution of a·x = b). Returns LAPACK's info:
// 0 on success, k > 0 when the leading k×k minor is not positive definite.
Napi::Value CholeskySolve(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double *a, *b;
  size_t la, lb;
  if (!F64(info, 0, &a, &la) || !F64(info, 1, &b, &lb)) return env.Undefined();
  const int64_t p = info[2].As<Napi::Number>().Int64Value(), m = info[3].As<Napi::Number>().Int64Value();
  if (p < 0 || m < 0 || la != static_cast<size_t>(p * p) || lb != static_cast<size_t>(p * m)) {
    Napi::RangeError::New(env, "xmlc native: choleskySolve shapes do not match").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (p == 0 || m == 0) return Napi::Number::New(env, 0);
  const int n = static_cast<int>(p), nrhs = static_cast<int>(m);
  int status = 0;
  // Symmetric, so row-major and column-major storage of a are the same matrix.
  dpotrf_("L", &n, a, &n, &status);
  if (status != 0) return Napi::Number::New(env, status);
  // LAPACK wants b column-major (p × m): transpose in and out.
  std::vector<double> bt(static_cast<size_t>(p * m));
  for (int64_t i = 0; i < p; i++)
    for (int64_t j = 0; j < m; j++) bt[j * p + i] = b[i * m + j];
  dpotrs_("L", &n, &nrhs, a, &n, bt.data(), &n, &status);
  for (int64_t i = 0; i < p; i++)
    for (int64_t j = 0; j < m; j++) b[i * m + j] = bt[j * p + i];
  return Napi::Number::New(env, status);
}

}  // namespace

void RegisterLinalg(Napi::Env env, Napi::Object exports) {
  exports.Set("choleskySolve", Napi::Function::New(env, CholeskySolve));
}

}  // namespace xmlc
