// silu.avx2 — silu.naive with the AVX2 SiLU of variants/vecmath_avx2.hpp, 8 floats at a time.
//   store  normal | nt: ordinary or non-temporal stores for y (variants/store.hpp)
#include "harness/core/registry.hpp"
#include "kernels/silu.hpp"
#include "variants/store.hpp"
#include "variants/vecmath_avx2.hpp"

namespace cromwell {
namespace {

[[gnu::target(CROMWELL_AVX2)]] float silu1(float x) { return _mm256_cvtss_f32(vecmath::silu(_mm256_set1_ps(x))); }

template <bool NT>
[[gnu::target(CROMWELL_AVX2)]] void silu_range(const float* x, float* y, std::int64_t b, std::int64_t e) {
  std::int64_t i = b;
  for (const std::int64_t v = store::vector_start<NT>(y, b, e); i < v; ++i) y[i] = silu1(x[i]);
  for (; i + 8 <= e; i += 8) store::put<NT>(y + i, vecmath::silu(_mm256_loadu_ps(x + i)));
  for (; i < e; ++i) y[i] = silu1(x[i]);
  store::finish<NT>();
}

const bool registered = register_variant<SiluKernel>({
    .name = "avx2",
    .summary = "AVX2 vector SiLU, normal or non-temporal stores",
    .isa = CROMWELL_AVX2,
    .space = {.params = {store::param()}, .constraints = {}},
    .prepare = [](const StreamShape& s, const ParamValues& p, Pool& pool) -> Runnable<SiluKernel> {
      const bool nt = store::nt(p);
      return [s, nt, &pool](SiluKernel::Workspace& ws) {
        pool.parallel_for(s.n, 16, [&](std::int64_t b, std::int64_t e) {
          if (nt)
            silu_range<true>(ws.x.data(), ws.y.data(), b, e);
          else
            silu_range<false>(ws.x.data(), ws.y.data(), b, e);
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
