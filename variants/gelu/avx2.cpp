// gelu.avx2 — gelu.naive with AVX2 and the identity 1 + tanh(v) = 2·sigmoid(2v): y = x·sigmoid(2v)
// with the vector sigmoid of variants/vecmath_avx2.hpp (no cancellation where tanh → −1).
//   store  normal | nt: ordinary or non-temporal stores for y (variants/store.hpp)
#include "harness/registry.hpp"
#include "kernels/gelu.hpp"
#include "variants/store.hpp"
#include "variants/vecmath_avx2.hpp"

namespace cromwell {
namespace {

[[gnu::target("avx2,fma"), gnu::always_inline]] inline __m256 gelu(__m256 x) {
  const __m256 x3 = _mm256_mul_ps(_mm256_mul_ps(x, x), x);
  const __m256 v2 = _mm256_mul_ps(_mm256_set1_ps(2 * 0.7978845608f), _mm256_fmadd_ps(_mm256_set1_ps(0.044715f), x3, x));
  const __m256 y = _mm256_mul_ps(x, vecmath::sigmoid(v2));
  // Infinities exactly: gelu(+inf) = +inf, gelu(−inf) = −0 (the products above give NaN or −inf·0).
  const __m256 inf = _mm256_set1_ps(__builtin_inff());
  const __m256 fix = _mm256_blendv_ps(_mm256_set1_ps(-0.0f), inf, _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ));
  return _mm256_blendv_ps(y, fix, _mm256_cmp_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), x), inf, _CMP_EQ_OQ));
}

[[gnu::target("avx2,fma")]] float gelu1(float x) { return _mm256_cvtss_f32(gelu(_mm256_set1_ps(x))); }

template <bool NT>
[[gnu::target("avx2,fma")]] void gelu_range(const float* x, float* y, std::int64_t b, std::int64_t e) {
  std::int64_t i = b;
  for (const std::int64_t v = store::vector_start<NT>(y, b, e); i < v; ++i) y[i] = gelu1(x[i]);
  for (; i + 8 <= e; i += 8) store::put<NT>(y + i, gelu(_mm256_loadu_ps(x + i)));
  for (; i < e; ++i) y[i] = gelu1(x[i]);
  store::finish<NT>();
}

const bool registered = register_variant<GeluKernel>({
    .name = "avx2",
    .summary = "AVX2, x·sigmoid(2v), normal or non-temporal stores",
    .isa = {"avx2", "fma"},
    .space = {.params = {store::param()}, .constraints = {}},
    .prepare = [](const StreamShape& s, const ParamValues& p, Pool& pool) -> Runnable<GeluKernel> {
      const bool nt = store::nt(p);
      return [s, nt, &pool](GeluKernel::Workspace& ws) {
        pool.parallel_for(s.n, 16, [&](std::int64_t b, std::int64_t e) {
          if (nt) gelu_range<true>(ws.x.data(), ws.y.data(), b, e);
          else gelu_range<false>(ws.x.data(), ws.y.data(), b, e);
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
