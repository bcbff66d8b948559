// read.naive — the plain loop: one fp32 accumulator, as a programmer writes it first. Without
// -ffast-math the compiler may not reorder the sum, so it stays one scalar add per element.
// With threads > 1 each thread sums a contiguous share; the partial sums are added in order.
#include <vector>

#include "harness/core/registry.hpp"
#include "kernels/read.hpp"

namespace cromwell {
namespace {

float sum_range(const float* x, std::int64_t b, std::int64_t e) {
  float s = 0.0f;
  for (std::int64_t i = b; i < e; ++i) s += x[i];
  return s;
}

const bool registered = register_variant<ReadKernel>({
    .name = "naive",
    .summary = "one scalar accumulator",
    .space = {},
    .prepare = [](const StreamShape& s, const ParamValues&, Pool& pool) -> Runnable<ReadKernel> {
      auto partial = std::make_shared<std::vector<float>>(pool.size());
      return [s, partial, &pool](ReadKernel::Workspace& ws) {
        pool.run([&](int t) {
          const auto [b, e] = pool.share(s.n, 16, t);
          (*partial)[t] = sum_range(ws.x.data(), b, e);
        });
        float total = 0.0f;
        for (float p : *partial) total += p;
        ws.sum = total;
      };
    },
});

}  // namespace
}  // namespace cromwell
