#pragma once
// The AVX2 row kernel shared by gemv.avx2 and gemv.avx2_prefetch, and by gemv_bf16.avx2 over
// bf16 weights (each 8 widened to fp32 in registers: exact).
//
// A thread's rows are cut into four quarters that are walked side by side: step i computes rows
// i of every quarter, sharing each load of x among four rows. W is row-major and contiguous, so
// each quarter is one sequential stream, the pattern the hardware prefetchers follow best.
// Sharing x matters once x is large: at k = 5632 (22 KiB), W streaming through L1 evicts x
// between two rows, and reloading x from L2 for every row cost 13–16 % of the read bandwidth;
// with four rows per x load the kernel runs at the read bandwidth. (Four adjacent rows instead
// of four quarters jump back and forth in W and run at 0.6–0.7× the read bandwidth.)
// Two 8-wide FMA accumulators per row, eight in all, hide the FMA latency. Rows left over
// after the quarters go one at a time.
#include <immintrin.h>

#include <cstdint>

#include "harness/platform/isa.hpp"
#include "kernels/gemv.hpp"
#include "kernels/weights.hpp"
#include "variants/prefetch.hpp"
#include "variants/vecmath_avx2.hpp"

namespace cromwell::gemv_avx2 {

// 8 weights as fp32: fp32 as they are, bf16 with its bits shifted into the top half.
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline __m256 load8(const float* w) { return _mm256_loadu_ps(w); }
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline __m256 load8(const std::uint16_t* w) {
  return _mm256_castsi256_ps(
      _mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w))), 16));
}
inline float to_float(float w) { return w; }
inline float to_float(std::uint16_t w) { return weights::bf16_to_float(w); }

// y[r] = W[r]·x for the S rows r = r0, r0 + q, …, r0 + (S−1)·q, W of weights T (float or bf16
// bits). With a hint H, each row is prefetched `pf_lines` cache lines ahead of its loads.
template <int S, prefetch::Hint H, class T>
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline void dot_rows(const GemvShape& s, const T* w, const float* x,
                                                                        float* y, std::int64_t r0, std::int64_t q,
                                                                        std::int64_t pf_lines) {
  const std::int64_t k = s.k;
  const T* row[S];
  __m256 a[S], b[S];
  for (int j = 0; j < S; ++j) {
    row[j] = w + (r0 + j * q) * k;
    a[j] = b[j] = _mm256_setzero_ps();
  }
  std::int64_t p = 0;
  for (; p + 16 <= k; p += 16) {
    const __m256 x0 = _mm256_loadu_ps(x + p), x1 = _mm256_loadu_ps(x + p + 8);
    for (int j = 0; j < S; ++j) {
      if constexpr (H != prefetch::Hint::none) prefetch::line<H>(row[j] + p + 64 / sizeof(T) * pf_lines);
      a[j] = _mm256_fmadd_ps(load8(row[j] + p), x0, a[j]);
      b[j] = _mm256_fmadd_ps(load8(row[j] + p + 8), x1, b[j]);
    }
  }
  if (p + 8 <= k) {
    const __m256 x0 = _mm256_loadu_ps(x + p);
    for (int j = 0; j < S; ++j) a[j] = _mm256_fmadd_ps(load8(row[j] + p), x0, a[j]);
    p += 8;
  }
  for (int j = 0; j < S; ++j) {
    float r = vecmath::hsum(_mm256_add_ps(a[j], b[j]));
    for (std::int64_t t = p; t < k; ++t) r += to_float(row[j][t]) * x[t];
    y[r0 + j * q] = r;
  }
}

// y[r0, r1) = W[r0, r1)·x.
template <prefetch::Hint H>
[[gnu::target(CROMWELL_AVX2)]] void rows(const GemvShape& s, const float* w, const float* x, float* y, std::int64_t r0,
                                         std::int64_t r1, std::int64_t pf_lines) {
  const std::int64_t q = (r1 - r0) / 4;
  for (std::int64_t i = 0; i < q; ++i) dot_rows<4, H>(s, w, x, y, r0 + i, q, pf_lines);
  for (std::int64_t i = r0 + 4 * q; i < r1; ++i) dot_rows<1, H>(s, w, x, y, i, 0, pf_lines);
}

}  // namespace cromwell::gemv_avx2
