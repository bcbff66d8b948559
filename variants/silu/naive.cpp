// silu.naive — the plain loop, x / (1 + expf(−x)), with infinities answered exactly (the formula
// alone gives NaN at −inf). Threads take contiguous shares.
#include <cmath>

#include "harness/core/registry.hpp"
#include "kernels/silu.hpp"

namespace cromwell {
namespace {

void silu_range(const float* x, float* y, std::int64_t b, std::int64_t e) {
  for (std::int64_t i = b; i < e; ++i)
    y[i] = std::isinf(x[i]) ? (x[i] > 0 ? x[i] : -0.0f) : x[i] / (1.0f + std::exp(-x[i]));
}

const bool registered = register_variant<SiluKernel>({
    .name = "naive",
    .summary = "scalar x / (1 + expf(-x))",
    .space = {},
    .prepare = [](const StreamShape& s, const ParamValues&, Pool& pool) -> Runnable<SiluKernel> {
      return [s, &pool](SiluKernel::Workspace& ws) {
        pool.parallel_for(s.n, 16, [&](std::int64_t b, std::int64_t e) { silu_range(ws.x.data(), ws.y.data(), b, e); });
      };
    },
});

}  // namespace
}  // namespace cromwell
