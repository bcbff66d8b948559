// softmax.online — softmax.avx2 in two passes instead of three: one pass keeps a running maximum
// and a running sum per lane (when the maximum grows, the sum is rescaled by e^(old − new)),
// then one pass writes y = e^(x − max) / sum. x is read twice, y written once and never read.
//   store  normal | nt: how y is written (variants/store.hpp)
#include <limits>

#include "harness/core/registry.hpp"
#include "kernels/softmax.hpp"
#include "variants/store.hpp"
#include "variants/vecmath_avx2.hpp"

namespace cromwell {
namespace {

// e^(a − b), with e^(−inf − (−inf)) taken as the limit of a sum that has no terms yet: 0 when
// a = −inf, whatever b.
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline __m256 exp_diff(__m256 a, __m256 b) {
  const __m256 minus_inf = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  const __m256 e = vecmath::exp(_mm256_sub_ps(a, b));
  return _mm256_blendv_ps(e, _mm256_setzero_ps(), _mm256_cmp_ps(a, minus_inf, _CMP_EQ_OQ));
}

[[gnu::target(CROMWELL_AVX2)]] float exp1(float x) { return _mm256_cvtss_f32(vecmath::exp(_mm256_set1_ps(x))); }

template <bool NT>
[[gnu::target(CROMWELL_AVX2)]] void softmax_rows(const RowsShape& s, const float* x, float* y, std::int64_t r0,
                                                 std::int64_t r1) {
  const std::int64_t n = s.n, n8 = n - n % 8;
  const float ninf = -std::numeric_limits<float>::infinity();
  for (std::int64_t r = r0; r < r1; ++r) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    __m256 vm = _mm256_set1_ps(ninf), vs = _mm256_setzero_ps();
    std::int64_t i = 0;
    for (; i < n8; i += 8) {
      const __m256 v = _mm256_loadu_ps(xr + i);
      const __m256 m = _mm256_max_ps(vm, v);
      vs = _mm256_add_ps(_mm256_mul_ps(vs, exp_diff(vm, m)), exp_diff(v, m));
      vm = m;
    }
    // Combine the lanes, then the scalar tail, with the same rescaling.
    alignas(32) float lm[8], ls[8];
    _mm256_store_ps(lm, vm);
    _mm256_store_ps(ls, vs);
    float m = ninf, sum = 0.0f;
    auto add = [&](float value_max, float value_sum) {
      if (value_max == ninf) return;
      if (value_max > m) {
        sum = (m == ninf ? 0.0f : sum * exp1(m - value_max)) + value_sum;
        m = value_max;
      } else {
        sum += value_sum * exp1(value_max - m);
      }
    };
    for (int l = 0; l < 8; ++l) add(lm[l], ls[l]);
    for (; i < n; ++i) add(xr[i], 1.0f);
    const __m256 vmax = _mm256_set1_ps(m), vinv = _mm256_set1_ps(1.0f / sum);
    const float inv = 1.0f / sum;
    i = 0;
    for (const std::int64_t v = store::vector_start<NT>(yr, 0, n); i < v; ++i) yr[i] = exp1(xr[i] - m) * inv;
    for (; i + 8 <= n; i += 8)
      store::put<NT>(yr + i, _mm256_mul_ps(vecmath::exp(_mm256_sub_ps(_mm256_loadu_ps(xr + i), vmax)), vinv));
    for (; i < n; ++i) yr[i] = exp1(xr[i] - m) * inv;
  }
  store::finish<NT>();
}

const bool registered = register_variant<SoftmaxKernel>({
    .name = "online",
    .summary = "two passes: running max and sum per lane, then normalize",
    .isa = CROMWELL_AVX2,
    .space = {.params = {store::param()}, .constraints = {}},
    .prepare = [](const RowsShape& s, const ParamValues& p, Pool& pool) -> Runnable<SoftmaxKernel> {
      const bool nt = store::nt(p);
      return [s, nt, &pool](SoftmaxKernel::Workspace& ws) {
        pool.parallel_for(s.rows, 1, [&](std::int64_t b, std::int64_t e) {
          if (nt)
            softmax_rows<true>(s, ws.x.data(), ws.y.data(), b, e);
          else
            softmax_rows<false>(s, ws.x.data(), ws.y.data(), b, e);
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
