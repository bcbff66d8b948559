// gemv_bf16.avx2 — gemv.avx2 on bf16 weights: 8 weights widened to fp32 by a zero-extension and
// a shift (exact), then FMA with x in fp32 (x is not rounded). Two accumulators per row.
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

  template <int S, prefetch::Hint H>
  [[gnu::target(CROMWELL_AVX2_F16C)]] static void dot(const std::byte* w, std::int64_t rb, std::int64_t k, const X& xs,
                                                      float* y, std::int64_t r0, std::int64_t q,
                                                      std::int64_t pf_bytes) {
    const float* x = xs.v;
    const std::uint16_t* row[S];
    __m256 a[S], b[S];
    for (int j = 0; j < S; ++j) {
      row[j] = reinterpret_cast<const std::uint16_t*>(w + (r0 + j * q) * rb);
      a[j] = b[j] = _mm256_setzero_ps();
    }
    std::int64_t p = 0;
    for (; p + 16 <= k; p += 16) {
      const __m256 x0 = _mm256_loadu_ps(x + p), x1 = _mm256_loadu_ps(x + p + 8);
      for (int j = 0; j < S; ++j) {
        if constexpr (H != prefetch::Hint::none)
          prefetch::line<H>(reinterpret_cast<const std::byte*>(row[j] + p) + pf_bytes);
        a[j] = _mm256_fmadd_ps(weights_avx2::bf16x8(row[j] + p), x0, a[j]);
        b[j] = _mm256_fmadd_ps(weights_avx2::bf16x8(row[j] + p + 8), x1, b[j]);
      }
    }
    if (p + 8 <= k) {
      const __m256 x0 = _mm256_loadu_ps(x + p);
      for (int j = 0; j < S; ++j) a[j] = _mm256_fmadd_ps(weights_avx2::bf16x8(row[j] + p), x0, a[j]);
      p += 8;
    }
    for (int j = 0; j < S; ++j) {
      float r = vecmath::hsum(_mm256_add_ps(a[j], b[j]));
      for (std::int64_t t = p; t < k; ++t) r += weights::bf16_to_float(row[j][t]) * x[t];
      y[r0 + j * q] = r;
    }
  }
};

const bool registered = register_variant<GemvBf16Kernel>({
    .name = "avx2",
    .summary = "bf16 widened to fp32 in registers, FMA, row streams sharing x",
    .isa = CROMWELL_AVX2_F16C,
    .space = weights_rows::space(),
    .prepare = weights_rows::prepare<GemvBf16Kernel, Engine>,
});

}  // namespace
}  // namespace cromwell
