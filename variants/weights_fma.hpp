#pragma once
// The AVX2 engine of gemv_q8_0.avx2 and gemv_q4_0.avx2 (variants/weights_rows.hpp has the
// contract): dequantise in registers, FMA in fp32 with x as it is (not rounded). Per block, the 32
// quants widened to fp32 in four groups of 8 (q4_0: the nibbles unpacked to bytes and 8
// subtracted first), multiplied by x and summed, then the sum scaled by the block's fp16 scale
// into the row's accumulator. About 15 µops per block and row (q8_0; q4_0 a few more): the
// integer engines (variants/weights_int8.hpp) need fewer.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "kernels/gemv_weights.hpp"
#include "variants/vecmath_avx2.hpp"
#include "variants/weights_avx2.hpp"
#include "variants/weights_rows.hpp"

namespace cromwell::weights_fma {

template <class F>
struct Avx2 {
  using X = weights_avx2::XF32;
  using Acc = __m256;
  static constexpr int kStep = 1;
  static X make_x(std::int64_t k) { return weights_avx2::make_xf32(k); }
  static void fill_x(const float* x, std::int64_t k, X& out) { weights_avx2::fill_xf32(x, k, out); }

  template <int S>
  [[gnu::target(CROMWELL_AVX2_F16C), gnu::always_inline]] static inline void step(const std::byte* const* row,
                                                                                  std::int64_t b, const X& x,
                                                                                  Acc* acc) {
    __m256 xv[4];
    for (int i = 0; i < 4; ++i) xv[i] = _mm256_loadu_ps(x.v + 32 * b + 8 * i);
    for (int j = 0; j < S; ++j) {
      const std::byte* blk = row[j] + b * F::block_bytes;
      __m128i q[4];  // the block's 32 values, 8 per register, as int8
      if constexpr (std::is_same_v<F, weights::Q4_0>) {
        const __m256i v = _mm256_sub_epi8(weights_avx2::nibbles(blk + 2), _mm256_set1_epi8(8));  // −8..7
        const __m128i lo = _mm256_castsi256_si128(v), hi = _mm256_extracti128_si256(v, 1);
        q[0] = lo, q[1] = _mm_srli_si128(lo, 8), q[2] = hi, q[3] = _mm_srli_si128(hi, 8);
      } else {
        for (int i = 0; i < 4; ++i) q[i] = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(blk + 2 + 8 * i));
      }
      __m256 t = _mm256_setzero_ps();
      for (int i = 0; i < 4; ++i) t = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q[i])), xv[i], t);
      acc[j] = _mm256_fmadd_ps(t, _mm256_set1_ps(weights_avx2::scale(blk)), acc[j]);
    }
  }
  [[gnu::target(CROMWELL_AVX2_F16C), gnu::always_inline]] static inline float sum(Acc a, Acc c) {
    return vecmath::hsum(_mm256_add_ps(a, c));
  }
  CROMWELL_BLOCK_DOT(CROMWELL_AVX2_F16C)
};

}  // namespace cromwell::weights_fma
