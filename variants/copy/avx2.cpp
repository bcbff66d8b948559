// copy.avx2 — copy.naive with explicit AVX2 loads and stores, 32 floats per iteration; ordinary
// stores, so every destination line is first read for ownership (12n bytes of traffic for 8n of
// work).
#include "harness/core/registry.hpp"
#include "kernels/copy.hpp"
#include "variants/copy/stream_avx2.hpp"

namespace cromwell {
namespace {

const bool registered = register_variant<CopyKernel>({
    .name = "avx2",
    .summary = "AVX2 loads and stores, 32 floats per iteration",
    .isa = CROMWELL_AVX2,
    .space = {},
    .prepare = [](const StreamShape& s, const ParamValues&, Pool& pool) -> Runnable<CopyKernel> {
      return [s, &pool](CopyKernel::Workspace& ws) {
        pool.parallel_for(s.n, 16, [&](std::int64_t b, std::int64_t e) {
          copy_avx2::copy<copy_avx2::Store::normal, false>(ws.x.data(), ws.y.data(), b, e, 0);
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
