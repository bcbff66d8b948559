#pragma once
// AVX2 vector math shared by the variants: exp, sigmoid and SiLU on 8 floats. The one place
// these live; their accuracy is measured against double-precision libm (tests/test_vecmath.cpp
// samples it in every run; an exhaustive sweep over all 2³² floats is the `slow` test):
//
//   exp(x)      x in [-87.3, 88.7] (normal results): ≤ 2 ULP;
//               x in [-103.97, -87.3) (subnormal results): ≤ 1 ULP of the subnormal spacing;
//               x < -103.97 → +0; x > 88.7228 → +inf (overflow); exp(±0) = 1;
//               exp(-inf) = +0; exp(+inf) = +inf; exp(NaN) = NaN.
//   sigmoid(x)  = 1 / (1 + e^−x), computed from t = e^−|x| as 1/(1+t) or t/(1+t) (no overflow):
//               ≤ 4 ULP where the result is ≥ 2⁻¹²⁶; sigmoid(−inf) = +0, sigmoid(+inf) = 1,
//               sigmoid(±0) = 0.5, NaN → NaN.
//   silu(x)     = x · sigmoid(x): ≤ 4 ULP for x ≥ −87.3 (where e^x is a normal float); below,
//               e^x is subnormal and the result keeps an absolute error ≤ |x|·2⁻¹⁴⁸;
//               silu(−inf) = −0, silu(+inf) = +inf, silu(±0) = ±0, NaN → NaN.
//
// Method (exp): n = round(x·log₂e), r = x − n·ln2 in two steps (Cody–Waite: ln2_hi has 9
// significant bits, so n·ln2_hi is exact), e^r by its degree-7 Taylor polynomial on
// |r| ≤ ln2/2 (truncation < 0.1 ULP), then the result times 2^⌊n/2⌋ and 2^(n−⌊n/2⌋): both
// factors are normal floats, so only the last product rounds — also into the subnormal range.
#include <immintrin.h>

namespace cromwell::vecmath {

[[gnu::target("avx2,fma"), gnu::always_inline]] inline __m256 pow2i(__m256i n) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23));
}

[[gnu::target("avx2,fma"), gnu::always_inline]] inline __m256 exp(__m256 x) {
  const __m256 xc = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-104.0f)), _mm256_set1_ps(89.0f));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(xc, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), xc);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.0f / 5040);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  const __m256i ni = _mm256_cvtps_epi32(n);
  const __m256i n1 = _mm256_srai_epi32(ni, 1);
  const __m256i n2 = _mm256_sub_epi32(ni, n1);
  const __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, pow2i(n1)), pow2i(n2));
  // max/min above turned NaN into a bound: give NaN back.
  return _mm256_blendv_ps(y, _mm256_add_ps(x, x), _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

// sigmoid with t = e^(−|x|) ≤ 1, so nothing overflows: 1/(1+t) for x ≥ 0, t/(1+t) for x < 0.
[[gnu::target("avx2,fma"), gnu::always_inline]] inline __m256 sigmoid(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 neg = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
  const __m256 t = exp(_mm256_or_ps(x, _mm256_set1_ps(-0.0f)));  // e^(−|x|)
  return _mm256_div_ps(_mm256_blendv_ps(one, t, neg), _mm256_add_ps(one, t));
}

[[gnu::target("avx2,fma"), gnu::always_inline]] inline __m256 silu(__m256 x) {
  const __m256 y = _mm256_mul_ps(x, sigmoid(x));
  // −inf · 0 would be NaN: silu(−inf) = −0.
  const __m256 minus_inf = _mm256_cmp_ps(x, _mm256_set1_ps(-__builtin_inff()), _CMP_EQ_OQ);
  return _mm256_blendv_ps(y, _mm256_set1_ps(-0.0f), minus_inf);
}

}  // namespace cromwell::vecmath
