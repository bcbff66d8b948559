#pragma once
// AVX2 vector math shared by the variants: horizontal sum and maximum, and exp, sigmoid, SiLU and
// tanh on 8 floats. The one place
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
//   tanh(x)     ≤ 2 ULP for every finite x (results of magnitude ≥ 2⁻¹²⁶; subnormal x gives x);
//               tanh(±0) = ±0, tanh(±inf) = ±1, NaN → NaN.
//
// Method (exp): n = round(x·log₂e), r = x − n·ln2 in two steps, e^r by a polynomial on
// |r| ≤ ln2/2, then the product with 2ⁿ. Lanes outside |x| ≤ 87.3 (where 2ⁿ would not be a
// normal float) take a separate, slower function; a vector of 8 common lanes costs 15 vector
// instructions and one branch.
#include <immintrin.h>

namespace cromwell::vecmath {

// The sum and the maximum of the 8 lanes.
[[gnu::target("avx2,fma"), gnu::always_inline]] inline float hsum(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(t, _mm_movehdup_ps(t)));
}

[[gnu::target("avx2,fma"), gnu::always_inline]] inline float hmax(__m256 v) {
  const __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 t = _mm_max_ps(m, _mm_movehl_ps(m, m));
  return _mm_cvtss_f32(_mm_max_ss(t, _mm_movehdup_ps(t)));
}

[[gnu::target("avx2,fma"), gnu::always_inline]] inline __m256 pow2i(__m256i n) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23));
}

// e^r on |r| ≤ ln2/2: a degree-6 polynomial fitted for least maximum relative error (0.03·2⁻²⁴).
[[gnu::target("avx2,fma"), gnu::always_inline]] inline __m256 exp_reduced(__m256 r) {
  __m256 p = _mm256_set1_ps(0.0013836842f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.008374816f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.041668225f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.1666642f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.4999999f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  return _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
}

// r = x − n·ln2 (Cody–Waite: ln2_hi has 9 significant bits, so n·ln2_hi is exact for |n| ≤ 2⁸).
[[gnu::target("avx2,fma"), gnu::always_inline]] inline __m256 reduce(__m256 x, __m256 n) {
  const __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  return _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
}

// The rare lanes: |x| > 87.3 or NaN. The result is scaled by 2^⌊n/2⌋ and 2^(n−⌊n/2⌋), both
// normal floats, so only the last product rounds — also into the subnormal range. Below −104
// the result is +0, given directly: a product that underflows to zero takes a slow microcode
// assist (≈ 50 cycles) on current x86 cores, and masked attention rows are full of −inf.
[[gnu::target("avx2,fma"), gnu::noinline]] inline __m256 exp_wide(__m256 x) {
  const __m256 zero = _mm256_cmp_ps(x, _mm256_set1_ps(-104.0f), _CMP_LT_OQ);
  const __m256 xc = _mm256_min_ps(_mm256_andnot_ps(zero, x), _mm256_set1_ps(89.0f));  // NaN → 89
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(xc, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m256 p = exp_reduced(reduce(xc, n));
  const __m256i ni = _mm256_cvtps_epi32(n);
  const __m256i n1 = _mm256_srai_epi32(ni, 1);
  const __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, pow2i(n1)), pow2i(_mm256_sub_epi32(ni, n1)));
  return _mm256_blendv_ps(_mm256_andnot_ps(zero, y), _mm256_add_ps(x, x), _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

// The common case, |x| ≤ 87.3 in every lane: n = round(x·log₂e) by the 1.5·2²³ shifter (the sum
// is rounded to an integer, whose low bits are n), and one product by 2ⁿ, a normal float.
[[gnu::target("avx2,fma"), gnu::always_inline]] inline __m256 exp(__m256 x) {
  const __m256 wide = _mm256_cmp_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), x), _mm256_set1_ps(87.3f), _CMP_NLE_UQ);
  if (__builtin_expect(_mm256_movemask_ps(wide), 0)) return exp_wide(x);
  const __m256 shifter = _mm256_set1_ps(12582912.0f);
  const __m256 t = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), shifter);
  const __m256 p = exp_reduced(reduce(x, _mm256_sub_ps(t, shifter)));
  const __m256i bits = _mm256_add_epi32(_mm256_slli_epi32(_mm256_castps_si256(t), 23), _mm256_set1_epi32(127 << 23));
  return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
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

// tanh: for |x| < 0.625, x + x³·Q(x²) with Q of degree 4 fitted for least maximum relative error
// (0.07·2⁻²⁴); above, sign(x)·(1 − t)/(1 + t) with t = e^(−2|x|) ≤ 0.29, so 1 − t cancels at
// most a factor 1.4 and nothing overflows.
[[gnu::target("avx2,fma"), gnu::always_inline]] inline __m256 tanh(__m256 x) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 ax = _mm256_andnot_ps(sign, x);
  const __m256 x2 = _mm256_mul_ps(x, x);
  __m256 q = _mm256_set1_ps(-0.0057049887f);
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(0.02063909f));
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(-0.053739715f));
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(0.13331442f));
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(-0.3333328f));
  // x·(1 + x²·Q) has the sign of x; or-ing it in keeps tanh(−0) = −0.
  const __m256 small = _mm256_or_ps(_mm256_fmadd_ps(_mm256_mul_ps(x2, x), q, x), _mm256_and_ps(x, sign));
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 t = exp(_mm256_or_ps(_mm256_add_ps(ax, ax), sign));
  const __m256 large = _mm256_or_ps(_mm256_div_ps(_mm256_sub_ps(one, t), _mm256_add_ps(one, t)), _mm256_and_ps(x, sign));
  return _mm256_blendv_ps(large, small, _mm256_cmp_ps(ax, _mm256_set1_ps(0.625f), _CMP_LT_OQ));
}

}  // namespace cromwell::vecmath
