// gemv.naive — the plain loop: a scalar fp32 dot product per row. Rows are split among threads.
#include "harness/core/registry.hpp"
#include "kernels/gemv.hpp"

namespace cromwell {
namespace {

void gemv_rows(const GemvShape& s, const float* w, const float* x, float* y, std::int64_t r0, std::int64_t r1) {
  for (std::int64_t i = r0; i < r1; ++i) {
    float sum = 0.0f;
    for (std::int64_t p = 0; p < s.k; ++p) sum += w[i * s.k + p] * x[p];
    y[i] = sum;
  }
}

const bool registered = register_variant<GemvKernel>({
    .name = "naive",
    .summary = "scalar dot product per row",
    .space = {},
    .prepare = [](const GemvShape& s, const ParamValues&, Pool& pool) -> Runnable<GemvKernel> {
      return [s, &pool](GemvKernel::Workspace& ws) {
        pool.parallel_for(
            s.n, 1, [&](std::int64_t b, std::int64_t e) { gemv_rows(s, ws.w.data(), ws.x.data(), ws.y.data(), b, e); });
      };
    },
});

}  // namespace
}  // namespace cromwell
