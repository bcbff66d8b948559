// rmsnorm.naive — the plain two loops per row (sum of squares, then scale), fp32, with 1/sqrtf.
// Rows are split among threads.
#include <cmath>

#include "harness/core/registry.hpp"
#include "kernels/rmsnorm.hpp"

namespace cromwell {
namespace {

void rmsnorm_rows(const RowsShape& s, const float* x, const float* scale, float* y, std::int64_t r0, std::int64_t r1) {
  for (std::int64_t r = r0; r < r1; ++r) {
    const float* xr = x + r * s.n;
    float ss = 0.0f;
    for (std::int64_t i = 0; i < s.n; ++i) ss += xr[i] * xr[i];
    const float inv = 1.0f / std::sqrt(ss / float(s.n) + RmsnormKernel::kEps);
    for (std::int64_t i = 0; i < s.n; ++i) y[r * s.n + i] = xr[i] * inv * scale[i];
  }
}

const bool registered = register_variant<RmsnormKernel>({
    .name = "naive",
    .summary = "two scalar loops per row",
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
