// rmsnorm.avx2 — rmsnorm.naive with AVX2/FMA: the sum of squares in four 8-wide accumulators,
// the exact 1/sqrt (division and square root, not the 12-bit rsqrt estimate), then an 8-wide
// scale pass. Rows are split among threads; a single row (decode) runs on one thread.
#include <immintrin.h>

#include <cmath>

#include "harness/core/registry.hpp"
#include "kernels/rmsnorm.hpp"

namespace cromwell {
namespace {

[[gnu::target(CROMWELL_AVX2)]] void rmsnorm_rows(const RowsShape& s, const float* x, const float* scale, float* y,
                                                 std::int64_t r0, std::int64_t r1) {
  const std::int64_t n = s.n, n32 = n - n % 32, n8 = n - n % 8;
  for (std::int64_t r = r0; r < r1; ++r) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    std::int64_t i = 0;
    for (; i < n32; i += 32) {
      const __m256 v0 = _mm256_loadu_ps(xr + i), v1 = _mm256_loadu_ps(xr + i + 8), v2 = _mm256_loadu_ps(xr + i + 16),
                   v3 = _mm256_loadu_ps(xr + i + 24);
      a0 = _mm256_fmadd_ps(v0, v0, a0);
      a1 = _mm256_fmadd_ps(v1, v1, a1);
      a2 = _mm256_fmadd_ps(v2, v2, a2);
      a3 = _mm256_fmadd_ps(v3, v3, a3);
    }
    for (; i < n8; i += 8) {
      const __m256 v = _mm256_loadu_ps(xr + i);
      a0 = _mm256_fmadd_ps(v, v, a0);
    }
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    float ss = 0.0f;
    for (float l : lanes) ss += l;
    for (; i < n; ++i) ss += xr[i] * xr[i];
    const float inv = 1.0f / std::sqrt(ss / float(n) + RmsnormKernel::kEps);
    const __m256 vinv = _mm256_set1_ps(inv);
    for (i = 0; i < n8; i += 8)
      _mm256_storeu_ps(yr + i, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(xr + i), vinv), _mm256_loadu_ps(scale + i)));
    for (; i < n; ++i) yr[i] = xr[i] * inv * scale[i];
  }
}

const bool registered = register_variant<RmsnormKernel>({
    .name = "avx2",
    .summary = "AVX2/FMA sum of squares and scale",
    .isa = CROMWELL_AVX2,
    .space = {},
    .prepare = [](const RowsShape& s, const ParamValues&, Pool& pool) -> Runnable<RmsnormKernel> {
      return [s, &pool](RmsnormKernel::Workspace& ws) {
        pool.parallel_for(s.rows, 1, [&](std::int64_t b, std::int64_t e) {
          rmsnorm_rows(s, ws.x.data(), ws.scale.data(), ws.y.data(), b, e);
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
