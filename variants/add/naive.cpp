// add.naive — the plain loop y[i] = a[i] + b[i]. Threads take contiguous shares.
#include <cstdint>

#include "harness/core/registry.hpp"
#include "kernels/add.hpp"

namespace cromwell {
namespace {

void add_range(const float* a, const float* b, float* y, std::int64_t lo, std::int64_t hi) {
  for (std::int64_t i = lo; i < hi; ++i) y[i] = a[i] + b[i];
}

const bool registered = register_variant<AddKernel>({
    .name = "naive",
    .summary = "scalar a + b",
    .space = {},
    .prepare = [](const StreamShape& s, const ParamValues&, Pool& pool) -> Runnable<AddKernel> {
      return [s, &pool](AddKernel::Workspace& ws) {
        pool.parallel_for(
            s.n, 16, [&](std::int64_t b, std::int64_t e) { add_range(ws.a.data(), ws.b.data(), ws.y.data(), b, e); });
      };
    },
});

}  // namespace
}  // namespace cromwell
