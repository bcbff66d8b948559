// swiglu.avx2 — swiglu.naive with the AVX2 SiLU of variants/vecmath_avx2.hpp times u, 8 floats at
// a time (silu.avx2 with one more load and product).
//   store  normal | nt: ordinary or non-temporal stores for y (variants/store.hpp)
#include "harness/core/registry.hpp"
#include "kernels/swiglu.hpp"
#include "variants/store.hpp"
#include "variants/vecmath_avx2.hpp"

namespace cromwell {
namespace {

[[gnu::target(CROMWELL_AVX2)]] float swiglu1(float g, float u) {
  return _mm256_cvtss_f32(vecmath::silu(_mm256_set1_ps(g))) * u;
}

template <bool NT>
[[gnu::target(CROMWELL_AVX2)]] void swiglu_range(const float* g, const float* u, float* y, std::int64_t b,
                                                 std::int64_t e) {
  std::int64_t i = b;
  for (const std::int64_t v = store::vector_start<NT>(y, b, e); i < v; ++i) y[i] = swiglu1(g[i], u[i]);
  for (; i + 8 <= e; i += 8)
    store::put<NT>(y + i, _mm256_mul_ps(vecmath::silu(_mm256_loadu_ps(g + i)), _mm256_loadu_ps(u + i)));
  for (; i < e; ++i) y[i] = swiglu1(g[i], u[i]);
  store::finish<NT>();
}

const bool registered = register_variant<SwigluKernel>({
    .name = "avx2",
    .summary = "AVX2 vector SiLU times u, normal or non-temporal stores",
    .isa = CROMWELL_AVX2,
    .space = {.params = {store::param()}, .constraints = {}},
    .prepare = [](const StreamShape& s, const ParamValues& p, Pool& pool) -> Runnable<SwigluKernel> {
      const bool nt = store::nt(p);
      return [s, nt, &pool](SwigluKernel::Workspace& ws) {
        pool.parallel_for(s.n, 16, [&](std::int64_t b, std::int64_t e) {
          if (nt)
            swiglu_range<true>(ws.g.data(), ws.u.data(), ws.y.data(), b, e);
          else
            swiglu_range<false>(ws.g.data(), ws.u.data(), ws.y.data(), b, e);
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
