#pragma once
// AVX2 vector math shared by the variants: horizontal sum and maximum, and exp, sigmoid, SiLU and
// tanh on 8 floats. The one place
// these live; their accuracy is measured against double-precision libm (tests/test_vecmath.cpp
// samples it in every run; an exhaustive sweep over all 2³² floats is the `slow` test):
//
//   exp(x)      x in [-87.3, 88.7] (normal results): ≤ 2 ULP;
//               x in [-103.97, -87.3) (subnormal results): ≤ 1.5 ULP of the subnormal spacing;
//               x < -103.97 → +0; x > 88.7228 → +inf (overflow); exp(±0) = 1;
//               exp(-inf) = +0; exp(+inf) = +inf; exp(NaN) = NaN.
//   sigmoid(x)  = 1 / (1 + e^−x): ≤ 4 ULP where the result is ≥ 2⁻¹²⁶; sigmoid(−inf) = +0,
//               sigmoid(+inf) = 1, sigmoid(±0) = 0.5, NaN → NaN.
//   silu(x)     = x / (1 + e^−x): ≤ 4 ULP for x ≥ −87.3 (where e^x is a normal float); below,
//               e^x is subnormal and the result keeps an absolute error ≤ |x|·2⁻¹⁴⁸;
//               silu(−inf) = −0, silu(+inf) = +inf, silu(±0) = ±0, NaN → NaN.
//   tanh(x)     ≤ 2 ULP for every finite x (results of magnitude ≥ 2⁻¹²⁶; subnormal x gives x);
//               tanh(±0) = ±0, tanh(±inf) = ±1, NaN → NaN.
//
// Method (exp): x·log₂e = n/8 + r/ln2, e^x = 2^(n/8)·e^r with 2^(n/8) from an 8-entry table and
// the exponent field, and e^r by a cubic on |r| ≤ ln2/16. A vector whose lanes all lie in
// |x| ≤ 87.3 (every factor a normal float) costs 11 vector instructions after a 3-instruction
// range check; any other vector takes a separate, slower function, as do sigmoid and silu
// (which then work from e^−|x| ≤ 1, so that nothing overflows).
#include <immintrin.h>

#include "harness/platform/isa.hpp"

namespace cromwell::vecmath {

// The sum and the maximum of the 8 lanes.
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline float hsum(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(t, _mm_movehdup_ps(t)));
}

[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline float hmax(__m256 v) {
  const __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 t = _mm_max_ps(m, _mm_movehl_ps(m, m));
  return _mm_cvtss_f32(_mm_max_ss(t, _mm_movehdup_ps(t)));
}

[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline __m256 pow2i(__m256i n) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23));
}

// The exponent is split as x·log₂e = n/8 + r/ln2 with n an integer and |r| ≤ ln2/16: e^x is
// 2^⌊n/8⌋ · 2^((n mod 8)/8) · e^r, the middle factor from an 8-entry table held in one register.
//
// t = x·8·log₂e + 1.5·2²³ is rounded to an integer by the addition; its low bits are n.
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline __m256 shifted(__m256 x) {
  return _mm256_fmadd_ps(x, _mm256_set1_ps(8 * 1.44269504088896341f), _mm256_set1_ps(12582912.0f));
}

// r = x − n·ln2/8 in two steps (Cody–Waite: the high part has 9 significant bits, so its product
// with |n| < 2¹¹ is exact).
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline __m256 reduce(__m256 x, __m256 t) {
  const __m256 n = _mm256_sub_ps(t, _mm256_set1_ps(12582912.0f));
  const __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f / 8), x);
  return _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f / 8), r);
}

// e^r − 1 on |r| ≤ ln2/16 as r + r²·(c₂ + c₃·r), fitted for least maximum relative error of
// e^r (0.44·2⁻²⁴).
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline __m256 expm1_reduced(__m256 r) {
  const __m256 c = _mm256_fmadd_ps(_mm256_set1_ps(0.16667236f), r, _mm256_set1_ps(0.50006449f));
  return _mm256_fmadd_ps(_mm256_mul_ps(r, r), c, r);
}

// 2^((n mod 8)/8) · 2^⌊n/8⌋ for |n| < 8·126, from t. The table holds the bits of 2^(j/8) minus
// j·2²⁰; vpermps reads j from the low 3 bits of t, and adding t·2²⁰ puts j·2²⁰ back and ⌊n/8⌋
// into the exponent field.
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline __m256 scale(__m256 t) {
  const __m256 table = _mm256_castsi256_ps(_mm256_setr_epi32(0x3f800000, 0x3f7b95c2, 0x3f7837f0, 0x3f75fed7, 0x3f7504f3,
                                                             0x3f75672a, 0x3f7744fd, 0x3f7ac0c7));
  const __m256i ti = _mm256_castps_si256(t);
  return _mm256_castsi256_ps(
      _mm256_add_epi32(_mm256_castps_si256(_mm256_permutevar8x32_ps(table, ti)), _mm256_slli_epi32(ti, 20)));
}

// e^x for lanes with |x| ≤ 87.3, where every factor is a normal float: 11 vector instructions.
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline __m256 exp_common(__m256 x) {
  const __m256 t = shifted(x);
  const __m256 s = scale(t);
  return _mm256_fmadd_ps(s, expm1_reduced(reduce(x, t)), s);
}

