// gemv_bf16.avx512_bf16 — vdpbf16ps: x rounded to bf16 once per call (as ggml does for bf16
// weights; variants/weights_x.hpp), then 32 weights × 32 x per instruction, pairs of products
// (exact in fp32) added into 16 fp32 lanes; two accumulators per row. The last k mod 32 weights
// are a masked load against x's zero padding. The instruction treats subnormal inputs as zero and
// flushes subnormal results (DAZ/FTZ), which the kernel's tolerance covers for x and the results.
// Parameters: variants/weights_rows.hpp.
#include <immintrin.h>

#include "kernels/gemv_weights.hpp"
#include "variants/vecmath_avx2.hpp"
#include "variants/weights_rows.hpp"
#include "variants/weights_x.hpp"

namespace cromwell {
namespace {

struct Engine {
  using X = weights_x::Xbf16;
  static X make_x(std::int64_t k) { return X(k); }
  static void fill_x(const float* x, std::int64_t k, X& out) { weights_x::to_bf16(x, k, out); }

  // acc + 32 bf16 weights · 32 bf16 x, pairwise.
  [[gnu::target(CROMWELL_AVX512_BF16), gnu::always_inline]] static inline __m512 dp(__m512 acc, __m512i wv,
                                                                                    const std::uint16_t* xp) {
    const __m512i xv = _mm512_loadu_si512(xp);
    return _mm512_dpbf16_ps(acc, reinterpret_cast<const __m512bh&>(wv), reinterpret_cast<const __m512bh&>(xv));
  }

  template <int S, prefetch::Hint H>
  [[gnu::target(CROMWELL_AVX512_BF16)]] static void dot(const std::byte* w, std::int64_t rb, std::int64_t k,
                                                        const X& xs, float* y, std::int64_t r0, std::int64_t q,
                                                        std::int64_t pf_bytes) {
    const std::uint16_t* x = xs.v.data();
    const std::uint16_t* row[S];
    __m512 a[S], c[S];
    for (int j = 0; j < S; ++j) {
      row[j] = reinterpret_cast<const std::uint16_t*>(w + (r0 + j * q) * rb);
      a[j] = c[j] = _mm512_setzero_ps();
    }
    std::int64_t p = 0;
    for (; p + 64 <= k; p += 64)
      for (int j = 0; j < S; ++j) {
        if constexpr (H != prefetch::Hint::none)
          prefetch::line<H>(reinterpret_cast<const std::byte*>(row[j] + p) + pf_bytes);
        a[j] = dp(a[j], _mm512_loadu_si512(row[j] + p), x + p);
        c[j] = dp(c[j], _mm512_loadu_si512(row[j] + p + 32), x + p + 32);
      }
    for (; p < k; p += 32) {
      const __mmask32 m = k - p >= 32 ? ~__mmask32(0) : __mmask32((1u << (k - p)) - 1);
      for (int j = 0; j < S; ++j) a[j] = dp(a[j], _mm512_maskz_loadu_epi16(m, row[j] + p), x + p);
    }
    for (int j = 0; j < S; ++j) {
      const __m512 t = _mm512_add_ps(a[j], c[j]);
      const __m256 hi = _mm512_castps512_ps256(_mm512_shuffle_f32x4(t, t, 0xee));
      y[r0 + j * q] = vecmath::hsum(_mm256_add_ps(_mm512_castps512_ps256(t), hi));
    }
  }
};

const bool registered = register_variant<GemvBf16Kernel>({
    .name = "avx512_bf16",
    .summary = "x rounded to bf16 once per call, vdpbf16ps (AVX512-BF16), row streams sharing x",
    .isa = CROMWELL_AVX512_BF16,
    .space = weights_rows::space(),
    .prepare = weights_rows::prepare<GemvBf16Kernel, Engine>,
});

}  // namespace
}  // namespace cromwell
