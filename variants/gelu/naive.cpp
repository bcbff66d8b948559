// gelu.naive — the formula as written, ½·x·(1 + tanhf(√(2/π)·(x + 0.044715·x³))), with the
// infinities answered exactly (x³ overflows first). Threads take contiguous shares.
#include <cmath>

#include "harness/core/registry.hpp"
#include "kernels/gelu.hpp"

namespace cromwell {
namespace {

void gelu_range(const float* x, float* y, std::int64_t b, std::int64_t e) {
  constexpr float c = 0.7978845608f, k = 0.044715f;
  for (std::int64_t i = b; i < e; ++i) {
    const float v = x[i];
    y[i] = std::isinf(v) ? (v > 0 ? v : -0.0f) : 0.5f * v * (1.0f + std::tanh(c * (v + k * v * v * v)));
  }
}

const bool registered = register_variant<GeluKernel>({
    .name = "naive",
    .summary = "scalar formula with tanhf",
    .space = {},
    .prepare = [](const StreamShape& s, const ParamValues&, Pool& pool) -> Runnable<GeluKernel> {
      return [s, &pool](GeluKernel::Workspace& ws) {
        pool.parallel_for(s.n, 16, [&](std::int64_t b, std::int64_t e) { gelu_range(ws.x.data(), ws.y.data(), b, e); });
      };
    },
});

}  // namespace
}  // namespace cromwell
