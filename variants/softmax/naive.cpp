// softmax.naive — the plain three loops per row: maximum, expf and sum, divide. Rows are split
// among threads.
#include <algorithm>
#include <cmath>
#include <limits>

#include "harness/core/registry.hpp"
#include "kernels/softmax.hpp"

namespace cromwell {
namespace {

void softmax_rows(const RowsShape& s, const float* x, float* y, std::int64_t r0, std::int64_t r1) {
  for (std::int64_t r = r0; r < r1; ++r) {
    const float* xr = x + r * s.n;
    float* yr = y + r * s.n;
    float m = -std::numeric_limits<float>::infinity();
    for (std::int64_t i = 0; i < s.n; ++i) m = std::max(m, xr[i]);
    float sum = 0.0f;
    for (std::int64_t i = 0; i < s.n; ++i) sum += yr[i] = std::exp(xr[i] - m);
    for (std::int64_t i = 0; i < s.n; ++i) yr[i] /= sum;
  }
}

const bool registered = register_variant<SoftmaxKernel>({
    .name = "naive",
    .summary = "three scalar loops per row (max, exp and sum, divide)",
    .space = {},
    .prepare = [](const RowsShape& s, const ParamValues&, Pool& pool) -> Runnable<SoftmaxKernel> {
      return [s, &pool](SoftmaxKernel::Workspace& ws) {
        pool.parallel_for(s.rows, 1,
                          [&](std::int64_t b, std::int64_t e) { softmax_rows(s, ws.x.data(), ws.y.data(), b, e); });
      };
    },
});

}  // namespace
}  // namespace cromwell
