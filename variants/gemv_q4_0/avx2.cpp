// gemv_q4_0.avx2 — dequantise in registers, FMA in fp32: per block, the 32 nibbles unpacked to
// bytes, 8 subtracted, widened to fp32 in four groups of 8, multiplied by x (fp32, not rounded)
// and summed, then the sum scaled by the block's fp16 scale into the row's accumulator (two per
// row: even and odd blocks).
// Parameters: variants/weights_rows.hpp.
#include "kernels/gemv_weights.hpp"
#include "variants/vecmath_avx2.hpp"
#include "variants/weights_avx2.hpp"
#include "variants/weights_rows.hpp"

namespace cromwell {
namespace {

struct Engine {
  using X = weights_avx2::XF32;
  static X make_x(std::int64_t k) { return weights_avx2::make_xf32(k); }
  static void fill_x(const float* x, std::int64_t k, X& out) { weights_avx2::fill_xf32(x, k, out); }

  template <int S>
  [[gnu::target(CROMWELL_AVX2_F16C), gnu::always_inline]] static inline void block(const std::byte* const* row,
                                                                                   std::int64_t b, const float* x,
                                                                                   __m256* acc) {
    constexpr std::int64_t bb = weights::Q4_0::block_bytes;
    __m256 xv[4];
    for (int i = 0; i < 4; ++i) xv[i] = _mm256_loadu_ps(x + 32 * b + 8 * i);
    for (int j = 0; j < S; ++j) {
      const std::byte* blk = row[j] + b * bb;
      __m256 t = _mm256_setzero_ps();
      const __m256i v = _mm256_sub_epi8(weights_avx2::nibbles(blk + 2), _mm256_set1_epi8(8));  // −8..7
      const __m128i lo = _mm256_castsi256_si128(v), hi = _mm256_extracti128_si256(v, 1);
      const __m128i q[4] = {lo, _mm_srli_si128(lo, 8), hi, _mm_srli_si128(hi, 8)};
      for (int i = 0; i < 4; ++i) t = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q[i])), xv[i], t);
      acc[j] = _mm256_fmadd_ps(t, _mm256_set1_ps(weights_avx2::scale(blk)), acc[j]);
    }
  }

  template <int S, prefetch::Hint H>
  [[gnu::target(CROMWELL_AVX2_F16C)]] static void dot(const std::byte* w, std::int64_t rb, std::int64_t k, const X& xs,
                                                      float* y, std::int64_t r0, std::int64_t q,
                                                      std::int64_t pf_bytes) {
    constexpr std::int64_t bb = weights::Q4_0::block_bytes;
    const std::byte* row[S];
    __m256 a[S], c[S];
    for (int j = 0; j < S; ++j) {
      row[j] = w + (r0 + j * q) * rb;
      a[j] = c[j] = _mm256_setzero_ps();
    }
    const std::int64_t nb = k / 32;
    std::int64_t b = 0;
    for (; b + 2 <= nb; b += 2) {
      if constexpr (H != prefetch::Hint::none)
        for (int j = 0; j < S; ++j) prefetch::line<H>(row[j] + b * bb + pf_bytes);
      block<S>(row, b, xs.v, a);
      block<S>(row, b + 1, xs.v, c);
    }
    if (b < nb) block<S>(row, b, xs.v, a);
    for (int j = 0; j < S; ++j) y[r0 + j * q] = vecmath::hsum(_mm256_add_ps(a[j], c[j]));
  }
};

const bool registered = register_variant<GemvQ4_0Kernel>({
    .name = "avx2",
    .summary = "4-bit values widened to fp32 in registers, FMA with fp32 x, row streams sharing x",
    .isa = CROMWELL_AVX2_F16C,
    .space = weights_rows::space(),
    .prepare = weights_rows::prepare<GemvQ4_0Kernel, Engine>,
});

}  // namespace
}  // namespace cromwell
