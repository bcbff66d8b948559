#pragma once
// The AVX2 row kernel shared by gemv.avx2 and gemv.avx2_prefetch. W is row-major and contiguous,
// so taking the rows one after another reads W as one sequential stream — the pattern the
// hardware prefetchers follow best (interleaving four rows, to reuse each load of x, made four
// streams and ran at 0.6× the read bandwidth). x (k floats) stays in L1, so reloading it per row
// costs only L1 bandwidth. Four 8-wide FMA accumulators per row hide the FMA latency.
#include <immintrin.h>

#include <cstdint>

#include "kernels/gemv.hpp"
#include "variants/prefetch.hpp"
#include "variants/vecmath_avx2.hpp"

namespace cromwell::gemv_avx2 {

// y[r0, r1) = W[r0, r1)·x. With a hint H, W is prefetched `pf_lines` cache lines ahead of
// the loads (one prefetch per 64-byte line, two per iteration).
template <prefetch::Hint H>
[[gnu::target("avx2,fma")]] void rows(const GemvShape& s, const float* w, const float* x, float* y, std::int64_t r0,
                                      std::int64_t r1, std::int64_t pf_lines) {
  const std::int64_t k = s.k, k32 = k - k % 32, k8 = k - k % 8;
  for (std::int64_t i = r0; i < r1; ++i) {
    const float* wi = w + i * k;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    std::int64_t p = 0;
    for (; p < k32; p += 32) {
      if constexpr (H != prefetch::Hint::none) {
        prefetch::line<H>(reinterpret_cast<const char*>(wi + p) + 64 * pf_lines);
        prefetch::line<H>(reinterpret_cast<const char*>(wi + p) + 64 * (pf_lines + 1));
      }
      a0 = _mm256_fmadd_ps(_mm256_loadu_ps(wi + p), _mm256_loadu_ps(x + p), a0);
      a1 = _mm256_fmadd_ps(_mm256_loadu_ps(wi + p + 8), _mm256_loadu_ps(x + p + 8), a1);
      a2 = _mm256_fmadd_ps(_mm256_loadu_ps(wi + p + 16), _mm256_loadu_ps(x + p + 16), a2);
      a3 = _mm256_fmadd_ps(_mm256_loadu_ps(wi + p + 24), _mm256_loadu_ps(x + p + 24), a3);
    }
    for (; p < k8; p += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(wi + p), _mm256_loadu_ps(x + p), a0);
    float r = vecmath::hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    for (; p < k; ++p) r += wi[p] * x[p];
    y[i] = r;
  }
}

}  // namespace cromwell::gemv_avx2
