// swiglu.naive — silu.naive's plain loop, x / (1 + expf(−x)) with infinities answered exactly,
// times u. Threads take contiguous shares.
#include <cmath>

#include "harness/core/registry.hpp"
#include "kernels/swiglu.hpp"

namespace cromwell {
namespace {

void swiglu_range(const float* g, const float* u, float* y, std::int64_t b, std::int64_t e) {
  for (std::int64_t i = b; i < e; ++i) {
    const float s = std::isinf(g[i]) ? (g[i] > 0 ? g[i] : -0.0f) : g[i] / (1.0f + std::exp(-g[i]));
    y[i] = s * u[i];
  }
}

const bool registered = register_variant<SwigluKernel>({
    .name = "naive",
    .summary = "scalar g / (1 + expf(-g)) * u",
    .space = {},
    .prepare = [](const StreamShape& s, const ParamValues&, Pool& pool) -> Runnable<SwigluKernel> {
      return [s, &pool](SwigluKernel::Workspace& ws) {
        pool.parallel_for(s.n, 16, [&](std::int64_t b, std::int64_t e) {
          swiglu_range(ws.g.data(), ws.u.data(), ws.y.data(), b, e);
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
