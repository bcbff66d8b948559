// add.avx2 — add.naive 8 floats at a time with AVX2 (two vectors per step).
//   store  normal | nt: ordinary or non-temporal stores for y (variants/store.hpp)
#include "harness/core/registry.hpp"
#include "kernels/add.hpp"
#include "variants/store.hpp"

namespace cromwell {
namespace {

template <bool NT>
[[gnu::target(CROMWELL_AVX2)]] void add_range(const float* a, const float* b, float* y, std::int64_t lo,
                                              std::int64_t hi) {
  std::int64_t i = lo;
  for (const std::int64_t v = store::vector_start<NT>(y, lo, hi); i < v; ++i) y[i] = a[i] + b[i];
  for (; i + 16 <= hi; i += 16) {
    store::put<NT>(y + i, _mm256_add_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
    store::put<NT>(y + i + 8, _mm256_add_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8)));
  }
  for (; i + 8 <= hi; i += 8) store::put<NT>(y + i, _mm256_add_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
  for (; i < hi; ++i) y[i] = a[i] + b[i];
  store::finish<NT>();
}

const bool registered = register_variant<AddKernel>({
    .name = "avx2",
    .summary = "AVX2 add, normal or non-temporal stores",
    .isa = CROMWELL_AVX2,
    .space = {.params = {store::param()}, .constraints = {}},
    .prepare = [](const StreamShape& s, const ParamValues& p, Pool& pool) -> Runnable<AddKernel> {
      const bool nt = store::nt(p);
      return [s, nt, &pool](AddKernel::Workspace& ws) {
        pool.parallel_for(s.n, 16, [&](std::int64_t b, std::int64_t e) {
          if (nt)
            add_range<true>(ws.a.data(), ws.b.data(), ws.y.data(), b, e);
          else
            add_range<false>(ws.a.data(), ws.b.data(), ws.y.data(), b, e);
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
