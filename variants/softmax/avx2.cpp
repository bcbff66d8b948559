// softmax.avx2 — softmax.naive's three passes with AVX2: an 8-wide maximum, the vector exp of
// variants/vecmath_avx2.hpp with an 8-wide sum (writing e^(x−max) to y), then y ·= 1/sum.
//   store  normal | nt: how the last pass writes y (variants/store.hpp)
#include <limits>

#include "harness/registry.hpp"
#include "kernels/softmax.hpp"
#include "variants/store.hpp"
#include "variants/vecmath_avx2.hpp"

namespace cromwell {
namespace {

[[gnu::target("avx2,fma")]] float exp1(float x) { return _mm256_cvtss_f32(vecmath::exp(_mm256_set1_ps(x))); }

template <bool NT>
[[gnu::target("avx2,fma")]] void softmax_rows(const RowsShape& s, const float* x, float* y, std::int64_t r0,
                                              std::int64_t r1) {
  const std::int64_t n = s.n, n8 = n - n % 8;
  for (std::int64_t r = r0; r < r1; ++r) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    __m256 vm = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
    std::int64_t i = 0;
    for (; i < n8; i += 8) vm = _mm256_max_ps(vm, _mm256_loadu_ps(xr + i));
    float m = vecmath::hmax(vm);
    for (; i < n; ++i) m = std::max(m, xr[i]);
    const __m256 vmax = _mm256_set1_ps(m);
    __m256 vs = _mm256_setzero_ps();
    for (i = 0; i < n8; i += 8) {
      const __m256 e = vecmath::exp(_mm256_sub_ps(_mm256_loadu_ps(xr + i), vmax));
      _mm256_storeu_ps(yr + i, e);
      vs = _mm256_add_ps(vs, e);
    }
    float sum = vecmath::hsum(vs);
    for (; i < n; ++i) sum += yr[i] = exp1(xr[i] - m);
    const float inv = 1.0f / sum;
    const __m256 vinv = _mm256_set1_ps(inv);
    i = 0;
    for (const std::int64_t v = store::vector_start<NT>(yr, 0, n); i < v; ++i) yr[i] *= inv;
    for (; i + 8 <= n; i += 8) store::put<NT>(yr + i, _mm256_mul_ps(_mm256_loadu_ps(yr + i), vinv));
    for (; i < n; ++i) yr[i] *= inv;
  }
  store::finish<NT>();
}

const bool registered = register_variant<SoftmaxKernel>({
    .name = "avx2",
    .summary = "three AVX2 passes (max, vector exp and sum, scale)",
    .isa = {"avx2", "fma"},
    .space = {.params = {store::param()}, .constraints = {}},
    .prepare = [](const RowsShape& s, const ParamValues& p, Pool& pool) -> Runnable<SoftmaxKernel> {
      const bool nt = store::nt(p);
      return [s, nt, &pool](SoftmaxKernel::Workspace& ws) {
        pool.parallel_for(s.rows, 1, [&](std::int64_t b, std::int64_t e) {
          if (nt) softmax_rows<true>(s, ws.x.data(), ws.y.data(), b, e);
          else softmax_rows<false>(s, ws.x.data(), ws.y.data(), b, e);
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
