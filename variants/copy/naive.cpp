// copy.naive — the plain element loop (the compiler may turn it into a call to memcpy, as it
// would in a programmer's code). Threads copy contiguous shares.
#include "harness/core/registry.hpp"
#include "kernels/copy.hpp"

namespace cromwell {
namespace {

void copy_range(const float* x, float* y, std::int64_t b, std::int64_t e) {
  for (std::int64_t i = b; i < e; ++i) y[i] = x[i];
}

const bool registered = register_variant<CopyKernel>({
    .name = "naive",
    .summary = "element loop",
    .space = {},
    .prepare = [](const StreamShape& s, const ParamValues&, Pool& pool) -> Runnable<CopyKernel> {
      return [s, &pool](CopyKernel::Workspace& ws) {
        pool.parallel_for(s.n, 16, [&](std::int64_t b, std::int64_t e) { copy_range(ws.x.data(), ws.y.data(), b, e); });
      };
    },
});

}  // namespace
}  // namespace cromwell