// Whether each lane lies outside |x| ≤ 87.3 (or is NaN), and whether any does.
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline __m256 wide_lanes(__m256 x) {
  return _mm256_cmp_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), x), _mm256_set1_ps(87.3f), _CMP_NLE_UQ);
}

[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline bool any_wide(__m256 x) {
  return __builtin_expect(_mm256_movemask_ps(wide_lanes(x)), 0);
}

// The rare lanes: |x| > 87.3 or NaN. The result is scaled by 2^⌊k/2⌋ and 2^(k−⌊k/2⌋), k = ⌊n/8⌋,
// both normal floats, so only the last product rounds — also into the subnormal range. Below
// −104 the result is +0, given directly: a product that underflows to zero takes a slow
// microcode assist (≈ 50 cycles) on current x86 cores, and masked attention rows are full of −inf.
[[gnu::target(CROMWELL_AVX2), gnu::noinline]] inline __m256 exp_wide(__m256 x) {
  const __m256 zero = _mm256_cmp_ps(x, _mm256_set1_ps(-104.0f), _CMP_LT_OQ);
  const __m256 xc = _mm256_min_ps(_mm256_andnot_ps(zero, x), _mm256_set1_ps(89.0f));  // NaN → 89
  const __m256 t = shifted(xc);
  // The bits of t minus those of 1.5·2²³ are n; k = ⌊n/8⌋.
  const __m256i k = _mm256_srai_epi32(_mm256_sub_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(0x4b400000)), 3);
  const __m256i k1 = _mm256_srai_epi32(k, 1);
  const __m256 s = scale(_mm256_castsi256_ps(_mm256_and_si256(_mm256_castps_si256(t), _mm256_set1_epi32(7))));
  const __m256 p = _mm256_fmadd_ps(s, expm1_reduced(reduce(xc, t)), s);
  const __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, pow2i(k1)), pow2i(_mm256_sub_epi32(k, k1)));
  return _mm256_blendv_ps(_mm256_andnot_ps(zero, y), _mm256_add_ps(x, x), _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline __m256 exp(__m256 x) {
  return any_wide(x) ? exp_wide(x) : exp_common(x);
}

// 1 / (1 + e^−x) and x / (1 + e^−x) for lanes with |x| ≤ 87.3.
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline __m256 sigmoid_common(__m256 x) {
  const __m256 e = exp_common(_mm256_xor_ps(x, _mm256_set1_ps(-0.0f)));
  return _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline __m256 silu_common(__m256 x) {
  const __m256 e = exp_common(_mm256_xor_ps(x, _mm256_set1_ps(-0.0f)));
  return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

// The rare lanes work from t = e^(−|x|) ≤ 1, so that nothing overflows: sigmoid is 1/(1+t) for
// x ≥ 0 and t/(1+t) for x < 0.
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline __m256 sigmoid_rare(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 neg = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
  const __m256 t = exp(_mm256_or_ps(x, _mm256_set1_ps(-0.0f)));
  return _mm256_div_ps(_mm256_blendv_ps(one, t, neg), _mm256_add_ps(one, t));
}

// A vector with rare lanes: those get the rare formula, the others the common one, so a lane's
// result does not depend on its neighbours.
[[gnu::target(CROMWELL_AVX2), gnu::noinline]] inline __m256 sigmoid_wide(__m256 x) {
  const __m256 wide = wide_lanes(x);
  return _mm256_blendv_ps(sigmoid_common(_mm256_andnot_ps(wide, x)), sigmoid_rare(x), wide);
}

// silu's rare lanes: x · sigmoid(x), where −inf · 0 would be NaN: silu(−inf) = −0.
[[gnu::target(CROMWELL_AVX2), gnu::noinline]] inline __m256 silu_wide(__m256 x) {
  const __m256 wide = wide_lanes(x);
  const __m256 minus_inf = _mm256_cmp_ps(x, _mm256_set1_ps(-__builtin_inff()), _CMP_EQ_OQ);
  const __m256 rare = _mm256_blendv_ps(_mm256_mul_ps(x, sigmoid_rare(x)), _mm256_set1_ps(-0.0f), minus_inf);
  return _mm256_blendv_ps(silu_common(_mm256_andnot_ps(wide, x)), rare, wide);
}

[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline __m256 sigmoid(__m256 x) {
  return any_wide(x) ? sigmoid_wide(x) : sigmoid_common(x);
}

[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline __m256 silu(__m256 x) {
  return any_wide(x) ? silu_wide(x) : silu_common(x);
}

// tanh: for |x| < 0.625, x + x³·Q(x²) with Q of degree 4 fitted for least maximum relative error
// (0.07·2⁻²⁴); above, sign(x)·(1 − t)/(1 + t) with t = e^(−2|x|) ≤ 0.29, so 1 − t cancels at
// most a factor 1.4 and nothing overflows.
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline __m256 tanh(__m256 x) {
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
  const __m256 large =
      _mm256_or_ps(_mm256_div_ps(_mm256_sub_ps(one, t), _mm256_add_ps(one, t)), _mm256_and_ps(x, sign));
  return _mm256_blendv_ps(large, small, _mm256_cmp_ps(ax, _mm256_set1_ps(0.625f), _CMP_LT_OQ));
}

}  // namespace cromwell::vecmath
